#!/usr/bin/env python3
"""Measures HTTP/1.1 reverse proxying through Ferry, HAProxy and nginx in one run.

Backend: nginx answering a 13-byte body on 127.0.0.1, with keep-alive. Each proxy keeps
upstream connections alive, runs one worker pinned to CPU 0 (taskset), while wrk and the
backend share CPU 1; then the proxies run two workers. Prints requests/s, latency p50/p99/p99.9
at 1, 16 and 128 connections, the proxy's CPU use and peak RSS, and ratios to HAProxy; plus
Ferry's idle RSS, its RSS with 1,000 open keep-alive connections, and its time from process
start to first routed request. Not a test: a measurement to read.
"""
import argparse
import json
import statistics
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

LUA = r"""
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"p50\": %d, \"p99\": %d, \"p999\": %d}\n",
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
"""

BACKEND_PORT, FERRY_PORT, HAPROXY_PORT, NGINX_PORT, ADMIN_PORT = 18080, 18140, 18141, 18142, 18990


def free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_http(port, path="/", host="bench", timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return True
        except OSError:
            pass
        time.sleep(0.002)
    raise RuntimeError("nothing answers 200 on port %d" % port)


def proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_pids(pid):
    """The process and its descendants (nginx and HAProxy fork workers)."""
    out = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    except OSError:
        children = []
    for c in children:
        out += tree_pids(int(c))
    return out


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Proxy:
    def __init__(self, name, argv, port, workdir):
        self.name, self.port = name, port
        self.log = open(os.path.join(workdir, name + ".log"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=workdir)
        wait_http(port)

    def pids(self):
        return tree_pids(self.proc.pid)

    def cpu(self):
        return sum(proc_stat(p) for p in self.pids())

    def peak_rss_kb(self):
        return sum(status_kb(p, "VmHWM") for p in self.pids())

    def rss_kb(self):
        return sum(status_kb(p, "VmRSS") for p in self.pids())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wrk(port, connections, seconds, script, cpu):
    argv = ["taskset", "-c", cpu, "wrk", "-t1", "-c%d" % connections, "-d%ds" % seconds, "-s", script,
            "-H", "Host: bench", "http://127.0.0.1:%d/" % port]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    m = re.search(r"JSON (\{.*\})", out)
    if not m:
        raise RuntimeError("wrk printed no summary:\n" + out)
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def nginx_backend(workdir):
    conf = os.path.join(workdir, "backend.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes 1; daemon off; pid %s/backend.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:%d backlog=4096; location / { return 200 "hello, world\\n"; } } }
""" % (workdir, BACKEND_PORT))
    return Proxy("backend", ["taskset", "-c", "1", "nginx", "-c", conf, "-p", workdir], BACKEND_PORT, workdir)


def ferry(binary, workdir, workers, cpus):
    os.makedirs(os.path.join(workdir, "disco"), exist_ok=True)
    with open(os.path.join(workdir, "disco", "bench"), "w") as f:
        f.write("127.0.0.1 %d\n" % BACKEND_PORT)
    with open(os.path.join(workdir, "ferry.yaml"), "w") as f:
        f.write("""admin: {port: %d}
namers: [{kind: io.l5d.fs, rootDir: disco}]
routers:
- protocol: http
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: %d}]
""" % (ADMIN_PORT, FERRY_PORT))
    return Proxy("ferry", ["taskset", "-c", cpus, binary, "--log-level", "warning", "--workers", str(workers),
                           "ferry.yaml"], FERRY_PORT, workdir)


def median_run(runs, **key):
    """Per-configuration medians over the rounds: requests/s, and p50/p99 where measured.

    One run decides little on a shared machine (HAProxy alone moved by up to 30% between runs),
    so each configuration is measured once per round, the proxies' order rotating from round to
    round, and the ratios are taken between medians."""
    rs = [r for r in runs if all(r[k] == v for k, v in key.items())]
    return {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p99", "p999") if k in rs[0]}


def rotated(items, rnd):
    """`items` starting at a different one in every round: a machine that speeds up or slows down
    during a round then does not favour the same proxy every time."""
    k = (rnd - 1) % len(items)
    return items[k:] + items[:k]


def save_and_clean(results, json_path, workdir):
    """Writes the results to `json_path` when one was asked for, and removes the work directory."""
    if json_path:
        with open(json_path, "w") as f:
            json.dump(results, f, indent=2)
    shutil.rmtree(workdir, ignore_errors=True)


def haproxy_config(workdir, name, workers, port, backend_port, proto=""):
    """An HAProxy config: one frontend, one server, upstream reuse; `proto` ("h2") on both sides."""
    conf = os.path.join(workdir, name)
    option = " proto %s" % proto if proto else ""
    with open(conf, "w") as f:
        f.write("""global
  nbthread %d
  maxconn 9000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:%d%s
  default_backend be
backend be
  server s1 127.0.0.1:%d%s
""" % (workers, port, option, backend_port, option))
    return conf


def haproxy(workdir, workers, cpus):
    conf = haproxy_config(workdir, "haproxy.cfg", workers, HAPROXY_PORT, BACKEND_PORT)
    return Proxy("haproxy", ["taskset", "-c", cpus, "haproxy", "-db", "-f", conf], HAPROXY_PORT, workdir)


def nginx_proxy(workdir, workers, cpus):
    conf = os.path.join(workdir, "proxy.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes %d; daemon off; pid %s/proxy.pid; error_log stderr error;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000;
  upstream be { server 127.0.0.1:%d; keepalive 256; }
  server { listen 127.0.0.1:%d backlog=4096;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
""" % (workers, workdir, BACKEND_PORT, NGINX_PORT))
    return Proxy("nginx", ["taskset", "-c", cpus, "nginx", "-c", conf, "-p", workdir], NGINX_PORT, workdir)


def hold_connections(port, n):
    """Opens n keep-alive connections and sends one request on each; returns the sockets."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
        socks.append(s)
    for s in socks:
        s.recv(4096)
    return socks


def start_to_first_request(binary, workdir):
    """Milliseconds from exec to the first 200 through Ferry (best of 5)."""
    best = None
    for _ in range(5):
        t0 = time.monotonic()
        p = ferry(binary, workdir, 1, "0")
        ms = (time.monotonic() - t0) * 1000
        p.stop()
        best = ms if best is None else min(best, ms)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", default="build/bin/ferry")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3, help="runs of every configuration; ratios use the medians")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    binary = os.path.abspath(args.ferry)
    for port in (BACKEND_PORT, FERRY_PORT, HAPROXY_PORT, NGINX_PORT, ADMIN_PORT):
        if not free(port):
            sys.exit("port %d on 127.0.0.1 is in use" % port)
    for tool in ("wrk", "haproxy", "nginx", "taskset"):
        if not shutil.which(tool):
            sys.exit("%s is not installed (bench/http1.sh installs it)" % tool)
    workdir = tempfile.mkdtemp(prefix="ferry-bench-")
    script = os.path.join(workdir, "report.lua")
    with open(script, "w") as f:
        f.write(LUA)
    results = {"machine": {"cpus": os.cpu_count(), "kernel": os.uname().release,
                           "cpu": open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t")}}
    backend = nginx_backend(workdir)
    try:
        # Ferry's own figures first, on a quiet machine.
        results["ferry_start_to_first_request_ms"] = start_to_first_request(binary, workdir)
        p = ferry(binary, workdir, 1, "0")
        time.sleep(0.2)
        results["ferry_idle_rss_kb"] = p.rss_kb()
        socks = hold_connections(FERRY_PORT, 1000)
        time.sleep(0.2)
        results["ferry_rss_1000_conns_kb"] = p.rss_kb()
        for s in socks:
            s.close()
        p.stop()

        runs = []
        for rnd in range(1, args.rounds + 1):
            for workers, cpus, conns_list in ((1, "0", (1, 16, 128)), (2, "0,1", (128,))):
                for name, start in rotated((("direct", None), ("ferry", lambda: ferry(binary, workdir, workers, cpus)),
                                            ("haproxy", lambda: haproxy(workdir, workers, cpus)),
                                            ("nginx", lambda: nginx_proxy(workdir, workers, cpus))), rnd):
                    if name == "direct" and workers == 2:
                        continue
                    proxy = start() if start else None
                    port = proxy.port if proxy else BACKEND_PORT
                    wrk(port, 16, 2, script, "1")  # warm up connections and caches
                    for conns in conns_list:
                        cpu0 = proxy.cpu() if proxy else 0
                        r = wrk(port, conns, args.seconds, script, "1")
                        r["cpu_pct"] = (proxy.cpu() - cpu0) / (r["duration_us"] / 1e6) * 100 if proxy else 0
                        r["peak_rss_kb"] = proxy.peak_rss_kb() if proxy else 0
                        r.update(name=name, workers=workers, connections=conns, round=rnd)
                        runs.append(r)
                        print("round %d  %-8s workers=%d conns=%-4d %9.0f req/s  p50 %5d us  p99 %6d us  p99.9 %6d us  "
                              "cpu %5.1f%%  peak rss %6d KiB  errors %d"
                              % (rnd, name, workers, conns, r["rps"], r["p50"], r["p99"], r["p999"], r["cpu_pct"],
                                 r["peak_rss_kb"], r["errors"]), flush=True)
                    if proxy:
                        proxy.stop()
        results["runs"] = runs
    finally:
        backend.stop()

    def find(name, workers, conns):
        return median_run(runs, name=name, workers=workers, connections=conns)
    print("\nRatios to HAProxy, medians of %d round(s) (throughput: higher is better; added latency: lower is better)"
          % args.rounds)
    direct1 = find("direct", 1, 1)
    for workers, conns in ((1, 1), (1, 16), (1, 128), (2, 128)):
        h, f, n = find("haproxy", workers, conns), find("ferry", workers, conns), find("nginx", workers, conns)
        line = "workers=%d conns=%-4d ferry/haproxy %.2fx  nginx/haproxy %.2fx" % (workers, conns, f["rps"] / h["rps"],
                                                                                n["rps"] / h["rps"])
        if conns == 1:
            line += "".join("  added %s: ferry %d us, haproxy %d us, nginx %d us;" % (
                label, f[k] - direct1[k], h[k] - direct1[k], n[k] - direct1[k])
                for label, k in (("p50", "p50"), ("p99", "p99"), ("p99.9", "p999")))
        print(line)
    print("\nTargets (medians of the rounds)")
    ferry1, haproxy1 = find("ferry", 1, 1), find("haproxy", 1, 1)
    for label, k in (("p99", "p99"), ("p99.9", "p999")):
        f, h = ferry1[k] - direct1[k], haproxy1[k] - direct1[k]
        print("  added %-5s at 1 connection <= HAProxy's: ferry %d us, haproxy %d us: %s"
              % (label, f, h, "met" if f <= h else "MISSED"))
    for conns in (16, 128):
        ratio = find("ferry", 1, conns)["rps"] / find("haproxy", 1, conns)["rps"]
        print("  throughput, 1 worker, %d connections >= 1.0x HAProxy: %.2fx: %s"
              % (conns, ratio, "met" if ratio >= 1.0 else "MISSED"))
    print("\nFerry: idle RSS %.1f MiB, RSS with 1,000 keep-alive connections %.1f MiB, start to first routed request %.1f ms"
          % (results["ferry_idle_rss_kb"] / 1024, results["ferry_rss_1000_conns_kb"] / 1024,
             results["ferry_start_to_first_request_ms"]))
    save_and_clean(results, args.json, workdir)


if __name__ == "__main__":
    main()
