"""Runs inside the LMS (`manage.py lms shell`): the entry point the runner's bootstrap calls.

Every in-LMS program is this file followed by one resource file; those register their entry
points in ENTRY_POINTS. The result goes to stdout as one marked JSON line, so that whatever the LMS
logs around it does not matter. Standard library and Django only; no syntax newer than Python 3.5.
"""

import contextlib
import json
import logging
import sys
import traceback

RESULT_MARKER = "EDX_PROVISION_RESULT "
ENTRY_POINTS = {}


class ProvisionError(Exception):
    """Something the operator has to fix; the message is shown to them as it is."""


def main(request):
    """Run the requested entry point and print its result (or the failure) as the marked line."""
    try:
        result = ENTRY_POINTS[request["entry"]](request)
    except ProvisionError as exc:
        result = {"failed": True, "msg": str(exc)}
    except Exception as exc:  # any LMS-side crash must still reach the operator as a result
        result = {
            "failed": True,
            "msg": "Unexpected error inside the LMS: %s: %s" % (type(exc).__name__, exc),
            "lms_traceback": traceback.format_exc(),
        }
    emit(result)


def emit(result):
    sys.stdout.write("\n" + RESULT_MARKER + json.dumps(result, sort_keys=True, default=str) + "\n")
    sys.stdout.flush()


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


def apply_all(plans, apply_one, reread, check_mode):
    """Apply every plan in one transaction, then re-read and verify; nothing is half-applied.

    `plans` are dicts with at least `action`, `after` and `key`. `reread(plan)` returns the state
    now on the LMS. A difference between what was planned and what the LMS holds afterwards rolls
    the whole transaction back and fails.
    """
    if check_mode or all(plan["action"] == "none" for plan in plans):
        return
    from django.db import transaction

    with transaction.atomic():
        for plan in plans:
            if plan["action"] != "none":
                apply_one(plan)
        for plan in plans:
            if plan["action"] == "none":
                continue
            found = reread(plan)
            if found != plan["after"]:
                raise ProvisionError(
                    "The LMS did not end up as planned for %s: expected %s, found %s. Nothing was "
                    "changed. Does this LMS run a modified version of the management command?"
                    % (plan["key"], json.dumps(plan["after"], sort_keys=True),
                       json.dumps(found, sort_keys=True))
                )
