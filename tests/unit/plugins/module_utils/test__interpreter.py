# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe, run by every real interpreter here (3.6-3.13)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import (
    is_venv,
    probe_interpreter,
    venv_python,
)
from ansible_collections.offline.wagon.plugins.module_utils._runner import CommandResult
from tests.support.pythons import find_pythons, run


@pytest.mark.parametrize("version", ["3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"])
def test_probe_every_python_and_its_venv(tmp_path, version):
    python = find_pythons().get(version)
    if not python:
        pytest.skip("no Python %s here" % version)
    info = probe_interpreter(python, run)
    assert "%d.%d" % info.version[:2] == version
    assert info.implementation == "cpython" and not info.in_venv
    assert info.data["glibc"] and info.data["pointer_bits"] == 64
    venv = str(tmp_path / "venv")
    assert run([python, "-m", "venv", "--without-pip", venv]).rc == 0
    assert is_venv(venv)
    site = probe_interpreter(venv_python(venv), run).purelib
    os.makedirs(os.path.join(site, "Demo_Pkg-1.2.dist-info"))
    with open(os.path.join(site, "Demo_Pkg-1.2.dist-info", "METADATA"), "w") as stream:
        stream.write("Metadata-Version: 2.1\nName: Demo_Pkg\nVersion: 1.2\n\nName: not this\n")
    with open(os.path.join(site, "legacy-0.9-py3.egg-info"), "w") as stream:
        stream.write("Metadata-Version: 1.0\nName: legacy\nVersion: 0.9\n")
    info = probe_interpreter(venv_python(venv), run)
    assert info.in_venv
    assert {(d.name, d.version, d.canonical_name) for d in info.distributions} == {
        ("Demo_Pkg", "1.2", "demo-pkg"), ("legacy", "0.9", "legacy")
    }
    assert "CPython %s" % version in info.describe()


def test_probe_errors(tmp_path):
    with pytest.raises(WagonError, match="does not exist"):
        probe_interpreter(str(tmp_path / "nope"), run)
    with pytest.raises(WagonError, match="is a directory"):
        probe_interpreter(str(tmp_path), run)
    with pytest.raises(WagonError, match="is not a working Python"):
        probe_interpreter("/bin/false", run)

    def garbage(argv, cwd=None, env=None):
        return CommandResult(0, "hello", "")

    with pytest.raises(WagonError, match="did not answer the probe"):
        probe_interpreter("/bin/true", garbage)
