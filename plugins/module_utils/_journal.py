# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""A write-ahead journal: how a failed or killed install leaves the destination as it was.

Every change the installer makes goes through a :class:`Journal`, which
writes a line to its log *before* the change: a file about to be created, a
directory about to be made or removed, a file about to be set aside (moved
into the journal's backup directory rather than deleted or overwritten), a
venv about to be created. :meth:`Journal.rollback` undoes the lines in
reverse; :meth:`Journal.commit` drops the backups.

The log is written with ``os.write`` on an unbuffered descriptor, so each
line is in the kernel before the change it announces: a process killed with
SIGKILL at any moment leaves a log that the next run replays
(:func:`recover`) before it looks at the destination. Power loss is not
covered (there is no fsync per line: it would cost more than the install).
"""

from __future__ import annotations

import errno
import json
import os
import shutil

JOURNAL_DIRNAME = "transaction"
_LOG = "log"
_BACKUP = "backup"


class Journal(object):
    """An open transaction on one destination; its files live in ``directory``."""

    def __init__(self, directory, fd):
        self.directory = directory
        self._fd = fd
        self._count = 0

    @classmethod
    def begin(cls, records_dir):
        """Start a transaction in ``records_dir`` (``<home>/.offline-wagon``), made if missing."""
        if not os.path.isdir(records_dir):
            os.makedirs(records_dir, 0o755)
        directory = os.path.join(records_dir, JOURNAL_DIRNAME)
        os.mkdir(directory, 0o700)
        os.mkdir(os.path.join(directory, _BACKUP), 0o700)
        fd = os.open(os.path.join(directory, _LOG), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return cls(directory, fd)

    def _log(self, *entry):
        os.write(self._fd, (json.dumps(list(entry)) + "\n").encode("utf-8"))

    # What the installer announces ------------------------------------------------

    def venv_created(self, venv, was_empty_dir):
        """``venv`` is about to be made: a rollback removes it (or empties it again)."""
        self._log("venv", venv, was_empty_dir)

    def make_dirs(self, directory):
        """Make ``directory`` and its missing parents, each one logged."""
        missing = []
        while directory and not os.path.isdir(directory):
            missing.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        for path in reversed(missing):
            self._log("mkdir", path)
            try:
                os.mkdir(path)  # the umask decides the mode, as with pip
            except OSError as error:
                if error.errno != errno.EEXIST:
                    raise

    def new_file(self, path):
        """``path`` is about to be written from nothing; whatever is there now is set aside first."""
        if os.path.lexists(path):
            self.set_aside(path)
        self.make_dirs(os.path.dirname(path))
        self._log("create", path)

    def set_aside(self, path):
        """Move the file ``path`` out of the way (into the backup); a rollback puts it back."""
        self._count += 1
        backup = os.path.join(self.directory, _BACKUP, str(self._count))
        self._log("aside", path, backup)
        _move(path, backup)

    def remove_dir(self, path):
        """Remove the empty directory ``path``; a rollback makes it again."""
        self._log("rmdir", path)
        os.rmdir(path)

    # Ending ---------------------------------------------------------------------------

    def commit(self):
        """Keep every change: drop the log (the commit point), then the backups."""
        os.close(self._fd)
        self._fd = None
        # Once the log is gone nothing can be undone, whatever order rmtree
        # then takes the backups in, and wherever a kill stops it.
        os.unlink(os.path.join(self.directory, _LOG))
        shutil.rmtree(self.directory, ignore_errors=True)

    def rollback(self):
        """Undo every change, newest first, then remove the journal."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        replay(self.directory)


def pending(records_dir):
    """The directory of an unfinished transaction in ``records_dir`` (a log to undo, or a commit's leftovers), or None."""
    directory = os.path.join(records_dir, JOURNAL_DIRNAME)
    return directory if os.path.isdir(directory) else None


def interrupted(records_dir):
    """True when a run was killed with changes to undo in ``records_dir`` (a log with lines in it)."""
    try:
        return os.path.getsize(os.path.join(records_dir, JOURNAL_DIRNAME, _LOG)) > 0
    except OSError:
        return False


def begins_with_venv(records_dir):
    """True when the unfinished transaction in ``records_dir`` created its venv (undoing it removes the venv)."""
    entries = _entries(os.path.join(records_dir, JOURNAL_DIRNAME))
    return bool(entries) and entries[0][1][0] == "venv"


def recover(records_dir):
    """Undo an unfinished transaction in ``records_dir``, if there is one; return whether that changed anything."""
    directory = pending(records_dir)
    if directory is None:
        return False
    return replay(directory)


def _entries(directory):
    """``[(offset, entry)]`` of the log in ``directory``; a torn last line is left out."""
    entries = []
    offset = 0
    try:
        with open(os.path.join(directory, _LOG), "rb") as stream:
            for line in stream:
                if not line.endswith(b"\n"):
                    break
                try:
                    entries.append((offset, json.loads(line.decode("utf-8"))))
                except ValueError:
                    break
                offset += len(line)
    except OSError:
        pass
    return entries


def replay(directory):
    """Undo the log in ``directory`` newest line first, then remove ``directory``; return whether anything changed.

    After each line is undone the log is cut before it, so a replay that is
    itself killed resumes where it stopped and never undoes a line twice (a
    replaced file's "aside" puts the old file back after its "create" took the
    new one away; undoing that "create" again would take the old one). A line
    whose change never happened (the process died between writing the line and
    acting on it) finds nothing to undo.
    """
    log = os.path.join(directory, _LOG)
    changed = False
    for offset, entry in reversed(_entries(directory)):
        kind = entry[0]
        if kind == "venv":
            changed = _undo_venv(entry[1], entry[2]) or changed
            # The journal lived inside the venv and is gone with it.
            return changed
        changed = _undo(kind, entry) or changed
        os.truncate(log, offset)
    shutil.rmtree(directory, ignore_errors=True)
    return changed


def _undo(kind, entry):
    """Undo one log line; return whether the file system changed."""
    path = entry[1]
    if kind == "create":
        found = False
        if path.endswith(".pyc"):
            # py_compile writes <name>.pyc.<number> and renames it: a kill
            # in between leaves that temporary file.
            head, tail = os.path.split(path)
            for name in _listdir(head):
                if name.startswith(tail + ".") and name[len(tail) + 1:].isdigit():
                    os.unlink(os.path.join(head, name))
                    found = True
        if os.path.lexists(path) and not os.path.isdir(path):
            os.unlink(path)
            found = True
        return found
    if kind == "aside":
        backup = entry[2]
        if not os.path.lexists(backup):
            return False
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent)
        if os.path.lexists(path) and not os.path.isdir(path):
            os.unlink(path)
        _move(backup, path)
        return True
    if kind == "mkdir":
        try:
            os.rmdir(path)
        except OSError:
            return False  # gone already, or not empty: something else lives there now
        return True
    if kind == "rmdir":
        if os.path.isdir(path):
            return False
        os.makedirs(path)
        return True
    return False


def _move(source, target):
    """Rename the file ``source`` to ``target``; across file systems (a scripts directory mounted elsewhere), copy then remove."""
    try:
        os.rename(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        shutil.copy2(source, target, follow_symlinks=False)
        os.unlink(source)


def _listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def _removal_name(venv):
    """Where a venv being removed by a rollback is moved first (so a kill never leaves half a venv in its place)."""
    head, tail = os.path.split(os.path.normpath(venv))
    return os.path.join(head, ".%s.offline-wagon-removing" % tail)


def half_removed_venv(venv):
    """True when a rollback that removed ``venv`` was killed before the venv moved aside was gone."""
    return os.path.lexists(_removal_name(venv))


def drop_half_removed_venv(venv):
    """Finish removing what :func:`half_removed_venv` found (outside the venv, so no journal of its own)."""
    shutil.rmtree(_removal_name(venv), ignore_errors=True)


def _undo_venv(venv, was_empty_dir):
    if not os.path.lexists(venv):
        return False
    aside = _removal_name(venv)
    shutil.rmtree(aside, ignore_errors=True)
    os.rename(venv, aside)
    if was_empty_dir:
        os.mkdir(venv)
    shutil.rmtree(aside, ignore_errors=True)
    return True
