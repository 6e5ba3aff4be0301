"""Real HTTP/2 peers for the h2 tests, built on python-h2 (Debian python3-h2): a backend whose
behaviour is chosen by path, and a client that can reset streams or stop reading. Both speak
prior-knowledge h2c on 127.0.0.1; every wait is bounded."""
import hashlib
import json
import select
import socket
import struct
import threading
import time
import urllib.parse

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
from hyperframe.frame import RstStreamFrame

from harness import LoopbackServer


class LimitedConnection(h2.connection.H2Connection):
    """A server connection that refuses streams beyond its MAX_CONCURRENT_STREAMS with
    RST_STREAM(REFUSED_STREAM), as RFC 9113 §5.1.2 allows (python-h2 alone would fail the whole
    connection). The refused header block is still decoded, to keep HPACK in step."""

    def _receive_headers_frame(self, frame):
        if frame.stream_id not in self.streams and \
                self.open_inbound_streams + 1 > self.local_settings.max_concurrent_streams:
            h2.connection._decode_headers(self.decoder, frame.data)
            rst = RstStreamFrame(frame.stream_id)
            rst.error_code = 7
            self._prepare_for_sending([rst])
            return [], []
        return super()._receive_headers_frame(frame)


class H2Backend(LoopbackServer):
    """An h2c server. Paths:
    /echo                 200 with JSON {headers, length, sha256} of the request; trailers when
                          the request has `x-want-trailers`
    /stream?n=N&size=S    N DATA frames of S bytes, as the window allows, then trailers grpc-status: 0
    /infinite             DATA until the client resets or the connection ends (bytes counted in .sent)
    /reset?code=C&after=B RST_STREAM C after B body bytes (B=-1: before the response head)
    /die?after=B          the process "dies": the socket closes after the head and B body bytes
    /hang                 the head, then the whole connection goes silent (reads and writes nothing)
    /refuse-once?key=K    RST_STREAM REFUSED_STREAM the first time K is asked for, then 200
                          (with &on=data: once the first body bytes arrived)
    /goaway               200, then GOAWAY(NO_ERROR) naming this stream as the last one
    Resets received from the client are recorded in .resets as (path, error code)."""

    def __init__(self, max_concurrent_streams=None):
        super().__init__()
        self.max_streams = max_concurrent_streams
        self.resets = []
        self.sent = 0
        self.requests = []
        self.refused_keys = set()
        self.lock = threading.Lock()
        self.start()

    def serve_connection(self, s):
        cls = LimitedConnection if self.max_streams else h2.connection.H2Connection
        conn = cls(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        if self.max_streams:
            conn.local_settings = h2.settings.Settings(client=False, initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: self.max_streams})
        conn.initiate_connection()
        s.sendall(conn.data_to_send())
        streams = {}  # id -> dict(path, headers, body, out=[bytes], end, trailers, infinite, reset_at, die_at)
        deadline = time.monotonic() + 600
        try:
            while not self.stopped and time.monotonic() < deadline:
                r, _, _ = select.select([s], [], [], 0.01)
                if r:
                    data = s.recv(65536)
                    if not data:
                        return
                    for ev in conn.receive_data(data):
                        self._event(conn, streams, ev)
                if self._pump(conn, streams, s) == "die":
                    s.shutdown(socket.SHUT_RDWR)
                    return
                out = conn.data_to_send()
                if out:
                    s.sendall(out)
        except (OSError, h2.exceptions.ProtocolError):
            return
        finally:
            s.close()

    def _event(self, conn, streams, ev):
        if isinstance(ev, h2.events.RequestReceived):
            headers = dict(ev.headers)
            url = urllib.parse.urlparse(headers.get(":path", "/"))
            query = dict(urllib.parse.parse_qsl(url.query))
            streams[ev.stream_id] = {"path": url.path, "query": query, "headers": ev.headers, "body": hashlib.sha256(),
                                     "length": 0, "out": b"", "started": False, "end": False, "trailers": None}
            with self.lock:
                self.requests.append(ev.headers)
            if url.path == "/reset" and int(query.get("after", "-1")) < 0:
                conn.reset_stream(ev.stream_id, error_code=int(query["code"]))
                streams.pop(ev.stream_id)
            elif url.path == "/refuse-once" and query["key"] not in self.refused_keys and query.get("on") != "data":
                self.refused_keys.add(query["key"])
                conn.reset_stream(ev.stream_id, error_code=7)
                streams.pop(ev.stream_id)
            elif ev.stream_ended:
                self._respond(conn, streams, ev.stream_id)
        elif isinstance(ev, h2.events.DataReceived):
            conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            st = streams.get(ev.stream_id)
            if st and st["path"] == "/refuse-once" and st["query"].get("on") == "data" \
                    and st["query"]["key"] not in self.refused_keys:
                self.refused_keys.add(st["query"]["key"])
                conn.reset_stream(ev.stream_id, error_code=7)
                streams.pop(ev.stream_id)
            elif st:
                st["body"].update(ev.data)
                st["length"] += len(ev.data)
        elif isinstance(ev, h2.events.StreamEnded):
            if ev.stream_id in streams and not streams[ev.stream_id]["started"]:
                self._respond(conn, streams, ev.stream_id)
        elif isinstance(ev, h2.events.StreamReset):
            st = streams.pop(ev.stream_id, None)
            with self.lock:
                self.resets.append((st["path"] if st else None, ev.error_code))

    def _respond(self, conn, streams, sid):
        st = streams[sid]
        st["started"] = True
        path, q = st["path"], st["query"]
        headers = dict(st["headers"])
        if path == "/echo":
            body = json.dumps({"headers": st["headers"], "length": st["length"],
                               "sha256": st["body"].hexdigest()}).encode()
            conn.send_headers(sid, [(":status", "200"), ("content-type", "application/json")])
            st["out"] = body
            if "x-want-trailers" in headers:
                st["trailers"] = [("x-body-sha256", st["body"].hexdigest())]
            st["end"] = True
        elif path == "/stream":
            conn.send_headers(sid, [(":status", "200")])
            st["chunks"] = int(q.get("n", "1"))
            st["size"] = int(q.get("size", "1"))
            st["delay"] = float(q.get("delay", "0"))
            st["next"] = time.monotonic()
            st["trailers"] = [("grpc-status", "0")]
        elif path == "/infinite":
            conn.send_headers(sid, [(":status", "200")])
            st["infinite"] = True
        elif path == "/reset":
            conn.send_headers(sid, [(":status", "200")])
            st["out"] = b"x" * int(q.get("after", "0"))
            st["reset_code"] = int(q["code"])
        elif path == "/hang":
            conn.send_headers(sid, [(":status", "200")])
            st["hang"] = True
        elif path in ("/refuse-once", "/goaway"):
            conn.send_headers(sid, [(":status", "200")])
            st["end"] = True
            if path == "/goaway":
                st["goaway"] = True
        elif path == "/die":
            conn.send_headers(sid, [(":status", "200")])
            st["out"] = b"y" * int(q.get("after", "0"))
            st["die"] = True
        else:
            conn.send_headers(sid, [(":status", "404")], end_stream=True)
            streams.pop(sid)

    def _pump(self, conn, streams, s):
        for sid in list(streams):
            st = streams[sid]
            if not st["started"]:
                continue
            while True:
                if not st["out"] and st.get("chunks"):
                    if time.monotonic() < st["next"]:
                        break
                    st["next"] = time.monotonic() + st["delay"]
                    st["out"] = b"z" * st["size"]
                    st["chunks"] -= 1
                    if st["chunks"] == 0:
                        st["end"] = True
                if not st["out"] and st.get("infinite"):
                    st["out"] = b"i" * 16384
                if not st["out"]:
                    break
                try:
                    window = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size)
                except (h2.exceptions.StreamClosedError, KeyError):
                    streams.pop(sid, None)
                    break
                if window <= 0:
                    break
                piece, st["out"] = st["out"][:window], st["out"][window:]
                conn.send_data(sid, piece)
                if st.get("infinite"):
                    with self.lock:
                        self.sent += len(piece)
                s.sendall(conn.data_to_send())
            if sid not in streams or st["out"] or st.get("chunks"):
                continue
            if "reset_code" in st:
                conn.reset_stream(sid, error_code=st["reset_code"])
                streams.pop(sid)
            elif st.get("die"):
                s.sendall(conn.data_to_send())
                return "die"
            elif st.get("hang"):
                s.sendall(conn.data_to_send())
                time.sleep(5)
                return "die"
            elif st["end"]:
                if st["trailers"]:
                    conn.send_headers(sid, st["trailers"], end_stream=True)
                else:
                    conn.end_stream(sid)
                streams.pop(sid)
                if st.get("goaway"):
                    conn.close_connection(error_code=0, last_stream_id=sid)
        return None


class H2Client:
    """A prior-knowledge h2c client on one connection."""

    def __init__(self, address, timeout=10, window=65535):
        host, port = address.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.local_settings = h2.settings.Settings(client=True, initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.conn.initiate_connection()
        self.sock.sendall(self.conn.data_to_send())
        self.timeout = timeout
        self.goaway = None
        self.acknowledge = True
        self._uploads = {}

    def close(self):
        self.sock.close()

    def start(self, path, authority="web", method="GET", headers=(), body=None, end=True):
        sid = self.conn.get_next_available_stream_id()
        hdrs = [(":method", method), (":scheme", "http"), (":authority", authority), (":path", path), *headers]
        self.conn.send_headers(sid, hdrs, end_stream=end and body is None)
        self.sock.sendall(self.conn.data_to_send())
        if body is not None:
            self._uploads[sid] = [body, end]
            self._pump_uploads()
        return sid

    def _pump_uploads(self):
        """Sends pending request bodies as far as the peer's windows allow."""
        for sid in list(self._uploads):
            body, end = self._uploads[sid]
            while body:
                window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
                if window <= 0:
                    break
                self.conn.send_data(sid, body[:window])
                body = body[window:]
            self._uploads[sid][0] = body
            if not body:
                del self._uploads[sid]
                if end:
                    self.conn.end_stream(sid)
        out = self.conn.data_to_send()
        if out:
            self.sock.sendall(out)

    def reset(self, sid, code):
        self.conn.reset_stream(sid, error_code=code)
        self.sock.sendall(self.conn.data_to_send())

    def read(self, sid, until="end", max_bytes=None, timeout=None):
        """Reads events until stream `sid` ends or is reset (or, with until="head", has its head, or
        `max_bytes` of body). Returns a dict: status, headers, body (a bytearray: appending to bytes
        would copy the whole body on every DATA frame), trailers, reset (code or None)."""
        result = _stream_result()
        deadline = time.monotonic() + (timeout or self.timeout)
        pending = getattr(self, "_pending", {})
        self._pending = pending
        if sid in pending:
            result = pending.pop(sid)
        while time.monotonic() < deadline:
            if result["ended"] or result["reset"] is not None or self.goaway is not None:
                return result
            if until == "head" and result["status"] is not None:
                return result
            if max_bytes is not None and len(result["body"]) >= max_bytes:
                return result
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if not r:
                continue
            data = self.sock.recv(65536)
            if not data:
                result["closed"] = True
                return result
            for ev in self.conn.receive_data(data):
                target = result if getattr(ev, "stream_id", None) == sid else None
                if target is None and getattr(ev, "stream_id", None):
                    target = pending.setdefault(ev.stream_id, _stream_result())
                if isinstance(ev, h2.events.ResponseReceived):
                    target["headers"] = ev.headers
                    target["status"] = int(dict(ev.headers)[":status"])
                elif isinstance(ev, h2.events.DataReceived):
                    target["body"] += ev.data
                    if self.acknowledge:
                        self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.TrailersReceived):
                    target["trailers"] = ev.headers
                elif isinstance(ev, h2.events.StreamEnded):
                    target["ended"] = True
                elif isinstance(ev, h2.events.StreamReset):
                    target["reset"] = ev.error_code
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    self.goaway = ev.error_code
            self._pump_uploads()
        return result


def _stream_result():
    return {"status": None, "headers": [], "body": bytearray(), "trailers": [], "reset": None, "ended": False}


class RawH2Upstream(LoopbackServer):
    """An h2c upstream that answers every request with the same hand-made response, fields sent
    as HPACK literals exactly as given (python-h2 would refuse to send malformed ones): for
    checking what Ferry does with responses that break HTTP/2's rules."""

    def __init__(self, fields, body=b""):
        super().__init__()
        self.block = b"".join(b"\x00" + _literal(n.encode("latin-1")) + _literal(v.encode("latin-1")) for n, v in fields)
        self.body = body
        self.resets = []  # error codes of the RST_STREAMs received
        self.start()

    def serve_connection(self, s):
        s.settimeout(0.2)
        s.sendall(frame(4, 0, 0, b""))
        data = bytearray()
        deadline = time.monotonic() + 60
        try:
            while not self.stopped and time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    return
                data += chunk
                if data.startswith(b"PRI * HTTP/2.0"):
                    if len(data) < 24:
                        continue
                    del data[:24]
                for ftype, flags, sid, payload in take_frames(data):
                    if ftype == 4 and not flags & 1:
                        s.sendall(frame(4, 1, 0, b""))  # SETTINGS ACK
                    elif ftype == 3:
                        self.resets.append(int.from_bytes(payload[:4], "big"))
                    elif ftype == 1 and flags & 1:  # a request without a body: answer it
                        out = frame(1, 4 | (0 if self.body else 1), sid, self.block)
                        if self.body:
                            out += frame(0, 1, sid, self.body)
                        s.sendall(out)
        except OSError:
            return
        finally:
            s.close()


def _literal(b):
    assert len(b) < 127
    return bytes([len(b)]) + b


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def take_frames(buffer):
    """Removes the whole frames at the start of the bytearray `buffer` and returns them as (type,
    flags, stream id, payload); a partial frame stays for the next read. Each byte is looked at
    once, however the frames were split across reads."""
    frames = []
    offset = 0
    while len(buffer) - offset >= 9:
        length = int.from_bytes(buffer[offset:offset + 3], "big")
        end = offset + 9 + length
        if len(buffer) < end:
            break
        frames.append((buffer[offset + 3], buffer[offset + 4],
                       int.from_bytes(buffer[offset + 5:offset + 9], "big") & 0x7fffffff, bytes(buffer[offset + 9:end])))
        offset = end
    del buffer[:offset]
    return frames


def goaway_in(frames):
    """The error code of the first GOAWAY among `frames`, or None."""
    for ftype, _, _, payload in frames:
        if ftype == 7:
            return int.from_bytes(payload[4:8], "big")
    return None


def rst_in(frames, stream):
    for ftype, _, sid, payload in frames:
        if ftype == 3 and sid == stream:
            return int.from_bytes(payload[:4], "big")
    return None


class RawH2Connection:
    """A hand-made h2c client connection for conformance checks: sends any frame, well-formed or
    not, and reads the server's frames until a condition holds. Every wait is bounded."""

    PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    def __init__(self, address, timeout=10, preface=PREFACE, settings=b""):
        host, port = address.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.timeout = timeout
        self.pending = bytearray()
        self.frames = []
        self.closed = False
        self.pings = 0
        self.sock.sendall(preface + (frame(4, 0, 0, settings) if preface == self.PREFACE else b""))

    def close(self):
        self.sock.close()

    def send(self, *frames):
        try:
            self.sock.sendall(b"".join(frames))
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True

    def until(self, predicate):
        """Reads frames until predicate(self.frames) is truthy or the server closes; returns the
        predicate's last value."""
        deadline = time.monotonic() + self.timeout
        while True:
            found = predicate(self.frames)
            if found or self.closed or time.monotonic() >= deadline:
                return found
            try:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                continue
            self.pending += chunk
            self.frames += take_frames(self.pending)
            for ftype, flags, _, _ in self.frames[-64:]:
                if ftype == 4 and not flags & 1 and not getattr(self, "_acked", False):
                    self._acked = True
                    self.send(frame(4, 1, 0, b""))  # acknowledge the server's SETTINGS once

    def goaway(self):
        """The server's GOAWAY error code (waits for it, or for the close: then None)."""
        return self.until(goaway_in)

    def stream_error(self, stream):
        """The code of an RST_STREAM on `stream`, else of a GOAWAY (a connection error); None if
        neither came before the close or the deadline."""
        return self.until(lambda frames: rst_in(frames, stream) if rst_in(frames, stream) is not None
                          else goaway_in(frames))

    def stream_ended(self, stream):
        return self.until(lambda frames: any(f[2] == stream and f[0] in (0, 1) and f[1] & 1 for f in frames) or
                          rst_in(frames, stream) is not None)

    def alive(self):
        """True when the connection still answers a PING (so whatever came before was ignored)."""
        self.pings += 1
        payload = b"alive%03d" % self.pings
        self.send(frame(6, 0, 0, payload))
        return bool(self.until(lambda frames: (6, 1, 0, payload) in frames))
