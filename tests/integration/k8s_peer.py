"""A local Kubernetes API server for tests: the parts of the core/v1 API that the io.l5d.k8s
namers read, written from the Kubernetes API documentation ("API Concepts": list, watch,
resourceVersion, bookmarks, 410 Gone; the Endpoints and Service resources):

  GET /api/v1/namespaces/<ns>/endpoints[?labelSelector=k=v]     an EndpointsList
  GET /api/v1/namespaces/<ns>/services[?labelSelector=k=v]      a ServiceList
  ...?watch=true&resourceVersion=R[&allowWatchBookmarks=true][&timeoutSeconds=T]
        a chunked stream of {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": ...} lines
        for every change after R, ended by the server after T seconds (or `watch_timeout`);
        a resourceVersion older than the retained history (after compact()) gets an ERROR event
        with a 410 Status, as the API server does.

Every change takes the next resourceVersion. Faults on command: `fault = "500"` (every request
answered 500 with a Status), "garbage" (lists answer a body that is not JSON, watches send a line
that is not an event), "gone" (watch requests answered HTTP 410), "hang" (requests held until the
fault is cleared or the server stops); stop() and start() again on the same port."""
import copy
import json
import time

from api_peer import ApiPeer


# API discovery (the documents kubectl reads before it sends anything: /api, /apis and each group
# version's resource list), for the kinds Ferry's manifests use.
def _resources(*entries):
    verbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
    return [{"name": plural, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind, "verbs": verbs}
            for plural, kind, namespaced in entries]


DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": g, "versions": [{"groupVersion": g + "/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": g + "/v1", "version": "v1"}}
        for g in ("apps", "rbac.authorization.k8s.io")]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": _resources(
        ("namespaces", "Namespace", False), ("configmaps", "ConfigMap", True), ("services", "Service", True),
        ("endpoints", "Endpoints", True), ("serviceaccounts", "ServiceAccount", True), ("pods", "Pod", True))},
    "/apis/apps/v1": {"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": _resources(
        ("daemonsets", "DaemonSet", True), ("deployments", "Deployment", True))},
    "/apis/rbac.authorization.k8s.io/v1": {"kind": "APIResourceList", "groupVersion": "rbac.authorization.k8s.io/v1",
                                           "resources": _resources(
        ("clusterroles", "ClusterRole", False), ("clusterrolebindings", "ClusterRoleBinding", False),
        ("roles", "Role", True), ("rolebindings", "RoleBinding", True))},
    "/version": {"major": "1", "minor": "28", "gitVersion": "v1.28.0", "platform": "linux/amd64"},
}


def endpoints(name, ready=(), not_ready=(), ports=(("http", 80),), labels=None):
    """An Endpoints object: `ready` and `not_ready` are (ip, nodeName) pairs in one subset with
    `ports` ((name, port) pairs; name may be None)."""
    subset = {"addresses": [{"ip": ip, "nodeName": node} for ip, node in ready],
              "ports": [dict({"port": p, "protocol": "TCP"}, **({"name": n} if n else {})) for n, p in ports]}
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip, "nodeName": node} for ip, node in not_ready]
    return {"kind": "Endpoints", "apiVersion": "v1", "metadata": {"name": name, "labels": labels or {}},
            "subsets": [subset] if (ready or not_ready) else []}


def service(name, ports=(("http", 80, "http"),), ingress=(), labels=None):
    """A Service: `ports` are (name, port, targetPort) with targetPort a number, a name or None."""
    spec_ports = []
    for n, p, target in ports:
        port = {"port": p, "protocol": "TCP"}
        if n:
            port["name"] = n
        if target is not None:
            port["targetPort"] = target
        spec_ports.append(port)
    return {"kind": "Service", "apiVersion": "v1", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"ports": spec_ports, "type": "LoadBalancer" if ingress else "ClusterIP"},
            "status": {"loadBalancer": {"ingress": [{"ip": i} for i in ingress]}}}


class KubernetesApi(ApiPeer):
    def __init__(self):
        super().__init__()
        self.version = 100
        self.objects = {}   # (ns, resource) -> {name: object}
        self.history = []   # (version, ns, resource, type, object)
        self.oldest = 100   # versions at or below this are compacted away
        self.watch_timeout = None  # seconds: ends every watch sooner than it asked
        self.bookmark_interval = 0.5
        self.open_watches = 0
        self.token = None  # when set, requests must carry "Authorization: Bearer <token>"
        self.start()

    # --- objects, changed by tests -------------------------------------------------------

    def _put(self, ns, resource, obj, kind=None):
        with self.cond:
            self.version += 1
            obj = copy.deepcopy(obj)
            obj["metadata"]["namespace"] = ns
            obj["metadata"]["resourceVersion"] = str(self.version)
            bucket = self.objects.setdefault((ns, resource), {})
            event = kind or ("MODIFIED" if obj["metadata"]["name"] in bucket else "ADDED")
            if event == "DELETED":
                bucket.pop(obj["metadata"]["name"], None)
            else:
                bucket[obj["metadata"]["name"]] = obj
            self.history.append((self.version, ns, resource, event, obj))
            self.cond.notify_all()

    def set_endpoints(self, ns, obj):
        self._put(ns, "endpoints", obj)

    def delete_endpoints(self, ns, name):
        with self.cond:
            obj = self.objects.get((ns, "endpoints"), {}).get(name)
        if obj:
            self._put(ns, "endpoints", obj, "DELETED")

    def set_service(self, ns, obj):
        self._put(ns, "services", obj)

    def compact(self):
        """Forgets the history, up to a change no watch was sent: every watch, even one a bookmark
        brought up to date, is now from a version older than the history and gets 410 Gone."""
        with self.cond:
            self.history = []
            self.version += 1
            self.oldest = self.version
            self.cond.notify_all()

    def reads(self, prefix, watch=None):
        out = [r for r in list(self.requests) if r[0].startswith(prefix)]
        if watch is not None:
            out = [r for r in out if (r[1].get("watch") == "true") == watch]
        return out

    # --- serving -------------------------------------------------------------------------

    @staticmethod
    def _status(h, code, reason, message):
        body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code,
                           "reason": reason, "message": message}).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    @staticmethod
    def _matches(obj, selector):
        if not selector:
            return True
        key, _, value = selector.partition("=")
        return obj["metadata"].get("labels", {}).get(key) == value

    def serve(self, h, path, query):
        with self.cond:
            fault = self.fault
        if self.token and h.headers.get("Authorization") != "Bearer " + self.token:
            return self._status(h, 401, "Unauthorized", "Unauthorized")
        if path in DISCOVERY:
            body = json.dumps(DISCOVERY[path]).encode()
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return
        parts = path.strip("/").split("/")
        if len(parts) != 5 or parts[:3] != ["api", "v1", "namespaces"] or parts[4] not in ("endpoints", "services"):
            return self._status(h, 404, "NotFound", "the server could not find the requested resource")
        if fault == "500":
            return self._status(h, 500, "InternalError", "etcdserver: request timed out")
        ns, resource = parts[3], parts[4]
        selector = query.get("labelSelector", "")
        if query.get("watch") == "true":
            return self._watch(h, ns, resource, selector, query, fault)
        with self.cond:
            items = [o for o in self.objects.get((ns, resource), {}).values() if self._matches(o, selector)]
            version = self.version
        kind = "EndpointsList" if resource == "endpoints" else "ServiceList"
        body = json.dumps({"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": str(version)},
                           "items": items}).encode()
        if fault == "garbage":
            body = b"<html>502 Bad Gateway</html>"
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _watch(self, h, ns, resource, selector, query, fault):
        if fault == "gone":
            return self._status(h, 410, "Expired", "too old resource version")
        since = int(query.get("resourceVersion") or 0)
        asked = float(query.get("timeoutSeconds") or 1800)
        started = time.monotonic()

        def deadline():  # watch_timeout may change while the watch runs
            cap = self.watch_timeout
            return started + (asked if cap is None else min(asked, cap))

        bookmarks = query.get("allowWatchBookmarks") == "true"
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()

        def send(obj):
            line = (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n"
            h.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            h.wfile.flush()

        next_bookmark = time.monotonic() + self.bookmark_interval
        with self.cond:
            self.open_watches += 1
        try:
            if fault == "garbage":
                send(b"{\"type\": \"ADDED\", \"object\": ")
            with self.cond:
                expired = since < self.oldest
            if expired:
                send({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                                  "code": 410, "reason": "Expired",
                                                  "message": "too old resource version: %d (%d)" % (since, self.oldest)}})
            while not expired:
                with self.cond:
                    pending = [e for e in self.history if e[0] > since and e[1] == ns and e[2] == resource]
                    while not pending and not self.stopping and self.fault != "garbage":
                        left = min(deadline(), next_bookmark if bookmarks else deadline()) - time.monotonic()
                        if left <= 0:
                            break
                        self.cond.wait(min(left, 1.0))
                        pending = [e for e in self.history if e[0] > since and e[1] == ns and e[2] == resource]
                    stopping = self.stopping
                    version = self.version
                    if since < self.oldest:
                        pending = []
                        expired = True
                if stopping:
                    h.close_connection = True
                    return
                for v, _, _, kind, obj in pending:
                    since = v
                    if self._matches(obj, selector):
                        send({"type": kind, "object": obj})
                if expired:
                    send({"type": "ERROR", "object": {"kind": "Status", "code": 410, "reason": "Expired",
                                                      "message": "too old resource version"}})
                    break
                now = time.monotonic()
                if bookmarks and now >= next_bookmark:
                    since = max(since, version)
                    send({"type": "BOOKMARK", "object": {"kind": "Endpoints" if resource == "endpoints" else "Service",
                                                         "apiVersion": "v1",
                                                         "metadata": {"resourceVersion": str(version)}}})
                    next_bookmark = now + self.bookmark_interval
                if now >= deadline():
                    break
            h.wfile.write(b"0\r\n\r\n")
        finally:
            with self.cond:
                self.open_watches -= 1
