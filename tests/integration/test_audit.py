# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Audit features through real Ansible: wagons of a whole environment, the SBOM, validating after the fact.

The host side (installs, test installs) runs with no network where the
machine allows it; builds use find-links of fixture wheels, or a loopback
HTTP index served by the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256
from tests.support import offline
from tests.support.ansible import run_module
from tests.support.fixtures import make_wheel, serve_directory
from tests.support.pythons import find_pythons, run

needs_offline = pytest.mark.skipif(not offline.available(), reason="needs root, unshare and ip")
SECRET = "Audit-s3cr3t"


def offline_wrap():
    return offline.offline_prefix() if offline.available() else ()


@pytest.fixture
def links(tmp_path):
    directory = tmp_path / "links"
    directory.mkdir()
    make_wheel(directory, "demo-app", "1.0", requires=["helper-lib"], license="MIT")
    make_wheel(directory, "helper-lib", "2.0", license="Apache-2.0")
    make_wheel(directory, "report-tool", "0.3")
    return str(directory)


@pytest.fixture
def env_file(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("demo-app==1.0\nreport-tool\n")
    return str(path)


def env_args(tmp_path, links, env_file, **more):
    args = {"requirements": [env_file], "name": "billing-env", "version": "2024.6.1",
            "dest": str(tmp_path / "wagons"), "find_links": [links], "no_index": True}
    args.update(more)
    return args


def listing(directory):
    if not os.path.isdir(directory):
        return None
    return sorted((name, file_sha256(os.path.join(directory, name))) for name in os.listdir(directory))


# Wagons of a whole environment -------------------------------------------------------------------


def test_requirements_only_wagon_builds_installs_and_reports(tmp_path, links, env_file, pythons):
    args = env_args(tmp_path, links, env_file)
    predicted = run_module("wagon_build", args, check=True)
    assert predicted["changed"] and not predicted["failed"], predicted
    assert not os.path.exists(str(tmp_path / "wagons"))
    built = run_module("wagon_build", args)
    assert built["changed"] and built["sha256"] == predicted["sha256"], built
    assert os.path.basename(built["archive"]) == "billing_env-2024.6.1-py312-none-any.wgn"
    metadata = built["metadata"]
    assert (metadata["package_name"], metadata["package_version"]) == ("billing-env", "2024.6.1")
    assert metadata["offline_wagon"]["requirements_only"] is True
    assert [w["name"] for w in built["wheels"]] == ["demo-app", "helper-lib", "report-tool"]
    assert not run_module("wagon_build", args, check=True)["changed"]
    assert not run_module("wagon_build", args)["changed"]

    # Every wheel goes in, on a host with no network.
    venv = str(tmp_path / "venv")
    installed = run_module("wagon_install", {"src": built["archive"], "venv": venv, "venv_python": pythons["3.12"]},
                           wrap=offline_wrap())
    assert installed["changed"] and not installed["failed"], installed
    assert sorted(installed["installed"]) == ["demo-app==1.0", "helper-lib==2.0", "report-tool==0.3"]
    code = "import demo_app, helper_lib, report_tool; print(demo_app.VERSION, helper_lib.VERSION, report_tool.VERSION)"
    assert run([os.path.join(venv, "bin", "python"), "-c", code]).stdout.strip() == "1.0 2.0 0.3"

    facts = run_module("wagon_facts", {"archives": [built["archive"]], "venvs": [venv]})
    archive = facts["ansible_facts"]["wagons"]["archives"][built["archive"]]
    assert archive["requirements_only"] is True and archive["name"] == "billing-env"
    assert facts["ansible_facts"]["wagons"]["venvs"][venv]["wagons"]["billing-env"]["matches"] is True


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": None}, "needs name: nothing else names the archive"),
        ({"name": None, "version": None}, "needs name and version"),
        ({"requirements": [], "version": None}, "give source (what to build) or requirements"),
        ({"version": "latest"}, "version 'latest' is not a version"),
        ({"name": "billing env"}, "is not a distribution name"),
        ({"source": "demo-app==1.0"}, "name and version are only for a wagon built from requirements alone"),
    ],
)
def test_requirements_only_refusals(tmp_path, links, env_file, change, message):
    args = {k: v for k, v in dict(env_args(tmp_path, links, env_file), **change).items() if v is not None}
    result = run_module("wagon_build", args)
    assert result["failed"] and message in result["msg"], result
    assert "\n" not in result["msg"]
    assert not os.path.exists(str(tmp_path / "wagons"))


# The SBOM ------------------------------------------------------------------------------------------


def test_sbom_records_licences_hashes_and_origins_without_credentials(tmp_path, links):
    index = tmp_path / "index"
    for project in ("demo-app", "helper-lib"):
        (index / "simple" / project).mkdir(parents=True)
        filename = "%s-%s-py3-none-any.whl" % (project.replace("-", "_"), "1.0" if project == "demo-app" else "2.0")
        shutil.copy(os.path.join(links, filename), str(index / "simple" / project / filename))
    with serve_directory(index) as base:
        host = base.split("://", 1)[1]
        built = run_module("wagon_build", {
            "source": "demo-app==1.0", "dest": str(tmp_path / "wagons"),
            "index_url": "http://builder:%s@%s/simple" % (SECRET, host), "pip_args": ["--isolated"],
        })
    assert built["changed"] and not built["failed"], built
    assert SECRET not in built["_stdout"] + built["_stderr"] + json.dumps(built)
    with open(built["archive"], "rb") as stream:
        assert SECRET.encode() not in stream.read()

    facts = run_module("wagon_facts", {"archives": [built["archive"]]})
    archive = facts["ansible_facts"]["wagons"]["archives"][built["archive"]]
    sbom = archive["sbom"]
    assert (sbom["bomFormat"], sbom["specVersion"]) == ("CycloneDX", "1.5")
    assert sbom["serialNumber"].startswith("urn:uuid:")
    assert sbom["metadata"]["component"]["name"] == "demo-app"
    hashes = built["metadata"]["offline_wagon"]["wheels"]
    assert archive["components"] == [
        {"wheel": "demo_app-1.0-py3-none-any.whl", "name": "demo-app", "version": "1.0", "purl": "pkg:pypi/demo-app@1.0",
         "sha256": hashes["demo_app-1.0-py3-none-any.whl"]["sha256"], "licenses": ["MIT"],
         "origin": "%s/simple/demo-app/demo_app-1.0-py3-none-any.whl" % base},
        {"wheel": "helper_lib-2.0-py3-none-any.whl", "name": "helper-lib", "version": "2.0", "purl": "pkg:pypi/helper-lib@2.0",
         "sha256": hashes["helper_lib-2.0-py3-none-any.whl"]["sha256"], "licenses": ["Apache-2.0"],
         "origin": "%s/simple/helper-lib/helper_lib-2.0-py3-none-any.whl" % base},
    ]
    assert built["metadata"]["offline_wagon"]["sbom"]["file"] == "sbom.cdx.json"
    with zipfile.ZipFile(built["archive"]) as wagon:
        assert json.loads(wagon.read("demo-app/sbom.cdx.json")) == sbom


# Validating after the fact -----------------------------------------------------------------------


@pytest.fixture
def built(tmp_path, links):
    result = run_module("wagon_build", {
        "source": "demo-app==1.0", "dest": str(tmp_path / "wagons"), "find_links": [links], "no_index": True,
    })
    assert result["changed"], result
    return result["archive"]


def tampered_copy(src, dst, wheel):
    """``src`` with the helper-lib wheel replaced by ``wheel`` and an unlisted wheel added."""
    with open(wheel, "rb") as stream:
        replacement = stream.read()
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename.endswith("helper_lib-2.0-py3-none-any.whl"):
                data = replacement
            new.writestr(info, data)
        new.writestr("demo-app/wheels/extra-1.0-py3-none-any.whl", b"x")
    return dst


def test_validate_reports_every_problem_without_failing(tmp_path, built):
    (tmp_path / "evil").mkdir()
    evil = make_wheel(tmp_path / "evil", "helper-lib", "2.0", modules={"helper_lib/__init__.py": "import os\n"})
    tampered = tampered_copy(built, str(tmp_path / "tampered.wgn"), evil)
    missing = str(tmp_path / "missing.wgn")
    before = listing(str(tmp_path / "wagons"))
    result = run_module("wagon_facts", {"archives": [built, tampered, missing], "validate": True}, check=True)
    assert not result["failed"] and result["changed"] is False, result
    archives = result["ansible_facts"]["wagons"]["archives"]
    assert archives[built]["valid"] is True and archives[built]["problems"] == []
    assert archives[built]["checked"] == ["structure", "metadata", "wheel hashes", "sbom", "pylock"]
    problems = archives[tampered]["problems"]
    assert archives[tampered]["valid"] is False
    assert len(problems) == 3, problems
    assert "holds wheels/extra-1.0-py3-none-any.whl, which package.json does not list" in problems[0]
    assert "wheels/helper_lib-2.0-py3-none-any.whl has sha256" in problems[1]
    assert "the SBOM sbom.cdx.json gives the wheel helper_lib-2.0-py3-none-any.whl the sha256" in problems[2]
    assert archives[missing] == {"valid": False, "problems": ["%s does not exist" % missing], "checked": []}
    assert listing(str(tmp_path / "wagons")) == before
    # Without validate, a missing archive still fails the module.
    plain = run_module("wagon_facts", {"archives": [missing]})
    assert plain["failed"] and "does not exist" in plain["msg"]


@pytest.mark.parametrize("check", [False, True])
def test_validate_install_in_a_throwaway_venv_with_no_network(tmp_path, built, links, pythons, check):
    future = tmp_path / "future"
    future.mkdir()
    make_wheel(future, "future-lib", "1.0", requires_python=">=4")
    unfit = run_module("wagon_build", {
        "source": "future-lib", "dest": str(tmp_path / "wagons"), "find_links": [str(future)], "no_index": True,
        "pip_args": ["--ignore-requires-python"],
    })["archive"]
    before = listing(str(tmp_path / "wagons"))
    result = run_module("wagon_facts", {
        "archives": [built, unfit], "validate_install": True, "validate_python": pythons["3.12"],
    }, check=check, wrap=offline_wrap())
    assert not result["failed"] and result["changed"] is False, result
    archives = result["ansible_facts"]["wagons"]["archives"]
    assert archives[built]["valid"] is True, archives[built]["problems"]
    assert archives[built]["checked"][-1] == "install"
    assert archives[unfit]["valid"] is False
    assert archives[unfit]["problems"] == [archives[unfit]["problems"][0]]
    assert archives[unfit]["problems"][0].startswith("the test install into a throwaway venv of %s failed: " % pythons["3.12"])
    assert listing(str(tmp_path / "wagons")) == before


# What the original tool does with a wagon of a whole environment --------------------------------------


@pytest.mark.network
def test_real_wagon_shows_but_cannot_install_a_requirements_only_wagon(tmp_path, links, env_file):
    from tests.support.realwagon import RealWagon, clean_environment  # pylint: disable=import-outside-toplevel

    python311 = find_pythons().get("3.11")
    if not python311:
        pytest.skip("needs a pyenv Python 3.11 (the real wagon runs on it)")
    notice = tmp_path / "NOTICE.txt"
    notice.write_text("notice\n")
    built = run_module("wagon_build", env_args(tmp_path, links, env_file, python=python311, files=[str(notice)]),
                       env={"PIP_CONFIG_FILE": os.devnull})
    assert built["changed"], built
    real = RealWagon.install(python311, tmp_path / "real")
    shown = real.cli("show", built["archive"])
    assert shown.returncode == 0 and json.loads(shown.stdout) == built["metadata"], shown.stderr
    listed = real.cli("list-files", built["archive"])
    assert listed.returncode == 0 and "NOTICE.txt" in listed.stdout, listed.stderr
    validated = real.cli("validate", built["archive"])
    assert "Validation Passed" not in validated.stdout + validated.stderr
    assert "billing-env" in validated.stdout + validated.stderr
    venv = tmp_path / "venv"
    subprocess.run([python311, "-m", "venv", str(venv)], env=clean_environment(), check=True)
    installed = real.api("wagon.install(%r, venv=%r)" % (built["archive"], str(venv)))
    assert installed.returncode != 0
    assert "No matching distribution found for billing-env" in installed.stdout + installed.stderr
