"""Issue tests: a real third-party client, edx-rest-api-client, against the stand-in.

get_oauth_access_token needs no Django settings. OAuthAPIClient caches tokens through
edx-django-utils and so needs configured Django settings: that part runs in a child
process, so nothing of it can leak into this test process or other tests.
"""

import json
import subprocess
import sys

import requests
from edx_rest_api_client.auth import SuppliedJwtAuth
from edx_rest_api_client.client import get_oauth_access_token

DEMO = "course-v1:edX+DemoX+Demo_Course"


def test_client_credentials_jwt_then_enrollment_api(lms):
    actors = lms.actors(staff=True, learners=1)
    token, expires_at = get_oauth_access_token(lms.url, actors["client_id"], actors["secret"], token_type="jwt")
    assert token.count(".") == 2
    response = requests.post(
        lms.url + "/api/enrollment/v1/enrollment",
        json={"user": actors["learners"][0], "mode": "verified", "course_details": {"course_id": DEMO}},
        auth=SuppliedJwtAuth(token),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["user"], response.json()["mode"]) == (actors["learners"][0], "verified")
    assert response.request.headers["Authorization"] == "JWT " + token


CHILD = r"""
import json, sys
import django
from django.conf import settings
settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
django.setup()
from edx_rest_api_client.client import OAuthAPIClient
base, client_id, secret = sys.argv[1:4]
client = OAuthAPIClient(base, client_id, secret)
first = client.get(base + "/api/enrollment/v1/enrollment", timeout=10)
second = client.get(base + "/api/enrollment/v1/course/" + sys.argv[4], timeout=10)
print(json.dumps({"codes": [first.status_code, second.status_code],
                  "auth": first.request.headers["Authorization"].split()[0], "body": first.json()}))
"""


def test_oauth_api_client_in_a_child_process(lms):
    actors = lms.actors()
    assert lms.enroll(lms.bearer(actors)).status_code == 200
    result = subprocess.run(
        [sys.executable, "-c", CHILD, lms.url, actors["client_id"], actors["secret"], DEMO],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["codes"] == [200, 200]
    assert out["auth"] == "JWT"
    assert [e["course_details"]["course_id"] for e in out["body"]] == [DEMO]
