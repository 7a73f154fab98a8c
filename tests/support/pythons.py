# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the real interpreters of this machine are."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTROLLER_PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
PYENV_ROOT = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
SYSTEM_PYTHON = "/usr/bin/python3"
# Every interpreter the engine must understand: the pyenv CPythons and Debian's own.
INTERPRETER_IDS = ["3.%d" % minor for minor in range(6, 14)] + ["system"]


def find_pythons():
    """``{"3.8": "/root/.pyenv/versions/3.8.18/bin/python3.8", ...}``, newest patch of each minor."""
    found = {}
    for directory in sorted(glob.glob(os.path.join(PYENV_ROOT, "versions", "3.*"))):
        parts = os.path.basename(directory).split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            continue
        minor = "%s.%s" % tuple(parts[:2])
        python = os.path.join(directory, "bin", "python" + minor)
        if os.access(python, os.X_OK):
            found[minor] = python
    return found


def interpreter(interpreter_id):
    """The interpreter an INTERPRETER_IDS entry names, or None when this machine lacks it."""
    if interpreter_id == "system":
        return SYSTEM_PYTHON if os.access(SYSTEM_PYTHON, os.X_OK) else None
    return find_pythons().get(interpreter_id)


def run(argv, cwd=None, env=None, timeout=None):
    """The engine's own runner (see _runner.py), imported late: the collection path is set up by then."""
    from ansible_collections.offline.wagon.plugins.module_utils._runner import run_command

    return run_command(argv, cwd=cwd, env=env, timeout=timeout)


def base_python(venv_python=sys.executable):
    """The real interpreter behind a venv's python (what ``python -m venv`` should use)."""
    return subprocess.check_output(
        [venv_python, "-c", "import sys, os; print(os.path.realpath(sys._base_executable if hasattr(sys, '_base_executable') else sys.executable))"],
        universal_newlines=True,
    ).strip()
