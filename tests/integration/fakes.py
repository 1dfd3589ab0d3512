"""Tiny HTTP(S) servers on 127.0.0.1 for what the stand-in LMS must not do: redirect elsewhere,
answer a failing heartbeat, record what a stranger would receive.

    with FakeServer({"/heartbeat": (200, {}, {"sql": {"status": True}})}) as lms: ...

Routes map a path (without query) to (status, headers, body) or to a callable(request) returning
one; every request is recorded as a dict (method, path, headers, body). Unknown paths answer 404.
"""

import datetime
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class _Handler(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = {
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers),
            "body": self.rfile.read(length).decode("utf-8", "replace") if length else "",
        }
        self.server.seen.append(request)
        route = self.server.routes.get(self.path.split("?")[0], (404, {}, "<html>not here</html>"))
        status, headers, body = route(request) if callable(route) else route
        payload = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Type" not in headers:
            self.send_header("Content-Type", "text/html" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


class FakeServer:
    """A threaded HTTP server on a free 127.0.0.1 port; `tls_dir` makes it HTTPS with a self-signed cert."""

    def __init__(self, routes=None, tls_dir=None):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.routes = dict(routes or {})
        self.httpd.seen = []
        scheme = "http"
        if tls_dir is not None:
            cert, key = self_signed(tls_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d" % (scheme, self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def routes(self):
        return self.httpd.routes

    @property
    def seen(self):
        return self.httpd.seen

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        return False


def self_signed(directory):
    """(cert path, key path) of a throw-away certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edx-provision fake LMS")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fake-lms.pem", directory / "fake-lms.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


HEALTHY = (200, {}, {"sql": {"status": True, "message": "OK"}, "modulestore": {"status": True, "message": "OK"}})


def token_answer(token="fake-opaque-token-0123456789", expires_in=36000):  # noqa: S107 (a fake token)
    return (
        200,
        {},
        {"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": "read write email profile"},
    )
