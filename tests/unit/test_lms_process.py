"""The LMS-side process runner with real processes: deadline, process group, pipes of any size."""

import os
import sys
import time

import pytest
from ansible.module_utils import edx_process
from ansible.module_utils.edx_process import run_process

PY = sys.executable
MIB = b"x" * (1024 * 1024)


def alive(pid):
    """Whether pid still runs; a zombie (dead, not yet reaped by an init that may never reap) does not."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def gone(pid):
    """Whether pid ends once its SIGKILL is delivered (delivery is asynchronous; 10 s is a bound, not a speed)."""
    for _ in range(200):
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_request_of_a_mebibyte_reaches_the_process_and_its_answer_comes_back():
    code = "import sys; data = sys.stdin.buffer.read(); print(len(data)); sys.stdout.write('y' * 300000)"
    outcome = run_process([PY, "-c", code], MIB, timeout=60)
    assert outcome.rc == 0 and not outcome.timed_out
    assert outcome.stdout.startswith("1048576\n") and len(outcome.stdout) == 8 + 300000


def test_a_process_that_logs_more_than_a_pipe_holds_before_reading_stdin_does_not_deadlock():
    # A real LMS logs its boot (warnings, INFO lines) before the shell reads the program.
    code = "import sys; sys.stderr.write('w' * 500000); sys.stderr.flush(); print(len(sys.stdin.buffer.read()))"
    outcome = run_process([PY, "-c", code], MIB, timeout=60)
    assert outcome.rc == 0 and outcome.stdout.strip() == "1048576" and len(outcome.stderr) == 500000


def test_a_process_that_exits_early_gives_its_own_error_not_broken_pipe():
    code = "import sys; sys.stderr.write(\"ModuleNotFoundError: No module named 'lms.envs.prodution'\\n\"); sys.exit(1)"
    outcome = run_process([PY, "-c", code], MIB * 4, timeout=60)
    assert outcome.rc == 1 and not outcome.timed_out
    assert "lms.envs.prodution" in outcome.stderr and "Broken pipe" not in outcome.stderr


def test_on_the_deadline_the_whole_process_group_is_killed(tmp_path):
    pids = tmp_path / "pids"
    code = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        "open(%r, 'w').write('%%d %%d' %% (os.getpid(), child.pid))\n"
        "print('booting', flush=True)\n"
        "time.sleep(300)\n" % str(pids)
    )
    outcome = run_process([PY, "-c", code], b"{}", timeout=2)
    assert outcome.timed_out and outcome.rc < 0
    assert outcome.stdout == "booting\n"  # what it said before the deadline is kept
    parent, child = (int(pid) for pid in pids.read_text().split())
    assert gone(parent) and gone(child)


def test_a_process_that_ignores_sigterm_is_killed_with_sigkill(monkeypatch):
    monkeypatch.setattr(edx_process, "TERM_GRACE", 0.5)
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"
    outcome = run_process([PY, "-c", code], b"", timeout=2)
    assert outcome.timed_out and outcome.rc == -9


def test_a_child_left_behind_holding_the_pipes_neither_blocks_nor_survives(tmp_path, monkeypatch):
    monkeypatch.setattr(edx_process, "DRAIN_GRACE", 0.5)
    pid_file = tmp_path / "pid"
    code = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        "open(%r, 'w').write(str(child.pid))\n"
        "print('done')\n" % str(pid_file)
    )
    outcome = run_process([PY, "-c", code], b"", timeout=120)
    assert outcome.rc == 0 and not outcome.timed_out and outcome.stdout == "done\n"
    assert gone(int(pid_file.read_text()))


def test_the_process_gets_the_environment_and_directory_given(tmp_path):
    code = "import os; print(os.environ['LMS_CFG'], os.getcwd())"
    outcome = run_process([PY, "-c", code], b"", timeout=60, cwd=str(tmp_path), env=dict(os.environ, LMS_CFG="/x.yml"))
    assert outcome.stdout.split() == ["/x.yml", str(tmp_path)]


def test_output_that_is_not_utf8_is_still_shown():
    outcome = run_process([PY, "-c", "import sys; sys.stderr.buffer.write(b'bad \\xff byte')"], b"", timeout=60)
    assert outcome.stderr == "bad \ufffd byte"


def test_a_command_that_cannot_start_raises_oserror():
    with pytest.raises(OSError):
        run_process(["/nonexistent/python"], b"", timeout=5)


def test_a_module_that_is_terminated_takes_the_lms_process_group_with_it(tmp_path):
    # The module runs the LMS; SIGTERM to the module (an operator, a task timeout) must not leave it behind.
    pid_file = tmp_path / "pid"
    module = (
        "import sys\n"
        "sys.path[:0] = %r\n"
        "import ansible.module_utils\n"
        "ansible.module_utils.__path__.append(%r)\n"
        "from ansible.module_utils.edx_process import run_process\n"
        "code = 'import os, time; open(%%r, \"w\").write(str(os.getpid())); time.sleep(300)' %% %r\n"
        "try:\n"
        "    run_process([sys.executable, '-c', code], b'', timeout=300)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        % (sys.path, os.path.join(os.path.dirname(edx_process.__file__)), str(pid_file))
    )
    import signal
    import subprocess

    proc = subprocess.Popen([PY, "-c", module], stdout=subprocess.PIPE, text=True)
    for _ in range(600):  # until the LMS stand-in has started (a bound, not a speed)
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert out.startswith("Terminated the module was stopped by SIGTERM")
    assert gone(int(pid_file.read_text()))
