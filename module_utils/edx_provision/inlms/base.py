# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS (`manage.py lms shell`): the entry point the runner's bootstrap calls.

Every in-LMS program is this file followed by resource files; those register their entry points in
ENTRY_POINTS. An entry point reads, decides, applies and re-reads inside ONE database transaction,
which is retried from the start when a concurrent run wrote the same rows first. The result goes to
stdout as one marked JSON line, so whatever the LMS logs around it does not matter. Standard library
and Django only; no syntax newer than Python 3.5 (and none that Python 2.7 refuses).
"""

import contextlib
import json
import logging
import sys
import time
import traceback

ENTRY_POINTS = {}
ATTEMPTS = 3  # a run that lost a race with a concurrent run reads again and decides again


class ProvisionError(Exception):
    """Something the operator has to fix; the message is shown to them as it is."""


class Conflict(Exception):
    """A concurrent run changed what this run read; the whole entry point is run again."""


class CheckModeRollback(Exception):
    """Raised at the end of a check-mode run so that its transaction never commits."""


def main(request):
    """Run the requested entry point in one transaction and print its result as the marked line."""
    try:
        result = run_entry(ENTRY_POINTS[request["entry"]], request)
    except ProvisionError as exc:
        result = {"failed": True, "msg": text_of(exc)}
    except Exception as exc:  # any LMS-side crash must still reach the operator as a result
        result = {
            "failed": True,
            "msg": "Unexpected error inside the LMS: %s: %s" % (type(exc).__name__, cut(text_of(exc))),
            "lms_traceback": traceback.format_exc(),
        }
    emit(result, request["marker"])


def run_entry(entry, request):
    """`entry(request)` inside one transaction; again from the start when a concurrent run interfered."""
    from django.db import transaction

    last = None
    for attempt in range(1, ATTEMPTS + 1):
        started = time.time()
        try:
            with transaction.atomic():
                result = entry(request)
                if request.get("check_mode"):
                    raise CheckModeRollback(result)
                caller_still_waits()
            return result
        except CheckModeRollback as done:
            return done.args[0]
        except Exception as exc:
            if is_lock_wait(exc):
                raise ProvisionError(
                    "The LMS's database stayed locked by another process for %.0f seconds, its lock timeout: a "
                    "migration, a backup or another run holds it. Nothing was changed by this run: run it again "
                    "once that process is done." % (time.time() - started)
                )
            if not is_conflict(exc):
                raise
            last = exc
        time.sleep(0.2 * attempt)
    raise ProvisionError(
        "Another run changed the same users or clients on the LMS at the same time, %d times in a row "
        "(%s). Nothing was changed by this run: run it again." % (ATTEMPTS, cut(text_of(last)))
    )


def caller_still_waits():
    """Before the commit, a line to the controller: when it is gone (the run was interrupted with Ctrl-C, its
    SSH session dropped), the write fails and the transaction rolls back, so an aborted run applies nothing."""
    try:
        sys.stdout.write("\n")
        sys.stdout.flush()
    except (IOError, OSError):  # EPIPE: nobody reads the result any more (BrokenPipeError on Python 3)
        raise ProvisionError("The controller stopped waiting for this run (interrupted?): nothing was applied.")


def is_conflict(exc):
    """Whether `exc` means a concurrent writer got there first: a unique key it took, or a deadlock the
    database broke by rolling this transaction back. Reading again and deciding again resolves it."""
    if isinstance(exc, Conflict):
        return True
    from django.db import IntegrityError, OperationalError

    text = text_of(exc).lower()
    if isinstance(exc, IntegrityError):
        return "unique" in text or "duplicate" in text
    if isinstance(exc, OperationalError):
        return "deadlock" in text
    return False


def is_lock_wait(exc):
    """Whether `exc` means this run waited its whole lock timeout for another process (SQLite's
    `database is locked`, MySQL's `Lock wait timeout exceeded`): a lock, not a race; waiting again
    would only multiply the wait."""
    from django.db import OperationalError

    text = text_of(exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "lock wait timeout" in text)


def emit(result, marker):
    """The result as one line behind `marker` (the request's), after a line break of its own."""
    sys.stdout.write("\n" + marker + json.dumps(result, sort_keys=True, default=str) + "\n")
    sys.stdout.flush()


def text_of(exc):
    """An exception's message as text. On Python 2.7, str() of a non-ASCII (unicode) message raises
    UnicodeEncodeError, while formatting the unicode argument itself into "%s" gives unicode."""
    try:
        return "%s" % (exc,)
    except UnicodeError:
        return " ".join("%s" % (arg,) for arg in exc.args)


def cut(text, limit=200):
    """A value as messages show it: at most `limit` characters, so a huge bad input is not echoed whole."""
    text = "%s" % (text,)
    return text if len(text) <= limit else text[:limit] + "... (%d characters)" % len(text)


@contextlib.contextmanager
def muted_logger(name):
    """Silence a logger for the duration: edx's create_dot_application logs client secrets at INFO."""
    logger = logging.getLogger(name)
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def label(where, option):
    """How an option is named in messages: `email` for a single resource, `users[2].email` in a list."""
    return "%s.%s" % (where, option) if where else option


def apply_groups(groups, check_mode):
    """Apply every plan of every group, in order, then re-read and verify each changed one.

    `groups` is a list of (plans, apply_one, reread, removed). Plans are dicts with at least `action`,
    `after` and `key`; removed(plan) is the record a delete plan removes. Runs inside the entry point's
    transaction (run_entry), so a difference between what was planned and what the LMS holds afterwards
    fails the whole call with nothing changed. Check mode writes nothing: it reads what each removal
    would delete with its record (read_cascade), and applies nothing.
    """
    if check_mode:
        for plans, _apply_one, _reread, removed in groups:
            for plan in plans:
                if plan["action"] == "delete":
                    read_cascade(removed(plan))
        return
    for plans, apply_one, _reread, _removed in groups:
        for plan in plans:
            if plan["action"] != "none":
                apply_one(plan)
    for plans, _apply_one, reread, _removed in groups:
        for plan in plans:
            if plan["action"] == "none":
                continue
            found = reread(plan)
            if found != plan["after"]:
                raise ProvisionError(
                    "The LMS did not end up as planned for %s: expected %s, found %s. Nothing was "
                    "changed. Does this LMS run a modified version of the management command?"
                    % (plan["key"], json.dumps(plan["after"], sort_keys=True), json.dumps(found, sort_keys=True))
                )


def read_cascade(record):
    """Read, never delete, every row the LMS deletes with `record`, collected as Django's delete() collects
    them: check mode then meets what the removal would meet (a table it cannot read, a protected row)."""
    from django.db import router
    from django.db.models.deletion import Collector

    collector = Collector(using=router.db_for_write(type(record), instance=record))
    collector.collect([record])
    for rows in collector.fast_deletes:  # rows Django deletes by query without loading them
        rows.exists()


def command(name, positionals, options):
    """Run an LMS management command with values no parser can mistake for options.

    Positionals follow `--`, so a username or name starting with `-` stays a positional; options go
    as keyword arguments, which call_command hands to the command without parsing them.
    """
    from django.core.management import call_command

    return call_command(name, *(["--"] + list(positionals)), **options)
