# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pip 26.1+ and uv install an extracted wagon from its pylock.toml, offline, as wagon_install does.

pip (26.1 or newer, the first that reads ``-r pylock.toml``) and uv come from
the package index into a tool venv; without them the tests skip, saying so.
Each installer is pointed at a fresh venv with ``--python``, so the venvs
compared hold only what was installed into them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from tests.support.ansible import run_module
from tests.support.fixtures import make_wheel
from tests.support.realwagon import clean_environment

pytestmark = pytest.mark.network

NO_PIP_CONFIG = {"PIP_CONFIG_FILE": os.devnull}
LIST = ("import importlib.metadata as m, json; "
        "print(json.dumps(sorted((d.metadata['Name'].lower(), d.version) for d in m.distributions())))")
# What a venv holds before anything is installed into it.
SEEDED = {"pip", "setuptools", "wheel"}


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    """A venv with pip 26.1+ and uv from the package index (this machine's pip configuration applies)."""
    venv = tmp_path_factory.mktemp("pylock-tools") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    found = {}
    for tool, requirement, program in (("pip", "pip>=26.1", [python, "-m", "pip"]), ("uv", "uv", [str(venv / "bin" / "uv")])):
        got = subprocess.run([python, "-m", "pip", "install", "-q", "-U", requirement], capture_output=True, text=True, check=False)
        if got.returncode == 0:
            found[tool] = program
    return found


def fresh_venv(path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], env=clean_environment(), check=True)
    return str(path / "bin" / "python")


def distributions(python):
    listed = subprocess.run([python, "-c", LIST], capture_output=True, text=True, check=True).stdout
    return [tuple(d) for d in json.loads(listed) if d[0] not in SEEDED]


@pytest.fixture(scope="module")
def wagon(tmp_path_factory):
    """A wagon of Demo (Demo needs dep-lib, which needs zope.leaf), and what wagon_install puts into a venv."""
    base = tmp_path_factory.mktemp("pylock-wagon")
    links = base / "links"
    links.mkdir()
    make_wheel(links, "Demo", "1.0", requires=["dep-lib>=1"], requires_python=">=3.8")
    make_wheel(links, "dep-lib", "1.2", requires=["zope.leaf"])
    make_wheel(links, "zope.leaf", "0.1")
    built = run_module("wagon_build", {"source": "Demo==1.0", "dest": str(base / "wagons"), "find_links": [str(links)],
                                       "no_index": True, "python": sys.executable}, env=NO_PIP_CONFIG)
    assert built["changed"] and not built["failed"], built
    extracted = base / "extracted"
    with zipfile.ZipFile(built["archive"]) as archive:
        archive.extractall(str(extracted))
    venv = base / "by-wagon-install"
    python = fresh_venv(venv)
    installed = run_module("wagon_install", {"src": built["archive"], "venv": str(venv)}, env=NO_PIP_CONFIG)
    assert installed["changed"] and not installed["failed"], installed
    expected = distributions(python)
    assert expected == [("demo", "1.0"), ("dep-lib", "1.2"), ("zope.leaf", "0.1")]
    return str(extracted / "Demo"), expected


def test_pip_installs_the_wagon_from_its_lock(tmp_path, tools, wagon):
    if "pip" not in tools:
        pytest.skip("pip 26.1 or newer (the first to read pylock.toml) is not available from the package index")
    top, expected = wagon
    python = fresh_venv(tmp_path / "venv")
    got = subprocess.run(tools["pip"] + ["--isolated", "--python", python, "install", "--no-index", "-r", "pylock.toml"],
                         cwd=top, capture_output=True, text=True, env=dict(os.environ, **NO_PIP_CONFIG), check=False)
    assert got.returncode == 0, got.stdout + got.stderr
    assert distributions(python) == expected


def test_uv_installs_the_wagon_from_its_lock(tmp_path, tools, wagon):
    if "uv" not in tools:
        pytest.skip("uv is not available from the package index")
    top, expected = wagon
    python = fresh_venv(tmp_path / "venv")
    got = subprocess.run(tools["uv"] + ["pip", "install", "--offline", "--no-index", "--no-config", "--python", python,
                                        "-r", "pylock.toml"],
                         cwd=top, capture_output=True, text=True, env=dict(os.environ, UV_CACHE_DIR=str(tmp_path / "cache")), check=False)
    assert got.returncode == 0, got.stdout + got.stderr
    assert distributions(python) == expected
