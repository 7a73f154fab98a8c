# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What "left as it was" means in the tests: every file and link under a directory."""

from __future__ import annotations

import hashlib
import os


def tree_state(path, ignore=()):
    """``{relative path: sha256 of the file, or "-> target" for a symlink}`` for everything under ``path``.

    Directories named in ``ignore`` (e.g. ``__pycache__``) are skipped.
    """
    path = str(path)
    state = {}
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d not in ignore]
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            full = os.path.join(root, name)
            if os.path.islink(full):
                state[os.path.relpath(full, path)] = "-> " + os.readlink(full)
            else:
                with open(full, "rb") as stream:
                    state[os.path.relpath(full, path)] = hashlib.sha256(stream.read()).hexdigest()
    return state
