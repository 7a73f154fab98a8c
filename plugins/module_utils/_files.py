# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""A wagon's extra files (``<top>/files/``) placed in a directory on the host: Wagon's ``get-file``, idempotent.

A file is written when it is missing there or holds other bytes than the
wagon's (by sha256: the one the metadata records, else the archive member's
own); one already in place is left alone. Each file is extracted into a
private directory inside the destination, hash-checked, then renamed over
its name, so a reader never sees half a file. Nothing else in the directory
is touched, and ``state=absent`` leaves the files where they are (they may
have been edited since; they are configuration, not code).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError, describe_os_error
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256

# ``place``: names to write (missing, or other bytes); ``keep``: names already in place.
FilesPlan = namedtuple("FilesPlan", ["dest", "place", "keep"])

_FILE_MODE = 0o644


def plan_files(metadata, dest, archive=None):
    """The FilesPlan for ``metadata``'s extra files in ``dest`` (``archive`` gives digests the metadata lacks)."""
    hashes = metadata.file_hashes
    place, keep = [], []
    for name in metadata.files:
        target = os.path.join(dest, name)
        expected = hashes.get(name) or (archive.member_sha256("files", name) if archive is not None else None)
        try:
            regular = stat.S_ISREG(os.lstat(target).st_mode)
        except OSError:
            regular = False
        if regular and expected and file_sha256(target) == expected:
            keep.append(name)
        else:
            place.append(name)
    return FilesPlan(dest, place, keep)


def place_files(archive, metadata, plan):
    """Write ``plan.place`` from ``archive`` into ``plan.dest``; raise WagonError, in one line, when that fails."""
    if not plan.place:
        return
    try:
        if not os.path.isdir(plan.dest):
            os.makedirs(plan.dest, 0o755)
        scratch = tempfile.mkdtemp(prefix=".offline-wagon-files-", dir=plan.dest)
        try:
            extracted = archive.extract("files", plan.place, scratch, metadata.file_hashes)
            for name in plan.place:
                os.chmod(extracted[name], _FILE_MODE)
                os.replace(extracted[name], os.path.join(plan.dest, name))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except OSError as error:
        raise WagonError("placing the wagon's files in %s failed: %s" % (plan.dest, describe_os_error(error)))


def files_diff(plan):
    """Diff lines (one per file of the wagon) before and after, for ``--diff``."""
    before = "".join(
        "%s\n" % (name if name in plan.keep else "%s (other content)" % name)
        for name in sorted(plan.keep + plan.place) if os.path.lexists(os.path.join(plan.dest, name))
    )
    after = "".join("%s\n" % name for name in sorted(plan.keep + plan.place))
    return dict(before_header="%s (files)" % plan.dest, after_header="%s (files after install)" % plan.dest,
                before=before, after=after)
