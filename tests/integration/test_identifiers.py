"""Identifiers through the real binary: names as Linkerd 1.x docs: identifiers gives them, a list tried in
order, dstPrefix, and weighted unions split per request."""
import collections
import http.client

from harness import fs_config, FerryTestCase, http_request, main

CONFIG = fs_config("""
- protocol: http
  label: mh
  identifier: {kind: io.l5d.methodAndHost, httpUriInDst: true}
  dstPrefix: /http
  dtab: |
    /http/1.1/GET/web.example => /#/io.l5d.fs/a;
    /http/1.0/GET => /#/io.l5d.fs/b;
  servers: [{port: 0}]
- protocol: http
  label: list
  identifier:
  - kind: io.l5d.header
  - kind: io.l5d.static
    path: /fallback
  dtab: |
    /svc => /#/io.l5d.fs;
    /svc/fallback => /#/io.l5d.fs/b;
    /svc/split => 1 * /#/io.l5d.fs/a & 3 * /#/io.l5d.fs/b;
  servers: [{port: 0}]
""")


class IdentifiersTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.a = self.start_backend("a")
        self.b = self.start_backend("b")
        self.write("disco/a", "127.0.0.1 %d\n" % self.a.port)
        self.write("disco/b", "127.0.0.1 %d\n" % self.b.port)
        self.ferry = self.start_ferry(CONFIG, workers=1)

    def test_method_and_host(self):
        # Host is lower-cased; the URI path is part of the name (httpUriInDst), so the dentry
        # prefix matches and the rest becomes the residual.
        status, _, body = http_request(self.ferry.router("mh"), path="/x/y", headers={"Host": "WEB.example"})
        self.assertEqual((status, body), (200, b"a GET /x/y"))
        seen = self.a.requests[-1][2]
        self.assertEqual(seen["l5d-dst-service"], "/http/1.1/GET/web.example/x/y")
        self.assertEqual(seen["l5d-dst-residual"], "/x/y")

    def test_http10_name_has_no_host(self):
        host, port = self.ferry.router("mh").split(":")
        import socket
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(b"GET /old HTTP/1.0\r\n\r\n")
            out = bytearray()
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                out += chunk
        self.assertTrue(out.endswith(b"b GET /old"), out)

    def test_header_identifier_then_static_fallback(self):
        status, _, body = http_request(self.ferry.router("list"), headers={"Host": "x", "l5d-name": "/a"})
        self.assertEqual((status, body), (200, b"a GET /"))
        status, _, body = http_request(self.ferry.router("list"), headers={"Host": "x"})
        self.assertEqual((status, body), (200, b"b GET /"))

    def test_union_splits_requests_by_weight(self):
        host, port = self.ferry.router("list").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        seen = collections.Counter()
        for _ in range(400):
            conn.request("GET", "/", headers={"Host": "x", "l5d-name": "/split"})
            seen[conn.getresponse().read().split()[0]] += 1
        conn.close()
        self.assertEqual(seen[b"a"] + seen[b"b"], 400)
        self.assertTrue(60 <= seen[b"a"] <= 140, seen)  # 1 in 4, with room for chance


if __name__ == "__main__":
    main()
