"""Bodies stream through with back-pressure: a 1 GiB download and a 1 GiB chunked upload pass
with the proxy's peak RSS under 64 MiB; chunked trailers are relayed."""
import os
import subprocess

from harness import FerryTestCase, LoopbackServer, SANITIZER, fs_config, main, raw_exchange

GIB = 1 << 30
CHUNK = 1 << 20

CONFIG = fs_config("""
- protocol: http
  label: s
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: 0}]
""")


class RawBackend(LoopbackServer):
    """A minimal HTTP/1.1 server on raw sockets, fast enough to push a GiB in a few seconds.
    GET /download sends 1 GiB; POST /upload counts the (chunked) body and answers the count;
    GET /trailers answers chunked with a trailer."""

    def __init__(self):
        super().__init__()
        self.start()

    def serve_connection(self, conn):
        with conn:
            f = conn.makefile("rb", buffering=CHUNK)
            while True:
                line = f.readline()
                if not line:
                    return
                method, path, _ = line.decode().split(" ", 2)
                headers = {}
                while True:
                    h = f.readline()
                    if h in (b"\r\n", b""):
                        break
                    k, v = h.decode().split(":", 1)
                    headers[k.strip().lower()] = v.strip()
                if path == "/download":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % GIB)
                    block = bytes(CHUNK)
                    for _ in range(GIB // CHUNK):
                        conn.sendall(block)
                elif path == "/upload":
                    total = 0
                    if headers.get("transfer-encoding") == "chunked":
                        while True:
                            size = int(f.readline().split(b";")[0], 16)
                            if size == 0:
                                f.readline()
                                break
                            left = size
                            while left:
                                got = len(f.read(min(left, CHUNK)))
                                left -= got
                                total += got
                            f.readline()
                    else:
                        left = int(headers.get("content-length", 0))
                        while left:
                            got = len(f.read(min(left, CHUNK)))
                            left -= got
                            total += got
                    body = str(total).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                elif path == "/trailers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                                 b"5\r\nhello\r\n0\r\nX-Checksum: abc123\r\n\r\n")


class StreamingTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.backend = RawBackend()
        self._stops.append(self.backend.stop)
        self.write("disco/big", "127.0.0.1 %d\n" % self.backend.port)
        self.ferry = self.start_ferry(CONFIG)
        self.url = "http://%s" % self.ferry.router("s")

    def peak_rss_mib(self):
        with open("/proc/%d/status" % self.ferry.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024

    def test_one_gib_download_with_bounded_memory(self):
        p = subprocess.run(["curl", "-sS", "--max-time", "120", "-H", "Host: big", "-o", "/dev/null",
                            "-w", "%{http_code} %{size_download}", self.url + "/download"],
                           capture_output=True, text=True, timeout=150)
        self.assertEqual(p.stdout, "200 %d" % GIB, p.stderr)
        if not SANITIZER:
            self.assertLess(self.peak_rss_mib(), 64)

    def test_one_gib_chunked_upload_with_bounded_memory(self):
        # head streams zeros into curl, which sends them chunked: nothing is on disk or in memory.
        p = subprocess.run("head -c %d /dev/zero | curl -sS --max-time 120 -T - -H 'Host: big' "
                           "-H 'Transfer-Encoding: chunked' %s/upload" % (GIB, self.url),
                           shell=True, capture_output=True, text=True, timeout=150)
        self.assertEqual(p.stdout, str(GIB), p.stderr)
        if not SANITIZER:
            self.assertLess(self.peak_rss_mib(), 64)

    def test_trailers_are_relayed(self):
        out = raw_exchange(self.ferry.router("s"), b"GET /trailers HTTP/1.1\r\nHost: big\r\nConnection: close\r\n\r\n")
        self.assertIn(b"transfer-encoding: chunked", out.lower())
        self.assertTrue(out.endswith(b"5\r\nhello\r\n0\r\nX-Checksum: abc123\r\n\r\n"), out)


if __name__ == "__main__":
    main()
