"""Test-only Kubernetes API server: just what `tutor k8s exec` and `kubectl exec` ask of a cluster.

It lists one running pod for any label selector (Tutor finds the lms pod that way) and refuses every
exec request with a Kubernetes Status 403, after recording it: method, path and query (where
kubectl puts the command it runs in the pod) and headers. No cluster runs here; this proves
the argv through the real Tutor CLI and the real kubectl, up to the API server.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

POD = "lms-5d8f7c9b6-x2x7q"


def _pod(namespace):
    return {
        "metadata": {"name": POD, "namespace": namespace, "labels": {"app.kubernetes.io/name": "lms"}},
        "spec": {"containers": [{"name": "lms", "image": "overhangio/openedx"}]},
        "status": {"phase": "Running"},
    }


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        parts = urlsplit(self.path)
        self.server.requests.append(
            {"method": self.command, "path": parts.path, "query": parse_qs(parts.query), "headers": dict(self.headers)}
        )
        if parts.path == "/version":
            return self._json(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0"})
        if parts.path == "/api":
            return self._json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
        if parts.path == "/apis":
            return self._json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if parts.path == "/api/v1":
            pods = {"name": "pods", "namespaced": True, "kind": "Pod", "verbs": ["get", "list"]}
            return self._json(200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": [pods]})
        if parts.path.endswith("/pods") and self.command == "GET":
            namespace = parts.path.split("/")[4]
            return self._json(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [_pod(namespace)]})
        if parts.path.endswith("/pods/" + POD) and self.command == "GET":
            namespace = parts.path.split("/")[4]
            return self._json(200, dict(_pod(namespace), kind="Pod", apiVersion="v1"))
        if parts.path.endswith("/exec"):
            message = "pods %r is forbidden: exec refused by the test API server" % POD
            return self._json(403, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                                    "reason": "Forbidden", "code": 403})  # fmt: skip
        return self._json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404})

    do_GET = do_POST = _handle


class KubeApi:
    """A server on 127.0.0.1; `kubeconfig(path)` writes a kubeconfig naming it."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.requests = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    @property
    def requests(self):
        return self.server.requests

    def kubeconfig(self, path):
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "test", "cluster": {"server": self.url}}],
            "users": [{"name": "test", "user": {"token": "test-only"}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
            "current-context": "test",
        }
        path.write_text(json.dumps(config))
        return path

    def close(self):
        self.server.shutdown()
        self.server.server_close()
