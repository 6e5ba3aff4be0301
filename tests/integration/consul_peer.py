"""A local Consul agent for tests: the parts of Consul's HTTP API (v1) that io.l5d.consul reads,
written from Consul's API documentation (https://developer.hashicorp.com/consul/api-docs):

  GET /v1/agent/self                       Config.Datacenter, DebugConfig.DNSDomain
  GET /v1/catalog/services?dc=             {name: [tags]}
  GET /v1/catalog/service/<name>?dc=&tag=  [{Node, Address, ServiceAddress, ServicePort, ...}]
  GET /v1/health/service/<name>?dc=&tag=&passing
                                           [{Node: {...}, Service: {...}, Checks: [...]}]

Blocking queries as Consul answers them: every read carries X-Consul-Index (the raft index of
the last change to what was read); a request with `index=N` is held until that index passes N or
`wait` (default 5 m) runs out, then answered with the current data either way. An unknown
datacenter is HTTP 500 "No path to datacenter". With an ACL token set, a request without it is
HTTP 403 "ACL not found". `stale` and `consistent` are accepted and recorded.

Faults on command: `fault = "500"` (every request answered 500), "garbage" (200 with an index
and a body that is not JSON), "noindex" (200 without X-Consul-Index), "hang" (never answered
until the fault is cleared or the agent stops); stop() and start() again on the same port, with
`reset_index` the restart of a new cluster whose indexes start over (they go backwards)."""
import json
import re
import time
import urllib.parse

from api_peer import ApiPeer


def parse_wait(text):
    """Consul's duration syntax for `wait`: "10s", "5m", "250ms"; default 5 minutes."""
    if not text:
        return 300.0
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", text)
    if not m:
        return 300.0
    value = float(m.group(1))
    return {"ms": value / 1000.0, "s": value, "m": value * 60, None: value}[m.group(2)]


class Instance:
    def __init__(self, node, address, port, service_address="", tags=(), meta=None, status="passing",
                 maintenance=False, service_id=None):
        self.node = node
        self.address = address
        self.port = port
        self.service_address = service_address
        self.tags = list(tags)
        self.meta = dict(meta or {})
        self.status = status
        self.maintenance = maintenance
        self.service_id = service_id

    def checks(self, service, sid):
        out = [{"Node": self.node, "CheckID": "serfHealth", "Status": "passing", "ServiceID": ""},
               {"Node": self.node, "CheckID": "service:" + sid, "Status": self.status, "ServiceID": sid}]
        if self.maintenance:
            out.append({"Node": self.node, "CheckID": "_service_maintenance:" + sid, "Status": "critical",
                        "ServiceID": sid})
        return out


class ConsulAgent(ApiPeer):
    def __init__(self, datacenter="dc1", domain="consul.", token=None):
        super().__init__()
        self.datacenter = datacenter
        self.domain = domain
        self.token = token
        self.index = 10
        # dc -> {"index": n, "services": {name: {"index": n, "instances": [Instance]}}}
        self.dcs = {datacenter: {"index": self.index, "services": {}}}
        self.start()

    # --- the catalog, changed by tests ---------------------------------------------------

    def _bump(self):
        self.index += 1
        return self.index

    def add_datacenter(self, dc):
        with self.cond:
            self.dcs.setdefault(dc, {"index": self._bump(), "services": {}})
            self.cond.notify_all()

    def set_service(self, name, instances, dc=None):
        """Registers `name` with exactly `instances` (a list of Instance) in `dc`."""
        with self.cond:
            d = self.dcs[dc or self.datacenter]
            i = self._bump()
            old = d["services"].get(name)
            d["services"][name] = {"index": i, "instances": list(instances)}
            tags = lambda s: sorted({t for x in s["instances"] for t in x.tags}) if s else None
            if old is None or tags(old) != tags(d["services"][name]):
                d["index"] = i
            self.cond.notify_all()

    def remove_service(self, name, dc=None):
        with self.cond:
            d = self.dcs[dc or self.datacenter]
            if d["services"].pop(name, None) is not None:
                d["index"] = self._bump()
            self.cond.notify_all()

    def reads(self, prefix):
        return [r for r in list(self.requests) if r[0].startswith(prefix)]

    # --- serving -------------------------------------------------------------------------

    def start(self, reset_index=False):
        """Serves (again); with `reset_index`, as a new cluster whose indexes start over."""
        if reset_index:
            with self.cond:
                self.index = 1
                for d in self.dcs.values():
                    d["index"] = 1
                    for s in d["services"].values():
                        s["index"] = 1
        return super().start()

    def _reply(self, h, status, body, index=None, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        if index is not None:
            h.send_header("X-Consul-Index", str(index))
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def serve(self, h, path, query):
        with self.cond:
            fault = self.fault
        if fault == "500":
            return self._reply(h, 500, "rpc error making call: EOF", content_type="text/plain")
        if self.token and h.headers.get("X-Consul-Token") != self.token:
            return self._reply(h, 403, "ACL not found", content_type="text/plain")
        if path == "/v1/agent/self":
            body = {"Config": {"Datacenter": self.datacenter, "NodeName": "agent-1"},
                    "DebugConfig": {"DNSDomain": self.domain}}
            return self._reply(h, 200, json.dumps(body))
        dc = query.get("dc") or self.datacenter
        if path == "/v1/catalog/services":
            reader = lambda d: (d["index"], {n: sorted({t for x in s["instances"] for t in x.tags})
                                             for n, s in d["services"].items()})
        elif path.startswith("/v1/catalog/service/") or path.startswith("/v1/health/service/"):
            name = urllib.parse.unquote(path.split("/", 4)[4])
            health = path.startswith("/v1/health/")
            reader = lambda d: self._instances(d, name, query, health)
        else:
            return self._reply(h, 404, "not found", content_type="text/plain")
        with self.cond:
            if dc not in self.dcs:
                fault = None
                missing = True
            else:
                missing = False
                wanted = int(query.get("index") or 0)
                deadline = time.monotonic() + parse_wait(query.get("wait"))
                index, body = reader(self.dcs[dc])
                while wanted and index <= wanted and not self.stopping:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.cond.wait(min(left, 1.0))
                    if dc not in self.dcs:
                        break
                    index, body = reader(self.dcs[dc])
                if self.stopping:
                    h.close_connection = True
                    return
                fault = self.fault
        if missing:
            return self._reply(h, 500, "No path to datacenter", content_type="text/plain")
        if fault == "500":  # it began while the request was held
            return self._reply(h, 500, "rpc error making call: EOF", content_type="text/plain")
        if fault == "garbage":
            return self._reply(h, 200, "{\"not\": json at all", index=index + 1)
        if fault == "noindex":
            return self._reply(h, 200, json.dumps(body))
        return self._reply(h, 200, json.dumps(body), index=index)

    def _instances(self, d, name, query, health):
        s = d["services"].get(name)
        if s is None:
            return d["index"], []
        tag = query.get("tag")
        out = []
        for n, x in enumerate(s["instances"]):
            if tag is not None and tag not in x.tags:
                continue
            sid = x.service_id or "%s-%d" % (name, n)
            checks = x.checks(name, sid)
            if health and "passing" in query and any(c["Status"] != "passing" for c in checks):
                continue
            if health:
                out.append({"Node": {"Node": x.node, "Address": x.address, "Datacenter": self.datacenter},
                            "Service": {"ID": sid, "Service": name, "Tags": x.tags, "Address": x.service_address,
                                        "Meta": x.meta, "Port": x.port},
                            "Checks": checks})
            else:
                out.append({"Node": x.node, "Address": x.address, "ServiceID": sid, "ServiceName": name,
                            "ServiceTags": x.tags, "ServiceAddress": x.service_address, "ServiceMeta": x.meta,
                            "ServicePort": x.port})
        return s["index"], out
