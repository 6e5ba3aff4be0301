"""The command line: help, version, config validation errors, plugin listing, delegation."""
import json
import os

from harness import FerryTestCase, main, run_ferry

FS_CONFIG = """
namers:
- kind: io.l5d.fs
  rootDir: {root}
routers:
- protocol: http
  dtab: /svc => /#/io.l5d.fs;
  servers:
  - port: 0
"""


class CliTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.disco = os.path.join(self.tmp, "disco")
        os.makedirs(self.disco)
        with open(os.path.join(self.disco, "web"), "w") as f:
            f.write("127.0.0.1 8080\n")

    def validate(self, text):
        path = self.write("c.yaml", text)
        return run_ferry("--validate-config", path), path

    def test_help_and_version(self):
        p = run_ferry("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--validate-config", p.stdout)
        self.assertIn("ferry delegate", p.stdout)
        p = run_ferry("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^ferry \d+\.\d+\.\d+ \(plugin ABI \d+\.\d+")

    def test_unknown_option_is_an_error(self):
        p = run_ferry("--no-such-flag")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no-such-flag", p.stderr)

    def test_valid_config(self):
        p, _ = self.validate(FS_CONFIG.format(root=self.disco))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("OK", p.stdout)

    def test_json_config(self):
        text = json.dumps({"namers": [{"kind": "io.l5d.fs", "rootDir": self.disco}],
                           "routers": [{"protocol": "http", "servers": [{"port": 0}]}]})
        p, _ = self.validate(text)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_misspelled_key_names_position_and_suggestion(self):
        p, path = self.validate(FS_CONFIG.format(root=self.disco).replace("rootDir", "rootdir"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s:4:3: unknown key 'rootdir' (did you mean 'rootDir'?)" % path, p.stderr)

    def test_misspelled_router_key(self):
        p, path = self.validate(FS_CONFIG.format(root=self.disco).replace("dtab:", "dtabb:"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown key 'dtabb' (did you mean 'dtab'?)", p.stderr)

    def test_wrong_type(self):
        p, path = self.validate(FS_CONFIG.format(root=self.disco).replace("port: 0", "port: eighty"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s:9:11: expected an integer, got 'eighty'" % path, p.stderr)

    def test_duplicate_labels_and_ports(self):
        text = """
routers:
- protocol: http
  servers: [{port: 4999}]
- protocol: http
  servers: [{port: 4999}]
"""
        p, path = self.validate(text)
        self.assertEqual(p.returncode, 1)
        self.assertIn("router label 'http' is used twice", p.stderr)
        self.assertIn("server 127.0.0.1:4999 conflicts with another server on 127.0.0.1:4999", p.stderr)

    def test_duplicate_yaml_key(self):
        p, path = self.validate("routers: []\nrouters: []\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s:2:1: duplicate key 'routers'" % path, p.stderr)

    def test_unknown_kind_lists_available(self):
        p, _ = self.validate(FS_CONFIG.format(root=self.disco).replace("kind: io.l5d.fs", "kind: io.l5d.marathon"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown namer kind 'io.l5d.marathon'; available: io.l5d.consul, io.l5d.dnssrv, io.l5d.fs, io.l5d.k8s, io.l5d.k8s.external, io.l5d.k8s.ns", p.stderr)

    def test_unknown_protocol(self):
        p, _ = self.validate(FS_CONFIG.format(root=self.disco).replace("protocol: http", "protocol: thrift"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown protocol kind 'thrift'; available: h2, http", p.stderr)

    def test_bad_dtab(self):
        p, path = self.validate(FS_CONFIG.format(root=self.disco).replace("/svc => /#/io.l5d.fs;", "/svc => "))
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid dtab", p.stderr)

    def test_missing_routers(self):
        p, _ = self.validate("namers: []\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("'routers' is required", p.stderr)

    def test_missing_root_dir(self):
        p, _ = self.validate(FS_CONFIG.format(root=os.path.join(self.tmp, "nope")))
        self.assertEqual(p.returncode, 1)
        self.assertIn("is not a directory", p.stderr)

    def test_unsupported_linkerd_key_is_refused_by_name(self):
        text = FS_CONFIG.format(root=self.disco) + "  client:\n    failureAccrual: {kind: none}\n"
        p, _ = self.validate(text)
        self.assertEqual(p.returncode, 1)
        self.assertIn("'failureAccrual' (client) is a Linkerd setting that Ferry does not support yet", p.stderr)

    def test_client_and_service_blocks(self):
        text = FS_CONFIG.format(root=self.disco) + '''  client:
    kind: io.l5d.static
    configs:
    - prefix: /#/io.l5d.fs/{service}
      loadBalancer: {kind: ewma, decayTimeMs: 5000}
      hostConnectionPool: {maxSize: 10, maxWaiters: 100, idleTimeMs: 5000}
      requestAttemptTimeoutMs: 500
  service:
    totalTimeoutMs: 1000
'''
        p, _ = self.validate(text)
        self.assertEqual(p.returncode, 0, p.stderr)
        p, _ = self.validate(text.replace("kind: ewma", "kind: fastest"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown load_balancer kind 'fastest'; available: aperture, ewma, heap, p2c, roundRobin", p.stderr)
        p, _ = self.validate(text.replace("maxSize: 10", "maxSise: 10"))
        self.assertIn("unknown key 'maxSise' (did you mean 'maxSize'?)", p.stderr)

    def test_usage_block_is_accepted(self):
        p, _ = self.validate(FS_CONFIG.format(root=self.disco) + "usage:\n  orgId: acme\n  enabled: false\n")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_validate_binds_no_port(self):
        text = FS_CONFIG.format(root=self.disco).replace("port: 0", "port: 1")  # privileged-free check
        p, _ = self.validate(text)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_list_plugins(self):
        p = run_ferry("--list-plugins")
        self.assertEqual(p.returncode, 0, p.stderr)
        for line in ("namer", "io.l5d.fs", "protocol", "http", "identifier", "io.l5d.header.token",
                     "load_balancer", "p2c", "ferry-namer-fs.so"):
            self.assertIn(line, p.stdout)

    def test_missing_plugin_dir(self):
        p = run_ferry("--list-plugins", "--plugin-dir", os.path.join(self.tmp, "absent"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not exist", p.stderr)

    def test_delegate_text_and_json(self):
        path = self.write("c.yaml", FS_CONFIG.format(root=self.disco))
        p = run_ferry("delegate", "--config", path, "/svc/web/extra")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("/#/io.l5d.fs/web/extra  (/svc => /#/io.l5d.fs)", p.stdout)
        self.assertIn("client /#/io.l5d.fs/web (residual /extra) -> 127.0.0.1:8080", p.stdout)
        p = run_ferry("delegate", "--config", path, "--json", "--dtab", "/svc/web => /$/inet/127.0.0.1/9", "/svc/web")
        self.assertEqual(p.returncode, 0, p.stderr)
        tree = json.loads(p.stdout)
        self.assertEqual(tree["type"], "delegate")
        alt = tree["delegate"]
        self.assertEqual(alt["type"], "alt")
        first = alt["alt"][0]
        self.assertEqual(first["dentry"], {"prefix": "/svc/web", "dst": "/$/inet/127.0.0.1/9"})
        self.assertEqual(first["bound"]["id"], "/$/inet/127.0.0.1/9")

    def test_delegate_bad_path(self):
        path = self.write("c.yaml", FS_CONFIG.format(root=self.disco))
        p = run_ferry("delegate", "--config", path, "not/a/path")
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid path", p.stderr)


if __name__ == "__main__":
    main()
