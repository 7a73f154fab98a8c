# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Our wheel tags against packaging's, computed inside each real interpreter."""

from __future__ import annotations

import json
import os
import subprocess

import packaging
import pytest

from ansible_collections.offline.wagon.plugins.module_utils._interpreter import InterpreterInfo, probe_interpreter
from ansible_collections.offline.wagon.plugins.module_utils._tags import (
    parse_tag_set,
    platform_label,
    supported_tags,
    tag_priority,
)
from tests.support.pythons import find_pythons, run

PACKAGING_PARENT = os.path.dirname(os.path.dirname(packaging.__file__))
# packaging 26.3 itself runs on 3.9+; the probe and tags also serve 3.6-3.8.
VERSIONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]


def packaging_tags(python):
    code = (
        "import sys, json; sys.path.insert(0, %r); from packaging import tags;"
        "print(json.dumps([str(t) for t in tags.sys_tags()]))" % PACKAGING_PARENT
    )
    return json.loads(subprocess.check_output([python, "-I", "-c", code], universal_newlines=True))


@pytest.mark.parametrize("version", VERSIONS)
def test_tags_equal_packaging_inside_each_interpreter(version):
    python = find_pythons().get(version)
    if not python:
        pytest.skip("no Python %s here" % version)
    info = probe_interpreter(python, run)
    assert supported_tags(info) == packaging_tags(python)


def synthetic(**facts):
    data = {
        "executable": "/x/python", "version": [3, 12, 1], "implementation": "cpython", "nodot": "312",
        "platform": "linux-x86_64", "pointer_bits": 64, "glibc": "2.28", "musl": None,
    }
    data.update(facts)
    return InterpreterInfo(data)


def packaging_equivalent(version, abis, platforms):
    from packaging import tags

    expected = list(tags.cpython_tags(version, abis, platforms))
    interpreter = "cp%d%d" % version
    expected += list(tags.compatible_tags(version, interpreter, platforms))
    return [str(t) for t in expected]


def test_musllinux():
    info = synthetic(glibc=None, musl="1.2.4")
    ours = supported_tags(info)
    platforms = ["linux_x86_64"] + ["musllinux_1_%d_x86_64" % m for m in (2, 1, 0)]
    assert ours == packaging_equivalent((3, 12), ["cp312"], platforms)


def test_macos_arm64_and_windows():
    mac = synthetic(platform="macosx-14.0-arm64", machine="arm64", mac_version="14.2", glibc=None)
    ours = supported_tags(mac)
    from packaging import tags

    platforms = list(tags.mac_platforms((14, 2), "arm64"))
    assert ours == packaging_equivalent((3, 12), ["cp312"], platforms)
    windows = synthetic(platform="win-amd64", glibc=None)
    assert supported_tags(windows) == packaging_equivalent((3, 12), ["cp312"], ["win_amd64"])


def test_free_threaded_313_has_no_abi3():
    info = synthetic(version=[3, 13, 0], nodot="313", gil_disabled=1, glibc=None, platform="win-amd64")
    ours = supported_tags(info)
    assert ours[0] == "cp313-cp313t-win_amd64"
    assert not any("abi3" in tag for tag in ours)


def test_32_bit_python_on_64_bit_linux():
    info = synthetic(pointer_bits=32, glibc="2.17")
    ours = supported_tags(info)
    assert ours[:2] == ["cp312-cp312-linux_i686", "cp312-cp312-manylinux_2_17_i686"]


def test_old_pythons_abi_flags():
    info = synthetic(version=[3, 7, 16], nodot="37", with_pymalloc=1)
    assert supported_tags(info)[1] == "cp37-cp37m-manylinux_2_28_x86_64"


def test_priority_and_helpers():
    info = synthetic()
    ranks = tag_priority(info)
    assert ranks["cp312-cp312-linux_x86_64"] == 0
    assert ranks["cp312-cp312-manylinux_2_28_x86_64"] == 1
    assert ranks["cp312-cp312-manylinux2014_x86_64"] < ranks["py3-none-any"]
    assert "cp39-cp39-manylinux_2_17_x86_64" not in ranks
    assert parse_tag_set("py2.py3-none-any") == {"py2-none-any", "py3-none-any"}
    assert platform_label(info) == "linux_x86_64"
