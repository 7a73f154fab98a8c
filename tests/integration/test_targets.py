# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-target wagons through real Ansible: one build on this machine, wheel sets for several Pythons and platforms.

The index-free tests build from fixtures made here (a project with a C
extension compiled by each pyenv Python, a pure source distribution, wheels
synthesised for platforms this machine is not); the `network` test takes real
wheels from the package index. Installs run with no network.
"""

from __future__ import annotations

import os
import subprocess
import zipfile

import pytest

from tests.support import offline
from tests.support.ansible import run_module, run_playbook
from tests.support.fixtures import make_project, make_sdist, make_wheel
from tests.support.pythons import find_pythons
from tests.support.trees import tree_state

FLEET = ("3.9", "3.11", "3.12", "3.13")
MANYLINUX = "manylinux2014_x86_64"

needs_offline = pytest.mark.skipif(not offline.available(), reason="needs root, unshare and ip")


def offline_wrap():
    return offline.offline_prefix() if offline.available() else ()


@pytest.fixture(scope="module")
def fleet_pythons():
    pythons = find_pythons()
    missing = [version for version in FLEET if version not in pythons]
    if missing:
        pytest.skip("needs the pyenv Pythons %s" % ", ".join(missing))
    return {version: pythons[version] for version in FLEET}


def in_venv(venv, code):
    return subprocess.run([os.path.join(venv, "bin", "python"), "-I", "-c", code], check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()


@pytest.fixture(scope="module")
def fleet_wagon(tmp_path_factory, fleet_pythons):
    """One wagon of fleet-app (C extension) for Pythons 3.9, 3.11, 3.12 and 3.13 on manylinux2014_x86_64, with no index."""
    base = tmp_path_factory.mktemp("fleet")
    links = base / "links"
    links.mkdir()
    make_wheel(links, "old-python-shim", "1.0")
    make_sdist(links, "plain-dep", "2.0")  # pure, only as source: built once, serves every target
    project = make_project(base / "fleet-app", "fleet-app", "1.0",
                           requires=["old-python-shim; python_version < '3.10'", "plain-dep"], cext=True)
    args = {
        "source": project, "dest": str(base / "wagons"), "find_links": [str(links)], "no_index": True,
        "pip_args": ["--isolated"],
        "targets": [{"python": version, "platform": MANYLINUX} for version in FLEET],
        "builders": dict(fleet_pythons),
    }
    result = run_module("wagon_build", args)
    assert not result["failed"] and result["changed"], result
    # fleet-app is compiled here: each manylinux target is told what that means for older hosts.
    warned = [w for w in result.get("warnings", []) if "compiled on this machine against glibc" in w]
    assert len(warned) == len(FLEET), result.get("warnings")
    return args, result


def test_the_fleet_wagon_holds_one_wheel_set_per_target(fleet_wagon):
    args, result = fleet_wagon
    metadata = result["metadata"]
    assert os.path.basename(result["archive"]) == "fleet_app-1.0-py39.py311.py312.py313-none-linux_x86_64.wgn"
    assert metadata["supported_python_versions"] == ["py39", "py311", "py312", "py313"]
    assert metadata["supported_platform"] == "linux_x86_64"
    targets = metadata["offline_wagon"]["targets"]
    assert [(t["python"], t["platform"], t["abi"]) for t in targets] == [(v, MANYLINUX, "cp3" + v[2:]) for v in FLEET]
    for target in targets:
        nodot = target["python"].replace(".", "")
        app = [w for w in target["wheels"] if w.startswith("fleet_app-")]
        assert app == ["fleet_app-1.0-cp%s-cp%s-linux_x86_64.whl" % (nodot, nodot)], target
        assert "plain_dep-2.0-py3-none-any.whl" in target["wheels"]
        # The marker is evaluated for the target's Python, not the builder's.
        assert ("old_python_shim-1.0-py3-none-any.whl" in target["wheels"]) == (target["python"] == "3.9"), target
    # Four compiled wheels, and each pure one once.
    assert sorted(metadata["wheels"]) == sorted(
        ["fleet_app-1.0-cp%s-cp%s-linux_x86_64.whl" % (v.replace(".", ""), v.replace(".", "")) for v in FLEET]
        + ["old_python_shim-1.0-py3-none-any.whl", "plain_dep-2.0-py3-none-any.whl"]
    )
    with zipfile.ZipFile(result["archive"]) as archive:
        wheels = [n for n in archive.namelist() if n.startswith("fleet-app/wheels/")]
    assert len(wheels) == len(metadata["wheels"]) == 6
    # A second build changes nothing: the same bytes.
    again = run_module("wagon_build", args)
    assert not again["failed"] and again["changed"] is False and again["sha256"] == result["sha256"], again


@needs_offline
@pytest.mark.offline
@pytest.mark.parametrize("version", FLEET)
def test_each_python_gets_its_own_set_offline(tmp_path, fleet_wagon, fleet_pythons, version):
    _args, built = fleet_wagon
    venv = str(tmp_path / ("venv" + version))
    args = {"src": built["archive"], "venv": venv, "venv_python": fleet_pythons[version]}
    check = run_module("wagon_install", args, check=True, wrap=offline_wrap())
    first = run_module("wagon_install", args, wrap=offline_wrap())
    assert not first["failed"] and first["changed"], first
    nodot = version.replace(".", "")
    assert first["target"] == check["target"] == "cp%s-cp%s-%s" % (nodot, nodot, MANYLINUX)
    assert check["plan"] == first["plan"]
    assert in_venv(venv, "import fleet_app; print(fleet_app.answer(), fleet_app.compiled_for()[:len(%r)])" % version) \
        == "42 %s" % version
    shim = in_venv(venv, "import importlib.util as u; print(u.find_spec('old_python_shim') is not None)")
    assert shim == str(version == "3.9")
    again = run_module("wagon_install", args, wrap=offline_wrap())
    assert not again["failed"] and again["changed"] is False and "cmd" not in again, again
    # The install record, and so wagon_facts, names the target that was installed.
    facts = run_module("wagon_facts", {"venvs": [venv]})["ansible_facts"]["wagons"]["venvs"][venv]
    assert facts["wagons"]["fleet-app"]["target"] == first["target"], facts


@needs_offline
@pytest.mark.offline
def test_a_host_that_fits_no_target_is_refused_and_unchanged(tmp_path, fleet_wagon):
    _args, built = fleet_wagon
    python310 = find_pythons().get("3.10")
    if not python310:
        pytest.skip("needs the pyenv Python 3.10")
    venv = str(tmp_path / "venv310")
    subprocess.run([python310, "-m", "venv", venv], check=True)
    before = tree_state(venv)
    result = run_module("wagon_install", {"src": built["archive"], "venv": venv}, wrap=offline_wrap())
    assert result["failed"] and not result.get("changed"), result
    message = result["msg"]
    assert "has no target that fits CPython 3.10" in message, message
    assert all("cp3%s-cp3%s-%s" % (v[2:], v[2:], MANYLINUX) in message for v in FLEET), message
    assert "cp310-cp310-manylinux_2_" in message  # the host's own tags
    assert tree_state(venv) == before
    # A venv that does not exist yet is not created.
    missing = str(tmp_path / "never")
    result = run_module("wagon_install", {"src": built["archive"], "venv": missing, "venv_python": python310},
                        wrap=offline_wrap())
    assert result["failed"] and not os.path.exists(missing)


def test_wagon_facts_names_the_target_of_each_venv(tmp_path, fleet_wagon, fleet_pythons):
    _args, built = fleet_wagon
    venvs = {}
    for version in ("3.9", "3.12"):
        venvs[version] = str(tmp_path / version)
        subprocess.run([fleet_pythons[version], "-m", "venv", "--without-pip", venvs[version]], check=True)
    result = run_module("wagon_facts", {"archives": [built["archive"]], "venvs": sorted(venvs.values())})
    assert not result["failed"], result
    targets = result["ansible_facts"]["wagons"]["archives"][built["archive"]]["targets"]
    fits = {t["python"]: t["fits"] for t in targets}
    assert fits == {"3.9": [venvs["3.9"]], "3.11": [], "3.12": [venvs["3.12"]], "3.13": []}
    assert targets[0]["label"] == "cp39-cp39-" + MANYLINUX


@pytest.fixture
def foreign_links(tmp_path):
    """Wheels for machines this one is not: Windows, Apple silicon macOS, aarch64 Linux (and x86_64, not wanted)."""
    links = tmp_path / "links"
    links.mkdir()
    requires = ["win-helper; sys_platform == 'win32'", "mac-helper; sys_platform == 'darwin'", "common-lib"]
    for tag in ("cp312-cp312-win_amd64", "cp312-cp312-macosx_11_0_arm64", "cp312-cp312-manylinux2014_aarch64",
                "cp312-cp312-manylinux2014_x86_64", "cp311-cp311-win_amd64"):
        make_wheel(links, "xplat", "1.0", requires=requires, tag=tag)
    for name in ("win-helper", "mac-helper", "common-lib"):
        make_wheel(links, name, "1.0")
    return str(links)


def test_a_wagon_for_windows_macos_and_aarch64_built_here(tmp_path, foreign_links):
    targets = [{"python": "3.12", "platform": "win_amd64"}, {"python": "3.12", "platform": "macosx_11_0_arm64"},
               {"python": "3.12", "platform": "manylinux_2_28_aarch64"}]
    result = run_module("wagon_build", {
        "source": "xplat==1.0", "dest": str(tmp_path / "wagons"), "find_links": [foreign_links], "no_index": True,
        "pip_args": ["--isolated"], "targets": targets,
    })
    assert not result["failed"] and result["changed"], result
    metadata = result["metadata"]
    sets = {t["platform"]: sorted(t["wheels"]) for t in metadata["offline_wagon"]["targets"]}
    assert sets == {
        "win_amd64": ["common_lib-1.0-py3-none-any.whl", "win_helper-1.0-py3-none-any.whl",
                      "xplat-1.0-cp312-cp312-win_amd64.whl"],
        "macosx_11_0_arm64": ["common_lib-1.0-py3-none-any.whl", "mac_helper-1.0-py3-none-any.whl",
                              "xplat-1.0-cp312-cp312-macosx_11_0_arm64.whl"],
        # A manylinux_2_28 host takes manylinux2014 (glibc 2.17) wheels.
        "manylinux_2_28_aarch64": ["common_lib-1.0-py3-none-any.whl", "xplat-1.0-cp312-cp312-manylinux2014_aarch64.whl"],
    }
    assert len(metadata["wheels"]) == 6  # common-lib once
    # Three platforms: Wagon 1.0's single platform key cannot name them, "any" lets its install try.
    assert metadata["supported_platform"] == "any"
    assert os.path.basename(result["archive"]) == "xplat-1.0-py312-none-any.wgn"
    assert {w["origin"] for w in result["wheels"]} == {"file://" + os.path.join(foreign_links, w["filename"])
                                                       for w in result["wheels"]}
    # This x86_64 Linux host fits none of them.
    venv = str(tmp_path / "venv")
    refused = run_module("wagon_install", {"src": result["archive"], "venv": venv, "venv_python": find_pythons()["3.12"]},
                         wrap=offline_wrap())
    assert refused["failed"] and "has no target that fits" in refused["msg"] and not os.path.exists(venv), refused


def test_compiled_source_without_a_builder_fails_before_writing(tmp_path, fleet_pythons):
    links = tmp_path / "links"
    links.mkdir()
    make_sdist(links, "c-only", "1.0", cext=True)
    dest = tmp_path / "wagons"
    result = run_module("wagon_build", {
        "source": "c-only==1.0", "dest": str(dest), "find_links": [str(links)], "no_index": True,
        "pip_args": ["--isolated"], "builders": {"3.12": fleet_pythons["3.12"]},
        "targets": [{"python": "3.12", "platform": MANYLINUX}, {"python": "3.11", "platform": MANYLINUX}],
    })
    assert result["failed"], result
    assert "target cp311-cp311-%s: no wheel of c-only" % MANYLINUX in result["msg"], result["msg"]
    assert not dest.exists() or not os.listdir(str(dest))


@pytest.mark.parametrize("targets, complaint", [
    ([{"python": "3", "platform": MANYLINUX}], "not a CPython minor version"),
    ([{"python": "3.12", "platform": "solaris_sparc"}], "not a platform tag"),
    ([{"python": "3.12", "platform": MANYLINUX, "implementation": "pp"}], "only CPython"),
    ([{"python": "3.12", "platform": MANYLINUX, "abi": "cp311"}], "does not fit Python 3.12"),
    ([{"python": "3.12", "platform": MANYLINUX}] * 2, "given twice"),
])
def test_bad_targets_are_refused(tmp_path, targets, complaint):
    result = run_module("wagon_build", {"source": "anything==1.0", "dest": str(tmp_path), "targets": targets,
                                        "no_index": True})
    assert result["failed"] and complaint in result["msg"], result


@pytest.mark.network
@needs_offline
@pytest.mark.offline
def test_real_wheels_for_four_pythons_install_offline(tmp_path, fleet_pythons):
    """markupsafe's compiled wheels and importlib-metadata (only below 3.10) from the index, one build."""
    project = make_project(tmp_path / "web-bits", "web-bits", "1.0",
                           requires=["markupsafe==3.0.2", "importlib-metadata==8.5.0; python_version < '3.10'"])
    built = run_module("wagon_build", {
        "source": project, "dest": str(tmp_path / "wagons"),
        "targets": [{"python": version, "platform": MANYLINUX} for version in FLEET],
    })
    assert not built["failed"], built
    sets = {t["python"]: t["wheels"] for t in built["metadata"]["offline_wagon"]["targets"]}
    for version in FLEET:
        nodot = version.replace(".", "")
        assert any(w.startswith("MarkupSafe-3.0.2-cp%s-cp%s-manylinux" % (nodot, nodot)) for w in sets[version]), sets
        assert any(w.startswith("importlib_metadata-") for w in sets[version]) == (version == "3.9"), sets
    for version in FLEET:
        venv = str(tmp_path / ("venv" + version))
        result = run_module("wagon_install", {"src": built["archive"], "venv": venv,
                                              "venv_python": fleet_pythons[version]}, wrap=offline_wrap())
        assert not result["failed"], result
        assert in_venv(venv, "import markupsafe, markupsafe._speedups; print(markupsafe.escape('<'))") == "&lt;"


def test_validate_test_installs_with_the_builders(tmp_path, fleet_pythons):
    links = tmp_path / "links"
    links.mkdir()
    make_wheel(links, "tiny", "1.0", requires=["shim; python_version < '3.10'"])
    make_wheel(links, "shim", "1.0")
    args = {"source": "tiny==1.0", "dest": str(tmp_path / "wagons"), "find_links": [str(links)], "no_index": True,
            "pip_args": ["--isolated"], "validate": True,
            "targets": [{"python": "3.9", "platform": MANYLINUX}, {"python": "3.13", "platform": MANYLINUX}]}
    result = run_module("wagon_build", dict(args, builders={"3.9": fleet_pythons["3.9"]}))
    assert not result["failed"] and result["changed"], result
    refused = run_module("wagon_build", dict(args, dest=str(tmp_path / "other")))
    assert refused["failed"] and "validate installs the wagon with a Python of one of its targets" in refused["msg"]


def test_an_unquoted_yaml_version_gets_a_hint(tmp_path):
    """YAML reads an unquoted 3.10 as the number 3.1; the refusal says so, before anything is fetched."""
    playbook = tmp_path / "unquoted.yml"
    playbook.write_text("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Target written as a number
      offline.wagon.wagon_build:
        source: six==1.16.0
        dest: %(dest)s
        targets: [{python: 3.10, platform: manylinux2014_x86_64}]
      ignore_errors: true
    - name: Builder key written as a number
      offline.wagon.wagon_build:
        source: six==1.16.0
        dest: %(dest)s
        targets: [{python: "3.10", platform: manylinux2014_x86_64}]
        builders: {3.10: /usr/bin/python3}
      ignore_errors: true
""" % {"dest": tmp_path / "wagons"})
    run = run_playbook(playbook).check()
    for task in ("Target written as a number", "Builder key written as a number"):
        result = run.result(task)
        assert result["failed"] and 'quote it, "3.10"' in result["msg"], result
    assert not (tmp_path / "wagons").exists()
