"""Linkerd 1.7.5's own example configs (shared/reference/linkerd-examples): each one that uses
only what Ferry implements validates and runs unchanged; each other one fails with exit 1 and
messages that name the missing kinds or settings, and nothing else (no "unknown key" noise)."""
import os
import re
import signal
import subprocess
import tempfile
import unittest

from harness import FERRY, SOURCE_DIR, FerryTestCase, main, run_ferry, wait_until

EXAMPLES = os.path.join(SOURCE_DIR, "..", "shared", "reference", "linkerd-examples")
MISSING_FILE = re.compile(r"'([^']+)': cannot read the file")
NAMED = re.compile(r"unknown \w+ kind '[^']+'|kind '[^']+' is not supported yet|"
                   r"Ferry does not support yet")


@unittest.skipUnless(os.path.isdir(EXAMPLES), "shared/reference/linkerd-examples is not beside the repository")
class LinkerdExamplesTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        # The examples name paths relative to Linkerd's repository: linkerd/examples/...
        os.makedirs(os.path.join(self.tmp, "linkerd"))
        os.symlink(os.path.realpath(EXAMPLES), os.path.join(self.tmp, "linkerd", "examples"))

    def test_examples(self):
        runnable = []
        for name in sorted(os.listdir(EXAMPLES)):
            if not name.endswith(".yaml"):
                continue
            path = os.path.join("linkerd", "examples", name)
            p = run_ferry("--validate-config", path, cwd=self.tmp)
            with self.subTest(example=name):
                if p.returncode == 0:
                    runnable.append(path)
                    continue
                self.assertEqual(p.returncode, 1, p.stderr)
                errors = [l for l in p.stderr.splitlines()[1:] if l.strip()]
                self.assertTrue(errors, p.stderr)
                for line in errors:
                    self.assertRegex(line, NAMED, "%s: an error that does not name a missing feature" % name)
        self.assertIn("linkerd/examples/static_namer.yaml", runnable)
        for path in runnable:
            with self.subTest(run=path):
                log = open(os.path.join(self.tmp, "run.log"), "w+")
                proc = subprocess.Popen([FERRY, "--workers", "1", path], cwd=self.tmp, stdout=log, stderr=subprocess.STDOUT)
                try:
                    wait_until(lambda: proc.poll() is not None or "ready in" in open(log.name).read(),
                               what="%s to start" % path)
                    output = open(log.name).read()
                    missing = MISSING_FILE.search(output)
                    if proc.poll() == 1 and missing and not os.path.exists(missing.group(1)):
                        # The TLS examples name certificates under /foo that exist nowhere: they
                        # validate, and refuse to start naming the file, as Linkerd does.
                        continue
                    self.assertIsNone(proc.poll(), output)
                finally:
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGTERM)
                        self.assertEqual(proc.wait(timeout=15), 0)
                    log.close()


if __name__ == "__main__":
    main()
