"""The ways of giving N service accounts API access that `make bench` compares, and their steps.

- toolkit:        the role through the project's own playbooks/provision.yml and playbooks/verify.yml;
                  one inventory host (the LMS) with every service account in edx_api_access_accounts.
- modules:        the toolkit's modules called once with lists (bench/modules.yml).
- configuration:  openedx/configuration's oauth_client_setup: per account one manage_user and one
                  create_dot_application --update, as shell tasks (bench/configuration.yml).
- tutor:          Tutor's `do createuser -p`: per account manage_user, then `shell -c` that sets the
                  password (bench/tutor_createuser.sh). It creates no OAuth2 client.

A step returns the number of changed tasks the tool reported, or None when the tool reports nothing.
Steps a tool does not offer (check mode, a verify playbook) are simply absent.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
MANAGE_PY = REPO / "tests" / "lms" / "manage.py"
PYTHON = sys.executable
BIN = Path(PYTHON).parent

STEPS = ("check", "first", "rerun", "verify")
STEP_LABELS = {
    "check": "check --diff (fresh LMS)",
    "first": "first converge",
    "rerun": "rerun",
    "verify": "verify",
}


class BenchError(RuntimeError):
    """A step failed; the message holds the tail of its output."""


def accounts(count):
    """The service accounts of an N-user run: a user and its OAuth2 client (client id = username)."""
    names = ["bench-user-%02d" % index for index in range(count)]
    return [
        {
            "username": name,
            "email": name + "@example.com",
            "client_id": name,
            "client_secret": name + "-client-secret-value",
            "password": name + "-password-value",
        }
        for name in names
    ]


class Approach:
    """One tool against one stand-in LMS; subclasses say which steps exist and how each runs."""

    name = ""
    label = ""
    steps = ()

    def __init__(self, lms, users, boot_delay, workdir):
        self.lms = lms
        self.users = users
        self.boot_delay = boot_delay
        self.workdir = Path(workdir)

    def lms_environment(self):
        """What manage.py needs to find this stand-in and model a real LMS's boot time."""
        return {"LMS_STATE_DIR": str(self.lms.state_dir), "LMS_BOOT_DELAY": str(self.boot_delay)}

    def environment(self):
        env = {name: value for name, value in os.environ.items() if not name.startswith("LMS_")}
        env.update(
            self.lms_environment(),
            ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            PATH="%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")),
        )
        return env

    def run(self, step):
        raise NotImplementedError

    def _run(self, argv, what):
        proc = subprocess.run(argv, cwd=REPO, env=self.environment(), capture_output=True, text=True)
        if proc.returncode != 0:
            raise BenchError(
                "%s (%s) failed with exit code %d:\n%s%s"
                % (what, self.label, proc.returncode, proc.stdout[-4000:], proc.stderr[-2000:])
            )
        return proc.stdout

    def playbook(self, playbook, inventory, extra=()):
        """Run ansible-playbook; return the changed tasks summed over the PLAY RECAP's hosts."""
        out = self._run(
            [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), *extra],
            ("%s %s" % (Path(playbook).name, " ".join(extra))).strip(),
        )
        recap = out.split("PLAY RECAP")[-1]
        return sum(int(value) for value in re.findall(r"\bchanged=(\d+)", recap))

    def write_json(self, name, data):
        path = self.workdir / ("%s-%d-%s.json" % (self.name, len(self.users), name))
        path.write_text(json.dumps(data, indent=1))
        return path


class Toolkit(Approach):
    """The role, through playbooks/provision.yml and playbooks/verify.yml as an operator runs them."""

    name = "toolkit"
    label = "toolkit role"
    steps = ("check", "first", "rerun", "verify")

    def inventory(self):
        host = {
            "ansible_connection": "local",
            "ansible_python_interpreter": PYTHON,
            "edx_api_access_lms_url": self.lms.url,
            "edx_api_access_runner": "command",
            "edx_api_access_manage_command": [PYTHON, str(MANAGE_PY)],
            "edx_api_access_settings": self.lms.settings,
            "edx_api_access_environment": self.lms_environment(),
            "edx_api_access_accounts": [
                {key: account[key] for key in ("username", "email", "client_id", "client_secret")}
                for account in self.users
            ],
        }
        return self.write_json("inventory", {"lms": {"hosts": {"lms": host}}})

    def run(self, step):
        inventory = self.inventory()
        if step == "verify":
            return self.playbook(REPO / "playbooks" / "verify.yml", inventory)
        extra = ("--check", "--diff") if step == "check" else ()
        return self.playbook(REPO / "playbooks" / "provision.yml", inventory, extra)


class PlaybookOnLocalhost(Approach):
    """A bench playbook on localhost, given the LMS and the accounts as extra variables."""

    playbook_file = ""

    def run(self, step):
        variables = self.write_json(
            "vars",
            {
                "bench_manage_command": [PYTHON, str(MANAGE_PY)],
                "bench_settings": self.lms.settings,
                "bench_environment": self.lms_environment(),
                "bench_users": [
                    {"username": account["username"], "email": account["email"], "staff": True}
                    for account in self.users
                ],
                "bench_clients": [
                    {
                        "name": account["username"],
                        "owner": account["username"],
                        "client_id": account["client_id"],
                        "client_secret": account["client_secret"],
                    }
                    for account in self.users
                ],
            },
        )
        extra = ["-c", "local", "-e", "@%s" % variables, "-e", "ansible_python_interpreter=%s" % PYTHON]
        if step == "check":
            extra += ["--check", "--diff"]
        return self.playbook(BENCH / self.playbook_file, "localhost,", tuple(extra))


class Modules(PlaybookOnLocalhost):
    name = "modules"
    label = "toolkit modules (lists)"
    steps = ("check", "first", "rerun")
    playbook_file = "modules.yml"


class Configuration(PlaybookOnLocalhost):
    name = "configuration"
    label = "configuration oauth_client_setup"
    steps = ("check", "first", "rerun")
    playbook_file = "configuration.yml"


class Tutor(Approach):
    """`tutor local do createuser --staff -p PASSWORD NAME EMAIL`, once per account."""

    name = "tutor"
    label = "Tutor createuser"
    steps = ("first", "rerun")

    def run(self, step):
        for account in self.users:
            self._run(
                [
                    "bash",
                    str(BENCH / "tutor_createuser.sh"),
                    PYTHON,
                    str(MANAGE_PY),
                    account["username"],
                    account["email"],
                    account["password"],
                ],
                "tutor_createuser.sh",
            )
        return None  # Tutor reports no changes


APPROACHES = {cls.name: cls for cls in (Toolkit, Modules, Configuration, Tutor)}
BASELINES = ("configuration", "tutor")
TOOLKITS = ("toolkit", "modules")
