# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The installer's refusals: a wheel that does not match its own RECORD, or escapes its scheme, writes nothing."""

from __future__ import annotations

import subprocess
import zipfile

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import probe_interpreter, venv_python
from ansible_collections.offline.wagon.plugins.module_utils._wheel_install import install_wheels
from tests.support.fixtures import make_wheel
from tests.support.pythons import run
from tests.support.trees import tree_state


@pytest.fixture
def bare_venv(tmp_path, python312):
    path = str(tmp_path / "venv")
    subprocess.run([python312, "-m", "venv", "--without-pip", path], check=True)
    return path


def rewritten(path, target, changes):
    """A copy of the wheel ``path`` at ``target`` with the members in ``changes`` replaced (RECORD left as it was)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for member in source.infolist():
            copy.writestr(member, changes.get(member.filename, source.read(member.filename)))
        for name, data in changes.items():
            if name not in source.namelist():
                copy.writestr(name, data)
    return target


@pytest.mark.parametrize("changes, message", [
    ({"demo_app/__init__.py": b"import os  # not what RECORD says\n"}, "does not match the hash its RECORD gives"),
    ({"demo_app-1.0.data/nowhere/x.txt": b"x"}, "is in no known .data scheme"),
    ({"demo_app-1.0.data/data/../../../../escaped": b"x"}, "unsafe path"),
])
def test_a_wheel_that_lies_or_escapes_is_refused_and_nothing_is_written(tmp_path, bare_venv, changes, message):
    good = make_wheel(tmp_path, "demo-app", "1.0")
    bad = rewritten(good, str(tmp_path / "tampered.whl"), changes)
    info = probe_interpreter(venv_python(bare_venv), run)
    before = tree_state(bare_venv)
    with pytest.raises(WagonError, match=message):
        install_wheels([bad], info, run)
    assert tree_state(bare_venv) == before
