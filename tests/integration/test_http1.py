"""HTTP/1.x through the http protocol plugin, with raw sockets and http.client: keep-alive,
pipelining, bodies both ways, HEAD/204/304, Expect, HTTP/1.0, hop-by-hop headers, Via loops and
malformed requests."""
import socket
import time

from harness import fs_config, FerryTestCase, http_request, main, raw_exchange, wait_until

CONFIG = fs_config("""
- protocol: http
  label: h1
  dtab: /svc => /#/io.l5d.fs;
  maxRequestKB: 512
  maxResponseKB: 100
  servers:
  - port: 0
    maxCallDepth: 3
    addForwardedHeader:
      by: {kind: router}
      for: {kind: "ip:port"}
    timestampHeader: X-Request-Start
""")


def echo(handler, body):
    """Answers with what it received; special paths exercise status codes."""
    path = handler.path
    if path == "/204":
        handler.send_response(204)
        handler.end_headers()
        return
    if path == "/304":
        handler.send_response(304)
        handler.send_header("ETag", "x")
        handler.end_headers()
        return
    if path == "/chunked":
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for part in (b"one,", b"two,", b"three"):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        handler.wfile.write(b"0\r\n\r\n")
        return
    if path == "/big":
        data = b"z" * 200000
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return
    if path == "/headers":
        data = ("forwarded=%s start=%s" % (handler.headers.get("Forwarded"), handler.headers.get("X-Request-Start"))).encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return
    if path == "/hop":
        data = b"hop"
        handler.send_response(200)
        handler.send_header("Connection", "X-Private")
        handler.send_header("X-Private", "secret")
        handler.send_header("Keep-Alive", "timeout=5")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return
    seen = "%s %s len=%d via=%s conn=%s te=%s upgrade=%s x-private=%s" % (
        handler.command, path, len(body), handler.headers.get("Via"), handler.headers.get("Connection"),
        handler.headers.get("TE"), handler.headers.get("Upgrade"), handler.headers.get("X-Private"))
    data = seen.encode() + b"|" + body
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)


def read_head(sock_file):
    """Reads a status line and header fields: (status line, {lower-cased name: [values]})."""
    status = sock_file.readline()
    headers = {}
    while True:
        line = sock_file.readline()
        if line in (b"\r\n", b""):
            break
        k, v = line.decode().split(":", 1)
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return status.decode(), headers


def read_response(sock_file):
    """Reads one response (status line, headers, Content-Length or chunked body)."""
    status, headers = read_head(sock_file)
    body = bytearray()
    if "content-length" in headers:
        body = sock_file.read(int(headers["content-length"][0]))
    elif headers.get("transfer-encoding") == ["chunked"]:
        while True:
            size = int(sock_file.readline().split(b";")[0], 16)
            if size == 0:
                sock_file.readline()
                break
            body += sock_file.read(size)
            sock_file.readline()
    return status, headers, bytes(body)


class Http1Test(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.backend = self.start_backend("echo", handler=echo)
        self.write("disco/echo", "127.0.0.1 %d\n" % self.backend.port)
        self.ferry = self.start_ferry(CONFIG)
        self.addr = self.ferry.router("h1")

    def connect(self):
        host, port = self.addr.split(":")
        s = socket.create_connection((host, int(port)), timeout=5)
        self._stops.append(s.close)
        return s, s.makefile("rb")

    def test_keep_alive_reuses_the_client_connection(self):
        s, f = self.connect()
        for i in range(3):
            s.sendall(b"GET /k%d HTTP/1.1\r\nHost: echo\r\n\r\n" % i)
            status, headers, body = read_response(f)
            self.assertEqual(status, "HTTP/1.1 200 OK\r\n")
            self.assertTrue(body.startswith(b"GET /k%d" % i), body)
        m = self.ferry.metrics()
        server = "rt/h1/server/%s/connects" % self.addr.replace(":", "/")
        self.assertEqual(m[server], 1)

    def test_many_connections_ready_at_once_keep_their_own_bytes(self):
        # Every connection sends before any is answered, so many are readable in one event-loop
        # turn: each must get the answer to its own request (a shared read buffer once mixed them).
        socks = []
        for i in range(300):
            s, f = self.connect()
            s.sendall(b"GET /conn-%d HTTP/1.1\r\nHost: echo\r\n\r\n" % i)
            socks.append((s, f))
        for i, (s, f) in enumerate(socks):
            status, _, body = read_response(f)
            self.assertEqual(status, "HTTP/1.1 200 OK\r\n")
            self.assertTrue(body.startswith(b"GET /conn-%d " % i), body)

    def test_pipelined_requests_are_answered_in_order(self):
        s, f = self.connect()
        s.sendall(b"".join(b"GET /p%d HTTP/1.1\r\nHost: echo\r\n\r\n" % i for i in range(5)))
        for i in range(5):
            status, _, body = read_response(f)
            self.assertEqual(status, "HTTP/1.1 200 OK\r\n")
            self.assertTrue(body.startswith(b"GET /p%d " % i), body)

    def test_content_length_and_chunked_request_bodies(self):
        status, _, body = http_request(self.addr, "POST", "/cl", {"Host": "echo"}, body=b"x" * 100000)
        self.assertEqual(status, 200)
        self.assertIn(b"len=100000", body)
        s, f = self.connect()
        s.sendall(b"POST /chunked-in HTTP/1.1\r\nHost: echo\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        status, _, body = read_response(f)
        self.assertIn(b"len=11", body)
        self.assertTrue(body.endswith(b"|hello world"))

    def test_chunked_response_is_relayed(self):
        s, f = self.connect()
        s.sendall(b"GET /chunked HTTP/1.1\r\nHost: echo\r\n\r\n")
        status, headers, body = read_response(f)
        self.assertEqual(headers.get("transfer-encoding"), ["chunked"])
        self.assertEqual(body, b"one,two,three")

    def test_head_204_304_have_no_body(self):
        s, f = self.connect()
        s.sendall(b"HEAD /h HTTP/1.1\r\nHost: echo\r\n\r\nGET /204 HTTP/1.1\r\nHost: echo\r\n\r\n"
                  b"GET /304 HTTP/1.1\r\nHost: echo\r\n\r\nGET /after HTTP/1.1\r\nHost: echo\r\n\r\n")
        status, headers, _ = read_response_head_only(f)
        self.assertEqual(status, "HTTP/1.1 200 OK\r\n")
        self.assertIn("content-length", headers)  # HEAD keeps the length of the body it does not send
        status, headers, body = read_response(f)
        self.assertEqual(status, "HTTP/1.1 204 No Content\r\n")
        status, headers, body = read_response_head_only(f)
        self.assertEqual(status, "HTTP/1.1 304 Not Modified\r\n")
        status, _, body = read_response(f)
        self.assertTrue(body.startswith(b"GET /after"), body)

    def test_expect_100_continue(self):
        s, f = self.connect()
        s.sendall(b"POST /e HTTP/1.1\r\nHost: echo\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        self.assertEqual(f.readline(), b"HTTP/1.1 100 Continue\r\n")
        self.assertEqual(f.readline(), b"\r\n")
        s.sendall(b"ping")
        status, _, body = read_response(f)
        self.assertEqual(status, "HTTP/1.1 200 OK\r\n")
        self.assertTrue(body.endswith(b"|ping"))

    def test_http10_closes_after_the_response(self):
        out = raw_exchange(self.addr, b"GET /old HTTP/1.0\r\nHost: echo\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK\r\n"), out)
        self.assertIn(b"connection: close", out.lower())
        self.assertIn(b"GET /old", out)

    def test_connection_close_is_honoured(self):
        out = raw_exchange(self.addr, b"GET /c HTTP/1.1\r\nHost: echo\r\nConnection: close\r\n\r\n")
        self.assertIn(b"connection: close", out.lower())

    def test_hop_by_hop_headers_are_stripped_both_ways(self):
        s, f = self.connect()
        s.sendall(b"GET /h HTTP/1.1\r\nHost: echo\r\nConnection: X-Private, Upgrade\r\nX-Private: 1\r\n"
                  b"TE: trailers\r\nUpgrade: h2c\r\n\r\n")
        _, headers, body = read_response(f)
        self.assertIn(b"conn=None te=None upgrade=None x-private=None", body)
        self.assertIn(b"via=1.1 ferry", body)
        s.sendall(b"GET /hop HTTP/1.1\r\nHost: echo\r\n\r\n")
        _, headers, body = read_response(f)
        self.assertNotIn("x-private", headers)
        self.assertNotIn("keep-alive", headers)
        self.assertEqual(headers["via"], ["1.1 ferry"])

    def test_via_loop_detection(self):
        out = raw_exchange(self.addr, b"GET / HTTP/1.1\r\nHost: echo\r\nVia: 1.1 a, 1.1 b\r\nVia: 1.1 c\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 Bad Request"), out)
        self.assertIn(b"Maximum number of calls (3) has been exceeded. Please check for proxy loops.", out)
        status, _, _ = http_request(self.addr, headers={"Host": "echo", "Via": "1.1 a, 1.1 b"})
        self.assertEqual(status, 200)

    def test_malformed_requests_are_rejected_and_not_forwarded(self):
        cases = [
            (b"GET / HTTP/1.1\r\nHost: echo\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: echo\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
            (b"GET / HTTP/1.1\r\nHost: echo\r\nX: a\r\n folded\r\n\r\n", 400),
            (b"GET / HTTP/1.1\nHost: echo\n\n", 400),
            (b"GET / HTTP/1.1\r\nHost: echo\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            (b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: echo\r\n\r\n", 414),
            (b"GET / HTTP/1.1\r\nHost: echo\r\nX: " + b"b" * 20000 + b"\r\n\r\n", 431),
            (b"GET / HTTP/1.1\r\n\r\n", 400),
        ]
        before = len(self.backend.requests)
        for raw, status in cases:
            out = raw_exchange(self.addr, raw)
            self.assertTrue(out.startswith(b"HTTP/1.1 %d " % status), (raw[:60], out[:120]))
            self.assertIn(b"connection: close", out.lower())
        self.assertEqual(len(self.backend.requests), before, "a malformed request reached the backend")
        # Everyone else is still served.
        self.assertEqual(http_request(self.addr, headers={"Host": "echo"})[0], 200)

    def test_bad_chunk_in_body_closes_the_connection(self):
        out = raw_exchange(self.addr, b"POST /x HTTP/1.1\r\nHost: echo\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 Bad Request"), out)
        self.assertIn(b"bad chunk size", out)
        self.assertEqual(http_request(self.addr, headers={"Host": "echo"})[0], 200)

    def test_forwarded_and_timestamp_headers(self):
        import re
        import time as t
        before = int(t.time() * 1000)
        status, _, body = http_request(self.addr, path="/headers", headers={"Host": "echo"})
        m = re.fullmatch(rb'forwarded=by=h1;for="127\.0\.0\.1:\d+" start=(\d+)', body)
        self.assertIsNotNone(m, body)
        self.assertLessEqual(before, int(m.group(1)))
        self.assertLessEqual(int(m.group(1)), int(t.time() * 1000))

    def test_body_limits(self):
        # Only the head: the 413 comes before any body byte is read.
        out = raw_exchange(self.addr, b"POST /x HTTP/1.1\r\nHost: echo\r\nContent-Length: 614400\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 413 Content Too Large"), out)
        self.assertIn(b"exceeds maxRequestKB (512)", out)
        # With the body already on its way: the connection lingers, so the client reads the
        # 413 instead of a reset.
        status, headers, body = http_request(self.addr, "POST", "/x", {"Host": "echo"}, body=b"y" * 600 * 1024)
        self.assertEqual(status, 413)
        self.assertIn(b"exceeds maxRequestKB (512)", body)
        status, headers, body = http_request(self.addr, path="/big", headers={"Host": "echo"})
        self.assertEqual(status, 502)
        self.assertIn(b"exceeds maxResponseKB (100)", body)

    def test_unidentified_request_is_400(self):
        status, headers, body = http_request(self.addr, headers={"Host": ""})
        self.assertEqual(status, 400)
        self.assertIn("Unknown+destination", headers["l5d-err"])

    def test_bad_l5d_dtab_is_400(self):
        status, headers, body = http_request(self.addr, headers={"Host": "echo", "l5d-dtab": "/svc =>"})
        self.assertEqual(status, 400)
        self.assertIn("invalid+l5d-dtab+header", headers["l5d-err"])

    def test_a_deeply_nested_l5d_dtab_is_400_not_a_crash(self):
        # 6,000 '(' (the head stays under maxHeadersKB): the dtab parser's recursion is bounded.
        status, headers, _ = http_request(self.addr, headers={"Host": "echo", "l5d-dtab": "/svc => " + "(" * 6000})
        self.assertEqual(status, 400)
        self.assertIn("nested+deeper+than+64", headers["l5d-err"])
        self.assertEqual(http_request(self.addr, headers={"Host": "echo"})[0], 200)

    def test_upstream_connection_failure_is_502(self):
        self.write("disco/dead", "127.0.0.1 1\n")
        status, headers, body = wait_until(
            lambda: (lambda r: r if r[0] != 502 or b"No hosts" not in r[2] else None)(
                http_request(self.addr, headers={"Host": "dead"})), what="the dead service to bind")
        self.assertEqual(status, 502)
        self.assertIn("connection+to+127.0.0.1:1+failed", headers["l5d-err"])


def read_response_head_only(sock_file):
    status, headers = read_head(sock_file)
    return status, headers, b""


if __name__ == "__main__":
    main()
