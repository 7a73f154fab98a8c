# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Our wheel tags against packaging's.

Two references: packaging run inside each real interpreter here (it imports
on 3.9 and later), and packaging run in this process with every place it
reads the running interpreter pointed at an interpreter's facts (the real
ones of 3.6-3.8, and synthetic ones for musl, macOS, Windows, 32-bit,
free-threaded, debug and PyPy interpreters). The second is checked against
the first wherever both exist.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
import types

import packaging
import pytest
from packaging import _manylinux, _musllinux, tags

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import InterpreterInfo, probe_interpreter
from ansible_collections.offline.wagon.plugins.module_utils._runner import hermetic_environment
from ansible_collections.offline.wagon.plugins.module_utils._tags import (
    parse_tag_set,
    platform_label,
    platform_tags,
    supported_tags,
    tag_priority,
)
from tests.support.pythons import run


@functools.lru_cache(maxsize=None)
def probed(python):
    return probe_interpreter(python, run)


@pytest.fixture(scope="session")
def packaging_copy(tmp_path_factory):
    """A directory holding only a copy of this process's ``packaging`` package, for other interpreters' sys.path."""
    parent = tmp_path_factory.mktemp("packaging")
    shutil.copytree(os.path.dirname(packaging.__file__), str(parent / "packaging"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    return str(parent)


def packaging_inside(python, packaging_parent):
    """``[str(t) for t in sys_tags()]`` computed by ``python`` itself; None where packaging cannot import."""
    code = (
        "import json, sys; sys.path.insert(0, %r)\n"
        "try:\n    from packaging import tags\nexcept Exception as error:\n"
        "    sys.exit('cannot import packaging: %%r' %% error)\n"
        "print(json.dumps([str(t) for t in tags.sys_tags()]))\n" % packaging_parent
    )
    result = run([python, "-I", "-B", "-c", code], env=hermetic_environment())
    if result.rc != 0 and "cannot import packaging" in result.stderr:
        return None
    assert result.rc == 0, result.stderr
    return json.loads(result.stdout)


@contextlib.contextmanager
def _fake_elf(info):
    elf = info.elf
    yield None if elf is None else types.SimpleNamespace(
        capacity=elf["class"], encoding=elf["data"], machine=elf["machine"], flags=elf["flags"]
    )


def _fake_manylinux_module(answers):
    if answers is None:
        return None
    module = types.SimpleNamespace(**{k: v for k, v in answers.items() if k != "manylinux_compatible"})
    if "manylinux_compatible" in answers:
        verdicts = answers["manylinux_compatible"]
        module.manylinux_compatible = lambda major, minor, arch: verdicts.get("%d_%d_%s" % (major, minor, arch))
    return module


def packaging_as_if(info):
    """packaging's ``sys_tags()`` as it would run inside the interpreter ``info`` describes.

    Everything packaging reads from the running interpreter is pointed at
    ``info``'s facts for the duration; ``sys_tags`` itself reads
    ``sys.implementation`` and ``sys.version_info``, which this process cannot
    fake safely, so its three lines are spelled out here instead.
    """
    config = {
        "Py_DEBUG": info.py_debug, "Py_GIL_DISABLED": info.gil_disabled, "WITH_PYMALLOC": info.with_pymalloc,
        "py_version_nodot": info.py_version_nodot, "EXT_SUFFIX": info.ext_suffix, "SOABI": info.soabi,
    }
    glibc = _manylinux._parse_glibc_version(info.glibc) if info.glibc else _manylinux._GLibCVersion(-1, -1)
    musl = None
    if info.musl:
        musl = _musllinux._parse_musl_version("musl libc (%s)\nVersion %s\n" % (info.machine, info.musl))
    is_32_bit = info.pointer_bits == 32
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tags, "_get_config_var", lambda name, warn=False: config.get(name))
        patch.setattr(tags, "EXTENSION_SUFFIXES", list(info.extension_suffixes))
        if info.has_refcount:
            patch.setattr(sys, "gettotalrefcount", lambda: 0, raising=False)
        else:
            patch.delattr(sys, "gettotalrefcount", raising=False)
        patch.setattr(tags.platform, "system", lambda: info.system)
        patch.setattr(tags.platform, "mac_ver", lambda: (info.mac_version or "", ("", "", ""), info.mac_machine or ""))
        patch.setattr(tags.sysconfig, "get_platform", lambda: info.platform)
        # Bound as default arguments when packaging was imported.
        patch.setattr(tags._linux_platforms, "__defaults__", (is_32_bit,))
        patch.setattr(tags._mac_arch, "__defaults__", (is_32_bit,))
        patch.setattr(_manylinux, "_get_glibc_version", lambda: glibc)
        patch.setattr(_manylinux, "_parse_elf", lambda executable: _fake_elf(info))
        patch.setattr(_manylinux, "_get_manylinux_module", lambda: _fake_manylinux_module(info.manylinux_module))
        patch.setattr(_musllinux, "_get_musl_version", lambda executable: musl)
        version = info.version[:2]
        platforms = list(tags.platform_tags())
        short_name = tags.INTERPRETER_SHORT_NAMES.get(info.implementation) or info.implementation
        if short_name == "cp":
            found = list(tags.cpython_tags(version, None, platforms))
            interpreter = "cp" + tags.interpreter_version()
        else:
            found = list(tags.generic_tags(short_name + tags.interpreter_version(), None, platforms))
            interpreter = "pp3" if short_name == "pp" else None
        found += list(tags.compatible_tags(version, interpreter, platforms))
    return [str(tag) for tag in found]


# Real interpreters -----------------------------------------------------------


def test_tags_equal_packaging_inside_each_interpreter(python, packaging_copy):
    expected = packaging_inside(python, packaging_copy)
    if expected is None:
        pytest.skip("packaging %s does not import on this Python (see the facts-driven test)" % packaging.__version__)
    assert supported_tags(probed(python)) == expected
    # The in-process double of packaging agrees with the real thing here.
    assert packaging_as_if(probed(python)) == expected


def test_tags_equal_packaging_driven_by_each_interpreters_facts(python):
    info = probed(python)
    ours = supported_tags(info)
    assert ours == packaging_as_if(info)
    nodot = "%d%d" % info.version[:2]
    abi = "cp%s%s" % (nodot, "m" if info.version < (3, 8) else "")
    glibc_minor = int(info.glibc.split(".")[1])
    assert ours[:3] == [
        "cp%s-%s-linux_x86_64" % (nodot, abi),
        "cp%s-%s-manylinux_2_%d_x86_64" % (nodot, abi, glibc_minor),
        "cp%s-%s-manylinux_2_%d_x86_64" % (nodot, abi, glibc_minor - 1),
    ]
    for legacy in ("manylinux2014", "manylinux2010", "manylinux1"):
        assert "cp%s-%s-%s_x86_64" % (nodot, abi, legacy) in ours
    assert "cp%s-%s-manylinux_2_4_x86_64" % (nodot, abi) not in ours
    assert "cp36-abi3-manylinux_2_17_x86_64" in ours and "cp31-abi3-linux_x86_64" not in ours
    assert ours[-(info.version[1] + 3):][:3] == ["cp%s-none-any" % nodot, "py%s-none-any" % nodot, "py3-none-any"]
    assert ours[-1] == "py30-none-any"
    assert len(ours) == len(set(ours))


# Synthetic interpreters --------------------------------------------------------

LINUX_X86_64 = {
    "executable": "/opt/py/bin/python3.12", "version": [3, 12, 1], "implementation": "cpython",
    "py_version_nodot": "312", "soabi": "cpython-312-x86_64-linux-gnu", "py_debug": 0, "gil_disabled": None,
    "with_pymalloc": 1, "ext_suffix": ".cpython-312-x86_64-linux-gnu.so",
    "extension_suffixes": [".cpython-312-x86_64-linux-gnu.so", ".abi3.so", ".so"], "system": "Linux",
    "platform": "linux-x86_64", "machine": "x86_64", "pointer_bits": 64,
    "elf": {"class": 2, "data": 1, "machine": 62, "flags": 0, "interpreter": "/lib64/ld-linux-x86-64.so.2"},
    "glibc": "2.28",
}
I386_ELF = {"class": 1, "data": 1, "machine": 3, "flags": 0, "interpreter": "/lib/ld-linux.so.2"}
ARMHF_ELF = {"class": 1, "data": 1, "machine": 40, "flags": 0x05000400, "interpreter": "/lib/ld-linux-armhf.so.3"}
MUSL_ELF = {"class": 2, "data": 1, "machine": 62, "flags": 0, "interpreter": "/lib/ld-musl-x86_64.so.1"}
MAC = {"system": "Darwin", "glibc": None, "elf": None, "ext_suffix": ".cpython-312-darwin.so",
       "soabi": "cpython-312-darwin", "extension_suffixes": [".cpython-312-darwin.so", ".abi3.so", ".so"]}
WINDOWS = {"system": "Windows", "glibc": None, "elf": None, "py_debug": None, "with_pymalloc": None,
           "soabi": None, "ext_suffix": ".cp312-win_amd64.pyd", "extension_suffixes": [".cp312-win_amd64.pyd", ".pyd"],
           "platform": "win-amd64", "machine": "AMD64"}


def synthetic(*layers, **facts):
    data = dict(LINUX_X86_64)
    for layer in layers + (facts,):
        data.update(layer)
    return InterpreterInfo.from_dict(data)


SYNTHETIC = {
    "linux-glibc-2.17": synthetic(glibc="2.17"),
    "linux-glibc-patched-version": synthetic(glibc="2.20-2014.11"),
    "linux-glibc-unknown": synthetic(glibc=None),
    "linux-glibc-next-major": synthetic(glibc="3.1"),
    "linux-debug-3.12": synthetic(py_debug=1, has_refcount=True),
    "linux-3.7-no-pymalloc": synthetic(version=[3, 7, 16], py_version_nodot="37", with_pymalloc=0),
    "linux-3.7-pymalloc-unknown": synthetic(version=[3, 7, 16], py_version_nodot="37", with_pymalloc=None),
    "linux-3.13t": synthetic(version=[3, 13, 0], py_version_nodot="313", gil_disabled=1),
    "linux-3.13t-debug": synthetic(version=[3, 13, 0], py_version_nodot="313", gil_disabled=1, py_debug=1),
    "linux-3.13-gil": synthetic(version=[3, 13, 0], py_version_nodot="313", gil_disabled=0),
    "linux-i686-on-x86_64": synthetic(pointer_bits=32, elf=I386_ELF, glibc="2.17"),
    "linux-32-bit-not-i386-elf": synthetic(pointer_bits=32, elf=None),
    "linux-i686-kernel": synthetic(platform="linux-i686", machine="i686", pointer_bits=32, elf=I386_ELF),
    "linux-aarch64": synthetic(platform="linux-aarch64", machine="aarch64", elf=dict(I386_ELF, machine=183)),
    "linux-armv8l-hard-float": synthetic(platform="linux-aarch64", machine="aarch64", pointer_bits=32, elf=ARMHF_ELF),
    "linux-armv8l-soft-float": synthetic(platform="linux-aarch64", machine="aarch64", pointer_bits=32,
                                         elf=dict(ARMHF_ELF, flags=0x05000000)),
    "linux-armv6l": synthetic(platform="linux-armv6l", machine="armv6l", pointer_bits=32, elf=ARMHF_ELF),
    "linux-ppc64le": synthetic(platform="linux-ppc64le", machine="ppc64le"),
    "musllinux-x86_64": synthetic(glibc=None, musl="1.2.4", elf=MUSL_ELF),
    "musllinux-aarch64": synthetic(glibc=None, musl="1.1.24", platform="linux-aarch64", machine="aarch64",
                                   elf=dict(MUSL_ELF, machine=183, interpreter="/lib/ld-musl-aarch64.so.1")),
    "manylinux-module-vetoes": synthetic(manylinux_module={
        "manylinux_compatible": {"2_28_x86_64": False, "2_17_x86_64": False, "2_5_x86_64": True}}),
    "manylinux-module-legacy-only": synthetic(manylinux_module={
        "manylinux1_compatible": False, "manylinux2014_compatible": True}),
    "macos-14-arm64": synthetic(MAC, platform="macosx-11.0-arm64", machine="arm64", mac_machine="arm64",
                                mac_version="14.2.1"),
    "macos-13-x86_64": synthetic(MAC, platform="macosx-10.9-x86_64", machine="x86_64", mac_machine="x86_64",
                                 mac_version="13.6"),
    "macos-10.15-x86_64": synthetic(MAC, platform="macosx-10.9-x86_64", machine="x86_64", mac_machine="x86_64",
                                    mac_version="10.15.7"),
    "macos-10.6-i386": synthetic(MAC, platform="macosx-10.6-intel", machine="i386", mac_machine="i386",
                                 mac_version="10.6.8", pointer_bits=32, version=[3, 6, 15], py_version_nodot="36"),
    "windows-amd64": synthetic(WINDOWS),
    "windows-win32-3.7": synthetic(WINDOWS, platform="win32", machine="x86", pointer_bits=32, version=[3, 7, 9],
                                   py_version_nodot="37", ext_suffix=".pyd", extension_suffixes=[".pyd"]),
    "windows-arm64-3.11": synthetic(WINDOWS, platform="win-arm64", machine="ARM64", version=[3, 11, 9],
                                    py_version_nodot="311"),
    "windows-debug": synthetic(WINDOWS, extension_suffixes=["_d.cp312-win_amd64.pyd", "_d.pyd"]),
    "freebsd": synthetic(system="FreeBSD", platform="freebsd-14.0-RELEASE-amd64", machine="amd64", glibc=None,
                         elf=None),
    "pypy-3.10": synthetic(implementation="pypy", version=[3, 10, 14], py_version_nodot="310",
                           soabi="pypy310-pp73-x86_64-linux-gnu", ext_suffix=".pypy310-pp73-x86_64-linux-gnu.so"),
    "graalpy-3.11": synthetic(implementation="graalpy", version=[3, 11, 7], py_version_nodot="311",
                              ext_suffix=".graalpy-311-native-x86_64-linux.so"),
}


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_tags_equal_packaging_for_synthetic_interpreters(name):
    info = SYNTHETIC[name]
    expected = packaging_as_if(info)
    assert expected  # the double ran
    assert supported_tags(info) == expected


def test_what_the_synthetic_cases_mean():
    # Readable anchors beside the comparisons, so a wrong double cannot hide a wrong rule.
    assert supported_tags(SYNTHETIC["musllinux-x86_64"])[:3] == [
        "cp312-cp312-linux_x86_64", "cp312-cp312-musllinux_1_2_x86_64", "cp312-cp312-musllinux_1_1_x86_64"]
    assert not any("manylinux" in tag for tag in supported_tags(SYNTHETIC["musllinux-x86_64"]))
    assert platform_tags(SYNTHETIC["macos-14-arm64"])[:3] == [
        "macosx_14_0_arm64", "macosx_14_0_universal2", "macosx_13_0_arm64"]
    assert platform_tags(SYNTHETIC["macos-14-arm64"])[-1] == "macosx_10_4_universal2"
    assert platform_tags(SYNTHETIC["macos-13-x86_64"])[:5] == [
        "macosx_13_0_x86_64", "macosx_13_0_intel", "macosx_13_0_fat64", "macosx_13_0_fat3", "macosx_13_0_universal2"]
    assert platform_tags(SYNTHETIC["windows-amd64"]) == ["win_amd64"]
    assert platform_tags(SYNTHETIC["windows-win32-3.7"]) == ["win32"]
    assert supported_tags(SYNTHETIC["windows-win32-3.7"])[0] == "cp37-cp37m-win32"
    assert platform_tags(SYNTHETIC["windows-arm64-3.11"]) == ["win_arm64"]
    assert supported_tags(SYNTHETIC["windows-debug"])[:2] == ["cp312-cp312d-win_amd64", "cp312-cp312-win_amd64"]
    assert platform_tags(SYNTHETIC["linux-i686-on-x86_64"])[:3] == [
        "linux_i686", "manylinux_2_17_i686", "manylinux2014_i686"]
    assert platform_tags(SYNTHETIC["linux-32-bit-not-i386-elf"]) == ["linux_i686"]
    assert platform_tags(SYNTHETIC["linux-armv8l-hard-float"])[:3] == [
        "linux_armv8l", "linux_armv7l", "manylinux_2_28_armv8l"]
    assert platform_tags(SYNTHETIC["linux-armv8l-soft-float"]) == ["linux_armv8l", "linux_armv7l"]
    assert platform_tags(SYNTHETIC["linux-aarch64"])[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
    assert platform_tags(SYNTHETIC["linux-glibc-patched-version"])[1] == "manylinux_2_20_x86_64"
    assert platform_tags(SYNTHETIC["linux-glibc-unknown"]) == ["linux_x86_64"]
    assert platform_tags(SYNTHETIC["linux-glibc-next-major"])[1:4] == [
        "manylinux_3_1_x86_64", "manylinux_3_0_x86_64", "manylinux_2_50_x86_64"]
    vetoed = platform_tags(SYNTHETIC["manylinux-module-vetoes"])
    assert "manylinux_2_28_x86_64" not in vetoed and "manylinux2014_x86_64" not in vetoed
    assert "manylinux_2_27_x86_64" in vetoed and "manylinux1_x86_64" in vetoed
    legacy = platform_tags(SYNTHETIC["manylinux-module-legacy-only"])
    assert "manylinux_2_5_x86_64" not in legacy and "manylinux2014_x86_64" in legacy
    free = supported_tags(SYNTHETIC["linux-3.13t"])
    assert free[0] == "cp313-cp313t-linux_x86_64"
    assert "cp313-abi3t-linux_x86_64" in free and "cp32-abi3t-linux_x86_64" in free
    assert not any("-abi3-" in tag or "-cp313-" in tag for tag in free)
    assert supported_tags(SYNTHETIC["linux-3.13t-debug"])[0] == "cp313-cp313td-linux_x86_64"
    assert supported_tags(SYNTHETIC["linux-debug-3.12"])[0] == "cp312-cp312d-linux_x86_64"
    assert supported_tags(SYNTHETIC["linux-3.7-no-pymalloc"])[0] == "cp37-cp37-linux_x86_64"
    pypy = supported_tags(SYNTHETIC["pypy-3.10"])
    assert pypy[0] == "pp310-pypy310_pp73-linux_x86_64" and "pp3-none-any" in pypy
    assert not any(tag.startswith("cp") for tag in pypy)
    assert platform_tags(SYNTHETIC["freebsd"]) == ["freebsd_14_0_release_amd64"]


def test_tag_priority_ranks_and_caches():
    info = SYNTHETIC["linux-glibc-2.17"]
    ranks = tag_priority(info)
    assert ranks["cp312-cp312-linux_x86_64"] == 0
    assert ranks["cp312-cp312-manylinux_2_17_x86_64"] == 1
    assert ranks["cp312-cp312-manylinux2014_x86_64"] == 2
    assert ranks["cp312-abi3-manylinux2014_x86_64"] < ranks["py3-none-any"] < ranks["py30-none-any"]
    assert "cp39-cp39-manylinux_2_17_x86_64" not in ranks and "cp312-cp312-manylinux_2_18_x86_64" not in ranks
    assert sorted(ranks, key=ranks.get) == supported_tags(info)
    assert tag_priority(synthetic(glibc="2.17", executable="/elsewhere/python")) is ranks
    assert tag_priority(SYNTHETIC["linux-glibc-unknown"]) is not ranks
    with pytest.raises(TypeError):
        ranks["made-up-tag"] = 0


def test_parse_tag_set():
    assert parse_tag_set("py2.py3-none-any") == {"py2-none-any", "py3-none-any"}
    assert parse_tag_set("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64") == {
        "cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}
    assert parse_tag_set("CP39-abi3-Win_AMD64") == {"cp39-abi3-win_amd64"}
    assert len(parse_tag_set("cp38.cp39-abi3.none-a.b")) == 8
    for text in ("py3-none", "py3-none-any-x", "py3--any", "py3.-none-any", ""):
        with pytest.raises(WagonError, match="is not a wheel tag"):
            parse_tag_set(text)


def test_parse_tag_set_agrees_with_packaging():
    for text in ("py2.py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
                 "cp38.cp39-abi3.none-macosx_10_9_x86_64.macosx_11_0_arm64"):
        assert parse_tag_set(text) == {str(tag) for tag in tags.parse_tag(text)}


def test_platform_label():
    assert platform_label(SYNTHETIC["linux-glibc-2.17"]) == "linux_x86_64"
    assert platform_label(SYNTHETIC["macos-14-arm64"]) == "macosx_11_0_arm64"
    assert platform_label(SYNTHETIC["windows-amd64"]) == "win_amd64"
    assert platform_label(SYNTHETIC["windows-win32-3.7"]) == "win32"
