# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wagon_facts' engine: archive facts with the SBOM, and validating an archive after the fact."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._archive import write_archive
from ansible_collections.offline.wagon.plugins.module_utils._build import BuildRequest, build_wagon
from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._facts import archive_facts, validate_archive
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256
from tests.support.fixtures import make_wheel
from tests.support.pythons import base_python, run

DEMO = "demo_app-1.0-py3-none-any.whl"
HELPER = "helper_lib-2.0-py3-none-any.whl"


@pytest.fixture
def links(tmp_path):
    directory = tmp_path / "links"
    directory.mkdir()
    make_wheel(directory, "demo-app", "1.0", requires=["helper-lib"], license="MIT")
    make_wheel(directory, "helper-lib", "2.0")
    return str(directory)


@pytest.fixture
def wagon(tmp_path, links):
    notice = tmp_path / "NOTICE.txt"
    notice.write_text("notice\n")
    return build_wagon(BuildRequest(
        source="demo-app==1.0", dest=str(tmp_path / "out"), find_links=[links], no_index=True, files=[str(notice)],
    ), run).archive


def rewrite(src, dst, replace=None, add=None):
    """Copy the zip ``src`` to ``dst``, with members replaced (None: removed) and added, by name under the top."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        top = old.namelist()[0].split("/")[0]
        for info in old.infolist():
            relative = info.filename[len(top) + 1:]
            if relative in replace:
                if replace[relative] is not None:
                    new.writestr(info.filename, replace[relative])
                continue
            new.writestr(info, old.read(info.filename))
        for relative, data in sorted(add.items()):
            new.writestr("%s/%s" % (top, relative), data)
    return dst


def test_archive_facts_have_the_sbom(wagon):
    facts = archive_facts(wagon)
    assert facts["sbom"]["bomFormat"] == "CycloneDX" and facts["requirements_only"] is False
    assert [c["wheel"] for c in facts["components"]] == [DEMO, HELPER]
    assert facts["components"][0]["licenses"] == ["MIT"]
    assert facts["components"][0]["origin"].startswith("file://")
    assert "valid" not in facts


def test_archive_facts_fail_on_a_missing_sbom(tmp_path, wagon):
    broken = rewrite(wagon, str(tmp_path / "nosbom.wgn"), replace={"sbom.cdx.json": None})
    with pytest.raises(WagonError, match="names the SBOM sbom.cdx.json, which is not in the archive"):
        archive_facts(broken)


def test_a_sound_wagon_is_valid(tmp_path, wagon):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    facts = validate_archive(wagon, run, tmpdir=str(scratch))
    assert facts["valid"] is True and facts["problems"] == []
    assert facts["checked"] == ["structure", "metadata", "wheel hashes", "file hashes", "sbom", "pylock"]
    assert facts["components"] and facts["name"] == "demo-app"
    assert os.listdir(str(scratch)) == []


def test_every_problem_is_reported(tmp_path, wagon, links):
    other = make_wheel(tmp_path, "helper-lib", "2.0", modules={"helper_lib/__init__.py": "changed = True\n"})
    with open(other, "rb") as stream:
        altered_wheel = stream.read()
    with zipfile.ZipFile(wagon) as archive:
        sbom = json.loads(archive.read("demo-app/sbom.cdx.json"))
    sbom["components"] = sbom["components"][:1]
    broken = rewrite(wagon, str(tmp_path / "broken.wgn"), replace={
        "wheels/" + HELPER: altered_wheel,
        "files/NOTICE.txt": b"changed\n",
        "sbom.cdx.json": json.dumps(sbom).encode(),
    }, add={"wheels/stray-1.0-py3-none-any.whl": b"not listed"})
    facts = validate_archive(broken, run)
    problems = facts["problems"]
    assert facts["valid"] is False
    assert len(problems) == 6, problems
    assert problems[0] == "the archive holds wheels/stray-1.0-py3-none-any.whl, which package.json does not list"
    assert problems[1].startswith("wheels/%s has sha256 %s, but package.json says" % (HELPER, file_sha256(other)))
    assert problems[2].startswith("files/NOTICE.txt has sha256") and "altered or damaged" in problems[2]
    assert "the SBOM sbom.cdx.json has sha256" in problems[3] and "it was altered" in problems[3]
    assert problems[4] == "the SBOM sbom.cdx.json does not describe the wheel %s" % HELPER
    assert problems[5] == "the SBOM sbom.cdx.json does not describe the file NOTICE.txt"


def test_missing_members_and_wrong_wheels_are_problems(tmp_path, wagon):
    impostor = make_wheel(tmp_path, "other-dist", "9.9")
    with open(impostor, "rb") as stream:
        data = stream.read()
    broken = rewrite(wagon, str(tmp_path / "broken.wgn"), replace={
        "wheels/" + DEMO: None, "sbom.cdx.json": None, "wheels/" + HELPER: data,
    })
    problems = validate_archive(broken, run)["problems"]
    assert "package.json lists wheels/%s, which is not in the archive" % DEMO in problems
    assert any(p.startswith("wheels/%s holds other-dist 9.9, but package.json says helper-lib 2.0" % HELPER) for p in problems)
    assert any("names the SBOM sbom.cdx.json, which is not in the archive" in p for p in problems)
    assert "package.json names the package demo-app, but no wheel of it is in the wagon" not in problems


def test_a_wagon_without_its_main_package(tmp_path):
    wheel = make_wheel(tmp_path, "helper-lib", "2.0")
    info = {"sha256": file_sha256(wheel), "size": 1, "name": "helper-lib", "version": "2.0"}
    metadata = create_metadata("demo-app", "1.0", "t", {HELPER: info}, "any", ["py3"])
    path = write_archive(str(tmp_path / "a.wgn"), "demo-app", metadata.to_json(), {HELPER: wheel})
    problems = validate_archive(path, run)["problems"]
    assert len(problems) == 1 and problems[0].startswith("package.json names the package demo-app, but no wheel of it")


def test_a_wagon_with_no_hashes_is_read_and_says_so(tmp_path):
    wheel = make_wheel(tmp_path, "six", "1.16.0")
    data = json.dumps({"package_name": "six", "package_version": "1.16.0", "wheels": [os.path.basename(wheel)],
                       "supported_platform": "any"}).encode()
    path = write_archive(str(tmp_path / "six.wgn"), "six", data, {os.path.basename(wheel): wheel})
    facts = validate_archive(path, run)
    assert facts["valid"] is True and facts["sbom"] is None and facts["hashed"] is False
    assert facts["checked"] == ["structure", "metadata", "wheels (the wagon records no hashes)"]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"hello\n" * 10, "neither a zip nor a tar"),
    ],
)
def test_an_unreadable_archive_is_one_problem(tmp_path, content, message):
    path = tmp_path / "x.wgn"
    if content is not None:
        path.write_bytes(content)
    facts = validate_archive(str(path), run)
    assert facts["valid"] is False and len(facts["problems"]) == 1 and message in facts["problems"][0]
    assert sorted(facts) == ["checked", "problems", "valid"]


def test_unreadable_metadata_is_one_problem(tmp_path):
    path = write_archive(str(tmp_path / "x.wgn"), "x", b"{nope", {})
    facts = validate_archive(path, run)
    assert facts == {"valid": False, "problems": [facts["problems"][0]], "checked": ["structure"]}
    assert "not valid JSON" in facts["problems"][0]


def test_validate_install_into_a_throwaway_venv(tmp_path, wagon, links):
    python = base_python()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    facts = validate_archive(wagon, run, install=True, python=python, tmpdir=str(scratch))
    assert facts["valid"] is True, facts["problems"]
    assert facts["checked"][-1] == "install"
    assert os.listdir(str(scratch)) == []
    # A wagon whose wheel needs a Python that does not exist yet installs nowhere.
    future = tmp_path / "future"
    future.mkdir()
    make_wheel(future, "future-lib", "1.0", requires_python=">=4")
    built = build_wagon(BuildRequest(source="future-lib", dest=str(tmp_path / "out2"), find_links=[str(future)],
                                     no_index=True, pip_args=["--ignore-requires-python"]), run)
    facts = validate_archive(built.archive, run, install=True, python=python, tmpdir=str(scratch))
    assert facts["valid"] is False and len(facts["problems"]) == 1
    assert facts["problems"][0].startswith("the test install into a throwaway venv of %s failed: " % python)
    assert "Requires-Python >=4" in facts["problems"][0]
    assert os.listdir(str(scratch)) == []


def test_a_requirements_only_wagon_is_valid_and_installs(tmp_path, links):
    requirements = tmp_path / "env.txt"
    requirements.write_text("demo-app\n")
    built = build_wagon(BuildRequest(source=None, requirements=[str(requirements)], name="app-env", version="3",
                                     dest=str(tmp_path / "out"), find_links=[links], no_index=True), run)
    facts = validate_archive(built.archive, run, install=True, python=base_python())
    assert facts["valid"] is True, facts["problems"]
    assert facts["requirements_only"] is True and facts["name"] == "app-env"
    assert [c["name"] for c in facts["components"]] == ["demo-app", "helper-lib"]
