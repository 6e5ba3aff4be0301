"""Client and service parameters: load balancers and weights, request timeouts, pool limits."""
import collections
import http.client
import threading

from harness import fs_config, FerryTestCase, gated, http_request, main, wait_until

CONFIG = fs_config("""
- protocol: http
  label: c
  dtab: /svc => /#/io.l5d.fs;
  client:
    kind: io.l5d.static
    configs:
    - prefix: /#/io.l5d.fs/{service}
      loadBalancer: {kind: roundRobin}
    - prefix: /#/io.l5d.fs/slow
      requestAttemptTimeoutMs: 200
    - prefix: /#/io.l5d.fs/narrow
      hostConnectionPool: {maxSize: 1, maxWaiters: 0}
  service:
    kind: io.l5d.static
    configs:
    - prefix: /svc/slow-total
      totalTimeoutMs: 300
  servers:
  - port: 0
""")


class ClientsTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.a = self.start_backend("a")
        self.b = self.start_backend("b")
        self.gate = threading.Event()
        self.slow = self.start_backend("slow", handler=gated(self.gate))
        self._stops.append(self.gate.set)  # stops run in reverse: the gate opens before the slow backend stops
        self.write("disco/weighted", "127.0.0.1 %d * 1\n127.0.0.1 %d * 3\n" % (self.a.port, self.b.port))
        self.write("disco/slow", "127.0.0.1 %d\n" % self.slow.port)
        self.write("disco/slow-total", "127.0.0.1 %d\n" % self.slow.port)
        self.write("disco/narrow", "127.0.0.1 %d\n" % self.slow.port)
        # One worker: pool limits are per endpoint per worker, and these tests count on one pool.
        self.ferry = self.start_ferry(CONFIG, workers=1)
        self.addr = self.ferry.router("c")

    def test_round_robin_honours_weights(self):
        host, port = self.addr.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=5)  # one connection: one worker
        seen = collections.Counter()
        for _ in range(400):
            conn.request("GET", "/", headers={"Host": "weighted"})
            seen[conn.getresponse().read().split()[0]] += 1
        conn.close()
        self.assertEqual(seen, {b"a": 100, b"b": 300})

    def test_request_attempt_timeout_is_503(self):
        status, headers, body = http_request(self.addr, headers={"Host": "slow"})
        self.assertEqual(status, 503)
        self.assertIn("exceeded requestAttemptTimeoutMs of 200 ms", body.decode())
        self.assertIn("l5d-err", headers)

    def test_total_timeout_is_503(self):
        status, _, body = http_request(self.addr, headers={"Host": "slow-total"})
        self.assertEqual(status, 503)
        self.assertIn("exceeded totalTimeoutMs of 300 ms", body.decode())

    def test_exhausted_pool_is_503_for_the_extra_request(self):
        first = {}
        holder = threading.Thread(target=lambda: first.update(r=http_request(self.addr, headers={"Host": "narrow"},
                                                                             timeout=30)))
        holder.start()
        wait_until(lambda: self.slow.requests, what="the first request to hold the pool's only connection")
        extra = http_request(self.addr, headers={"Host": "narrow"})
        self.gate.set()
        holder.join(timeout=30)
        results = [first["r"], extra]
        self.assertEqual([r[0] for r in results], [200, 503], [r[2] for r in results])
        body = [r[2].decode() for r in results if r[0] == 503][0]
        self.assertIn("connection pool to 127.0.0.1:%d is exhausted" % self.slow.port, body)


def closing(name):
    """Answers `name` and closes the connection, so every request needs a new one."""
    def handler(h, body):
        data = name.encode()
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(data)
        h.close_connection = True
    return handler


PROBATION = fs_config("""
- protocol: http
  label: p
  dtab: /svc => /#/io.l5d.fs;
  client:
    kind: io.l5d.static
    configs:
    - prefix: /#/io.l5d.fs/advisory
      loadBalancer: {kind: roundRobin, enableProbation: true}
    - prefix: /#/io.l5d.fs/authoritative
      loadBalancer: {kind: roundRobin, enableProbation: false}
  servers:
  - port: 0
""")


class ProbationTest(FerryTestCase):
    """loadBalancer.enableProbation (Linkerd 1.x docs: load balancers): service discovery authoritative (false,
    the default) or advisory (true: a removed endpoint stays while its connections succeed)."""

    def setUp(self):
        super().setUp()
        self.a = self.start_backend("a")
        self.b = self.start_backend("b", handler=closing("b"))  # a new connection per request
        for name in ("advisory", "authoritative"):
            self.write("disco/" + name, "127.0.0.1 %d\n127.0.0.1 %d\n" % (self.a.port, self.b.port))
        self.ferry = self.start_ferry(PROBATION, workers=1)
        self.addr = self.ferry.router("p")

    def served(self, name, n):
        out = collections.Counter()
        for _ in range(n):
            status, _, body = http_request(self.addr, headers={"Host": name})
            out[body.decode().split()[0] if status == 200 else status] += 1
        return out

    def remove_b(self, name):
        self.write("disco/" + name, "127.0.0.1 %d\n" % self.a.port)
        # The main thread publishes the new set to the worker when it has it (client_state.json is
        # the main thread's view; the worker's copy is posted in the same turn).
        only_a = ["127.0.0.1:%d" % self.a.port]
        wait_until(lambda: self.ferry.admin_json("/client_state.json").get("/#/io.l5d.fs/" + name, {})
                   .get("addresses") == only_a, what="the namer to drop b")

    def test_authoritative_removal_takes_effect_at_once(self):
        self.assertEqual(set(self.served("authoritative", 10)), {"a", "b"})
        self.remove_b("authoritative")
        self.assertEqual(self.served("authoritative", 10), collections.Counter({"a": 10}))

    def test_advisory_removal_keeps_a_healthy_endpoint_until_it_fails(self):
        self.assertEqual(set(self.served("advisory", 10)), {"a", "b"})
        self.remove_b("advisory")
        self.assertEqual(self.served("advisory", 10), collections.Counter({"a": 5, "b": 5}))
        # b goes away: its first failed connection ends its probation.
        self.b.stop()
        first = self.served("advisory", 4)
        self.assertLessEqual(first[502], 1, first)
        self.assertEqual(self.served("advisory", 10), collections.Counter({"a": 10}))

if __name__ == "__main__":
    main()
