# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ships: the tarball `ansible-galaxy collection build` makes, and the
execution-environment metadata `ansible-builder introspect` reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile

import pytest
import yaml

from tests.support.ansible import BIN, environment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINT_BIN = os.path.join(ROOT, ".venv-lint", "bin")

# Left behind by development tools, tests and builds; each must stay out of the tarball.
JUNK = [
    "dist/offline-wagon-0.1.0.tar.gz",
    "flask-3.0.3-py3-none-any-linux_x86_64.wgn",
    "wagons/six-1.16.0-py2.py3-none-any-none-none.wgn",
    ".pytest_cache/v/cache/nodeids",
    ".ansible/collections/ansible_collections/x/y/galaxy.yml",
    ".mypy_cache/3.12/cache.db",
    ".ruff_cache/CACHEDIR.TAG",
    ".tox/py/pyvenv.cfg",
    ".venv-lint/pyvenv.cfg",
    ".cache/pip/x",
    "build/collections/x",
    "collections/ansible_collections/x",
    "docsite/build/html/index.html",
    "tests/output/junit/x.xml",
    "changelogs/.plugin-cache.yaml",
    "plugins/modules/__pycache__/wagon_install.cpython-312.pyc",
]
# Directories of those that must not be there at all, not even empty.
JUNK_DIRS = [".pytest_cache", ".ansible", ".mypy_cache", ".ruff_cache", ".tox", ".venv-lint", ".cache", "dist", "build",
             "collections", "docsite", "tests/output", "plugins/modules/__pycache__"]
# Development files that are not part of the collection.
DEVELOPMENT = [".ci", ".gitignore", ".ansible-lint", ".ansible-lint-ignore", "Makefile", "pyproject.toml", "requirements-dev.txt",
               "requirements-lint.txt", "requirements-docs.txt", "scripts", "demo", "bench"]
# What a user of the collection needs.
WANTED = [
    "LICENSE", "README.md", "CHANGELOG.md", "MANIFEST.json", "FILES.json", "meta/runtime.yml",
    "meta/execution-environment.yml", "requirements.txt", "bindep.txt", "changelogs/changelog.yaml",
    "changelogs/config.yaml", "docs/docsite/extra-docs.yml", "docs/docsite/links.yml", "docs/docsite/rst/format.rst",
    "plugins/modules/wagon_install.py", "plugins/action/wagon_install.py", "roles/rollout/README.md",
]


def tracked_files():
    out = subprocess.run(["git", "-C", ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         check=True, stdout=subprocess.PIPE).stdout.decode()
    return [name for name in out.split("\0") if name and os.path.isfile(os.path.join(ROOT, name))]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A copy of the collection's files with every kind of junk dropped in."""
    top = tmp_path_factory.mktemp("collection") / "wagon"
    for name in tracked_files():
        os.makedirs(os.path.dirname(str(top / name)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), str(top / name))
    for name in JUNK:
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text("junk\n")
    return top


def test_tarball_holds_no_junk(tree, tmp_path):
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path),
                    str(tree)], env=environment(), check=True, stdout=subprocess.PIPE)
    (tarball,) = tmp_path.glob("offline-wagon-*.tar.gz")
    with tarfile.open(str(tarball)) as tar:
        names = [member.name for member in tar.getmembers()]
    for path in JUNK:
        assert path not in names, "%s is in the tarball" % path
    for top in JUNK_DIRS + DEVELOPMENT:
        caught = [name for name in names if name == top or name.startswith(top + "/")]
        assert not caught, "%s is in the tarball: %s" % (top, caught)
    assert not [name for name in names if name.endswith((".wgn", ".pyc"))]
    missing = sorted(set(WANTED) - set(names))
    assert not missing, "missing from the tarball: %s" % missing


@pytest.mark.skipif(not os.path.exists(os.path.join(LINT_BIN, "ansible-builder")),
                    reason="ansible-builder is installed in .venv-lint by scripts/setup.sh")
def test_builder_introspect_lists_dependencies(tmp_path):
    """ansible-builder reads meta/execution-environment.yml, requirements.txt and bindep.txt from an
    installed collection, as it does when it builds an execution environment image."""
    install = tmp_path / "collections"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(install),
                    ROOT], env=environment(), check=True, stdout=subprocess.PIPE)
    out = subprocess.run([os.path.join(LINT_BIN, "ansible-builder"), "introspect", str(install)],
                         check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    # The output is a YAML document after a title line for each part.
    found = yaml.safe_load(out[out.index("python:"):]) if "python:" in out else {}
    python = [line.split("#")[0].strip() for line in found.get("python", [])]
    system = [line.split("#")[0].strip() for line in found.get("system", [])]
    with open(os.path.join(ROOT, "requirements.txt")) as f:
        wanted_python = [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]
    with open(os.path.join(ROOT, "bindep.txt")) as f:
        wanted_system = [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]
    assert wanted_python and sorted(python) == sorted(wanted_python), out
    assert wanted_system and sorted(system) == sorted(wanted_system), out
