"""Issue 6, LMS side: nothing the task did not clearly name is taken over or destroyed, no user value
is ever read as a command option, and drift is converged. Against the stand-in, through ansible-playbook."""

import sqlite3
import threading
from pathlib import Path

SECRET = "Test-secret-0123456789"


def access(target, check=False, diff=False, **options):
    run = target.play([{"name": "access", "edx_access": {**target.runner, **options}}], check=check, diff=diff)
    return run, run.task("access")


def module(target, module_name, check=False, diff=False, **options):
    run = target.play([{"name": "m", module_name: {**target.runner, **options}}], check=check, diff=diff)
    return run, run.task("m")


def lms(target, code):
    """Change the LMS by hand, as an operator in Django admin would; `code` ends by printing JSON."""
    return target.query("import json\n" + code)


def test_no_user_value_is_ever_read_as_a_command_option(target, name):
    """Dash-leading values in every string field reach the LMS's commands as values."""
    lms(
        target,
        "from django.contrib.auth.models import Group\n"
        "Group.objects.get_or_create(name='--superuser')\nprint(json.dumps(1))\n",
    )
    user, client_id = "--remove-" + name, "--client-id-" + name
    run, task = access(
        target,
        users=[
            {
                "username": user,
                "email": "-" + name + "@example.com",
                "groups": ["--superuser"],
                "password": "--staff-password",
            }
        ],
        clients=[
            {
                "name": "--public",
                "owner": user,
                "client_id": client_id,
                "client_secret": "--update-" + SECRET,
                "scopes": ["read"],
            }
        ],
    )
    assert task["status"] == "ok", task["result"].get("msg")
    held = target.user(user)
    assert held["email"] == "-" + name + "@example.com" and held["groups"] == ["--superuser"]
    assert held["is_superuser"] is False and held["is_staff"] is False
    client = target.client(client_id)
    assert (client["name"], client["owner"], client["client_type"], client["secret"]) == (
        "--public",
        user,
        "confidential",
        "--update-" + SECRET,
    )
    run, task = access(
        target,
        users=[
            {
                "username": user,
                "email": "-" + name + "@example.com",
                "groups": ["--superuser"],
                "password": "--staff-password",
            }
        ],
        clients=[
            {
                "name": "--public",
                "owner": user,
                "client_id": client_id,
                "client_secret": "--update-" + SECRET,
                "scopes": ["read"],
            }
        ],
    )
    assert task["result"]["changed"] is False


def test_absent_with_a_client_id_of_another_owner_deletes_nothing(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    module(target, "edx_oauth_client", name="theirs", owner=name, client_id=name + "-theirs")
    before = target.snapshot()
    run, task = module(target, "edx_oauth_client", client_id=name + "-theirs", owner="someone-else", state="absent")
    assert task["status"] == "failed" and "matches every identity given" in task["result"]["msg"]
    assert target.snapshot() == before


def test_a_client_is_never_silently_re_keyed(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    module(target, "edx_oauth_client", name="app", owner=name, client_id=name + "-old")
    before = target.snapshot()
    run, task = module(target, "edx_oauth_client", name="app", owner=name, client_id=name + "-new")
    assert task["status"] == "failed" and f'set client_id to "{name}-old"' in task["result"]["msg"]
    assert target.snapshot() == before


def test_removing_a_user_that_owns_clients_is_refused_then_lists_what_it_removed(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    module(target, "edx_oauth_client", name="a", owner=name, client_id=name + "-a")
    module(target, "edx_oauth_client", name="b", owner=name, client_id=name + "-b")
    before = target.snapshot()
    run, task = module(target, "edx_user", username=name, state="absent")
    assert task["status"] == "failed"
    assert f'owns OAuth2 clients ("{name}-a", "{name}-b")' in task["result"]["msg"]
    assert "remove_owned_clients: true" in task["result"]["msg"] and target.snapshot() == before

    run, task = module(target, "edx_user", username=name, state="absent", remove_owned_clients=True, diff=True)
    assert task["result"]["users"][0]["removed_clients"] == [name + "-a", name + "-b"]
    assert f"OAuth2 client {name}-a" in run.stdout and f"OAuth2 client {name}-b" in run.stdout
    assert target.user(name) is None and target.client(name + "-a") is None and target.client(name + "-b") is None


def test_an_address_of_another_user_is_refused_naming_that_user(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    before = target.snapshot()
    run, task = module(target, "edx_user", username=name + "-2", email=f"{name.upper()}@example.com")
    assert task["status"] == "failed" and f'already belongs to user "{name}"' in task["result"]["msg"]
    assert target.snapshot() == before


def test_a_redirect_scheme_the_lms_does_not_allow_is_refused_by_the_lms(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    before = target.snapshot()
    run, task = module(
        target,
        "edx_oauth_client",
        name="web",
        owner=name,
        grant_type="authorization_code",
        redirect_uris=["ftp://files.example.com/cb"],
    )
    assert task["status"] == "failed"
    assert "does not allow for redirect URIs (allowed: http, https)" in task["result"]["msg"]
    assert target.snapshot() == before


def test_a_user_deactivated_by_hand_is_reactivated(target, name):
    module(target, "edx_user", username=name, email=f"{name}@example.com", active=True)
    lms(
        target,
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.filter(username={name!r}).update(is_active=False)\nprint(json.dumps(1))\n",
    )
    run, task = module(target, "edx_user", username=name, email=f"{name}@example.com", active=True)
    assert task["result"]["users"][0]["changes"] == ["is_active"]
    assert (
        lms(
            target,
            "from django.contrib.auth import get_user_model\n"
            f"print(json.dumps(get_user_model().objects.get(username={name!r}).is_active))\n",
        )
        is True
    )


def test_emptied_scopes_keep_the_filters_and_show_them(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    module(target, "edx_oauth_client", name="f", owner=name, client_id=name + "-f", scopes=["read", "write"])
    lms(
        target,
        "from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess\n"
        f"a = ApplicationAccess.objects.get(application__client_id={name + '-f'!r})\n"
        "a.filters = ['content_org:X']\na.save()\nprint(json.dumps(1))\n",
    )
    run, task = module(target, "edx_oauth_client", client_id=name + "-f", scopes=["write", "read"])
    assert task["result"]["changed"] is False  # the same scopes in another order
    run, task = module(target, "edx_oauth_client", client_id=name + "-f", scopes=[])
    assert task["result"]["clients"][0]["after"]["filters"] == ["content_org:X"]
    held = lms(
        target,
        "from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess\n"
        f"a = ApplicationAccess.objects.get(application__client_id={name + '-f'!r})\n"
        "print(json.dumps([a.scopes, a.filters]))\n",
    )
    assert held == [[], ["content_org:X"]]


def test_two_concurrent_runs_creating_one_user_report_one_creation(target, name):
    results = []

    def run():
        results.append(module(target, "edx_user", username=name, email=f"{name}@example.com", staff=True)[1])

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [task["status"] for task in results] == ["ok", "ok"], [t["result"].get("msg") for t in results]
    actions = sorted(task["result"]["users"][0]["action"] for task in results)
    assert actions == ["create", "none"]
    assert target.user(name)["is_staff"] is True


# Issue 17.14: check mode writes no row, and sees a removal the real run cannot complete.


def access_tokens(target):
    return target.query(
        "import json\nfrom oauth2_provider.models import get_access_token_model\n"
        "print(json.dumps(get_access_token_model().objects.count()))\n"
    )


def test_check_mode_makes_no_direct_token_even_when_nothing_else_changes(target, name):
    client = {"name": name, "owner": name, "client_secret": SECRET}
    user = {"username": name, "email": f"{name}@example.com"}
    assert access(target, users=[user], clients=[client])[1]["status"] == "ok"
    client_id = target.query(
        "import json\nfrom oauth2_provider.models import get_application_model\n"
        f"print(json.dumps(get_application_model().objects.get(name={name!r}).client_id))\n"
    )
    before = access_tokens(target)
    wanted = [{"client_id": client_id, "value": "v" * 40}]
    run, task = access(target, check=True, users=[user], clients=[client], direct_tokens=wanted)
    assert task["status"] == "ok" and task["result"]["tokens"] == [None]
    assert "a token is a row in the LMS's database, so none was made" in " ".join(task["result"]["warnings"])
    token_run = target.play(
        [{"name": "t", "edx_token": {**target.runner, "method": "direct", "client_id": client_id}}], check=True
    )
    assert token_run.task("t")["status"] == "skipped"
    assert "a direct token is a row in the LMS's database" in token_run.task("t")["result"]["msg"]
    assert access_tokens(target) == before


def test_check_mode_meets_a_removal_the_real_run_cannot_complete(fresh_target, name):
    """A user whose removal cascades into a table the LMS cannot read (not migrated): check mode fails as the
    real run does, instead of reporting changed."""
    user = {"username": name, "email": f"{name}@example.com"}
    assert module(fresh_target, "edx_user", users=[user])[1]["result"]["changed"] is True
    with sqlite3.connect(Path(fresh_target.lms.state_dir) / "db.sqlite3") as db:
        db.execute("DROP TABLE student_courseenrollment")
    removal = [{"username": name, "state": "absent"}]
    _, checked = module(fresh_target, "edx_user", check=True, users=removal)
    _, real = module(fresh_target, "edx_user", users=removal)
    assert real["status"] == "failed" and "student_courseenrollment" in real["result"]["msg"]
    assert checked["status"] == "failed" and "student_courseenrollment" in checked["result"]["msg"]
    assert fresh_target.user(name) is not None
