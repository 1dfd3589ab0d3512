"""Contract §2.2, §7.3 and §9 "OAUTH_ENFORCE_SECURE" on the ginkgo flavour.

On by default (Ginkgo's aws settings): DOP answers a request that is not secure with 400
invalid_request "A secure connection is required.", even with X-Forwarded-Proto: https
(Ginkgo sets no SECURE_PROXY_SSL_HEADER); DOT clients are not affected. The flavour serves
HTTPS with a test CA (LMS_TLS, default on), so the check passes there; LMS_TLS=off
reproduces an LMS behind a TLS proxy; LMS_OAUTH_ENFORCE_SECURE=0 turns the check off.
"""

import uuid

import pytest
import requests

SECURE_REQUIRED = {"error": "invalid_request", "error_description": "A secure connection is required."}


@pytest.fixture(scope="module")
def http_world(ginkgo_plain_http):
    uid = uuid.uuid4().hex[:8]
    owner = f"owner-{uid}"
    ginkgo_plain_http.setup(
        users=[{"username": owner, "password": "pw"}],
        dop_clients=[{"owner": owner, "client_id": f"dop-{uid}", "secret": "dop-secret"}],
        apps=[{"name": "dot", "owner": owner, "client_id": f"dot-{uid}", "secret": "dot-secret"}],
    )
    return uid


def cc(kind, uid):
    return {"grant_type": "client_credentials", "client_id": f"{kind}-{uid}", "client_secret": f"{kind}-secret"}


def test_the_flavour_serves_https_with_its_test_ca(ginkgo):
    assert ginkgo.url.startswith("https://127.0.0.1:")
    assert ginkgo.get("/heartbeat").status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        # Without the test CA, the certificate is not trusted: verification stays on.
        requests.get(ginkgo.url + "/heartbeat", timeout=10, verify="/etc/ssl/certs/ca-certificates.crt")


def test_plain_http_is_refused_by_dop(ginkgo_plain_http, http_world):
    assert ginkgo_plain_http.url.startswith("http://")
    response = ginkgo_plain_http.token_response(cc("dop", http_world))
    assert response.status_code == 400
    assert response.json() == SECURE_REQUIRED


def test_x_forwarded_proto_does_not_help(ginkgo_plain_http, http_world):
    response = ginkgo_plain_http.token_response(cc("dop", http_world), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 400
    assert response.json() == SECURE_REQUIRED


def test_the_check_comes_before_everything_else(ginkgo_plain_http):
    response = ginkgo_plain_http.token_response({"client_id": "unknown"})
    assert response.json() == SECURE_REQUIRED


def test_dot_clients_are_not_affected(ginkgo_plain_http, http_world):
    response = ginkgo_plain_http.token_response(cc("dot", http_world))
    assert response.status_code == 200, response.text


def test_the_knob_turns_the_check_off(standin_factory, client_for):
    lms = client_for(
        standin_factory(
            settings="ginkgo", name="lms-ginkgo-lax", env={"LMS_TLS": "off", "LMS_OAUTH_ENFORCE_SECURE": "0"}
        )
    )
    uid = uuid.uuid4().hex[:8]
    lms.setup(
        users=[{"username": f"o-{uid}", "password": "pw"}],
        dop_clients=[{"owner": f"o-{uid}", "client_id": f"dop-{uid}", "secret": "dop-secret"}],
    )
    response = lms.token_response(cc("dop", uid))
    assert response.status_code == 200, response.text
