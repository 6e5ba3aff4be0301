"""The deployment examples of config-examples/ with real traffic: per host, the two sidecar
layouts and linker-to-linker (two routers, io.l5d.port and io.l5d.localhost)."""
import os
import re
import shutil

from harness import SOURCE_DIR, FerryTestCase, free_port, http_request, main


class DeploymentsTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.hello = self.start_backend("hello")
        self.world = self.start_backend("world")
        shutil.copytree(os.path.join(SOURCE_DIR, "config-examples/disco"), os.path.join(self.tmp, "config-examples/disco"))
        self.ports = {}
        for name, backend in (("hello", self.hello), ("world", self.world)):
            path = os.path.join(self.tmp, "config-examples/disco", name)
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(re.sub(r"127\.0\.0\.1 \d+", "127.0.0.1 %d" % backend.port, text))

    def start_example(self, name):
        """The example with every port mapped to a free one (the same number to the same port),
        and the demo addresses to the test's backends."""
        with open(os.path.join(SOURCE_DIR, "config-examples", name)) as f:
            text = f.read()
        text = text.replace("/127.0.0.1/8081", "/127.0.0.1/%d" % self.hello.port)

        def remap(m):
            port = int(m.group(2))
            self.ports.setdefault(port, free_port())
            return m.group(1) + str(self.ports[port])
        text = re.sub(r"(port: )(\d+)", remap, text)
        return self.start_ferry(text)

    def get(self, ferry, router, **kw):
        return http_request(ferry.router(router), **kw)

    def test_per_host(self):
        f = self.start_example("per-host.yaml")
        status, _, body = self.get(f, "outgoing", headers={"Host": "hello"}, path="/x")
        self.assertEqual((status, body), (200, b"hello GET /x"))
        self.assertEqual(self.get(f, "outgoing", headers={"Host": "world"})[2], b"world GET /")

    def test_sidecar_service_to_linker(self):
        f = self.start_example("sidecar-service-to-linker.yaml")
        status, _, body = self.get(f, "outgoing", path="/hello/greeting?x=1")
        self.assertEqual((status, body), (200, b"hello GET /greeting?x=1"))
        self.assertEqual(self.get(f, "outgoing", path="/")[0], 400)  # no segment to name

    def test_sidecar_linker_to_service(self):
        f = self.start_example("sidecar-linker-to-service.yaml")
        status, headers, body = self.get(f, "incoming", path="/anything", headers={"Host": "x", "l5d-dtab": "/svc => /$/fail"})
        self.assertEqual((status, body), (200, b"hello GET /anything"))
        seen = self.hello.requests[-1][2]
        self.assertNotIn("l5d-dtab", {k.lower() for k in seen}, "clearContext must drop l5d-* from callers")
        m = f.metrics()
        self.assertEqual(m["rt/incoming/service/svc/hello/requests"], 1)
        self.assertEqual(m["rt/incoming/service/svc/hello/request_latency_ms.count"], 1)

    def test_linker_to_linker(self):
        f = self.start_example("linker-to-linker.yaml")
        status, _, body = self.get(f, "outgoing", headers={"Host": "hello"}, path="/two-hops")
        self.assertEqual((status, body), (200, b"hello GET /two-hops"))
        seen = self.hello.requests[-1][2]
        self.assertEqual(seen.get("via"), "1.1 ferry, 1.1 ferry")  # it crossed both routers
        m = f.metrics()
        incoming_port = self.ports[4141]
        self.assertEqual(m["rt/outgoing/client/%%/io.l5d.port/%d/#/io.l5d.fs/hello/requests" % incoming_port], 1)
        self.assertEqual(m["rt/incoming/client/%/io.l5d.localhost/#/io.l5d.fs/hello/requests"], 1)
        tree = f.admin_json("/client_state.json")
        self.assertEqual(tree["/%%/io.l5d.port/%d/#/io.l5d.fs/hello" % incoming_port]["addresses"],
                         ["127.0.0.1:%d" % incoming_port])


if __name__ == "__main__":
    main()
