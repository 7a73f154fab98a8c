# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""How the engine runs commands.

The engine never starts processes itself: it is handed a *runner*, a callable
``runner(argv, cwd=None, env=None) -> CommandResult``. ``env``, when given, is
the complete environment of the child (not an update). Modules pass
:func:`module_runner`; unit tests pass a fake or a plain subprocess runner.
"""

from __future__ import annotations

import os
from collections import namedtuple

CommandResult = namedtuple("CommandResult", ["rc", "stdout", "stderr"])

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


def module_runner(module):
    """Return a runner that runs commands through ``module.run_command``.

    ``run_command`` only knows environment *updates*, so for a full
    environment the module process's own ``os.environ`` is swapped for the
    duration of the call (the module process is ours and short-lived).
    """

    def run(argv, cwd=None, env=None):
        if env is None:
            rc, out, err = module.run_command(list(argv), cwd=cwd)
            return CommandResult(rc, out, err)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            rc, out, err = module.run_command(list(argv), cwd=cwd)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return CommandResult(rc, out, err)

    return run
