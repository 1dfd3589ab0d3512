"""Run the LMS-side process with a deadline, feeding stdin while reading its output.

`AnsibleModule.run_command` has no timeout and writes all of stdin before reading anything, so a
hung LMS hangs the play and a request over the pipe size (64 KiB) can deadlock or end in "Broken
pipe". Here the process starts in its own session (its own process group), stdin is written and
stdout/stderr are read concurrently (`communicate`), and on the deadline the whole group is killed:
`manage.py`, and whatever it started, never outlives the module: not on the deadline, and not when
the module itself is interrupted or terminated.
"""

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time

# After SIGTERM, how long the group gets to exit before SIGKILL; then how long to wait for the
# pipes to close (a process that left the group may hold them open).
TERM_GRACE = 3
DRAIN_GRACE = 3


class Outcome:
    """What came of one process: exit code (negative: killed by that signal), output, deadline."""

    def __init__(self, rc, stdout, stderr, timed_out):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


def run_process(argv, data, timeout, cwd=None, env=None):
    """Run argv with `data` (bytes) on stdin; kill its process group after `timeout` seconds."""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    pump = _Pump(proc, data)
    deadline = time.monotonic() + timeout
    previous = _stop_on_termination()
    try:
        finished = pump.run_until(deadline)
        if finished:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                finished = False
        timed_out = not finished and proc.poll() is None
        if not finished:
            # Timed out, or the main process exited while something it started holds the pipes.
            kill_group(proc)
            pump.run_until(time.monotonic() + DRAIN_GRACE)
    except BaseException:
        kill_group(proc)
        raise
    finally:
        pump.close()
        _restore(previous)
    # Nothing the LMS started may outlive the call, even when the main process exited in time.
    _signal_group(proc.pid, signal.SIGKILL)
    return Outcome(proc.returncode, _text(pump.output(proc.stdout)), _text(pump.output(proc.stderr)), timed_out)


class Terminated(Exception):
    """The module process itself was told to stop (SIGTERM, SIGHUP) while the LMS ran."""


def _raise_terminated(signum, _frame):
    raise Terminated("the module was stopped by %s while the LMS ran" % signal.Signals(signum).name)


def _stop_on_termination():
    """While the LMS runs, SIGTERM/SIGHUP to the module become an exception, so its group is killed too."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return {signum: signal.signal(signum, _raise_terminated) for signum in (signal.SIGTERM, signal.SIGHUP)}


def _restore(previous):
    for signum, handler in (previous or {}).items():
        signal.signal(signum, handler)


class _Pump:
    """Writes stdin and reads stdout/stderr as each pipe is ready, so no pipe size limits a request."""

    def __init__(self, proc, data):
        self.proc = proc
        self.data = memoryview(data or b"")
        self.offset = 0
        self.exited_at = None
        self.chunks = {proc.stdout: [], proc.stderr: []}
        self.selector = selectors.PollSelector() if hasattr(selectors, "PollSelector") else selectors.SelectSelector()
        for stream in (proc.stdout, proc.stderr):
            self.selector.register(stream, selectors.EVENT_READ)
        if len(self.data):
            os.set_blocking(proc.stdin.fileno(), False)
            self.selector.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()

    def run_until(self, deadline):
        """Move data until every pipe is closed (True) or the deadline passes (False)."""
        while self.selector.get_map():
            if self.exited_at is None and self.proc.poll() is not None:
                self.exited_at = time.monotonic()
            if self.exited_at is not None:
                # Exited: what is left in the pipes comes at once, unless a stray child holds them.
                deadline = min(deadline, self.exited_at + DRAIN_GRACE)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            for key, _events in self.selector.select(min(remaining, 1)):
                if key.fileobj is self.proc.stdin:
                    self._write()
                else:
                    chunk = os.read(key.fd, 65536)
                    if chunk:
                        self.chunks[key.fileobj].append(chunk)
                    else:
                        self._done(key.fileobj)
        return True

    def _write(self):
        try:
            self.offset += os.write(self.proc.stdin.fileno(), self.data[self.offset : self.offset + 65536])
        except BlockingIOError:
            return
        except BrokenPipeError:
            # The process stopped reading (it exited early): its output says why, so keep reading that.
            self.offset = len(self.data)
        if self.offset >= len(self.data):
            self._done(self.proc.stdin)

    def _done(self, stream):
        self.selector.unregister(stream)
        with contextlib.suppress(BrokenPipeError):
            stream.close()

    def output(self, stream):
        return b"".join(self.chunks[stream])

    def close(self):
        for key in list(self.selector.get_map().values()):
            self._done(key.fileobj)
        self.selector.close()


def kill_group(proc):
    """SIGTERM the process group, then SIGKILL whatever is left after a short grace."""
    _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + TERM_GRACE
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid, signum):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _text(data):
    return (data or b"").decode("utf-8", errors="replace")
