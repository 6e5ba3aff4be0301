"""A real gRPC server (Debian python3-grpcio) for the gRPC tests: one service with the four call
kinds over raw bytes (no generated code), plus what the tests need to see cancellations."""
import threading
import time
from concurrent import futures

import grpc

SERVICE = "ferry.test.Echo"
MAX_MESSAGE = 16 * 1024 * 1024
OPTIONS = [("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE),
           ("grpc.enable_http_proxy", 0)]


class EchoServer:
    """Unary echoes (b"fail:<code>" aborts with that status, b"sleep:<s>" sleeps first);
    ServerStream answers b"<n> <size>" with n messages of size bytes (n=0: until cancelled);
    ClientStream answers b"<count> <total bytes>"; Bidi echoes each message."""

    def __init__(self, port=0):
        self.cancelled = []
        self.lock = threading.Lock()
        handler = grpc.method_handlers_generic_handler(SERVICE, {
            "Unary": grpc.unary_unary_rpc_method_handler(self.unary),
            "ServerStream": grpc.unary_stream_rpc_method_handler(self.server_stream),
            "ClientStream": grpc.stream_unary_rpc_method_handler(self.client_stream),
            "Bidi": grpc.stream_stream_rpc_method_handler(self.bidi),
        })
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=OPTIONS)
        self.server.add_generic_rpc_handlers((handler,))
        self.port = self.server.add_insecure_port("127.0.0.1:%d" % port)
        self.server.start()

    def stop(self):
        self.server.stop(grace=0)

    def unary(self, request, context):
        if request.startswith(b"fail:"):
            context.abort(grpc.StatusCode(next(c for c in grpc.StatusCode if c.value[0] == int(request[5:]))),
                          "failed on purpose")
        if request.startswith(b"sleep:"):
            time.sleep(float(request[6:]))
        return request

    def server_stream(self, request, context):
        n, size = (int(x) for x in request.split())
        payload = b"s" * size
        if n == 0:
            # An endless stream only ends when the client cancels it.
            context.add_callback(lambda: self._record_cancel("ServerStream"))
        i = 0
        while (n == 0 or i < n) and context.is_active():
            if n == 0:
                time.sleep(0.01)
            yield payload
            i += 1

    def _record_cancel(self, method):
        with self.lock:
            self.cancelled.append(method)

    def client_stream(self, requests, context):
        count = total = 0
        for m in requests:
            count += 1
            total += len(m)
        return b"%d %d" % (count, total)

    def bidi(self, requests, context):
        for m in requests:
            yield m


def channel(address):
    return grpc.insecure_channel(address, options=OPTIONS)
