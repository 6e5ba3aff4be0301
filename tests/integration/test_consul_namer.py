"""io.l5d.consul against a local Consul agent (consul_peer.py): services appearing, scaling,
moving and disappearing reach routing with no request; dtab fallbacks flip live; tags, health
checks, weights, setHost, tokens and consistency modes as Linkerd's keys say; and the agent
down, restarted, hung or answering garbage: the last good state kept, the reason in l5d-err
for a name never resolved, recovery without a restart of Ferry."""
import time

from consul_peer import ConsulAgent, Instance
from harness import FerryTestCase, http_request, main, wait_until

ROUTERS = """
routers:
- protocol: http
  label: consul
  dtab: |
    /svc/web => /#/io.l5d.consul/dc1/web-primary | /#/io.l5d.consul/dc1/web-backup;
    /svc/local => /#/io.l5d.consul/.local;
    /svc => /#/io.l5d.consul/dc1;
  bindingTimeoutMs: 20000
  servers:
  - port: 0
"""


def config(port, extra="", tagged=False):
    """io.l5d.consul on the local agent (its own keys in `extra`), and with `tagged` a second one
    with includeTag at /#/io.l5d.tagged."""
    namers = """
admin: {port: 0}
namers:
- kind: io.l5d.consul
  host: 127.0.0.1
  port: %d
%s""" % (port, extra)
    if tagged:
        namers += """- kind: io.l5d.consul
  prefix: /io.l5d.tagged
  host: 127.0.0.1
  port: %d
  includeTag: true
""" % port
    return namers + ROUTERS


class ConsulNamerTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.consul = ConsulAgent()
        self._stops.append(lambda: self.consul.stop())
        self.a = self.start_backend("a")
        self.b = self.start_backend("b")

    def start(self, extra="", tagged=False):
        self.ferry = self.start_ferry(config(self.consul.port, extra, tagged))
        self.router = self.ferry.router("consul")
        return self.ferry

    def instance(self, backend, node="node-1", **kw):
        return Instance(node, "127.0.0.1", backend.port, **kw)

    def get(self, host, path="/"):
        status, headers, body = http_request(self.router, path=path, headers={"Host": host})
        return status, body.decode(), headers

    def body(self, host):
        return self.get(host)[:2]

    def addresses(self, client):
        return self.ferry.admin_json("/client_state.json").get(client, {}).get("addresses")

    def test_routes_and_follows_scaling_moves_and_removal(self):
        self.consul.set_service("users", [self.instance(self.a)])
        self.start()
        self.assertEqual(self.body("users"), (200, "a GET /"))
        # Scaled out: both instances get traffic, with no restart and no request to trigger it.
        self.consul.set_service("users", [self.instance(self.a), self.instance(self.b, node="node-2")])
        wait_until(lambda: sorted(self.addresses("/#/io.l5d.consul/dc1/users") or []) ==
                   sorted(["127.0.0.1:%d" % self.a.port, "127.0.0.1:%d" % self.b.port]), what="two instances")
        seen = {self.body("users")[1] for _ in range(40)}
        self.assertEqual(seen, {"a GET /", "b GET /"})
        # Moved: only b.
        self.consul.set_service("users", [self.instance(self.b, node="node-2")])
        wait_until(lambda: self.addresses("/#/io.l5d.consul/dc1/users") == ["127.0.0.1:%d" % self.b.port],
                   what="the move to b")
        self.assertEqual({self.body("users")[1] for _ in range(10)}, {"b GET /"})
        # Gone from the catalog: Neg, so the request fails as for any name with no hosts.
        self.consul.remove_service("users")
        status = wait_until(lambda: (lambda s: s if s[0] == 502 else None)(self.get("users")),
                            what="a 502 once the service is gone")
        self.assertIn("/svc/users", status[1])
        # Registered again: routes again.
        self.consul.set_service("users", [self.instance(self.a)])
        wait_until(lambda: self.body("users") == (200, "a GET /"), what="the service to come back")

    def test_fallback_flips_live_without_requests(self):
        self.consul.set_service("web-primary", [self.instance(self.a)])
        self.consul.set_service("web-backup", [self.instance(self.b)])
        self.start()
        self.assertEqual(self.body("web")[1], "a GET /")
        # No instance left: the Alt falls through to the backup before any request is sent.
        self.consul.set_service("web-primary", [])
        wait_until(lambda: "/#/io.l5d.consul/dc1/web-backup" in self.ferry.admin_json("/client_state.json"),
                   what="the binding to flip to the backup")
        self.assertEqual(self.body("web")[1], "b GET /")
        # The service leaves the catalog, then comes back with an instance: back to the primary.
        self.consul.remove_service("web-primary")
        self.consul.set_service("web-primary", [self.instance(self.a)])
        wait_until(lambda: self.body("web")[1] == "a GET /", what="the binding to flip back")

    def test_names_are_case_insensitive_and_local_is_the_agents_datacenter(self):
        self.consul.set_service("Billing", [self.instance(self.a)])
        self.start()
        self.assertEqual(self.body("billing"), (200, "a GET /"))
        self.assertEqual(self.body("BILLING"), (200, "a GET /"))
        # /svc/local/<service> goes through /#/io.l5d.consul/.local: the agent says dc1.
        self.assertEqual(self.via("/#/io.l5d.consul/.local/billing", host="local"), (200, "a GET /"))
        tree = wait_until(lambda: (lambda t: t if t["type"] == "leaf" else None)(
            self.ferry.admin_json("/delegator.json?path=/%23/io.l5d.consul/.local/billing")), what="a leaf")
        self.assertEqual(tree["bound"]["id"], "/#/io.l5d.consul/.local/billing")
        self.assertEqual(tree["bound"]["addr"]["addrs"][0]["port"], self.a.port)
        self.assertEqual(tree["bound"]["addr"]["addrs"][0]["meta"]["nodeName"], "node-1")
        self.assertTrue(self.consul.reads("/v1/agent/self"))
        state = self.ferry.admin_json("/namer_state/io.l5d.consul.json")
        self.assertEqual(state["agent"]["datacenter"], "dc1")

    def via(self, dtab, host="users"):
        """A request whose l5d-dtab sends /svc/<host> through `dtab`'s right-hand side."""
        status, headers, body = http_request(self.router, headers={"Host": host, "l5d-dtab": "/svc/%s=>%s" % (host, dtab)})
        return status, body.decode()

    def test_unknown_datacenter_is_neg_and_appears_later(self):
        self.consul.set_service("users", [self.instance(self.a)])
        self.start()
        self.assertEqual(self.via("/#/io.l5d.consul/dc9/users | /#/io.l5d.consul/dc1/users"), (200, "a GET /"))
        # The datacenter joins later: its names resolve with no restart, and win the Alt.
        self.consul.add_datacenter("dc9")
        self.consul.set_service("users", [self.instance(self.b)], dc="dc9")
        wait_until(lambda: self.via("/#/io.l5d.consul/dc9/users | /#/io.l5d.consul/dc1/users") == (200, "b GET /"),
                   what="dc9 to resolve")

    def test_tags_select_instances(self):
        self.consul.set_service("web", [self.instance(self.a, tags=["v1"]),
                                        self.instance(self.b, node="node-2", tags=["Canary"])])
        self.start(tagged=True)
        self.assertEqual({self.via("/#/io.l5d.tagged/dc1/canary/web")[1] for _ in range(10)}, {"b GET /"})
        self.assertEqual({self.via("/#/io.l5d.tagged/dc1/V1/web")[1] for _ in range(10)}, {"a GET /"})
        reads = self.consul.reads("/v1/catalog/service/web")
        self.assertIn("Canary", {r[1].get("tag") for r in reads}, "the tag is asked as Consul spells it")
        # A tag no instance has is Neg.
        self.assertEqual(self.via("/#/io.l5d.tagged/dc1/v2/web | /#/io.l5d.consul/dc1/web")[0], 200)


if __name__ == "__main__":
    main()
