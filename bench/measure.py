"""What one bench step cost on a stand-in LMS, read from the stand-in's own records.

LMS starts come from boots.log (one line per manage.py start, with the command name), HTTP round
trips from the gunicorn access log (server.log), what the LMS holds from its SQLite database (read
only). Every count is the difference between before and after the step: nothing is assumed.
"""

import contextlib
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field

BOOT_COMMAND = re.compile(r"\bcommand=(\S+)")
REQUEST = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /')


@dataclass
class Step:
    """The cost of one step (a playbook run or a script run) and what it reported."""

    starts: int
    by_command: dict = field(default_factory=dict)
    round_trips: int = 0
    seconds: float = 0.0
    changed: object = None  # changed tasks from PLAY RECAP; None when the tool reports nothing
    users: int = 0  # the bench's users on the LMS after the step
    clients: int = 0  # the bench's OAuth2 clients on the LMS after the step

    def as_dict(self):
        return dict(self.__dict__)


def boot_commands(lms):
    """The command name of every manage.py start recorded in boots.log so far."""
    try:
        text = (lms.state_dir / "boots.log").read_text()
    except FileNotFoundError:
        return []
    return [match.group(1) if match else "?" for match in map(BOOT_COMMAND.search, text.splitlines())]


def requests_served(lms):
    """How many HTTP requests the stand-in's access log holds so far."""
    try:
        return len(REQUEST.findall((lms.state_dir / "server.log").read_text(errors="replace")))
    except FileNotFoundError:
        return 0


def lms_holds(lms, usernames, client_ids):
    """(users, clients): how many of these usernames and client ids exist on the LMS now."""
    uri = "file:%s?mode=ro" % lms.db_path
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        existing_users = {row[0] for row in db.execute("SELECT username FROM auth_user")}
        existing_clients = {row[0] for row in db.execute("SELECT client_id FROM oauth2_provider_application")}
    users = len(existing_users.intersection(usernames))
    clients = len(existing_clients.intersection(client_ids))
    return users, clients


def measure(lms, run, usernames, client_ids):
    """Run `run()` (returns the changed count or None) and return its Step."""
    boots_before, served_before = len(boot_commands(lms)), requests_served(lms)
    started = time.monotonic()
    changed = run()
    seconds = time.monotonic() - started
    commands = boot_commands(lms)[boots_before:]
    users, clients = lms_holds(lms, usernames, client_ids)
    return Step(
        starts=len(commands),
        by_command=dict(Counter(commands)),
        round_trips=requests_served(lms) - served_before,
        seconds=seconds,
        changed=changed,
        users=users,
        clients=clients,
    )
