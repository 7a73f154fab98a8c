# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Interoperability with the original ``wagon`` 1.0.3, both ways, run for real.

- Wagons built by wagon_build pass the real ``wagon show``, ``list-files``,
  ``get-file`` and ``validate``, and install with the real ``wagon.install``.
- Wagons built by the real ``wagon create`` install with wagon_install with no
  network at all, idempotently, and wagon_facts reads them.

wagon 1.0.3 comes from PyPI (sdist) into a venv of Python 3.11; see
tests/support/realwagon.py for the workarounds it needs on this machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import zipfile

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from tests.support import offline
from tests.support.ansible import run_module
from tests.support.fixtures import CEXT_SOURCE, make_cext_wheel, make_wheel
from tests.support.pythons import find_pythons
from tests.support.realwagon import RealWagon, clean_environment, make_setup_project

pytestmark = pytest.mark.network

needs_offline = pytest.mark.skipif(not offline.available(), reason="needs root, unshare and ip")

# The modules' pip must see only what a test names, not this machine's pip configuration.
NO_PIP_CONFIG = {"PIP_CONFIG_FILE": os.devnull}

NOTICE = b"Made by offline.wagon, read by wagon 1.0.3.\n"


@pytest.fixture(scope="session")
def python311():
    python = find_pythons().get("3.11")
    if not python:
        pytest.skip("needs a pyenv Python 3.11 (the real wagon runs on it)")
    return python


@pytest.fixture(scope="session")
def real_wagon(tmp_path_factory, python311):
    """wagon[dist]==1.0.3 from PyPI, in a venv of Python 3.11."""
    return RealWagon.install(python311, tmp_path_factory.mktemp("real-wagon"))


def new_venv(python, path):
    subprocess.run([python, "-m", "venv", str(path)], env=clean_environment(), check=True)
    return os.path.join(str(path), "bin", "python")


def in_venv(venv, code):
    """Run ``code`` with the venv's Python; return its stripped stdout (fail on a non-zero exit)."""
    proc = subprocess.run(
        [os.path.join(str(venv), "bin", "python"), "-c", code], env=clean_environment(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def canonical(lines):
    """``name==version`` lines with their names normalised (PEP 503), sorted."""
    return sorted("%s==%s" % (canonicalize_name(n), v) for n, v in (line.split("==", 1) for line in lines))


def member(path, name):
    """The bytes of ``name`` in the zip or tar archive at ``path``."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return archive.read(name)
    with tarfile.open(path) as archive:
        return archive.extractfile(name).read()


# Ours, read by theirs ---------------------------------------------------------------------------

# kind -> (source, package_name (also the archive's top directory), code that proves it works, its output)
OURS = {
    "pure": ("demo-app==1.0", "demo-app", "import demo_app, helper_lib; print(demo_app.VERSION, helper_lib.VERSION)", "1.0 2.0"),
    "cext": ("fastcalc==1.0", "fastcalc", "import fastcalc; print(fastcalc.answer())", "42"),
}


@pytest.fixture(scope="module")
def links(tmp_path_factory, python311):
    directory = tmp_path_factory.mktemp("links")
    make_wheel(directory, "demo-app", "1.0", requires=["helper-lib"], requires_python=">=3.8")
    make_wheel(directory, "helper-lib", "2.0")
    make_cext_wheel(directory, python311, "fastcalc", "1.0")
    return str(directory)


@pytest.mark.parametrize("archive_format", ["zip", "tar.gz"])
@pytest.mark.parametrize("kind", sorted(OURS))
def test_our_wagon_passes_the_real_wagon(tmp_path, real_wagon, links, python311, kind, archive_format):
    source, top, code, output = OURS[kind]
    notice = tmp_path / "NOTICE.txt"
    notice.write_bytes(NOTICE)
    built = run_module("wagon_build", {
        "source": source, "dest": str(tmp_path / "wagons"), "format": archive_format, "python": python311,
        "python_versions": ["3.11"], "find_links": [links], "no_index": True, "files": [str(notice)],
    }, env=NO_PIP_CONFIG)
    assert built["changed"] and not built["failed"], built
    archive = built["archive"]
    platform = "any" if kind == "pure" else "linux_x86_64"
    assert os.path.basename(archive) == "%s-1.0-py311-none-%s.wgn" % (top.replace("-", "_"), platform)

    # show: exactly our package.json, which is also what the module returned.
    shown = real_wagon.cli("show", archive)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == built["metadata"]
    assert shown.stdout.rstrip("\n").encode() == member(archive, top + "/package.json")

    # list-files / get-file: our files/ directory.
    listed = real_wagon.cli("list-files", archive)
    assert listed.returncode == 0 and "NOTICE.txt" in listed.stdout, (listed.stdout, listed.stderr)
    got = tmp_path / "got"
    got.mkdir()
    fetched = real_wagon.cli("get-file", archive, "-f", "NOTICE.txt", "-o", str(got))
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert (got / "NOTICE.txt").read_bytes() == NOTICE

    # validate: installs into a fresh venv of wagon's own Python and checks pip freeze.
    validated = real_wagon.cli("validate", archive)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]
    assert "Validation Passed" in validated.stdout

    # install, with wagon's API, into a fresh Python 3.11 venv; then the package works there.
    venv = tmp_path / "venv"
    new_venv(python311, venv)
    installed = real_wagon.api("wagon.install(%r, venv=%r)" % (archive, str(venv)))
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    assert in_venv(venv, code) == output


def test_a_wagon_of_several_targets_passes_the_real_wagon(tmp_path, real_wagon, links, python311):
    """Wheels for 3.11 and 3.12 in one wagon; the real tool validates it and installs the 3.11 set into a 3.11 venv."""
    python312 = find_pythons().get("3.12")
    if not python312:
        pytest.skip("needs a pyenv Python 3.12")
    both = str(tmp_path / "links")
    shutil.copytree(links, both)
    make_cext_wheel(both, python312, "fastcalc", "1.0")
    built = run_module("wagon_build", {
        "source": "fastcalc==1.0", "dest": str(tmp_path / "wagons"), "find_links": [both], "no_index": True,
        "targets": [{"python": "3.11", "platform": "manylinux_2_28_x86_64"},
                    {"python": "3.12", "platform": "manylinux_2_28_x86_64"}],
    }, env=NO_PIP_CONFIG)
    assert built["changed"] and not built["failed"], built
    archive = built["archive"]
    assert os.path.basename(archive) == "fastcalc-1.0-py311.py312-none-linux_x86_64.wgn"
    shown = real_wagon.cli("show", archive)
    assert shown.returncode == 0 and json.loads(shown.stdout) == built["metadata"], shown.stderr
    validated = real_wagon.cli("validate", archive)
    assert validated.returncode == 0 and "Validation Passed" in validated.stdout, validated.stdout[-3000:]
    venv = tmp_path / "venv"
    new_venv(python311, venv)
    installed = real_wagon.api("wagon.install(%r, venv=%r)" % (archive, str(venv)))
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    assert in_venv(venv, "import fastcalc; print(fastcalc.answer(), fastcalc.compiled_for()[:4])") == "42 3.11"


# Theirs, read by ours ---------------------------------------------------------------------------

HELLO = "import six\n\ndef greet():\n    return 'hello from ' + six.__name__ + ' ' + six.__version__\n"

# name -> (project or PyPI requirement given to `wagon create`, format, platform, code proving it works, its output)
THEIRS = {
    "hello-zip": ("hello", "zip", "any", "import hello_wagon; print(hello_wagon.greet())", "hello from six 1.17.0"),
    "hello-tar.gz": ("hello", "tar.gz", "any", "import hello_wagon; print(hello_wagon.greet())", "hello from six 1.17.0"),
    "cext-zip": ("cext", "zip", "linux_x86_64", "import cext_wagon; print(cext_wagon.answer())", "42"),
    "cext-tar.gz": ("cext", "tar.gz", "linux_x86_64", "import cext_wagon; print(cext_wagon.answer())", "42"),
    "six-zip": ("six==1.16.0", "zip", "any", "import six; print(six.__version__)", "1.16.0"),
}


@pytest.fixture(scope="module")
def theirs(tmp_path_factory, real_wagon):
    """``{name in THEIRS: (archive path, what wagon show prints, parsed)}``, every one made by ``wagon create``."""
    base = tmp_path_factory.mktemp("theirs")
    projects = {
        # A setup.py project with a dependency from PyPI, and one with a C extension gcc compiles.
        "hello": make_setup_project(base / "hello", "hello-wagon", "0.1.0", ["six==1.17.0"], HELLO),
        "cext": make_setup_project(base / "cext", "cext-wagon", "0.2.0", [], "from ._speedups import answer\n", CEXT_SOURCE),
    }
    made = {}
    for name, (what, archive_format, platform, _code, _output) in sorted(THEIRS.items()):
        output = base / ("out-" + name)
        output.mkdir()
        if what in projects:
            archive = real_wagon.create(projects[what], str(output), archive_format)
        else:
            # A PyPI name: wagon looks it up itself (with the URL workaround).
            archive = real_wagon.create_named(what, str(output), archive_format)
        shown = real_wagon.cli("show", archive)
        assert shown.returncode == 0, shown.stderr
        metadata = json.loads(shown.stdout)
        assert metadata["supported_platform"] == platform and metadata["created_by_wagon_version"] == "1.0.3", metadata
        made[name] = (archive, metadata)
    return made


@needs_offline
@pytest.mark.offline
@pytest.mark.parametrize("name", sorted(THEIRS))
def test_real_wagon_installs_offline_with_wagon_install(tmp_path, theirs, python311, name):
    archive, metadata = theirs[name]
    _what, _format, _platform, code, output = THEIRS[name]
    venv = str(tmp_path / "venv")
    args = {"src": archive, "venv": venv, "venv_python": python311}

    first = run_module("wagon_install", args, wrap=offline.offline_prefix())
    assert first["changed"] and not first["failed"], first
    assert first["venv_created"] is True
    assert first["wagon"]["name"] == metadata["package_name"]
    assert first["wagon"]["version"] == metadata["package_version"]
    assert first["wagon"]["platform"] == metadata["supported_platform"]
    # Every wheel of the wagon went in, at its version; the main package keeps
    # its own spelling (cext-wagon) although its file name escapes it (cext_wagon).
    added = canonical(first["plan"]["add"])
    assert len(added) == len(metadata["wheels"]), first["plan"]
    assert canonical(first["installed"]) == added
    own = "%s==%s" % (metadata["package_name"], metadata["package_version"])
    assert own in first["plan"]["add"] and own in first["installed"], first
    assert set(first["ownership"].values()) == {"added"}, first
    assert in_venv(venv, code) == output

    again = run_module("wagon_install", args, wrap=offline.offline_prefix())
    assert not again["failed"], again
    assert again["changed"] is False, again
    assert again["plan"]["add"] == [] and again["plan"]["record"] == "keep", again["plan"]
    assert canonical(again["installed"]) == added


def test_wagon_facts_reads_real_wagons(theirs):
    archives = [theirs[name][0] for name in sorted(theirs)]
    result = run_module("wagon_facts", {"archives": archives})
    assert not result["failed"] and result["changed"] is False, result
    facts = result["ansible_facts"]["wagons"]["archives"]
    assert sorted(facts) == sorted(archives)
    for name in sorted(theirs):
        archive, metadata = theirs[name]
        fact = facts[archive]
        assert fact["format"] == ("tar" if name.endswith("tar.gz") else "zip"), (name, fact["format"])
        assert fact["hashed"] is False
        assert fact["metadata"] == metadata
        assert fact["name"] == metadata["package_name"]
        assert fact["version"] == metadata["package_version"]
        assert fact["build_tag"] == ""
        assert fact["platform"] == metadata["supported_platform"]
        assert fact["python_versions"] == ["py311"]
        assert fact["wheels"] == metadata["wheels"]
        assert fact["size"] == os.path.getsize(archive) and len(fact["sha256"]) == 64
