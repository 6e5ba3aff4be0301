"""TLS on servers and clients (Linkerd 1.x docs: TLS) with real peers: nghttp and curl over TLS with
ALPN, Ferry-to-Ferry TLS with certificate verification, and the errors for bad certificates."""
import json
import os
import subprocess

from harness import Backend, FerryTestCase, curl, fs_config, main, run_ferry
from h2_peers import H2Backend


def make_pki(directory, name="web.test"):
    """A CA and a certificate for `name` (web.test) signed by it; returns the paths (the
    certificate and key are web.pem and web.key whatever the name)."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory, timeout=60)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Ferry Test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "web.key", "-out", "web.csr", "-subj", "/CN=" + name)
    with open(os.path.join(directory, "ext"), "w") as f:
        f.write("subjectAltName=DNS:%s\n" % name)
    run("x509", "-req", "-in", "web.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "web.pem",
        "-days", "2", "-extfile", "ext")
    return {k: os.path.join(directory, k) for k in ("ca.pem", "web.pem", "web.key")}


class TlsTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.pki = make_pki(self.tmp)
        self.h2 = H2Backend()
        self._stops.append(self.h2.stop)
        self.write("disco/web", "127.0.0.1 %d\n" % self.h2.port)

    def tls_server(self, protocol, label, extra=""):
        # web.test is this server's own name: it routes to the backend named web.
        return """
- protocol: %s
  label: %s
  dtab: /svc => /#/io.l5d.fs; /svc/web.test => /#/io.l5d.fs/web;
  servers:
  - port: 0
    tls: {certPath: %s, keyPath: %s}
%s""" % (protocol, label, self.pki["web.pem"], self.pki["web.key"], extra)

    def test_h2_server_negotiates_h2_with_alpn(self):
        ferry = self.start_ferry(fs_config(self.tls_server("h2", "secure")))
        p = subprocess.run(["nghttp", "-v", "-H", ":authority: web", "https://%s/echo" % ferry.router("secure")],
                           capture_output=True, text=True, timeout=20)
        self.assertIn("The negotiated protocol: h2", p.stdout)
        self.assertIn(":status: 200", p.stdout)

    def test_http_server_over_tls_with_curl_verifying_the_certificate(self):
        backend = self.start_backend("plain")
        self.write("disco/web", "127.0.0.1 %d\n" % backend.port)
        ferry = self.start_ferry(fs_config(self.tls_server("http", "secure")))
        port = ferry.router("secure").split(":")[1]
        code, out, err = curl("-v", "--cacert", self.pki["ca.pem"], "--resolve", "web.test:%s:127.0.0.1" % port,
                              "-H", "Host: web", "https://web.test:%s/hello" % port)
        self.assertEqual(code, 0, err)
        self.assertIn("plain", out)
        self.assertIn("ALPN: server accepted http/1.1", err)

    def test_linker_to_linker_over_tls_verifies_the_common_name(self):
        # The incoming router speaks TLS; the outgoing one trusts the CA and checks web.test.
        incoming = self.start_ferry(fs_config(self.tls_server("h2", "incoming")))
        out_router = """
- protocol: h2
  label: outgoing
  dtab: /svc => /$/inet/%s;
  servers: [{port: 0}]
  client:
    tls: {commonName: %s, trustCerts: [%s]}
"""
        target = incoming.router("incoming").replace(":", "/")
        good = self.start_ferry(fs_config(out_router % (target, "web.test", self.pki["ca.pem"])))
        p = subprocess.run(["nghttp", "-H", ":authority: web", "http://%s/echo" % good.router("outgoing")],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        vias = [v for k, v in json.loads(p.stdout)["headers"] if k == "via"]
        self.assertEqual(vias, ["h2 ferry", "h2 ferry"])  # two hops, the second over TLS

    def test_static_client_tls_names_the_service_and_can_be_disabled_per_prefix(self):
        # Linkerd's tls.yaml and disable-tls.yaml layout: commonName "{service}" from the prefix,
        # and `enabled: false` for one prefix.
        incoming = self.start_ferry(fs_config(self.tls_server("h2", "incoming")))
        self.write("disco/web.test", "127.0.0.1 %s\n" % incoming.router("incoming").split(":")[1])
        self.write("disco/plain", "127.0.0.1 %d\n" % self.h2.port)
        outgoing = self.start_ferry(fs_config("""
- protocol: h2
  label: outgoing
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: 0}]
  client:
    kind: io.l5d.static
    configs:
    - prefix: /#/io.l5d.fs/{service}
      tls: {commonName: "{service}", trustCertsBundle: %s}
    - prefix: /#/io.l5d.fs/plain
      tls: {enabled: false}
""" % self.pki["ca.pem"]))
        for authority in ("web.test", "plain"):
            p = subprocess.run(["nghttp", "-H", ":authority: " + authority, "http://%s/echo" % outgoing.router("outgoing")],
                               capture_output=True, text=True, timeout=20)
            self.assertEqual(p.returncode, 0, p.stderr)
            vias = [v for k, v in json.loads(p.stdout)["headers"] if k == "via"]
            self.assertEqual(len(vias), 2 if authority == "web.test" else 1, authority)

    def test_a_certificate_for_another_name_is_refused_with_502(self):
        incoming = self.start_ferry(fs_config(self.tls_server("h2", "incoming")))
        target = incoming.router("incoming").replace(":", "/")
        wrong = self.start_ferry(fs_config("""
- protocol: h2
  label: outgoing
  dtab: /svc => /$/inet/%s;
  servers: [{port: 0}]
  client:
    tls: {commonName: other.test, trustCerts: [%s]}
""" % (target, self.pki["ca.pem"])))
        p = subprocess.run(["nghttp", "-v", "-H", ":authority: web", "http://%s/echo" % wrong.router("outgoing")],
                           capture_output=True, text=True, timeout=20)
        self.assertIn(":status: 502", p.stdout)
        self.assertIn("certificate", p.stdout)  # l5d-err says why

    def test_missing_certificate_fails_at_startup_naming_the_file(self):
        path = self.write("bad.yaml", fs_config("""
- protocol: h2
  servers:
  - port: 0
    tls: {certPath: /nonexistent/cert.pem, keyPath: /nonexistent/key.pem}
"""))
        p = subprocess.Popen([harness_ferry(), path], cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        out, _ = p.communicate(timeout=20)
        self.assertEqual(p.returncode, 1, out)
        self.assertIn("tls certPath '/nonexistent/cert.pem': cannot read the file", out)

    def startup_error(self, cert, key):
        """Starts Ferry with a TLS server on `cert` and `key` (stdin closed); returns its exit code and output."""
        path = self.write("bad.yaml", fs_config("""
- protocol: h2
  servers:
  - port: 0
    tls: {certPath: %s, keyPath: %s}
""" % (cert, key)))
        p = subprocess.run([harness_ferry(), path], cwd=self.tmp, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=20)
        return p.returncode, p.stdout

    def test_unreadable_certificate_and_mismatched_key_are_described(self):
        # OpenSSL's libcrypto error strings are not loaded (core/main/openssl_early_init.cc): Ferry
        # describes these itself.
        garbage = self.write("garbage.pem", "not a certificate\n")
        rc, out = self.startup_error(garbage, self.pki["web.key"])
        self.assertEqual(rc, 1, out)
        self.assertIn("tls certPath '%s': PEM routines: no PEM data in the file (OpenSSL error" % garbage, out)
        rc, out = self.startup_error(self.pki["web.pem"], os.path.join(self.tmp, "ca.key"))
        self.assertEqual(rc, 1, out)
        self.assertIn("the key does not match the certificate", out)

    def test_an_encrypted_key_fails_at_startup_without_prompting(self):
        subprocess.run(["openssl", "pkey", "-in", "web.key", "-aes-128-cbc", "-passout", "pass:secret", "-out",
                        "encrypted.key"], check=True, capture_output=True, cwd=self.tmp, timeout=60)
        rc, out = self.startup_error(self.pki["web.pem"], os.path.join(self.tmp, "encrypted.key"))
        self.assertEqual(rc, 1, out)
        self.assertIn("encrypted.key': the key is encrypted; give an unencrypted PEM key", out)
        self.assertNotIn("pass phrase", out)

    def test_client_tls_needs_a_common_name(self):
        path = self.write("bad.yaml", fs_config("""
- protocol: h2
  servers: [{port: 0}]
  client: {tls: {trustCerts: [ca.pem]}}
"""))
        p = run_ferry("--validate-config", path, cwd=self.tmp)
        self.assertEqual(p.returncode, 1)
        self.assertIn("client tls needs commonName", p.stderr)


def harness_ferry():
    import harness
    return harness.FERRY


if __name__ == "__main__":
    main()
