"""gRPC through protocol: h2 with real grpcio clients and servers: the four call kinds, 4 MiB
messages, a 100,000-message stream, deadlines, cancellation and error statuses."""
import os
import re
import time

import grpc

from grpc_peers import SERVICE, EchoServer, channel
from harness import SOURCE_DIR, FerryTestCase, fs_config, main, wait_until

GRPC_ROUTER = """
- protocol: h2
  label: grpc
  identifier: {kind: io.l5d.header.path, segments: 1}
  dtab: /svc => /#/io.l5d.fs;
  servers:
  - port: 0
"""


class GrpcBase(FerryTestCase):
    """A gRPC router in front of the EchoServer; ROUTER is its config."""
    ROUTER = GRPC_ROUTER

    def setUp(self):
        super().setUp()
        self.server = EchoServer()
        self._stops.append(self.server.stop)
        self.write("disco/" + SERVICE, "127.0.0.1 %d\n" % self.server.port)
        self.ferry = self.start_ferry(fs_config(self.ROUTER))
        self.channel = channel(self.ferry.router("grpc"))
        self._stops.append(self.channel.close)

    def method(self, kind, name):
        return getattr(self.channel, kind)("/%s/%s" % (SERVICE, name))


class GrpcTest(GrpcBase):
    def test_unary(self):
        unary = self.method("unary_unary", "Unary")
        self.assertEqual(unary(b"hello", timeout=10), b"hello")
        big = bytes(range(256)) * (4 * 1024 * 1024 // 256)
        self.assertEqual(unary(big, timeout=30), big)

    def test_server_streaming_100000_messages(self):
        stream = self.method("unary_stream", "ServerStream")
        count = total = 0
        for m in stream(b"100000 16", timeout=120):
            count += 1
            total += len(m)
        self.assertEqual((count, total), (100000, 1600000))

    def test_client_streaming(self):
        call = self.method("stream_unary", "ClientStream")
        messages = [b"x" * 1000] * 500 + [b"y" * (4 * 1024 * 1024)]
        self.assertEqual(call(iter(messages), timeout=60), b"501 %d" % (500000 + 4 * 1024 * 1024))

    def test_bidirectional_streaming(self):
        call = self.method("stream_stream", "Bidi")
        messages = [b"m%05d" % i for i in range(2000)] + [b"z" * (4 * 1024 * 1024)]
        self.assertEqual(list(call(iter(messages), timeout=60)), messages)

    def test_error_status_passes_through(self):
        unary = self.method("unary_unary", "Unary")
        with self.assertRaises(grpc.RpcError) as e:
            unary(b"fail:5", timeout=10)
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertEqual(e.exception.details(), "failed on purpose")

    def test_deadline_expires(self):
        unary = self.method("unary_unary", "Unary")
        started = time.monotonic()
        with self.assertRaises(grpc.RpcError) as e:
            unary(b"sleep:3", timeout=0.5)
        self.assertEqual(e.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertLess(time.monotonic() - started, 2.5)
        self.assertEqual(unary(b"after", timeout=10), b"after")

    def test_cancellation_reaches_the_server(self):
        stream = self.method("unary_stream", "ServerStream")
        call = stream(b"0 10", timeout=30)
        for i, _ in enumerate(call):
            if i == 5:
                break
        call.cancel()
        wait_until(lambda: "ServerStream" in self.server.cancelled, what="the server to see the cancel")
        self.assertEqual(self.method("unary_unary", "Unary")(b"still", timeout=10), b"still")

    def test_unknown_service_is_refused(self):
        unknown = self.channel.unary_unary("/no.such.Service/Call")
        with self.assertRaises(grpc.RpcError) as e:
            unknown(b"x", timeout=10)
        # No endpoints for /svc/no.such.Service: 502, which gRPC reports as UNAVAILABLE.
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNAVAILABLE)


class GrpcExampleTest(FerryTestCase):
    """config-examples/grpc.yaml with real gRPC traffic (its ports and discovery made local)."""

    def test_example_routes_by_service_and_classifies_by_grpc_status(self):
        server = EchoServer()
        self._stops.append(server.stop)
        self.write("disco/" + SERVICE, "127.0.0.1 %d\n" % server.port)
        with open(os.path.join(SOURCE_DIR, "config-examples", "grpc.yaml")) as f:
            text = f.read()
        text = text.replace("rootDir: config-examples/disco", "rootDir: disco")
        text = re.sub(r"port: \d+", "port: 0", text)
        ferry = self.start_ferry(text)
        ch = channel(ferry.router("grpc"))
        self._stops.append(ch.close)
        unary = ch.unary_unary("/%s/Unary" % SERVICE)
        self.assertEqual(unary(b"hi", timeout=10), b"hi")
        with self.assertRaises(grpc.RpcError):
            unary(b"fail:9", timeout=10)
        prefix = "rt/grpc/service/svc/%s/" % SERVICE
        m = wait_until(lambda: (lambda m: m.get(prefix + "requests") == 2 and m)(ferry.metrics()),
                       what="two requests counted")
        self.assertEqual((m[prefix + "success"], m[prefix + "failures"]), (1, 1))


class GrpcClassifierTest(GrpcBase):
    ROUTER = GRPC_ROUTER + "  service: {responseClassifier: {kind: io.l5d.h2.grpc.default}}\n"

    def calls(self):
        unary = self.method("unary_unary", "Unary")
        for _ in range(3):
            unary(b"ok", timeout=10)
        for code in (b"5", b"5", b"14"):
            with self.assertRaises(grpc.RpcError):
                unary(b"fail:" + code, timeout=10)
        prefix = "rt/grpc/service/svc/%s/" % SERVICE
        return wait_until(lambda: (lambda m: m.get(prefix + "requests") == 6 and m)(self.ferry.metrics()),
                          what="six requests counted"), prefix

    def test_grpc_status_decides_success(self):
        m, prefix = self.calls()
        self.assertEqual((m[prefix + "success"], m[prefix + "failures"]), (3, 3))
        # Every answer was HTTP 200: the status lives in the trailers.
        self.assertEqual(m[prefix + "status/200"], 6)


class GrpcDefaultClassifierTest(GrpcClassifierTest):
    ROUTER = GRPC_ROUTER

    def test_grpc_status_decides_success(self):
        # Without a gRPC classifier, h2's default (5XX) sees six HTTP 200s: six successes.
        m, prefix = self.calls()
        self.assertEqual((m[prefix + "success"], m[prefix + "failures"]), (6, 0))


if __name__ == "__main__":
    main()
