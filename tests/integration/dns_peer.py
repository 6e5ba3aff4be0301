"""A real DNS server for io.l5d.dnssrv's tests: dnsmasq (Debian's dnsmasq-base) on 127.0.0.1 at
a free port, authoritative for `test.` (a name it does not know is NXDOMAIN, not forwarded).

    dns = DnsServer(workdir)
    dns.set_srv("_http._tcp.users.test", [("node-a.test", 8080), ("node-b.test", 8081, 10, 5)])
    dns.set_host("node-a.test", "127.0.0.1")
    dns.start()          # or dns.apply() after changes: dnsmasq reads its records when it starts
    dns.pause() / dns.resume()   # SIGSTOP / SIGCONT: queries go unanswered (timeouts)
    dns.stop()           # queries are refused (ICMP port unreachable)

Ready means it answers a query (`wait_ready`), not that the process exists."""
import os
import random
import signal
import socket
import struct
import subprocess

from harness import wait_until


def free_udp_and_tcp_port():
    """A port free for both UDP and TCP on 127.0.0.1 (dnsmasq listens on both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


def query_id_answered(port, timeout=0.5):
    """Sends one SOA query for `test.` and says whether any answer with its id came back."""
    qid = random.randrange(1 << 16)
    question = b"\x04test\x00" + struct.pack(">HH", 6, 1)
    message = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(message, ("127.0.0.1", port))
            data, _ = s.recvfrom(4096)
        except OSError:
            return False
    return len(data) >= 2 and struct.unpack(">H", data[:2])[0] == qid


class DnsServer:
    def __init__(self, workdir):
        self.workdir = workdir
        self.port = free_udp_and_tcp_port()
        self.srv = {}    # name -> [(target, port, priority, weight)]
        self.hosts = {}  # name -> [ip]
        self.proc = None

    def set_srv(self, name, records):
        """records: (target, port) or (target, port, priority, weight)."""
        self.srv[name] = [(r[0], r[1], r[2], r[3]) if len(r) == 4 else (r[0], r[1], 0, 0) for r in records]

    def remove_srv(self, name):
        self.srv.pop(name, None)

    def set_host(self, name, *ips):
        self.hosts[name] = list(ips)

    def _config(self):
        lines = ["no-resolv", "no-hosts", "port=%d" % self.port, "listen-address=127.0.0.1", "bind-interfaces",
                 "local=/test/", "no-negcache"]
        for name, records in sorted(self.srv.items()):
            for target, port, priority, weight in records:
                lines.append("srv-host=%s,%s,%d,%d,%d" % (name, target, port, priority, weight))
        for name, ips in sorted(self.hosts.items()):
            lines.append("host-record=%s,%s" % (name, ",".join(ips)))
        return "\n".join(lines) + "\n"

    def start(self):
        path = os.path.join(self.workdir, "dnsmasq.conf")
        with open(path, "w") as f:
            f.write(self._config())
        args = ["dnsmasq", "--conf-file=" + path, "--keep-in-foreground", "--pid-file=", "--log-facility=-"]
        if os.geteuid() == 0:
            args.append("--user=root")  # no privileges to drop: it only reads its config
        self.log = open(os.path.join(self.workdir, "dnsmasq.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self):
        wait_until(lambda: self.proc.poll() is None and query_id_answered(self.port), timeout=30,
                   what="dnsmasq answering on 127.0.0.1:%d (%s)" % (self.port, os.path.join(self.workdir, "dnsmasq.log")))

    def apply(self):
        """Restarts with the records as they are now, on the same port."""
        self.stop()
        self.start()

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None
        # Until the port is closed for certain, a restart could find it taken.
        wait_until(lambda: udp_port_free(self.port), timeout=10, what="dnsmasq's port released")


def udp_port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        try:
            u.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
