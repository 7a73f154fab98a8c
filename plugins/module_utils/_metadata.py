# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""A wagon's ``package.json``: the 12 keys of Wagon 1.0 plus our own.

Wagon 1.0 readers need ``package_name``, ``supported_platform`` and ``wheels``
and ignore keys they do not know, so everything offline.wagon adds lives under
one key, :data:`EXTENSION_KEY`. Reading is tolerant of every Wagon era since
0.3: missing 1.0 keys get their 1.0 defaults and 0.x spellings are mapped.
See ``docs/format.md``.
"""

from __future__ import annotations

import json

from ansible_collections.offline.wagon.plugins.module_utils._errors import MetadataError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._naming import ArchiveName
from ansible_collections.offline.wagon.plugins.module_utils._wheel import WheelName

METADATA_FILENAME = "package.json"
EXTENSION_KEY = "offline_wagon"
EXTENSION_FORMAT = 1

WAGON_KEYS = (
    "archive_name",
    "build_server_os_properties",
    "created_by_wagon_version",
    "files",
    "package_build_tag",
    "package_name",
    "package_source",
    "package_version",
    "python_requires",
    "supported_platform",
    "supported_python_versions",
    "wheels",
)

# The Wagon version whose format we write; real wagon prints it in `show`.
WAGON_FORMAT_VERSION = "1.0.3"

_NULL_OS_PROPERTIES = {"distribution": None, "distribution_release": None, "distribution_version": None}


class WagonMetadata(object):
    """The metadata of one wagon, read from or written to ``package.json``."""

    def __init__(self, data, origin="package.json"):
        if not isinstance(data, dict):
            raise MetadataError("%s is not a JSON object" % origin)
        self.data = data
        self.origin = origin
        self._check()

    # Reading ---------------------------------------------------------------

    @classmethod
    def from_json(cls, raw, origin="package.json"):
        """Parse ``raw`` (bytes or text); raise MetadataError naming ``origin``."""
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise MetadataError("%s is not UTF-8 text" % origin)
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise MetadataError("%s is not valid JSON: %s" % (origin, error))
        return cls(data, origin)

    def _check(self):
        name = self.data.get("package_name")
        if not isinstance(name, str) or not name:
            raise MetadataError("%s has no package_name" % self.origin)
        wheels = self.data.get("wheels")
        if not isinstance(wheels, list) or not all(isinstance(w, str) for w in wheels):
            raise MetadataError("%s has no wheels list" % self.origin)
        for wheel in wheels:
            try:
                WheelName.parse(wheel)
            except WagonError as error:
                raise MetadataError("%s lists a wheel with a bad name: %s" % (self.origin, error))
        if len(set(wheels)) != len(wheels):
            raise MetadataError("%s lists a wheel twice" % self.origin)
        for key in ("files", "supported_python_versions"):
            value = self.data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise MetadataError("%s: %s is not a list of strings" % (self.origin, key))
        for filename in self.data.get("files", []):
            if "/" in filename or "\\" in filename or filename in ("", ".", ".."):
                raise MetadataError("%s lists a file with a path in it: %r" % (self.origin, filename))
        extension = self.data.get(EXTENSION_KEY, {})
        if not isinstance(extension, dict):
            raise MetadataError("%s: %s is not an object" % (self.origin, EXTENSION_KEY))
        hashes = extension.get("wheels", {})
        if not isinstance(hashes, dict):
            raise MetadataError("%s: %s.wheels is not an object" % (self.origin, EXTENSION_KEY))
        for wheel, info in hashes.items():
            if wheel not in wheels:
                raise MetadataError("%s records a hash for %s, which it does not list in wheels" % (self.origin, wheel))
            digest = info.get("sha256") if isinstance(info, dict) else None
            if not isinstance(digest, str) or len(digest) != 64:
                raise MetadataError("%s: the sha256 of %s is not a sha256" % (self.origin, wheel))

    @property
    def name(self):
        return self.data["package_name"]

    @property
    def version(self):
        return str(self.data.get("package_version") or "")

    @property
    def build_tag(self):
        # Wagon 0.8 to 0.11 read "build_tag" in one place; accept both.
        return str(self.data.get("package_build_tag", self.data.get("build_tag")) or "")

    @property
    def platform(self):
        return str(self.data.get("supported_platform") or "any")

    @property
    def python_versions(self):
        return list(self.data.get("supported_python_versions", []))

    @property
    def wheels(self):
        return list(self.data["wheels"])

    @property
    def files(self):
        return list(self.data.get("files", []))

    @property
    def archive_name(self):
        return self.data.get("archive_name") or ""

    @property
    def extension(self):
        """Our own additions (``{}`` for wagons built by the original tool)."""
        return self.data.get(EXTENSION_KEY, {})

    @property
    def wheel_hashes(self):
        """``{wheel file name: sha256}``, empty when the wagon records none."""
        return {wheel: info["sha256"] for wheel, info in self.extension.get("wheels", {}).items()}

    @property
    def file_hashes(self):
        return {name: info["sha256"] for name, info in self.extension.get("files", {}).items()}

    def to_dict(self):
        """Every key, for return values and facts (a deep copy)."""
        return json.loads(json.dumps(self.data))

    # Writing ---------------------------------------------------------------

    def to_json(self):
        """The ``package.json`` bytes, laid out exactly as Wagon 1.0 writes them.

        ``indent=4, sort_keys=True``, ASCII, no trailing newline.
        """
        return json.dumps(self.data, indent=4, sort_keys=True).encode("ascii")


def create_metadata(
    name,
    version,
    source,
    wheels,
    platform,
    python_versions,
    build_tag="",
    files=None,
    os_properties=None,
    extension=None,
):
    """Return the WagonMetadata of a new wagon.

    ``wheels`` maps each wheel file name to a dict with at least ``sha256``,
    ``size``, ``name``, ``version`` and ``requires_python``; ``files`` maps each
    extra file name to ``sha256`` and ``size``; ``extension`` holds further
    keys of our own (what built the wagon, what was excluded).
    """
    files = files or {}
    # Wagon joins a set (random order per run); we join the sorted unique values
    # so the same wheels always give the same file. The per-wheel values, with
    # their commas intact, are in our extension.
    requires = sorted({info["requires_python"] for info in wheels.values() if info.get("requires_python")})
    archive_name = ArchiveName.create(name, version, python_versions, platform, build_tag).filename
    ours = {"format": EXTENSION_FORMAT, "wheels": dict(wheels)}
    if files:
        ours["files"] = dict(files)
    ours.update(extension or {})
    data = {
        "archive_name": archive_name,
        "build_server_os_properties": dict(os_properties or _NULL_OS_PROPERTIES),
        "created_by_wagon_version": WAGON_FORMAT_VERSION,
        "files": sorted(files),
        "package_build_tag": build_tag or "",
        "package_name": name,
        "package_source": source,
        "package_version": version,
        "python_requires": ",".join(requires),
        "supported_platform": platform,
        "supported_python_versions": list(python_versions),
        "wheels": sorted(wheels),
        EXTENSION_KEY: ours,
    }
    return WagonMetadata(data)
