"""
`shell` as Django 1.8 has it (contract §9): options --plain, --no-startup and
-i/--interface only, so `-c` fails with argparse's "unrecognized arguments" and exit 2
after the boot. The session is always the plain interactive console (IPython and bpython
are not installed on the stand-in, as Django 1.8 then falls back): with a program piped
on stdin it runs line by line, `>>> ` and `... ` prompts go to stdout without a newline,
the banner and tracebacks to stderr, a block needs a blank line after it (one left open
at end of input never runs), exceptions leave the exit code at 0 and only sys.exit(n)
changes it. With settings.GINKGO_PYTHON2 (a Python 2.7 interpreter), statements 2.7 would
reject are refused with its SyntaxError (standin_django18/python2_syntax.py).
"""

import code
import contextlib
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from standin_django18.python2_syntax import GatedConsole, Python2Syntax

BANNER = (
    f"Python {sys.version} on {sys.platform}\n"
    'Type "help", "copyright", "credits" or "license" for more information.\n(InteractiveConsole)'
)


class Command(BaseCommand):
    help = "Runs a Python interactive interpreter. Tries to use IPython or bpython, if one of them is available."
    requires_system_checks = []
    shells = ["ipython", "bpython"]

    def add_arguments(self, parser):
        parser.add_argument(
            "--plain",
            action="store_true",
            dest="plain",
            help="Tells Django to use plain Python, not IPython or bpython.",
        )
        parser.add_argument(
            "--no-startup",
            action="store_true",
            dest="no_startup",
            help="When using plain Python, ignore the PYTHONSTARTUP environment variable and ~/.pythonrc.py script.",
        )
        parser.add_argument(
            "-i",
            "--interface",
            choices=self.shells,
            dest="interface",
            help='Specify an interactive interpreter interface. Available options: "ipython" and "bpython"',
        )

    def handle(self, **options):
        imported_objects = {}
        if not options["no_startup"]:
            for pythonrc in (os.environ.get("PYTHONSTARTUP"), "~/.pythonrc.py"):
                if not pythonrc:
                    continue
                pythonrc = os.path.expanduser(pythonrc)
                if not os.path.isfile(pythonrc):
                    continue
                with open(pythonrc) as handle, contextlib.suppress(NameError):
                    exec(compile(handle.read(), pythonrc, "exec"), imported_objects)
        python2 = getattr(settings, "GINKGO_PYTHON2", None)
        if not python2:
            # Python 2.7's console prints no exit message; keep it that way.
            code.interact(local=imported_objects, exitmsg="")
            return
        gate = Python2Syntax(python2)
        try:
            GatedConsole(imported_objects, gate).interact(banner=BANNER, exitmsg="")
        finally:
            gate.close()
