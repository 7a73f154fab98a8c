# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Install records: what each wagon installed in a destination, and what it owns there.

One JSON file per wagon, ``<home>/.offline-wagon/<canonical name>.json``.
Besides the wagon's identity and wheels, ``distributions`` says for each
distribution of the wagon how it came to be there:

- ``added``: this wagon installed it where there was none; ``absent`` may remove it.
- ``found``: it was there already at the wanted version; it is never removed.
- ``replaced``: another version (``replaced_version``) was there and this wagon
  changed it; that version cannot be brought back offline, so it is never
  removed either.

Records written before ownership was recorded have no ``distributions``:
every distribution of theirs counts as ``found`` (kept), since nobody knows.
"""

from __future__ import annotations

import datetime
import json
import os

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._metadata import DISTRIBUTION_NAME
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name

RECORD_DIRNAME = ".offline-wagon"

ADDED, FOUND, REPLACED = "added", "found", "replaced"


def record_dir(home):
    return os.path.join(home, RECORD_DIRNAME)


def record_path(home, name):
    """The record file of the wagon ``name``: a plain file name inside the record directory, whatever ``name`` is."""
    if not isinstance(name, str) or not DISTRIBUTION_NAME.match(name):
        raise WagonError("%r is not a distribution name: no install record can be named after it" % (name,))
    return os.path.join(record_dir(home), canonicalize_name(name) + ".json")


def read_records(home):
    """Return ``{canonical name: record}`` for every wagon recorded in ``home``.

    Unreadable records are skipped: they describe nothing we can trust.
    """
    records = {}
    directory = record_dir(home)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return records
    for filename in names:
        if not filename.endswith(".json"):
            continue
        try:
            with open(os.path.join(directory, filename)) as stream:
                record = json.load(stream)
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("name"), str):
            records[canonicalize_name(record["name"])] = record
    return records


def owned_distributions(record):
    """``{canonical: {"name", "version", "ownership"[, "replaced_version"]}}`` of ``record``."""
    if not record:
        return {}
    recorded = record.get("distributions")
    if isinstance(recorded, dict):
        return {canonicalize_name(key): dict(value) for key, value in recorded.items() if isinstance(value, dict)}
    return {
        canonicalize_name(w.get("name") or ""): {"name": w.get("name"), "version": w.get("version"), "ownership": FOUND}
        for w in record.get("wheels", [])
        if w.get("name")
    }


def record_identity(record):
    """What makes two records describe the same installed wagon."""
    return (
        record.get("name"), record.get("version"), record.get("build_tag"), record.get("target"),
        sorted((w.get("filename"), w.get("sha256")) for w in record.get("wheels", [])),
        sorted((key, sorted(value.items())) for key, value in owned_distributions(record).items()),
    )


def new_record(metadata, wheels, archive_path, archive_sha256, distributions=None, target=None):
    record = {
        "name": metadata.name,
        "version": metadata.version,
        "build_tag": metadata.build_tag,
        "platform": metadata.platform,
        "python_versions": list(metadata.python_versions),
        "archive": archive_path,
        "archive_sha256": archive_sha256,
        "wheels": [
            {"filename": w.filename, "name": w.name, "version": w.version, "sha256": w.sha256} for w in wheels
        ],
        "distributions": distributions or {},
    }
    if target:
        record["target"] = target
    return record


def write_record(home, record, journal):
    """Write ``record`` (stamped with the time) through ``journal``."""
    directory = record_dir(home)
    journal.make_dirs(directory)
    stamped = dict(record, installed_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    target = record_path(home, record["name"])
    journal.new_file(target)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w") as stream:
        json.dump(stamped, stream, indent=2, sort_keys=True)


def remove_record(home, name, journal):
    path = record_path(home, name)
    if os.path.lexists(path):
        journal.set_aside(path)
