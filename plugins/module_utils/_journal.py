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
                os.mkdir(path, 0o755)
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
        try:
            os.rename(path, backup)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            # Another file system (a scripts directory mounted elsewhere): copy, then remove.
            shutil.copy2(path, backup, follow_symlinks=False)
            os.unlink(path)

    def remove_dir(self, path):
        """Remove the empty directory ``path``; a rollback makes it again."""
        self._log("rmdir", path)
        os.rmdir(path)

    # Ending ---------------------------------------------------------------------------

    def commit(self):
        """Keep every change: drop the backups and the log."""
        os.close(self._fd)
        self._fd = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def rollback(self):
        """Undo every change, newest first, then remove the journal."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        replay(self.directory)


def pending(records_dir):
    """The directory of an interrupted transaction in ``records_dir``, or None."""
    directory = os.path.join(records_dir, JOURNAL_DIRNAME)
    return directory if os.path.isdir(directory) else None


def recover(records_dir):
    """Undo an interrupted transaction in ``records_dir``, if there is one; return whether there was."""
    directory = pending(records_dir)
    if directory is None:
        return False
    replay(directory)
    return True


def replay(directory):
    """Undo the log in ``directory`` newest line first, then remove ``directory``.

    A line whose change never happened (the process died between writing the
    line and acting on it) finds nothing to undo and is passed over; a torn
    last line is ignored.
    """
    entries = []
    try:
        with open(os.path.join(directory, _LOG), encoding="utf-8") as stream:
            for line in stream:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    break
    except OSError:
        pass
    for entry in reversed(entries):
        kind = entry[0]
        if kind == "venv":
            _undo_venv(entry[1], entry[2])
            # The journal lived inside the venv: nothing else to undo.
            return
        if kind == "create":
            if os.path.lexists(entry[1]) and not os.path.isdir(entry[1]):
                os.unlink(entry[1])
        elif kind == "aside":
            path, backup = entry[1], entry[2]
            if os.path.lexists(backup):
                parent = os.path.dirname(path)
                if not os.path.isdir(parent):
                    os.makedirs(parent, 0o755)
                if os.path.lexists(path) and not os.path.isdir(path):
                    os.unlink(path)
                os.rename(backup, path)
        elif kind == "mkdir":
            try:
                os.rmdir(entry[1])
            except OSError:
                pass  # not empty: something else lives there now
        elif kind == "rmdir":
            if not os.path.isdir(entry[1]):
                os.makedirs(entry[1], 0o755)
    shutil.rmtree(directory, ignore_errors=True)


def _undo_venv(venv, was_empty_dir):
    shutil.rmtree(venv, ignore_errors=True)
    if was_empty_dir:
        os.mkdir(venv)
