# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A test-only callback: every task result, and the play recap, as JSON lines in $WAGON_TEST_RECORD.

ansible-core ships no JSON callback (only default, minimal, oneline, junit and
tree; ``json`` lives in ansible.posix), so tests read real results through this
one. It is an aggregate callback: the normal screen output stays as it is.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: wagon_test_record
type: aggregate
short_description: write task results as JSON lines (offline.wagon tests only)
description:
  - Appends one JSON object per task result, and one for the recap, to the file named by WAGON_TEST_RECORD.
"""


def _public(result, name):
    # ansible-core 2.19 made host, task and result public; older ones have _host, ...
    return getattr(result, name) if hasattr(type(result), name) else getattr(result, "_" + name)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wagon_test_record"
    CALLBACK_NEEDS_ENABLED = True

    def _append(self, entry):
        path = os.environ.get("WAGON_TEST_RECORD")
        if path:
            with open(path, "a") as stream:
                stream.write(json.dumps(entry, default=str) + "\n")

    def _record(self, result, status):
        task = _public(result, "task")
        self._append({
            "event": "result",
            "host": _public(result, "host").get_name(),
            "task": task.get_name() if task else "",
            "action": task.action if task else "",
            "status": status,
            "result": dict(_public(result, "result")),
        })

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        self._append({"event": "stats", "stats": {host: stats.summarize(host) for host in hosts}})
