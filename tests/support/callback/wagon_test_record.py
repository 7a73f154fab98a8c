# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A test-only callback: every task result as one JSON line in $WAGON_TEST_RECORD.

ansible-core ships no JSON callback, so tests read real results through this.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: wagon_test_record
type: aggregate
short_description: write task results as JSON lines (offline.wagon tests only)
description: Appends one JSON object per task result to the file named by WAGON_TEST_RECORD.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wagon_test_record"
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result, status):
        path = os.environ.get("WAGON_TEST_RECORD")
        if not path:
            return
        task = result._task
        entry = {
            "host": result._host.get_name(),
            "task": task.get_name() if task else "",
            "action": task.action if task else "",
            "status": status,
            "result": result._result,
        }
        with open(path, "a") as stream:
            stream.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._write(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._write(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._write(result, "unreachable")
