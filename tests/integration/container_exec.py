"""Test-only stand-in for `docker exec -i` (and Tutor's and kubectl's exec): run a command out of reach.

    python container_exec.py COMMAND [ARGS...]

The command runs in a session of its own, as a process inside a container does: killing this
process (or its process group) does not stop it. Like `docker exec`, this exits with the command's
status, or 128+N when the command was killed by signal N.
"""

import subprocess
import sys


def main():
    proc = subprocess.Popen(sys.argv[1:], start_new_session=True)
    rc = proc.wait()
    sys.exit(128 - rc if rc < 0 else rc)


if __name__ == "__main__":
    main()
