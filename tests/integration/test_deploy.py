"""deploy/: the Kubernetes manifests are accepted by kubectl (`apply --dry-run=client
--validate=false`, against the local API server of k8s_peer.py, which serves the discovery
documents kubectl reads first); each ConfigMap carries its config example verbatim, and the
probes, ports and environment agree with that config; the systemd unit passes
`systemd-analyze verify`; the container recipe installs a Debian package for every shared
library the installed binary and plugins load."""
import glob
import os
import re
import subprocess

import yaml

from harness import FERRY, PLUGIN_DIR, SANITIZER, SOURCE_DIR, FerryTestCase, main
from k8s_peer import KubernetesApi

DEPLOY = os.path.join(SOURCE_DIR, "deploy")
MANIFESTS = sorted(glob.glob(os.path.join(DEPLOY, "kubernetes", "*.yaml")))
CONFIGS = {"daemonset.yaml": "k8s-daemonset.yaml", "sidecar.yaml": "k8s-sidecar.yaml"}


def read(path):
    with open(path) as f:
        return f.read()


# What a sanitized build (make test-asan, test-tsan) links besides a release build's libraries.
SANITIZER_RUNTIMES = ("libasan8", "libubsan1", "libtsan2")


class DeployTest(FerryTestCase):
    def kubectl_dry_run(self, path):
        api = KubernetesApi()
        self._stops.append(api.stop)
        kubeconfig = self.write("kubeconfig", """apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "http://127.0.0.1:%d"}
contexts:
- name: local
  context: {cluster: local, namespace: default}
current-context: local
users: []
""" % api.port)
        return subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "apply", "--dry-run=client", "--validate=false",
                               "-f", path], capture_output=True, text=True, timeout=120)

    def test_kubectl_accepts_every_manifest(self):
        self.assertEqual([os.path.basename(m) for m in MANIFESTS], sorted(CONFIGS))
        for path in MANIFESTS:
            with self.subTest(manifest=os.path.basename(path)):
                p = self.kubectl_dry_run(path)
                self.assertEqual(p.returncode, 0, p.stderr)
                kinds = [d["kind"] for d in yaml.safe_load_all(read(path)) if d]
                self.assertEqual(len(re.findall(r"created \(dry run\)", p.stdout)), len(kinds), p.stdout)

    def test_kubectl_refuses_a_broken_manifest(self):
        broken = self.write("broken.yaml", read(MANIFESTS[0]).replace("kind: DaemonSet", "kind: DaemonSett"))
        p = self.kubectl_dry_run(broken)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("DaemonSett", p.stderr)

    def test_config_maps_carry_the_examples_and_agree_with_the_pods(self):
        for manifest, example in CONFIGS.items():
            with self.subTest(manifest=manifest):
                docs = [d for d in yaml.safe_load_all(read(os.path.join(DEPLOY, "kubernetes", manifest))) if d]
                config_text = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["config.yaml"]
                self.assertEqual(config_text, read(os.path.join(SOURCE_DIR, "config-examples", example)))
                config = yaml.safe_load(config_text)
                pod = next(d for d in docs if d["kind"] in ("DaemonSet", "Deployment"))["spec"]["template"]["spec"]
                ferry = next(c for c in pod["containers"] if c["name"] in ("l5d", "ferry"))
                admin_port = config["admin"]["port"]
                for probe in ("readinessProbe", "livenessProbe"):
                    self.assertEqual(ferry[probe]["httpGet"], {"path": "/admin/ping", "port": admin_port})
                ports = {p["containerPort"] for p in ferry["ports"]}
                for router in config["routers"]:
                    for server in router["servers"]:
                        if server["ip"] != "127.0.0.1":
                            self.assertIn(server["port"], ports, "router %s" % router["label"])
                self.assertIn(admin_port, ports)
                # What the config's namers and transformers read from the environment is set.
                env = {e["name"] for e in ferry.get("env", [])}
                text = config_text
                if "io.l5d.k8s.ns" in text:
                    self.assertIn("POD_NAMESPACE", env)
                if "io.l5d.k8s.localnode" in text:
                    self.assertIn("POD_IP", env)
                # Every namer reads the API through the pod's kubectl proxy.
                proxies = [c for c in pod["containers"] if c.get("args", [])[:1] == ["proxy"]]
                self.assertTrue(proxies)
                for namer in config["namers"]:
                    self.assertEqual((namer["host"], namer["port"]), ("localhost", int(proxies[0]["args"][2])))
                self.assertEqual(ferry["args"], ["/etc/ferry/config.yaml"])

    def test_systemd_unit_verifies(self):
        unit = read(os.path.join(DEPLOY, "systemd", "ferry.service"))
        self.assertIn("ExecStart=/usr/local/bin/ferry /etc/ferry/linkerd.yaml", unit)
        # Verified with the built binary where the unit expects the installed one.
        local = self.write("ferry.service", unit.replace("/usr/local/bin/ferry", FERRY))
        p = subprocess.run(["systemd-analyze", "verify", local], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("ferry.service:", p.stderr)

    def test_container_recipe_installs_every_library_ferry_loads(self):
        recipe = read(os.path.join(DEPLOY, "container", "Containerfile"))
        runtime = recipe.split("FROM debian:12-slim", 1)[1]
        installed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", runtime.split("install -y -qq --no-install-recommends", 1)[1]
                                   .split("&&", 1)[0]))
        libraries = set()
        for binary in [FERRY] + glob.glob(os.path.join(PLUGIN_DIR, "*.so")):
            out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
            libraries |= {m.group(1) for m in re.finditer(r"=> (/\S+)", out)}
        for library in sorted(libraries):
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(library)], capture_output=True, text=True)
            if owner.returncode != 0:
                owner = subprocess.run(["dpkg", "-S", library], capture_output=True, text=True)
            package = owner.stdout.split(":")[0]
            if package in ("libc6", "libgcc-s1"):
                continue  # in every Debian image
            if package in SANITIZER_RUNTIMES and SANITIZER:
                continue  # this suite's build is sanitized; the recipe builds a release
            self.assertIn(package, installed, "%s (%s) is not installed by the runtime stage" % (library, package))


if __name__ == "__main__":
    main()
