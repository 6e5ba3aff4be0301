"""io.l5d.dnssrv against a real DNS server (dnsmasq, dns_peer.py): SRV records appearing, scaling
and disappearing reach routing with no request; a name that does not exist is Neg, so dtab
fallbacks flip; the DNS server hung or gone keeps the last good state, a name never resolved
fails with the reason in l5d-err, and the main thread keeps serving while a lookup waits."""
import time
import urllib.parse

from dns_peer import DnsServer
from harness import FerryTestCase, http_request, main, run_ferry, wait_until

USERS = "_http._tcp.users.test"


def config(dns_hosts, refresh=1, fallback_port=None):
    hosts = "" if dns_hosts is None else "  dnsHosts: [%s]\n" % ", ".join(dns_hosts)
    fallback = "" if fallback_port is None else " | /$/inet/127.0.0.1/%d" % fallback_port
    return """
admin: {port: 0}
namers:
- kind: io.l5d.dnssrv
  experimental: true
  refreshIntervalSeconds: %d
%s
routers:
- protocol: http
  label: dns
  dtab: |
    /svc => /#/io.l5d.dnssrv;
    /svc/users => /#/io.l5d.dnssrv/%s%s;
  bindingTimeoutMs: 20000
  servers:
  - port: 0
""" % (refresh, hosts, USERS, fallback)


class DnsSrvNamerTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.dns = DnsServer(self.tmp)
        self._stops.append(self.dns.stop)
        self.a = self.start_backend("a")
        self.b = self.start_backend("b")
        self.dns.set_host("node-a.test", "127.0.0.1")
        self.dns.set_host("node-b.test", "127.0.0.1")

    def start(self, dns_hosts="default", **kw):
        hosts = ["127.0.0.1:%d" % self.dns.port] if dns_hosts == "default" else dns_hosts
        self.ferry = self.start_ferry(config(hosts, **kw))
        self.router = self.ferry.router("dns")

    def get(self, host):
        status, headers, body = http_request(self.router, headers={"Host": host})
        return status, body.decode(), urllib.parse.unquote_plus(headers.get("l5d-err", ""))

    def body(self, host):
        return self.get(host)[:2]

    def state(self):
        return self.ferry.admin_json("/namer_state/io.l5d.dnssrv.json")

    def test_routes_and_follows_scaling_and_removal(self):
        self.dns.set_srv(USERS, [("node-a.test", self.a.port, 10, 5)])
        self.dns.start()
        self.start(fallback_port=self.b.port)
        self.assertEqual(self.body("users"), (200, "a GET /"))
        addresses = self.ferry.admin_json("/client_state.json")["/#/io.l5d.dnssrv/%s" % USERS]["addresses"]
        self.assertEqual(addresses, ["127.0.0.1:%d" % self.a.port], addresses)
        # Scaled out: a second record; both endpoints get traffic, with no request to trigger it.
        self.dns.set_srv(USERS, [("node-a.test", self.a.port), ("node-b.test", self.b.port)])
        self.dns.apply()
        wait_until(lambda: len(self.state()["names"][USERS.lower()]["addresses"]) == 2, what="the second record")
        seen = {self.body("users")[1] for _ in range(40)}
        self.assertEqual(seen, {"a GET /", "b GET /"})
        # The record removed: NXDOMAIN is an authoritative "no", so the dtab's fallback serves.
        self.dns.remove_srv(USERS)
        self.dns.set_srv("_http._tcp.other.test", [("node-a.test", self.a.port)])
        self.dns.apply()
        wait_until(lambda: self.state()["names"][USERS.lower()]["state"] == "neg", what="the name gone")
        self.assertEqual({self.body("users")[1] for _ in range(10)}, {"b GET /"})
        self.assertGreaterEqual(self.ferry.metrics()["namer/io.l5d.dnssrv/lookup_successes_total"], 2)
        # What the namer resolves is listed in /bound-names.json.
        self.assertEqual(self.body("_http._tcp.other.test"), (200, "a GET /"))
        self.assertIn("/#/io.l5d.dnssrv/_http._tcp.other.test", self.ferry.admin_json("/bound-names.json"))

    def test_unknown_name_is_neg_and_says_so(self):
        self.dns.start()
        self.start()
        status, body, err = self.get("_http._tcp.nobody.test")
        self.assertEqual(status, 502, body)  # Neg: no hosts, as Linkerd answers a name that does not resolve
        self.assertIn("The name did not resolve (neg)", body)
        state = self.state()["names"]["_http._tcp.nobody.test"]
        self.assertEqual(state["state"], "neg")
        self.assertIn("no such name (127.0.0.1:%d)" % self.dns.port, state["error"])

    def test_dns_hung_then_gone_keeps_the_last_state_and_recovers(self):
        self.dns.set_srv(USERS, [("node-a.test", self.a.port)])
        self.dns.start()
        self.start()
        self.assertEqual(self.body("users"), (200, "a GET /"))
        self.dns.pause()  # SIGSTOP: queries go unanswered
        wait_until(lambda: self.state()["names"][USERS.lower()]["failures"] >= 1, timeout=60,
                   what="a lookup that timed out")
        self.assertEqual(self.body("users"), (200, "a GET /"), "the last good state routes")
        # A name never resolved while the server hangs: the main thread is not blocked (the admin
        # answers at once), and the request fails with the reason once the lookup gives up.
        started = time.monotonic()
        self.ferry.admin_get("/admin/ping")
        self.assertLess(time.monotonic() - started, 2.0, "the admin server waited on DNS")
        status, body, err = self.get("_http._tcp.fresh.test")
        self.assertEqual(status, 502, body)
        self.assertIn("_http._tcp.fresh.test: no answer", err)
        # Gone altogether (the port closed): still the last good state.
        self.dns.stop()
        wait_until(lambda: "cannot be reached" in (self.state()["names"][USERS.lower()]["error"] or ""),
                   what="the refused lookups")
        self.assertEqual(self.body("users"), (200, "a GET /"))
        self.assertGreaterEqual(self.ferry.metrics()["namer/io.l5d.dnssrv/errors"], 2)
        # Back, with a change: picked up at the next refresh.
        self.dns.set_srv(USERS, [("node-b.test", self.b.port)])
        self.dns.start()
        wait_until(lambda: self.body("users") == (200, "b GET /"), what="the change after the server came back")
        self.assertIsNone(self.state()["names"][USERS.lower()]["error"])

    def test_targets_without_an_address_are_left_out(self):
        self.dns.set_srv(USERS, [("node-a.test", self.a.port), ("ghost.test", self.b.port)])
        self.dns.set_srv("_http._tcp.ghosts.test", [("ghost.test", self.b.port)])
        self.dns.start()
        self.start()
        self.assertEqual({self.body("users")[1] for _ in range(10)}, {"a GET /"})
        state = self.state()["names"][USERS.lower()]
        self.assertEqual(state["addresses"], ["127.0.0.1:%d" % self.a.port])
        self.assertEqual(len(state["unresolvedTargets"]), 1, state)
        self.assertTrue(state["unresolvedTargets"][0].startswith("ghost.test: "), state)
        # Only targets without an address: nothing to route to, so Neg.
        status, body, _ = self.get("_http._tcp.ghosts.test")
        self.assertEqual(status, 502, body)
        self.assertIn("The name did not resolve (neg)", body)
        self.assertGreaterEqual(self.ferry.metrics()["namer/io.l5d.dnssrv/unknown_srv_hosts_results_total"], 1)
        self.assertGreaterEqual(self.ferry.metrics()["namer/io.l5d.dnssrv/lookup_zero_results_total"], 1)

    def test_dns_hosts_by_name_and_the_system_resolver(self):
        self.dns.set_srv(USERS, [("node-a.test", self.a.port)])
        self.dns.start()
        # `localhost` is found in /etc/hosts (possibly as ::1 too, where nothing listens: the
        # next server is tried).
        self.start(dns_hosts=["localhost:%d" % self.dns.port])
        self.assertEqual(self.body("users"), (200, "a GET /"))

    def test_dns_host_without_an_address_fails_with_its_name(self):
        self.dns.start()
        self.start(dns_hosts=["no-such-dns-server.invalid"])
        status, body, err = self.get("users")
        self.assertEqual(status, 502, body)
        self.assertIn("DNS server 'no-such-dns-server.invalid' has no address", err)

    def test_config_errors_at_startup(self):
        path = self.write("bad.yaml", config(["127.0.0.1:70000"]))
        p = run_ferry(path)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("bad.yaml:7:14: DNS server '127.0.0.1:70000': the port must be 1-65535", p.stderr)
        path = self.write("notexp.yaml", config(None).replace("  experimental: true\n", ""))
        p = run_ferry(path)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("io.l5d.dnssrv' is experimental; set 'experimental: true' to use it", p.stderr)


if __name__ == "__main__":
    main()
