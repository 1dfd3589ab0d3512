"""
The ginkgo shell's Python 2.7 syntax gate. A Ginkgo LMS runs Python 2.7; the stand-in runs
3.11. With a Python 2.7 interpreter on the machine (settings.GINKGO_PYTHON2), every
statement the console is about to run is first compiled by 2.7's interactive compiler
(python2_syntax_server.py, one process per session); what 2.7 rejects (f-strings,
keyword-only arguments, `nonlocal`...) is reported as 2.7's SyntaxError on stderr and not
run, as a Ginkgo LMS would. So the flavour runs only code both interpreters accept.
Runtime differences (str/bytes, dict views, integer division) are not emulated.
"""

import code
import json
import subprocess
from pathlib import Path

SERVER = Path(__file__).with_name("python2_syntax_server.py")


class Python2Syntax:
    """A running Python 2.7 compile service (started on first use)."""

    def __init__(self, python2):
        self.python2 = python2
        self._proc = None

    def error(self, source):
        """2.7's SyntaxError text for `source`, or None when 2.7 accepts it."""
        if self._proc is None:
            self._proc = subprocess.Popen(
                [self.python2, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        self._proc.stdin.write(json.dumps(source) + "\n")
        self._proc.stdin.flush()
        reply = self._proc.stdout.readline()
        if not reply:
            raise RuntimeError(
                f"the stand-in's Python 2.7 syntax gate ({self.python2}) stopped; fix it or set LMS_GINKGO_PYTHON2=off"
            )
        return json.loads(reply).get("error")

    def close(self):
        if self._proc is not None:
            self._proc.stdin.close()
            self._proc.wait(timeout=10)
            self._proc = None


class GatedConsole(code.InteractiveConsole):
    """code.InteractiveConsole that runs a complete statement only if Python 2.7 accepts it."""

    def __init__(self, local, python2):
        super().__init__(local)
        self.python2 = python2

    def runsource(self, source, filename="<input>", symbol="single"):
        try:
            compiled = self.compile(source, filename, symbol)
        except (OverflowError, SyntaxError, ValueError):
            self.showsyntaxerror(filename)
            return False
        if compiled is None:
            return True  # more input needed
        error = self.python2.error(source)
        if error:
            self.write(error)
            return False
        self.runcode(compiled)
        return False
