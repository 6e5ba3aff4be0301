#!/usr/bin/env python3
"""Service discovery at scale: Ferry with io.l5d.k8s watching 10,000 services and 100,000
endpoints, every one of them bound by a request (so each has its client, load balancer and
endpoint set in every worker).

    bench/discovery_scale.py [--build-dir build] [--services 10000] [--endpoints 10]
                             [--changes 20] [--requests 20000] [--skip-callgrind | --skip-memory]

Measures, on the local Kubernetes API of the tests (tests/integration/k8s_peer.py):
  1. the whole process's RSS: idle, once the namespace is listed, and once every service is bound;
  2. how long an endpoint change takes to reach routing: from the moment the API server has the
     new Endpoints (the watch event is then written) to the first request answered by the new
     endpoint, requests sent back to back on one connection (a request's own time, about 0.2 ms,
     bounds the resolution);
  3. the cost of a request with 10 and with --services services bound, in instructions counted
     by callgrind (one worker; the difference between --requests + 2,000 and 2,000 requests,
     start-up, listing and binding cancelled out), so the figure does not depend on what else the
     machine is doing.

The services' endpoints are addresses in 127.0.0.0/8 where nothing listens, except svc-0's, which
are two local HTTP servers (A and B): binding requests to the others are answered 502 at once.
Not a test: a measurement to read (docs/benchmarks.md).
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from harness import rss_kb, wait_until  # noqa: E402
from k8s_peer import KubernetesApi, endpoints  # noqa: E402

WARM = 2000
PORT = 8080


def named_server(name):
    body = name.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fake_ip(k):
    """The k-th endpoint's address: 127.1.0.0 onwards, where nothing listens."""
    k += 1 << 16
    return "127.%d.%d.%d" % ((k >> 16) & 255, (k >> 8) & 255, k & 255)


def populate(api, services, per_service, svc0_port):
    for i in range(services):
        if i == 0:
            obj = endpoints("svc-0", [("127.0.0.1", "node-0")], ports=[("http", svc0_port)])
        else:
            obj = endpoints("svc-%d" % i, [(fake_ip(i * per_service + j), "node-%d" % (j % 50))
                                           for j in range(per_service)], ports=[("http", PORT)])
        api.set_endpoints("default", obj)
    api.compact()  # the history of the set-up is not replayed to Ferry's watch


def config(api_port):
    return """admin: {port: 0}
namers:
- kind: io.l5d.k8s
  host: 127.0.0.1
  port: %d
routers:
- protocol: http
  label: scale
  dtab: /svc => /#/io.l5d.k8s/default/http;
  servers: [{port: 0}]
""" % api_port


def start_ferry(command, workdir, name):
    log = open(os.path.join(workdir, name + ".log"), "w+")
    proc = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)

    def addresses():
        text = open(log.name).read()
        if proc.poll() is not None:
            raise SystemExit("ferry exited:\n" + text)
        if "ready in" not in text:
            return None
        admin = re.search(r"\[admin\] serving on http://([\d.]+:\d+)/admin", text).group(1)
        router = re.search(r"\[router/scale\] serving \S+ on ([\d.]+:\d+)", text).group(1)
        return admin, router

    wait_until(lambda: addresses() is not None, timeout=600, what="ferry to start (" + log.name + ")")
    admin, router = addresses()
    return proc, admin, router


def bind_all(router, services, threads=8):
    """One request per service, over keep-alive connections: each service gets its client."""
    host, port = router.split(":")
    statuses = {}
    lock = threading.Lock()

    def run(first):
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        for i in range(first, services, threads):
            conn.request("GET", "/", headers={"Host": "svc-%d" % i})
            r = conn.getresponse()
            r.read()
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=120)
        conn.close()

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return statuses


def admin_json(admin, path):
    with urllib.request.urlopen("http://%s%s" % (admin, path), timeout=60) as r:
        return json.loads(r.read())


def memory_and_changes(args, workdir):
    a, b = named_server("A"), named_server("B")
    api = KubernetesApi()
    started = time.monotonic()
    populate(api, args.services, args.endpoints, a.server_address[1])
    print("API populated: %d services, %d endpoints (%.1f s)" %
          (args.services, 1 + (args.services - 1) * args.endpoints, time.monotonic() - started))
    cfg = os.path.join(workdir, "scale.yaml")
    with open(cfg, "w") as f:
        f.write(config(api.port))
    proc, admin, router = start_ferry([os.path.join(args.build_dir, "bin", "ferry"), "--workers", "2", cfg],
                                      workdir, "scale")
    try:
        idle = rss_kb(proc.pid)
        # The first request lists the namespace (all services at once).
        host, port = router.split(":")
        started = time.monotonic()
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        conn.request("GET", "/", headers={"Host": "svc-0"})
        r = conn.getresponse()
        assert r.read() == b"A", r.status
        listed_s = time.monotonic() - started
        listed = rss_kb(proc.pid)
        started = time.monotonic()
        statuses = bind_all(router, args.services)
        bind_s = time.monotonic() - started
        bound = rss_kb(proc.pid)
        clients = len(admin_json(admin, "/client_state.json"))
        print("RSS: idle %.1f MiB; namespace listed %.1f MiB (first request %.2f s); %d services bound %.1f MiB "
              "(%d clients; binding requests %s in %.1f s)" %
              (idle / 1024, listed / 1024, listed_s, args.services, bound / 1024, clients, statuses, bind_s))

        # Endpoint changes of svc-0, A <-> B: time from the API's change to the first answer from the
        # new endpoint.
        latencies = []
        backends = [("B", b.server_address[1]), ("A", a.server_address[1])]
        for k in range(args.changes):
            name, target = backends[k % 2]
            obj = endpoints("svc-0", [("127.0.0.1", "node-0")], ports=[("http", target)])
            t0 = time.monotonic()
            api.set_endpoints("default", obj)
            deadline = t0 + 10
            while True:
                conn.request("GET", "/", headers={"Host": "svc-0"})
                r = conn.getresponse()
                if r.read() == name.encode():
                    latencies.append((time.monotonic() - t0) * 1000)
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("change %d did not reach routing in 10 s" % k)
        conn.close()
        latencies.sort()
        print("endpoint change to routing, %d changes: p50 %.1f ms, p90 %.1f ms, max %.1f ms" %
              (len(latencies), latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.9) - 1],
               latencies[-1]))
        print("RSS after the changes: %.1f MiB" % (rss_kb(proc.pid) / 1024))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        api.stop()
        a.shutdown()
        b.shutdown()


def instructions(args, workdir, services, requests):
    """Total instructions of one ferry (one worker, under callgrind) that bound `services`
    services and then proxied `requests` requests to svc-0."""
    a = named_server("A")
    api = KubernetesApi()
    populate(api, services, args.endpoints, a.server_address[1])
    cfg = os.path.join(workdir, "cg.yaml")
    with open(cfg, "w") as f:
        f.write(config(api.port))
    out = os.path.join(workdir, "callgrind.%d.%d.out" % (services, requests))
    proc, admin, router = start_ferry(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                                       os.path.abspath(os.path.join(args.build_dir, "bin", "ferry")),
                                       "--workers", "1", cfg], workdir, "cg.%d.%d" % (services, requests))
    try:
        bind_all(router, services, threads=4)
        r = subprocess.run(["h2load", "--h1", "-c16", "-n", str(requests), "-H", ":authority: svc-0",
                            "http://%s/" % router], capture_output=True, text=True, timeout=1800)
        ok = re.search(r"(\d+) succeeded", r.stdout)
        if not ok or int(ok.group(1)) != requests:
            raise SystemExit("h2load did not get every response:\n" + r.stdout + r.stderr)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=300)
        api.stop()
        a.shutdown()
    return int(re.search(r"^summary: (\d+)", open(out).read(), re.M).group(1))


def per_request(args, workdir):
    for services in (10, args.services):
        warm = instructions(args, workdir, services, WARM)
        full = instructions(args, workdir, services, WARM + args.requests)
        print("%d services bound: %d instructions per proxied request (callgrind; %d and %d in all)" %
              (services, round((full - warm) / args.requests), warm, full))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--endpoints", type=int, default=10, help="endpoints per service")
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--skip-callgrind", action="store_true")
    parser.add_argument("--skip-memory", action="store_true", help="only the per-request cost (callgrind)")
    args = parser.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    with tempfile.TemporaryDirectory(prefix="ferry-scale-") as workdir:
        if not args.skip_memory:
            memory_and_changes(args, workdir)
        if not args.skip_callgrind:
            per_request(args, workdir)


if __name__ == "__main__":
    sys.exit(main())
