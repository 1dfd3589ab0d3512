"""`make bench`: LMS boots, HTTP round trips and wall time, the toolkit against a baseline.

A real LMS takes many seconds to start for each management command; the stand-in models that with
LMS_BOOT_DELAY. For 1 and for N users (one OAuth2 client each), this converges a fresh stand-in with
bench/toolkit.yml and with bench/baseline.yml (what existing tools do: a probe plus one management
command per user and per client), then runs each again (the idempotent rerun), and prints counts and
ratios. Boots are read from the stand-in's boots.log, round trips from its access log.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "lms"))

from control import StandinLMS, free_port  # noqa: E402

BIN = Path(sys.executable).parent
REQUEST = re.compile(r'"(GET|POST|PUT|DELETE) ')


def extra_vars(lms, users):
    names = ["bench-user-%02d" % index for index in range(users)]
    return {
        "bench_lms_url": lms.url,
        "bench_manage_command": [str(BIN / "python"), str(REPO / "tests" / "lms" / "manage.py")],
        "bench_users": [{"username": name, "email": name + "@example.com", "staff": True} for name in names],
        "bench_clients": [
            {"name": name, "owner": name, "client_id": name + "-client", "client_secret": name + "-secret-value"}
            for name in names
        ],
    }


def requests_served(lms):
    log = lms.state_dir / "server.log"
    return len(REQUEST.findall(log.read_text())) if log.exists() else 0


def run_playbook(playbook, lms, variables, boot_delay):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), LMS_STATE_DIR=str(lms.state_dir),
               LMS_BOOT_DELAY=str(boot_delay), PATH="%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(variables, handle)
    boots, served, started = lms.boots(), requests_served(lms), time.monotonic()
    try:
        proc = subprocess.run(
            [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(REPO / "bench" / playbook),
             "-e", "@" + handle.name],
            cwd=REPO, env=env, capture_output=True, text=True,
        )
    finally:
        os.unlink(handle.name)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit("%s failed:\n%s%s" % (playbook, proc.stdout[-3000:], proc.stderr[-2000:]))
    changed = re.search(r"changed=(\d+)", proc.stdout.split("PLAY RECAP")[-1])
    return {
        "boots": lms.boots() - boots,
        "round_trips": requests_served(lms) - served,
        "seconds": elapsed,
        "changed": int(changed.group(1)) if changed else None,
    }


def measure(approach, users, boot_delay, workdir):
    lms = StandinLMS(free_port(), Path(workdir) / ("%s-%d" % (approach, users)))
    lms.start()
    try:
        variables = extra_vars(lms, users)
        playbook = approach + ".yml"
        first = run_playbook(playbook, lms, variables, boot_delay)
        rerun = run_playbook(playbook, lms, variables, boot_delay)
    finally:
        lms.stop()
    return {"approach": approach, "users": users, "first": first, "rerun": rerun}


def table(rows, boot_delay):
    lines = [
        "LMS_BOOT_DELAY=%gs per manage.py start; N users = N service users + N OAuth2 clients, then one token "
        "and one API check." % boot_delay,
        "",
        "| approach | users | run | LMS boots | HTTP round trips | changed tasks | wall time |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for run in ("first", "rerun"):
            data = row[run]
            lines.append("| %s | %d | %s | %d | %d | %s | %.1f s |" % (
                row["approach"], row["users"], "first converge" if run == "first" else "idempotent rerun",
                data["boots"], data["round_trips"], data["changed"], data["seconds"]))
    lines.append("")
    by_key = {(row["approach"], row["users"]): row for row in rows}
    for users in sorted({row["users"] for row in rows}):
        tool, base = by_key.get(("toolkit", users)), by_key.get(("baseline", users))
        if not (tool and base):
            continue
        for run in ("first", "rerun"):
            lines.append(
                "- %d user(s), %s: baseline needs %.1fx the boots (%d vs %d) and %.1fx the wall time."
                % (users, "first converge" if run == "first" else "rerun",
                   base[run]["boots"] / max(tool[run]["boots"], 1), base[run]["boots"], tool[run]["boots"],
                   base[run]["seconds"] / tool[run]["seconds"])
            )
        lines.append(
            "- %d user(s): toolkit rerun / first converge wall time = %.2f."
            % (users, tool["rerun"]["seconds"] / tool["first"]["seconds"])
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boot-delay", type=float, default=float(os.environ.get("BENCH_BOOT_DELAY", 3)))
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "latest.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="edx-bench-") as workdir:
        for users in args.users:
            for approach in ("toolkit", "baseline"):
                print("measuring %s with %d user(s) ..." % (approach, users), flush=True)
                rows.append(measure(approach, users, args.boot_delay, workdir))
    report = table(rows, args.boot_delay)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)
    print("written to %s" % args.out)


if __name__ == "__main__":
    main()
