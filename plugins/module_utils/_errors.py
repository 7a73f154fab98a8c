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
