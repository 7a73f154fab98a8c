# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wheel names, metadata and the small Requires-Python check."""

from __future__ import annotations

import zipfile

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._wheel import (
    WheelName,
    python_satisfies,
    read_wheel_metadata,
)


def test_compressed_tag_sets_expand():
    wheel = WheelName.parse("markupsafe-3.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    assert wheel.tags == {"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}
    assert not wheel.is_pure
    pure = WheelName.parse("six-1.16.0-py2.py3-none-any.whl")
    assert pure.tags == {"py2-none-any", "py3-none-any"} and pure.is_pure


def test_build_tag():
    wheel = WheelName.parse("pkg-1.0-2-py3-none-any.whl")
    assert (wheel.build, wheel.canonical_name) == ("2", "pkg")


@pytest.mark.parametrize("name", ["pkg-1.0.whl", "pkg-1.0-py3-none-any.zip", "../pkg-1.0-py3-none-any.whl", "pkg-1.0-x-py3-none-any.whl"])
def test_bad_wheel_names(name):
    with pytest.raises(WagonError):
        WheelName.parse(name)


def test_read_wheel_metadata(tmp_path):
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(str(path), "w") as wheel:
        wheel.writestr(
            "demo-1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: Demo\nVersion: 1.0\nRequires-Python: >=3.8\n"
            "License: MIT\nRequires-Dist: six\nRequires-Dist: attrs; extra == 'x'\n\nLong text\n",
        )
    meta = read_wheel_metadata(str(path))
    assert (meta.name, meta.version, meta.requires_python, meta.license) == ("Demo", "1.0", ">=3.8", "MIT")
    assert meta.requires_dist == ["six", "attrs; extra == 'x'"]


def test_read_wheel_metadata_of_a_non_wheel(tmp_path):
    path = tmp_path / "x.whl"
    path.write_bytes(b"nope")
    with pytest.raises(WagonError, match="cannot read wheel"):
        read_wheel_metadata(str(path))


@pytest.mark.parametrize(
    "spec, version, allowed",
    [
        (">=3.8", (3, 6, 15), False),
        (">=3.8", (3, 12, 1), True),
        (">=2.7, !=3.0.*, !=3.1.*", (3, 1, 2), False),
        (">=2.7, !=3.0.*, !=3.1.*", (3, 11, 0), True),
        ("~=3.9", (3, 12, 0), True),
        ("~=3.9.0", (3, 10, 0), False),
        ("<3.13,>=3.9", (3, 13, 0), False),
        ("==3.*", (3, 6, 1), True),
        ("", (3, 6, 0), True),
        (">=3.10.1", (3, 10, 0), False),
        (">=3.8.dev0", (3, 6, 0), True),  # not understood here: pip decides
    ],
)
def test_python_satisfies(spec, version, allowed):
    assert python_satisfies(spec, version) is allowed
