"""`make install` layout and the out-of-tree plugin workflow of docs/plugin-authoring.md: install
Ferry to a prefix, build the example namer in its own directory with find_package(FerrySdk), load
it into the installed ferry and route a request through it."""
import os
import shutil
import subprocess

from harness import BUILD_DIR, SANITIZER, SOURCE_DIR, FerryTestCase, http_request, main

STANDALONE_CMAKE = """cmake_minimum_required(VERSION 3.25)
project(static_namer CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(FerrySdk REQUIRED)
ferry_add_plugin(NAME static CATEGORY namer SOURCES plugin.cc)
"""


class SdkInstallTest(FerryTestCase):
    def test_install_then_build_a_plugin_out_of_tree(self):
        prefix = os.path.join(self.tmp, "prefix")
        p = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        for path in ("bin/ferry", "lib/ferry/plugins/ferry-namer-fs.so", "lib/ferry/plugins/ferry-protocol-http.so",
                     "include/ferry/sdk/namer.h", "include/ferry/sdk/plugin.h", "lib/cmake/FerrySdk/FerrySdkConfig.cmake"):
            self.assertTrue(os.path.exists(os.path.join(prefix, path)), path)
        self.assertFalse(os.path.exists(os.path.join(prefix, "lib/ferry/plugins/ferry-namer-static.so")),
                         "the example plugin must not be installed")

        src = os.path.join(self.tmp, "static_namer")
        os.makedirs(src)
        for name in ("plugin.cc", "static_namer.h"):
            shutil.copy(os.path.join(SOURCE_DIR, "plugins/example/static_namer", name), src)
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write(STANDALONE_CMAKE)
        build = os.path.join(self.tmp, "static_build")
        # A plugin for a sanitized host is built the way the host was (the build signature says so).
        flags = ["-DCMAKE_CXX_FLAGS=-fsanitize=" + SANITIZER,
                 "-DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=" + SANITIZER] if SANITIZER else []
        p = subprocess.run(["cmake", "-S", src, "-B", build, "-DCMAKE_PREFIX_PATH=" + prefix, *flags],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = subprocess.run(["cmake", "--build", build], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        plugin_dir = os.path.join(build, "plugins")
        self.assertTrue(os.path.exists(os.path.join(plugin_dir, "ferry-namer-static.so")))

        ferry = os.path.join(prefix, "bin", "ferry")
        p = subprocess.run([ferry, "--plugin-dir", plugin_dir, "--list-plugins"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("com.example.staticNamer", p.stdout)

        backend = self.start_backend("web")
        config = """
admin: {port: 0}
namers:
- kind: com.example.staticNamer
  services:
    web: 127.0.0.1:%d
routers:
- protocol: http
  label: ex
  dtab: /svc => /#/com.example.staticNamer;
  servers: [{port: 0}]
""" % backend.port
        f = self.start_ferry(config, binary=ferry, extra_args=("--plugin-dir", plugin_dir))
        status, _, body = http_request(f.router("ex"), headers={"Host": "web"})
        self.assertEqual((status, body), (200, b"web GET /"))


if __name__ == "__main__":
    main()
