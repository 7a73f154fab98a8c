# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""The wheel tags an interpreter accepts, best first, without ``packaging``.

``packaging`` is not on targets, and the interpreter in question is usually
not the one running this code, so the tags are computed from the facts the
probe in ``_interpreter.py`` reported. The rules are those of PEP 425, 599,
600 and 656 and the macOS and Windows conventions, in the order
``packaging.tags.sys_tags()`` yields them as of packaging 26.3: native
``linux_<arch>`` before manylinux and musllinux (before 26.3 it came last)
and ``abi3t`` tags for free-threaded CPython (added in 26.1). The unit tests
compare the result with packaging run inside each real interpreter, and
with packaging driven by synthetic facts for other systems.

iOS, Android and Emscripten get only their ``sysconfig`` platform; they are
not Ansible targets.
"""

from __future__ import annotations

import json
import re
import types

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError

# The manylinux tags named before PEP 600, by the glibc they stand for.
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}

# No glibc major version has ended yet; like packaging, assume a finished one
# went up to minor 50.
_LAST_GLIBC_MINOR = 50

# Architectures whose manylinux wheels load without looking at the ELF
# header of the interpreter (i686 and armv7l need a check, see below).
_MANYLINUX_ARCHS = frozenset(("x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"))

_ELF_32_BIT, _ELF_LITTLE_ENDIAN = 1, 1
_EM_386, _EM_ARM = 3, 40
_EF_ARM_ABIMASK, _EF_ARM_ABI_VER5, _EF_ARM_ABI_FLOAT_HARD = 0xFF000000, 0x05000000, 0x00000400

_INTERPRETER_SHORT_NAMES = {"python": "py", "cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}

# Facts the tags depend on: the cache key of tag_priority.
_TAG_FACTS = (
    "version", "implementation", "py_version_nodot", "soabi", "py_debug", "gil_disabled",
    "with_pymalloc", "has_refcount", "ext_suffix", "extension_suffixes", "system", "platform", "machine",
    "pointer_bits", "elf", "glibc", "musl", "manylinux_module", "mac_version", "mac_machine",
)
_PRIORITY_CACHE = {}
_PRIORITY_CACHE_SIZE = 16


def _normalize(text):
    return text.replace(".", "_").replace("-", "_").replace(" ", "_")


def _major_minor(text):
    """``(2, 36)`` from ``"2.36"`` or ``"2.20-2014.11"``; None when it does not start so."""
    found = re.match(r"([0-9]+)\.([0-9]+)", text or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def _nodot(version):
    return "".join(str(part) for part in version)


# Linux ---------------------------------------------------------------------


def _manylinux_loads(info, archs):
    """Whether manylinux wheels of ``archs`` can load into this interpreter at all."""
    elf = info.elf or {}
    is_32_bit_le = elf.get("class") == _ELF_32_BIT and elf.get("data") == _ELF_LITTLE_ENDIAN
    if "armv7l" in archs:
        # Only the hard-float EABI5 flavour of 32-bit ARM is manylinux.
        flags = elf.get("flags") or 0
        return (
            is_32_bit_le
            and elf.get("machine") == _EM_ARM
            and flags & _EF_ARM_ABIMASK == _EF_ARM_ABI_VER5
            and flags & _EF_ARM_ABI_FLOAT_HARD == _EF_ARM_ABI_FLOAT_HARD
        )
    if "i686" in archs:
        return is_32_bit_le and elf.get("machine") == _EM_386
    return any(arch in _MANYLINUX_ARCHS for arch in archs)


def _manylinux_allowed(info, arch, major, minor):
    """What the distribution's ``_manylinux`` module (PEP 600), if any, says of one tag."""
    module = info.manylinux_module
    if not module:
        return True
    if "manylinux_compatible" in module:
        return module["manylinux_compatible"].get("%d_%d_%s" % (major, minor, arch), True)
    legacy = {(2, 5): "manylinux1_compatible", (2, 12): "manylinux2010_compatible",
              (2, 17): "manylinux2014_compatible"}.get((major, minor))
    return module.get(legacy, True) if legacy else True


def _manylinux_platforms(info, archs):
    glibc = _major_minor(info.glibc)
    if glibc is None or not _manylinux_loads(info, archs):
        return []
    # manylinux goes back to glibc 2.5 on Intel, to 2.17 elsewhere.
    oldest_major, oldest_minor = (2, 5) if set(archs) & {"x86_64", "i686"} else (2, 17)
    # Newer glibc majors run binaries of older ones, so each older major
    # counts down from its last minor.
    ceilings = [glibc] + [(major, _LAST_GLIBC_MINOR) for major in range(glibc[0] - 1, 1, -1)]
    platforms = []
    for arch in archs:
        for major, top_minor in ceilings:
            bottom_minor = oldest_minor if major == oldest_major else 0
            for minor in range(top_minor, bottom_minor - 1, -1):
                if not _manylinux_allowed(info, arch, major, minor):
                    continue
                platforms.append("manylinux_%d_%d_%s" % (major, minor, arch))
                if (major, minor) in _LEGACY_MANYLINUX:
                    platforms.append("%s_%s" % (_LEGACY_MANYLINUX[(major, minor)], arch))
    return platforms


def _musllinux_platforms(info, archs):
    musl = _major_minor(info.musl)
    if musl is None:
        return []
    major, top_minor = musl
    return ["musllinux_%d_%d_%s" % (major, minor, arch) for arch in archs for minor in range(top_minor, -1, -1)]


def _linux_platforms(info):
    linux = _normalize(info.platform or "")
    if not linux.startswith("linux_"):
        return [linux]
    if info.pointer_bits == 32:
        # A 32-bit Python on a 64-bit kernel: sysconfig names the kernel's machine.
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    arch = linux.split("_", 1)[1]
    archs = ["armv8l", "armv7l"] if arch == "armv8l" else [arch]
    return ["linux_%s" % name for name in archs] + _manylinux_platforms(info, archs) + _musllinux_platforms(info, archs)


# macOS ---------------------------------------------------------------------


def _mac_binary_formats(version, arch):
    """The binary formats a macOS ``version`` offers a wheel for ``arch``, best first."""
    formats = [arch]
    if arch == "x86_64":
        if version < (10, 4):
            return []
        formats += ["intel", "fat64", "fat3"]
    elif arch == "i386":
        if version < (10, 4):
            return []
        formats += ["intel", "fat3", "fat"]
    elif arch == "ppc64":
        if not (10, 4) <= version <= (10, 5):
            return []
        formats.append("fat64")
    elif arch == "ppc":
        if version > (10, 6):
            return []
        formats += ["fat3", "fat"]
    if arch in ("arm64", "x86_64"):
        formats.append("universal2")
    if arch in ("x86_64", "i386", "ppc64", "ppc", "intel"):
        formats.append("universal")
    return formats


def _mac_platforms(info):
    try:
        version = tuple(int(part) for part in (info.mac_version or "").split(".")[:2])
    except ValueError:
        version = ()
    if not version:
        return [_normalize(info.platform or "")]
    arch = info.mac_machine or info.machine or ""
    if info.pointer_bits == 32:
        arch = "ppc" if arch.startswith("ppc") else "i386"
    platforms = []
    if (10, 0) <= version < (11, 0):
        # Up to 10.15 each yearly release raised the minor version.
        for minor in range(version[1], -1, -1):
            platforms += ["macosx_10_%d_%s" % (minor, fmt) for fmt in _mac_binary_formats((10, minor), arch)]
    if version >= (11, 0):
        # From 11 on, the yearly release raises the major version.
        for major in range(version[0], 10, -1):
            platforms += ["macosx_%d_0_%s" % (major, fmt) for fmt in _mac_binary_formats((major, 0), arch)]
        # Intel Macs run binaries for older releases; arm64 ones only the
        # universal2 ones whose x86_64 half targets those releases.
        for minor in range(16, 3, -1):
            if arch == "x86_64":
                platforms += ["macosx_10_%d_%s" % (minor, fmt) for fmt in _mac_binary_formats((10, minor), arch)]
            else:
                platforms.append("macosx_10_%d_universal2" % minor)
    return platforms


# Tags ----------------------------------------------------------------------


def platform_tags(info):
    """The platform tags of the interpreter ``info`` describes, best first, lower-cased."""
    if info.system == "Darwin":
        platforms = _mac_platforms(info)
    elif info.system == "Linux":
        platforms = _linux_platforms(info)
    else:
        platforms = [_normalize(info.platform or "")]
    return [platform.lower() for platform in platforms]


def _cpython_abis(info, version):
    nodot = _nodot(version)
    debug = info.py_debug
    if debug is None:
        # Windows does not set Py_DEBUG; a debug build still shows.
        debug = info.has_refcount or "_d.pyd" in (info.extension_suffixes or [])
    debug = "d" if debug else ""
    threading = "t" if version >= (3, 13) and info.gil_disabled else ""
    if version < (3, 8):
        pymalloc = "" if info.with_pymalloc is not None and not info.with_pymalloc else "m"
        return ["cp%s%s%s%s" % (nodot, threading, debug, pymalloc)]
    # A debug build also loads the extension modules of a release build.
    return ["cp%s%s%s" % (nodot, threading, debug)] + (["cp%s%s" % (nodot, threading)] if debug else [])


def _cpython_tags(info, platforms):
    version = info.version[:2]
    interpreter = "cp" + _nodot(version)
    abis = _cpython_abis(info, version)
    free_threaded = "t" in abis[0][len(interpreter):]
    # Free-threaded builds cannot load abi3 wheels; they have their own abi3t.
    stable_abi = "abi3t" if free_threaded else "abi3"
    tags = ["%s-%s-%s" % (interpreter, abi, platform) for abi in abis for platform in platforms]
    tags += ["%s-%s-%s" % (interpreter, stable_abi, platform) for platform in platforms]
    tags += ["%s-none-%s" % (interpreter, platform) for platform in platforms]
    for minor in range(version[1] - 1, 1, -1):
        tags += ["cp%d%d-%s-%s" % (version[0], minor, stable_abi, platform) for platform in platforms]
    return tags


def _generic_abis(info):
    """The ABI tag of a non-CPython interpreter, read from its extension suffix."""
    suffix = info.ext_suffix
    if not isinstance(suffix, str) or not suffix.startswith("."):
        return []
    parts = suffix.split(".")
    if len(parts) < 3:
        return _cpython_abis(info, info.version[:2])
    soabi = parts[1]
    if soabi.startswith("cpython"):
        pieces = soabi.split("-")
        abi = "cp" + pieces[1] if len(pieces) > 1 and pieces[1] else ""
    elif soabi.startswith("cp"):
        abi = soabi.split("-")[0]
    elif soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    else:
        abi = soabi
    return [_normalize(abi)] if abi else []


def _interpreter_version(info):
    return str(info.py_version_nodot) if info.py_version_nodot else _nodot(info.version[:2])


def _python_versions(version):
    """``py312``, ``py3``, then every older minor: ``py311`` ... ``py30``."""
    major, minor = version
    return ["py%d%d" % (major, minor), "py%d" % major] + ["py%d%d" % (major, m) for m in range(minor - 1, -1, -1)]


def supported_tags(info):
    """Every ``interpreter-abi-platform`` tag the interpreter accepts, best first.

    Equal, tag for tag and in order, to ``[str(t) for t in
    packaging.tags.sys_tags()]`` (packaging 26.3) run inside that interpreter.
    """
    platforms = platform_tags(info)
    short_name = _INTERPRETER_SHORT_NAMES.get(info.implementation) or info.implementation
    if short_name == "cp":
        tags = _cpython_tags(info, platforms)
        any_interpreter = "cp" + _interpreter_version(info)
    else:
        interpreter = short_name + _interpreter_version(info)
        abis = _generic_abis(info)
        if "none" not in abis:
            abis.append("none")
        tags = ["%s-%s-%s" % (interpreter, abi, platform) for abi in abis for platform in platforms]
        any_interpreter = "pp3" if short_name == "pp" else None
    pythons = _python_versions(info.version[:2])
    tags += ["%s-none-%s" % (python, platform) for python in pythons for platform in platforms]
    if any_interpreter:
        tags.append("%s-none-any" % any_interpreter)
    tags += ["%s-none-any" % python for python in pythons]
    return [tag.lower() for tag in tags]


def tag_priority(info):
    """``{tag: rank}`` for :func:`supported_tags`, 0 the best; a read-only mapping.

    Computed once per set of interpreter facts and shared between callers.
    """
    key = json.dumps({name: getattr(info, name, None) for name in _TAG_FACTS}, sort_keys=True)
    ranks = _PRIORITY_CACHE.get(key)
    if ranks is None:
        table = {}
        for rank, tag in enumerate(supported_tags(info)):
            table.setdefault(tag, rank)
        ranks = types.MappingProxyType(table)
        if len(_PRIORITY_CACHE) >= _PRIORITY_CACHE_SIZE:
            _PRIORITY_CACHE.clear()
        _PRIORITY_CACHE[key] = ranks
    return ranks


def parse_tag_set(text):
    """Expand a compressed tag triple into the set of ``interpreter-abi-platform`` tags it stands for.

    ``"py2.py3-none-any"`` gives ``{"py2-none-any", "py3-none-any"}``. Tags
    are lower-cased, as packaging compares them. Raises WagonError when
    ``text`` is not three dash-separated, non-empty parts.
    """
    parts = [part.split(".") for part in (text or "").lower().split("-")]
    if len(parts) != 3 or any("" in part for part in parts):
        raise WagonError("%r is not a wheel tag (interpreter-abi-platform, e.g. py3-none-any)" % (text,))
    interpreters, abis, platforms = parts
    return {"%s-%s-%s" % (i, a, p) for i in interpreters for a in abis for p in platforms}


def platform_label(info):
    """Wagon 1.0's name for the machine's platform: ``sysconfig.get_platform()``, ``.`` and ``-`` made ``_``.

    ``linux_x86_64``, ``macosx_11_0_arm64``, ``win_amd64``.
    """
    return (info.platform or "").replace(".", "_").replace("-", "_")
