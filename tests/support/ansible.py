# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run real Ansible (``ansible -m`` and ``ansible-playbook``) from tests, and read its results."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile

from tests.support.pythons import CONTROLLER_PYTHON, ROOT

BIN = os.path.join(ROOT, ".venv", "bin")
COLLECTIONS = os.path.join(ROOT, "build", "collections")
CALLBACKS = os.path.join(ROOT, "tests", "support", "callback")


class AnsibleRun(object):
    """The outcome of one ansible or ansible-playbook run."""

    def __init__(self, argv, rc, stdout, stderr, results):
        self.argv, self.rc, self.stdout, self.stderr, self.results = argv, rc, stdout, stderr, results

    def result(self, task=None, host="localhost"):
        """The result dict of the last result of ``task`` (by name; any task when None) on ``host``."""
        matches = [r for r in self.results if r["host"] == host and (task is None or r["task"] == task)]
        if not matches:
            raise AssertionError("no result for task %r on %s:\n%s\n%s" % (task, host, self.stdout, self.stderr))
        # ansible-core 2.19+ keeps "failed" out of the result dict; the status has it.
        return dict(matches[-1]["result"], failed=matches[-1]["status"] == "failed")

    def check(self):
        if self.rc != 0:
            raise AssertionError("%s failed (rc=%d):\n%s\n%s" % (self.argv[:2], self.rc, self.stdout[-4000:], self.stderr[-4000:]))
        return self


def environment(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PIP_"))}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
        ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
        ANSIBLE_CALLBACKS_ENABLED="wagon_test_record",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=CONTROLLER_PYTHON,
        PATH=BIN + os.pathsep + env.get("PATH", ""),
    )
    env.update(extra or {})
    return env


def _run(argv, wrap=(), env=None):
    fd, record = tempfile.mkstemp(prefix="ansible-results-", suffix=".jsonl")
    os.close(fd)
    try:
        full_env = environment(env)
        full_env["WAGON_TEST_RECORD"] = record
        proc = subprocess.run(
            list(wrap) + argv, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, stdin=subprocess.DEVNULL, check=False,
        )
        with open(record) as stream:
            results = [json.loads(line) for line in stream if line.strip()]
    finally:
        os.unlink(record)
    return AnsibleRun(argv, proc.returncode, proc.stdout, proc.stderr, results)


def run_module(module, args, check=False, diff=False, python=None, wrap=(), env=None):
    """Run ``ansible localhost -m offline.wagon.<module>``; return the result dict.

    ``python`` is the interpreter that runs the module (default: the
    controller venv's). ``wrap`` prefixes the command (e.g. the offline one).
    """
    name = module if "." in module else "offline.wagon." + module
    argv = [os.path.join(BIN, "ansible"), "localhost", "-m", name, "-a", json.dumps(args)]
    argv += ["-e", "ansible_python_interpreter=%s" % (python or CONTROLLER_PYTHON)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    run = _run(argv, wrap, env)
    result = run.result()
    result["_stdout"] = run.stdout
    return result


def run_playbook(playbook, extra_vars=None, check=False, diff=False, wrap=(), env=None, inventory=None):
    """Run ``ansible-playbook``; return an AnsibleRun (call ``.check()`` to require success)."""
    argv = [os.path.join(BIN, "ansible-playbook"), playbook]
    if inventory:
        argv += ["-i", inventory]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    return _run(argv, wrap, env)
