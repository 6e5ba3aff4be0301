#!/usr/bin/env python3
"""Measures HTTP/2 proxying through Ferry, HAProxy and nginx in one run, and gRPC unary latency
through Ferry against direct.

h2: nghttpd (h2c, a 13-byte file) is the backend; each proxy takes h2c from h2load and speaks h2c
upstream (HAProxy `proto h2` both sides, nginx `http2` in front and `grpc_pass` behind, Ferry's
h2 router), one worker pinned to CPU 0, h2load and the backend on CPU 1. Prints requests/s per
(connections x streams) and the ratio to HAProxy.

gRPC: a grpcio echo server and a grpcio client (4 threads, closed loop, 1-byte messages) on CPU 1,
Ferry on CPU 0; prints p50/p99/p99.9 per call, direct and through Ferry, and the added latency.
Not a test: a measurement to read.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from http1 import Proxy, free, haproxy_config, median_run, rotated, save_and_clean  # noqa: E402

BACKEND_PORT, FERRY_PORT, HAPROXY_PORT, NGINX_PORT, ADMIN_PORT, GRPC_PORT, FERRY_GRPC_PORT = (
    18280, 18281, 18282, 18283, 18990, 18284, 18285)


class H2Proxy(Proxy):
    """A process that listens on `port`; ready once the port accepts connections."""

    def __init__(self, name, argv, port, workdir):
        self.name, self.port = name, port
        self.log = open(os.path.join(workdir, name + ".log"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=workdir)
        deadline = time.monotonic() + 10
        while free(port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("%s did not start (see %s)" % (name, self.log.name))
            time.sleep(0.01)


def backend(workdir):
    os.makedirs(os.path.join(workdir, "www"), exist_ok=True)
    with open(os.path.join(workdir, "www", "index.html"), "w") as f:
        f.write("hello, world\n")
    return H2Proxy("backend", ["taskset", "-c", "1", "nghttpd", "--no-tls", "-d", os.path.join(workdir, "www"),
                               str(BACKEND_PORT)], BACKEND_PORT, workdir)


def ferry(binary, workdir, workers, cpus):
    os.makedirs(os.path.join(workdir, "disco"), exist_ok=True)
    with open(os.path.join(workdir, "disco", "bench"), "w") as f:
        f.write("127.0.0.1 %d\n" % BACKEND_PORT)
    with open(os.path.join(workdir, "disco", "ferry.test.Echo"), "w") as f:
        f.write("127.0.0.1 %d\n" % GRPC_PORT)
    with open(os.path.join(workdir, "ferry-h2.yaml"), "w") as f:
        f.write("""admin: {port: %d}
namers: [{kind: io.l5d.fs, rootDir: disco}]
routers:
- protocol: h2
  label: h2
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: %d}]
- protocol: h2
  label: grpc
  identifier: {kind: io.l5d.header.path, segments: 1}
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: %d}]
""" % (ADMIN_PORT, FERRY_PORT, FERRY_GRPC_PORT))
    return H2Proxy("ferry", ["taskset", "-c", cpus, binary, "--log-level", "warning", "--workers", str(workers),
                             "ferry-h2.yaml"], FERRY_PORT, workdir)


def haproxy(workdir, workers, cpus):
    conf = haproxy_config(workdir, "haproxy-h2.cfg", workers, HAPROXY_PORT, BACKEND_PORT, proto="h2")
    return H2Proxy("haproxy", ["taskset", "-c", cpus, "haproxy", "-db", "-f", conf], HAPROXY_PORT, workdir)


def nginx(workdir, workers, cpus):
    conf = os.path.join(workdir, "nginx-h2.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes %d; daemon off; pid %s/nginx-h2.pid; error_log stderr error;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 10000000;
  upstream be { server 127.0.0.1:%d; keepalive 64; keepalive_requests 10000000; }
  server { listen 127.0.0.1:%d http2 backlog=4096;
    location / { grpc_pass grpc://be; } } }
""" % (workers, workdir, BACKEND_PORT, NGINX_PORT))
    return H2Proxy("nginx", ["taskset", "-c", cpus, "nginx", "-c", conf, "-p", workdir], NGINX_PORT, workdir)


def h2load(port, conns, streams, seconds):
    argv = ["taskset", "-c", "1", "h2load", "-t", "1", "-c", str(conns), "-m", str(streams), "-D", str(seconds),
            "--warm-up-time=1", "-H", ":authority: bench", "http://127.0.0.1:%d/index.html" % port]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    m = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out)
    if not m or not done:
        raise RuntimeError("h2load printed no summary:\n" + out)
    return {"rps": float(m.group(1)), "done": int(done.group(1)), "failed": int(done.group(3)),
            "mean_request_time": mean.group(1) if mean else "?"}


GRPC_CLIENT = r"""
import sys, threading, time
sys.path.insert(0, %(path)r)
import grpc
from grpc_peers import SERVICE, channel
ch = channel(%(target)r)
unary = ch.unary_unary("/%%s/Unary" %% SERVICE)
unary(b"w", timeout=10)
latencies = []
lock = threading.Lock()
def run():
    mine = []
    for _ in range(%(calls)d):
        t = time.perf_counter()
        unary(b"x", timeout=10)
        mine.append(time.perf_counter() - t)
    with lock:
        latencies.extend(mine)
threads = [threading.Thread(target=run) for _ in range(4)]
started = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - started
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e6
print("%%d %%.0f %%.0f %%.0f %%.0f" %% (len(latencies), len(latencies) / elapsed, pick(0.5), pick(0.99), pick(0.999)))
"""


def grpc_latency(target, calls):
    code = GRPC_CLIENT % {"path": os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"),
                          "target": target, "calls": calls}
    out = subprocess.run(["taskset", "-c", "1", "/usr/bin/python3", "-c", code], capture_output=True, text=True,
                         timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    n, rps, p50, p99, p999 = out.stdout.split()
    return {"calls": int(n), "rps": float(rps), "p50": float(p50), "p99": float(p99), "p999": float(p999)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", default="build/bin/ferry")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--grpc-calls", type=int, default=5000, help="per client thread (4 threads)")
    ap.add_argument("--rounds", type=int, default=3, help="runs of every configuration; ratios use the medians")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    binary = os.path.abspath(args.ferry)
    for port in (BACKEND_PORT, FERRY_PORT, HAPROXY_PORT, NGINX_PORT, ADMIN_PORT, GRPC_PORT, FERRY_GRPC_PORT):
        if not free(port):
            sys.exit("port %d on 127.0.0.1 is in use" % port)
    for tool in ("h2load", "nghttpd", "haproxy", "nginx", "taskset"):
        if not shutil.which(tool):
            sys.exit("%s is not installed (bench/h2.sh installs it)" % tool)
    workdir = tempfile.mkdtemp(prefix="ferry-bench-h2-")
    results = {"runs": []}
    be = backend(workdir)
    try:
        for rnd in range(1, args.rounds + 1):
            for name, start in rotated((("direct", None), ("ferry", lambda: ferry(binary, workdir, 1, "0")),
                                        ("haproxy", lambda: haproxy(workdir, 1, "0")),
                                        ("nginx", lambda: nginx(workdir, 1, "0"))), rnd):
                proxy = start() if start else None
                port = proxy.port if proxy else BACKEND_PORT
                for conns, streams in ((1, 1), (16, 10), (64, 10)):
                    cpu0 = proxy.cpu() if proxy else 0
                    r = h2load(port, conns, streams, args.seconds)
                    r["cpu_s"] = proxy.cpu() - cpu0 if proxy else 0
                    r["peak_rss_kb"] = proxy.peak_rss_kb() if proxy else 0
                    r.update(name=name, connections=conns, streams=streams, round=rnd)
                    results["runs"].append(r)
                    print("round %d  %-8s conns=%-3d streams=%-3d %9.0f req/s  mean %8s  failed %d  cpu %5.1fs  "
                          "peak rss %6d KiB" % (rnd, name, conns, streams, r["rps"], r["mean_request_time"], r["failed"],
                                                r["cpu_s"], r["peak_rss_kb"]), flush=True)
                if proxy:
                    proxy.stop()
    finally:
        be.stop()

    def find(name, conns, streams):
        return median_run(results["runs"], name=name, connections=conns, streams=streams)
    print("\nh2 throughput ratios to HAProxy (one worker), medians of %d round(s)" % args.rounds)
    for conns, streams in ((1, 1), (16, 10), (64, 10)):
        h = find("haproxy", conns, streams)
        print("conns=%-3d streams=%-3d ferry/haproxy %.2fx  nginx/haproxy %.2fx" % (
            conns, streams, find("ferry", conns, streams)["rps"] / h["rps"], find("nginx", conns, streams)["rps"] / h["rps"]))
    # The proxy's CPU time per request: what throughput costs, steadier than throughput itself on
    # a shared machine. h2load's warm-up second is counted at the measured rate (approximate).
    print("\nproxy CPU per request (user + system), medians of %d round(s)" % args.rounds)
    for conns, streams in ((16, 10), (64, 10)):
        per = {}
        for name in ("ferry", "haproxy", "nginx"):
            costs = [r["cpu_s"] * 1e6 / (r["rps"] * (args.seconds + 1)) for r in results["runs"]
                     if r["name"] == name and r["connections"] == conns and r["streams"] == streams and r["rps"] > 0]
            per[name] = statistics.median(costs)
        print("conns=%-3d streams=%-3d ferry %.2f us  haproxy %.2f us  nginx %.2f us  ferry/haproxy %.2fx" % (
            conns, streams, per["ferry"], per["haproxy"], per["nginx"], per["ferry"] / per["haproxy"]))

    # gRPC unary latency, direct and through Ferry.
    peers = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration")
    server = subprocess.Popen(["taskset", "-c", "1", "/usr/bin/python3", "-c",
                               "import sys, time; sys.path.insert(0, %r); import grpc_peers; "
                               "grpc_peers.EchoServer(%d); time.sleep(3600)" % (peers, GRPC_PORT)])
    try:
        deadline = time.monotonic() + 10
        while free(GRPC_PORT) and time.monotonic() < deadline:
            time.sleep(0.05)
        fe = ferry(binary, workdir, 1, "0")
        try:
            direct = grpc_latency("127.0.0.1:%d" % GRPC_PORT, args.grpc_calls)
            through = grpc_latency("127.0.0.1:%d" % FERRY_GRPC_PORT, args.grpc_calls)
        finally:
            fe.stop()
    finally:
        server.kill()
        server.wait()
    results["grpc"] = {"direct": direct, "ferry": through}
    for name, r in (("direct", direct), ("ferry", through)):
        print("grpc unary %-7s %6d calls  %6.0f calls/s  p50 %6.0f us  p99 %6.0f us  p99.9 %6.0f us"
              % (name, r["calls"], r["rps"], r["p50"], r["p99"], r["p999"]))
    print("grpc added latency through Ferry: p50 %.0f us, p99 %.0f us" % (through["p50"] - direct["p50"],
                                                                        through["p99"] - direct["p99"]))
    save_and_clean(results, args.json, workdir)


if __name__ == "__main__":
    main()
