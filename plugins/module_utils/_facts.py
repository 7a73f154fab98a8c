# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""What wagon_facts reports: archives' metadata, and wagons installed in venvs."""

from __future__ import annotations

import os

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive
from ansible_collections.offline.wagon.plugins.module_utils._install import installed_map, read_records
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import is_venv, probe_interpreter, venv_python
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256


def archive_facts(path):
    """Return what the archive at ``path`` is: format, size, sha256 and metadata."""
    with WagonArchive(path) as archive:
        metadata = archive.read_metadata()
        archive.check_listed(metadata)
        return {
            "format": "zip" if archive.format == "zip" else "tar",
            "size": os.path.getsize(path),
            "sha256": file_sha256(path),
            "name": metadata.name,
            "version": metadata.version,
            "build_tag": metadata.build_tag,
            "platform": metadata.platform,
            "python_versions": metadata.python_versions,
            "wheels": metadata.wheels,
            "hashed": bool(metadata.wheel_hashes),
            "metadata": metadata.to_dict(),
        }


def venv_facts(venv, runner):
    """Return the venv's Python, its distributions and the wagons recorded in it.

    For each recorded wagon, ``matches`` says whether every distribution it
    installed is still there at the recorded version; ``drift`` lists those
    that are not.
    """
    if not is_venv(venv):
        return {"exists": False, "wagons": {}, "distributions": []}
    info = probe_interpreter(venv_python(venv), runner)
    installed = installed_map(info)
    wagons = {}
    for record in read_records(venv).values():
        drift = []
        for wheel in record.get("wheels", []):
            found = installed.get(canonicalize_name(wheel.get("name", "")))
            if found is None:
                drift.append("%s==%s (missing)" % (wheel.get("name"), wheel.get("version")))
            elif found[1] != wheel.get("version"):
                drift.append("%s==%s (found %s)" % (wheel.get("name"), wheel.get("version"), found[1]))
        wagons[record["name"]] = dict(record, matches=not drift, drift=drift)
    return {
        "exists": True,
        "python": {
            "executable": info.executable,
            "version": ".".join(str(part) for part in info.version),
            "description": info.describe(),
        },
        "distributions": ["%s==%s" % installed[key] for key in sorted(installed)],
        "wagons": wagons,
    }
