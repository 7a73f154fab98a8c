# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run real Ansible (``ansible -m`` and ``ansible-playbook``) from tests, and read its results.

Both run the controller venv's Ansible (``.venv``, ansible-core 2.21) with
the collection found through the symlink farm ``build/collections``, and read
results through the test callback in ``tests/support/callback`` (ansible-core
has no JSON callback), one JSON line per task result. Hosts run modules with
the venv's Python unless told otherwise: interpreter discovery would pick a
pyenv shim that does not work here.

    result = run_module("wagon_facts", {"archives": [path]}, check=True)
    assert not result["changed"]
    run = run_playbook("tests/integration/playbooks/lifecycle.yml", {"work": str(tmp_path)}).check()
    assert run.result("Install the wagon")["changed"]
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile

from tests.support.pythons import CONTROLLER_PYTHON, ROOT

BIN = os.path.join(ROOT, ".venv", "bin")
COLLECTIONS = os.path.join(ROOT, "build", "collections")
CALLBACKS = os.path.join(ROOT, "tests", "support", "callback")
TIMEOUT = 900


class AnsibleRun(object):
    """The outcome of one ``ansible`` or ``ansible-playbook`` run."""

    def __init__(self, argv, rc, stdout, stderr, results, stats=None):
        self.argv, self.rc, self.stdout, self.stderr = argv, rc, stdout, stderr
        self.results = results  # [{"host", "task", "action", "status", "result"}, ...] in order
        self.stats = stats or {}  # {"localhost": {"ok": 3, "changed": 1, "failures": 0, ...}}

    def result(self, task=None, host="localhost"):
        """The result dict of the last result of ``task`` (by name; any task when None) on ``host``.

        ``failed`` is always set (ansible-core 2.19+ keeps it out of the dict).
        """
        matches = [r for r in self.results if r["host"] == host and (task is None or r["task"] == task)]
        if not matches:
            raise AssertionError("no result for task %r on %s (rc=%d):\n%s\n%s"
                                 % (task, host, self.rc, self.stdout[-4000:], self.stderr[-4000:]))
        return dict(matches[-1]["result"], failed=matches[-1]["status"] == "failed")

    def check(self):
        """Raise AssertionError (with the output) unless the run succeeded; return self."""
        if self.rc != 0:
            raise AssertionError("%s failed (rc=%d):\n%s\n%s"
                                 % (" ".join(self.argv[:2]), self.rc, self.stdout[-4000:], self.stderr[-4000:]))
        return self


def environment(extra=None):
    """The environment for Ansible commands: ours, none of the caller's ANSIBLE_* or PIP_*, plus ``extra``."""
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


def run_ansible(argv, wrap=(), env=None, timeout=TIMEOUT):
    """Run an Ansible command line (``wrap`` + ``argv``) and collect its recorded results; return an AnsibleRun."""
    fd, record = tempfile.mkstemp(prefix="ansible-results-", suffix=".jsonl")
    os.close(fd)
    try:
        full_env = environment(env)
        full_env["WAGON_TEST_RECORD"] = record
        proc = subprocess.run(
            list(wrap) + list(argv), env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, stdin=subprocess.DEVNULL, check=False, timeout=timeout,
        )
        with open(record) as stream:
            entries = [json.loads(line) for line in stream if line.strip()]
    finally:
        os.unlink(record)
    results = [e for e in entries if e.get("event", "result") == "result"]
    stats = {}
    for entry in entries:
        if entry.get("event") == "stats":
            stats.update(entry["stats"])
    return AnsibleRun(list(argv), proc.returncode, proc.stdout, proc.stderr, results, stats)


def run_module(module, args, check=False, diff=False, python=None, wrap=(), env=None, timeout=TIMEOUT):
    """Run ``ansible localhost -m offline.wagon.<module> -a <json args>``; return the host's result dict.

    ``module`` may be a short name (ours) or a FQCN (``ansible.builtin.ping``).
    ``python`` runs the module (default: the controller venv's Python).
    ``wrap`` prefixes the command line, e.g. ``offline_prefix()``.
    The dict also has ``failed`` and the run's ``_stdout``, ``_stderr`` and ``_rc``.
    """
    name = module if "." in module else "offline.wagon." + module
    argv = [os.path.join(BIN, "ansible"), "localhost", "-m", name,
            "-e", json.dumps({"ansible_python_interpreter": python or CONTROLLER_PYTHON})]
    if args:  # "-a {}" would be taken as raw parameters, which most modules refuse
        argv += ["-a", json.dumps(args)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    run = run_ansible(argv, wrap, env, timeout)
    result = run.result()
    result.update(_stdout=run.stdout, _stderr=run.stderr, _rc=run.rc)
    return result


def run_playbook(playbook, extra_vars=None, check=False, diff=False, env=None, wrap=(), inventory=None,
                 args=(), timeout=TIMEOUT):
    """Run ``ansible-playbook PLAYBOOK``; return an AnsibleRun (``.check()`` requires success).

    Without ``inventory`` the play runs on the implicit localhost (local
    connection). ``extra_vars`` is a dict; ``args`` are more command-line options.
    """
    argv = [os.path.join(BIN, "ansible-playbook"), str(playbook)]
    if inventory:
        argv += ["-i", str(inventory)]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    argv += list(args)
    return run_ansible(argv, wrap, env, timeout)
