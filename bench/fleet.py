"""`make bench-fleet`: wall time and LMS starts of playbooks/provision.yml over SSH, for fleets of hosts.

For each fleet size (1, 2, 4, 8; BENCH_FLEET_SIZES=1,2 to choose) this builds a fleet of SSH test hosts
(tests/fleet/fleet.py) whose stand-in LMS sleeps LMS_BOOT_DELAY seconds (default 5, the measured start
of a real LMS management command) at every manage.py start, converges it with forks = hosts, runs it
again (the idempotent rerun), counts the LMS starts per host from each host's boots.log, removes the
fleet, and prints a Markdown table with each run's wall time as a ratio to the one-host fleet's and the
CPU time the controller spent (ansible-playbook and everything it started on this side of SSH).
Not a test: numbers depend on the machine. Needs root, like the fleet.
"""

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fleet"))

from fleet import Fleet  # noqa: E402

BIN = Path(sys.executable).parent


def provision(fleet, forks):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        PATH="%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")),
    )
    starts = [len(fleet.boots(host)) for host in fleet.hosts]
    began, cpu = time.monotonic(), _children_cpu()
    proc = subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            str(fleet.inventory),
            "--forks",
            str(forks),
            str(REPO / "playbooks" / "provision.yml"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds, cpu = time.monotonic() - began, _children_cpu() - cpu
    if proc.returncode != 0:
        sys.exit("provision failed:\n%s%s" % (proc.stdout[-3000:], proc.stderr[-2000:]))
    recap = proc.stdout.split("PLAY RECAP")[-1]
    per_host = [len(fleet.boots(host)) - before for host, before in zip(fleet.hosts, starts, strict=True)]
    return {
        "seconds": seconds,
        "controller_cpu": cpu,
        "starts": sorted(set(per_host)),
        "changed_hosts": len([n for n in re.findall(r"changed=(\d+)", recap) if int(n) > 0]),
    }


def _children_cpu():
    """CPU seconds of finished child processes: ansible-playbook, its forks, ssh clients, local modules.

    The hosts' processes (sshd, sudo, the LMS) are not children of this process, so this is the
    controller's share of the work.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(size, boot_delay, workdir):
    fleet = Fleet(Path(workdir) / ("fleet-%d" % size))
    try:
        fleet.up(size=size, boot_delay=boot_delay)
        return {"first converge": provision(fleet, size), "idempotent rerun": provision(fleet, size)}
    finally:
        fleet.down()


def table(results, boot_delay):
    lines = [
        "Fleets of SSH test hosts on this machine, forks = hosts, LMS_BOOT_DELAY=%s s:" % boot_delay,
        "",
        "| hosts | run | wall time | wall time / 1 host | LMS starts per host | hosts changed "
        "| controller CPU | controller CPU per host |",
        "|---|---|---|---|---|---|---|---|",
    ]
    base = results.get(min(results))
    for size in sorted(results):
        for run, data in results[size].items():
            lines.append(
                "| %d | %s | %.1f s | %.2f | %s | %d | %.1f s | %.1f s |"
                % (
                    size,
                    run,
                    data["seconds"],
                    data["seconds"] / base[run]["seconds"],
                    "/".join(map(str, data["starts"])),
                    data["changed_hosts"],
                    data["controller_cpu"],
                    data["controller_cpu"] / size,
                )
            )
    return "\n".join(lines)


def main():
    if os.geteuid() != 0:
        sys.exit("bench-fleet needs root (it builds a fleet of test hosts)")
    sizes = [int(s) for s in os.environ.get("BENCH_FLEET_SIZES", "1,2,4,8").split(",") if s.strip()]
    boot_delay = float(os.environ.get("LMS_BOOT_DELAY") or 5)
    results = {}
    with tempfile.TemporaryDirectory(prefix="edx-bench-fleet-") as workdir:
        for size in sizes:
            print("fleet of %d ..." % size, file=sys.stderr, flush=True)
            results[size] = measure(size, boot_delay, workdir)
    text = table(results, boot_delay)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "fleet.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
