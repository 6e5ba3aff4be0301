"""config-examples/quickstart.yaml with its demo backends, through the real curl: what
`make run` shows a new user."""
import os
import re
import shutil
import subprocess
import sys

from harness import SOURCE_DIR, FerryTestCase, curl, free_port, main, wait_until


class QuickstartTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        # The example with its own ports replaced by free ones, so the test never collides.
        with open(os.path.join(SOURCE_DIR, "config-examples/quickstart.yaml")) as f:
            config = f.read()
        self.ports = {name: free_port() for name in ("hello", "world")}
        shutil.copytree(os.path.join(SOURCE_DIR, "config-examples/disco"), os.path.join(self.tmp, "config-examples/disco"))
        for name, port in self.ports.items():
            path = os.path.join(self.tmp, "config-examples/disco", name)
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(re.sub(r"127\.0\.0\.1 \d+", "127.0.0.1 %d" % port, text))
            p = subprocess.Popen([sys.executable, os.path.join(SOURCE_DIR, "scripts/demo_backend.py"), name, str(port)])
            self._stops.append(lambda p=p: (p.kill(), p.wait()))
        config = config.replace("port: 9990", "port: 0").replace("port: 4140", "port: 0")
        self.ferry = self.start_ferry(config)
        self.url = "http://%s" % self.ferry.router("quickstart")
        for port in self.ports.values():
            wait_until(lambda: curl("http://127.0.0.1:%d/" % port)[0] == 0, what="demo backend on %d" % port)

    def test_routes_by_host(self):
        code, out, err = curl("-H", "Host: hello", self.url + "/greeting")
        self.assertEqual(code, 0, err)
        self.assertIn("Hello from hello on port %d: GET /greeting" % self.ports["hello"], out)
        self.assertIn("l5d-dst-service: /svc/hello", out)
        self.assertIn("l5d-dst-client: /#/io.l5d.fs/hello", out)
        code, out, _ = curl("-H", "Host: world", self.url + "/")
        self.assertIn("Hello from world", out)

    def test_per_request_dtab_override(self):
        code, out, _ = curl("-H", "Host: hello", "-H", "l5d-dtab: /svc/hello => /svc/world", self.url + "/")
        self.assertIn("Hello from world", out)
        self.assertIn("l5d-ctx-dtab: /svc/hello=>/svc/world", out)

    def test_unknown_service_is_502_with_l5d_err(self):
        code, out, _ = curl("-i", "-H", "Host: nowhere", self.url + "/")
        self.assertRegex(out, r"^HTTP/1.1 502 Bad Gateway")
        self.assertIn("l5d-err: No+hosts+are+available+for+/svc/nowhere", out)

    def test_proxy_form_request(self):
        # curl through Ferry as an HTTP proxy, as Linkerd documents for http_proxy.
        code, out, err = curl("-x", self.url, "http://hello/proxied?x=1")
        self.assertEqual(code, 0, err)
        self.assertIn("Hello from hello on port %d: GET /proxied?x=1" % self.ports["hello"], out)


if __name__ == "__main__":
    main()
