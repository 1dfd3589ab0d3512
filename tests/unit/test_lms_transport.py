"""The console transport (Ginkgo's shell without -c), run in real interactive consoles: the fixed first
line reads the document from the next stdin line, the marked result line survives the prompts, and a
failure before the program reports gives a non-zero exit code, which the console alone never does."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ansible.module_utils.edx_provision.lms.connection import Outcome
from ansible.module_utils.edx_provision.lms.runner import build_argv, parse_result, resolve_options
from ansible.module_utils.edx_provision.lms.transport import CONSOLE_LINE, RESULT_MARKER, lacks_shell_c, stdin_for

PYTHON27 = Path.home() / ".pyenv" / "versions" / "2.7.18" / "bin" / "python"
# What Django's `shell --plain` does with a piped stdin: code.interact, prompts on stdout.
CONSOLE = "import code; code.interact(local={})"
PROGRAM = (
    "import json, sys\n"
    "def main(request):\n"
    "    if request.get('boom'):\n"
    "        raise ValueError('boom')\n"
    "    sys.stdout.write('\\n%s' + json.dumps({'echo': request['value']}) + '\\n')\n"
) % RESULT_MARKER


def interpreters():
    found = [pytest.param(sys.executable, id="python3")]
    found.append(
        pytest.param(
            str(PYTHON27),
            id="python2.7",
            marks=pytest.mark.skipif(not PYTHON27.exists(), reason="no Python 2.7 on this machine"),
        )
    )
    return found


def console(python, request, program=PROGRAM, extra=""):
    document = json.dumps({"program": program, "request": request, "deadline": int(time.time()) + 60, "timeout": 60})
    data = stdin_for("interactive", document) + extra.encode()
    return subprocess.run([python, "-c", CONSOLE], input=data, capture_output=True, timeout=60)


@pytest.mark.parametrize("python", interpreters())
def test_the_console_runs_the_program_and_the_result_line_survives_the_prompts(python):
    # A value that would be code if the console ran it: it is only ever data.
    value = "__import__('os').system('echo ran-$((6*7))')\n\u00e9"
    proc = console(python, {"value": value}, extra="print('never run')\n")
    stdout = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert stdout.startswith(">>> ")  # the console's prompt, on the same line as nothing else
    assert parse_result(stdout) == {"echo": value}
    assert "ran-42" not in stdout and "never run" not in stdout


@pytest.mark.parametrize("python", interpreters())
def test_a_failure_inside_the_console_gives_a_non_zero_exit_code(python):
    proc = console(python, {"boom": True, "value": "x"})
    assert proc.returncode == 1
    assert b"ValueError: boom" in proc.stderr
    assert parse_result(proc.stdout.decode()) is None


@pytest.mark.parametrize("python", interpreters())
def test_a_deadline_passed_during_the_boot_runs_nothing(python):
    document = json.dumps(
        {"program": PROGRAM, "request": {"value": "x"}, "deadline": int(time.time()) - 5, "timeout": 60}
    )
    proc = subprocess.run(
        [python, "-c", CONSOLE], input=stdin_for("interactive", document), capture_output=True, timeout=60
    )
    assert proc.returncode == 1
    assert b"deadline passed before the program started" in proc.stderr
    assert parse_result(proc.stdout.decode()) is None


def test_the_console_line_is_one_fixed_line_and_the_document_the_next():
    data = stdin_for("interactive", json.dumps({"program": "x\ny", "request": {"a": "b\nc"}})).decode()
    first, second, rest = data.split("\n", 2)
    assert first == CONSOLE_LINE and rest == ""
    assert json.loads(second)["request"] == {"a": "b\nc"}


def test_interactive_argv_has_no_code_on_it():
    options = resolve_options(dict(runner="command", manage_command=["python", "manage.py"], settings="aws"))
    assert build_argv(options, "interactive") == [
        "python",
        "manage.py",
        "lms",
        "--settings=aws",
        "shell",
        "--plain",
        "--no-startup",
    ]
    assert options["shell"] == "auto"


@pytest.mark.parametrize(
    ("rc", "stderr", "stdout", "expected"),
    [
        (2, "usage: manage.py shell [-h]\nmanage.py shell: error: unrecognized arguments: -c import json\n", "", True),
        (2, "manage.py shell: error: unrecognized arguments: --plain\n", "", False),
        (1, "django.db.utils.OperationalError: no such table: auth_user\n", "", False),
        (0, "error: unrecognized arguments: -c\n", "", False),
        (2, "error: unrecognized arguments: -c x\n", RESULT_MARKER + "{}\n", False),
    ],
)
def test_only_the_refusal_of_dash_c_falls_back_to_the_console(rc, stderr, stdout, expected):
    assert lacks_shell_c(Outcome(rc, stdout, stderr, False)) is expected
