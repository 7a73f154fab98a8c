# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""The one family of exceptions the wagon engine raises.

Every message says what is wrong, with which file or package, and, where it
helps, what to do. Modules turn these into ``fail_json(msg=str(error))``.
"""

from __future__ import annotations

import errno
import os

# What an OSError means to someone at a host, by errno.
_OS_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "it is a directory",
    errno.ENOENT: "no such file or directory",
    errno.EEXIST: "it exists already",
    errno.EBUSY: "it is busy (a mount point or in use)",
    errno.ENOTEMPTY: "the directory is not empty",
    errno.EMFILE: "too many open files",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many symbolic links",
    errno.EXDEV: "it is on another file system",
}


class WagonError(Exception):
    """Something about a wagon, a source, a host or a command is not right."""


class ArchiveError(WagonError):
    """An archive is missing, unreadable, corrupt, truncated or hostile."""


class MetadataError(WagonError):
    """A wagon's package.json is missing, not JSON, or does not describe it."""


class IncompatibleError(WagonError):
    """A wagon does not fit the Python or platform it is meant to go into."""


class CommandError(WagonError):
    """A command the engine ran (pip, venv, python) failed."""

    def __init__(self, message, argv=None, rc=None, stdout="", stderr=""):
        super().__init__(message)
        self.argv = list(argv or [])
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


def describe_os_error(error):
    """One line for an OSError: what it means, the system's words, and where (``the disk is full (No space left on device): /x``)."""
    meaning = _OS_ERRORS.get(error.errno)
    words = error.strerror or str(error) or type(error).__name__
    text = "%s (%s)" % (meaning, words) if meaning else words
    where = [path for path in (error.filename, getattr(error, "filename2", None)) if path]
    if where:
        text += ": " + " -> ".join(os.fsdecode(path) if isinstance(path, bytes) else str(path) for path in where)
    return " ".join(text.split())
