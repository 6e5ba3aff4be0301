#!/usr/bin/env python3
"""A small demo HTTP/1.1 backend: answers every request with its own name, port and the
request it saw (method, path, the l5d-* headers Ferry added). Used by `make run`.

    demo_backend.py NAME PORT
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body_in = self.rfile.read(length) if length else b""
        l5d = "".join(f"  {k}: {v}\n" for k, v in self.headers.items() if k.lower().startswith("l5d-"))
        text = (f"Hello from {self.server.name} on port {self.server.server_port}: "
                f"{self.command} {self.path} ({len(body_in)} body bytes)\n{l5d}")
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, fmt, *args):
        pass


def main():
    name, port = sys.argv[1], int(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.name = name
    server.serve_forever()


if __name__ == "__main__":
    main()
