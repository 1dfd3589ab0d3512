"""Contract §9 (ginkgo flavour): Django 1.8's `manage.py lms shell`.

`-c` does not exist (exit 2 after the boot, argparse's "unrecognized arguments");
with a program piped on stdin, `shell --plain` (and plain `shell`) runs it line by line as
an interactive session: `>>> `/`... ` prompts on stdout without a newline, mixed with the
output; banner and tracebacks on stderr; a block needs a blank line after it and one left
open at the end never runs; exceptions keep the exit code 0, only sys.exit(n) changes it.
"""

import json

import pytest


def shell(ginkgo, program, *options):
    return ginkgo.manage("shell", *options, input=program)


def test_c_is_refused_after_the_boot_with_exit_2(ginkgo):
    before = ginkgo.lms.boots()
    result = ginkgo.manage("shell", "-c", "print(1)")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "manage.py shell: error: unrecognized arguments: -c print(1)" in result.stderr
    # After the boot: the start was logged and the start-up noise came first.
    assert ginkgo.lms.boots() == before + 1
    assert result.stderr.index("RemovedInDjango19Warning") < result.stderr.index("unrecognized arguments")


@pytest.mark.parametrize("options", [("--plain",), ()], ids=["plain", "default"])
def test_stdin_runs_as_an_interactive_session(ginkgo, options):
    program = "x = 6 * 7\nprint(x)\nfor i in range(2):\n    print(i)\n\nprint('end')\n"
    result = shell(ginkgo, program, *options)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == ">>> >>> 42\n>>> ... ... 0\n1\n>>> end\n>>> "
    assert "(InteractiveConsole)" in result.stderr  # the banner goes to stderr


def test_a_block_needs_a_blank_line_and_one_open_at_the_end_never_runs(ginkgo):
    closed = shell(ginkgo, "if True:\n    print('ran')\n\n")
    open_at_end = shell(ginkgo, "print('before')\nif True:\n    print('never')\n")
    no_blank = shell(ginkgo, "for i in range(1):\n    print('loop')\nprint('next')\n")
    assert "ran" in closed.stdout
    assert "before" in open_at_end.stdout and "never" not in open_at_end.stdout
    assert open_at_end.returncode == 0
    # Without the blank line the next statement is part of the block: a SyntaxError on stderr.
    assert "loop" not in no_blank.stdout and "SyntaxError" in no_blank.stderr
    assert no_blank.returncode == 0


def test_an_exception_goes_to_stderr_and_the_session_goes_on_with_exit_0(ginkgo):
    result = shell(ginkgo, "1 / 0\nprint('still here')\n")
    assert result.returncode == 0
    assert "Traceback (most recent call last)" in result.stderr and "ZeroDivisionError" in result.stderr
    assert "Traceback" not in result.stdout
    assert "still here" in result.stdout


def test_only_sys_exit_changes_the_exit_code(ginkgo):
    result = shell(ginkgo, "import sys\nprint('bye')\nsys.exit(3)\nprint('unreached')\n")
    assert result.returncode == 3
    assert "bye" in result.stdout and "unreached" not in result.stdout


def test_the_program_reads_the_following_stdin_lines(ginkgo):
    """The session and the program share stdin: a line the program reads is not run."""
    document = json.dumps({"n": 21})
    program = f"import json, sys\ndoc = json.loads(sys.stdin.readline())\n{document}\nprint(doc['n'] * 2)\n"
    result = shell(ginkgo, program)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "42\n" in result.stdout
    assert "SyntaxError" not in result.stderr


def test_only_django_1_8_options_exist(ginkgo):
    result = ginkgo.manage("shell", "--help")
    assert result.returncode == 0
    for option in ("--plain", "--no-startup", "-i {ipython,bpython}"):
        assert option in result.stdout
    assert "--command" not in result.stdout and "-c COMMAND" not in result.stdout


@pytest.fixture(scope="module")
def python2(ginkgo):
    found = ginkgo.orm("import json; from django.conf import settings; print(json.dumps(settings.GINKGO_PYTHON2))")
    if not found:
        pytest.skip("no Python 2.7 interpreter on this machine: the ginkgo shell has no syntax gate")
    return found


def test_statements_python_2_7_rejects_are_refused_with_its_syntax_error(ginkgo, python2):
    program = "x = f'{1}'\nprint('after')\nprint(x)\n"
    result = shell(ginkgo, program)
    assert result.returncode == 0
    assert "SyntaxError: invalid syntax" in result.stderr  # Python 2.7's words (3.11 would run it)
    assert "after" in result.stdout
    assert "NameError: name 'x' is not defined" in result.stderr  # the refused line never ran


def test_code_both_pythons_accept_runs_and_future_imports_carry_over(ginkgo, python2):
    program = (
        "from __future__ import print_function\nprint('a', 'b')\n"
        "def double(n):\n    return n * 2\n\nprint(double(21))\n"
    )
    result = shell(ginkgo, program)
    assert "SyntaxError" not in result.stderr, result.stderr[-2000:]
    assert "a b\n" in result.stdout and "42\n" in result.stdout


def test_the_gate_can_be_turned_off(ginkgo, python2):
    result = ginkgo.manage("shell", input="print(f'{6 * 7}')\n", env={"LMS_GINKGO_PYTHON2": "off"})
    assert "42" in result.stdout and "SyntaxError" not in result.stderr
