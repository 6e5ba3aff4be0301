#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora (tests/fuzz/corpus/<harness>/) from the inputs the
unit and integration tests use: valid messages of each kind, and the malformed ones the tests
check are refused. Run it again after adding a case; libFuzzer grows its own corpus from these."""
import glob
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("latin-1"))


REQUESTS = {
    "get": "GET / HTTP/1.1\r\nHost: web\r\n\r\n",
    "get10": "GET /old HTTP/1.0\r\n\r\n",
    "post_length": "POST /echo HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\n\r\nhello",
    "chunked_trailers": "PUT /up HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
    "pipelined": "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n",
    "l5d": "GET /x/y HTTP/1.1\r\nHost: web.example\r\nl5d-dtab: /svc=>/#/io.l5d.fs/a\r\nl5d-ctx-dtab: /a=>/b\r\n\r\n",
    "absolute": "GET http://web/path?q=1 HTTP/1.1\r\nHost: web\r\n\r\n",
    "te_cl": "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "bare_lf": "GET / HTTP/1.1\nHost: x\n\n",
    "obs_fold": "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
    "upgrade": "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, X-Drop\r\nUpgrade: h2c\r\nX-Drop: 1\r\n\r\n",
}
for name, text in REQUESTS.items():
    write("http1_request", name, text)

RESPONSES = {
    "length": (0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
    "head": (1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
    "chunked": (0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nGrpc-Status: 0\r\n\r\n"),
    "close": (0, "HTTP/1.0 200 OK\r\n\r\nuntil close"),
    "interim": (2, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"),
    "connect": (3, "HTTP/1.1 200 Connection established\r\nContent-Length: 10\r\n\r\n"),
    "not_modified": (0, "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"),
    "bad_length": (0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
}
for name, (method, text) in RESPONSES.items():
    write("http1_response", name, bytes([method]) + text.encode())
    # The control-plane client's reader: byte 0 is HEAD (bit 0) and the read size.
    write("http_client_response", name, bytes([(method == 1) | (7 << 1)]) + text.encode())
write("http_client_response", "consul_index",
      b"\x10HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Consul-Index: 42\r\nContent-Length: 2\r\n\r\n[]")
write("http_client_response", "k8s_watch",
      b"\x40HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      b"1c\r\n{\"type\":\"ADDED\",\"object\":{}}\r\n0\r\n\r\n")


def lit(name, value):
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def record(op, payload):
    return bytes([op, len(payload)]) + payload


HEAD_200 = b"\x88" + lit(b"content-type", b"application/grpc")  # :status 200 (static index 8)
TRAILERS = lit(b"grpc-status", b"0")
write("h2_headers", "head_data_trailers", b"\x00" + record(0, HEAD_200) + record(1, b"x" * 10) + record(4, TRAILERS))
write("h2_headers", "head_end", b"\x01" + record(4, b"\x88" + lit(b"content-length", b"5")))
write("h2_headers", "interim", b"\x00" + record(0, lit(b":status", b"100")) + record(4, b"\x88"))
write("h2_headers", "length_mismatch", b"\x00" + record(0, b"\x88" + lit(b"content-length", b"3")) + record(1, b"ab") +
      record(2, b""))
write("h2_headers", "bad_fields", b"\x02" + record(4, b"\x88" + lit(b"Upper", b"x") + lit(b"connection", b"close")))
write("h2_headers", "request_pseudo", b"\x00" + record(4, lit(b":method", b"GET") + lit(b":path", b"/a") +
                                                       lit(b":authority", b"web") + lit(b"te", b"trailers")))

DTABS = [
    "/svc => /#/io.l5d.fs",
    "/svc => /#/io.l5d.fs; /svc/web => /$/inet/127.0.0.1/8080",
    "/http/1.1/*/* => /svc; /svc => 0.7 * /#/io.l5d.fs/a & 0.3 * /#/io.l5d.fs/b",
    "/svc => /a | /b | !; /a => ~; /b => $",
    "/svc/* => (/x & /y) | /z;",
    "/svc => /\\x41\\x2f",
    "",
]
for i, text in enumerate(DTABS):
    write("dtab", "dtab%d" % i, text)
for path in glob.glob(os.path.join(ROOT, "config-examples", "*.yaml")):
    write("config", os.path.basename(path), open(path, "rb").read())
write("config", "json.json", '{"admin": {"port": 9990}, "namers": [{"kind": "io.l5d.fs", "rootDir": "disco"}],'
                             ' "routers": [{"protocol": "http", "dtab": "/svc => /#/io.l5d.fs;", "servers": [{"port": 4140}]}]}')
write("config", "anchors.yaml", "a: &x {port: 1}\nadmin: *x\nrouters: [{protocol: http, servers: [{port: 0}]}]\n")
write("l5d_headers", "dtab_and_ctx", b"\x00/svc=>/#/io.l5d.fs/a\x00\x01/a=>/b;/c=>/d\x00\x03trace\x00")
write("l5d_headers", "bad_dtab", b"\x00/svc=>\x00\x02//=>/x\x00")
write("l5d_headers", "many", b"".join(bytes([i % 8]) + b"/s%d=>/t%d\x00" % (i, i) for i in range(20)))

# discovery_json: byte 0 picks the parser (0 services, 1 health, 2 catalog, 3 agent self,
# 4 endpoints list, 5 endpoints event, 6 service event/list).
DISCOVERY = {
    "services": (0, '{"consul": [], "web": ["v1", "canary"]}'),
    "health": (1, '[{"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "web-1", "Service": "web", '
                  '"Tags": ["canary"], "Address": "", "Meta": {"v": "2"}, "Port": 8080}, "Checks": [{"CheckID": '
                  '"serfHealth", "Status": "passing"}, {"CheckID": "_service_maintenance:web-1", "Status": "critical"}]}]'),
    "catalog": (2, '[{"Node": "n1", "Address": "10.0.0.1", "ServiceAddress": "10.1.0.1", "ServicePort": 80, '
                   '"ServiceTags": ["a"], "ServiceMeta": {"k": "v"}}]'),
    "agent": (3, '{"Config": {"Datacenter": "dc1", "NodeName": "agent-1"}, "DebugConfig": {"DNSDomain": "consul."}}'),
    "endpoints_list": (4, '{"kind": "EndpointsList", "metadata": {"resourceVersion": "42"}, "items": [{"metadata": '
                          '{"name": "web"}, "subsets": [{"addresses": [{"ip": "10.1.0.1", "nodeName": "n1"}], '
                          '"notReadyAddresses": [{"ip": "10.1.0.2"}], "ports": [{"name": "http", "port": 8080, '
                          '"protocol": "TCP"}]}]}]}'),
    "endpoints_event": (5, '{"type": "MODIFIED", "object": {"metadata": {"name": "web", "resourceVersion": "43"}, '
                           '"subsets": [{"addresses": [{"ip": "10.1.0.3"}], "ports": [{"port": 80}]}]}}'),
    "gone": (5, '{"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "too old"}}'),
    "bookmark": (5, '{"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "44"}}}'),
    "service_event": (6, '{"type": "ADDED", "object": {"metadata": {"name": "api"}, "spec": {"ports": [{"name": '
                         '"web", "port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]}, "status": '
                         '{"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}, {"hostname": "lb"}]}}}}'),
    "garbage": (4, '<html>502 Bad Gateway</html>'),
}
for name, (kind, text) in DISCOVERY.items():
    write("discovery_json", name, bytes([kind]) + text.encode())
