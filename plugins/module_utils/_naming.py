# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Names: Wagon archive file names, distribution names, Wagon Python labels.

Wagon 1.0 names an archive
``{name}-{version}[-{build}]-{python tags}-none-{platform}.wgn`` where the
name is the package name with only ``-`` turned into ``_`` (case and dots
kept), the version and build tag are verbatim and the python tags are the
``supported_python_versions`` labels joined with ``.``. Wagons 0.2 to 0.5
added the build server's distribution and release as two more fields.
"""

from __future__ import annotations

import re
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError

ARCHIVE_SUFFIX = ".wgn"

_CANONICAL_SEPARATORS = re.compile(r"[-_.]+")


def canonicalize_name(name):
    """Return the PEP 503 normalised form of a distribution name."""
    return _CANONICAL_SEPARATORS.sub("-", name).lower()


def same_version(one, other):
    """True when two spellings name one version: case, a leading ``v``, trailing ``.0``s and ``-`` against ``_``
    (a wheel's file name spells ``-`` as ``_``) aside."""
    def norm(version):
        parts = str(version).strip().lower().lstrip("v").replace("-", "_").split(".")
        while len(parts) > 1 and parts[-1] == "0":
            parts.pop()
        return parts

    return norm(one) == norm(other)


def python_label(version):
    """Return Wagon's label for a Python version given as ``"3.11"``, ``"311"``, ``"py311"`` or ``(3, 11)``.

    Wagon 1.0 prefixes ``--pyver`` values with ``py`` verbatim, so
    ``--pyver py3`` becomes ``pypy3`` and ``--pyver 3.11`` clashes with the
    ``.`` separator; we accept all those spellings and always write ``py311``.
    """
    if isinstance(version, (tuple, list)):
        text = "".join(str(part) for part in version[:2])
    else:
        text = str(version).strip()
        if text.startswith("py"):
            text = text[2:]
        text = text.replace(".", "")
    if not text.isdigit():
        raise WagonError(
            "Python version %r is not a version such as '3.11', '311' or 'py311'" % (version,)
        )
    return "py" + text


class ArchiveName(
    namedtuple(
        "ArchiveName",
        ["name", "version", "build_tag", "python_tags", "abi", "platform", "distribution", "release"],
    )
):
    """The fields of a wagon's file name.

    ``python_tags`` is a tuple of labels (``("py311",)``); ``distribution`` and
    ``release`` are only set for 0.2 to 0.5 era names.
    """

    __slots__ = ()

    @classmethod
    def create(cls, name, version, python_tags, platform, build_tag=""):
        """Return the name Wagon 1.0 would give a wagon with these fields."""
        return cls(name, version, build_tag or "", tuple(python_tags), "none", platform, None, None)

    @property
    def filename(self):
        """The file name, ``.wgn`` included."""
        fields = [self.name.replace("-", "_"), self.version]
        if self.build_tag:
            fields.append(self.build_tag)
        fields += [".".join(self.python_tags), self.abi, self.platform]
        if self.distribution is not None:
            fields += [self.distribution, self.release or ""]
        return "-".join(fields) + ARCHIVE_SUFFIX

    def __str__(self):
        return self.filename

    @classmethod
    def parse(cls, filename):
        """Parse a wagon file name (any era); raise WagonError when it is not one."""
        base = filename
        for suffix in (ARCHIVE_SUFFIX, ".tar.gz", ".zip"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        fields = base.split("-")
        distribution = release = None
        # The abi field is always the literal "none": it anchors the parse from
        # the right, whatever dashes a verbatim version or build tag holds.
        if len(fields) >= 5 and fields[-2] == "none":
            python_tags, platform = fields[-3], fields[-1]
            head = fields[:-3]
        elif len(fields) >= 7 and fields[-4] == "none":
            python_tags, platform = fields[-5], fields[-3]
            distribution, release = fields[-2], fields[-1]
            head = fields[:-5]
        else:
            raise WagonError(
                "%r is not a wagon file name (NAME-VERSION[-BUILD]-PYTAGS-none-PLATFORM.wgn)" % filename
            )
        if len(head) < 2 or not head[0] or not head[1]:
            raise WagonError("%r is not a wagon file name: it has no name or version" % filename)
        name, version = head[0], head[1]
        build_tag = "-".join(head[2:])
        return cls(
            name, version, build_tag, tuple(python_tags.split(".")), "none", platform, distribution, release
        )
