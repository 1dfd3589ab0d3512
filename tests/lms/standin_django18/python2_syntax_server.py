# Runs under Python 2.7 (and 3.x): keep this file valid in both.
"""
Compile service for the ginkgo flavour's shell: reads one JSON string (a console source
chunk) per line on stdin and answers one JSON line: {"complete": bool} when Python 2.7's
interactive compiler accepts it, {"error": "<SyntaxError text>"} when it does not. One
codeop.CommandCompiler for the whole session, so `from __future__` imports carry over as
they do in a Python 2.7 console.
"""

import codeop
import json
import sys
import traceback


def main():
    compiler = codeop.CommandCompiler()
    for line in iter(sys.stdin.readline, ""):
        source = json.loads(line)
        try:
            compiled = compiler(source, "<console>", "single")
        except (SyntaxError, OverflowError, ValueError):
            kind, value = sys.exc_info()[:2]
            reply = {"error": "".join(traceback.format_exception_only(kind, value))}
        else:
            reply = {"complete": compiled is not None}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
