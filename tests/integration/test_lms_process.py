"""The LMS-side process against the stand-in: its deadline, big requests, and what a failure says.

Faults come from the stand-in's own knobs (LMS_BOOT_DELAY, an unmigrated state directory) and from
faulty_lms.py, a wrapper around its manage.py that logs a noisy boot, stalls or dies by SIGKILL in
the middle of the module's transaction.
"""

import os
import re
import signal
import sqlite3
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

FAULTY = str(Path(__file__).parent / "faulty_lms.py")
CONTAINER_EXEC = str(Path(__file__).parent / "container_exec.py")


def user_task(target, users, runner=None, env=None, play_timeout=300, **options):
    """Run edx_user once; a play that hangs fails the test after `play_timeout` rather than hanging it."""
    task = {"name": "users", "edx_user": {**(runner or target.runner), "users": users, **options}}
    run = target.play([task], env=env or {}, timeout=play_timeout)
    return run, run.task("users")


def users(name, count):
    return [{"username": "%s-%d" % (name, i), "email": "%s-%d@example.com" % (name, i)} for i in range(count)]


def faulty_runner(target, *prefix):
    """The stand-in's manage.py behind faulty_lms.py (optionally behind `prefix`, e.g. container_exec.py)."""
    python, manage = target.lms.manage_prefix
    return {"runner": "command", "manage_command": [*prefix, python, FAULTY, manage], "settings": target.lms.settings}


def last_boot_pid(target):
    line = (Path(target.lms.state_dir) / "boots.log").read_text().splitlines()[-1]
    return int(re.search(r"pid=(\d+)", line).group(1))


def gone(pid):
    """Whether the process ends (or is a zombie) within a bound; the bound is not a speed claim."""
    for _ in range(600):
        try:
            with open("/proc/%d/stat" % pid) as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def count_users(target, prefix):
    return target.query(
        "import json\nfrom django.contrib.auth import get_user_model\n"
        "print(json.dumps(get_user_model().objects.filter(username__startswith=%r).count()))\n" % (prefix + "-")
    )


# 6.10: a deadline


def test_an_lms_that_boots_past_the_deadline_is_killed_with_a_clear_message(target, name):
    boots = target.lms.boots()
    run, task = user_task(target, users(name, 2), env={"LMS_BOOT_DELAY": "120"}, lms_timeout=3)
    assert run.rc != 0 and task["status"] == "failed"
    msg = task["result"]["msg"]
    assert "did not answer within 3 seconds (lms_timeout, command runner)" in msg
    assert "nothing is half-applied" in msg and "database" in msg
    assert target.lms.boots() == boots + 1 and gone(last_boot_pid(target))  # started once, killed
    assert count_users(target, name) == 0


def test_a_process_stalled_in_the_middle_of_the_apply_is_killed_and_nothing_is_applied(target, name, tmp_path):
    marker = tmp_path / "fired"
    env = {"EDX_FAULT_AFTER_SAVE": "stall", "EDX_FAULT_MARKER": str(marker)}
    run, task = user_task(target, users(name, 3), runner=faulty_runner(target), env=env, lms_timeout=20)
    assert task["status"] == "failed" and "did not answer within 20 seconds" in task["result"]["msg"]
    assert marker.read_text() == name + "-0"  # the first user was saved inside the transaction
    assert gone(last_boot_pid(target))
    assert count_users(target, name) == 0  # ... and rolled back with the killed process


def test_a_run_interrupted_with_ctrl_c_mid_apply_applies_nothing_and_its_lms_stops(target, name, tmp_path):
    """Ctrl-C while the LMS is in the middle of the apply, out of reach of the signal (as over SSH): when it
    goes on, it finds nobody waiting for its result and rolls back instead of committing (issue 17.19)."""
    marker = tmp_path / "fired"
    env = {"EDX_FAULT_AFTER_SAVE": "pause", "EDX_FAULT_MARKER": str(marker)}

    def press_ctrl_c(proc):
        def when_mid_apply():
            for _ in range(1200):
                if marker.exists():
                    os.killpg(proc.pid, signal.SIGINT)
                    return
                time.sleep(0.05)

        threading.Thread(target=when_mid_apply, daemon=True).start()

    task = {"name": "users", "edx_user": {**faulty_runner(target), "users": users(name, 3), "lms_timeout": 120}}
    run = target.play([task], env=env, timeout=120, popen_hook=press_ctrl_c)
    assert run.rc != 0 and "interrupted" in (run.stdout + run.stderr).lower()
    lms_pid = last_boot_pid(target)
    os.kill(lms_pid, 0)  # still alive, in the middle of its transaction (raises if it is gone)
    (tmp_path / "fired.resume").touch()
    assert gone(lms_pid)
    assert count_users(target, name) == 0


def test_an_lms_in_a_container_out_of_reach_of_the_kill_ends_itself_at_the_deadline(target, name, tmp_path):
    # container_exec.py runs the LMS as `docker exec` does: killing the local process group does not
    # reach it; the bootstrap's own alarm ends it on the same deadline.
    marker = tmp_path / "fired"
    env = {"EDX_FAULT_AFTER_SAVE": "stall", "EDX_FAULT_MARKER": str(marker)}
    runner = faulty_runner(target, sys.executable, CONTAINER_EXEC)
    runner.update(runner="docker", container="lms")
    run, task = user_task(target, users(name, 3), runner=runner, env=env, lms_timeout=20)
    msg = task["result"]["msg"]
    assert task["status"] == "failed" and "did not answer within 20 seconds (lms_timeout, docker runner)" in msg
    assert "Inside the container the LMS process ends itself" in msg
    assert marker.read_text() == name + "-0"
    assert gone(last_boot_pid(target))
    assert count_users(target, name) == 0


def test_a_deadline_below_one_second_is_refused_before_the_lms_starts(target, name):
    boots = target.lms.boots()
    run, task = user_task(target, users(name, 1), lms_timeout=0)
    assert task["status"] == "failed" and "lms_timeout must be" in task["result"]["msg"]
    assert target.lms.boots() == boots


@pytest.mark.parametrize(
    "settings, words",
    [
        ("production; id", "settings must name a settings module under lms/envs"),
        ("production\n", "settings must name a settings module under lms/envs"),
        ("-production", "settings must name a settings module under lms/envs"),
        ("lms/envs/production", "settings must name a settings module under lms/envs"),
        ("lms.envs.production", "settings takes the name under lms/envs, which manage.py prefixes"),
    ],
)
def test_settings_that_are_not_a_module_name_are_refused_naming_the_option_before_the_lms_starts(
    target, name, settings, words
):
    """Not 'lms.envs.production does not exist' after a start (issue 17.20)."""
    boots = target.lms.boots()
    runner = dict(target.runner, settings=settings)
    run, task = user_task(target, users(name, 1), runner=runner)
    assert task["status"] == "failed" and words in task["result"]["msg"]
    assert target.lms.boots() == boots and count_users(target, name) == 0


# 6.12: diagnoses


def test_a_database_locked_by_another_process_is_told_as_a_lock_not_as_a_race(target, name):
    """A run that changes nothing meets a lock held by another process (issue 17.11): one wait, named as such."""
    existing = users(name, 1)
    assert user_task(target, existing)[1]["status"] == "ok"
    holder = sqlite3.connect(Path(target.lms.state_dir) / "db.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what a migration or a long transaction of another process holds
    try:
        run, task = user_task(target, existing, env={"LMS_DB_LOCK_TIMEOUT": "2"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    msg = task["result"]["msg"]
    assert task["status"] == "failed" and "stayed locked by another process for" in msg, msg
    assert "Another run" not in msg and "times in a row" not in msg and msg.count("locked") == 1
    assert user_task(target, existing)[1]["status"] == "ok"  # and once it is released, the run passes


def test_a_process_killed_by_sigkill_mid_apply_names_the_signal_and_applies_nothing(target, name, tmp_path):
    marker = tmp_path / "fired"
    env = {"EDX_FAULT_AFTER_SAVE": "kill", "EDX_FAULT_MARKER": str(marker)}
    run, task = user_task(target, users(name, 3), runner=faulty_runner(target), env=env)
    msg = task["result"]["msg"]
    assert task["status"] == "failed" and marker.read_text() == name + "-0"
    assert msg.startswith("The LMS process was killed by SIGKILL (command runner): out of memory?")
    assert "exit code -9" not in msg and "INFO" not in msg
    assert count_users(target, name) == 0


@pytest.mark.parametrize(
    "fault, present",
    [
        ("full", ["database or disk is full", "disk under the LMS's database", "is full", "df -h"]),
        ("readonly", ["attempt to write a readonly database", "database is read-only", "writable"]),
    ],
)
def test_a_database_that_cannot_take_the_change_is_told_as_such_not_as_an_outage(target, name, fault, present):
    run, task = user_task(target, users(name, 300), runner=faulty_runner(target), env={"EDX_FAULT_DATABASE": fault})
    msg = task["result"]["msg"]
    assert task["status"] == "failed"
    for words in present:
        assert words in msg
    assert "could not reach" not in msg and "MySQL is up" not in msg and "env_file" not in msg
    assert count_users(target, name) == 0


def test_a_database_that_cannot_be_opened_is_told_with_a_hint_for_the_runner(target, name, tmp_path):
    state = tmp_path / "lms-state"
    (state / "db.sqlite3").mkdir(parents=True)  # a path SQLite cannot open as a database
    run, task = user_task(target, users(name, 1), env={"LMS_STATE_DIR": str(state)})
    msg = task["result"]["msg"]
    assert task["status"] == "failed"
    assert "could not reach its database (unable to open database file)" in msg
    assert "DATABASES settings" in msg and "env_file" not in msg and "LMS_CFG" not in msg


def test_a_client_id_taken_at_the_last_moment_is_told_clearly_and_nothing_is_applied(target, name):
    target.lms.manage("manage_user", name, f"{name}@example.com")
    before = target.snapshot()
    client = {"name": "app", "owner": name, "client_id": name + "-app", "client_secret": "S3cret-1x-0123456789"}
    task = {"name": "client", "edx_oauth_client": {**faulty_runner(target), **client}}
    run = target.play([task], env={"EDX_FAULT_CLIENT_ID_TAKEN": "1"})
    msg = run.task("client")["result"]["msg"]
    assert run.task("client")["status"] == "failed"
    # The run read again and retried (a concurrent writer is the usual cause), then said what happened.
    assert msg.startswith("Another run changed the same users or clients on the LMS at the same time")
    assert "Another OAuth2 application already uses this client_id" in msg and "Choose another client_id" in msg
    assert target.snapshot() == before  # neither the module's client nor the other one stayed


def _fake_tutor(tmp_path, target):
    """A `tutor` on PATH that behaves as Tutor's `local|k8s exec ... ./manage.py ARGS` does on this host:
    it echoes the command on stdout, runs manage.py, and on failure ends with its own error line."""
    python, manage = target.lms.manage_prefix
    script = tmp_path / "tutor"
    script.write_text(
        "#!/bin/sh\n"
        'while [ "$1" != ./manage.py ]; do shift; done; shift\n'
        'echo "docker compose -f /root/.local/share/tutor/env/local/docker-compose.yml --project-name tutor_local '
        'exec -T lms ./manage.py $1 $2"\n'
        '"%s" "%s" "$@"\n'
        "status=$?\n"
        "if [ $status -ne 0 ]; then\n"
        '  echo "Error: Command failed with status $status: docker compose -f /root/.local/share/tutor/env/local/'
        'docker-compose.yml --project-name tutor_local exec -T lms ./manage.py $1 $2" >&2; exit 1\n'
        "fi\n" % (python, manage)
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return tmp_path


@pytest.mark.parametrize(
    "runner, present, absent",
    [
        ("native", ["lms --settings=production migrate"], ["tutor"]),
        ("tutor_local", ["tutor local do init"], ["env_file", "LMS_CFG", "Command failed with status"]),
        ("tutor_k8s", ["tutor k8s do init"], ["env_file", "LMS_CFG", "Command failed with status"]),
    ],
)
def test_an_unmigrated_lms_is_told_as_such_with_the_runners_own_fix(target, name, tmp_path, runner, present, absent):
    python, manage = target.lms.manage_prefix
    options = {"runner": runner}
    env = {"LMS_STATE_DIR": str(tmp_path / "empty-lms")}  # a database with no tables
    if runner == "native":
        options.update(manage_command=[python, manage], env_file="", chdir="")
    else:
        env["PATH"] = "%s:%s:/usr/bin:/bin" % (_fake_tutor(tmp_path, target), Path(sys.executable).parent)
    run, task = user_task(target, users(name, 1), runner=options, env=env)
    msg = task["result"]["msg"]
    assert task["status"] == "failed"
    assert "OperationalError: no such table: auth_user" in msg
    assert "schema is not migrated" in msg and "MySQL is up" not in msg
    for words in present:
        assert words in msg
    for words in absent:
        assert words not in msg


@pytest.mark.parametrize("runner", ["tutor_local", "tutor_k8s"])
def test_through_tutor_the_lms_own_error_is_shown_not_tutors_wrapper_line(target, name, tmp_path, runner):
    env = {"PATH": "%s:%s:/usr/bin:/bin" % (_fake_tutor(tmp_path, target), Path(sys.executable).parent)}
    run, task = user_task(target, users(name, 1), runner={"runner": runner, "settings": "prodution"}, env=env)
    msg = task["result"]["msg"]
    assert task["status"] == "failed"
    assert "No module named 'lms.envs.prodution'" in msg and "Leave `settings` unset" in msg
    assert "Command failed with status" not in msg and "docker compose" not in msg


# 6.13: requests of any size


def test_ten_thousand_users_converge_in_one_call(fresh_target, name):
    boots = fresh_target.lms.boots()
    run, task = user_task(fresh_target, users(name, 10_000), play_timeout=900)
    assert run.rc == 0 and task["status"] == "ok" and task["result"]["changed"] is True
    assert len(task["result"]["users"]) == 10_000
    assert fresh_target.lms.boots() == boots + 1
    assert count_users(fresh_target, name) == 10_000


def test_a_big_request_to_a_process_that_exits_at_once_gets_its_error_not_broken_pipe(target, name, tmp_path):
    python, _manage = target.lms.manage_prefix
    runner = dict(target.runner, manage_command=[python, str(tmp_path / "manage.py")])  # exits unread
    run, task = user_task(target, users(name, 3_000), runner=runner)  # about 800 KiB of request
    msg = task["result"]["msg"]
    assert task["status"] == "failed"
    assert "can't open file" in msg and "manage.py was not found" in msg
    assert "Broken pipe" not in run.output and "Error executing command" not in msg


def test_an_lms_that_logs_more_than_a_pipe_holds_before_reading_a_big_request_does_not_hang(target, name):
    env = {"EDX_FAULT_STDERR_BYTES": str(256 * 1024)}
    run, task = user_task(target, users(name, 500), runner=faulty_runner(target), env=env)
    assert run.rc == 0 and task["result"]["changed"] is True
    assert count_users(target, name) == 500
