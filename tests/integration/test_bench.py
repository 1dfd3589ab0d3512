"""`make bench` against real stand-ins with no boot delay: what it counts, not how fast anything is.

The bench is how the performance claims of docs/performance.md are made, so its counts must be right: each
baseline runs exactly the commands its tool runs (per user one manage_user and one
create_dot_application for configuration, manage_user and a `shell` for Tutor), the toolkit's verify
never starts the LMS, check mode writes nothing, and the report compares them.
"""

import json
import os
import subprocess
import sys

import pytest
from playbook import REPO

USERS = 2  # more than one, so per-user costs show as multiples
pytestmark = pytest.mark.slow  # eight stand-ins, about a minute on an idle machine


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "report.md"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LMS_", "BENCH_", "ANSIBLE_"))}
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--boot-delay", "0", "--users", str(USERS), "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads(out.with_suffix(".json").read_text())
    results = {result["approach"]: result["steps"] for result in data["results"]}
    return results, out.read_text()


def test_configuration_baseline_runs_one_manage_user_and_one_create_dot_application_per_user(bench):
    steps = bench[0]["configuration"]
    for step in ("first", "rerun"):
        assert steps[step]["by_command"] == {"manage_user": USERS, "create_dot_application": USERS}
        assert steps[step]["changed"] == 2  # both command tasks, on every run
        assert (steps[step]["users"], steps[step]["clients"]) == (USERS, USERS)
    # Its command tasks are skipped in check mode: no start, nothing written, nothing said.
    assert steps["check"]["starts"] == 0 and steps["check"]["changed"] == 0
    assert (steps["check"]["users"], steps["check"]["clients"]) == (0, 0)
    assert "verify" not in steps


def test_tutor_baseline_runs_manage_user_then_shell_per_user_and_makes_no_client(bench):
    steps = bench[0]["tutor"]
    assert set(steps) == {"first", "rerun"}
    for step in ("first", "rerun"):
        assert steps[step]["by_command"] == {"manage_user": USERS, "shell": USERS}
        assert steps[step]["changed"] is None
        assert (steps[step]["users"], steps[step]["clients"]) == (USERS, 0)


def test_baselines_make_no_http_round_trip(bench):
    for name in ("configuration", "tutor"):
        assert all(step["round_trips"] == 0 for step in bench[0][name].values()), name


def test_toolkit_steps_are_counted_from_the_stand_in(bench):
    steps = bench[0]["toolkit"]
    # Check mode on the fresh LMS reports what would change and writes nothing.
    assert steps["check"]["changed"] > 0
    assert (steps["check"]["users"], steps["check"]["clients"]) == (0, 0)
    assert (steps["first"]["users"], steps["first"]["clients"]) == (USERS, USERS)
    assert steps["first"]["changed"] > 0 and steps["rerun"]["changed"] == 0
    # All accounts' LMS side starts the LMS exactly once per run (one edx_access call); no other command.
    for step in ("check", "first", "rerun"):
        assert steps[step]["starts"] == 1
        assert set(steps[step]["by_command"]) == {"shell"}
    # Provision and verify mint a token and call the API for every account; verify never starts the LMS.
    assert steps["first"]["round_trips"] >= 2 * USERS
    assert steps["verify"]["starts"] == 0 and steps["verify"]["round_trips"] >= 2 * USERS


def test_modules_with_lists_start_the_lms_the_same_for_any_number_of_users(bench):
    steps = bench[0]["modules"]
    for step in ("check", "first", "rerun"):
        assert steps[step]["starts"] == 2  # one edx_user call and one edx_oauth_client call, each with a list
    assert (steps["first"]["users"], steps["first"]["clients"]) == (USERS, USERS)
    assert steps["rerun"]["changed"] == 0


def test_report_has_a_row_per_step_and_compares_each_baseline_with_the_toolkit(bench):
    results, text = bench
    details = text.split("Every step in detail:")[1]
    rows = [line for line in details.splitlines() if line.startswith("| %d |" % USERS)]
    assert len(rows) == sum(len(steps) for steps in results.values())
    for label in ("configuration oauth_client_setup", "Tutor createuser"):
        for step in ("first converge", "rerun"):
            assert any(line.startswith("| %d | %s | %s | " % (USERS, step, label)) for line in text.splitlines())


def test_bench_refuses_the_stand_ins_knob_name_and_names_its_own(tmp_path):
    env = dict(os.environ, LMS_BOOT_DELAY="3")
    env.pop("BENCH_BOOT_DELAY", None)
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--out", str(tmp_path / "r.md")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "BENCH_BOOT_DELAY=3" in proc.stderr
    assert not (tmp_path / "r.md").exists()
