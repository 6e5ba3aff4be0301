"""Limits against slow and abusive clients, against the real binary with raw sockets: a request
head sent slowly (slowloris) is cut off after headerReadTimeoutMs with a 408; a connection that
says nothing, or stays idle past serverSession.idleTimeMs, is closed; maxConnections caps the
connections open at once; accept under descriptor exhaustion (EMFILE) backs off instead of
spinning and recovers. Memory and CPU stay bounded while it happens."""
import os
import resource
import socket
import threading
import time

from harness import (FerryTestCase, SANITIZER, closed_by_peer, cpu_seconds, fs_config, gated, http_request, main,
                     rss_kb, wait_until)
from h2_peers import H2Client

HTTP = """
- protocol: http
  label: guarded
  dtab: /svc => /#/io.l5d.fs;
  servers:
  - port: 0
    headerReadTimeoutMs: 500
    serverSession: {idleTimeMs: 700}
- protocol: http
  label: capped
  dtab: /svc => /#/io.l5d.fs;
  servers:
  - port: 0
    maxConnections: 2
- protocol: h2
  label: h2
  dtab: /svc => /#/io.l5d.fs;
  servers:
  - port: 0
    headerReadTimeoutMs: 500
    serverSession: {idleTimeMs: 700}
"""


def read_until(sock, ending):
    """Reads `sock` until what arrived ends with `ending` or the peer closes (30 s at most)."""
    sock.settimeout(30)
    got = b""
    while not got.endswith(ending):
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def connect(addr):
    host, port = addr.split(":")
    return socket.create_connection((host, int(port)), timeout=30)


class LimitsTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.backend = self.start_backend("web")
        self.write("disco/web", "127.0.0.1 %d\n" % self.backend.port)
        self.ferry = self.start_ferry(fs_config(HTTP))

    def ok(self, label):
        """Whether a fresh connection to router `label` is served (False when it is refused)."""
        try:
            status, _, body = http_request(self.ferry.router(label), headers={"Host": "web"})
        except ConnectionResetError:
            return False
        return status == 200 and body == b"web GET /"

    def test_a_head_sent_slowly_is_cut_off_with_408(self):
        s = connect(self.ferry.router("guarded"))
        started = time.monotonic()
        head = b"GET / HTTP/1.1\r\nHost: web\r\nX-Slow: "
        sent = 0
        try:
            # A byte every 50 ms: the head is never whole. Bounded: 200 bytes (10 s) at most.
            while sent < 200:
                s.sendall(head[sent:sent + 1] if sent < len(head) else b"a")
                sent += 1
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = closed_by_peer(s)
        elapsed = time.monotonic() - started
        self.assertTrue(answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer)
        self.assertIn(b"l5d-err: request+head+not+received+within+headerReadTimeoutMs+%28500+ms%29",
                      answer)
        self.assertLess(elapsed, 10, "cut off by the timeout, not by the end of the loop")
        self.assertTrue(self.ok("guarded"), "the server keeps serving everyone else")

    def test_a_connection_that_says_nothing_is_closed(self):
        s = connect(self.ferry.router("guarded"))
        answer = closed_by_peer(s)
        self.assertTrue(answer.startswith(b"HTTP/1.1 408 "), answer)

    def test_an_idle_keep_alive_connection_is_closed_but_a_slow_request_is_not(self):
        gate = threading.Event()
        slow = self.start_backend("slow", handler=gated(gate))
        self._stops.append(gate.set)
        self.write("disco/slow", "127.0.0.1 %d\n" % slow.port)
        s = connect(self.ferry.router("guarded"))
        # In flight for longer than idleTimeMs: a request is not idleness.
        s.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\n\r\n")
        wait_until(lambda: slow.requests, what="the request to reach the slow backend")
        time.sleep(1.2)  # longer than idleTimeMs (700 ms): the limit must not cut a request short
        gate.set()
        answer = read_until(s, b"late")
        self.assertTrue(answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"late"), answer)
        # Then idle: closed without a word, about idleTimeMs later.
        answer = closed_by_peer(s)
        self.assertEqual(answer, b"")

    def test_max_connections_closes_the_extra_one_and_recovers(self):
        addr = self.ferry.router("capped")
        held = [connect(addr), connect(addr)]
        wait_until(lambda: self.ferry.metrics().get("rt/capped/server/127.0.0.1/%s/connections" % addr.split(":")[1]) == 2,
                   what="two connections open")
        try:  # refused: reset as soon as accepted, which may reach connect() itself
            self.assertEqual(closed_by_peer(connect(addr)), b"")
        except ConnectionResetError:
            pass
        refused = "rt/capped/server/127.0.0.1/%s/connections_refused" % addr.split(":")[1]
        wait_until(lambda: self.ferry.metrics().get(refused) == 1, what="the refusal counted")
        # The two held connections are served.
        held[0].sendall(b"GET / HTTP/1.1\r\nHost: web\r\n\r\n")
        self.assertTrue(read_until(held[0], b"web GET /").endswith(b"web GET /"))
        for s in held:
            s.close()
        wait_until(lambda: self.ok("capped"), what="a new connection to be served once the others closed")

    def test_many_slow_clients_hold_bounded_memory_and_cpu(self):
        addr = self.ferry.router("guarded")
        rss_before = rss_kb(self.ferry.proc.pid)
        cpu_before = cpu_seconds(self.ferry.proc.pid)
        clients = []
        for _ in range(300):
            s = connect(addr)
            s.sendall(b"GET / HTTP/1.1\r\nHost: web\r\nX-Slow: " + b"a" * 1000)
            clients.append(s)
        for s in clients:
            self.assertTrue(closed_by_peer(s).startswith(b"HTTP/1.1 408 "))
        if not SANITIZER:
            self.assertLess(rss_kb(self.ferry.proc.pid) - rss_before, 8 * 1024)
            self.assertLess(cpu_seconds(self.ferry.proc.pid) - cpu_before, 2.0)
        self.assertTrue(self.ok("guarded"))

    def test_h2_preface_timeout_and_idle_goaway(self):
        addr = self.ferry.router("h2")
        # Connected, no preface within headerReadTimeoutMs: closed without a word.
        self.assertEqual(closed_by_peer(connect(addr)), b"")
        # Preface and SETTINGS, then no stream for idleTimeMs: GOAWAY(NO_ERROR), then closed.
        c = H2Client(addr, timeout=30)
        self._stops.append(c.close)
        c.read(1, timeout=30)  # returns once the GOAWAY arrived (stream 1 was never opened)
        self.assertEqual(c.goaway, 0)
        self.assertEqual(closed_by_peer(c.sock), b"")


class EmfileTest(FerryTestCase):
    def test_accept_backs_off_under_emfile_and_recovers(self):
        backend = self.start_backend("web")
        self.write("disco/web", "127.0.0.1 %d\n" % backend.port)
        limit = 64

        def few_descriptors():
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
        env = None
        if SANITIZER:
            # UBSan's vptr check opens a pipe to probe memory: with no descriptor left it reports
            # every virtual call as an "invalid vptr". That check only is off for this process.
            suppressions = self.write("ubsan.supp", "vptr_check:*\n")
            env = dict(os.environ, UBSAN_OPTIONS=os.environ.get("UBSAN_OPTIONS", "") + ":suppressions=" + suppressions)
        ferry = self.start_ferry(fs_config("""
- protocol: http
  label: r
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: 0}]
"""), workers=1, preexec_fn=few_descriptors, env=env)
        addr = ferry.router("r")
        clients = []
        for _ in range(limit + 20):  # more than Ferry can hold: the rest wait in the backlog
            clients.append(connect(addr))
        wait_until(lambda: "accept failed" in ferry.output(), what="accept to fail with EMFILE")
        cpu_before = cpu_seconds(ferry.proc.pid)
        time.sleep(2)  # an observation window: a spinning accept loop would burn it all
        self.assertLess(cpu_seconds(ferry.proc.pid) - cpu_before, 0.5, "accept spins under EMFILE")
        self.assertEqual(ferry.output().count("accept failed"), 1, "one log line per episode")
        for s in clients:
            s.close()
        wait_until(lambda: http_request(addr, headers={"Host": "web"})[0] == 200, what="accepting to recover")
        wait_until(lambda: "accepting again after" in ferry.output(), what="the recovery logged")


if __name__ == "__main__":
    main()
