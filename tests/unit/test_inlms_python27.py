"""The in-LMS decisions run, not only compile, under a Ginkgo LMS's Python 2.7, and decide exactly as
under Python 3: the same calls, with non-ASCII names, give the same JSON on both interpreters.

Django is not installed for 2.7 here, so the parts that need it are the stand-in's business
(tests/integration/test_ginkgo.py); what runs here is the pure logic of every in-LMS file, plus the
entry point's error handling with a minimal `django.db` (transaction.atomic, the two error classes).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ansible.module_utils.edx_provision.lms.client_options import clients_request
from ansible.module_utils.edx_provision.lms.programs import program_source
from ansible.module_utils.edx_provision.lms.runner import parse_result
from ansible.module_utils.edx_provision.lms.transport import RESULT_MARKER

PYTHON27 = Path.home() / ".pyenv" / "versions" / "2.7.18" / "bin" / "python"
PROGRAM = program_source("ensure_access")
NAME = "Caf\u00e9 \u2013 \u6570\u636e"  # what a careless operator types as a client name

# Runs under both interpreters: the program, then the calls read from stdin, one JSON line out.
DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
namespace = {"__name__": "edx_provision"}
exec(compile(open(sys.argv[2]).read(), "<program>", "exec"), namespace)
out = []
for name, args in json.load(sys.stdin):
    try:
        out.append({"ok": namespace[name](*args)})
    except namespace["ProvisionError"] as exc:
        out.append({"error": u"%s" % (exc,)})
print(json.dumps(out, sort_keys=True))
"""

# Entry points that end each way main() must report, with non-ASCII text in the message.
MAIN_DRIVER = """
import sys
sys.path.insert(0, sys.argv[1])
namespace = {"__name__": "edx_provision"}
exec(compile(open(sys.argv[2]).read(), "<program>", "exec"), namespace)
attempts = []

def refused(request):
    raise namespace["ProvisionError"](request["text"])

def crashed(request):
    raise ValueError(request["text"])

def raced_once(request):
    attempts.append(1)
    if len(attempts) == 1:
        raise namespace["Conflict"]("another run")
    return {"attempts": len(attempts), "text": request["text"]}

namespace["ENTRY_POINTS"].update(refused=refused, crashed=crashed, raced_once=raced_once)
namespace["main"]({"entry": sys.argv[3], "marker": sys.argv[4], "text": u"\\u00e9t\\u00e9 \\u2013 \\u6570"})
"""

FAKE_DJANGO_DB = """
import contextlib


class IntegrityError(Exception):
    pass


class OperationalError(Exception):
    pass


class transaction(object):
    @staticmethod
    @contextlib.contextmanager
    def atomic():
        yield
"""


def client_want(**options):
    """A client as edx_oauth_client's request builder makes it, as the first entry of `clients`."""
    entry = dict(name=NAME, owner="svc", client_id="app-1")
    entry.update(options)
    params = dict(clients=[entry], state="present", return_secret=False, allow_owner_change=False)
    return clients_request(params)["clients"][0]


HAVE = {
    "client_id": "app-1",
    "name": NAME,
    "owner": "other",
    "client_type": "confidential",
    "grant_type": "client_credentials",
    "redirect_uris": [],
    "skip_authorization": False,
    "scopes": [],
    "filters": [],
}
USER = dict(
    where="users[0]",
    username="svc",
    email="svc@example.com",
    staff=True,
    superuser=None,
    groups=[NAME],
    password=None,
    update_password="always",
    state="present",
)
CALLS = [
    ["plan_client", [client_want(), None, True, "generated-id", None]],
    ["plan_client", [client_want(), HAVE, True]],  # another owner's client: refused
    ["plan_client", [client_want(owner="other", scopes=["read"], client_secret="S" * 20), HAVE, False]],
    ["command_args", [{"action": "create", "after": dict(HAVE, scopes=["read", "user_id"])}, "secret-value"]],
    [
        "plan_dop_client",
        [client_want(redirect_uris=["https://a.example/cb"]), None, True, "dop-id", None, "https://lms"],
    ],
    ["plan_dop_client", [client_want(scopes=["read"]), None, True, "dop-id", None, "https://lms"]],
    ["plan_user", [USER, None, True]],
    ["plan_user", [dict(USER, email="new@example.com"), dict(USER, email="old@example.com", is_active=True), True]],
    ["token_scope", ["read  write", {}]],
    ["token_scope", ["", {"DEFAULT_SCOPES": {"read": "r"}}]],
    ["cut", [NAME * 100]],
]


def interpreters():
    return [
        pytest.param(sys.executable, id="python3"),
        pytest.param(
            str(PYTHON27),
            id="python2.7",
            marks=pytest.mark.skipif(not PYTHON27.exists(), reason="no Python 2.7 on this machine"),
        ),
    ]


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "program.py").write_text(PROGRAM)
    (tmp_path / "django" / "db").mkdir(parents=True)
    (tmp_path / "django" / "__init__.py").write_text("")
    (tmp_path / "django" / "db" / "__init__.py").write_text(FAKE_DJANGO_DB)
    return tmp_path


def run(python, workdir, driver, *args, data=""):
    proc = subprocess.run(
        [python, "-c", driver, str(workdir), str(workdir / "program.py"), *args],
        input=data.encode(),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout.decode()


def test_the_decisions_are_the_same_under_python_2_7_and_3(workdir):
    if not PYTHON27.exists():
        pytest.skip("no Python 2.7 on this machine")
    data = json.dumps(CALLS)
    under3 = json.loads(run(sys.executable, workdir, DRIVER, data=data))
    under27 = json.loads(run(str(PYTHON27), workdir, DRIVER, data=data))
    assert under27 == under3
    # The calls do decide something: a create, a refusal naming the option, the command's arguments.
    assert under3[0]["ok"]["action"] == "create" and under3[0]["ok"]["after"]["name"] == NAME
    assert 'belongs to "other"' in under3[1]["error"] and "clients[0].allow_owner_change" in under3[1]["error"]
    assert sorted(under3[2]["ok"]["changes"]) == ["client_secret", "scopes"]
    assert under3[3]["ok"][1]["scopes"] == "read,user_id" and under3[3]["ok"][1]["client_secret"] == "secret-value"
    assert under3[5]["error"].startswith("clients[0].scopes: this LMS keeps OAuth2 clients in django-oauth2-provider")
    assert "users[0].email" in under3[7]["error"]
    assert [under3[8]["ok"], under3[9]["ok"]] == ["read write", "read"]


@pytest.mark.parametrize("python", interpreters())
def test_a_refusal_with_non_ascii_text_reaches_the_operator_as_the_result(python, workdir):
    result = parse_result(run(python, workdir, MAIN_DRIVER, "refused", RESULT_MARKER))
    assert result == {"failed": True, "msg": "\u00e9t\u00e9 \u2013 \u6570"}


@pytest.mark.parametrize("python", interpreters())
def test_a_crash_with_non_ascii_text_is_reported_with_its_traceback(python, workdir):
    result = parse_result(run(python, workdir, MAIN_DRIVER, "crashed", RESULT_MARKER))
    assert result["failed"] is True
    assert result["msg"] == "Unexpected error inside the LMS: ValueError: \u00e9t\u00e9 \u2013 \u6570"
    assert "in crashed" in result["lms_traceback"] and "ValueError" in result["lms_traceback"]


@pytest.mark.parametrize("python", interpreters())
def test_a_run_that_lost_a_race_is_run_again_from_the_start(python, workdir):
    result = parse_result(run(python, workdir, MAIN_DRIVER, "raced_once", RESULT_MARKER))
    assert result == {"attempts": 2, "text": "\u00e9t\u00e9 \u2013 \u6570"}
