"""Helpers for the stand-in LMS contract tests: actors made in one manage.py boot, HTTP calls."""

import base64
import json
import uuid

import pytest
import requests

DEMO = "course-v1:edX+DemoX+Demo_Course"

# Runs inside `manage.py lms shell -c` (on Ginkgo: the interactive shell, see
# Client.shell), reading its JSON document from stdin: the same shape of call the toolkit
# makes. It prints one marked line at the end.
SETUP_PROGRAM = r"""
import json, sys
from django.contrib.auth.models import Group, User
from oauth2_provider.models import get_application_model
from opaque_keys.edx.keys import CourseKey
from common.djangoapps.student.models import CourseEnrollment, UserProfile
from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess, RestrictedApplication

spec = json.load(sys.stdin)
Application = get_application_model()
for name in spec.get("groups", []):
    Group.objects.get_or_create(name=name)
for u in spec.get("users", []):
    user, _ = User.objects.update_or_create(username=u["username"], defaults=dict(
        email=u.get("email", u["username"] + "@example.com"), is_staff=u.get("is_staff", False),
        is_superuser=u.get("is_superuser", False), is_active=u.get("is_active", True)))
    if u.get("password") is None:
        user.set_unusable_password()
    else:
        user.set_password(u["password"])
    user.save()
    if u.get("profile", True):
        UserProfile.objects.update_or_create(user=user, defaults={"name": u.get("name", "")})
for a in spec.get("apps", []):
    app = Application.objects.create(
        name=a["name"], user=User.objects.get(username=a["owner"]), client_id=a["client_id"],
        client_secret=a["secret"], client_type=a.get("client_type", "confidential"),
        authorization_grant_type=a.get("grant", "client-credentials"), redirect_uris="")
    if a.get("scopes") or a.get("filters"):
        ApplicationAccess.objects.create(application=app, scopes=a.get("scopes", ""), filters=a.get("filters"))
    if a.get("restricted"):
        RestrictedApplication.objects.create(application=app)
if spec.get("dop_clients"):
    from provider.oauth2.models import Client as DOPClient
    for c in spec["dop_clients"]:
        DOPClient.objects.create(
            user=User.objects.get(username=c["owner"]) if c.get("owner") else None, name=c.get("name", ""),
            url="https://example.com", redirect_uri="https://example.com/complete", client_id=c["client_id"],
            client_secret=c["secret"], client_type=1 if c.get("public") else 0)
users = {u.username: u for u in User.objects.filter(username__in=[e["user"] for e in spec.get("enrollments", [])])}
CourseEnrollment.objects.bulk_create([
    CourseEnrollment(user=users[e["user"]], course_id=CourseKey.from_string(e["course"]),
                     mode=e.get("mode", "audit"), is_active=e.get("is_active", True))
    for e in spec.get("enrollments", [])
])
print("SETUP-OK")
"""


# Flavours whose `shell` is Django 1.8's: no -c, stdin is an interactive session.
SHELL_WITHOUT_C = {"ginkgo"}


class Client:
    """HTTP and manage.py access to one stand-in instance, for tests."""

    def __init__(self, lms):
        self.lms = lms
        self.url = lms.url
        self.http = requests.Session()
        # Per request, not session.verify: REQUESTS_CA_BUNDLE in the environment would override that.
        self.verify = str(lms.ca_path) if lms.tls else True

    # ---------------------------------------------------------------- manage.py
    def manage(self, *args, **kwargs):
        return self.lms.manage(*args, **kwargs)

    def shell(self, code, input=None):
        """Run `code` in `manage.py lms shell` with `input` as its stdin; CompletedProcess.

        Django 5.2: `shell -v0 -c CODE`. Django 1.8 (ginkgo) has no -c: the program and its
        input travel as one line of the interactive session (test scaffolding only), and
        its prompts are removed from stdout.
        """
        if self.lms.settings not in SHELL_WITHOUT_C:
            return self.lms.manage("shell", "-v0", "-c", code, input=input)
        program = f"import io, sys\nsys.stdin = io.StringIO({(input or '')!r})\n{code}"
        encoded = base64.b64encode(program.encode()).decode()
        line = f"exec(compile(__import__('base64').b64decode('{encoded}').decode(), '<test>', 'exec'), {{}})\n"
        result = self.lms.manage("shell", "--plain", input=line)
        result.stdout = result.stdout.replace(">>> ", "")
        if "Traceback (most recent call last)" in result.stderr:
            result.returncode = 1  # the session itself always exits 0
        return result

    def setup(self, **spec):
        result = self.shell(SETUP_PROGRAM, input=json.dumps(spec))
        assert result.returncode == 0 and result.stdout.strip().endswith("SETUP-OK"), result.stderr[-3000:]
        return spec

    def orm(self, code, input=None):
        """Run Python in `manage.py lms shell`; return its stdout (JSON-decoded if it is JSON)."""
        result = self.shell(code, input=input)
        assert result.returncode == 0, result.stderr[-3000:]
        text = result.stdout.strip()
        try:
            return json.loads(text.splitlines()[-1]) if text else None
        except ValueError:
            return text

    def actors(self, staff=False, learners=1, inactive=False, scopes=None, superuser=False):
        """Fresh users and a client-credentials app owned by the first one (the caller).

        Returns a dict: caller, caller_password, client_id, secret, learners [names].
        """
        uid = uuid.uuid4().hex[:10]
        caller = f"caller-{uid}"
        users = [
            {
                "username": caller,
                "password": f"pw-{uid}",
                "is_staff": staff,
                "is_superuser": superuser,
                "is_active": not inactive,
            }
        ]
        names = [f"learner{i}-{uid}" for i in range(learners)]
        users += [{"username": name, "password": f"pw-{name}"} for name in names]
        app = {"name": f"app-{uid}", "owner": caller, "client_id": f"cid-{uid}", "secret": f"secret-{uid}"}
        if scopes:
            app["scopes"] = scopes
        self.setup(users=users, apps=[app])
        return {
            "caller": caller,
            "caller_password": f"pw-{uid}",
            "client_id": app["client_id"],
            "secret": app["secret"],
            "learners": names,
            "uid": uid,
        }

    # ---------------------------------------------------------------- HTTP
    def token_response(self, data=None, **kwargs):
        kwargs.setdefault("verify", self.verify)
        return self.http.post(self.url + "/oauth2/access_token", data=data, timeout=10, **kwargs)

    def token(self, client_id, secret, token_type=None, **fields):
        data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **fields}
        if token_type:
            data["token_type"] = token_type
        response = self.token_response(data)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def bearer(self, actors):
        return {"Authorization": "Bearer " + self.token(actors["client_id"], actors["secret"])}

    def jwt(self, actors):
        return {"Authorization": "JWT " + self.token(actors["client_id"], actors["secret"], token_type="jwt")}

    def get(self, path, **kwargs):
        kwargs.setdefault("verify", self.verify)
        return self.http.get(self.url + path, timeout=10, **kwargs)

    def post(self, path, **kwargs):
        kwargs.setdefault("verify", self.verify)
        return self.http.post(self.url + path, timeout=10, **kwargs)

    def enroll(self, headers, course_id=DEMO, **body):
        body = {"course_details": {"course_id": course_id}, **body}
        return self.post("/api/enrollment/v1/enrollment", json=body, headers=headers)


@pytest.fixture(scope="session")
def lms(standin):
    """The session's default (production) stand-in, wrapped for tests."""
    return Client(standin)


@pytest.fixture(scope="session")
def demo():
    return DEMO


@pytest.fixture(scope="session")
def other_standin(standin_factory):
    """A second production instance beside the default one (own port, state, keys)."""
    return standin_factory(name="lms-other")


@pytest.fixture(scope="session")
def client_for():
    """Wrap another StandinLMS instance (from standin_factory) in the test Client."""
    return Client


# ---------------------------------------------------------------- the ginkgo flavour
@pytest.fixture(scope="session")
def ginkgo(standin_factory):
    """A `ginkgo` stand-in (HTTPS with a test CA, API key set), wrapped for tests."""
    return Client(standin_factory(settings="ginkgo", name="lms-ginkgo"))


@pytest.fixture(scope="session")
def ginkgo_plain_http(standin_factory):
    """A `ginkgo` stand-in served over plain HTTP, OAUTH_ENFORCE_SECURE still on: an LMS
    behind a TLS proxy without SECURE_PROXY_SSL_HEADER (contract §7.3)."""
    return Client(standin_factory(settings="ginkgo", env={"LMS_TLS": "off"}, name="lms-ginkgo-http"))
