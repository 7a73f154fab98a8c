# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pytest set-up: how tests import the collection, and fixtures every test may use.

Importing the collection: ``import ansible_collections.offline.wagon.plugins...``
resolves through the symlink farm ``build/collections/ansible_collections/
offline/wagon -> <repo>``, the same one ``ansible``, ``ansible-playbook`` and
``ansible-doc`` use in tests and demos (made here if ``make setup`` has not run).
This file puts the farm on sys.path and in ANSIBLE_COLLECTIONS_PATH before any
test is collected; pytest-ansible (``--ansible-unit-inject-only`` in
pyproject.toml) then installs Ansible's own collection finder over that path,
so imports behave as they do under Ansible. Why not pytest-ansible's default
galaxy.yml injection: it makes a second farm, ``./collections`` inside the
repository, linking only the top-level entries that exist when it first runs
(a directory added later stays invisible until someone deletes it), it only
works when pytest starts in the repository root, and the plugin is deprecated
(end of life December 2026). Without pytest-ansible the sys.path entry alone
still makes the imports work, as plain namespace packages.
"""

from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "build", "collections")

if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # for ``tests.support``

from tests.support import offline  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.pythons import find_pythons  # noqa: E402  pylint: disable=wrong-import-position


def _ensure_collection_farm():
    link = os.path.join(COLLECTIONS, "ansible_collections", "offline", "wagon")
    if os.path.realpath(link) != os.path.realpath(ROOT):
        if os.path.islink(link):
            os.unlink(link)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS


_ensure_collection_farm()


def pytest_runtest_setup(item):
    if item.get_closest_marker("offline") and not offline.available():
        pytest.skip("offline: needs unshare and ip, and the right to create namespaces (root)")


@pytest.fixture(scope="session")
def pythons():
    """``{"3.6": "/root/.pyenv/versions/3.6.15/bin/python3.6", ...}``: the pyenv CPythons 3.6-3.13 that exist."""
    wanted = ["3.%d" % minor for minor in range(6, 14)]
    found = find_pythons()
    return {version: found[version] for version in wanted if version in found}


@pytest.fixture(scope="session")
def python312(pythons):
    """The pyenv CPython 3.12 (skips where this machine has none)."""
    if "3.12" not in pythons:
        pytest.skip("needs a pyenv Python 3.12")
    return pythons["3.12"]


@pytest.fixture
def offline_argv():
    """The argv prefix that runs a command with no network and no package mirror (skips where impossible)."""
    if not offline.available():
        pytest.skip("offline: needs unshare and ip, and the right to create namespaces (root)")
    return offline.offline_prefix()


@pytest.fixture
def wheelhouse(tmp_path):
    """An empty directory for wheels, to pass to ``--find-links``."""
    directory = tmp_path / "wheelhouse"
    directory.mkdir()
    return directory


@pytest.fixture(autouse=True)
def _no_pip_config(monkeypatch):
    # This machine's pip reads local package mirrors from its configuration
    # files and PIP_* variables; tests say explicitly where pip may look.
    # PIP_CERT stays: it names the CA bundle that reaching PyPI needs here.
    for name in list(os.environ):
        if name.startswith("PIP_") and name != "PIP_CERT":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
