# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Where a wagon goes: a venv, or the environment of an interpreter (PEP 668 included), and its lock."""

from __future__ import annotations

import configparser
import contextlib
import fcntl
import os
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import is_venv, probe_interpreter, venv_python
from ansible_collections.offline.wagon.plugins.module_utils._journal import pending
from ansible_collections.offline.wagon.plugins.module_utils._records import RECORD_DIRNAME, record_dir

# ``home`` holds the install records (``<home>/.offline-wagon``); ``python`` is
# the interpreter whose environment changes; ``label`` names the destination in
# messages and diffs; ``venv`` is the venv's path (None for an interpreter
# that is not a venv); ``lock`` is the path venv_lock serialises on.
Destination = namedtuple("Destination", ["home", "python", "label", "venv", "lock"])


def venv_destination(venv):
    return Destination(venv, venv_python(venv), venv, venv, venv)


def interpreter_destination(python, runner):
    """Return ``(Destination, InterpreterInfo)`` for installing into the environment of ``python``.

    The interpreter of a venv means that venv (records in ``<venv>/.offline-wagon``,
    exactly as with ``venv``). Any other interpreter keeps its records in
    ``<purelib>/.offline-wagon``, a directory pip and the import system ignore.
    """
    info = probe_interpreter(python, runner)
    if info.in_venv and info.prefix and is_venv(info.prefix):
        return venv_destination(info.prefix), info
    if not info.purelib:
        raise WagonError("%s reports no site-packages directory (sysconfig purelib): nowhere to install" % python)
    records = record_dir(info.purelib)
    return Destination(info.purelib, python, python, None, records), info


def _only_our_leftovers(venv):
    """True when ``venv`` holds nothing but what a killed creation of ours left (its record directory)."""
    return os.listdir(venv) == [RECORD_DIRNAME]


def inspect_venv(venv, runner, creating_python=None):
    """Return ``(exists, info)`` for ``venv``.

    ``info`` describes the venv's Python when it exists, else the Python that
    would create it (``creating_python``). Raise WagonError when the path
    cannot be a venv (a file, a non-empty directory without pyvenv.cfg).
    """
    if os.path.isfile(venv) or (os.path.lexists(venv) and not os.path.isdir(venv)):
        raise WagonError("venv path %s exists and is not a directory" % venv)
    if is_venv(venv):
        return True, probe_interpreter(venv_python(venv), runner)
    if os.path.isdir(venv) and os.listdir(venv) and not _only_our_leftovers(venv) and not pending(record_dir(venv)):
        raise WagonError("venv path %s is a non-empty directory that is not a virtualenv (no pyvenv.cfg)" % venv)
    if not creating_python:
        raise WagonError("venv %s does not exist and no venv_python was given to create it" % venv)
    return False, probe_interpreter(creating_python, runner)


def externally_managed_error(info):
    """The refusal for an interpreter whose environment is externally managed (PEP 668), quoting its marker."""
    marker = os.path.join(info.stdlib or "", "EXTERNALLY-MANAGED")
    text = ""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(marker, encoding="utf-8")
        text = parser.get("externally-managed", "Error", fallback="")
    except (configparser.Error, OSError, UnicodeDecodeError):
        pass
    text = " ".join(text.split())
    return WagonError(
        "refusing to install into %s: its environment is externally managed (PEP 668 marker %s)%s; "
        "install into a virtualenv (option venv), or set break_system_packages=true to change it anyway"
        % (info.executable, marker, (': "%s"' % text) if text else "")
    )


@contextlib.contextmanager
def venv_lock(venv):
    """Hold an exclusive lock for changes to ``venv``.

    The lock is taken on the venv's parent directory, which exists before and
    after the venv (so creation is serialised too) and needs no lock file.
    The kernel drops it when the process dies, however it dies.
    """
    parent = os.path.dirname(os.path.abspath(venv)) or "/"
    if not os.path.isdir(parent):
        os.makedirs(parent, 0o755)
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
