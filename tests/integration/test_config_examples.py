"""Every file in config-examples/ validates (Linkerd's ExamplesTest); a file whose first line
is `# notest` is skipped."""
import glob
import os

from harness import SOURCE_DIR, FerryTestCase, main, run_ferry


class ConfigExamplesTest(FerryTestCase):
    def test_every_example_validates(self):
        files = sorted(glob.glob(os.path.join(SOURCE_DIR, "config-examples", "*.yaml")))
        self.assertTrue(files, "config-examples/ has no examples")
        for path in files:
            with open(path) as f:
                if f.readline().startswith("# notest"):
                    continue
            with self.subTest(example=os.path.basename(path)):
                # Examples use paths relative to the repository root, as `make run` does.
                p = run_ferry("--validate-config", os.path.relpath(path, SOURCE_DIR), cwd=SOURCE_DIR)
                self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    main()
