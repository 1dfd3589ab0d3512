"""`make bench-enroll`: edx_enrollment at the LMS's real staff throttle rate, first run and rerun.

Starts a stand-in LMS with its default throttle (120 requests a minute for staff, 40 for users),
a staff service user with a client-credentials application, U learners and C course runs, then
runs bench/enrollments.yml twice for the U x C enrollments (300 by default). Requests, POSTs,
GETs and 429 answers are counted in the stand-in's access log (enrollment API lines only; the
token request is left out), wall time around ansible-playbook. The rerun must post nothing.
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
API = "/api/enrollment/v1/"
CLIENT_ID, SECRET, SVC = "bench-enroll-client", "bench-enroll-secret-value", "bench-enroll-svc"
LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d{3}) ')


def manage(lms, *args, stdin=None):
    proc = lms.manage(*args, input=stdin)
    if proc.returncode != 0:
        sys.exit("manage.py %s failed:\n%s" % (args[0], proc.stderr[-2000:]))


def prepare(lms, users, courses):
    """A staff service user and its client, `users` learners and `courses` course runs."""
    manage(lms, "manage_user", SVC, SVC + "@example.com", "--staff")
    manage(lms, "create_dot_application", "bench-enroll", SVC, "--client-id", CLIENT_ID, "--client-secret", SECRET)
    course_ids = ["course-v1:edX+DemoX+Demo_Course"] + ["course-v1:Bench+C%d+Run" % i for i in range(1, courses)]
    if courses > 1:
        manage(lms, "seed_courses", *course_ids[1:])
    names = ["bench-learner-%03d" % i for i in range(users)]
    manage(
        lms,
        "shell",
        "-c",
        "import json, sys\nfrom django.contrib.auth.models import User\n"
        "User.objects.bulk_create([User(username=n, email=n + '@example.com') for n in json.load(sys.stdin)])\n",
        stdin=json.dumps(names),
    )
    return [{"username": name, "course_id": course} for course in course_ids for name in names]


def api_lines(lms):
    log = lms.state_dir / "server.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return [match for match in LINE.findall(text) if match[1].startswith(API)]


def run(lms, enrollments):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        LMS_STATE_DIR=str(lms.state_dir),
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",  # one line per message, for BENCH_HTTP
        PATH="%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")),
    )
    variables = {
        "bench_lms_url": lms.url,
        "bench_client_id": CLIENT_ID,
        "bench_client_secret": SECRET,
        "bench_enrollments": enrollments,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(variables, handle)
    before, started = len(api_lines(lms)), time.monotonic()
    try:
        proc = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "-i",
                "localhost,",
                "-c",
                "local",
                str(REPO / "bench" / "enrollments.yml"),
                "-e",
                "@" + handle.name,
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(handle.name)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit("bench/enrollments.yml failed:\n%s%s" % (proc.stdout[-3000:], proc.stderr[-2000:]))
    lines = api_lines(lms)[before:]
    reported = re.search(r"BENCH_HTTP (\{.*?\})", proc.stdout)
    return {
        "requests": len(lines),
        "posts": sum(1 for method, _path, _status in lines if method == "POST"),
        "gets": sum(1 for method, _path, _status in lines if method == "GET"),
        "throttled": sum(1 for _m, _p, status in lines if status == "429"),
        "seconds": elapsed,
        "module": json.loads(reported.group(1).replace('\\"', '"')) if reported else {},
    }


def table(users, courses, first, rerun):
    lines = [
        "%d enrollments (%d learners x %d course runs), stand-in at the LMS's staff rate of 120 requests a "
        "minute; counts from its access log (enrollment API only)." % (users * courses, users, courses),
        "",
        "| run | HTTP requests | POSTs (user checks + writes) | GETs | 429s met | wall time |",
        "|---|---|---|---|---|---|",
    ]
    for label, data in (("first run", first), ("rerun", rerun)):
        module = data["module"]
        lines.append(
            "| %s | %d | %d (%s + %s) | %d | %d | %.1f s |"
            % (
                label,
                data["requests"],
                data["posts"],
                module.get("user_checks", "?"),
                module.get("writes", "?"),
                data["gets"],
                data["throttled"],
                data["seconds"],
            )
        )
    lines.append("")
    lines.append(
        "- rerun POSTs: %d (must be 0); rerun GETs: %d (per course run: its read and one staff-list page)."
        % (rerun["posts"], rerun["gets"])
    )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--courses", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_LMS_PORT") or 0))
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "enrollments.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edx-bench-enroll-") as workdir:
        lms = StandinLMS(args.port or free_port(), Path(workdir) / "lms")
        lms.start()
        try:
            enrollments = prepare(lms, args.users, args.courses)
            print("enrolling %d (first run) ..." % len(enrollments), flush=True)
            first = run(lms, enrollments)
            print("rerun ...", flush=True)
            rerun = run(lms, enrollments)
        finally:
            lms.stop()
    report = table(args.users, args.courses, first, rerun)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)
    print("written to %s" % args.out)
    if rerun["posts"]:
        sys.exit("the rerun posted %d times; it must post nothing" % rerun["posts"])


if __name__ == "__main__":
    main()
