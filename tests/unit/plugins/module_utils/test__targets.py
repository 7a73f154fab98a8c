# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Targets: checking them, the tags and markers of each, and choosing one for an interpreter."""

from __future__ import annotations

import pytest
from packaging import tags as packaging_tags
from packaging.markers import Marker

from ansible_collections.offline.wagon.plugins.module_utils._errors import IncompatibleError, MetadataError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import InterpreterInfo
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._targets import (
    Target,
    choose_target,
    describe_targets,
    parse_targets,
    wagon_targets,
)


def target(python, platform, **more):
    return Target.from_dict(dict(python=python, platform=platform, **more))


def test_defaults_and_label():
    found = target("3.9", "manylinux2014_x86_64")
    assert found == Target("3.9", "manylinux2014_x86_64", "cp", "cp39")
    assert found.label == "cp39-cp39-manylinux2014_x86_64"
    assert target("3.13", "win_amd64", abi="cp313t").label == "cp313-cp313t-win_amd64"


@pytest.mark.parametrize("given, complaint", [
    ({"python": "3", "platform": "win_amd64"}, "not a CPython minor version"),
    ({"python": "2.7", "platform": "win_amd64"}, "not a CPython minor version"),
    ({"python": "3.5", "platform": "win_amd64"}, "3.6 or later"),
    ({"python": 3.10, "platform": "win_amd64"}, r'number 3.1: quote it, "3.10"'),
    ({"python": "3.12", "platform": "linux_sparc"}, "architecture sparc"),
    ({"python": "3.12", "platform": "freebsd_14_0_amd64"}, "not a platform tag"),
    ({"python": "3.12", "platform": "macosx_12_3_arm64"}, "names the major version"),
    ({"python": "3.12", "platform": "win_amd64", "implementation": "pp"}, "only CPython"),
    ({"python": "3.12", "platform": "win_amd64", "abi": "cp311"}, "does not fit Python 3.12"),
    ({"python": "3.12", "platform": "win_amd64", "abi": "cp312t"}, "does not fit"),
    ({"python": "3.12", "platform": "win_amd64", "os": "x"}, "unknown keys os"),
    ("3.12", "a dict"),
])
def test_bad_targets(given, complaint):
    with pytest.raises(WagonError, match=complaint):
        Target.from_dict(given)


def test_repeats_are_refused():
    with pytest.raises(WagonError, match="given twice"):
        parse_targets([{"python": "3.9", "platform": "win32"}, {"python": "3.9", "platform": "win32", "abi": "cp39"}])


@pytest.mark.parametrize("platform, first, includes, excludes", [
    ("manylinux2014_x86_64", "linux_x86_64", ["manylinux_2_17_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"],
     ["manylinux_2_18_x86_64", "musllinux_1_1_x86_64"]),
    ("manylinux_2_28_aarch64", "linux_aarch64", ["manylinux_2_28_aarch64", "manylinux2014_aarch64"],
     ["manylinux_2_29_aarch64", "manylinux_2_16_aarch64", "manylinux_2_28_x86_64"]),
    ("musllinux_1_2_x86_64", "linux_x86_64", ["musllinux_1_1_x86_64"], ["manylinux2014_x86_64"]),
    ("win_amd64", "win_amd64", [], ["win32"]),
    ("macosx_11_0_arm64", "macosx_11_0_arm64", ["macosx_11_0_universal2", "macosx_10_9_universal2"],
     ["macosx_12_0_arm64", "macosx_10_9_x86_64"]),
    ("macosx_10_9_x86_64", "macosx_10_9_x86_64", ["macosx_10_9_intel", "macosx_10_6_x86_64"], ["macosx_10_10_x86_64"]),
])
def test_platforms_a_host_of_the_target_accepts(platform, first, includes, excludes):
    platforms = target("3.12", platform).platforms()
    assert platforms[0] == first
    assert set(includes) <= set(platforms)
    assert not set(excludes) & set(platforms)


@pytest.mark.parametrize("platform", ["manylinux2014_x86_64", "musllinux_1_2_aarch64", "win_amd64", "macosx_11_0_arm64"])
def test_tags_equal_packagings_for_that_platform(platform):
    """Our stdlib tags for a target, in order, against packaging's cpython_tags + compatible_tags for the same platforms."""
    found = target("3.11", platform)
    platforms = found.platforms()
    expected = list(packaging_tags.cpython_tags((3, 11), ["cp311"], platforms))
    expected += list(packaging_tags.compatible_tags((3, 11), "cp311", platforms))
    assert found.tags() == [str(tag) for tag in expected]


@pytest.mark.parametrize("platform, marker, expected", [
    ("manylinux2014_x86_64", 'python_version < "3.10"', True),
    ("manylinux2014_x86_64", 'sys_platform == "linux" and platform_machine == "x86_64"', True),
    ("manylinux_2_28_aarch64", 'platform_machine == "aarch64"', True),
    ("win_amd64", 'sys_platform == "win32" and os_name == "nt" and platform_machine == "AMD64"', True),
    ("win_amd64", 'platform_system == "Linux"', False),
    ("macosx_11_0_arm64", 'sys_platform == "darwin" and platform_machine == "arm64"', True),
    ("macosx_11_0_arm64", 'implementation_name == "cpython" and python_full_version >= "3.9.0"', True),
])
def test_marker_environment(platform, marker, expected):
    assert Marker(marker).evaluate(target("3.9", platform).marker_environment()) is expected


def host(version, glibc="2.36", machine="x86_64"):
    return InterpreterInfo("/venv/bin/python", version, system="Linux", platform="linux-" + machine, machine=machine,
                           glibc=glibc, py_version_nodot="%d%d" % version[:2])


def wagon(targets):
    wheels = sorted({w for _t, names in targets for w in names})
    infos = {w: {"sha256": "0" * 64, "size": 1} for w in wheels}
    extension = {"targets": [dict(Target.from_dict(t).to_dict(), wheels=names) for t, names in targets]}
    return create_metadata("app", "1.0", "app==1.0", infos, "linux_x86_64", ["py39", "py312"], extension=extension)


FLEET = wagon([
    ({"python": "3.9", "platform": "manylinux2014_x86_64"},
     ["app-1.0-cp39-cp39-manylinux2014_x86_64.whl", "shim-1.0-py3-none-any.whl"]),
    ({"python": "3.12", "platform": "win_amd64"}, ["app-1.0-py3-none-any.whl"]),
    ({"python": "3.12", "platform": "manylinux_2_28_x86_64"}, ["app-1.0-cp312-cp312-manylinux_2_28_x86_64.whl"]),
    ({"python": "3.12", "platform": "manylinux2014_x86_64"}, ["app-1.0-cp312-cp312-manylinux2014_x86_64.whl"]),
])


def test_the_target_of_the_hosts_python_and_best_platform_is_chosen():
    assert choose_target(FLEET, host((3, 9, 18)))[0].label == "cp39-cp39-manylinux2014_x86_64"
    # A glibc 2.36 host takes the manylinux_2_28 set over the 2014 one, and never the Windows one.
    assert choose_target(FLEET, host((3, 12, 1)))[0].label == "cp312-cp312-manylinux_2_28_x86_64"
    # An older glibc only fits the 2014 set.
    assert choose_target(FLEET, host((3, 12, 1), glibc="2.17"))[0].label == "cp312-cp312-manylinux2014_x86_64"


def test_no_fitting_target_names_both_sides():
    with pytest.raises(IncompatibleError) as caught:
        choose_target(FLEET, host((3, 12, 1), machine="aarch64"))
    message = str(caught.value)
    assert "has no target that fits CPython 3.12.1" in message
    assert "cp39-cp39-manylinux2014_x86_64, cp312-cp312-win_amd64" in message
    assert "cp312-cp312-linux_aarch64" in message


def test_targets_as_facts_and_a_wagon_without():
    described = describe_targets(FLEET)
    assert [t["label"] for t in described][:2] == ["cp39-cp39-manylinux2014_x86_64", "cp312-cp312-win_amd64"]
    assert described[0]["wheels"] == ["app-1.0-cp39-cp39-manylinux2014_x86_64.whl", "shim-1.0-py3-none-any.whl"]
    plain = create_metadata("app", "1.0", "app==1.0", {"app-1.0-py3-none-any.whl": {"sha256": "0" * 64, "size": 1}},
                            "any", ["py3"])
    assert wagon_targets(plain) == [] and describe_targets(plain) == []


def test_a_target_naming_an_unlisted_wheel_is_refused():
    broken = wagon([({"python": "3.9", "platform": "win32"}, ["app-1.0-py3-none-any.whl"])])
    broken.extension["targets"][0]["wheels"].append("ghost-1.0-py3-none-any.whl")
    with pytest.raises(MetadataError, match="ghost"):
        wagon_targets(broken)
