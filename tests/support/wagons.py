# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wagons made straight from wheel files, with no build and no package index, and what one left in a venv.

- make_wagon: a hash-pinned wagon of the given wheels (the first is the main package).
- bundled_pip_wheel: the pip wheel a Python ships for ensurepip (no network needed).
- record_problems: every file a distribution's RECORD names that is missing or has other bytes.
"""

from __future__ import annotations

import base64
import csv
import glob
import hashlib
import os

from ansible_collections.offline.wagon.plugins.module_utils._archive import write_archive
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256, read_wheel_metadata


def make_wagon(directory, wheels, name=None, version=None, hashes=True, archive_format="zip", overrides=None, files=None):
    """Write a wagon of the wheel paths ``wheels`` into ``directory``; return its path.

    The first wheel is the main package (``name`` and ``version`` override
    it). The wagon records every wheel's sha256 and Requires-Dist, as
    wagon_build does, unless ``hashes`` is false (then it is shaped like the
    original tool's: no ``offline_wagon`` key). ``overrides`` replaces the
    recorded facts of wheels by file name. ``files`` maps extra file names to
    paths (the wagon's ``files/``).
    """
    infos = {}
    for path in wheels:
        meta = read_wheel_metadata(path)
        infos[os.path.basename(path)] = {
            "sha256": file_sha256(path), "size": os.path.getsize(path),
            "name": meta.name, "version": meta.version, "requires_python": meta.requires_python,
            "requires_dist": list(meta.requires_dist),
        }
    infos.update(overrides or {})
    main = read_wheel_metadata(wheels[0])
    files = files or {}
    file_infos = {name: {"sha256": file_sha256(path), "size": os.path.getsize(path)} for name, path in files.items()}
    metadata = create_metadata(name or main.name, version or main.version, "test", infos, "any", ["py3"], files=file_infos)
    if not hashes:
        metadata.data.pop("offline_wagon")
    path = os.path.join(str(directory), metadata.archive_name)
    write_archive(path, metadata.name, metadata.to_json(), {os.path.basename(w): w for w in wheels},
                  files=files, archive_format=archive_format)
    return path


def bundled_pip_wheel(python):
    """The pip wheel that the Python at ``python`` bundles for ensurepip (the newest, if several); None if none."""
    base = os.path.dirname(os.path.dirname(os.path.realpath(python)))
    found = glob.glob(os.path.join(base, "lib", "python3*", "ensurepip", "_bundled", "pip-*.whl"))

    def version(path):
        return tuple(int(part) for part in os.path.basename(path).split("-")[1].split(".") if part.isdigit())

    return max(found, key=version) if found else None


def record_problems(dist_info):
    """What is wrong with the files the RECORD in ``dist_info`` names: missing ones, and ones whose hash differs.

    Each problem is a sentence; an empty list means every recorded file is there with its recorded bytes.
    """
    base = os.path.dirname(dist_info)
    problems = []
    with open(os.path.join(dist_info, "RECORD"), encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.reader(stream) if row]
    for row in rows:
        path = os.path.normpath(os.path.join(base, row[0]))
        if not os.path.isfile(path):
            problems.append("%s is missing" % row[0])
            continue
        if len(row) > 1 and row[1].startswith("sha256="):
            with open(path, "rb") as stream:
                digest = base64.urlsafe_b64encode(hashlib.sha256(stream.read()).digest()).rstrip(b"=").decode("ascii")
            if "sha256=" + digest != row[1]:
                problems.append("%s has sha256=%s, RECORD says %s" % (row[0], digest, row[1]))
    return problems
