#!/usr/bin/env python3
"""Instructions Ferry executes per proxied request, counted by callgrind: repeatable whatever
else the machine is doing, so a change on the request path can be measured before and after.

    bench/callgrind.py [--build-dir build] [--protocol http1|h2] [--requests 20000]

One worker, h2load with 16 connections (h2: 10 streams each) through Ferry to a local backend
(a Python HTTP/1.1 server, or nghttpd for h2). Ferry runs twice under callgrind, with 2,000 and
with 2,000 + --requests requests; the difference divided by --requests is the cost of a request,
start-up and shutdown cancelled out. Not a test: a measurement to read.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WARM = 2000


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # One write for the whole response: head and body in separate segments would make the
        # number of reads Ferry does per response, and so the count, vary from run to run.
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")

    def log_message(self, *args):
        pass


def backend(protocol, workdir):
    """Starts the backend; returns (port, stop function)."""
    if protocol == "http1":
        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # Ferry opens its 16 upstream connections at once
        server = Server(("127.0.0.1", 0), Hello)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server.server_address[1], server.shutdown
    www = os.path.join(workdir, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello"), "wb") as f:
        f.write(b"hello")
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = subprocess.Popen(["nghttpd", "--no-tls", "-d", www, str(port)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # ready once it accepts
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return port, p.kill


def ferry_instructions(build, protocol, backend_port, requests, workdir):
    """Total instructions of one ferry process that proxied `requests` requests."""
    os.makedirs(os.path.join(workdir, "disco"), exist_ok=True)
    with open(os.path.join(workdir, "disco", "hello"), "w") as f:
        f.write("127.0.0.1 %d\n" % backend_port)
    proto = "http" if protocol == "http1" else "h2"
    config = os.path.join(workdir, "ferry.yaml")
    with open(config, "w") as f:
        f.write("admin: {port: 0}\nnamers:\n- kind: io.l5d.fs\n  rootDir: disco\nrouters:\n- protocol: %s\n"
                "  dtab: /svc => /#/io.l5d.fs;\n  servers: [{port: 0}]\n" % proto)
    out = os.path.join(workdir, "callgrind.%d.out" % requests)
    log = open(os.path.join(workdir, "ferry.%d.log" % requests), "w+")
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                          os.path.abspath(os.path.join(build, "bin", "ferry")), "--workers", "1", config],
                         cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    addr = None
    while time.monotonic() < deadline and not addr:
        m = re.search(r"serving \S+ on ([\d.]+:\d+)", open(log.name).read())
        addr = m and m.group(1)
        time.sleep(0.1)
    if not addr:
        raise SystemExit("ferry did not start under callgrind: " + open(log.name).read())
    url = "http://%s/hello" % addr
    cmd = ["h2load", "-c16", "-n", str(requests), "-H", ":authority: hello", url]
    cmd[1:1] = ["--h1"] if protocol == "http1" else ["-m10"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    ok = re.search(r"(\d+) succeeded", r.stdout)
    if not ok or int(ok.group(1)) != requests:
        raise SystemExit("h2load did not get every response:\n" + r.stdout + r.stderr)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=120)
    text = open(out).read()
    return int(re.search(r"^summary: (\d+)", text, re.M).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--protocol", choices=["http1", "h2"], default="http1")
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ferry-callgrind-") as workdir:
        port, stop = backend(args.protocol, workdir)
        try:
            warm = ferry_instructions(args.build_dir, args.protocol, port, WARM, workdir)
            full = ferry_instructions(args.build_dir, args.protocol, port, WARM + args.requests, workdir)
        finally:
            stop()
    print("%s: %d instructions per proxied request (%d requests; %d and %d instructions in all)" %
          (args.protocol, round((full - warm) / args.requests), args.requests, warm, full))


if __name__ == "__main__":
    sys.exit(main())
