"""io.l5d.k8s, io.l5d.k8s.ns and io.l5d.k8s.external against a local Kubernetes API server
(k8s_peer.py): endpoints appearing, scaling, moving and disappearing reach routing with no
request; named and numbered ports; not-ready addresses left out; label selectors; the watch
ended by the server, expired (410 Gone, in an event or as a status) and relisted; the API down,
restarted, hung or answering garbage: the last state kept, the reason in l5d-err for a
namespace never listed."""
import os
import urllib.parse

from harness import FerryTestCase, http_request, main, wait_until
from k8s_peer import KubernetesApi, endpoints, service

ROUTERS = """
routers:
- protocol: http
  label: k8s
  dtab: |
    /svc => /#/io.l5d.k8s/default/http;
  bindingTimeoutMs: 20000
  servers:
  - port: 0
"""


class K8sNamerTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.api = KubernetesApi()
        self._stops.append(lambda: self.api.stop())
        self.a = self.start_backend("a")
        self.b = self.start_backend("b")

    def start(self, namers=None, env=None):
        namers = namers or "- kind: io.l5d.k8s\n  host: 127.0.0.1\n  port: %d\n" % self.api.port
        self.ferry = self.start_ferry("admin: {port: 0}\nnamers:\n" + namers + ROUTERS, env=env)
        self.router = self.ferry.router("k8s")
        return self.ferry

    def ready(self, *backends, ip="127.0.0.1"):
        return [(ip, "node-%s" % b.name) for b in backends]

    def get(self, host, dtab=None):
        headers = {"Host": host}
        if dtab:
            headers["l5d-dtab"] = dtab
        status, headers, body = http_request(self.router, headers=headers)
        return status, body.decode(), urllib.parse.unquote_plus(headers.get("l5d-err", ""))

    def body(self, host, dtab=None):
        return self.get(host, dtab)[:2]

    def addresses(self, client):
        return self.ferry.admin_json("/client_state.json").get(client, {}).get("addresses")

    def test_routes_and_follows_scaling_moves_and_removal(self):
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        self.start()
        self.assertEqual(self.body("users"), (200, "a GET /"))
        # Another pod (another IP on loopback, same port): both get traffic.
        self.api.set_endpoints("default", endpoints("users", [("127.0.0.1", "n1"), ("127.0.0.2", "n2")],
                                                    ports=[("http", self.a.port)]))
        wait_until(lambda: sorted(self.addresses("/#/io.l5d.k8s/default/http/users") or []) ==
                   ["127.0.0.1:%d" % self.a.port, "127.0.0.2:%d" % self.a.port], what="two pods")
        # Moved to b's port; not-ready pods do not count.
        self.api.set_endpoints("default", endpoints("users", [("127.0.0.1", "n1")], not_ready=[("127.0.0.3", "n3")],
                                                    ports=[("http", self.b.port)]))
        wait_until(lambda: self.addresses("/#/io.l5d.k8s/default/http/users") == ["127.0.0.1:%d" % self.b.port],
                   what="the move to b")
        self.assertEqual({self.body("users")[1] for _ in range(10)}, {"b GET /"})
        # No ready pod: Neg. Deleted: Neg. Created again: routes.
        self.api.set_endpoints("default", endpoints("users", not_ready=[("127.0.0.1", "n1")],
                                                    ports=[("http", self.b.port)]))
        wait_until(lambda: self.get("users")[0] == 502, what="a 502 with no ready pod")
        self.api.delete_endpoints("default", "users")
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        wait_until(lambda: self.body("users") == (200, "a GET /"), what="the service to come back")

    def test_fallback_flips_live_without_requests(self):
        self.api.set_endpoints("default", endpoints("web", self.ready(self.a), ports=[("http", self.a.port)]))
        self.api.set_endpoints("default", endpoints("web-backup", self.ready(self.b), ports=[("http", self.b.port)]))
        self.start()
        dtab = "/svc/web=>/#/io.l5d.k8s/default/http/web | /#/io.l5d.k8s/default/http/web-backup"
        self.assertEqual(self.body("web", dtab), (200, "a GET /"))
        self.api.delete_endpoints("default", "web")
        wait_until(lambda: "/#/io.l5d.k8s/default/http/web-backup" in self.ferry.admin_json("/client_state.json"),
                   what="the binding to flip to the backup")
        self.assertEqual(self.body("web", dtab), (200, "b GET /"))

    def test_ports_by_name_and_by_service_number(self):
        self.api.set_endpoints("prod", endpoints("api", self.ready(self.a), ports=[("admin", self.b.port),
                                                                                   ("web", self.a.port)]))
        self.api.set_service("prod", service("api", ports=[("web", 8080, "web"), ("admin", 9990, self.b.port),
                                                           (None, self.a.port, None)]))
        self.start()
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s/prod/web/api"), (200, "a GET /"))
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s/prod/ADMIN/API"), (200, "b GET /"))
        # A number is the Service's port: 8080 -> targetPort "web"; 9990 -> targetPort b's port;
        # a port without targetPort is the same number on the pods.
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s/prod/8080/api"), (200, "a GET /"))
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s/prod/9990/api"), (200, "b GET /"))
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s/prod/%d/api" % self.a.port), (200, "a GET /"))
        # Unknown port name or number: Neg, so the next dtab branch is taken.
        fallback = "/svc/x=>/#/io.l5d.k8s/prod/grpc/api | /#/io.l5d.k8s/prod/7777/api | /#/io.l5d.k8s/prod/admin/api"
        self.assertEqual(self.body("x", fallback), (200, "b GET /"))
        self.assertTrue(self.api.reads("/api/v1/namespaces/prod/services"), "services read for numbered ports")

    def test_label_selector_names_a_label_value(self):
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)],
                                                    labels={"version": "v1"}))
        namers = ("- kind: io.l5d.k8s\n  host: 127.0.0.1\n  port: %d\n  labelSelector: version\n" % self.api.port)
        self.start(namers)
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s/default/http/users/v1"), (200, "a GET /"))
        self.assertEqual(self.get("x", "/svc/x=>/#/io.l5d.k8s/default/http/users/v2")[0], 502)
        selectors = {r[1].get("labelSelector") for r in self.api.reads("/api/v1/namespaces/default/endpoints")}
        self.assertEqual(selectors, {"version=v1", "version=v2"})

    def test_namespace_from_the_environment(self):
        self.api.set_endpoints("team", endpoints("users", self.ready(self.b), ports=[("http", self.b.port)]))
        namers = "- kind: io.l5d.k8s.ns\n  host: 127.0.0.1\n  port: %d\n" % self.api.port
        env = dict(os.environ, POD_NAMESPACE="team")
        self.start(namers, env=env)
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s.ns/http/users"), (200, "b GET /"))

    def test_namespace_variable_missing_is_a_startup_error(self):
        namers = "- kind: io.l5d.k8s.ns\n  host: 127.0.0.1\n  port: %d\n  envVar: FERRY_TEST_NO_SUCH_VAR\n" % self.api.port
        config = self.write("linkerd.yaml", "admin: {port: 0}\nnamers:\n" + namers + ROUTERS)
        from harness import run_ferry
        p = run_ferry(config)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("environment variable FERRY_TEST_NO_SUCH_VAR, which is not set", p.stderr)

    def test_external_is_the_load_balancer_ingress(self):
        self.api.set_service("default", service("edge", ports=[("http", self.a.port, 8080)], ingress=["127.0.0.1"]))
        namers = ("- kind: io.l5d.k8s.external\n  experimental: true\n  host: 127.0.0.1\n  port: %d\n" % self.api.port)
        self.start(namers)
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s.external/default/http/edge"), (200, "a GET /"))
        self.assertEqual(self.body("x", "/svc/x=>/#/io.l5d.k8s.external/default/%d/edge" % self.a.port),
                         (200, "a GET /"))

    def expired(self):
        state = self.ferry.admin_json("/namer_state/io.l5d.k8s.json")
        return state["namespaces"]["default"]["endpointsWatch"]["expired"]

    def test_watch_ends_expires_and_relists(self):
        self.api.watch_timeout = 1.2  # the server ends every watch after 1.2 s (bookmarks every 0.5 s)
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        self.start()
        self.assertEqual(self.body("users"), (200, "a GET /"))
        wait_until(lambda: len(self.api.reads("/api/v1/namespaces/default/endpoints", watch=True)) >= 3,
                   what="watches started again after the server ended them")
        lists = len(self.api.reads("/api/v1/namespaces/default/endpoints", watch=False))
        self.assertEqual(lists, 1, "a watch the server ended resumes from its version, without a list")
        # History compacted: the next watch is answered 410 in an ERROR event and Ferry lists again.
        self.api.watch_timeout = None
        self.api.compact()
        self.api.set_endpoints("default", endpoints("users", self.ready(self.b), ports=[("http", self.b.port)]))
        wait_until(lambda: self.body("users") == (200, "b GET /"), what="the change after a relist")
        # 410 as an HTTP status on the watch: listed again too.
        self.api.set_fault("gone")
        before = len(self.api.reads("/api/v1/namespaces/default/endpoints", watch=False))
        self.api.watch_timeout = 0.2
        # The watch cut short at 0.2 s may first be taken for a broken one (backed off, listed
        # again without a 410); the next watch then meets the 410. Wait for that relist itself.
        wait_until(lambda: self.expired() >= 2, what="a relist after HTTP 410")
        self.assertGreater(len(self.api.reads("/api/v1/namespaces/default/endpoints", watch=False)), before)
        self.api.set_fault(None)
        self.api.watch_timeout = None
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        wait_until(lambda: self.body("users") == (200, "a GET /"), what="watching again")
        self.assertGreaterEqual(self.ferry.metrics().get("namer/io.l5d.k8s/watch_restarts", 0), 1)
        state = self.ferry.admin_json("/namer_state/io.l5d.k8s.json")
        self.assertGreaterEqual(state["namespaces"]["default"]["endpointsWatch"]["expired"], 2)

    def test_api_down_at_start_fails_with_the_reason_then_recovers(self):
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        self.api.stop()
        self.start()
        status, body, err = self.get("users")
        self.assertEqual(status, 502, body)
        self.assertIn("k8s endpoints of namespace 'default' at 127.0.0.1:%d: cannot connect" % self.api.port, err)
        self.api.start()
        wait_until(lambda: self.body("users") == (200, "a GET /"), what="routing once the API is up")

    def test_errors_and_garbage_keep_the_last_state(self):
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        self.start()
        self.assertEqual(self.body("users"), (200, "a GET /"))
        for fault in ("500", "garbage"):
            errors = self.ferry.metrics().get("namer/io.l5d.k8s/errors", 0)
            self.api.set_fault(fault)
            self.api.watch_timeout = 0.2  # make the current watch end, so the fault is met
            wait_until(lambda: self.ferry.metrics().get("namer/io.l5d.k8s/errors", 0) > errors,
                       what="errors counted under %s" % fault)
            self.assertEqual(self.body("users"), (200, "a GET /"), "the last state under " + fault)
            self.api.watch_timeout = None
            self.api.set_fault(None)
            self.api.set_endpoints("default", endpoints("users", self.ready(self.b), ports=[("http", self.b.port)]))
            wait_until(lambda: self.body("users") == (200, "b GET /"), what="the change once %s stops" % fault)
            self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
            wait_until(lambda: self.body("users") == (200, "a GET /"), what="recovered after %s" % fault)

    def test_restart_of_the_api(self):
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        self.start()
        self.assertEqual(self.body("users"), (200, "a GET /"))
        self.api.stop()
        self.assertEqual(self.body("users"), (200, "a GET /"), "the last state while the API is down")
        self.api.start()
        self.api.set_endpoints("default", endpoints("users", self.ready(self.b), ports=[("http", self.b.port)]))
        wait_until(lambda: self.body("users") == (200, "b GET /"), what="the change after the restart")

    def test_state_metrics_and_bound_names(self):
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port),
                                                                                       ("admin", 9990)]))
        self.api.set_endpoints("default", endpoints("billing", self.ready(self.b), ports=[("http", self.b.port)]))
        self.start()
        self.assertEqual(self.body("users")[0], 200)
        names = self.ferry.admin_json("/bound-names.json")
        for n in ("/#/io.l5d.k8s/default/http/users", "/#/io.l5d.k8s/default/admin/users",
                  "/#/io.l5d.k8s/default/http/billing"):
            self.assertIn(n, names)
        tree = wait_until(lambda: (lambda t: t if t["type"] == "leaf" else None)(
            self.ferry.admin_json("/delegator.json?path=/%23/io.l5d.k8s/default/http/users/extra")), what="a leaf")
        self.assertEqual(tree["bound"]["addr"]["addrs"][0]["meta"]["nodeName"], "node-a")
        self.assertEqual(tree["bound"]["path"], "/extra")
        state = self.ferry.admin_json("/namer_state/io.l5d.k8s.json")
        self.assertEqual(state["namespaces"]["default"]["endpointsWatch"]["lists"], 1)
        self.assertEqual(sorted(state["namespaces"]["default"]["endpoints"]["users"]),
                         ["127.0.0.1:%d (http)" % self.a.port, "127.0.0.1:9990 (admin)"])
        self.api.set_endpoints("default", endpoints("billing", self.ready(self.a), ports=[("http", self.a.port)]))
        wait_until(lambda: self.ferry.metrics().get("namer/io.l5d.k8s/events", 0) >= 1, what="an event counted")
        self.assertGreaterEqual(self.ferry.metrics().get("namer/io.l5d.k8s/lookups", 0), 1)

    def test_api_server_directly_in_cluster(self):
        from test_tls import make_pki
        pki = make_pki(self.tmp, "kubernetes.default.svc")
        account = os.path.join(self.tmp, "serviceaccount")
        os.makedirs(account)
        os.rename(pki["ca.pem"], os.path.join(account, "ca.crt"))
        token = self.write("serviceaccount/token", "t0ken-1\n")
        self.api.stop()
        self.api.tls = (pki["web.pem"], pki["web.key"])
        self.api.token = "t0ken-1"
        self.api.start()
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        namers = "- kind: io.l5d.k8s\n  inCluster: true\n  serviceAccountDir: %s\n" % account
        env = dict(os.environ, KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=str(self.api.port))
        self.start(namers, env=env)
        self.assertEqual(self.body("users"), (200, "a GET /"))
        # The token rotates: the next list or watch sends the new one.
        self.api.token = "t0ken-2"
        with open(token, "w") as f:
            f.write("t0ken-2\n")
        self.api.watch_timeout = 0.2  # end the current watch, so the next call carries the token
        self.api.set_endpoints("default", endpoints("users", self.ready(self.b), ports=[("http", self.b.port)]))
        wait_until(lambda: self.body("users") == (200, "b GET /"), what="routing with the rotated token")

    def test_api_server_with_a_wrong_token_says_so(self):
        self.api.token = "right"
        self.api.set_endpoints("default", endpoints("users", self.ready(self.a), ports=[("http", self.a.port)]))
        self.write("token", "wrong")
        namers = ("- kind: io.l5d.k8s\n  host: 127.0.0.1\n  port: %d\n  authTokenFile: %s\n"
                  % (self.api.port, os.path.join(self.tmp, "token")))
        self.start(namers)
        status, body, err = self.get("users")
        self.assertEqual(status, 502, body)
        self.assertIn("HTTP 401", err)


if __name__ == "__main__":
    main()
