"""io.l5d.consul against a local Consul agent (consul_peer.py): services appearing, scaling,
moving and disappearing reach routing with no request; dtab fallbacks flip live; tags, health
checks, weights, setHost, tokens and consistency modes as Linkerd's keys say; and the agent
down, restarted, hung or answering garbage: the last good state kept, the reason in l5d-err
for a name never resolved, recovery without a restart of Ferry."""
import time
import urllib.parse

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

    def l5d_err(self, headers):
        return urllib.parse.unquote_plus(headers.get("l5d-err", ""))

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

    def state(self):
        return self.ferry.admin_json("/namer_state/io.l5d.consul.json")

    def test_agent_down_at_start_fails_with_the_reason_then_recovers(self):
        self.consul.set_service("users", [self.instance(self.a)])
        self.consul.stop()
        self.start()
        status, body, headers = self.get("users")
        self.assertEqual(status, 502, body)
        self.assertIn("cannot connect to 127.0.0.1:%d" % self.consul.port, self.l5d_err(headers))
        self.assertIn("consul datacenter 'dc1'", body)
        # The agent starts (linkerd#2003: Linkerd never reconnected): routing follows, no restart.
        self.consul.start()
        wait_until(lambda: self.body("users") == (200, "a GET /"), what="routing once the agent is up")

    def test_errors_and_garbage_keep_the_last_good_state(self):
        self.consul.set_service("users", [self.instance(self.a)])
        self.start()
        self.assertEqual(self.body("users"), (200, "a GET /"))
        for fault in ("500", "garbage", "noindex"):
            errors = self.ferry.metrics().get("namer/io.l5d.consul/errors", 0)
            self.consul.set_fault(fault)
            # A change made while the agent misbehaves: poke the watches so they ask again.
            self.consul.set_service("users", [self.instance(self.b)])
            wait_until(lambda: self.ferry.metrics().get("namer/io.l5d.consul/errors", 0) > errors,
                       what="errors counted under %s" % fault)
            self.assertEqual(self.body("users"), (200, "a GET /"), "the last good state under " + fault)
            service = self.state()["services"]["/dc1/users"]
            self.assertEqual(service["addresses"], ["127.0.0.1:%d" % self.a.port])
            self.assertTrue(service["error"] or self.state()["datacenters"]["dc1"]["error"], self.state())
            self.consul.set_fault(None)
            wait_until(lambda: self.body("users") == (200, "b GET /"), what="the change once %s stops" % fault)
            self.consul.set_service("users", [self.instance(self.a)])
            wait_until(lambda: self.body("users") == (200, "a GET /"), what="recovered after %s" % fault)
        self.assertGreaterEqual(self.ferry.metrics().get("namer/io.l5d.consul/watch_restarts", 0), 3)

    def test_restarted_agent_with_indexes_that_went_backwards(self):
        self.consul.set_service("users", [self.instance(self.a)])
        self.start(extra="  waitSecs: 1\n")
        self.assertEqual(self.body("users"), (200, "a GET /"))
        # Restarted as a new cluster (linkerd#1230): indexes start over below what Ferry holds.
        self.consul.stop()
        self.consul.start(reset_index=True)
        self.consul.set_service("users", [self.instance(self.b)])
        wait_until(lambda: self.body("users") == (200, "b GET /"), what="the change after the restart")
        # The same without a restart (another server answered): a blocking query answered with
        # a lower index starts over, within one wait.
        with self.consul.cond:
            self.consul.index = 2
            for d in self.consul.dcs.values():
                d["index"] = 2
                for svc in d["services"].values():
                    svc["index"] = 2
        self.consul.set_service("users", [self.instance(self.a)])
        wait_until(lambda: self.body("users") == (200, "a GET /"), what="the change after the index went back")

    def test_hung_agent_calls_are_abandoned_and_sent_again(self):
        self.consul.set_service("users", [self.instance(self.a)])
        self.start(extra="  waitSecs: 1\n")
        self.assertEqual(self.body("users"), (200, "a GET /"))
        self.consul.set_fault("hang")
        sent = len(self.consul.reads("/v1/catalog/service/users"))
        # Held past wait (1 s) + wait/16 + the 5 s margin: dropped and asked again.
        wait_until(lambda: len(self.consul.reads("/v1/catalog/service/users")) >= sent + 2, timeout=60,
                   what="the hung call to be sent again")
        self.assertEqual(self.body("users"), (200, "a GET /"), "routing meanwhile")
        self.consul.set_fault(None)
        self.consul.set_service("users", [self.instance(self.b)])
        wait_until(lambda: self.body("users") == (200, "b GET /"), what="updates once the agent answers")

    def test_token_and_consistency_mode_reach_the_agent(self):
        self.consul.token = "s3cret"
        self.consul.set_service("users", [self.instance(self.a)])
        self.start(extra="  token: s3cret\n  consistencyMode: stale\n")
        self.assertEqual(self.body("users"), (200, "a GET /"))
        reads = self.consul.reads("/v1/")
        self.assertTrue(all(r[2].get("x-consul-token") == "s3cret" for r in reads), reads)
        self.assertTrue(all("stale" in r[1] for r in reads), reads)
        blocking = [r for r in reads if "index" in r[1]]
        self.assertTrue(blocking and all(r[1].get("wait") == "300s" for r in blocking), reads)

    def test_wrong_token_is_said_in_l5d_err(self):
        self.consul.token = "s3cret"
        self.consul.set_service("users", [self.instance(self.a)])
        self.start(extra="  token: wrong\n")
        status, body, headers = self.get("users")
        self.assertEqual(status, 502)
        self.assertIn("HTTP 403: ACL not found", self.l5d_err(headers))

    def test_health_checks_and_statuses(self):
        c = self.start_backend("c")
        d = self.start_backend("d")
        self.consul.set_service("users", [self.instance(self.a), self.instance(self.b, node="n2", status="warning"),
                                          self.instance(c, node="n3", status="critical"),
                                          self.instance(d, node="n4", maintenance=True)])
        self.start(extra="  useHealthCheck: true\n", tagged=False)
        self.assertEqual({self.body("users")[1] for _ in range(20)}, {"a GET /"})
        self.assertTrue(all("passing" in r[1] for r in self.consul.reads("/v1/health/service/users")))

    def test_health_statuses_choose_what_counts(self):
        c = self.start_backend("c")
        d = self.start_backend("d")
        self.consul.set_service("users", [self.instance(self.a), self.instance(self.b, node="n2", status="warning"),
                                          self.instance(c, node="n3", status="critical"),
                                          self.instance(d, node="n4", maintenance=True)])
        self.start(extra="  useHealthCheck: true\n  healthStatuses: [passing, warning]\n")
        self.assertEqual({self.body("users")[1] for _ in range(40)}, {"a GET /", "b GET /"})
        self.assertFalse(any("passing" in r[1] for r in self.consul.reads("/v1/health/service/users")))
        # An instance that turns critical leaves; maintenance is its own status.
        self.consul.set_service("users", [self.instance(self.a, status="critical"),
                                          self.instance(self.b, node="n2", status="warning")])
        wait_until(lambda: self.addresses("/#/io.l5d.consul/dc1/users") == ["127.0.0.1:%d" % self.b.port],
                   what="the critical instance to leave")

    def test_weights_metadata_and_set_host(self):
        self.consul.set_service("users", [self.instance(self.a, tags=["canary", "slow"], meta={"version": "2"}),
                                          self.instance(self.b, node="n2", service_address="127.0.0.1")])
        self.start(extra="  setHost: true\n  transferMetadata: true\n"
                         "  weights:\n  - {tag: canary, weight: 0.25}\n  - {tag: slow, weight: 0.5}\n")
        tree = wait_until(lambda: (lambda t: t if t["type"] == "leaf" else None)(
            self.ferry.admin_json("/delegator.json?path=/%23/io.l5d.consul/dc1/users")), what="a leaf")
        addrs = {a["port"]: a["meta"] for a in tree["bound"]["addr"]["addrs"]}
        self.assertEqual(addrs[self.a.port]["endpoint_addr_weight"], 0.5, "the heaviest listed tag")
        self.assertEqual(addrs[self.a.port]["version"], "2")
        self.assertEqual(addrs[self.a.port]["authority"], "users.service.dc1.consul")
        self.assertNotIn("endpoint_addr_weight", addrs[self.b.port])
        # setHost: the instance sees Consul's DNS name for the service as Host.
        for _ in range(10):
            self.assertEqual(self.get("users")[0], 200)
        hosts = {r[2]["host"] for r in self.a.requests + self.b.requests}
        self.assertEqual(hosts, {"users.service.dc1.consul"})

    def test_fail_fast_probes_once_and_resumes_every_watch(self):
        for name in ("one", "two", "three"):
            self.consul.set_service(name, [self.instance(self.a)])
        self.start(extra="  failFast: true\n")
        for name in ("one", "two", "three"):
            self.assertEqual(self.body(name), (200, "a GET /"))
        self.consul.stop()
        wait_until(lambda: "marked down (failFast)" in self.ferry.output(), what="the agent marked down")
        for name in ("one", "two", "three"):
            self.assertEqual(self.body(name), (200, "a GET /"), "the last good state while down")
        self.consul.requests.clear()
        self.consul.start()
        for name in ("one", "two", "three"):
            self.consul.set_service(name, [self.instance(self.b)])
        for name in ("one", "two", "three"):
            wait_until(lambda: self.body(name) == (200, "b GET /"), what="%s to resume" % name)
        self.assertTrue(self.consul.reads("/v1/status/leader"), "the probe asked first")

    def test_state_metrics_and_bound_names(self):
        self.consul.set_service("users", [self.instance(self.a)])
        self.consul.set_service("billing", [self.instance(self.b)])
        self.start()
        self.assertEqual(self.body("users")[0], 200)
        state = self.state()
        self.assertEqual(state["datacenters"]["dc1"]["state"], "ok")
        self.assertEqual(state["datacenters"]["dc1"]["services"], 2)
        self.assertEqual(state["services"]["/dc1/users"]["state"], "ok")
        self.assertGreater(state["services"]["/dc1/users"]["query"]["index"], 0)
        names = self.ferry.admin_json("/bound-names.json")
        self.assertIn("/#/io.l5d.consul/dc1/users", names)
        self.assertIn("/#/io.l5d.consul/dc1/billing", names)
        m = self.ferry.metrics()
        for key in ("lookups", "dc/opens", "dc/updates", "service/opens", "service/updates"):
            self.assertGreaterEqual(m.get("namer/io.l5d.consul/" + key, 0), 1, key)

    def test_agent_over_tls(self):
        from test_tls import make_pki
        pki = make_pki(self.tmp)
        self.consul.stop()
        self.consul.tls = (pki["web.pem"], pki["web.key"])
        self.consul.start()
        self.consul.set_service("users", [self.instance(self.a)])
        self.start(extra="  tls:\n    commonName: web.test\n    trustCerts: [%s]\n" % pki["ca.pem"])
        self.assertEqual(self.body("users"), (200, "a GET /"))
        self.assertTrue(self.consul.reads("/v1/catalog/service/users"))

    def test_agent_with_a_certificate_for_another_name_is_refused(self):
        from test_tls import make_pki
        pki = make_pki(self.tmp)
        self.consul.stop()
        self.consul.tls = (pki["web.pem"], pki["web.key"])
        self.consul.start()
        self.consul.set_service("users", [self.instance(self.a)])
        self.start(extra="  tls:\n    commonName: consul.test\n    trustCerts: [%s]\n" % pki["ca.pem"])
        status, body, headers = self.get("users")
        self.assertEqual(status, 502, body)
        self.assertIn("TLS to 127.0.0.1", self.l5d_err(headers))
        self.assertIn("certificate", self.l5d_err(headers))


if __name__ == "__main__":
    main()
