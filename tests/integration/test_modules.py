# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three modules through real Ansible: ansible-playbook and ansible -m, online and offline."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._archive import write_archive
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256
from tests.support import offline
from tests.support.ansible import run_module, run_playbook
from tests.support.fixtures import make_cext_wheel, make_wheel
from tests.support.pythons import run
from tests.support.trees import tree_state

HERE = os.path.dirname(os.path.abspath(__file__))
needs_offline = pytest.mark.skipif(not offline.available(), reason="needs root, unshare and ip")


@pytest.fixture
def links(tmp_path):
    directory = tmp_path / "links"
    directory.mkdir()
    make_wheel(directory, "demo-app", "1.0", requires=["helper-lib"])
    make_wheel(directory, "helper-lib", "2.0")
    return str(directory)


@pytest.fixture
def built(tmp_path, links):
    result = run_module("wagon_build", {
        "source": "demo-app==1.0", "dest": str(tmp_path / "wagons"), "find_links": [links], "no_index": True,
    })
    assert result["changed"], result
    return result


def test_lifecycle_playbook(tmp_path, links, pythons):
    run = run_playbook(os.path.join(HERE, "playbooks", "lifecycle.yml"), {
        "work": str(tmp_path), "links": links, "python": pythons["3.12"],
    })
    run.check()
    assert "failed=0" in run.stdout


@needs_offline
@pytest.mark.offline
def test_lifecycle_playbook_installs_with_no_network(tmp_path, links, pythons):
    # Build online first, then run the whole play where nothing is reachable:
    # the build step is then a no-op resolve from the local links, and every
    # install step must work with no route out and no package mirror.
    ok = run_playbook(os.path.join(HERE, "playbooks", "lifecycle.yml"), {
        "work": str(tmp_path), "links": links, "python": pythons["3.11"],
    }, wrap=offline.offline_prefix())
    ok.check()
    probe = run_module("ansible.builtin.command", {"argv": ["ip", "route"]}, wrap=offline.offline_prefix())
    assert probe["stdout"].strip() == ""


@needs_offline
@pytest.mark.offline
def test_c_extension_wagons_built_per_python_install_offline(tmp_path, pythons):
    # One wagon per target Python, each built with that Python (option
    # python), each installed where there is no network.
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for version in ("3.9", "3.13"):
        make_cext_wheel(wheels, pythons[version], "fastcalc", "1.0")
        build = run_module("wagon_build", {
            "source": "fastcalc==1.0", "dest": str(tmp_path / "wagons"), "find_links": [str(wheels)],
            "no_index": True, "python": pythons[version],
        })
        label = "py" + version.replace(".", "")
        assert build["metadata"]["supported_python_versions"] == [label], build
        assert build["archive"].endswith("fastcalc-1.0-%s-none-linux_x86_64.wgn" % label)
        venv = str(tmp_path / ("venv" + version))
        result = run_module("wagon_install", {"src": build["archive"], "venv": venv, "venv_python": pythons[version]},
                            wrap=offline.offline_prefix())
        assert result["changed"] and result["plan"]["add"] == ["fastcalc==1.0"], result
        check = run([os.path.join(venv, "bin", "python"), "-c", "import fastcalc; print(fastcalc.answer())"])
        assert check.stdout.strip() == "42"


def test_ad_hoc_diff_and_check(tmp_path, built, pythons):
    venv = str(tmp_path / "venv")
    args = {"src": built["archive"], "venv": venv, "venv_python": pythons["3.12"]}
    predicted = run_module("wagon_install", args, check=True, diff=True)
    assert predicted["changed"] and not os.path.exists(venv)
    assert "demo-app==1.0" in predicted["diff"]["after"] and predicted["diff"]["before"] == ""
    real = run_module("wagon_install", args, diff=True)
    assert real["plan"] == predicted["plan"] and real["diff"]["after"] == predicted["diff"]["after"]
    assert "+demo-app==1.0" in real["_stdout"]
    assert not run_module("wagon_install", args, check=True)["changed"]


def hostile_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo/package.json", json.dumps({"package_name": "demo", "wheels": []}))
        archive.writestr("../../escaped", "x")
    return path


def wagon_with(path, metadata_bytes, wheels=None):
    write_archive(path, "demo-app", metadata_bytes, wheels or {})
    return path


@pytest.fixture
def broken(tmp_path, built, links, pythons):
    """Bad inputs by name: each is (src, extra args, part of the message)."""
    good = built["archive"]
    data = open(good, "rb").read()
    cases = {}

    def case(name, content=None):
        path = str(tmp_path / ("bad-" + name + ".wgn"))
        if content is not None:
            with open(path, "wb") as stream:
                stream.write(content)
        return path

    cases["missing"] = (case("missing"), {}, "does not exist")
    cases["empty"] = (case("empty", b""), {}, "is empty")
    cases["truncated"] = (case("truncated", data[: len(data) // 2]), {}, "corrupt or truncated")
    cases["not an archive"] = (case("text", b"hello\n" * 100), {}, "neither a zip nor a tar")
    cases["hostile"] = (hostile_zip(case("hostile")), {}, "'..'")
    cases["invalid json"] = (wagon_with(case("json"), b"{nope"), {}, "not valid JSON")
    cases["no metadata"] = (case("nometa"), {}, "has no <name>/package.json")
    with zipfile.ZipFile(cases["no metadata"][0], "w") as archive:
        archive.writestr("demo/wheels/x.whl", b"")
    lists_missing = create_metadata("demo-app", "1.0", "t", {"demo_app-1.0-py3-none-any.whl": {
        "sha256": "0" * 64, "size": 1, "name": "demo-app", "version": "1.0"}}, "any", ["py3"])
    cases["lists a missing wheel"] = (wagon_with(case("listsmissing"), lists_missing.to_json()), {}, "not in the archive")
    wheel = os.path.join(links, "demo_app-1.0-py3-none-any.whl")
    tampered = create_metadata("demo-app", "1.0", "t", {"demo_app-1.0-py3-none-any.whl": {
        "sha256": "1" * 64, "size": 1, "name": "demo-app", "version": "1.0"}}, "any", ["py3"])
    cases["hash mismatch"] = (
        wagon_with(case("tampered"), tampered.to_json(), {"demo_app-1.0-py3-none-any.whl": wheel}), {}, "altered or damaged"
    )
    other = tmp_path / "other"
    other.mkdir()
    cext = make_cext_wheel(other, pythons["3.9"], "fastcalc", "1.0")
    meta = create_metadata("fastcalc", "1.0", "t", {os.path.basename(cext): {
        "sha256": file_sha256(cext), "size": 1, "name": "fastcalc", "version": "1.0"}}, "linux_x86_64", ["py39"])
    cases["other python"] = (wagon_with(case("otherpy"), meta.to_json(), {os.path.basename(cext): cext}), {}, "does not fit CPython 3.12")
    cases["venv python missing"] = (good, {"venv": str(tmp_path / "newvenv"), "venv_python": "/no/python3.9"}, "/no/python3.9 does not exist")
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    cases["venv is a file"] = (good, {"venv": str(a_file)}, "is not a directory")
    # A wheel pip cannot install (not a zip) whose hash is what the metadata says.
    junk = tmp_path / "junk" / "demo_app-1.0-py3-none-any.whl"
    junk.parent.mkdir()
    junk.write_bytes(b"not a zip at all")
    bad_pip = create_metadata("demo-app", "1.0", "t", {junk.name: {
        "sha256": file_sha256(str(junk)), "size": 16, "name": "demo-app", "version": "1.0"}}, "any", ["py3"])
    cases["not a wheel"] = (wagon_with(case("notawheel"), bad_pip.to_json(), {junk.name: str(junk)}), {}, "is not a readable wheel")
    return cases


CASES = [
    "missing", "empty", "truncated", "not an archive", "hostile", "invalid json", "no metadata",
    "lists a missing wheel", "hash mismatch", "other python", "venv python missing", "venv is a file", "not a wheel",
]


@pytest.mark.parametrize("name", CASES)
def test_bad_input_fails_clearly_and_leaves_the_venv_alone(tmp_path, built, broken, pythons, name):
    venv = str(tmp_path / "venv")
    # A venv that already holds the good wagon: bad input must not touch it.
    run_module("wagon_install", {"src": built["archive"], "venv": venv, "venv_python": pythons["3.12"]})
    before = tree_state(venv)
    src, extra, message = broken[name]
    args = {"src": src, "venv": venv}
    args.update(extra)
    result = run_module("wagon_install", args)
    assert result.get("failed"), result
    assert message in result["msg"], result["msg"]
    assert "\n" not in result["msg"].strip()
    assert tree_state(venv) == before
    assert not os.path.exists(str(tmp_path.parent / "escaped"))
    if "venv" in extra and extra["venv"] != venv and not os.path.isfile(extra["venv"]):
        assert not os.path.exists(extra["venv"])


def test_files_dest_takes_the_wagons_files_out_like_get_file(tmp_path, links, pythons):
    notice = tmp_path / "NOTICE.txt"
    notice.write_text("notice\n")
    built = run_module("wagon_build", {
        "source": "demo-app==1.0", "dest": str(tmp_path / "wagons"), "find_links": [links], "no_index": True,
        "files": [str(notice)],
    })
    dest = str(tmp_path / "etc" / "demo")
    args = {"src": built["archive"], "venv": str(tmp_path / "venv"), "venv_python": pythons["3.12"], "files_dest": dest}
    predicted = run_module("wagon_install", args, check=True, diff=True)
    assert predicted["changed"] and predicted["files"] == {"dest": dest, "placed": ["NOTICE.txt"], "kept": []}, predicted
    assert not os.path.exists(dest)
    real = run_module("wagon_install", args, diff=True)
    assert real["files"] == predicted["files"] and "+NOTICE.txt" in real["_stdout"]
    assert open(os.path.join(dest, "NOTICE.txt")).read() == "notice\n"
    assert not run_module("wagon_install", args, check=True)["changed"]
    again = run_module("wagon_install", args)
    assert not again["changed"] and again["files"]["kept"] == ["NOTICE.txt"], again
