"""The admin server: ping, index, config, delegator, bound names, namer state, metrics, shutdown."""
import json
import os
import urllib.request

from harness import FerryTestCase, http_request, main, wait_until

CONFIG = """
admin:
  ip: 127.0.0.1
  port: 0
namers:
- kind: io.l5d.fs
  rootDir: disco
routers:
- protocol: http
  label: out
  dtab: |
    /svc => /#/io.l5d.fs;
  servers:
  - port: 0
"""


class AdminTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.backend = self.start_backend("web")
        self.write("disco/web", "127.0.0.1 %d\n" % self.backend.port)
        self.write("disco/team/api", "127.0.0.1 %d * 2\n" % self.backend.port)
        self.ferry = self.start_ferry(CONFIG)

    def test_ping(self):
        self.assertEqual(self.ferry.admin_get("/admin/ping"), (200, "pong"))

    def test_index_lists_paths(self):
        status, body = self.ferry.admin_get("/admin")
        self.assertEqual(status, 200)
        for path in ("/admin/ping", "/admin/metrics.json", "/delegator.json", "/config.json", "/bound-names.json"):
            self.assertIn(path, body.splitlines())

    def test_config_json_is_typed(self):
        cfg = self.ferry.admin_json("/config.json")
        self.assertEqual(cfg["routers"][0]["label"], "out")
        self.assertEqual(cfg["admin"]["port"], 0)
        self.assertEqual(cfg["namers"][0]["kind"], "io.l5d.fs")

    def test_delegator_get(self):
        tree = self.ferry.admin_json("/delegator.json?namespace=out&path=/svc/web")
        self.assertEqual(tree["type"], "delegate")
        self.assertIsNone(tree["dentry"])
        leaf = tree["delegate"]
        self.assertEqual(leaf["type"], "leaf")
        self.assertEqual(leaf["dentry"], {"prefix": "/svc", "dst": "/#/io.l5d.fs"})
        self.assertEqual(leaf["bound"]["id"], "/#/io.l5d.fs/web")
        self.assertEqual(leaf["bound"]["addr"]["addrs"], [{"ip": "127.0.0.1", "port": self.backend.port, "meta": {}}])

    def test_delegator_extra_dtab_and_neg(self):
        tree = self.ferry.admin_json("/delegator.json?path=/svc/nope&dtab=" +
                                     urllib.request.quote("/svc/nope => /$/fail"))
        self.assertEqual(tree["delegate"]["type"], "alt")
        kinds = [c["type"] for c in tree["delegate"]["alt"]]
        self.assertEqual(kinds, ["fail", "neg"])

    def test_delegator_post(self):
        body = json.dumps({"namespace": "out", "dtab": "", "path": "/svc/team/api"}).encode()
        req = urllib.request.Request("http://%s/delegator.json" % self.ferry.admin, data=body, method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            tree = json.loads(r.read())
        bound = tree["delegate"]["bound"]
        self.assertEqual(bound["id"], "/#/io.l5d.fs/team/api")
        self.assertEqual(bound["addr"]["addrs"][0]["meta"], {"endpoint_addr_weight": 2.0})

    def test_delegator_errors_are_400(self):
        status, body = self.ferry.admin_get("/delegator.json?path=/svc/web&dtab=" + urllib.request.quote("/svc =>"))
        self.assertEqual(status, 400)
        self.assertIn("invalid dtab", json.loads(body)["error"])
        status, body = self.ferry.admin_get("/delegator.json?path=svc")
        self.assertEqual(status, 400)
        status, _ = self.ferry.admin_get("/delegator.json?namespace=nope&path=/svc/web")
        self.assertEqual(status, 404)

    def test_bound_names_and_namer_state(self):
        self.assertEqual(sorted(self.ferry.admin_json("/bound-names.json")),
                         ["/#/io.l5d.fs/team/api", "/#/io.l5d.fs/web"])
        http_request(self.ferry.router("out"), headers={"Host": "web"})
        state = self.ferry.admin_json("/namer_state/io.l5d.fs.json")
        self.assertEqual(state["rootDir"], "disco")
        self.assertEqual(state["files"]["web"]["addresses"][0]["port"], self.backend.port)
        status, _ = self.ferry.admin_get("/namer_state/io.l5d.nope.json")
        self.assertEqual(status, 404)

    def test_metrics(self):
        status, _, _ = http_request(self.ferry.router("out"), headers={"Host": "web"})
        self.assertEqual(status, 200)
        addr = self.ferry.router("out").replace(":", "/")
        m = wait_until(lambda: (lambda m: m if m.get("rt/out/server/%s/requests" % addr) == 1 and
                                m.get("rt/out/server/%s/success" % addr) == 1 else None)(self.ferry.metrics()),
                       what="server request counters")
        self.assertEqual(m["rt/out/service/svc/web/requests"], 1)
        self.assertEqual(m["rt/out/client/#/io.l5d.fs/web/status/200"], 1)
        self.assertEqual(m["rt/out/client/#/io.l5d.fs/web/request_latency_ms.count"], 1)
        self.assertGreater(m["process/rss_bytes"], 0)
        self.assertIn("rt/out/server/%s/request_latency_ms.p99" % addr, m)
        tree = self.ferry.admin_json("/admin/metrics.json?tree=1&q=rt/out/service")
        self.assertEqual(tree["rt"]["out"]["service"]["svc"]["web"]["requests"]["counter"], 1)
        status, body = self.ferry.admin_get("/admin/metrics.json?q=rt/nope")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body), {"error": "No such subtree: rt/nope"})

    def test_client_state(self):
        http_request(self.ferry.router("out"), headers={"Host": "web"})
        state = self.ferry.admin_json("/client_state.json")
        self.assertEqual(state["/#/io.l5d.fs/web"], {"state": "bound", "addresses": ["127.0.0.1:%d" % self.backend.port]})

    def test_shutdown_requires_post_and_exits_cleanly(self):
        status, _ = self.ferry.admin_get("/admin/shutdown")
        self.assertEqual(status, 405)
        req = urllib.request.Request("http://%s/admin/shutdown" % self.ferry.admin, data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            self.assertEqual(r.status, 200)
        self.assertEqual(self.ferry.proc.wait(timeout=15), 0)
        self.assertIn("shutting down (POST /admin/shutdown)", self.ferry.output())


if __name__ == "__main__":
    main()
