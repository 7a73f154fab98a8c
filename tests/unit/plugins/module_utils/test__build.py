# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The build engine, run for real with pip, against wheels and projects made in the tests (no index)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive
from ansible_collections.offline.wagon.plugins.module_utils._build import (
    BuildRequest,
    build_wagon,
    classify_source,
    targets_platform,
    wagon_platform,
)
from ansible_collections.offline.wagon.plugins.module_utils._errors import CommandError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._targets import parse_targets
from ansible_collections.offline.wagon.plugins.module_utils._runner import CommandResult
from tests.support.fixtures import make_project, make_sdist, make_wheel, serve_directory
from tests.support.pythons import run

PY_LABEL = "py%d%d" % sys.version_info[:2]
SECRET = "s3cr3t-Pa55"


# Fixtures ----------------------------------------------------------------------


@pytest.fixture
def links(tmp_path):
    """A find-links directory: Demo 1.0 needs dep-lib, which needs leaf; plus an unrelated wheel."""
    directory = tmp_path / "links"
    directory.mkdir()
    make_wheel(directory, "Demo", "1.0", requires=["dep-lib>=1"], requires_python=">=3.8", license_text="MIT")
    make_wheel(directory, "dep-lib", "1.2", requires=["leaf"], requires_python=">=3.7, !=3.0.*")
    make_wheel(directory, "leaf", "0.1")
    make_wheel(directory, "other", "2.0")
    return str(directory)


def request(tmp_path, links, source="Demo==1.0", **kwargs):
    kwargs.setdefault("dest", str(tmp_path / "out"))
    kwargs.setdefault("find_links", [links])
    kwargs.setdefault("no_index", True)
    return BuildRequest(source=source, **kwargs)


def members(path):
    with WagonArchive(path) as archive:
        return archive.top, sorted(archive.members), archive.read_metadata()


# Building ----------------------------------------------------------------------------------


def test_requirement_from_find_links(tmp_path, links):
    result = build_wagon(request(tmp_path, links), run)
    assert result.changed
    assert result.archive == str(tmp_path / "out" / ("Demo-1.0-%s-none-any.wgn" % PY_LABEL))
    top, names, metadata = members(result.archive)
    assert top == "Demo"
    assert names == [
        "Demo/package.json",
        "Demo/pylock.toml",
        "Demo/sbom.cdx.json",
        "Demo/wheels/Demo-1.0-py3-none-any.whl",
        "Demo/wheels/dep_lib-1.2-py3-none-any.whl",
        "Demo/wheels/leaf-0.1-py3-none-any.whl",
    ]
    data = metadata.data
    assert data == result.metadata.data
    assert (data["package_name"], data["package_version"], data["package_source"]) == ("Demo", "1.0", "Demo==1.0")
    assert data["supported_platform"] == "any"
    assert data["supported_python_versions"] == [PY_LABEL]
    assert data["build_server_os_properties"] == {
        "distribution": None, "distribution_release": None, "distribution_version": None
    }
    assert data["python_requires"] == ">=3.7, !=3.0.*,>=3.8"
    ours = data["offline_wagon"]
    assert ours["built_by"]["collection"] == "offline.wagon 0.1.0"
    assert ours["built_by"]["python"] == "%d.%d.%d" % sys.version_info[:3]
    assert ours["built_by"]["pip"]
    assert ours["excluded"] == []
    demo = ours["wheels"]["Demo-1.0-py3-none-any.whl"]
    assert (demo["name"], demo["version"], demo["license"], demo["requires_python"]) == ("Demo", "1.0", "MIT", ">=3.8")
    assert [w["filename"] for w in result.wheels] == sorted(data["wheels"])
    assert all(w["sha256"] == ours["wheels"][w["filename"]]["sha256"] for w in result.wheels)
    with open(result.archive, "rb") as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == result.sha256
    assert result.size == os.path.getsize(result.archive)
    assert len(result.commands) == 2 and result.commands[0][1:4] == ["-m", "pip", "wheel"]
    assert "--no-index" in result.commands[0] and result.commands[0][-1] == "Demo==1.0"
    # The second asks pip where each wheel came from, installing nothing.
    assert result.commands[1][3:6] == ["install", "--dry-run", "--ignore-installed"]
    assert "--no-index" in result.commands[1] and result.commands[1][-1] == "Demo==1.0"


def test_pyproject_only_project(tmp_path, links):
    project = make_project(tmp_path / "src" / "hello", "Hello-Proj", "0.2.0", requires=["leaf"])
    result = build_wagon(request(tmp_path, links, source=project, pip_args=["--isolated"]), run)
    data = result.metadata.data
    assert (data["package_name"], data["package_version"]) == ("Hello-Proj", "0.2.0")
    assert data["package_source"] == project
    assert os.path.basename(result.archive) == "Hello_Proj-0.2.0-%s-none-any.wgn" % PY_LABEL
    assert data["wheels"] == ["Hello_Proj-0.2.0-py3-none-any.whl", "leaf-0.1-py3-none-any.whl"]
    first, second, report = result.commands
    assert "--dry-run" in report
    assert "--no-deps" in first and first[-1] == project
    assert "--no-deps" not in second and second[-1].endswith("Hello_Proj-0.2.0-py3-none-any.whl")
    # A rebuild from source gives the same bytes (fixed times for pip builds).
    assert not build_wagon(request(tmp_path, links, source=project), run).changed


def test_requirements_files_and_python_labels(tmp_path, links):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("other==2.0\n")
    result = build_wagon(
        request(tmp_path, links, requirements=[str(requirements)], python_versions=["3.11", "311", "py312"],
                build_tag="2b"),
        run,
    )
    assert os.path.basename(result.archive) == "Demo-1.0-2b-py311.py312-none-any.wgn"
    assert "other-2.0-py3-none-any.whl" in result.metadata.wheels
    assert result.metadata.data["package_build_tag"] == "2b"


def test_exclude(tmp_path, links):
    result = build_wagon(request(tmp_path, links, exclude=["DEP_LIB", "not-there"]), run)
    assert result.metadata.wheels == ["Demo-1.0-py3-none-any.whl", "leaf-0.1-py3-none-any.whl"]
    assert result.metadata.data["offline_wagon"]["excluded"] == ["DEP_LIB", "not-there"]
    assert result.warnings == ["exclude: not-there is not among the resolved wheels; nothing was left out for it"]


def test_excluding_the_main_package_is_refused(tmp_path, links):
    with pytest.raises(WagonError, match="demo, the package the wagon is built for"):
        build_wagon(request(tmp_path, links, source="demo", exclude=["Demo"]), run)
    project = make_project(tmp_path / "proj", "Hello-Proj", "0.2.0")
    with pytest.raises(WagonError, match="Hello-Proj, the package the wagon is built for"):
        build_wagon(request(tmp_path, links, source=project, exclude=["hello.proj"]), run)
    assert not (tmp_path / "out").exists()


def test_files(tmp_path, links):
    (tmp_path / "NOTICE.txt").write_text("notice\n")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.yml").write_text("a: 1\n")
    result = build_wagon(request(tmp_path, links, files=[str(tmp_path / "NOTICE.txt"), str(tmp_path / "conf" / "app.yml")]), run)
    names, metadata = members(result.archive)[1:]
    assert "Demo/files/NOTICE.txt" in names and "Demo/files/app.yml" in names
    assert metadata.files == ["NOTICE.txt", "app.yml"]
    assert set(metadata.file_hashes) == {"NOTICE.txt", "app.yml"}


def test_files_errors(tmp_path, links):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("1")
    (tmp_path / "b" / "x.txt").write_text("2")
    with pytest.raises(WagonError, match="two files named x.txt"):
        build_wagon(request(tmp_path, links, files=[str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt")]), run)
    with pytest.raises(WagonError, match="missing.txt .in files. does not exist"):
        build_wagon(request(tmp_path, links, files=[str(tmp_path / "missing.txt")]), run)


def test_tar_gz(tmp_path, links):
    result = build_wagon(request(tmp_path, links, archive_format="tar.gz"), run)
    with WagonArchive(result.archive) as archive:
        assert archive.format == "tar"
    names = members(result.archive)[1]
    assert "Demo/wheels/leaf-0.1-py3-none-any.whl" in names
    again = build_wagon(request(tmp_path, links, archive_format="tar.gz", dest=str(tmp_path / "other")), run)
    with open(result.archive, "rb") as one, open(again.archive, "rb") as two:
        assert one.read() == two.read()


def test_second_build_changes_nothing(tmp_path, links):
    first = build_wagon(request(tmp_path, links), run)
    os.utime(first.archive, (1000000000, 1000000000))
    inode = os.stat(first.archive).st_ino
    second = build_wagon(request(tmp_path, links), run)
    assert first.changed and not second.changed
    assert second.sha256 == first.sha256
    assert os.stat(first.archive).st_mtime == 1000000000 and os.stat(first.archive).st_ino == inode
    assert sorted(os.listdir(str(tmp_path / "out"))) == [os.path.basename(first.archive)]
    assert second.diff["before"] == second.diff["after"]
    forced = build_wagon(request(tmp_path, links, force=True), run)
    assert forced.changed and forced.sha256 == first.sha256


def test_check_mode_writes_nothing(tmp_path, links):
    predicted = build_wagon(request(tmp_path, links), run, check_mode=True)
    assert predicted.changed and not (tmp_path / "out").exists()
    assert predicted.diff["before"] == "" and "leaf-0.1-py3-none-any.whl" in predicted.diff["after"]
    real = build_wagon(request(tmp_path, links), run)
    assert (real.changed, real.sha256, real.archive) == (True, predicted.sha256, predicted.archive)
    (tmp_path / "NOTICE.txt").write_text("n")
    before = os.stat(real.archive)
    changing = build_wagon(request(tmp_path, links, files=[str(tmp_path / "NOTICE.txt")]), run, check_mode=True)
    after = os.stat(real.archive)
    assert changing.changed and (after.st_ino, after.st_mtime, after.st_size) == (before.st_ino, before.st_mtime, before.st_size)
    assert os.listdir(str(tmp_path / "out")) == [os.path.basename(real.archive)]
    assert not build_wagon(request(tmp_path, links), run, check_mode=True).changed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="linux wheel tags")
def test_platform_wheel_gives_linux_platform(tmp_path, links):
    tag = "cp%d%d-cp%d%d-manylinux_2_17_%s.manylinux2014_%s" % (sys.version_info[:2] * 2 + (platform.machine(),) * 2)
    make_wheel(links, "fast", "1.0", tag=tag)
    result = build_wagon(request(tmp_path, links, source="fast"), run)
    data = result.metadata.data
    assert data["supported_platform"] == "linux_%s" % platform.machine()
    assert os.path.basename(result.archive).endswith("-none-linux_%s.wgn" % platform.machine())
    assert all(isinstance(v, str) and v == v.lower() for v in data["build_server_os_properties"].values())


# Credentials ----------------------------------------------------------------------------------


def test_index_credentials_masked_on_success(tmp_path, links):
    index = "https://builder:%s@127.0.0.1:9/simple" % SECRET
    result = build_wagon(
        request(tmp_path, links, index_url=index, pip_args=["--extra-index-url=http://tok%s@127.0.0.1:9/" % SECRET]),
        run,
    )
    assert SECRET not in repr(result)
    assert "https://********@127.0.0.1:9/simple" in result.commands[0]
    with open(result.archive, "rb") as stream:
        assert SECRET.encode() not in stream.read()


def test_credentials_masked_in_errors(tmp_path, links):
    index = "http://builder:%s@127.0.0.1:9/simple" % SECRET
    with pytest.raises(CommandError) as caught:
        build_wagon(
            request(tmp_path, links, source="absent-package", index_url=index, no_index=False,
                    pip_args=["--retries", "0", "--timeout", "1"]),
            run,
        )
    error = caught.value
    assert SECRET not in str(error) + repr(error.argv) + error.stdout + error.stderr
    assert "absent-package" in str(error)
    url_source = "http://u:%s@127.0.0.1:9/pkg-1.0.tar.gz" % SECRET
    with pytest.raises(CommandError) as caught:
        build_wagon(request(tmp_path, links, source=url_source, pip_args=["--retries", "0", "--timeout", "1"]), run)
    assert SECRET not in str(caught.value) + repr(caught.value.argv)
    assert "http://********@127.0.0.1:9/pkg-1.0.tar.gz" in str(caught.value)


# Sources and errors ------------------------------------------------------------------------


def test_classify_source(tmp_path):
    (tmp_path / "pkg.tar.gz").write_bytes(b"x")
    assert classify_source("flask==3.0.3") == ("requirement", "flask==3.0.3", "flask")
    assert classify_source("flask[async]>=3").name == "flask"
    assert classify_source("pkg @ https://h/pkg.tar.gz").kind == "requirement"
    assert classify_source(str(tmp_path)) == ("directory", str(tmp_path), None)
    assert classify_source(str(tmp_path / "pkg.tar.gz")).kind == "file"
    assert classify_source("https://h/pkg.tar.gz").kind == "url"


def test_a_bare_name_is_a_requirement_even_beside_a_directory_of_that_name(tmp_path, monkeypatch):
    (tmp_path / "demo").mkdir()
    monkeypatch.chdir(tmp_path)
    assert classify_source("demo").kind == "requirement"
    assert classify_source("./demo") == ("directory", str(tmp_path / "demo"), None)


@pytest.mark.parametrize(
    "source, message",
    [
        ("./missing-project", "does not exist .it looks like a path"),
        ("missing/project", "does not exist"),
        ("missing-1.0.tar.gz", "does not exist"),
        ("ftp://host/pkg.tar.gz", "only http, https, file URLs"),
        ("not a requirement!", "is not a requirement, an existing path or a URL"),
        ("", "source is empty"),
    ],
)
def test_bad_sources(tmp_path, links, source, message):
    with pytest.raises(WagonError, match=message):
        build_wagon(request(tmp_path, links, source=source), run)


def test_pip_failure_is_one_line_naming_the_source(tmp_path, links):
    with pytest.raises(CommandError) as caught:
        build_wagon(request(tmp_path, links, source="nowhere-to-be-found==9"), run)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("pip wheel for nowhere-to-be-found==9 failed (rc=1): ")
    assert "No matching distribution found for nowhere-to-be-found==9" in message
    assert not (tmp_path / "out").exists()


def test_bad_options(tmp_path, links):
    with pytest.raises(WagonError, match="is not a version such as"):
        build_wagon(request(tmp_path, links, python_versions=["three"]), run)
    with pytest.raises(WagonError, match="format 'rar'"):
        build_wagon(request(tmp_path, links, archive_format="rar"), run)
    with pytest.raises(WagonError, match="requirements file .* does not exist"):
        build_wagon(request(tmp_path, links, requirements=[str(tmp_path / "nope.txt")]), run)
    with pytest.raises(WagonError, match="python /nonexistent/python .* does not exist"):
        build_wagon(request(tmp_path, links, python="/nonexistent/python"), run)
    (tmp_path / "out").write_text("a file")
    with pytest.raises(WagonError, match="is not a directory"):
        build_wagon(request(tmp_path, links), run)


# Validation ----------------------------------------------------------------------------------


def test_validate_installs_into_a_throwaway_venv(tmp_path, links):
    result = build_wagon(request(tmp_path, links, validate=True), run)
    assert result.changed and os.path.isfile(result.archive)


def test_validate_fails_when_a_dependency_is_excluded(tmp_path, links):
    with pytest.raises(WagonError, match="does not install .validate."):
        build_wagon(request(tmp_path, links, exclude=["leaf"], validate=True), run)
    assert os.listdir(str(tmp_path / "out")) == []


# Platforms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wheels, expected",
    [
        (["six-1.16.0-py2.py3-none-any.whl"], "any"),
        ([], "any"),
        (["m-3.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "a-1-py3-none-any.whl"], "linux_x86_64"),
        (["m-1-cp311-cp311-manylinux1_i686.whl"], "linux_i686"),
        (["m-1-cp311-cp311-musllinux_1_1_aarch64.whl"], "linux_aarch64"),
        (["m-1-cp311-cp311-linux_x86_64.whl", "n-1-cp311-abi3-manylinux_2_28_x86_64.whl"], "linux_x86_64"),
        (["m-1-cp311-cp311-win_amd64.whl"], "win_amd64"),
        (["m-1-cp311-cp311-macosx_10_9_x86_64.whl", "n-1-cp311-cp311-macosx_11_0_arm64.whl"], "macosx_11_0_arm64"),
    ],
)
def test_wagon_platform(wheels, expected):
    assert wagon_platform(wheels) == expected


@pytest.mark.parametrize(
    "platforms, expected",
    [
        (["manylinux2014_x86_64", "musllinux_1_2_x86_64"], "linux_x86_64"),
        (["win_amd64"], "win_amd64"),
        # The real tool compares a macOS name with the host Python's build target: no one name fits every host.
        (["macosx_11_0_arm64"], "any"),
        (["manylinux2014_x86_64", "manylinux2014_aarch64"], "any"),
    ],
)
def test_targets_platform(platforms, expected):
    targets = parse_targets([{"python": "3.12", "platform": p} for p in platforms])
    sets = [(t, ["m-1-cp312-cp312-%s.whl" % t.platform]) for t in targets]
    assert targets_platform(sets) == expected
    assert targets_platform([(t, ["six-1.16.0-py2.py3-none-any.whl"]) for t in targets]) == "any"


def test_wagon_platform_refuses_mixed_platforms():
    with pytest.raises(WagonError, match="several platforms"):
        wagon_platform(["m-1-cp311-cp311-manylinux2014_x86_64.whl", "n-1-cp311-cp311-manylinux2014_aarch64.whl"])
    with pytest.raises(WagonError, match="several platforms"):
        wagon_platform(["m-1-cp311-cp311-manylinux2014_x86_64.whl", "n-1-cp311-cp311-win_amd64.whl"])


# Wagons of a whole environment (requirements alone) ---------------------------------------------


def environment_request(tmp_path, links, **kwargs):
    requirements = tmp_path / "env.txt"
    requirements.write_text("Demo==1.0\nother==2.0\n")
    kwargs.setdefault("requirements", [str(requirements)])
    kwargs.setdefault("name", "billing-env")
    kwargs.setdefault("version", "2024.6.1")
    return request(tmp_path, links, source=None, **kwargs)


def test_requirements_only_wagon(tmp_path, links):
    result = build_wagon(environment_request(tmp_path, links, validate=True), run)
    assert result.changed
    assert os.path.basename(result.archive) == "billing_env-2024.6.1-%s-none-any.wgn" % PY_LABEL
    top, names, metadata = members(result.archive)
    assert top == "billing-env"
    assert names == [
        "billing-env/package.json",
        "billing-env/pylock.toml",
        "billing-env/sbom.cdx.json",
        "billing-env/wheels/Demo-1.0-py3-none-any.whl",
        "billing-env/wheels/dep_lib-1.2-py3-none-any.whl",
        "billing-env/wheels/leaf-0.1-py3-none-any.whl",
        "billing-env/wheels/other-2.0-py3-none-any.whl",
    ]
    data = metadata.data
    assert (data["package_name"], data["package_version"]) == ("billing-env", "2024.6.1")
    assert data["package_source"] == "-r %s" % (tmp_path / "env.txt")
    assert data["offline_wagon"]["requirements_only"] is True
    assert len(result.commands) == 2 and result.commands[0][-2:] == ["--requirement", str(tmp_path / "env.txt")]
    sbom = sbom_of(result.archive)
    assert (sbom["metadata"]["component"]["name"], sbom["metadata"]["component"]["version"]) == ("billing-env", "2024.6.1")
    assert len(sbom["components"]) == 4
    # A rebuild gives the same bytes.
    assert not build_wagon(environment_request(tmp_path, links), run).changed


def test_requirements_only_wagon_with_exclude(tmp_path, links):
    result = build_wagon(environment_request(tmp_path, links, exclude=["leaf"]), run)
    assert "leaf-0.1-py3-none-any.whl" not in result.metadata.wheels
    assert [c["name"] for c in sbom_of(result.archive)["components"]] == ["Demo", "dep-lib", "other"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"requirements": []}, "give source .what to build. or requirements"),
        ({"name": None}, "needs name: nothing else names the archive"),
        ({"name": None, "version": None}, "needs name and version"),
        ({"version": None}, "needs version"),
        ({"name": "bad/name"}, "name 'bad/name' is not a distribution name"),
        ({"name": "-env"}, "is not a distribution name"),
        ({"version": "latest"}, "version 'latest' is not a version .PEP 440"),
        ({"version": "1.0-1"}, "may not contain '-'"),
    ],
)
def test_requirements_only_refusals(tmp_path, links, kwargs, message):
    with pytest.raises(WagonError, match=message):
        build_wagon(environment_request(tmp_path, links, **kwargs), run)
    assert not (tmp_path / "out").exists()


def test_name_and_version_are_refused_with_a_source(tmp_path, links):
    with pytest.raises(WagonError, match="name and version are only for a wagon built from requirements alone"):
        build_wagon(request(tmp_path, links, name="x", version="1"), run)


# The SBOM -----------------------------------------------------------------------------------


def sbom_of(path):
    with WagonArchive(path) as archive:
        return json.loads(archive.read_member("sbom.cdx.json").decode("utf-8"))


def by_name(sbom):
    return {c["name"]: c for c in sbom["components"]}


def props(component):
    return {p["name"]: p["value"] for p in component["properties"]}


def test_sbom_is_in_the_archive_and_named_by_package_json(tmp_path, links):
    make_sdist(links, "from-source", "3.0")
    requirements = tmp_path / "r.txt"
    requirements.write_text("from-source\n")
    result = build_wagon(request(tmp_path, links, requirements=[str(requirements)]), run)
    with WagonArchive(result.archive) as archive:
        raw = archive.read_member("sbom.cdx.json")
    reference = result.metadata.data["offline_wagon"]["sbom"]
    assert reference == {"file": "sbom.cdx.json", "format": "CycloneDX", "spec_version": "1.5",
                         "sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
    sbom = json.loads(raw)
    assert sbom["metadata"]["component"]["bom-ref"] == "wagon:" + os.path.basename(result.archive)
    components = by_name(sbom)
    assert sorted(components) == ["Demo", "dep-lib", "from-source", "leaf"]
    demo = components["Demo"]
    wheel = os.path.join(links, "Demo-1.0-py3-none-any.whl")
    assert demo["purl"] == "pkg:pypi/demo@1.0" and demo["licenses"] == [{"license": {"id": "MIT"}}]
    assert demo["hashes"] == [{"alg": "SHA-256", "content": result.metadata.wheel_hashes["Demo-1.0-py3-none-any.whl"]}]
    assert demo["externalReferences"][0]["url"] == "file://" + wheel
    assert props(demo)["offline.wagon:built_from_source"] == "false"
    # Built here from an sdist: the origin is the sdist, with the sdist's hash.
    built = components["from-source"]
    assert built["externalReferences"][0]["url"] == "file://" + os.path.join(links, "from_source-3.0.tar.gz")
    assert props(built)["offline.wagon:built_from_source"] == "true"
    listed = {w["name"]: w for w in result.wheels}
    assert listed["Demo"]["license"] == "MIT" and listed["Demo"]["origin"] == "file://" + wheel
    assert result.metadata.data["offline_wagon"]["wheels"]["Demo-1.0-py3-none-any.whl"]["license"] == "MIT"
    assert result.warnings == []


def test_sbom_origin_of_a_local_project_is_the_project(tmp_path, links):
    project = make_project(tmp_path / "src" / "hello", "Hello-Proj", "0.2.0", requires=["leaf"])
    result = build_wagon(request(tmp_path, links, source=project), run)
    components = by_name(sbom_of(result.archive))
    assert props(components["Hello-Proj"])["offline.wagon:origin"] == "file://" + project
    assert props(components["leaf"])["offline.wagon:origin"] == "file://" + os.path.join(links, "leaf-0.1-py3-none-any.whl")


def test_sbom_origins_from_an_index_have_no_credentials(tmp_path, links):
    index = tmp_path / "index"
    for name, filename in (("demo", "Demo-1.0-py3-none-any.whl"), ("dep-lib", "dep_lib-1.2-py3-none-any.whl"),
                           ("leaf", "leaf-0.1-py3-none-any.whl")):
        (index / "simple" / name).mkdir(parents=True)
        shutil.copy(os.path.join(links, filename), str(index / "simple" / name / filename))
    with serve_directory(index) as base:
        host = base.split("://", 1)[1]
        result = build_wagon(request(
            tmp_path, links, index_url="http://builder:%s@%s/simple" % (SECRET, host), find_links=[], no_index=False,
            pip_args=["--isolated"],
        ), run)
    origins = {c["name"]: props(c)["offline.wagon:origin"] for c in sbom_of(result.archive)["components"]}
    assert origins == {
        "Demo": "%s/simple/demo/Demo-1.0-py3-none-any.whl" % base,
        "dep-lib": "%s/simple/dep-lib/dep_lib-1.2-py3-none-any.whl" % base,
        "leaf": "%s/simple/leaf/leaf-0.1-py3-none-any.whl" % base,
    }
    assert SECRET not in repr(result)
    with open(result.archive, "rb") as stream:
        content = stream.read()
    assert SECRET.encode() not in content and b"builder" not in content


def failing_dry_run(argv, cwd=None, env=None, timeout=None):
    if "--dry-run" in argv:
        return CommandResult(2, "", "ERROR: no report today")
    return run(argv, cwd=cwd, env=env, timeout=timeout)


def test_sbom_origin_is_unknown_when_pip_cannot_report(tmp_path, links):
    result = build_wagon(request(tmp_path, links), failing_dry_run)
    assert len(result.warnings) == 1 and "no report today" in result.warnings[0]
    assert "the SBOM gives their origin as unknown" in result.warnings[0]
    sbom = sbom_of(result.archive)
    assert {props(c)["offline.wagon:origin"] for c in sbom["components"]} == {"unknown"}
    assert all("externalReferences" not in c for c in sbom["components"])
    assert {w["origin"] for w in result.wheels} == {"unknown"}


def test_sbom_origin_is_unknown_with_a_pip_older_than_22_2(tmp_path, links, pythons):
    if "3.7" not in pythons:
        pytest.skip("needs a pyenv Python 3.7 (pip 22.0)")
    result = build_wagon(request(tmp_path, links, source="dep-lib", python=pythons["3.7"]), run)
    assert len(result.commands) == 1
    assert "cannot report where each wheel came from (pip 22.2 or later can)" in result.warnings[0]
    assert {props(c)["offline.wagon:origin"] for c in sbom_of(result.archive)["components"]} == {"unknown"}


def test_targets_refuse_a_build_pip_older_than_20_3(tmp_path, links, pythons):
    if "3.6" not in pythons:
        pytest.skip("needs a pyenv Python 3.6 (pip 18.1)")
    with pytest.raises(WagonError, match="targets need pip 20.3 or later in the build Python .* has pip 18"):
        build_wagon(request(tmp_path, links, source="dep-lib", python=pythons["3.6"],
                            targets=[{"python": "3.6", "platform": "manylinux2014_x86_64"}]), run)
    assert not os.path.exists(str(tmp_path / "out"))
