#!/usr/bin/env python
"""
Usage: manage.py lms [--settings NAME] COMMAND [ARGS...]

The stand-in LMS's entry point, shaped like edx-platform's manage.py: the first argument
is the service variant (only `lms` exists here), `--settings NAME` selects the settings
module `lms.envs.NAME`; without it DJANGO_SETTINGS_MODULE from the environment is used,
else `lms.envs.production`. Everything else goes to Django's command line unchanged.

Every start appends one line (time, pid, command name, and the uid and user name the
process runs as; never the arguments, which can hold secrets) to $LMS_STATE_DIR/boots.log,
and LMS_BOOT_DELAY=SECONDS makes the start sleep that long, to model a real LMS whose
management commands take seconds to boot.
"""

import os
import pwd
import sys
import time
from argparse import ArgumentParser
from datetime import datetime, timezone

from lms.paths import state_dir

DEFAULT_SETTINGS = "lms.envs.production"


def parse_args(argv):
    """Split edx's own arguments from Django's, as edx-platform's manage.py does."""
    parser = ArgumentParser(prog="manage.py", usage="%(prog)s {lms} [--settings NAME] COMMAND ...")
    subparsers = parser.add_subparsers(title="system", description="edX service to run", dest="variant")
    for variant in ("lms", "cms"):
        sub = subparsers.add_parser(variant, add_help=False, usage="%(prog)s [options] ...")
        sub.add_argument("-h", "--help", action="store_true", help="show this help message and exit")
        sub.add_argument("--settings", help="settings module under lms.envs (default: production)")
        sub.add_argument("--service-variant", default=variant, help="kept for compatibility")
    return parser.parse_known_args(argv)


def command_name(django_args):
    """The Django subcommand (first non-option argument), for boots.log."""
    for arg in django_args:
        if not arg.startswith("-"):
            return arg
    return "-"


def process_user():
    """`uid=N user=NAME` of this process, so a log reader can prove which user started the LMS."""
    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = "-"
    return f"uid={uid} user={name}"


def record_boot(command):
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = f"{stamp} pid={os.getpid()} command={command} {process_user()}\n"
    # One write() of a short line on an O_APPEND file: concurrent starts never interleave.
    fd = os.open(directory / "boots.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def main(argv):
    if not argv or argv[0] not in ("lms", "cms"):
        sys.stderr.write(
            "usage: manage.py lms [--settings NAME] COMMAND [ARGS...]\n"
            "The first argument must be the service variant: lms.\n"
        )
        return 2
    edx_args, django_args = parse_args(argv)
    record_boot(command_name(django_args))
    delay = os.environ.get("LMS_BOOT_DELAY", "").strip()
    if delay:
        time.sleep(float(delay))

    if edx_args.variant == "cms":
        sys.stderr.write("manage.py: the stand-in emulates the LMS only; 'cms' (Studio) is not available here.\n")
        return 2

    if edx_args.settings:
        settings_name = edx_args.settings
        os.environ["DJANGO_SETTINGS_MODULE"] = "lms.envs." + settings_name
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    os.environ.setdefault("SERVICE_VARIANT", edx_args.service_variant)

    if edx_args.help:
        django_args.append("--help")

    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *django_args])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
