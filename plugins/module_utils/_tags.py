# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""The wheel tags an interpreter accepts, best first, without ``packaging``.

``packaging`` is not on targets. These rules follow the wheel tag
specifications (PEP 425, 600, 656 and the macOS and Windows conventions) in
the order pip prefers; the unit tests compare the result with
``packaging.tags.sys_tags()`` (packaging 26.3) run inside each real
interpreter.
"""

from __future__ import annotations

# The last minor release of each glibc major version before the current one.
_LAST_GLIBC_MINOR = {2: 50}
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}

_cache = {}


def _normalize(text):
    return text.replace(".", "_").replace("-", "_").replace(" ", "_")


def _nodot(info):
    return info.data.get("nodot") or "%d%d" % info.version[:2]


def _version_tuple(text):
    try:
        return tuple(int(part) for part in text.split(".")[:2])
    except (AttributeError, ValueError):
        return None


def _linux_platforms(info, linux):
    if info.data.get("pointer_bits") == 32:
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    arch = linux.split("_", 1)[1]
    archs = {"armv8l": ["armv8l", "armv7l"]}.get(arch, [arch])
    # A wheel built on this very kind of system ranks first (packaging 26.3
    # and later order it so; before, linux_<arch> came last).
    tags = ["linux_%s" % arch_name for arch_name in archs]
    glibc = _version_tuple(info.data.get("glibc") or "")
    if glibc and len(glibc) == 2:
        oldest = (2, 4) if set(archs) & {"x86_64", "i686"} else (2, 16)
        ceilings = [glibc] + [(major, _LAST_GLIBC_MINOR.get(major, 0)) for major in range(glibc[0] - 1, 1, -1)]
        for arch_name in archs:
            for major, top in ceilings:
                floor = oldest[1] if major == oldest[0] else -1
                for minor in range(top, floor, -1):
                    tags.append("manylinux_%d_%d_%s" % (major, minor, arch_name))
                    if (major, minor) in _LEGACY_MANYLINUX:
                        tags.append("%s_%s" % (_LEGACY_MANYLINUX[(major, minor)], arch_name))
    musl = _version_tuple(info.data.get("musl") or "")
    if musl and len(musl) == 2:
        for arch_name in archs:
            tags += ["musllinux_%d_%d_%s" % (musl[0], minor, arch_name) for minor in range(musl[1], -1, -1)]
    return tags


def _mac_formats(version, arch):
    formats = [arch]
    if arch == "x86_64":
        if version < (10, 4):
            return []
        formats += ["intel", "fat64", "fat32"]
    elif arch == "i386":
        if version < (10, 4):
            return []
        formats += ["intel", "fat32", "fat"]
    if arch in ("arm64", "x86_64"):
        formats.append("universal2")
    if arch in ("x86_64", "i386", "intel"):
        formats.append("universal")
    return formats


def _mac_platforms(info):
    version = _version_tuple(info.data.get("mac_version") or "") or (10, 16)
    machine = info.data.get("machine") or "x86_64"
    arch = machine if machine == "arm64" else ("x86_64" if info.data.get("pointer_bits") == 64 else "i386")
    tags = []
    if (10, 0) <= version < (11, 0):
        for minor in range(version[1], -1, -1):
            tags += ["macosx_10_%d_%s" % (minor, f) for f in _mac_formats((10, minor), arch)]
    if version >= (11, 0):
        for major in range(version[0], 10, -1):
            tags += ["macosx_%d_0_%s" % (major, f) for f in _mac_formats((major, 0), arch)]
        for minor in range(16, 3, -1):
            if arch == "x86_64":
                tags += ["macosx_10_%d_%s" % (minor, f) for f in _mac_formats((10, minor), arch)]
            else:
                tags.append("macosx_10_%d_universal2" % minor)
    return tags


def platform_tags(info):
    """The platform tags of the interpreter, best first."""
    platform = _normalize(info.data.get("platform") or "any")
    if platform.startswith("linux_"):
        return _linux_platforms(info, platform)
    if platform.startswith("macosx_"):
        return _mac_platforms(info)
    return [platform]


def _cpython_abis(info):
    version = info.version[:2]
    nodot = _nodot(info)
    debug = info.data.get("py_debug")
    if debug is None:
        debug = info.data.get("has_refcount") or "_d.pyd" in (info.data.get("ext_suffix") or "")
    debug = "d" if debug else ""
    threading = "t" if version >= (3, 13) and info.data.get("gil_disabled") else ""
    pymalloc = ""
    abis = []
    if version < (3, 8):
        malloc = info.data.get("with_pymalloc")
        pymalloc = "m" if malloc or malloc is None else ""
    elif debug:
        abis.append("cp%s%s" % (nodot, threading))
    return ["cp%s%s%s%s" % (nodot, threading, debug, pymalloc)] + abis


def _python_range(version):
    major, minor = version[:2]
    return ["py%d%d" % (major, minor), "py%d" % major] + ["py%d%d" % (major, m) for m in range(minor - 1, -1, -1)]


def supported_tags(info):
    """Every ``interpreter-abi-platform`` tag ``info`` accepts, best first (pip's order)."""
    platforms = platform_tags(info)
    version = info.version[:2]
    tags = []
    if info.implementation == "cpython":
        interpreter = "cp" + _nodot(info)
        abis = _cpython_abis(info)
        for abi in abis:
            tags += ["%s-%s-%s" % (interpreter, abi, p) for p in platforms]
        abi3 = version >= (3, 2) and not (version >= (3, 13) and info.data.get("gil_disabled"))
        if abi3:
            tags += ["%s-abi3-%s" % (interpreter, p) for p in platforms]
        tags += ["%s-none-%s" % (interpreter, p) for p in platforms]
        if abi3:
            for minor in range(version[1] - 1, 1, -1):
                tags += ["cp%d%d-abi3-%s" % (version[0], minor, p) for p in platforms]
    else:
        prefix = {"pypy": "pp"}.get(info.implementation, info.implementation)
        interpreter = prefix + _nodot(info)
        soabi = info.data.get("soabi")
        abis = [_normalize(soabi)] if soabi else []
        for abi in abis + ["none"]:
            tags += ["%s-%s-%s" % (interpreter, abi, p) for p in platforms]
        if info.implementation == "pypy":
            interpreter = "pp3"
    for label in _python_range(version):
        tags += ["%s-none-%s" % (label, p) for p in platforms]
    tags.append("%s-none-any" % interpreter)
    tags += ["%s-none-any" % label for label in _python_range(version)]
    return tags


def tag_priority(info):
    """``{tag: rank}``, 0 for the best; computed once per interpreter."""
    key = (info.executable, tuple(info.version), info.data.get("platform"), info.data.get("glibc"))
    if key not in _cache:
        ranks = {}
        for rank, tag in enumerate(supported_tags(info)):
            ranks.setdefault(tag, rank)
        _cache[key] = ranks
    return _cache[key]


def parse_tag_set(text):
    """Expand a compressed tag triple (``py2.py3-none-any``) into a set of tags."""
    python, abi, platform = text.split("-")
    return {
        "%s-%s-%s" % (p, a, pl) for p in python.split(".") for a in abi.split(".") for pl in platform.split(".")
    }


def platform_label(info):
    """Wagon 1.0's name for the machine's platform (``linux_x86_64``)."""
    return _normalize(info.data.get("platform") or "")
