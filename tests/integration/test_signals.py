"""SIGTERM and SIGINT drain in-flight requests and exit 0."""
import signal
import threading
import time

from harness import fs_config, FerryTestCase, http_request, main

CONFIG = fs_config("""
- protocol: http
  label: r
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: 0}]
""")


def slow(handler, body):
    time.sleep(0.5)
    data = b"slow"
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class SignalsTest(FerryTestCase):
    def test_sigterm_exits_cleanly(self):
        self.write("disco/x", "127.0.0.1 1\n")
        ferry = self.start_ferry(CONFIG)
        self.assertEqual(ferry.stop(signal.SIGTERM), 0)
        self.assertIn("shutting down (SIGTERM)", ferry.output())

    def test_sigint_drains_in_flight_requests(self):
        backend = self.start_backend("slow", handler=slow)
        self.write("disco/slow", "127.0.0.1 %d\n" % backend.port)
        ferry = self.start_ferry(CONFIG)
        result = {}

        def call():
            result["r"] = http_request(ferry.router("r"), headers={"Host": "slow"})

        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.2)  # the request is at the backend
        ferry.proc.send_signal(signal.SIGINT)
        t.join(timeout=10)
        self.assertEqual(result["r"][0], 200)
        self.assertEqual(result["r"][2], b"slow")
        self.assertEqual(ferry.proc.wait(timeout=10), 0)
        self.assertIn("shutting down (SIGINT)", ferry.output())


if __name__ == "__main__":
    main()
