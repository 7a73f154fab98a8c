# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""How the engine runs commands.

The engine never starts processes itself: it is handed a *runner*, a callable
``runner(argv, cwd=None, env=None, timeout=None) -> CommandResult``. ``env``,
when given, is the complete environment of the child (not an update);
``timeout`` is in seconds. Modules pass :func:`run_command`; unit tests pass a
fake or :func:`run_command` itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import CommandError

CommandResult = namedtuple("CommandResult", ["rc", "stdout", "stderr"])

# How long a command of the install may take: the probe answers in well under
# a second; creating a venv and compiling bytecode take seconds, minutes on a
# slow host with a large wagon.
PROBE_TIMEOUT = 60
WORK_TIMEOUT = 1800

# Variables that let a host's configuration steer pip (an index, find-links, a
# config file), or steer Python's import path, in a child we want hermetic.
_STEERING_PREFIXES = ("PIP_", "PYTHON")


def hermetic_environment(base=None):
    """Return a copy of ``base`` (default: ``os.environ``) that cannot steer pip.

    Every ``PIP_*`` and ``PYTHON*`` variable is dropped, pip reads no
    configuration file, asks nothing, and checks no version online.
    """
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items() if not k.startswith(_STEERING_PREFIXES)}
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INPUT": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
    )
    return env


class CommandTimeout(CommandError):
    """A command did not finish within its time; it was stopped (with everything it started)."""


def run_command(argv, cwd=None, env=None, timeout=None):
    """The engine's runner: run ``argv`` with no input; return its CommandResult.

    ``timeout`` (seconds, None for none) bounds the run: past it the command
    and everything it started are killed and CommandTimeout raised, so no probe,
    venv creation or compile step can hang a task. Output is decoded as
    UTF-8, undecodable bytes replaced.
    """
    # Not AnsibleModule.run_command: it has no timeout and cannot stop a command's children.
    # The child stays in the module's process group, so whatever stops the
    # module as a group (a kill of the task) stops the command and its
    # children too.
    proc = subprocess.Popen(  # pylint: disable=ansible-bad-function
        list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        close_fds=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_tree(proc)
        raise CommandTimeout(
            "%s did not finish within %s seconds and was stopped" % (" ".join(argv[:3]), timeout), argv, None
        )
    except BaseException:
        _stop_tree(proc)
        raise
    return CommandResult(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def _descendants(pid):
    """``pid`` and every process below it, from /proc (Linux; elsewhere ``[pid]``)."""
    children = {}
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return [pid]
    for entry in entries:
        try:
            with open("/proc/%s/stat" % entry) as stream:
                parent = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def _stop_tree(proc):
    """SIGKILL ``proc`` and everything it started, frozen first so that nothing starts another child meanwhile."""
    frozen = _descendants(proc.pid)
    for pid in frozen:
        _signal(pid, signal.SIGSTOP)
    for pid in _descendants(proc.pid) + frozen:
        _signal(pid, signal.SIGKILL)
    proc.communicate()


def _signal(pid, number):
    try:
        os.kill(pid, number)
    except OSError:
        pass
