"""Contract section 1.1: manage_user, with its absolute flags."""

import uuid

import pytest

STATE = r"""
import json, sys
from django.contrib.auth.models import User
name = sys.stdin.read().strip()
u = User.objects.filter(username=name).first()
print(json.dumps(None if u is None else {
    "email": u.email, "is_staff": u.is_staff, "is_superuser": u.is_superuser,
    "groups": sorted(g.name for g in u.groups.all()), "usable": u.has_usable_password(),
    "password": u.password, "profile": hasattr(u, "profile"),
}))
"""


@pytest.fixture
def name():
    return "mu-" + uuid.uuid4().hex[:10]


def state(lms, username):
    return lms.orm(STATE, input=username)


def manage_user(lms, *args):
    return lms.manage("manage_user", *args)


def test_creates_a_user_with_profile_and_random_usable_password(lms, name):
    result = manage_user(lms, name, f"{name}@example.com")
    assert result.returncode == 0
    assert result.stdout == ""
    assert f'Created new user: "{name}"' in result.stderr
    assert f'Created new profile for user: "{name}"' in result.stderr
    assert f'Adding user "{name}" to groups []' in result.stderr
    user = state(lms, name)
    assert user["email"] == f"{name}@example.com"
    assert user["usable"] is True and user["password"].startswith("md5$")
    assert user["profile"] is True
    assert (user["is_staff"], user["is_superuser"], user["groups"]) == (False, False, [])


def test_staff_superuser_and_groups_are_absolute(lms, name):
    lms.setup(groups=["mu-a", "mu-b"])
    first = manage_user(lms, name, f"{name}@example.com", "--staff", "--superuser", "-g", "mu-a", "mu-b")
    assert first.returncode == 0
    assert f'Setting is_staff for user "{name}" to "True"' in first.stderr
    assert state(lms, name)["groups"] == ["mu-a", "mu-b"]

    again = manage_user(lms, name, f"{name}@example.com", "--groups", "mu-b", "nosuchgroup")
    assert again.returncode == 0
    assert f'Found existing user: "{name}"' in again.stderr
    assert f'Setting is_staff for user "{name}" to "False"' in again.stderr
    assert f'Setting is_superuser for user "{name}" to "False"' in again.stderr
    assert 'Could not find a group named "nosuchgroup" - skipping.' in again.stderr
    assert f"Removing user \"{name}\" from groups ['mu-a']" in again.stderr
    user = state(lms, name)
    assert (user["is_staff"], user["is_superuser"], user["groups"]) == (False, False, ["mu-b"])

    bare = manage_user(lms, name, f"{name}@example.com")
    assert bare.returncode == 0
    assert state(lms, name)["groups"] == []


def test_email_mismatch_is_an_error_and_email_is_never_updated(lms, name):
    assert manage_user(lms, name, f"{name}@example.com").returncode == 0
    same_ci = manage_user(lms, name, f"{name.upper()}@EXAMPLE.com")
    other = manage_user(lms, name, "someone.else@example.com", "--staff")
    assert same_ci.returncode == 0
    assert other.returncode == 1
    assert (
        f'CommandError: Skipping user "{name}" because the specified and existing email addresses do not match.'
        in other.stderr
    )
    user = state(lms, name)
    assert user["email"] == f"{name}@example.com" and user["is_staff"] is False


def test_initial_password_hash_only_on_creation(lms, name):
    first_hash = lms.orm("from django.contrib.auth.hashers import make_password; print(make_password('first-pw'))")
    second_hash = lms.orm("from django.contrib.auth.hashers import make_password; print(make_password('second-pw'))")
    created = manage_user(lms, name, f"{name}@example.com", "--initial-password-hash", first_hash)
    rerun = manage_user(lms, name, f"{name}@example.com", "--initial-password-hash", second_hash)
    assert created.returncode == 0 and rerun.returncode == 0
    assert state(lms, name)["password"] == first_hash


def test_invalid_hash_is_refused_and_nothing_is_created(lms, name):
    result = manage_user(lms, name, f"{name}@example.com", "--initial-password-hash", "plain-text-password")
    assert result.returncode == 1
    assert f"The password hash provided for user {name} is invalid." in result.stderr
    assert state(lms, name) is None


def test_pbkdf2_hash_from_elsewhere_is_accepted(lms, name):
    pbkdf2 = lms.orm(
        "from django.contrib.auth.hashers import make_password; print(make_password('x', hasher='pbkdf2_sha256'))"
    )
    assert manage_user(lms, name, f"{name}@example.com", "--initial-password-hash", pbkdf2).returncode == 0
    assert state(lms, name)["password"] == pbkdf2


def test_unusable_password_applies_on_every_run(lms, name):
    assert manage_user(lms, name, f"{name}@example.com").returncode == 0
    result = manage_user(lms, name, f"{name}@example.com", "--unusable-password")
    assert f'Setting unusable password for user "{name}"' in result.stderr
    assert state(lms, name)["usable"] is False


def test_remove(lms, name):
    assert manage_user(lms, name, f"{name}@example.com").returncode == 0
    wrong = manage_user(lms, name, "wrong@example.com", "--remove")
    assert wrong.returncode == 1 and "do not match" in wrong.stderr
    assert state(lms, name) is not None
    removed = manage_user(lms, name, f"{name}@example.com", "--remove")
    assert removed.returncode == 0 and f'Removing user: "{name}"' in removed.stderr
    assert state(lms, name) is None
    missing = manage_user(lms, name, f"{name}@example.com", "--remove")
    assert missing.returncode == 0
    assert f'Did not find a user with username "{name}" - skipping.' in missing.stderr


def test_no_password_flag_exists(lms, name):
    result = manage_user(lms, name, f"{name}@example.com", "--password", "x")
    assert result.returncode != 0
    assert "unrecognized arguments: --password" in result.stderr
    assert state(lms, name) is None
