"""io.l5d.k8s.daemonset and io.l5d.k8s.localnode with the local Kubernetes API (k8s_peer.py):
the linker-to-linker DaemonSet topology with two real Ferry processes (an outgoing router that
sends each pod's traffic to the Ferry on that pod's node, an incoming one that delivers only to
pods on its own node); /24 subnets and hostNetwork node names; the daemonset's pods changing
without a request; bindings held until the daemonset is first known."""
import os
import urllib.parse

from harness import FerryTestCase, http_request, main, wait_until
from k8s_peer import KubernetesApi, endpoints


class K8sTransformersTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.api = KubernetesApi()
        self._stops.append(lambda: self.api.stop())

    @staticmethod
    def port_of(ferry):
        return int(ferry.router("incoming").rsplit(":", 1)[1])

    def outgoing(self, daemonset_api_port, host_network=True):
        return self.start_ferry(workdir="outgoing", config="""
admin: {port: 0}
namers:
- kind: io.l5d.k8s
  prefix: /io.l5d.k8s.http
  host: 127.0.0.1
  port: %d
  transformers:
  - kind: io.l5d.k8s.daemonset
    namespace: linkerd
    service: l5d
    port: incoming
    k8sHost: 127.0.0.1
    k8sPort: %d
    hostNetwork: %s
routers:
- protocol: http
  label: outgoing
  dtab: /svc => /#/io.l5d.k8s.http/default/http;
  bindingTimeoutMs: 20000
  servers:
  - port: 0
""" % (self.api.port, daemonset_api_port, "true" if host_network else "false"))

    def incoming(self, node, workdir="incoming"):
        config = """
admin: {port: 0}
namers:
- kind: io.l5d.k8s
  host: 127.0.0.1
  port: %d
routers:
- protocol: http
  label: incoming
  dtab: /svc => /#/io.l5d.k8s/default/http;
  interpreter:
    kind: default
    transformers:
    - kind: io.l5d.k8s.localnode
      hostNetwork: true
  servers:
  - port: 0
""" % self.api.port
        return self.start_ferry(config, workdir=workdir, env=dict(os.environ, NODE_NAME=node))

    def test_linker_to_linker_through_the_daemonset(self):
        a = self.start_backend("a")
        b = self.start_backend("b")
        incoming = self.incoming("node-a")
        in_port = self.port_of(incoming)
        # users has a pod on node-a (backend a) and one on node-b (backend b). Only node-a runs
        # a daemonset pod here (the incoming Ferry): node-b's pod has no Ferry, so it is dropped.
        self.api.set_endpoints("default", endpoints("users", [("127.0.0.1", "node-a")], ports=[("http", a.port)]))
        self.api.set_endpoints("linkerd", endpoints("l5d", [("127.0.0.1", "node-a")], ports=[("incoming", in_port)]))
        outgoing = self.outgoing(self.api.port)
        router = outgoing.router("outgoing")
        status, headers, body = http_request(router, headers={"Host": "users"})
        self.assertEqual((status, body), (200, b"a GET /"))
        # It went through the incoming Ferry: the request reached a with l5d headers of both hops.
        seen = a.requests[-1][2]
        self.assertEqual(seen.get("l5d-dst-client"), "/%/io.l5d.k8s.localnode/node-a/#/io.l5d.k8s/default/http/users")
        clients = outgoing.admin_json("/client_state.json")
        self.assertIn("/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d/#/io.l5d.k8s.http/default/http/users", clients)
        self.assertEqual(clients["/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d/#/io.l5d.k8s.http/default/http/users"]
                         ["addresses"], ["127.0.0.1:%d" % in_port])
        # The daemonset pod moves (a new port): the outgoing binding follows, with no request.
        other = self.incoming("node-a", workdir="incoming-2")
        other_port = self.port_of(other)
        self.api.set_endpoints("linkerd", endpoints("l5d", [("127.0.0.1", "node-a")], ports=[("incoming", other_port)]))
        wait_until(lambda: outgoing.admin_json("/client_state.json").get(
            "/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d/#/io.l5d.k8s.http/default/http/users", {}).get("addresses")
            == ["127.0.0.1:%d" % other_port], what="the binding to follow the daemonset")
        self.assertEqual(http_request(router, headers={"Host": "users"})[2], b"a GET /")
        # No daemonset pod on the pods' node: Neg, the request fails with no hosts.
        self.api.set_endpoints("linkerd", endpoints("l5d", [("127.0.0.1", "node-z")], ports=[("incoming", in_port)]))
        wait_until(lambda: http_request(router, headers={"Host": "users"})[0] == 502, what="no gateway")

    def test_subnets_pick_the_daemonset_pod_of_each_node(self):
        self.api.set_endpoints("default", endpoints("users", [("10.1.1.5", "n1"), ("10.1.2.5", "n2"), ("10.1.3.5", "n3")],
                                                    ports=[("http", 8080)]))
        self.api.set_endpoints("linkerd", endpoints("l5d", [("10.1.1.9", "n1"), ("10.1.2.9", "n2")],
                                                    ports=[("incoming", 4141)]))
        outgoing = self.outgoing(self.api.port, host_network=False)
        tree = wait_until(lambda: (lambda t: t if t["type"] == "delegate" and t["delegate"]["type"] == "leaf" else None)(
            outgoing.admin_json("/delegator.json?path=/svc/users&namespace=outgoing")), what="a leaf")
        leaf = tree["delegate"]
        self.assertEqual(leaf["bound"]["id"], "/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d/#/io.l5d.k8s.http/default/http/users")
        self.assertEqual(sorted((x["ip"], x["port"]) for x in leaf["bound"]["addr"]["addrs"]),
                         [("10.1.1.9", 4141), ("10.1.2.9", 4141)])

    def test_bindings_wait_for_the_daemonset_then_route(self):
        a = self.start_backend("a")
        incoming = self.incoming("node-a")
        in_port = self.port_of(incoming)
        daemonset_api = KubernetesApi()
        self._stops.append(lambda: daemonset_api.stop())
        daemonset_api.set_endpoints("linkerd", endpoints("l5d", [("127.0.0.1", "node-a")], ports=[("incoming", in_port)]))
        daemonset_api.set_fault("hang")
        self.api.set_endpoints("default", endpoints("users", [("127.0.0.1", "node-a")], ports=[("http", a.port)]))
        outgoing = self.outgoing(daemonset_api.port)
        router = outgoing.router("outgoing")
        import threading
        result = {}
        t = threading.Thread(target=lambda: result.update(r=http_request(router, headers={"Host": "users"}, timeout=30)))
        t.start()
        wait_until(lambda: daemonset_api.reads("/api/v1/namespaces/linkerd/endpoints"), what="the daemonset asked for")
        self.assertTrue(t.is_alive(), "the request waits while the daemonset is unknown")
        daemonset_api.set_fault(None)
        t.join(30)
        self.assertEqual(result["r"][0], 200)
        self.assertEqual(result["r"][2], b"a GET /")
        fields = {r[1].get("fieldSelector") for r in daemonset_api.reads("/api/v1/namespaces/linkerd/endpoints")}
        self.assertEqual(fields, {"metadata.name=l5d"})

    def test_localnode_needs_its_variable(self):
        from harness import run_ferry
        config = self.write("linkerd.yaml", """
admin: {port: 0}
routers:
- protocol: http
  dtab: /svc => /$/inet/127.0.0.1/1;
  interpreter:
    kind: default
    transformers:
    - kind: io.l5d.k8s.localnode
  servers:
  - port: 0
""")
        env = {k: v for k, v in os.environ.items() if k != "POD_IP"}
        p = run_ferry(config, env=env)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("io.l5d.k8s.localnode needs the environment variable POD_IP (from the downward API: status.podIP)",
                      p.stderr)


if __name__ == "__main__":
    main()
