"""bench/report.py: the table rows and the baseline/toolkit ratios docs/performance.md quotes."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def report():
    sys.path.insert(0, str(BENCH))
    try:
        import report as module
    finally:
        sys.path.remove(str(BENCH))
    return module


def step(starts, seconds, by_command=None, changed=0, users=1, clients=1, round_trips=0):
    return {
        "starts": starts,
        "seconds": seconds,
        "by_command": by_command or {},
        "changed": changed,
        "users": users,
        "clients": clients,
        "round_trips": round_trips,
    }


RESULTS = [
    {
        "approach": "toolkit",
        "label": "toolkit",
        "users": 10,
        "steps": {
            "check": step(10, 60.0, {"shell": 10}, changed=20, users=0, clients=0),
            "first": step(10, 60.0, {"shell": 10}, changed=20, round_trips=30),
            "rerun": step(10, 55.0, {"shell": 10}),
            "verify": step(0, 12.0, round_trips=30),
        },
    },
    {
        "approach": "configuration",
        "label": "configuration",
        "users": 10,
        "steps": {
            "check": step(0, 1.0, users=0, clients=0),
            "first": step(20, 120.0, {"manage_user": 10, "create_dot_application": 10}, changed=2),
            "rerun": step(20, 110.0, {"manage_user": 10, "create_dot_application": 10}, changed=2),
        },
    },
    {
        "approach": "tutor",
        "label": "tutor",
        "users": 10,
        "steps": {
            "first": step(20, 100.0, {"manage_user": 10, "shell": 10}, changed=None, clients=0),
            "rerun": step(20, 110.0, {"manage_user": 10, "shell": 10}, changed=None, clients=0),
        },
    },
]


def test_one_row_per_measured_step_in_step_order(report):
    rows = report.rows(RESULTS)
    assert len(rows) == 9
    assert [row.split(" | ")[2] for row in rows[:4]] == [
        "check --diff (fresh LMS)",
        "first converge",
        "rerun",
        "verify",
    ]
    assert rows[4] == ("| 10 | configuration | check --diff (fresh LMS) | 0 | none | 0 | 0 | 0 / 0 | 1.0 s |")
    assert "| create_dot_application 10, manage_user 10 |" in rows[5]
    assert "| not reported |" in rows[7] and "| not reported |" not in rows[6]


def test_ratios_compare_each_baseline_with_the_toolkit_per_user_and_overall(report):
    lines = report.ratios(RESULTS)
    assert len(lines) == 2 + 4 + 1  # header, configuration and Tutor for first converge and rerun, blank
    assert lines[2] == (
        "| 10 | first converge | configuration | 20 starts (2.0 per user), 120.0 s | 10 starts (1.0 per user), "
        "60.0 s | 2.0x, 2.0x |"
    )
    assert lines[0].endswith("| toolkit cost | baseline / toolkit: starts, wall time |")
    assert lines[5].startswith("| 10 | rerun | tutor |") and lines[5].endswith("| 2.0x, 2.0x |")  # 110 / 55


def test_a_toolkit_without_starts_gives_no_ratio_instead_of_dividing_by_zero(report):
    assert report.ratio(20, 0) == "n/a (toolkit: 0)"
    assert report.ratio(3, 2) == "1.5x"


def test_no_ratio_without_a_toolkit_row(report):
    assert report.ratios(RESULTS[1:]) == []
    assert report.ratios(RESULTS[:1]) == []


def test_summary_has_a_column_per_approach_and_says_which_steps_a_tool_does_not_offer(report):
    lines = report.summary(RESULTS)
    assert lines[0] == "| users | step | toolkit | configuration | tutor |"
    assert len(lines) == 2 + 4
    assert lines[2] == "| 10 | check --diff (fresh LMS) | 10 starts, 60.0 s | 0 starts, 1.0 s | not offered |"
    assert lines[5] == "| 10 | verify | 0 starts, 12.0 s | not offered | not offered |"


def test_tables_go_between_the_readme_markers_and_nothing_else_changes(report):
    readme = "# T\n\nbefore\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\n\nafter\n"
    text = report.report(RESULTS, 5)
    updated = report.into_readme(readme, text)
    assert updated.startswith("# T\n\nbefore\n<!-- bench:begin -->\n| users | step | toolkit |")
    assert updated.endswith(
        "| 10 | tutor | rerun | 20 | manage_user 10, shell 10 | 0 | not reported | 1 / 0 "
        "| 110.0 s |\n<!-- bench:end -->\n\nafter\n"
    )
    assert "old table" not in updated and "Boot delay" not in updated
    assert report.into_readme(updated, text) == updated


def test_a_readme_without_markers_is_refused_naming_them(report):
    with pytest.raises(ValueError, match="bench:begin"):
        report.into_readme("# T\n", report.report(RESULTS, 5))
