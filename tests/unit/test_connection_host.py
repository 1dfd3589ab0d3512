"""The host side of the action plugins, run here with a real /bin/sh standing in for the connection:
the probe reads the env file and the host's clock, the launcher passes the environment and the
request on stdin, checks the command and directory, and ends the process group on the deadline."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ansible.module_utils.edx_provision.lms.connection import LAUNCHER, ConnectionHost
from ansible.module_utils.edx_provision.lms.runner import LmsError, LmsRunner

PY = sys.executable

# A fake manage.py: records its argv, environment, working directory and stdin, then answers.
FAKE_MANAGE = r"""
import json, os, sys, time
data = sys.stdin.buffer.read()
with open(os.environ["RECORD"], "w") as handle:
    json.dump({"argv": sys.argv[1:], "cwd": os.getcwd(), "stdin": data.decode("utf-8", "replace"),
               "env": {k: v for k, v in os.environ.items() if k.startswith("EDX_")}}, handle)
mode = os.environ.get("FAKE_MODE", "")
if mode == "hang":
    child = os.fork()
    if child == 0:
        time.sleep(300)
        os._exit(0)
    with open(os.environ["RECORD"] + ".child", "w") as handle:
        handle.write(str(child))
    time.sleep(300)
if mode == "kill":
    os.kill(os.getpid(), 9)
sys.stdout.write("\nEDX_PROVISION_RESULT " + json.dumps({"ok": True, "size": len(data)}) + "\n")
"""


class Executor:
    """`execute(command, in_data)` as an action plugin's connection runs it, here on this machine."""

    def __init__(self, env=None, cwd=None):
        self.env = dict(os.environ, **(env or {}))
        self.cwd = cwd
        self.commands = []

    def __call__(self, command, in_data):
        self.commands.append(command)
        proc = subprocess.run(
            ["/bin/sh", "-c", command], input=in_data, capture_output=True, env=self.env, cwd=self.cwd, timeout=120
        )
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.fixture
def fake(tmp_path):
    manage = tmp_path / "manage.py"
    manage.write_text(FAKE_MANAGE)
    record = tmp_path / "record.json"

    def options(**extra):
        base = {"runner": "command", "manage_command": [PY, str(manage)], "settings": None, "env_file": None}
        base.update({"chdir": None, "lms_timeout": 60, "shell": "command", "container": None})
        base.update(extra)
        return base

    fake.options = options
    fake.record = lambda: json.loads(record.read_text())
    fake.env = {"RECORD": str(record)}
    return fake


def run(executor, options, request=None):
    return LmsRunner(options, ConnectionHost(executor)).run("ensure_users", request or {})


def test_the_request_and_the_env_file_reach_the_lms_on_stdin_never_on_the_command_line(fake, tmp_path):
    env_file = tmp_path / "edxapp_env"
    env_file.write_text("export EDX_A=\"on $HOME/x\"\nexport EDX_B='$literal'\nEDX_C=-x\n")
    executor = Executor(env=dict(fake.env, HOME="/home/lms"))
    secret = "s3cret-\n-value ü"
    answer = run(executor, fake.options(env_file=str(env_file)), {"password": secret, "huge": "y" * 1_000_000})
    assert answer["ok"] is True and answer["size"] > 1_000_000
    record = fake.record()
    assert record["env"] == {"EDX_A": "on /home/lms/x", "EDX_B": "$literal", "EDX_C": "-x"}
    assert json.loads(record["stdin"])["request"]["password"] == secret
    assert not any(secret in command or "on /home/lms/x" in command for command in executor.commands)
    assert record["argv"][:1] == ["lms"] and record["argv"][-2] == "-c"


def test_the_lms_runs_in_chdir_with_arguments_kept_as_they_are(fake, tmp_path):
    odd = tmp_path / "-dir with 'quotes'\nand a line"
    odd.mkdir()
    manage = fake.options()["manage_command"]
    run(Executor(env=fake.env), fake.options(chdir=str(odd), manage_command=[*manage, "-x;rm -rf /"], settings="aws"))
    record = fake.record()
    assert record["cwd"] == str(odd)
    assert record["argv"][:3] == ["-x;rm -rf /", "lms", "--settings=aws"]


def test_a_missing_command_or_directory_is_told_naming_the_option(fake, tmp_path):
    with pytest.raises(LmsError, match=r"/nowhere/python \(from manage_command\) does not exist or is not executable"):
        run(Executor(env=fake.env), fake.options(manage_command=["/nowhere/python", "manage.py"]))
    with pytest.raises(LmsError, match=r"`no-such-tutor` \(runner command\) is not installed or not on PATH"):
        run(Executor(env=fake.env), fake.options(manage_command=["no-such-tutor", "local"]))
    with pytest.raises(LmsError, match=r"chdir /nowhere/edx-platform does not exist on this host"):
        run(Executor(env=fake.env), fake.options(chdir="/nowhere/edx-platform"))
    assert not os.path.exists(fake.env["RECORD"])  # nothing started


def test_a_missing_env_file_is_told_before_the_lms_starts(fake):
    with pytest.raises(LmsError, match=r"env_file /nowhere/edxapp_env does not exist"):
        run(Executor(env=fake.env), fake.options(env_file="/nowhere/edxapp_env"))
    assert not os.path.exists(fake.env["RECORD"])


def test_an_env_file_that_needs_a_shell_is_refused(fake, tmp_path):
    env_file = tmp_path / "edxapp_env"
    env_file.write_text("export EDX_A=$(id)\n")
    with pytest.raises(LmsError, match=r"command substitution"):
        run(Executor(env=fake.env), fake.options(env_file=str(env_file)))


def test_the_in_lms_deadline_is_in_the_hosts_clock(fake, tmp_path):
    """A host whose clock is an hour ahead still gets the whole lms_timeout inside the LMS."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "date").write_text("#!/bin/sh\necho $(( $(/bin/date +%s) + 3600 ))\n")
    (bin_dir / "date").chmod(0o755)
    executor = Executor(env=dict(fake.env, PATH="%s:%s" % (bin_dir, os.environ["PATH"])))
    before = time.time()
    run(executor, fake.options(lms_timeout=60))
    deadline = json.loads(fake.record()["stdin"])["deadline"]
    assert before + 3600 + 55 <= deadline <= time.time() + 3600 + 65


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_on_the_deadline_the_lms_and_what_it_started_are_killed(fake):
    with pytest.raises(LmsError, match=r"did not answer within 2 seconds \(lms_timeout, command runner\)") as caught:
        run(Executor(env=dict(fake.env, FAKE_MODE="hang")), fake.options(lms_timeout=2))
    assert caught.value.details["timed_out"] is True
    child = int(Path(fake.env["RECORD"] + ".child").read_text())
    for _ in range(100):
        if not _alive(child):
            break
        time.sleep(0.1)
    assert not _alive(child)


def test_a_process_killed_by_a_signal_is_told_by_its_name(fake):
    with pytest.raises(LmsError, match=r"SIGKILL") as caught:
        run(Executor(env=dict(fake.env, FAKE_MODE="kill")), fake.options())
    assert caught.value.details["rc"] == -9


def test_without_coreutils_timeout_the_lms_still_runs(fake, tmp_path):
    """Hosts without `timeout` (a Mac running Tutor): the in-LMS alarm is the deadline there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("date", "id", "cat", "env"):
        os.symlink("/usr/bin/" + tool if os.path.exists("/usr/bin/" + tool) else "/bin/" + tool, bin_dir / tool)
    answer = run(Executor(env=dict(fake.env, PATH=str(bin_dir))), fake.options())
    assert answer["ok"] is True


def test_the_launcher_is_posix_sh():
    """dash is what Debian and Ubuntu hosts run as /bin/sh; it must parse the launcher as it is."""
    for shell in ("/bin/dash", "/bin/bash"):
        if os.path.exists(shell):
            proc = subprocess.run([shell, "-n", "-c", LAUNCHER], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
