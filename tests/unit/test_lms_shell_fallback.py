"""shell: auto through the real runner and process code, against fake manage.py commands that count
their starts: Django 1.8's shell (no -c, console on stdin) costs one extra start, a modern shell none,
and no other failure is retried."""

import importlib.util
import os
import subprocess
import sys

import pytest
from ansible.module_utils.edx_provision.lms import programs
from ansible.module_utils.edx_provision.lms.connection import ConnectionHost
from ansible.module_utils.edx_provision.lms.runner import LmsError, LmsRunner

FAKE_MANAGE = r"""
import code, sys
with open(sys.argv[1], "a") as handle:
    handle.write("start\n")
kind, args = sys.argv[2], sys.argv[3:]
if kind == "broken":
    sys.stderr.write("django.db.utils.OperationalError: no such table: auth_user\n")
    sys.exit(1)
if "-c" in args:
    if kind == "django18":
        sys.stderr.write("usage: manage.py shell [-h] [--plain]\n"
                         "manage.py shell: error: unrecognized arguments: -c %s\n" % args[args.index("-c") + 1])
        sys.exit(2)
    exec(args[args.index("-c") + 1], {})
    sys.exit(0)
sys.stderr.write("WARNING RemovedInDjango19Warning: noise\n")
code.interact(local={})
"""

PROGRAM = '''"""A stand-in program: echoes its request as the marked result line."""
import json
import sys


def main(request):
    sys.stdout.write("\\nEDX_PROVISION_RESULT " + json.dumps({"echo": request["value"]}) + "\\n")
'''


def local_sh(command, in_data):
    """The task's connection, here: the command run by /bin/sh on this machine."""
    proc = subprocess.run(["/bin/sh", "-c", command], input=in_data, capture_output=True, env=dict(os.environ))
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.fixture
def fake(tmp_path, monkeypatch):
    manage = tmp_path / "manage.py"
    manage.write_text(FAKE_MANAGE)
    program = tmp_path / "echo_program.py"
    program.write_text(PROGRAM)
    spec = importlib.util.spec_from_file_location("echo_program", program)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    counter = tmp_path / "starts"
    monkeypatch.setitem(programs.PROGRAMS, "echo", (module,))

    def run(kind, shell):
        params = dict(runner="command", settings=None, env_file=None, chdir=None, container=None, lms_timeout=60)
        params.update(manage_command=[sys.executable, str(manage), str(counter), kind], shell=shell)
        try:
            return LmsRunner(params, ConnectionHost(local_sh)).run("echo", {"value": "v\n'x'"})
        finally:
            run.starts = len(counter.read_text().splitlines()) if counter.exists() else 0
            counter.unlink(missing_ok=True)

    return run


@pytest.mark.parametrize(
    ("kind", "shell", "starts"),
    [
        ("django18", "auto", 2),
        ("django18", "interactive", 1),
        ("modern", "auto", 1),
        ("modern", "interactive", 1),  # today's shell has the console too
    ],
)
def test_the_program_runs_with_the_fewest_starts(fake, kind, shell, starts):
    assert fake(kind, shell) == {"echo": "v\n'x'"}
    assert fake.starts == starts


def test_command_on_django_18_fails_naming_the_refusal_without_a_second_start(fake):
    with pytest.raises(LmsError, match="unrecognized arguments: -c"):
        fake("django18", "command")
    assert fake.starts == 1


def test_any_other_failure_is_not_retried_through_the_console(fake):
    with pytest.raises(LmsError, match="no such table: auth_user"):
        fake("broken", "auto")
    assert fake.starts == 1
