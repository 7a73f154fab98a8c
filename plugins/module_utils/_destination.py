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
import time
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import is_venv, probe_interpreter, venv_python
from ansible_collections.offline.wagon.plugins.module_utils._journal import pending
from ansible_collections.offline.wagon.plugins.module_utils._records import RECORD_DIRNAME, record_dir

# ``home`` holds the install records (``<home>/.offline-wagon``); ``python`` is
# the interpreter whose environment changes; ``label`` names the destination in
# messages and diffs; ``venv`` is the venv's path (None for an interpreter
# that is not a venv); ``lock`` is the directory venv_lock locks (the venv, or
# the interpreter's site-packages).
Destination = namedtuple("Destination", ["home", "python", "label", "venv", "lock"])

# Linux's limits: a path, and one name in it.
_PATH_MAX, _NAME_MAX = 4096, 255


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
    return Destination(info.purelib, python, python, None, info.purelib), info


def _only_our_leftovers(venv):
    """True when ``venv`` holds nothing but what a killed creation of ours left (its record directory)."""
    return os.listdir(venv) == [RECORD_DIRNAME]


def check_venv_path(venv):
    """Raise WagonError when ``venv`` cannot be a venv: not a path, a file, a non-empty directory without pyvenv.cfg."""
    if not venv or not venv.strip() or "\x00" in venv:
        raise WagonError("venv %r is not a path: give the directory of the virtualenv" % venv)
    if len(os.fsencode(venv)) >= _PATH_MAX or any(len(os.fsencode(part)) > _NAME_MAX for part in venv.split(os.sep)):
        raise WagonError("venv path %s... is too long for a file system path" % venv[:60])
    if os.path.isfile(venv) or (os.path.lexists(venv) and not os.path.isdir(venv)):
        raise WagonError("venv path %s exists and is not a directory" % venv)
    if is_venv(venv):
        return
    if os.path.isdir(venv) and os.listdir(venv) and not _only_our_leftovers(venv) and not pending(record_dir(venv)):
        raise WagonError("venv path %s is a non-empty directory that is not a virtualenv (no pyvenv.cfg)" % venv)


def inspect_venv(venv, runner, creating_python=None):
    """Return ``(exists, info)`` for ``venv``.

    ``info`` describes the venv's Python when it exists, else the Python that
    would create it (``creating_python``). Raise WagonError when the path
    cannot be a venv (a file, a non-empty directory without pyvenv.cfg).
    """
    check_venv_path(venv)
    if is_venv(venv):
        return True, probe_interpreter(venv_python(venv), runner)
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


DEFAULT_LOCK_TIMEOUT = 60
_LOCK_POLL = 0.05


@contextlib.contextmanager
def venv_lock(directory, timeout=DEFAULT_LOCK_TIMEOUT):
    """Hold the exclusive lock of one destination (its ``directory``: the venv, or an interpreter's site-packages).

    The lock is a ``flock`` on the directory itself, so installs into sibling
    venvs never wait for each other, and the kernel drops it when the holder
    dies, however it dies. A venv that does not exist yet is made empty to be
    locked (``python -m venv`` fills an empty directory); it is removed again
    on the way out if nothing was put into it. Yield whether the directory
    was made here. Wait at most ``timeout`` seconds, then raise WagonError
    naming the holder.
    """
    deadline = time.monotonic() + max(timeout, 0)
    while True:
        made = _make_missing_dir(directory)
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            _wait_for_lock(fd, directory, deadline, timeout)
            # A holder that removed the directory (a rollback of its creation)
            # leaves us the lock of a directory that is no longer there: again.
            if _same_file(fd, directory):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield made
    finally:
        try:
            if made and os.path.isdir(directory) and not os.listdir(directory):
                os.rmdir(directory)
        finally:
            os.close(fd)


def _make_missing_dir(directory):
    """Make ``directory`` (and its missing parents); return whether ``directory`` itself was made here."""
    if os.path.isdir(directory):
        return False
    missing, parent = [], os.path.dirname(os.path.abspath(directory))
    while not os.path.isdir(parent):  # not os.makedirs: it recurses once per level
        missing.append(parent)
        parent = os.path.dirname(parent)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            pass
    try:
        os.mkdir(directory, 0o755)
    except FileExistsError:
        return False  # another install made it first
    return True


def _same_file(fd, path):
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _wait_for_lock(fd, directory, deadline, timeout):
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WagonError(
                    "%s is locked by another install%s, which did not finish within %s seconds (lock_timeout): "
                    "nothing was changed; wait for it, or stop it if it is stuck"
                    % (directory, _describe_holder(fd), timeout)
                )
            time.sleep(_LOCK_POLL)


def _describe_holder(fd):
    """`` (pid N, <its name>)`` of the process holding the flock on ``fd``, from /proc/locks (Linux); else ``""``.

    The name is the kernel's short one (/proc/N/comm), never the command
    line, which may span lines or carry another process's secrets.
    """
    status = os.fstat(fd)
    device = "%02x:%02x:%d" % (os.major(status.st_dev), os.minor(status.st_dev), status.st_ino)
    try:
        with open("/proc/locks") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return ""
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4242 00:2b:1234 0 EOF"; waiters' lines have "->" after the number.
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == device:
            pid = fields[4]
            try:
                with open("/proc/%s/comm" % pid, "rb") as stream:
                    name = stream.read().decode("utf-8", "replace")
            except OSError:
                name = ""
            name = "".join(c for c in name if c.isprintable()).strip()
            return " (pid %s%s)" % (pid, ", " + name if name else "")
    return ""
