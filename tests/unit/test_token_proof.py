"""The cached token's proof: one GET, a 401 is a refusal, and the token never follows a redirect elsewhere."""

import pytest
from ansible.module_utils.edx_provision.http import token_proof
from ansible.module_utils.edx_provision.http.probe import Timings

LMS = "https://lms.example.com"
PARAMS = {"request_timeout": 5, "validate_certs": True, "ca_path": None}
RECORD = {"token": "cached-opaque-token-0123456789", "token_type": "bearer"}


class Response:
    def __init__(self, status, location=None):
        self.status_code = status
        self.headers = {"Location": location} if location else {}


class Session:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.urls = []

    def get(self, url, headers=None, timeout=None, allow_redirects=True):
        assert allow_redirects is False
        self.urls.append(url)
        return self.answers.pop(0)


def proof(monkeypatch, session):
    monkeypatch.setattr(token_proof, "session_from_params", lambda params, retries: session)
    return token_proof.lms_refuses(PARAMS, LMS, RECORD, Timings(lambda: 0.0, ("cache_check",)), clock=lambda: 0.0)


@pytest.mark.parametrize(("status", "refused"), [(401, True), (200, False), (503, False)])
def test_only_a_401_is_a_refusal(monkeypatch, status, refused):
    session = Session(Response(status))
    assert proof(monkeypatch, session) is refused and session.urls == [LMS + "/api/enrollment/v1/enrollment"]


def test_a_redirect_to_another_origin_is_not_followed_with_the_token(monkeypatch):
    session = Session(Response(302, "https://elsewhere.example.com/api/enrollment/v1/enrollment"), Response(401))
    assert proof(monkeypatch, session) is False
    assert session.urls == [LMS + "/api/enrollment/v1/enrollment"]
