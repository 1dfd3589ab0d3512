"""edx_user through ansible-playbook against the stand-in LMS: what an operator sees and what the LMS holds."""

import pytest


def ensure(target, check=False, diff=False, **options):
    run = target.play([{"name": "user", "edx_user": {**target.runner, **options}}], check=check, diff=diff)
    return run, run.task("user")


def test_create_then_rerun_changes_nothing_in_one_boot_each(target, name):
    boots = target.lms.boots()
    run, task = ensure(target, username=name, email=f"{name}@example.com", staff=True, password="First-pass1")
    assert run.rc == 0 and task["status"] == "ok" and task["result"]["changed"] is True
    entry = task["result"]["users"][0]
    assert entry["action"] == "create" and entry["after"]["is_staff"] is True
    held = target.user(name)
    assert held["is_staff"] and not held["is_superuser"] and held["email"] == f"{name}@example.com"
    assert target.lms.boots() - boots == 1 + 1  # the module, and our own read-back above

    boots = target.lms.boots()
    run, task = ensure(target, username=name, email=f"{name}@example.com", staff=True, password="First-pass1")
    assert task["result"]["changed"] is False and task["result"]["users"][0]["action"] == "none"
    assert target.lms.boots() - boots == 1


def test_login_works_with_the_password_set_on_creation(target, name):
    ensure(target, username=name, email=f"{name}@example.com", password="Created-pass1")
    assert _password_ok(target, name, "Created-pass1")


def _password_ok(target, username, password):
    return target.query(
        "import json\nfrom django.contrib.auth import authenticate\n"
        f"print(json.dumps(authenticate(username={username!r}, password={password!r}) is not None))\n"
    )


def test_options_left_out_are_left_alone(target, name):
    # superuser and a group set by hand (manage_user would drop both if its flags were replayed)
    target.lms.manage(
        "shell", "-c", "from django.contrib.auth.models import Group; Group.objects.get_or_create(name='ops')"
    )
    target.lms.manage("manage_user", name, f"{name}@example.com", "--superuser", "--groups", "ops")
    run, task = ensure(target, username=name, email=f"{name}@example.com", staff=True)
    assert task["result"]["users"][0]["changes"] == ["is_staff"]
    held = target.user(name)
    assert held["is_staff"] and held["is_superuser"] and held["groups"] == ["ops"]


def test_password_changes_only_when_it_differs(target, name):
    ensure(target, username=name, email=f"{name}@example.com", password="Old-pass1")
    hash_before = target.user(name)["password"]
    run, task = ensure(target, username=name, password="Old-pass1")
    assert task["result"]["changed"] is False
    assert target.user(name)["password"] == hash_before  # not even re-hashed

    run, task = ensure(target, username=name, password="New-pass1", diff=True)
    assert task["result"]["users"][0]["changes"] == ["password"]
    assert "New-pass1" not in run.output and "Old-pass1" not in run.output
    assert _password_ok(target, name, "New-pass1")

    run, task = ensure(target, username=name, password="Third-pass1", update_password="on_create")
    assert task["result"]["changed"] is False and _password_ok(target, name, "New-pass1")


def test_another_email_fails_naming_both_and_changes_nothing(target, name):
    ensure(target, username=name, email=f"{name}@example.com", staff=False)
    before = target.snapshot()
    run, task = ensure(target, username=name, email="someone-else@example.com", staff=True)
    assert run.rc != 0 and task["status"] == "failed"
    msg = task["result"]["msg"]
    assert f"{name}@example.com" in msg and "someone-else@example.com" in msg and "email" in msg
    assert target.snapshot() == before


def test_a_bad_entry_in_a_list_applies_nothing(target, name):
    before = target.snapshot()
    run, task = ensure(
        target,
        users=[
            {"username": name + "a", "email": f"{name}a@example.com"},
            {"username": name + "b", "email": f"{name}b@example.com", "groups": ["no-such-group"]},
        ],
    )
    assert task["status"] == "failed"
    assert "no-such-group" in task["result"]["msg"] and "users[1].groups" in task["result"]["msg"]
    assert target.snapshot() == before and target.user(name + "a") is None


def test_many_users_in_one_boot(target, name):
    users = [{"username": f"{name}{i}", "email": f"{name}{i}@example.com", "staff": i % 2 == 0} for i in range(6)]
    boots = target.lms.boots()
    run, task = ensure(target, users=users)
    assert [u["action"] for u in task["result"]["users"]] == ["create"] * 6
    assert target.lms.boots() - boots == 1
    assert [target.user(f"{name}{i}")["is_staff"] for i in (0, 1)] == [True, False]


def test_absent_removes_and_check_mode_writes_nothing(target, name):
    ensure(target, username=name, email=f"{name}@example.com")
    run, task = ensure(target, username=name, state="absent", check=True, diff=True)
    assert task["result"]["changed"] is True and task["result"]["users"][0]["action"] == "delete"
    assert target.user(name) is not None
    run, task = ensure(target, username=name, state="absent")
    assert task["result"]["changed"] is True and target.user(name) is None
    run, task = ensure(target, username=name, state="absent")
    assert task["result"]["changed"] is False


def test_check_mode_reports_a_creation_and_writes_nothing(target, name):
    before = target.snapshot()
    run, task = ensure(target, username=name, email=f"{name}@example.com", password="Pass-word1", check=True, diff=True)
    assert task["result"]["changed"] is True and task["result"]["users"][0]["action"] == "create"
    assert f"+    username: {name}" in run.stdout and "Pass-word1" not in run.output
    assert target.snapshot() == before


@pytest.mark.parametrize(
    "options, words",
    [
        ({"email": "not-an-email"}, "email 'not-an-email' is not valid: use one address"),
        ({"email": "a@example.com", "runner": "kubernetes"}, "value of runner must be one of"),
    ],
)
def test_bad_input_fails_before_the_lms_starts(target, name, options, words):
    boots = target.lms.boots()
    run, task = ensure(target, username=name, **options)
    assert task["status"] == "failed" and words in task["result"]["msg"]
    assert target.lms.boots() == boots


def test_a_missing_manage_py_is_explained(target, name):
    runner = dict(target.runner, manage_command=["/nonexistent/python.edxapp", "/edx/bin/manage.edxapp"])
    run = target.play([{"name": "user", "edx_user": {**runner, "username": name, "email": f"{name}@example.com"}}])
    msg = run.task("user")["result"]["msg"]
    assert "/nonexistent/python.edxapp" in msg and "manage_command" in msg


def test_an_empty_manage_command_names_the_option(target, name):
    runner = dict(target.runner, manage_command=[])
    run = target.play([{"name": "user", "edx_user": {**runner, "username": name, "email": f"{name}@example.com"}}])
    assert "manage_command is empty" in run.task("user")["result"]["msg"]


def test_wrong_settings_are_explained(target, name):
    runner = dict(target.runner, settings="prodution")
    run = target.play([{"name": "user", "edx_user": {**runner, "username": name, "email": f"{name}@example.com"}}])
    msg = run.task("user")["result"]["msg"]
    assert "lms.envs.prodution does not exist" in msg and "settings" in msg
