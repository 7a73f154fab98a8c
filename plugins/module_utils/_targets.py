# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The targets of a cross-target wagon: which Pythons and platforms it holds wheels for.

A target is a CPython minor version and a platform tag (``manylinux2014_x86_64``,
``musllinux_1_2_aarch64``, ``win_amd64``, ``macosx_11_0_arm64``, ...). The
build resolves the wagon once per target, as a host of that kind would; the
install picks the target that fits the venv. Both sides use this module, so it
needs only the standard library (it runs on hosts).

A target stands for the oldest host of its kind: ``manylinux2014_x86_64`` is a
glibc 2.17 x86_64 Linux, ``macosx_11_0_arm64`` macOS 11 on Apple silicon. The
wheel tags it accepts are those our stdlib tag engine (_tags) computes for
such an interpreter, the same rules that decide on the host; pip is given
that whole list, since its ``--platform`` does not widen a tag by itself.
"""

from __future__ import annotations

import re
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import IncompatibleError, MetadataError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import InterpreterInfo
from ansible_collections.offline.wagon.plugins.module_utils._tags import platform_tags, supported_tags, tag_priority
from ansible_collections.offline.wagon.plugins.module_utils._wheel import WheelName

_PYTHON = re.compile(r"^3\.(\d+)$")
_ABI = re.compile(r"^cp3(\d+)(t?)$")
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_([a-z0-9_]+)$")
_MANYLINUX_LEGACY = re.compile(r"^(manylinux1|manylinux2010|manylinux2014)_([a-z0-9_]+)$")
_LEGACY_GLIBC = {"manylinux1": "2.5", "manylinux2010": "2.12", "manylinux2014": "2.17"}
_MUSLLINUX = re.compile(r"^musllinux_(\d+)_(\d+)_([a-z0-9_]+)$")
_LINUX = re.compile(r"^linux_([a-z0-9_]+)$")
_MACOS = re.compile(r"^macosx_(\d+)_(\d+)_(x86_64|arm64)$")
# Windows platform tag: sysconfig platform, platform.machine().
_WINDOWS = {"win32": ("win32", "x86"), "win_amd64": ("win-amd64", "AMD64"), "win_arm64": ("win-arm64", "ARM64")}
_LINUX_ARCHS = ("x86_64", "aarch64", "ppc64le", "s390x", "riscv64", "loongarch64")

# How many of the host's tags an error message shows.
_SHOWN_TAGS = 6

SUPPORTED_PLATFORMS = (
    "manylinux1_<arch>, manylinux2010_<arch>, manylinux2014_<arch>, manylinux_<glibc major>_<minor>_<arch>, "
    "musllinux_<major>_<minor>_<arch>, linux_<arch>, win32, win_amd64, win_arm64, macosx_<major>_<minor>_<x86_64|arm64>"
)


def yaml_number_hint(version):
    """A hint for a version that YAML read as a number: an unquoted ``3.10`` is ``3.1``."""
    found = _PYTHON.match(str(version))
    if found and found.group(1) in ("1", "2"):
        meant = "3.%s0" % found.group(1)
        return " (unquoted in YAML, %s is the number %s: quote it, \"%s\")" % (meant, version, meant)
    return ""


class Target(namedtuple("Target", ["python", "platform", "implementation", "abi"])):
    """One target: ``python`` ``"3.9"``, ``platform`` a wheel platform tag, ``implementation`` ``"cp"``, ``abi`` ``"cp39"``."""

    __slots__ = ()

    @classmethod
    def from_dict(cls, data):
        """Check and complete a target given as a dict; raise WagonError naming what is wrong."""
        if not isinstance(data, dict):
            raise WagonError("a target is a dict with python and platform, got %r" % (data,))
        unknown = sorted(set(data) - set(cls._fields) - {"wheels", "label"})
        if unknown:
            raise WagonError("target %r has unknown keys %s (known: %s)" % (data, ", ".join(unknown), ", ".join(cls._fields)))
        python = str(data.get("python") or "").strip()
        found = _PYTHON.match(python)
        if not found or int(found.group(1)) < 6:
            raise WagonError(
                "target python %r is not a CPython minor version such as '3.9' or '3.12' (3.6 or later)%s"
                % (python, yaml_number_hint(python))
            )
        minor = int(found.group(1))
        implementation = str(data.get("implementation") or "cp").strip().lower()
        if implementation != "cp":
            raise WagonError("target implementation %r: only CPython (cp) targets are supported" % implementation)
        abi = str(data.get("abi") or "cp3%d" % minor).strip().lower()
        found_abi = _ABI.match(abi)
        if not found_abi or int(found_abi.group(1)) != minor or (found_abi.group(2) and minor < 13):
            raise WagonError(
                "target abi %r does not fit Python %s: use cp3%d (or cp3%dt for a free-threaded 3.13 or later)"
                % (abi, python, minor, minor)
            )
        platform = str(data.get("platform") or "").strip().lower()
        target = cls(python, platform, implementation, abi)
        target.interpreter()  # refuses an unknown platform
        return target

    @property
    def version(self):
        return tuple(int(part) for part in self.python.split("."))

    @property
    def label(self):
        """``cp39-cp39-manylinux2014_x86_64``: what messages, records and facts call the target."""
        return "%s%s-%s-%s" % (self.implementation, self.python.replace(".", ""), self.abi, self.platform)

    def to_dict(self):
        return {"python": self.python, "platform": self.platform, "implementation": self.implementation, "abi": self.abi}

    def interpreter(self):
        """An InterpreterInfo for the oldest host this target stands for (facts the tag engine reads)."""
        facts = {
            "implementation": "cpython",
            "py_version_nodot": self.python.replace(".", ""),
            "py_debug": False,
            "gil_disabled": self.abi.endswith("t"),
            "with_pymalloc": True,
            "pointer_bits": 64,
        }
        platform = self.platform
        windows = _WINDOWS.get(platform)
        legacy = _MANYLINUX_LEGACY.match(platform)
        manylinux = _MANYLINUX.match(platform)
        musllinux = _MUSLLINUX.match(platform)
        linux = _LINUX.match(platform)
        macos = _MACOS.match(platform)
        if windows:
            facts.update(system="Windows", platform=windows[0], machine=windows[1], ext_suffix=".pyd")
            if platform == "win32":
                facts["pointer_bits"] = 32
        elif legacy or manylinux or musllinux or linux:
            if legacy:
                arch, glibc, musl = legacy.group(2), _LEGACY_GLIBC[legacy.group(1)], None
            elif manylinux:
                arch, glibc, musl = manylinux.group(3), "%s.%s" % manylinux.group(1, 2), None
            elif musllinux:
                arch, glibc, musl = musllinux.group(3), None, "%s.%s" % musllinux.group(1, 2)
            else:
                arch, glibc, musl = linux.group(1), None, None
            if arch not in _LINUX_ARCHS:
                raise WagonError(
                    "target platform %r: architecture %s is not one of %s" % (platform, arch, ", ".join(_LINUX_ARCHS))
                )
            facts.update(system="Linux", platform="linux-" + arch, machine=arch, glibc=glibc, musl=musl)
        elif macos:
            major, minor, arch = int(macos.group(1)), int(macos.group(2)), macos.group(3)
            if major >= 11 and minor != 0:
                raise WagonError("target platform %r: from macOS 11 on a platform tag names the major version (%s_0)"
                                 % (platform, "macosx_%d" % major))
            facts.update(system="Darwin", platform="macosx-%d.%d-%s" % (major, minor, arch), machine=arch,
                         mac_version="%d.%d" % (major, minor), mac_machine=arch)
        else:
            raise WagonError("target platform %r is not a platform tag this collection knows: %s"
                             % (platform, SUPPORTED_PLATFORMS))
        version = self.version + (0,)
        return InterpreterInfo("<target %s>" % self.label, version, **facts)

    def platforms(self):
        """Every platform tag a host of this target accepts, best first (for pip's ``--platform``)."""
        return platform_tags(self.interpreter())

    def tags(self):
        """Every ``interpreter-abi-platform`` tag a host of this target accepts, best first."""
        return supported_tags(self.interpreter())

    def marker_environment(self):
        """The PEP 508 marker environment of a host of this target.

        Values a host would take from its own machine and cannot be known
        here (``platform_release``, ``platform_version``) are empty;
        ``python_full_version`` is ``<python>.0``, as pip's ``--python-version`` takes it.
        """
        info = self.interpreter()
        full = "%s.0" % self.python
        system = info.system
        environment = {
            "implementation_name": "cpython",
            "implementation_version": full,
            "platform_python_implementation": "CPython",
            "python_version": self.python,
            "python_full_version": full,
            "platform_release": "",
            "platform_version": "",
            "platform_system": system,
            "platform_machine": info.machine,
            "os_name": "nt" if system == "Windows" else "posix",
            "sys_platform": {"Windows": "win32", "Darwin": "darwin", "Linux": "linux"}[system],
        }
        return environment


def parse_targets(items):
    """Check a list of target dicts; return Targets in the given order; refuse repeats."""
    targets = []
    for item in items or ():
        target = Target.from_dict(item)
        if target.label in [t.label for t in targets]:
            raise WagonError("target %s is given twice" % target.label)
        targets.append(target)
    return targets


# Reading and choosing, on the host ----------------------------------------------


def wagon_targets(metadata):
    """The targets recorded in a wagon: ``[(Target, [wheel file names])]``, or ``[]`` for a single-target wagon.

    Raise MetadataError when the record is malformed or names a wheel the wagon does not list.
    """
    recorded = metadata.extension.get("targets")
    if recorded is None:
        return []
    if not isinstance(recorded, list) or not recorded:
        raise MetadataError("package.json: offline_wagon.targets must be a non-empty list")
    listed = set(metadata.wheels)
    found = []
    for entry in recorded:
        try:
            target = Target.from_dict(entry)
        except WagonError as error:
            raise MetadataError("package.json: offline_wagon.targets: %s" % error)
        wheels = entry.get("wheels")
        if not isinstance(wheels, list) or not all(isinstance(w, str) for w in wheels):
            raise MetadataError("package.json: offline_wagon.targets: target %s has no list of wheels" % target.label)
        missing = sorted(set(wheels) - listed)
        if missing:
            raise MetadataError("package.json: target %s names wheels the wagon does not list: %s"
                                % (target.label, ", ".join(missing)))
        found.append((target, list(wheels)))
    return found


def target_fit(target, wheels, info):
    """How well ``target``'s wheels fit the interpreter ``info``: a sort key (lower is better), or None.

    A target fits when it is for the interpreter's implementation and minor
    version, the interpreter accepts the target's platform tag (markers were
    evaluated for both: a Windows target's pure wheels are no set for Linux),
    and every one of its wheels has a tag the interpreter accepts.
    """
    if info.implementation != "cpython" or tuple(info.version[:2]) != target.version:
        return None
    if target.platform not in platform_tags(info):
        return None
    ranks = tag_priority(info)
    worst = total = 0
    for filename in wheels:
        accepted = [ranks[tag] for tag in WheelName.parse(filename).tags if tag in ranks]
        if not accepted:
            return None
        worst, total = max(worst, min(accepted)), total + min(accepted)
    return (worst, total)


def choose_target(metadata, info, targets=None):
    """Return ``(Target, wheel file names)`` of the best target of the wagon for ``info``.

    Raise IncompatibleError listing the host's best tags and the wagon's
    targets when none fits.
    """
    targets = wagon_targets(metadata) if targets is None else targets
    fitting = []
    for index, (target, wheels) in enumerate(targets):
        fit = target_fit(target, wheels, info)
        if fit is not None:
            fitting.append((fit, index, target, wheels))
    if fitting:
        _fit, _index, target, wheels = min(fitting, key=lambda entry: entry[:2])
        return target, wheels
    shown = supported_tags(info)[:_SHOWN_TAGS]
    raise IncompatibleError(
        "wagon %s %s has no target that fits %s: the wagon's targets are %s; this interpreter accepts %s, ... "
        "(a target fits when it is for this Python's minor version and a platform it accepts, and every one of its "
        "wheels has a tag it accepts)"
        % (metadata.name, metadata.version, info.describe(), ", ".join(t.label for t, _w in targets), ", ".join(shown))
    )


def describe_targets(metadata):
    """The wagon's targets as facts: ``[{label, python, platform, implementation, abi, wheels}]``."""
    return [dict(target.to_dict(), label=target.label, wheels=sorted(wheels)) for target, wheels in wagon_targets(metadata)]
