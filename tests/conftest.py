# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures.

pytest-ansible (one of our declared dependencies) makes the collection
importable as ansible_collections.offline.wagon: it reads galaxy.yml and
installs Ansible's collection finder over ./collections (git-ignored).
"""

from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(scope="session")
def pythons():
    """``{"3.6": path, ...}`` for every pyenv CPython 3.6-3.13 on this machine."""
    from tests.support.pythons import find_pythons

    return find_pythons()


@pytest.fixture(autouse=True)
def _no_pip_config(monkeypatch):
    # This machine's pip reads a local package mirror from its configuration
    # and PIP_* variables; tests say explicitly where pip may look.
    for name in list(os.environ):
        if name.startswith("PIP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
