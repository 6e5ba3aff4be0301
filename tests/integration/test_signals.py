"""SIGTERM and SIGINT drain in-flight requests and exit 0."""
import signal
import threading

from harness import fs_config, FerryTestCase, gated, http_request, main, wait_until

CONFIG = fs_config("""
- protocol: http
  label: r
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: 0}]
""")


class SignalsTest(FerryTestCase):
    def test_sigterm_exits_cleanly(self):
        self.write("disco/x", "127.0.0.1 1\n")
        ferry = self.start_ferry(CONFIG)
        self.assertEqual(ferry.stop(signal.SIGTERM), 0)
        self.assertIn("shutting down (SIGTERM)", ferry.output())

    def test_sigint_drains_in_flight_requests(self):
        gate = threading.Event()
        backend = self.start_backend("slow", handler=gated(gate, b"slow"))
        self._stops.append(gate.set)
        self.write("disco/slow", "127.0.0.1 %d\n" % backend.port)
        ferry = self.start_ferry(CONFIG)
        result = {}

        def call():
            result["r"] = http_request(ferry.router("r"), headers={"Host": "slow"}, timeout=30)

        t = threading.Thread(target=call)
        t.start()
        wait_until(lambda: backend.requests, what="the request to reach the backend")
        ferry.proc.send_signal(signal.SIGINT)
        wait_until(lambda: "shutting down (SIGINT)" in ferry.output(), what="ferry to start draining")
        self.assertIsNone(ferry.proc.poll(), "ferry exited with a request in flight")
        gate.set()
        t.join(timeout=30)
        self.assertEqual(result["r"][0], 200)
        self.assertEqual(result["r"][2], b"slow")
        self.assertEqual(ferry.proc.wait(timeout=30), 0)


if __name__ == "__main__":
    main()
