"""The base of the tests' local control-plane APIs (consul_peer.py, k8s_peer.py): a threaded
HTTP/1.1 server on 127.0.0.1 that can be stopped, dropping the requests it holds as a dying
server does, and started again on the same port; a condition that guards the peer's state and
wakes requests it holds (blocking queries, watches); every request seen, with its query and
headers; and a fault set by the test, of which "hang" (hold every request until the fault is
cleared or the server stops) is common to all."""
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ApiPeer:
    def __init__(self):
        self.cond = threading.Condition()
        self.fault = None
        self.requests = []  # (path, query dict, lower-cased headers dict)
        self.port = 0
        self.server = None
        self.stopping = False
        self.tls = None  # (certificate, key) files: serve HTTPS

    def serve(self, h, path, query):
        """Answers one GET (the subclass's API)."""
        raise NotImplementedError

    def start(self):
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                peer.requests.append((url.path, query, {k.lower(): v for k, v in self.headers.items()}))
                if not peer.wait_while_hanging():
                    self.close_connection = True
                    return
                try:
                    peer.serve(self, url.path, query)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up on a held request

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True
            request_queue_size = 1024

        self.stopping = False
        self.server = Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Stops listening and drops every held request without an answer."""
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def set_fault(self, fault):
        with self.cond:
            self.fault = fault
            self.cond.notify_all()

    def wait_while_hanging(self):
        """Holds the caller while the fault is "hang"; False if the server stopped meanwhile."""
        with self.cond:
            while self.fault == "hang" and not self.stopping:
                self.cond.wait(1.0)
            return not self.stopping
