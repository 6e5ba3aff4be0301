"""Code shown in the docs is the code that compiles: every `<!-- include FILE#TAG -->` block
must equal the `//[TAG ... //]` region of FILE."""
import glob
import os
import re

from harness import SOURCE_DIR, FerryTestCase, main

INCLUDE = re.compile(r"<!-- include (\S+)#(\S+) -->\n```\w*\n(.*?)```", re.S)


class DocsTest(FerryTestCase):
    def test_included_code_matches_the_sources(self):
        found = 0
        for doc in glob.glob(os.path.join(SOURCE_DIR, "docs", "*.md")):
            with open(doc) as f:
                text = f.read()
            for path, tag, shown in INCLUDE.findall(text):
                found += 1
                with open(os.path.join(SOURCE_DIR, path)) as f:
                    source = f.read()
                m = re.search(r"//\[" + re.escape(tag) + r"\n(.*?)//\]\n", source, re.S)
                self.assertIsNotNone(m, "%s has no region %s" % (path, tag))
                self.assertEqual(shown, m.group(1), "%s shows a stale copy of %s#%s" % (doc, path, tag))
        self.assertGreater(found, 0)


if __name__ == "__main__":
    main()
