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
import re

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


# What each text field may hold. A distribution name is PEP 508's; versions,
# tags to letters, digits and . _ - (+ ! in versions); specifiers to one
# line of printable ASCII; file names are plain names of a sane length.
# (\Z, not $: $ also matches before a final newline.)
DISTRIBUTION_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,198}[A-Za-z0-9])?\Z")
_VERSION_TEXT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,99}\Z")
_TAG_TEXT = re.compile(r"^[A-Za-z0-9_.-]{1,200}\Z")
_SPECIFIER_TEXT = re.compile(r"^[\x20-\x7e]{0,500}\Z")
_WHEEL_FILENAME = re.compile(r"^[A-Za-z0-9_.!+-]{1,251}\.whl\Z")
_PLAIN_FILENAME = re.compile(r"^(?!\.{1,2}$)[^/\\\x00-\x1f\x7f]{1,255}\Z")
_HEX64 = re.compile(r"^[0-9a-f]{64}\Z")


def _shown(value):
    """``value`` for a message: repr, cut short, so a hostile string cannot spill lines or flood."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _one_line_text(text):
    return "\n" not in text and "\r" not in text and "\x00" not in text and len(text) <= 10000


def _check_text(origin, key, value, pattern, what):
    if not isinstance(value, str) or not pattern.match(value):
        raise MetadataError("%s: %s is %s, which is not %s" % (origin, key, _shown(value), what))


def _check_file_name(origin, key, value, pattern):
    if not pattern.match(value):
        raise MetadataError("%s: %s names %s, which is not a plain file name" % (origin, key, _shown(value)))


def _check_digested(origin, where, info):
    """``info`` is ``{"sha256": 64 hex digits[, "size": int >= 0], ...}``."""
    if not isinstance(info, dict) or not isinstance(info.get("sha256"), str) or not _HEX64.match(info["sha256"]):
        raise MetadataError("%s: the sha256 of %s is not a sha256 (64 lowercase hex digits)" % (origin, where))
    size = info.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise MetadataError("%s: the size of %s is not a byte count" % (origin, where))


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
        except RecursionError:
            raise MetadataError("%s is not usable JSON: it is nested too deep" % origin)
        return cls(data, origin)

    def _check(self):
        """Refuse metadata that is not what each key may be, so nothing downstream sees a hostile value.

        Names and versions become file names (install records) and lines of
        text (messages, RECORD, diffs): they are held to what packaging allows.
        """
        data, origin = self.data, self.origin
        name = data.get("package_name")
        if not isinstance(name, str) or not name:
            raise MetadataError("%s has no package_name" % origin)
        _check_text(origin, "package_name", name, DISTRIBUTION_NAME, "a distribution name (letters, digits, . _ -)")
        for key in ("package_version", "package_build_tag", "build_tag"):
            if data.get(key) not in (None, ""):
                _check_text(origin, key, data[key], _VERSION_TEXT, "a version (no spaces, slashes or separators)")
        if data.get("supported_platform") not in (None, ""):
            _check_text(origin, "supported_platform", data["supported_platform"], _TAG_TEXT, "a platform tag")
        for key in ("archive_name", "package_source", "python_requires", "created_by_wagon_version"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise MetadataError("%s: %s is not a string" % (origin, key))
        if not isinstance(data.get("build_server_os_properties", {}), (dict, type(None))):
            raise MetadataError("%s: build_server_os_properties is not an object" % origin)
        wheels = data.get("wheels")
        if not isinstance(wheels, list) or not all(isinstance(w, str) for w in wheels):
            raise MetadataError("%s has no wheels list (of file names)" % origin)
        for wheel in wheels:
            _check_file_name(origin, "wheels", wheel, _WHEEL_FILENAME)
            try:
                WheelName.parse(wheel)
            except WagonError as error:
                raise MetadataError("%s lists a wheel with a bad name: %s" % (origin, error))
        if len(set(wheels)) != len(wheels):
            raise MetadataError("%s lists a wheel twice" % origin)
        for key in ("files", "supported_python_versions"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise MetadataError("%s: %s is not a list of strings" % (origin, key))
        for label in data.get("supported_python_versions", []):
            _check_text(origin, "supported_python_versions", label, _TAG_TEXT, "a Python label such as py311")
        for filename in data.get("files", []):
            _check_file_name(origin, "files", filename, _PLAIN_FILENAME)
        extension = data.get(EXTENSION_KEY, {})
        if not isinstance(extension, dict):
            raise MetadataError("%s: %s is not an object" % (origin, EXTENSION_KEY))
        self._check_extension(extension, wheels)

    def _check_extension(self, extension, wheels):
        origin = self.origin
        hashes = extension.get("wheels", {})
        if not isinstance(hashes, dict):
            raise MetadataError("%s: %s.wheels is not an object" % (origin, EXTENSION_KEY))
        for wheel, info in hashes.items():
            if wheel not in wheels:
                raise MetadataError("%s records a hash for %r, which it does not list in wheels" % (origin, wheel))
            where = "%s.wheels[%s]" % (EXTENSION_KEY, wheel)
            _check_digested(origin, where, info)
            if info.get("name") is not None:
                _check_text(origin, where + ".name", info["name"], DISTRIBUTION_NAME, "a distribution name")
            if info.get("version") is not None:
                _check_text(origin, where + ".version", info["version"], _VERSION_TEXT, "a version")
            if info.get("requires_python") is not None:
                _check_text(origin, where + ".requires_python", info["requires_python"], _SPECIFIER_TEXT,
                            "a version specifier such as >=3.8")
            requires = info.get("requires_dist")
            if requires is not None and not (
                isinstance(requires, list) and all(isinstance(r, str) and _one_line_text(r) for r in requires)
            ):
                raise MetadataError("%s: %s.requires_dist is not a list of requirement lines" % (origin, where))
        files = extension.get("files", {})
        if not isinstance(files, dict):
            raise MetadataError("%s: %s.files is not an object" % (origin, EXTENSION_KEY))
        for filename, info in files.items():
            _check_file_name(origin, EXTENSION_KEY + ".files", filename, _PLAIN_FILENAME)
            _check_digested(origin, "%s.files[%s]" % (EXTENSION_KEY, filename), info)
        excluded = extension.get("excluded", [])
        if not isinstance(excluded, list) or not all(isinstance(e, str) and DISTRIBUTION_NAME.match(e) for e in excluded):
            raise MetadataError("%s: %s.excluded is not a list of distribution names" % (origin, EXTENSION_KEY))

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
