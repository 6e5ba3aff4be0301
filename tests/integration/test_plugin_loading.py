"""Plugin discovery in a real install layout: <exe>/../lib/ferry/plugins, FERRY_PLUGIN_PATH and
--plugin-dir; io.l5d.fs comes from its own shared object."""
import os
import shutil

from harness import FERRY, PLUGIN_DIR, FerryTestCase, main, run_ferry

CONFIG = """
namers:
- kind: io.l5d.fs
  rootDir: {root}
routers:
- protocol: http
  servers: [{{port: 0}}]
"""


class PluginLoadingTest(FerryTestCase):
    def install_copy(self, without=(), prefix="prefix"):
        """A private install: bin/ferry and lib/ferry/plugins, minus some plugins."""
        prefix = os.path.join(self.tmp, prefix)
        os.makedirs(os.path.join(prefix, "bin"))
        shutil.copy(FERRY, os.path.join(prefix, "bin", "ferry"))
        plugins = os.path.join(prefix, "lib", "ferry", "plugins")
        os.makedirs(plugins)
        for name in os.listdir(PLUGIN_DIR):
            if name not in without:
                shutil.copy(os.path.join(PLUGIN_DIR, name), plugins)
        return os.path.join(prefix, "bin", "ferry"), plugins

    def config(self):
        root = os.path.join(self.tmp, "disco")
        os.makedirs(root, exist_ok=True)
        return self.write("linkerd.yaml", CONFIG.format(root=root))

    def run_copy(self, binary, *args, env=None):
        import subprocess
        return subprocess.run([binary, *args], capture_output=True, text=True, timeout=30, env=env)

    def test_default_directory_next_to_the_binary(self):
        binary, _ = self.install_copy()
        p = self.run_copy(binary, "--validate-config", self.config())
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_fs_namer_missing_names_the_kind(self):
        binary, _ = self.install_copy(without=("ferry-namer-fs.so",))
        p = self.run_copy(binary, "--validate-config", self.config())
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"unknown namer kind 'io.l5d.fs'; available: io\.l5d\.consul, ")
        self.assertNotIn("io.l5d.fs,", p.stderr)
        # With no namer plugin at all, the message says so.
        namers = tuple(n for n in os.listdir(PLUGIN_DIR) if n.startswith("ferry-namer-"))
        binary, _ = self.install_copy(without=namers, prefix="bare")
        p = self.run_copy(binary, "--validate-config", self.config())
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown namer kind 'io.l5d.fs'; no namer plugins are loaded", p.stderr)
        p = self.run_copy(binary, "--list-plugins")
        self.assertNotIn("io.l5d.fs", p.stdout)
        self.assertIn("p2c", p.stdout)

    def test_fs_namer_from_plugin_dir_and_environment(self):
        binary, _ = self.install_copy(without=("ferry-namer-fs.so",))
        extra = os.path.join(self.tmp, "extra")
        os.makedirs(extra)
        shutil.copy(os.path.join(PLUGIN_DIR, "ferry-namer-fs.so"), extra)
        p = self.run_copy(binary, "--plugin-dir", extra, "--validate-config", self.config())
        self.assertEqual(p.returncode, 0, p.stderr)
        env = dict(os.environ, FERRY_PLUGIN_PATH=extra)
        p = self.run_copy(binary, "--list-plugins", env=env)
        self.assertIn(os.path.join(os.path.realpath(extra), "ferry-namer-fs.so"), p.stdout)

    def test_bad_plugin_in_a_searched_directory_is_fatal(self):
        binary, plugins = self.install_copy()
        with open(os.path.join(plugins, "ferry-namer-broken.so"), "w") as f:
            f.write("not an ELF file")
        p = self.run_copy(binary, "--validate-config", self.config())
        self.assertEqual(p.returncode, 1)
        self.assertIn("ferry-namer-broken.so: cannot load:", p.stderr)

    def test_missing_default_protocol_plugin(self):
        binary, _ = self.install_copy(without=("ferry-protocol-http.so",))
        p = self.run_copy(binary, "--validate-config", self.config())
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown protocol kind 'http'", p.stderr)


if __name__ == "__main__":
    main()
