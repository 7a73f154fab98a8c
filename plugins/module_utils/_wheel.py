# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Wheel files: their names, their tags, their metadata, their hashes."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections import namedtuple
from email.parser import HeaderParser

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name

_CHUNK = 1024 * 1024


class WheelName(
    namedtuple("WheelName", ["filename", "name", "version", "build", "python_tags", "abi_tags", "platform_tags"])
):
    """The fields of a wheel file name (PEP 427), tag sets expanded."""

    __slots__ = ()

    @classmethod
    def parse(cls, filename):
        """Parse ``filename``; raise WagonError when it is not a wheel name."""
        if not filename.endswith(".whl") or "/" in filename or "\\" in filename:
            raise WagonError("%r is not a wheel file name" % filename)
        fields = filename[:-4].split("-")
        if len(fields) == 5:
            name, version, python, abi, platform = fields
            build = ""
        elif len(fields) == 6:
            name, version, build, python, abi, platform = fields
            if not build[:1].isdigit():
                raise WagonError("%r is not a wheel file name: its build tag must start with a digit" % filename)
        else:
            raise WagonError("%r is not a wheel file name (NAME-VERSION[-BUILD]-PY-ABI-PLATFORM.whl)" % filename)
        if not all((name, version, python, abi, platform)):
            raise WagonError("%r is not a wheel file name: a field is empty" % filename)
        return cls(
            filename, name, version, build,
            tuple(python.split(".")), tuple(abi.split(".")), tuple(platform.split(".")),
        )

    @property
    def canonical_name(self):
        return canonicalize_name(self.name)

    @property
    def tags(self):
        """Every ``python-abi-platform`` tag this wheel carries, as a frozenset of strings."""
        return frozenset(
            "%s-%s-%s" % (python, abi, platform)
            for python in self.python_tags
            for abi in self.abi_tags
            for platform in self.platform_tags
        )

    @property
    def is_pure(self):
        """True when the wheel runs on any platform (its only platform tag is ``any``)."""
        return self.platform_tags == ("any",)


WheelMetadata = namedtuple("WheelMetadata", ["name", "version", "requires_python", "license", "requires_dist"])


def read_wheel_metadata(path):
    """Return the core metadata of the wheel at ``path`` (its ``.dist-info/METADATA``).

    Raise WagonError when the file is not a wheel or has no readable metadata.
    """
    try:
        with zipfile.ZipFile(path) as wheel:
            candidates = [
                n for n in wheel.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            if len(candidates) != 1:
                raise WagonError("wheel %s has %d .dist-info/METADATA files, expected one" % (path, len(candidates)))
            raw = wheel.read(candidates[0])
    except (OSError, zipfile.BadZipFile, RuntimeError) as error:
        raise WagonError("cannot read wheel %s: %s" % (path, error))
    return parse_core_metadata(raw, path)


def parse_core_metadata(raw, path):
    """The :class:`WheelMetadata` in the bytes ``raw`` of the METADATA of the wheel ``path``.

    Raise WagonError when it has no Name or Version.
    """
    headers = HeaderParser().parsestr(raw.decode("utf-8", "replace"))
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        raise WagonError("wheel %s has no Name or Version in its METADATA" % path)
    return WheelMetadata(
        name=name.strip(),
        version=version.strip(),
        requires_python=(headers.get("Requires-Python") or "").strip(),
        license=(headers.get("License-Expression") or headers.get("License") or "").strip(),
        requires_dist=[value.strip() for value in headers.get_all("Requires-Dist") or []],
    )


def file_sha256(path):
    """Return the hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def same_bytes(left, right, chunk=_CHUNK):
    """True when the files ``left`` and ``right`` hold the same bytes."""
    if os.path.getsize(left) != os.path.getsize(right):
        return False
    with open(left, "rb") as one, open(right, "rb") as other:
        while True:
            a, b = one.read(chunk), other.read(chunk)
            if a != b:
                return False
            if not a:
                return True


def _release(text):
    """``"3.8.1"`` → ``(3, 8, 1)``; None when it is not a plain dotted release."""
    parts = text.split(".")
    if not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def _padded(release, length):
    return tuple(release) + (0,) * (length - len(release))


def _clause_allows(clause, version):
    operator = next((op for op in ("~=", "==", "!=", "<=", ">=", "<", ">") if clause.startswith(op)), None)
    if operator is None:
        return None
    text = clause[len(operator):].strip()
    wildcard = text.endswith(".*")
    release = _release(text[:-2] if wildcard else text)
    if release is None or (wildcard and operator not in ("==", "!=")):
        return None
    if wildcard:
        matches = tuple(version[: len(release)]) == release
        return matches if operator == "==" else not matches
    width = max(len(release), len(version))
    left, right = _padded(version, width), _padded(release, width)
    if operator == "~=":
        if len(release) < 2:
            return None
        return left >= right and tuple(version[: len(release) - 1]) == release[:-1]
    return {
        "==": left == right, "!=": left != right, "<=": left <= right,
        ">=": left >= right, "<": left < right, ">": left > right,
    }[operator]


def python_satisfies(requires_python, version):
    """Whether a Python ``version`` (tuple of ints) meets a ``Requires-Python`` value.

    Only the plain release clauses that Requires-Python uses in practice are
    understood; anything else counts as allowed, so that pip, which knows the
    whole of PEP 440, has the last word rather than a wrong refusal here.
    """
    for clause in (requires_python or "").split(","):
        clause = clause.strip()
        if clause and _clause_allows(clause, tuple(version)) is False:
            return False
    return True
