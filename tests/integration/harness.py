"""Test harness for integration tests: runs the real `ferry` binary on a config written by the
test, with real backends and real clients. Every address is on 127.0.0.1; every wait is
bounded."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUILD_DIR = os.environ.get("FERRY_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
FERRY = os.path.abspath(os.path.join(BUILD_DIR, "bin", "ferry"))
PLUGIN_DIR = os.path.abspath(os.path.join(BUILD_DIR, "lib", "ferry", "plugins"))
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# "address,undefined" or "thread" when the suite runs on a sanitizer build (make test-asan,
# make test-tsan). Memory and speed figures mean nothing there: tests that assert them skip
# those assertions, and every run of the binary is checked for sanitizer reports instead.
SANITIZER = os.environ.get("FERRY_SANITIZER", "")
SANITIZER_REPORT = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: |WARNING: ThreadSanitizer")


def assert_no_sanitizer_report(text, where):
    m = SANITIZER_REPORT.search(text)
    if m:
        raise AssertionError("%s: sanitizer report:\n%s" % (where, text[max(0, m.start() - 200):m.start() + 6000]))


def wait_until(predicate, timeout=30.0, interval=0.01, what="condition"):
    """Polls `predicate` until it returns a truthy value; fails the test after `timeout`. The
    default deadline is generous on purpose: a condition that holds arrives as soon as it holds,
    and a slow or loaded machine must not turn a pass into a failure."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


FS_PREAMBLE = """
admin: {port: 0}
namers:
- kind: io.l5d.fs
  rootDir: disco
routers:
"""


def fs_config(routers):
    """A config with an ephemeral admin port and io.l5d.fs on ./disco, then `routers` (YAML)."""
    return FS_PREAMBLE + routers.lstrip("\n")


def run_ferry(*args, timeout=30, env=None, cwd=None):
    """Runs ferry to completion (CLI modes) and returns the CompletedProcess."""
    p = subprocess.run([FERRY, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    assert_no_sanitizer_report(p.stderr, "ferry %s" % " ".join(args))
    return p


# Signals no test sends: a ferry that died of one crashed.
CRASH_SIGNALS = (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGILL)


class FerryCrashed(AssertionError):
    """Raised by Ferry.stop(), and not swallowed by FerryTestCase.tearDown."""


class Ferry:
    """A running ferry process. Reads its log to learn the admin and router addresses."""

    def __init__(self, config_text, workdir, extra_args=(), binary=FERRY, env=None, workers=2, preexec_fn=None):
        self.config_path = os.path.join(workdir, "linkerd.yaml")
        with open(self.config_path, "w") as f:
            f.write(config_text)
        self.log_path = os.path.join(workdir, "ferry.log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([binary, "--workers", str(workers), *extra_args, self.config_path], stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=workdir, env=env, preexec_fn=preexec_fn)
        self.admin = None
        self.routers = {}
        wait_until(self._ready, what="ferry to start (see %s)" % self.log_path)

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("ferry exited with %s:\n%s" % (self.proc.returncode, self.output()))
        text = self.output()
        if "ready in" not in text:
            return False
        m = re.search(r"\[admin\] serving on http://([\d.]+:\d+)/admin", text)
        self.admin = m.group(1)
        for label, addr in re.findall(r"\[router/([^\]]+)\] serving \S+ on ([\d.]+:\d+)", text):
            self.routers.setdefault(label, []).append(addr)
        return True

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def router(self, label, index=0):
        return self.routers[label][index]

    def admin_get(self, path, timeout=5):
        """GET on the admin server: (status, body text)."""
        try:
            with urllib.request.urlopen("http://%s%s" % (self.admin, path), timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def admin_json(self, path):
        status, body = self.admin_get(path)
        assert status == 200, (path, status, body)
        return json.loads(body)

    def metrics(self):
        return self.admin_json("/admin/metrics.json")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        died = self.proc.poll()
        if died is not None and -died in CRASH_SIGNALS:
            self.log.close()
            raise FerryCrashed("ferry died of signal %d before the test stopped it; its log ends:\n%s"
                               % (-died, self.output()[-3000:]))
        if died is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("ferry did not exit within %ss of %s" % (timeout, sig))
        self.log.close()
        assert_no_sanitizer_report(self.output(), self.log_path)
        return self.proc.returncode


class Backend:
    """A real HTTP/1.1 server on 127.0.0.1 that answers with its name and records requests."""

    def __init__(self, name, handler=None):
        self.name = name
        self.requests = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = self._read_chunked()
                seen = {}
                for k, v in self.headers.items():  # repeated fields joined, as HTTP defines
                    seen[k.lower()] = seen[k.lower()] + ", " + v if k.lower() in seen else v
                backend.requests.append((self.command, self.path, seen, body))
                if handler:
                    return handler(self, body)
                data = ("%s %s %s" % (backend.name, self.command, self.path)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _read_chunked(self):
                out = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b""):
                            pass
                        return bytes(out)
                    out += self.rfile.read(size)
                    self.rfile.readline()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _answer

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 1024  # tests open hundreds of connections at once

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class LoopbackServer:
    """A TCP server on 127.0.0.1 (a free port) for the tests' hand-made peers: each accepted
    connection is served by `serve_connection(sock)` on a thread of its own. `connections` counts
    them (written by the accept thread only)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.address = "127.0.0.1:%d" % self.port
        self.connections = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def start(self):
        """Call once the subclass is set up: connections may be served from here on."""
        self.thread.start()
        return self

    def stop(self):
        self.stopped = True
        self.sock.close()

    def serve_connection(self, sock):
        raise NotImplementedError

    def _accept(self):
        while not self.stopped:
            try:
                s, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve_connection, args=(s,), daemon=True).start()


def gated(gate, body=b"late"):
    """A Backend handler that answers `body` only once `gate` (a threading.Event) is set: a
    backend slower than any timeout under test, however slow the machine is (60 s at most)."""
    def handler(h, _):
        gate.wait(60)
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return handler


def rss_kb(pid):
    """The resident set of process `pid`, in KiB."""
    with open("/proc/%d/status" % pid) as f:
        rss = [int(line.split()[1]) for line in f if line.startswith("VmRSS:")]
    if not rss:
        raise AssertionError("process %d has exited (no resident set)" % pid)
    return rss[0]


def cpu_seconds(pid):
    """User plus system CPU time process `pid` has used so far, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def closed_by_peer(sock, timeout=30.0):
    """Reads until the peer closes `sock` (EOF or reset) and returns what arrived before; fails
    the test if it is still open after `timeout`."""
    sock.settimeout(timeout)
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except ConnectionResetError:
        return b"".join(chunks)
    except socket.timeout:
        raise AssertionError("the connection is still open after %ss (got %r)" % (timeout, b"".join(chunks)[:200]))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(addr, method="GET", path="/", headers=None, body=None, timeout=5):
    """One request with http.client: (status, headers dict lower-cased, body bytes)."""
    host, port = addr.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def raw_exchange(addr, data, timeout=5):
    """Sends raw bytes and returns everything read until the server closes or times out."""
    host, port = addr.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def curl(*args, timeout=10):
    """Runs the real curl; returns (exit code, stdout, stderr)."""
    p = subprocess.run(["curl", "-sS", "--max-time", str(timeout), *args], capture_output=True, text=True,
                       timeout=timeout + 5)
    return p.returncode, p.stdout, p.stderr


class FerryTestCase(unittest.TestCase):
    """Gives each test a temporary directory and stops what it started."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ferry-test-")
        self._stops = []

    def tearDown(self):
        crashes = []
        for fn in reversed(self._stops):
            try:
                fn()
            except FerryCrashed as e:
                crashes.append(str(e))
            except Exception:  # cleanup of what the test may already have stopped
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        if crashes:
            raise FerryCrashed("\n".join(crashes))

    def start_ferry(self, config, workdir=None, **kw):
        """Runs ferry in the test's directory, or in `workdir` under it: each of several Ferry
        processes needs its own (its config and log files are named there)."""
        where = self.tmp if workdir is None else os.path.join(self.tmp, workdir)
        os.makedirs(where, exist_ok=True)
        f = Ferry(config, where, **kw)
        self._stops.append(f.stop)
        return f

    def start_backend(self, name, handler=None):
        b = Backend(name, handler)
        self._stops.append(b.stop)
        return b

    def write(self, relpath, text):
        path = os.path.join(self.tmp, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path


def main():
    unittest.main(verbosity=2)
