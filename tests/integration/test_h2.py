"""protocol: h2 against real peers: nghttp and h2load (nghttp2-client), nghttpd (nghttp2-server),
and python-h2 clients and servers that reset streams, stop reading or die mid-stream."""
import hashlib
import json
import os
import signal
import subprocess
import time

from harness import FerryTestCase, SANITIZER, fs_config, http_request, main, rss_kb, wait_until
from h2_peers import H2Backend, H2Client, RawH2Connection, RawH2Upstream

PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, ENHANCE_YOUR_CALM = 1, 3, 6, 7, 8, 11

H2_ROUTER = """
- protocol: h2
  label: h2
  dtab: /svc => /#/io.l5d.fs;
  servers:
  - port: 0
{server_extra}
"""


class H2Base(FerryTestCase):
    """An h2 router in front of an H2Backend named web."""

    def setUp(self):
        super().setUp()
        self.backend = H2Backend()
        self._stops.append(self.backend.stop)
        self.write("disco/web", "127.0.0.1 %d\n" % self.backend.port)

    def start(self, server_extra="", router_extra=""):
        config = fs_config(H2_ROUTER.format(server_extra=server_extra) + router_extra)
        self.ferry = self.start_ferry(config)
        self.addr = self.ferry.router("h2")
        return self.ferry

    def client(self, **kw):
        c = H2Client(self.addr, **kw)
        self._stops.append(c.close)
        return c


class H2Test(H2Base):
    def test_nghttp_request_is_routed_with_linkerd_headers(self):
        self.start()
        p = subprocess.run(["nghttp", "-v", "-H", ":authority: web", "-H", "l5d-dtab: /svc/other => /svc/web",
                            "http://%s/echo" % self.addr], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(":status: 200", p.stdout)
        self.assertIn("via: h2 ferry", p.stdout)
        body = json.loads(p.stdout[p.stdout.index('{"headers"'):p.stdout.rindex("}") + 1])
        got = dict((k, v) for k, v in body["headers"])
        self.assertEqual(got[":authority"], "web")
        self.assertEqual(got[":path"], "/echo")
        self.assertEqual(got["l5d-dst-service"], "/svc/web")
        self.assertEqual(got["l5d-dst-client"], "/#/io.l5d.fs/web")
        self.assertEqual(got["l5d-ctx-dtab"], "/svc/other=>/svc/web")
        self.assertNotIn("l5d-dtab", got)
        self.assertEqual(got["via"], "h2 ferry")
        self.assertTrue(got["l5d-reqid"])

    def test_streams_spread_over_connections_at_the_upstream_stream_limit(self):
        # An upstream that takes 2 streams per connection: 6 slow streams at once need 3.
        limited = H2Backend(max_concurrent_streams=2)
        self._stops.append(limited.stop)
        self.write("disco/limited", "127.0.0.1 %d\n" % limited.port)
        self.start()
        c = self.client()
        # One request first: Ferry learns this connection's limit from its SETTINGS.
        self.assertEqual(c.read(c.start("/echo", authority="limited"))["status"], 200)
        sids = [c.start("/stream?n=5&size=10&delay=0.2", authority="limited") for _ in range(6)]
        for sid in sids:
            r = c.read(sid, timeout=20)
            self.assertTrue(r["ended"], r)
            self.assertEqual(len(r["body"]), 50)
        # Two streams fit on the first connection; the other four needed more. (How many more
        # depends on whether each new connection's SETTINGS arrive before its streams do; the
        # ones the upstream refuses meanwhile are retried.)
        self.assertGreaterEqual(limited.connections, 2)

    def test_h2load_many_streams_over_few_connections(self):
        self.start()
        p = subprocess.run(["h2load", "-n", "20000", "-c", "4", "-m", "20", "-H", ":authority: web",
                            "http://%s/echo" % self.addr], capture_output=True, text=True, timeout=120)
        self.assertIn("20000 succeeded, 0 failed, 0 errored", p.stdout, p.stdout + p.stderr)
        self.assertIn("status codes: 20000 2xx", p.stdout)
        # One multiplexed upstream connection per worker at most, not one per stream.
        metrics = self.ferry.metrics()
        connects = sum(v for k, v in metrics.items() if k.startswith("rt/h2/client/") and k.endswith("/connects"))
        self.assertLessEqual(connects, 2, {k: v for k, v in metrics.items() if "connect" in k})

    def test_large_bodies_stream_both_ways_with_trailers(self):
        self.start()
        body = os.urandom(8 * 1024 * 1024)
        c = self.client()
        sid = c.start("/echo", method="POST", headers=[("x-want-trailers", "1")], body=body)
        r = c.read(sid, timeout=30)
        self.assertEqual(r["status"], 200)
        echoed = json.loads(r["body"])
        self.assertEqual(echoed["length"], len(body))
        self.assertEqual(echoed["sha256"], hashlib.sha256(body).hexdigest())
        self.assertIn(("x-body-sha256", hashlib.sha256(body).hexdigest()), r["trailers"])
        # A long download: 32 MiB in 16 KiB frames, every byte there, trailers last.
        sid = c.start("/stream?n=2048&size=16384")
        r = c.read(sid, timeout=60)
        self.assertTrue(r["ended"], r["reset"])
        self.assertEqual(len(r["body"]), 2048 * 16384)
        self.assertEqual(r["trailers"], [("grpc-status", "0")])

    def test_stream_metrics_count_data_trailers_and_resets_per_side(self):
        self.start()
        c = self.client()
        body = b"x" * 100000
        sid = c.start("/echo", method="POST", headers=[("x-want-trailers", "1")], body=body)
        self.assertEqual(c.read(sid)["status"], 200)
        sid = c.start("/reset?code=%d&after=10" % ENHANCE_YOUR_CALM)
        self.assertEqual(c.read(sid)["reset"], ENHANCE_YOUR_CALM)
        server = "rt/h2/server/%s/stream/" % self.addr.replace(":", "/")
        client = "rt/h2/client/#/io.l5d.fs/web/stream/"
        m = wait_until(lambda: (lambda m: m.get(server + "local/reset") == 1 and m)(self.ferry.metrics()),
                       what="the reset counted")
        self.assertEqual(m[server + "remote/data/bytes"], len(body))   # what the client sent
        self.assertEqual(m[client + "local/data/bytes"], len(body))    # what Ferry sent upstream
        self.assertGreaterEqual(m[server + "remote/data/frames"], len(body) // 16384)
        self.assertEqual(m[client + "remote/trailers"], 1)             # x-body-sha256 came back
        self.assertEqual(m[server + "local/trailers"], 1)
        self.assertEqual(m[client + "remote/reset"], 1)                # the upstream's RST_STREAM
        self.assertEqual(m[server + "remote/reset"], 0)
        # Per message: both requests ended; one response ended, the other was reset mid-way.
        scope = server[:-len("stream/")]
        self.assertEqual(m[scope + "request/stream/stream_success"], 2)
        self.assertEqual(m[scope + "request/stream/data_bytes"], len(body))
        self.assertEqual(m[scope + "response/stream/stream_success"], 1)
        self.assertEqual(m[scope + "response/stream/stream_failures"], 1)
        self.assertEqual(m[scope + "stream/total_latency_ms.count"], 2)
        upstream = client[:-len("stream/")]
        self.assertEqual(m[upstream + "request/stream/stream_success"], 2)
        self.assertEqual(m[upstream + "response/stream/stream_failures"], 1)

    def test_unidentified_request_is_refused_with_refused_stream(self):
        self.start(router_extra="  identifier: {kind: io.l5d.header.token, header: x-route}\n")
        c = self.client()
        sid = c.start("/echo")
        r = c.read(sid)
        self.assertEqual(r["reset"], REFUSED_STREAM)
        self.assertIsNone(r["status"])
        # The connection carries on.
        sid = c.start("/echo", headers=[("x-route", "web")])
        self.assertEqual(c.read(sid)["status"], 200)

    def test_no_endpoints_is_502_with_l5d_err(self):
        self.start()
        c = self.client()
        sid = c.start("/echo", authority="nowhere")
        r = c.read(sid)
        self.assertEqual(r["status"], 502)
        err = dict(r["headers"]).get("l5d-err", "")
        self.assertIn("nowhere", err)
        self.assertIn("No+hosts", err)

    def test_upstream_reset_reaches_the_client_with_its_code(self):
        self.start()
        c = self.client()
        # After the response started: the client's stream is reset with the same code.
        sid = c.start("/reset?code=%d&after=1000" % ENHANCE_YOUR_CALM)
        r = c.read(sid)
        self.assertEqual(r["status"], 200)
        self.assertEqual(r["reset"], ENHANCE_YOUR_CALM)
        # Before any response: Linkerd's answer, 502 with l5d-err naming the code.
        sid = c.start("/reset?code=%d&after=-1" % REFUSED_STREAM)
        r = c.read(sid)
        self.assertEqual(r["status"], 502)
        self.assertIn("REFUSED_STREAM", dict(r["headers"]).get("l5d-err", ""))
        # Other streams on the same connections are unaffected.
        sid = c.start("/echo")
        self.assertEqual(c.read(sid)["status"], 200)

    def test_client_cancel_resets_the_upstream_stream(self):
        self.start()
        c = self.client()
        sid = c.start("/infinite")
        r = c.read(sid, max_bytes=100000)
        self.assertEqual(r["status"], 200)
        c.reset(sid, CANCEL)
        wait_until(lambda: ("/infinite", CANCEL) in self.backend.resets, what="the upstream to see CANCEL")
        sid = c.start("/echo")
        self.assertEqual(c.read(sid)["status"], 200)

    def test_a_client_that_stops_reading_holds_memory_bounded(self):
        self.start()
        c = self.client()
        c.acknowledge = False  # never send WINDOW_UPDATE: the client's window closes
        sid = c.start("/infinite")
        r = c.read(sid, max_bytes=65535, timeout=10)
        self.assertEqual(r["status"], 200)
        # The upstream is stalled by flow control: nothing more leaves it (the count holds still for
        # a whole second), and what did is at most the windows and buffers in between (client
        # window, Ferry's outbox, its stream window).
        readings = []

        def still():
            readings.append(self.backend.sent)
            return len(readings) > 10 and readings[-1] == readings[-11]
        wait_until(still, timeout=60, interval=0.1, what="the upstream to stall")
        self.assertLess(self.backend.sent, 2 * 1024 * 1024)
        if not SANITIZER:
            self.assertLess(rss_kb(self.ferry.proc.pid), 40 * 1024)
        # Once the client reads again, the stream moves on.
        c.acknowledge = True
        c.conn.acknowledge_received_data(len(r["body"]), sid)
        c.sock.sendall(c.conn.data_to_send())
        r2 = c.read(sid, max_bytes=1024 * 1024, timeout=10)
        self.assertGreaterEqual(len(r2["body"]), 1024 * 1024)
        c.reset(sid, CANCEL)

    def test_upstream_dying_mid_stream_resets_the_client_and_ferry_keeps_serving(self):
        self.start()
        c = self.client()
        sid = c.start("/die?after=50000")
        r = c.read(sid)
        self.assertEqual(r["status"], 200)
        self.assertIsNotNone(r["reset"], "the client's stream must be reset, not left hanging")
        sid = c.start("/echo")
        self.assertEqual(c.read(sid)["status"], 200)

    def test_settings_are_advertised_and_enforced(self):
        self.start(server_extra="    maxConcurrentStreamsPerConnection: 7\n    initialStreamWindowBytes: 1048576\n"
                                "    maxFrameBytes: 32768\n    maxHeaderListBytes: 4096\n    windowUpdateRatio: 0.5\n")
        raw = RawH2Connection(self.addr)
        self._stops.append(raw.close)
        settings = raw.until(lambda frames: [f for f in frames if f[0] == 4 and not f[1] & 1])
        self.assertTrue(settings, raw.frames)
        payload = settings[0][3]
        values = {int.from_bytes(payload[i:i + 2], "big"): int.from_bytes(payload[i + 2:i + 6], "big")
                  for i in range(0, len(payload), 6)}
        self.assertEqual(values.get(3), 7)          # MAX_CONCURRENT_STREAMS
        self.assertEqual(values.get(4), 1048576)    # INITIAL_WINDOW_SIZE
        self.assertEqual(values.get(5), 32768)      # MAX_FRAME_SIZE
        self.assertEqual(values.get(6), 4096)       # MAX_HEADER_LIST_SIZE
        c = self.client()
        sid = c.start("/echo", headers=[("x-big", "a" * 5000)])
        r = c.read(sid)
        self.assertEqual(r["status"], 431)
        self.assertIn("maxHeaderListBytes", dict(r["headers"]).get("l5d-err", ""))

    def test_call_depth_is_400(self):
        self.start(server_extra="    maxCallDepth: 2\n")
        c = self.client()
        sid = c.start("/echo", headers=[("via", "h2 a, h2 b")])
        r = c.read(sid)
        self.assertEqual(r["status"], 400)
        self.assertIn("Maximum+number+of+calls", dict(r["headers"]).get("l5d-err", ""))


class H2LifecycleTest(H2Base):
    """Connections coming and going: GOAWAY both ways, refused streams, dead peers."""

    def test_refused_stream_without_body_is_retried(self):
        self.start()
        c = self.client()
        sid = c.start("/refuse-once?key=get")
        self.assertEqual(c.read(sid)["status"], 200)
        paths = [dict(h)[":path"] for h in self.backend.requests]
        self.assertEqual(paths.count("/refuse-once?key=get"), 2)
        # An upstream that refuses every time gets three tries, then the client a 502.
        sid = c.start("/reset?code=7&after=-1")
        r = c.read(sid)
        self.assertEqual(r["status"], 502)
        paths = [dict(h)[":path"] for h in self.backend.requests]
        self.assertEqual(paths.count("/reset?code=7&after=-1"), 3)
        # With body bytes already sent upstream the request cannot be replayed: 502.
        sid = c.start("/refuse-once?key=post&on=data", method="POST", body=b"payload")
        r = c.read(sid)
        self.assertEqual(r["status"], 502)
        self.assertIn("REFUSED_STREAM", dict(r["headers"]).get("l5d-err", ""))

    def test_upstream_goaway_moves_new_streams_to_a_new_connection(self):
        self.start()
        c = self.client()
        sid = c.start("/goaway")
        self.assertEqual(c.read(sid)["status"], 200)
        wait_until(lambda: self.backend.connections >= 1, what="a connection")
        for _ in range(3):
            sid = c.start("/echo")
            self.assertEqual(c.read(sid)["status"], 200)
        self.assertEqual(self.backend.connections, 2)

    def test_keepalive_ping_detects_a_silent_upstream(self):
        self.start(router_extra="  pingIntervalMs: 200\n")
        c = self.client()
        started = time.monotonic()
        sid = c.start("/hang")
        r = c.read(sid, timeout=10)
        self.assertEqual(r["status"], 200)
        self.assertIsNotNone(r["reset"], "a stream on a dead connection must be reset, not hang")
        self.assertLess(time.monotonic() - started, 3)
        sid = c.start("/echo")
        self.assertEqual(c.read(sid)["status"], 200)

    def test_shutdown_sends_goaway_and_finishes_streams_in_flight(self):
        self.start()
        # A 2-second stream; SIGTERM arrives in its middle.
        client = subprocess.Popen(["nghttp", "-v", "-H", ":authority: web",
                                   "http://%s/stream?n=20&size=1000&delay=0.1" % self.addr],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_until(lambda: any(dict(h).get(":path", "").startswith("/stream") for h in self.backend.requests),
                   what="the stream to reach the backend")
        self.ferry.proc.send_signal(signal.SIGTERM)
        out, _ = client.communicate(timeout=20)
        self.assertEqual(client.returncode, 0, out)
        self.assertIn("recv GOAWAY frame", out)
        self.assertIn("error_code=NO_ERROR", out)
        self.assertEqual(out.count("recv DATA frame <length=1000"), 20, out)
        self.assertIn("grpc-status: 0", out)  # the trailers, last
        self.assertEqual(self.ferry.proc.wait(timeout=10), 0)


class H2UpstreamRulesTest(FerryTestCase):
    """Responses that break HTTP/2's message rules (RFC 9113 §8.1-8.3), sent by a raw upstream:
    Ferry checks upstream responses itself (plugins/protocol/h2/response_checks.h), with the
    outcomes nghttp2's own checks had: the upstream stream is reset (PROTOCOL_ERROR) and the
    client gets a 502 naming the rule, or a reset when the head had already gone out."""

    def get_through_ferry(self, fields, body=b""):
        upstream = RawH2Upstream(fields, body)
        self._stops.append(upstream.stop)
        self.write("disco/web", "127.0.0.1 %d\n" % upstream.port)
        ferry = self.start_ferry(fs_config(H2_ROUTER.format(server_extra="")))
        client = H2Client(ferry.router("h2"))
        self._stops.append(client.close)
        return upstream, client.read(client.start("/x"))

    def test_an_upper_case_field_name_fails_the_request_with_502(self):
        upstream, r = self.get_through_ferry([(":status", "200"), ("X-Upper", "1")])
        self.assertEqual(r["status"], 502)
        self.assertIn("upper-case", dict(r["headers"])["l5d-err"])
        wait_until(lambda: PROTOCOL_ERROR in upstream.resets)

    def test_a_connection_specific_field_fails_the_request_with_502(self):
        upstream, r = self.get_through_ferry([(":status", "200"), ("connection", "close")])
        self.assertEqual(r["status"], 502)
        self.assertIn("connection-specific", dict(r["headers"])["l5d-err"])

    def test_a_head_without_status_fails_the_request_with_502(self):
        _, r = self.get_through_ferry([("content-type", "text/plain")])
        self.assertEqual(r["status"], 502)
        self.assertIn(":status", dict(r["headers"])["l5d-err"])

    def test_a_control_byte_in_a_value_fails_the_request_with_502(self):
        _, r = self.get_through_ferry([(":status", "200"), ("x-bad", "a\x01b")])
        self.assertEqual(r["status"], 502)
        self.assertIn("malformed+field+value", dict(r["headers"])["l5d-err"])

    def test_a_valid_response_with_its_content_length_passes(self):
        _, r = self.get_through_ferry([(":status", "200"), ("x-good", "1"), ("content-length", "2")], body=b"ok")
        self.assertEqual(r["status"], 200)
        self.assertTrue(r["ended"])
        self.assertEqual(r["body"], b"ok")
        self.assertIn(("x-good", "1"), r["headers"])

    def test_a_body_shorter_than_its_content_length_resets_the_stream(self):
        _, r = self.get_through_ferry([(":status", "200"), ("content-length", "10")], body=b"12345")
        self.assertEqual(r["reset"], PROTOCOL_ERROR)
        self.assertFalse(r["ended"])


if __name__ == "__main__":
    main()
