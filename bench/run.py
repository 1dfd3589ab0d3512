"""`make bench`: what giving N service accounts API access costs, the toolkit against existing tools.

A real LMS management command takes about 5 s to start (edx-contract.md, section 8); the stand-in
models that with its LMS_BOOT_DELAY. For each user count and each approach (bench/approaches.py)
this starts a fresh stand-in and runs the approach's steps in order: check mode on the fresh LMS,
first converge, rerun, verify (steps a tool does not offer are left out). It counts LMS starts per
command (boots.log), HTTP round trips (access log), changed tasks (PLAY RECAP), what the LMS holds
afterwards (its database) and wall time, then prints a Markdown table with baseline/toolkit ratios
and writes it, with the raw numbers as JSON, to bench/results/.

Knobs (environment, or the options below): BENCH_BOOT_DELAY (seconds, default 5), BENCH_USERS
(default "1 10 50"), BENCH_QUICK=1 (boot delay 0.5 s and 1 user, for development).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests" / "lms"))

from approaches import APPROACHES, BenchError, accounts  # noqa: E402
from control import StandinLMS, free_port  # noqa: E402
from measure import measure, requests_served  # noqa: E402
from report import into_readme, report  # noqa: E402

DEFAULT_BOOT_DELAY = 5.0
DEFAULT_USERS = "1 10 50"
QUICK_BOOT_DELAY = 0.5
QUICK_USERS = "1"


def settle(lms, quiet=1.0, timeout=15.0):
    """Wait until the access log has stopped growing after start()'s health checks (gunicorn writes a
    line after answering), so that no step counts them as its own round trips."""
    deadline = time.monotonic() + timeout
    seen, since = requests_served(lms), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = requests_served(lms)
        if now != seen:
            seen, since = now, time.monotonic()
        elif seen >= 1 and time.monotonic() - since >= quiet:
            return


def run_approach(cls, users, boot_delay, workdir, template):
    """Every step of one approach against its own fresh stand-in; returns the result dict."""
    state_dir = Path(workdir) / ("%s-%d" % (cls.name, users))
    lms = StandinLMS(free_port(), state_dir, template=template)
    lms.start()
    try:
        settle(lms)
        service_accounts = accounts(users)
        approach = cls(lms, service_accounts, boot_delay, workdir)
        usernames = [account["username"] for account in service_accounts]
        client_ids = [account["client_id"] for account in service_accounts]
        steps = {}
        for step in approach.steps:
            print("  %s, %d user(s): %s ..." % (cls.name, users, step), flush=True)
            steps[step] = measure(lms, lambda step=step: approach.run(step), usernames, client_ids).as_dict()
    finally:
        lms.stop()
    return {"approach": cls.name, "label": cls.label, "users": users, "steps": steps}


def settings(argv):
    quick = os.environ.get("BENCH_QUICK", "").strip() not in ("", "0")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--boot-delay",
        type=float,
        default=float(os.environ.get("BENCH_BOOT_DELAY") or (QUICK_BOOT_DELAY if quick else DEFAULT_BOOT_DELAY)),
        help="seconds every manage.py start sleeps (BENCH_BOOT_DELAY; default %g)" % DEFAULT_BOOT_DELAY,
    )
    parser.add_argument(
        "--users",
        type=int,
        nargs="+",
        default=[
            int(value) for value in (os.environ.get("BENCH_USERS") or (QUICK_USERS if quick else DEFAULT_USERS)).split()
        ],
        help="user counts to measure (BENCH_USERS; default %s)" % DEFAULT_USERS,
    )
    parser.add_argument("--approaches", nargs="+", choices=sorted(APPROACHES), default=list(APPROACHES))
    parser.add_argument(
        "--from-json", metavar="FILE", help="measure nothing: rebuild the report from a results file this script wrote"
    )
    parser.add_argument(
        "--readme",
        metavar="FILE",
        help="also put the tables into FILE (docs/bench-results.md) between its bench markers",
    )
    parser.add_argument(
        "--out",
        default=str(BENCH / "results" / "latest.md"),
        help="Markdown report; the raw numbers go next to it as .json",
    )
    args = parser.parse_args(argv)
    if os.environ.get("LMS_BOOT_DELAY") and not os.environ.get("BENCH_BOOT_DELAY"):
        parser.error(
            "LMS_BOOT_DELAY is set, but the bench sets the stand-in's boot delay itself from "
            "BENCH_BOOT_DELAY (or --boot-delay): use `make bench BENCH_BOOT_DELAY=%s`" % os.environ["LMS_BOOT_DELAY"]
        )
    if args.boot_delay < 0 or any(users < 1 for users in args.users):
        parser.error("--boot-delay (BENCH_BOOT_DELAY) must be >= 0 and --users (BENCH_USERS) >= 1")
    return args


def measure_all(args):
    """Run every approach for every user count; returns the results list."""
    print(
        "bench: boot delay %g s, users %s, approaches %s"
        % (args.boot_delay, " ".join(map(str, args.users)), " ".join(args.approaches)),
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="edx-bench-") as workdir:
        template = StandinLMS(free_port(), Path(workdir) / "template")
        template.prepare()  # migrate once; every approach's stand-in starts from a copy
        try:
            for users in args.users:
                for name in args.approaches:
                    results.append(run_approach(APPROACHES[name], users, args.boot_delay, workdir, template.state_dir))
        except BenchError as exc:
            sys.exit("bench: %s" % exc)
    return results


def main(argv=None):
    args = settings(argv)
    if args.from_json:
        data = json.loads(Path(args.from_json).read_text())
        boot_delay, results = data["boot_delay"], data["results"]
    else:
        boot_delay, results = args.boot_delay, measure_all(args)
    text = report(results, boot_delay)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps({"boot_delay": boot_delay, "results": results}, indent=1))
    print(text)
    print("written to %s and %s" % (out, out.with_suffix(".json")))
    if args.readme:
        readme = Path(args.readme)
        try:
            readme.write_text(into_readme(readme.read_text(), text))
        except ValueError as exc:
            sys.exit("bench: --readme %s: %s" % (readme, exc))
        print("tables written into %s; check its prose against them" % readme)


if __name__ == "__main__":
    main()
