"""edx_oauth_client through ansible-playbook against the stand-in LMS, in clear and hashed-secret modes."""

import pytest
from conftest import Target


def ensure(target, check=False, diff=False, verbosity=0, **options):
    run = target.play(
        [{"name": "client", "edx_oauth_client": {**target.runner, **options}}],
        check=check,
        diff=diff,
        verbosity=verbosity,
    )
    return run, run.task("client")


@pytest.fixture
def owner(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    return name


@pytest.fixture(scope="module")
def hashed(standin_factory):
    return Target(standin_factory(settings="hashed_secrets", name="hashed"))


def test_create_with_every_option_then_rerun_is_a_no_op(target, owner):
    options = dict(
        name="web",
        owner=owner,
        client_id=owner + "-web",
        client_secret="S3cret-web-0123456789",
        grant_type="authorization_code",
        client_type="public",
        redirect_uris=["https://app.example.com/cb"],
        scopes=["user_id", "grades:read"],
        skip_authorization=True,
    )
    run, task = ensure(target, **options)
    assert task["result"]["clients"][0]["action"] == "create"
    held = target.client(owner + "-web")
    assert held == dict(
        name="web",
        owner=owner,
        secret="S3cret-web-0123456789",
        grant="authorization-code",
        client_type="public",
        redirect_uris="https://app.example.com/cb",
        skip=True,
        scopes=["user_id", "grades:read"],
    )
    run, task = ensure(target, **options)
    assert task["result"]["changed"] is False


def test_an_update_resets_nothing_it_was_not_asked_to(target, owner):
    ensure(
        target,
        name="app",
        owner=owner,
        client_id=owner + "-app",
        client_secret="one-0123456789abcdef",
        client_type="public",
        skip_authorization=True,
        redirect_uris=["https://a.example.com/cb"],
        scopes=["user_id"],
    )
    run, task = ensure(target, client_id=owner + "-app", grant_type="password")
    assert task["result"]["clients"][0]["changes"] == ["grant_type"]
    held = target.client(owner + "-app")
    assert (held["grant"], held["client_type"], held["skip"], held["redirect_uris"], held["scopes"]) == (
        "password",
        "public",
        True,
        "https://a.example.com/cb",
        ["user_id"],
    )


def test_found_by_client_id_it_moves_to_another_owner_only_when_allowed(target, owner, name):
    target.lms.manage("manage_user", name + "x", f"{name}x@example.com")
    ensure(target, name="first", owner=owner, client_id=owner + "-mv", client_secret="keep-me-0123456789ab")
    before = target.snapshot()
    run, task = ensure(target, client_id=owner + "-mv", owner=name + "x", name="second")
    assert task["status"] == "failed" and f'belongs to "{owner}"' in task["result"]["msg"]
    assert "allow_owner_change: true" in task["result"]["msg"] and target.snapshot() == before
    run, task = ensure(target, client_id=owner + "-mv", owner=name + "x", name="second", allow_owner_change=True)
    assert task["result"]["clients"][0]["changes"] == ["name", "owner"]
    held = target.client(owner + "-mv")
    assert (held["owner"], held["name"], held["secret"]) == (name + "x", "second", "keep-me-0123456789ab")


def test_a_changed_secret_is_detected_and_applied(target, owner):
    ensure(target, name="s", owner=owner, client_id=owner + "-s", client_secret="Old-secret-41-abcdefgh")
    run, task = ensure(target, client_id=owner + "-s", client_secret="New-secret-42-abcdefgh", diff=True)
    assert task["result"]["changed"] is True and task["result"]["clients"][0]["changes"] == ["client_secret"]
    assert "client_secret: '******** (changed)'" in run.stdout
    assert "Old-secret-41-abcdefgh" not in run.output and "New-secret-42-abcdefgh" not in run.output
    assert target.client(owner + "-s")["secret"] == "New-secret-42-abcdefgh"


def test_hashed_secrets_are_compared_not_read_back(hashed, name):
    hashed.lms.manage("manage_user", name, f"{name}@example.com")
    ensure(hashed, name="h", owner=name, client_id=name + "-h", client_secret="Hashed-one-0123456789")
    stored = hashed.client(name + "-h")["secret"]
    assert stored != "Hashed-one-0123456789" and "$" in stored  # hashed by django-oauth-toolkit 2+ behaviour
    run, task = ensure(hashed, client_id=name + "-h", client_secret="Hashed-one-0123456789")
    assert task["result"]["changed"] is False
    run, task = ensure(hashed, client_id=name + "-h", client_secret="Hashed-two-0123456789", check=True)
    assert task["result"]["clients"][0]["changes"] == ["client_secret"]
    assert hashed.client(name + "-h")["secret"] == stored  # check mode wrote nothing
    run, task = ensure(hashed, client_id=name + "-h", client_secret="Hashed-two-0123456789")
    assert task["result"]["changed"] is True and hashed.client(name + "-h")["secret"] != stored
    run, task = ensure(hashed, client_id=name + "-h", client_secret="Hashed-two-0123456789")
    assert task["result"]["changed"] is False


def test_a_generated_secret_is_returned_only_when_asked(target, owner):
    run, task = ensure(target, name="gen", owner=owner)
    entry = task["result"]["clients"][0]
    assert "client_secret" not in entry and entry["client_id"]
    secret = target.client(entry["client_id"])["secret"]
    assert secret not in run.output

    run, task = ensure(target, name="gen2", owner=owner, return_secret=True)
    entry = task["result"]["clients"][0]
    assert entry["client_secret"] == target.client(entry["client_id"])["secret"]


def test_the_lms_never_logs_the_secret(target, owner):
    """The program runs as the runner runs it; the LMS's own stderr (its log) must not hold the secret."""
    import json

    from ansible.module_utils.edx_provision.lms.runner import lms_document, parse_result
    from ansible.module_utils.edx_provision.lms.transport import BOOTSTRAP

    want = dict(
        where="",
        name="quiet",
        owner=owner,
        client_id=owner + "-quiet",
        client_secret="Never-logged-1-abcdefgh",
        grant_type=None,
        client_type=None,
        redirect_uris=None,
        scopes=None,
        skip_authorization=None,
        state="present",
        return_secret=False,
    )
    document = lms_document("ensure_oauth_clients", {"check_mode": False, "clients": [want], "backend": "dot"})
    proc = target.lms.manage("shell", "-c", BOOTSTRAP, input=json.dumps(document))
    assert parse_result(proc.stdout)["clients"][0]["action"] == "create", proc.stderr
    assert "Never-logged-1-abcdefgh" not in proc.stdout + proc.stderr
    assert target.client(owner + "-quiet")["secret"] == "Never-logged-1-abcdefgh"

    # Control: the LMS's command on its own does log the secret, which is why the module mutes it.
    proc = target.lms.manage("create_dot_application", "loud", owner, "--client-secret", "Logged-by-edx-2")
    assert "Logged-by-edx-2" in proc.stderr


def test_scopes_emptied_and_client_removed(target, owner):
    ensure(target, name="sc", owner=owner, client_id=owner + "-sc", scopes=["user_id"])
    run, task = ensure(target, client_id=owner + "-sc", scopes=[])
    assert task["result"]["clients"][0]["changes"] == ["scopes"] and target.client(owner + "-sc")["scopes"] == []
    run, task = ensure(target, client_id=owner + "-sc", state="absent")
    assert task["result"]["clients"][0]["action"] == "delete" and target.client(owner + "-sc") is None


@pytest.mark.parametrize(
    "options, words",
    [
        (dict(name="x", owner="nobody-such-user"), 'owner "nobody-such-user" (owner) does not exist'),
        (dict(client_id="does-not-exist"), "creating one needs name and owner"),
        (dict(name="x", owner="{owner}", scopes=["no:such:scope"]), "scopes the LMS does not know: no:such:scope"),
    ],
)
def test_bad_input_fails_and_changes_nothing(target, owner, options, words):
    options = {k: (v.format(owner=owner) if isinstance(v, str) else v) for k, v in options.items()}
    before = target.snapshot()
    run, task = ensure(target, **options)
    assert task["status"] == "failed" and words in task["result"]["msg"]
    assert target.snapshot() == before


def test_several_clients_one_boot_and_a_bad_one_applies_none(target, owner):
    clients = [{"name": f"c{i}", "owner": owner, "client_id": f"{owner}-c{i}"} for i in range(4)]
    boots = target.lms.boots()
    run, task = ensure(target, clients=clients)
    assert [c["action"] for c in task["result"]["clients"]] == ["create"] * 4
    assert target.lms.boots() - boots == 1
    before = target.snapshot()
    bad = [dict(clients[0], grant_type="password"), {"name": "c9", "owner": "nobody-such-user"}]
    run, task = ensure(target, clients=bad)
    assert task["status"] == "failed" and target.snapshot() == before
