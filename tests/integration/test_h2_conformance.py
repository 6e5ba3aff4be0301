"""RFC 9113 conformance of Ferry's h2c server side, checked from outside with hand-made frames:
each case of §3-§8 that applies to a server, the error the RFC requires (a GOAWAY for a
connection error, an RST_STREAM for a stream error, or the frame ignored and the connection still
answering a PING). The route goes nowhere (port 1): every request is answered 502 by Ferry
itself, which is all a stream needs to open and close."""
from harness import FerryTestCase, fs_config, http_request, main
from h2_peers import RawH2Connection, frame, goaway_in, rst_in

NO_ERROR, PROTOCOL_ERROR, FLOW_CONTROL_ERROR, STREAM_CLOSED, FRAME_SIZE_ERROR, COMPRESSION_ERROR = 0, 1, 3, 5, 6, 9
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 1, 1, 4, 8, 0x20

# :method GET, :scheme http, :path /, then :authority web as a literal without indexing (so
# every block decodes the same whatever came before on the connection).
GET = b"\x82\x86\x84" + b"\x01\x03web"
POST = b"\x83\x86\x84" + b"\x01\x03web"


def lit(name, value):
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


ROUTER = """
- protocol: h2
  label: h2
  dtab: /svc => /#/io.l5d.fs;
  servers:
  - port: 0
"""


class H2ConformanceTest(FerryTestCase):
    def setUp(self):
        super().setUp()
        self.write("disco/web", "127.0.0.1 1\n")
        self.ferry = self.start_ferry(fs_config(ROUTER))
        self.addr = self.ferry.router("h2")

    def connect(self, **kw):
        c = RawH2Connection(self.addr, **kw)
        self._stops.append(c.close)
        return c

    def connection_error(self, *frames):
        c = self.connect()
        c.send(*frames)
        return c.goaway()

    def stream_error(self, stream, *frames):
        c = self.connect()
        c.send(*frames)
        return c.stream_error(stream)

    def ignored(self, *frames):
        c = self.connect()
        c.send(*frames)
        return c.alive() and goaway_in(c.frames) is None

    def closed_stream(self, stream=1):
        """A connection on which `stream` was opened, answered and closed on both sides."""
        c = self.connect()
        c.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, GET))
        self.assertTrue(c.stream_ended(stream), c.frames)
        return c

    # §3.4 The connection preface.
    def test_3_4_invalid_preface_is_a_protocol_error(self):
        c = self.connect(preface=b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
        self.assertEqual(c.goaway(), PROTOCOL_ERROR)

    def test_3_4_binary_garbage_instead_of_a_preface_is_a_protocol_error(self):
        c = self.connect(preface=b"\x00\x00\x12\x04\x00\x00\x00\x00\x00" * 3)
        self.assertEqual(c.goaway(), PROTOCOL_ERROR)

    def test_3_4_an_http1_client_is_told_this_router_speaks_h2(self):
        status, headers, _ = http_request(self.addr, path="/")
        self.assertEqual(status, 505)
        self.assertIn("h2", headers.get("l5d-err", ""))
        self.assertTrue(self.ignored(), "and Ferry serves the next client")

    # §4 Frames.
    def test_4_1_unknown_frame_types_are_ignored(self):
        self.assertTrue(self.ignored(frame(0x20, 0xff, 0, b"whatever"), frame(0x21, 0, 1, b"x")))

    def test_4_2_a_frame_over_max_frame_size_is_a_frame_size_error(self):
        self.assertEqual(self.connection_error(frame(DATA, 0, 1, b"x" * 16385)), FRAME_SIZE_ERROR)

    def test_4_3_an_undecodable_header_block_is_a_compression_error(self):
        # An indexed field beyond both tables.
        self.assertEqual(self.connection_error(frame(HEADERS, END_HEADERS | END_STREAM, 1, b"\xff\xff\x7f")),
                         COMPRESSION_ERROR)

    # §5.1 Stream states.
    def test_5_1_data_on_an_idle_stream_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(DATA, 0, 1, b"x")), PROTOCOL_ERROR)

    def test_5_1_rst_stream_on_an_idle_stream_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(RST_STREAM, 0, 1, b"\x00\x00\x00\x08")), PROTOCOL_ERROR)

    def test_5_1_window_update_on_an_idle_stream_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(WINDOW_UPDATE, 0, 1, b"\x00\x00\x00\x01")), PROTOCOL_ERROR)

    def test_5_1_data_after_end_stream_is_stream_closed(self):
        # half-closed (remote): the request ended, its response has not (a POST answered 502 at once
        # may also have closed it: either way the stream is done receiving).
        code = self.stream_error(1, frame(HEADERS, END_HEADERS | END_STREAM, 1, POST), frame(DATA, 0, 1, b"late"))
        self.assertEqual(code, STREAM_CLOSED)

    def test_5_1_data_on_a_closed_stream_is_stream_closed(self):
        c = self.closed_stream()
        c.send(frame(DATA, 0, 1, b"late"))
        self.assertEqual(c.stream_error(1), STREAM_CLOSED)

    def test_5_1_headers_on_a_closed_stream_is_stream_closed(self):
        c = self.closed_stream()
        c.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, GET))
        self.assertEqual(c.stream_error(1), STREAM_CLOSED)

    def test_5_1_data_after_the_client_reset_the_stream_is_stream_closed(self):
        c = self.connect()
        c.send(frame(HEADERS, END_HEADERS, 1, POST), frame(RST_STREAM, 0, 1, b"\x00\x00\x00\x08"))
        self.assertTrue(c.alive())
        c.send(frame(DATA, 0, 1, b"late"))
        self.assertEqual(c.stream_error(1), STREAM_CLOSED)

    def test_5_1_headers_after_the_client_reset_the_stream_is_stream_closed(self):
        c = self.connect()
        c.send(frame(HEADERS, END_HEADERS, 1, POST), frame(RST_STREAM, 0, 1, b"\x00\x00\x00\x08"))
        self.assertTrue(c.alive())
        c.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, GET))
        self.assertEqual(c.stream_error(1), STREAM_CLOSED)

    def test_5_1_window_update_and_rst_on_a_closed_stream_are_ignored(self):
        c = self.closed_stream()
        c.send(frame(WINDOW_UPDATE, 0, 1, b"\x00\x00\x00\x01"), frame(RST_STREAM, 0, 1, b"\x00\x00\x00\x08"),
               frame(PRIORITY, 0, 1, b"\x00\x00\x00\x00\x10"))
        self.assertTrue(c.alive())
        self.assertIsNone(goaway_in(c.frames))

    # §5.1.1 Stream identifiers.
    def test_5_1_1_an_even_stream_identifier_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(HEADERS, END_HEADERS | END_STREAM, 2, GET)), PROTOCOL_ERROR)

    def test_5_1_1_a_smaller_stream_identifier_is_a_protocol_error(self):
        c = self.closed_stream(5)
        c.send(frame(HEADERS, END_HEADERS | END_STREAM, 3, GET))
        self.assertEqual(c.goaway(), PROTOCOL_ERROR)

    # §6.1-§6.10 Frame definitions.
    def test_6_1_data_on_stream_zero_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(DATA, 0, 0, b"x")), PROTOCOL_ERROR)

    def test_6_1_data_padding_longer_than_the_payload_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(HEADERS, END_HEADERS, 1, POST), frame(DATA, PADDED, 1, b"\x09abc")),
                         PROTOCOL_ERROR)

    def test_6_2_headers_on_stream_zero_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(HEADERS, END_HEADERS | END_STREAM, 0, GET)), PROTOCOL_ERROR)

    def test_6_2_headers_padding_longer_than_the_payload_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(HEADERS, END_HEADERS | PADDED, 1, b"\xff" + GET)), PROTOCOL_ERROR)

    def test_6_3_priority_on_stream_zero_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(PRIORITY, 0, 0, b"\x00\x00\x00\x01\x10")), PROTOCOL_ERROR)

    def test_6_3_priority_of_the_wrong_length_is_a_frame_size_error(self):
        self.assertEqual(self.stream_error(1, frame(PRIORITY, 0, 1, b"\x00\x00\x00\x00")), FRAME_SIZE_ERROR)

    def test_6_3_priority_on_an_idle_stream_is_allowed(self):
        self.assertTrue(self.ignored(frame(PRIORITY, 0, 9, b"\x00\x00\x00\x00\x10")))

    def test_6_4_rst_stream_on_stream_zero_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(RST_STREAM, 0, 0, b"\x00\x00\x00\x08")), PROTOCOL_ERROR)

    def test_6_4_rst_stream_of_the_wrong_length_is_a_frame_size_error(self):
        self.assertEqual(self.connection_error(frame(HEADERS, END_HEADERS, 1, POST), frame(RST_STREAM, 0, 1, b"\x00\x08")),
                         FRAME_SIZE_ERROR)

    def test_6_5_settings_are_acknowledged_and_unknown_ones_ignored(self):
        c = self.connect()
        c.send(frame(SETTINGS, 0, 0, b"\x00\x99\x00\x00\x00\x01"))
        self.assertTrue(c.until(lambda frames: sum(1 for f in frames if f[0] == SETTINGS and f[1] & ACK) >= 2))

    def test_6_5_settings_ack_with_a_payload_is_a_frame_size_error(self):
        self.assertEqual(self.connection_error(frame(SETTINGS, ACK, 0, b"\x00\x01\x00\x00\x10\x00")), FRAME_SIZE_ERROR)

    def test_6_5_settings_on_a_stream_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(SETTINGS, 0, 1, b"")), PROTOCOL_ERROR)

    def test_6_5_settings_of_a_bad_length_is_a_frame_size_error(self):
        self.assertEqual(self.connection_error(frame(SETTINGS, 0, 0, b"\x00\x01\x00")), FRAME_SIZE_ERROR)

    def test_6_5_2_enable_push_other_than_0_or_1_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(SETTINGS, 0, 0, b"\x00\x02\x00\x00\x00\x02")), PROTOCOL_ERROR)

    def test_6_5_2_initial_window_over_2_31_is_a_flow_control_error(self):
        self.assertEqual(self.connection_error(frame(SETTINGS, 0, 0, b"\x00\x04\x80\x00\x00\x00")), FLOW_CONTROL_ERROR)

    def test_6_5_2_max_frame_size_below_16384_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(SETTINGS, 0, 0, b"\x00\x05\x00\x00\x10\x00")), PROTOCOL_ERROR)

    def test_6_6_push_promise_from_a_client_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(PUSH_PROMISE, END_HEADERS, 1, b"\x00\x00\x00\x02" + GET)),
                         PROTOCOL_ERROR)

    def test_6_7_ping_is_answered_and_a_ping_ack_is_not(self):
        c = self.connect()
        c.send(frame(PING, ACK, 0, b"unasked!"))
        self.assertTrue(c.alive())
        self.assertNotIn((PING, ACK, 0, b"unasked!"), c.frames[:-1])

    def test_6_7_ping_of_the_wrong_length_is_a_frame_size_error(self):
        self.assertEqual(self.connection_error(frame(PING, 0, 0, b"1234567")), FRAME_SIZE_ERROR)

    def test_6_7_ping_on_a_stream_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(PING, 0, 1, b"12345678")), PROTOCOL_ERROR)

    def test_6_8_goaway_on_a_stream_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(GOAWAY, 0, 1, b"\x00\x00\x00\x00\x00\x00\x00\x00")),
                         PROTOCOL_ERROR)

    def test_6_9_zero_window_increment_on_the_connection_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(WINDOW_UPDATE, 0, 0, b"\x00\x00\x00\x00")), PROTOCOL_ERROR)

    def test_6_9_zero_window_increment_on_a_stream_is_a_protocol_error(self):
        self.assertEqual(self.stream_error(1, frame(HEADERS, END_HEADERS, 1, POST),
                                           frame(WINDOW_UPDATE, 0, 1, b"\x00\x00\x00\x00")), PROTOCOL_ERROR)

    def test_6_9_window_update_of_the_wrong_length_is_a_frame_size_error(self):
        self.assertEqual(self.connection_error(frame(WINDOW_UPDATE, 0, 0, b"\x00\x00\x01")), FRAME_SIZE_ERROR)

    def test_6_9_1_a_connection_window_beyond_2_31_is_a_flow_control_error(self):
        self.assertEqual(self.connection_error(frame(WINDOW_UPDATE, 0, 0, b"\x7f\xff\xff\xff")), FLOW_CONTROL_ERROR)

    def test_6_9_1_a_stream_window_beyond_2_31_is_a_flow_control_error(self):
        self.assertEqual(self.stream_error(1, frame(HEADERS, END_HEADERS, 1, POST),
                                           frame(WINDOW_UPDATE, 0, 1, b"\x7f\xff\xff\xff")), FLOW_CONTROL_ERROR)

    def test_6_10_continuation_without_headers_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(CONTINUATION, END_HEADERS, 1, GET)), PROTOCOL_ERROR)

    def test_6_10_a_frame_inside_a_header_block_is_a_protocol_error(self):
        self.assertEqual(self.connection_error(frame(HEADERS, END_STREAM, 1, GET), frame(PING, 0, 0, b"12345678")),
                         PROTOCOL_ERROR)

    def test_6_10_a_header_block_split_over_continuations_is_served(self):
        c = self.connect()
        c.send(frame(HEADERS, END_STREAM, 1, GET[:2]), frame(CONTINUATION, 0, 1, GET[2:5]),
               frame(CONTINUATION, END_HEADERS, 1, GET[5:]))
        self.assertTrue(c.stream_ended(1))
        self.assertIsNone(rst_in(c.frames, 1))

    # §8 Message exchanges: malformed requests are stream errors of type PROTOCOL_ERROR.
    def malformed(self, block, *more):
        return self.stream_error(1, frame(HEADERS, END_HEADERS | (0 if more else END_STREAM), 1, block), *more)

    def test_8_1_1_a_body_longer_than_content_length_is_malformed(self):
        self.assertEqual(self.malformed(POST + lit(b"content-length", b"1"), frame(DATA, END_STREAM, 1, b"abc")),
                         PROTOCOL_ERROR)

    def test_8_1_trailers_without_end_stream_are_malformed(self):
        self.assertEqual(self.malformed(POST, frame(HEADERS, END_HEADERS, 1, lit(b"x-trailer", b"1"))), PROTOCOL_ERROR)

    def test_8_2_1_an_uppercase_field_name_is_malformed(self):
        self.assertEqual(self.malformed(GET + lit(b"X-Up", b"1")), PROTOCOL_ERROR)

    def test_8_2_2_a_connection_specific_field_is_malformed(self):
        self.assertEqual(self.malformed(GET + lit(b"connection", b"keep-alive")), PROTOCOL_ERROR)

    def test_8_2_2_te_other_than_trailers_is_malformed(self):
        self.assertEqual(self.malformed(GET + lit(b"te", b"gzip")), PROTOCOL_ERROR)

    def test_8_3_an_unknown_pseudo_header_is_malformed(self):
        self.assertEqual(self.malformed(GET + lit(b":color", b"blue")), PROTOCOL_ERROR)

    def test_8_3_a_pseudo_header_after_a_regular_field_is_malformed(self):
        self.assertEqual(self.malformed(b"\x82\x86" + lit(b"x-a", b"1") + b"\x84\x01\x03web"), PROTOCOL_ERROR)

    def test_8_3_a_repeated_pseudo_header_is_malformed(self):
        self.assertEqual(self.malformed(GET + b"\x84"), PROTOCOL_ERROR)

    def test_8_3_1_a_request_without_method_is_malformed(self):
        self.assertEqual(self.malformed(b"\x86\x84\x01\x03web"), PROTOCOL_ERROR)

    def test_8_3_1_an_empty_path_is_malformed(self):
        self.assertEqual(self.malformed(b"\x82\x86" + lit(b":path", b"") + b"\x01\x03web"), PROTOCOL_ERROR)

    def test_8_3_pseudo_headers_in_trailers_are_malformed(self):
        self.assertEqual(self.malformed(POST, frame(HEADERS, END_HEADERS | END_STREAM, 1, b"\x84")), PROTOCOL_ERROR)

    def test_a_request_is_served_after_all_this(self):
        c = self.connect()
        c.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, GET))
        self.assertTrue(c.stream_ended(1))
        status = [f for f in c.frames if f[0] == HEADERS and f[2] == 1]
        self.assertTrue(status, c.frames)


if __name__ == "__main__":
    main()
