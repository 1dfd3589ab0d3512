"""Run a play through the real ansible-playbook and hand back what a user would see.

Integration tests describe tasks as Python data; this writes them to a temporary playbook, runs
ansible-playbook with the project's ansible.cfg against localhost (local connection, the venv's
Python), and returns the text output plus every task result as recorded by the edx_record callback.
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class PlayRun:
    rc: int
    stdout: str
    stderr: str
    results: list = field(default_factory=list)

    def task(self, name):
        """The single recorded result of the task called `name` (role tasks: with or without `role : `)."""
        found = [r for r in self.results if r["task"] == name or r["task"].endswith(" : " + name)]
        assert len(found) == 1, f"expected one result for task {name!r}, got {len(found)}: {self.stdout}"
        return found[0]

    def item(self, name, index=0):
        """The result of item `index` of the looped task `name` (the role loops over its accounts)."""
        return self.task(name)["result"]["results"][index]

    @property
    def changed_count(self):
        return sum(1 for r in self.results if r["status"] == "ok" and r["result"].get("changed"))

    @property
    def output(self):
        return self.stdout + self.stderr


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).parent / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="edx_record",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_NOCOLOR="1",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(extra or {})
    return env


def run_playbook(path, *, args=(), env=None, inventory=None, timeout=600, popen_hook=None):
    """Run an existing playbook file; `popen_hook(proc)` may observe the process while it runs."""
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "results.jsonl"
        run_env = ansible_env(env)
        run_env["EDX_RECORD_FILE"] = str(record)
        argv = [str(BIN / "ansible-playbook"), str(path), *args]
        if inventory is not None:
            argv[2:2] = ["-i", str(inventory)]
        # Its own process group, as a terminal gives a job: a test may press Ctrl-C (SIGINT to the group).
        pipes = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        proc = subprocess.Popen(argv, cwd=REPO, env=run_env, start_new_session=True, **pipes)
        if popen_hook is not None:
            popen_hook(proc)
        stdout, stderr = proc.communicate(timeout=timeout)
        results = []
        if record.exists():
            results = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
        return PlayRun(proc.returncode, stdout, stderr, results)


def run_play(tasks, *, play_vars=None, check=False, diff=False, verbosity=0, env=None, **kwargs):
    """Run `tasks` (a list of task dicts) in one play on localhost."""
    play = {
        "name": "integration test",
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": sys.executable, **(play_vars or {})},
        "tasks": tasks,
    }
    args = ["-i", "localhost,", "-c", "local"]
    if check:
        args.append("--check")
    if diff:
        args.append("--diff")
    if verbosity:
        args.append("-" + "v" * verbosity)
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
        json.dump([play], fh)
        playbook = Path(fh.name)
    try:
        return run_playbook(playbook, args=args, env=env, **kwargs)
    finally:
        playbook.unlink()


def play(name, inventory, *args, **kwargs):
    """Run the project's playbooks/NAME.yml against `inventory`, as an operator runs it."""
    return run_playbook(REPO / "playbooks" / f"{name}.yml", inventory=inventory, args=args, **kwargs)


def recap_changed(run):
    """The `changed=` count of the first host in the PLAY RECAP."""
    return int(run.stdout.split("PLAY RECAP")[1].split("changed=")[1].split()[0])
