"""Contract section 1.3 (create_dot_application) and issue point 3 (client-secret storage)."""

import json
import re
import uuid

import pytest

LOGGER = "openedx.core.djangoapps.oauth_dispatch.management.commands.create_dot_application"

APP_STATE = r"""
import json, sys
from oauth2_provider.models import get_application_model
from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess
owner = sys.stdin.read().strip()
out = {}
for a in get_application_model().objects.filter(user__username=owner).order_by("id"):
    access = ApplicationAccess.objects.filter(application=a).first()
    out.setdefault(a.name, []).append({"id": a.id, "client_id": a.client_id, "client_secret": a.client_secret,
                "hash_client_secret": a.hash_client_secret, "client_type": a.client_type,
                "grant": a.authorization_grant_type, "redirect_uris": a.redirect_uris,
                "skip_authorization": a.skip_authorization,
                "scopes": None if access is None else access.scopes})
print(json.dumps(out))
"""


@pytest.fixture
def owner(lms):
    name = "owner-" + uuid.uuid4().hex[:8]
    lms.setup(users=[{"username": name, "password": "pw"}])
    return name


def apps(lms, owner, settings=None):
    """{name: [application dicts]} of everything `owner` owns."""
    result = lms.manage("shell", "-v0", "-c", APP_STATE, input=owner, settings=settings)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_creates_with_defaults_logs_the_secret_and_prints_nothing(lms, owner):
    result = lms.manage(
        "create_dot_application", "svc", owner, "--client-id", f"id-{owner}", "--client-secret", f"sec-{owner}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    (app,) = apps(lms, owner)["svc"]
    line = (
        f"[{LOGGER}] Created svc application with id: {app['id']}, client_id: id-{owner}, "
        f"and client_secret: sec-{owner}"
    )
    assert line in result.stderr
    assert app["grant"] == "client-credentials"
    assert app["client_type"] == "confidential"
    assert app["redirect_uris"] == "" and app["skip_authorization"] is False
    assert app["scopes"] is None
    # stored in clear, like DOT 1.7.1
    assert app["client_secret"] == f"sec-{owner}" and app["hash_client_secret"] is False


def test_generated_credentials_when_not_given(lms, owner):
    result = lms.manage("create_dot_application", "gen", owner)
    assert result.returncode == 0
    (app,) = apps(lms, owner)["gen"]
    match = re.search(r"client_id: (\S+), and client_secret: (\S+)$", result.stderr, re.MULTILINE)
    assert match.groups() == (app["client_id"], app["client_secret"])
    assert len(app["client_id"]) >= 30 and len(app["client_secret"]) >= 30


def test_existing_app_unchanged_without_update(lms, owner):
    lms.manage(
        "create_dot_application",
        "keep",
        owner,
        "--grant-type",
        "password",
        "--public",
        "--client-id",
        f"k-{owner}",
        "--client-secret",
        "s1",
        "--scopes",
        "read,user_id",
    )
    before = apps(lms, owner)["keep"]
    again = lms.manage(
        "create_dot_application",
        "keep",
        owner,
        "--client-id",
        f"other-{owner}",
        "--client-secret",
        "s2",
        "--scopes",
        "grades:read",
    )
    assert again.returncode == 0 and again.stdout == ""
    assert f"Application with name keep and user {owner} already exists." in again.stderr
    assert "Application access for application keep already exists." in again.stderr
    assert apps(lms, owner)["keep"] == before
    assert before[0]["scopes"] == ["read", "user_id"]


def test_update_resets_omitted_options_and_keeps_unpassed_credentials(lms, owner):
    lms.manage(
        "create_dot_application",
        "upd",
        owner,
        "--grant-type",
        "password",
        "--public",
        "--skip-authorization",
        "--redirect-uris",
        "https://a.example/cb https://b.example/cb",
        "--client-id",
        f"u-{owner}",
        "--client-secret",
        "s1",
        "--scopes",
        "read",
    )
    result = lms.manage("create_dot_application", "upd", owner, "--update", "--scopes", "user_id,email")
    assert result.returncode == 0, result.stderr
    assert "Updated upd application with id:" in result.stderr
    assert "Updated application access for upd with scopes: user_id,email" in result.stderr
    (app,) = apps(lms, owner)["upd"]
    assert app["grant"] == "client-credentials"
    assert app["client_type"] == "confidential"
    assert app["redirect_uris"] == "" and app["skip_authorization"] is False
    assert (app["client_id"], app["client_secret"]) == (f"u-{owner}", "s1")
    assert app["scopes"] == ["user_id", "email"]

    rotated = lms.manage("create_dot_application", "upd", owner, "--update", "--client-secret", "s2")
    assert rotated.returncode == 0
    (app,) = apps(lms, owner)["upd"]
    assert app["client_secret"] == "s2"
    assert app["scopes"] == ["user_id", "email"]  # untouched without --scopes


def test_identity_is_owner_and_name(lms, owner):
    other = "other-" + owner
    lms.setup(users=[{"username": other, "password": "pw"}])
    assert lms.manage("create_dot_application", "same", owner).returncode == 0
    assert lms.manage("create_dot_application", "same", other).returncode == 0
    assert len(apps(lms, owner)["same"]) == 1 and len(apps(lms, other)["same"]) == 1


def test_unknown_owner_fails(lms):
    result = lms.manage("create_dot_application", "x", "no-such-user-" + uuid.uuid4().hex[:6])
    assert result.returncode != 0
    assert "User matching query does not exist." in result.stderr


def test_duplicate_client_id_is_an_integrity_error(lms, owner):
    assert lms.manage("create_dot_application", "one", owner, "--client-id", f"dup-{owner}").returncode == 0
    result = lms.manage("create_dot_application", "two", owner, "--client-id", f"dup-{owner}")
    assert result.returncode != 0
    assert "IntegrityError" in result.stderr


def test_grant_type_choices_are_dots(lms, owner):
    result = lms.manage("create_dot_application", "bad", owner, "--grant-type", "client_credentials")
    assert result.returncode != 0
    assert "invalid choice: 'client_credentials'" in result.stderr
    assert "'client-credentials'" in result.stderr and "'password'" in result.stderr


def test_the_secret_line_comes_from_the_module_logger(lms, owner):
    """Muting that one logger silences the secret, as the toolkit does."""
    program = (
        "import logging; from django.core.management import call_command; "
        f"logging.getLogger('{LOGGER}').disabled = True; "
        f"call_command('create_dot_application', 'quiet', '{owner}', '--client-secret', 'hush-{owner}')"
    )
    result = lms.manage("shell", "-v0", "-c", program)
    assert result.returncode == 0
    assert f"hush-{owner}" not in result.stderr + result.stdout
    assert apps(lms, owner)["quiet"][0]["client_secret"] == f"hush-{owner}"


ORM_AND_ADMIN_CREATE = r"""
import sys
from django.contrib.auth.models import User
from oauth2_provider.models import get_application_model
from oauth2_provider.admin import ApplicationAdmin
from django.contrib import admin
owner = sys.stdin.read().strip()
Application = get_application_model()
user = User.objects.get(username=owner)
# plain ORM, even asking for the other mode explicitly
Application.objects.create(name="orm", user=user, client_id="orm-" + owner, client_secret="orm-secret",
                           client_type="confidential", authorization_grant_type="client-credentials",
                           hash_client_secret=True)
Application.objects.create(name="orm2", user=user, client_id="orm2-" + owner, client_secret="orm2-secret",
                           client_type="confidential", authorization_grant_type="client-credentials",
                           hash_client_secret=False)
# the admin's form and save path
ModelForm = admin.site._registry[Application].get_form(None)
form = ModelForm(data={"client_id": "adm-" + owner, "user": user.id, "redirect_uris": "",
                       "post_logout_redirect_uris": "", "client_type": "confidential",
                       "authorization_grant_type": "client-credentials", "client_secret": "adm-secret",
                       "hash_client_secret": "on", "name": "adm", "algorithm": "", "allowed_origins": "",
                       "registration_source": "manual"})
assert form.is_valid(), form.errors
form.save()
"""


@pytest.mark.parametrize(
    ("settings", "hashed"),
    [("production", False), ("hashed_secrets", True)],
)
def test_secret_storage_holds_for_every_creation_path(lms, owner, settings, hashed):
    created = lms.manage("create_dot_application", "cmd", owner, "--client-secret", "cmd-secret", settings=settings)
    other = lms.manage("shell", "-v0", "-c", ORM_AND_ADMIN_CREATE, input=owner, settings=settings)
    assert created.returncode == 0 and other.returncode == 0, other.stderr
    found = apps(lms, owner)
    for name, secret in (("cmd", "cmd-secret"), ("orm", "orm-secret"), ("orm2", "orm2-secret"), ("adm", "adm-secret")):
        (app,) = found[name]
        if hashed:
            assert app["hash_client_secret"] is True
            assert app["client_secret"] != secret and app["client_secret"].startswith("md5$"), name
        else:
            assert app["hash_client_secret"] is False
            assert app["client_secret"] == secret, name
    if hashed:
        # DOT 2+ behaviour: the creation log shows the stored hash, not the secret.
        assert "client_secret: md5$" in created.stderr and "cmd-secret" not in created.stderr
