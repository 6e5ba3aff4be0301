"""Soak: many streams over one client connection for minutes (bounded), through Ferry's h2
router to nghttpd. Nothing may stall or fail, and Ferry's memory must not grow."""
import os
import re
import subprocess
import time

from harness import FerryTestCase, SANITIZER, free_port, fs_config, main, rss_kb

SOAK_SECONDS = int(os.environ.get("FERRY_SOAK_SECONDS", "100"))


class H2SoakTest(FerryTestCase):
    def test_streams_over_one_connection_for_minutes(self):
        os.makedirs(os.path.join(self.tmp, "www"))
        with open(os.path.join(self.tmp, "www", "file"), "wb") as f:
            f.write(os.urandom(2048))
        backend_port = free_port()
        backend = subprocess.Popen(["nghttpd", "--no-tls", "-d", os.path.join(self.tmp, "www"), str(backend_port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._stops.append(backend.kill)
        self.write("disco/web", "127.0.0.1 %d\n" % backend_port)
        ferry = self.start_ferry(fs_config("""
- protocol: h2
  label: h2
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: 0}]
"""), workers=1)
        url = "http://%s/file" % ferry.router("h2")

        def load(seconds):
            p = subprocess.run(["h2load", "-t", "1", "-c", "1", "-m", "100", "-D", str(seconds), "-H", ":authority: web",
                                url], capture_output=True, text=True, timeout=seconds + 60)
            done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, "
                             r"(\d+) timeout", p.stdout)
            self.assertIsNotNone(done, p.stdout + p.stderr)
            return [int(x) for x in done.groups()], p.stdout

        (warm, _), = [load(10)]
        self.assertEqual(warm[2:], [0, 0, 0])
        rss_before = rss_kb(ferry.proc.pid)
        started = time.monotonic()
        (counts, out), = [load(SOAK_SECONDS)]
        elapsed = time.monotonic() - started
        rss_after = rss_kb(ferry.proc.pid)
        done, succeeded, failed, errored, timeout = counts
        self.assertEqual((failed, errored, timeout), (0, 0, 0), out)
        self.assertEqual(done, succeeded)
        self.assertGreaterEqual(elapsed, SOAK_SECONDS)
        if not SANITIZER:  # a sanitizer's runtime changes both speed and memory beyond these figures
            # Nothing stalled: the rate held for the whole run (at least 1,000 streams a second).
            self.assertGreater(succeeded, 1000 * SOAK_SECONDS, out)
            # No growth: what the soak adds beyond the warmed-up process is noise, not a leak.
            self.assertLess(rss_after - rss_before, 2048, (rss_before, rss_after))
        metrics = ferry.metrics()
        # Ferry answered no error; the only failures are the streams h2load abandons when each
        # run ends (at most its 100 in flight, twice).
        self.assertFalse([k for k in metrics if k.startswith("rt/h2/service/svc/web/status/5")], metrics)
        self.assertLessEqual(metrics["rt/h2/service/svc/web/failures"], 200)


if __name__ == "__main__":
    main()
