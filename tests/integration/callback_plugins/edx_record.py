"""Test-only callback: append every task result as one JSON line to $EDX_RECORD_FILE.

ansible-core ships no JSON callback; integration tests need the structured results (after
Ansible's own no_log censoring, exactly as a user's callbacks would see them).
"""

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: edx_record
type: aggregate
short_description: record task results as JSON lines for the integration tests
description: Appends one JSON object per task result to the file named by EDX_RECORD_FILE.
requirements: [EDX_RECORD_FILE set in the environment]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "edx_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        path = os.environ.get("EDX_RECORD_FILE")
        if not path:
            return
        task = result._task
        entry = {
            "task": task.get_name(),
            "action": task.action,
            "host": result._host.get_name(),
            "status": status,
            "result": self._dump_safe(result._result),
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    @staticmethod
    def _dump_safe(value):
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
