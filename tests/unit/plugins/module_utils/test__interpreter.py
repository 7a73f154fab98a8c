# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe, run by every real interpreter here (CPython 3.6-3.13 and the system's)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import tokenize

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import (
    CommandError,
    IncompatibleError,
    WagonError,
)
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import (
    PROBE_SOURCE,
    InstalledDistribution,
    InterpreterInfo,
    is_venv,
    probe_interpreter,
    venv_python,
)
from ansible_collections.offline.wagon.plugins.module_utils import _interpreter
from ansible_collections.offline.wagon.plugins.module_utils._runner import CommandResult, hermetic_environment
from tests.support.pythons import PYENV_ROOT, SYSTEM_PYTHON, run

# What the interpreter says of itself, asked plainly (not by the probe).
SELF_REPORT = """
import json, os, platform, struct, sys, sysconfig
paths = sysconfig.get_paths()
print(json.dumps({
    "executable": sys.executable, "version": list(sys.version_info[:3]),
    "cache_tag": sys.implementation.cache_tag, "abiflags": sys.abiflags,
    "soabi": sysconfig.get_config_var("SOABI"), "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
    "platform": sysconfig.get_platform(), "machine": platform.machine(),
    "pointer_bits": 8 * struct.calcsize("P"), "glibc": os.confstr("CS_GNU_LIBC_VERSION").split()[1],
    "prefix": sys.prefix, "purelib": paths["purelib"], "platlib": paths["platlib"],
    "scripts": paths["scripts"], "stdlib": paths["stdlib"],
    "externally_managed_marker": os.path.isfile(os.path.join(paths["stdlib"], "EXTERNALLY-MANAGED")),
}))
"""


def self_report(python):
    return json.loads(subprocess.check_output([python, "-I", "-c", SELF_REPORT], universal_newlines=True))


def test_probe_reports_what_the_interpreter_says_of_itself(python):
    info = probe_interpreter(python, run)
    expected = self_report(python)
    assert {key: getattr(info, key) for key in expected if key != "version"} == {
        key: value for key, value in expected.items() if key != "version"
    }
    assert list(info.version) == expected["version"]
    assert info.implementation == "cpython"
    assert not info.in_venv and info.base_prefix == info.prefix
    assert info.system == "Linux" and info.musl is None and info.mac_version is None
    assert info.elf["class"] == 2 and info.elf["machine"] == 62 and "ld-linux" in info.elf["interpreter"]
    assert info.abiflags == ("m" if info.version < (3, 8) else "")
    assert info.gil_disabled in (None, 0) and info.py_debug in (None, 0)
    assert info.manylinux_module is None
    assert info.externally_managed == expected["externally_managed_marker"]
    version = ".".join(str(part) for part in info.version)
    assert info.describe() == "CPython %s (%s) on linux_x86_64, glibc %s" % (version, python, expected["glibc"])


def test_info_survives_a_round_trip_through_json(python):
    info = probe_interpreter(python, run)
    data = info.to_dict()
    assert json.loads(json.dumps(data)) == data
    again = InterpreterInfo.from_dict(data)
    assert again.to_dict() == data
    assert again.distributions == info.distributions and again.version == info.version


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as stream:
        stream.write(text)


def test_probe_lists_the_distributions_of_a_venv(python, tmp_path):
    venv = str(tmp_path / "venv")
    made = run([python, "-m", "venv", "--without-pip", venv], env=hermetic_environment())
    if made.rc != 0 and python == SYSTEM_PYTHON:
        pytest.skip("the system Python cannot make venvs: %s" % made.stderr.strip()[-200:])
    assert made.rc == 0, made.stderr
    assert is_venv(venv) and os.path.isfile(venv_python(venv))
    empty = probe_interpreter(venv_python(venv), run)
    assert empty.in_venv and empty.distributions == [] and empty.pip_version is None
    assert empty.prefix == venv and empty.base_prefix == probe_interpreter(python, run).prefix
    assert empty.scripts == os.path.join(venv, "bin")
    assert not empty.externally_managed  # a venv is never externally managed (PEP 668)

    site = empty.purelib
    # Headers end at the first blank line; the body may repeat a header.
    write(os.path.join(site, "Beta_Pkg-1.2.dist-info", "METADATA"),
          "Metadata-Version: 2.1\nName: Beta_Pkg\nSummary: first line\n  continued\nVersion: 1.2\n\nName: not this\n")
    write(os.path.join(site, "alpha-2.0.dist-info", "METADATA"), "Metadata-Version: 2.1\nName: alpha\nVersion: 2.0\n")
    write(os.path.join(site, "pip-24.0.dist-info", "METADATA"), "Name: pip\nVersion: 24.0\n")
    write(os.path.join(site, "legacy-0.9-py3.egg-info"), "Metadata-Version: 1.0\nName: legacy\nVersion: 0.9\n")
    write(os.path.join(site, "olddir.egg-info", "PKG-INFO"), "Metadata-Version: 1.0\nName: OldDir\nVersion: 3.1\n")
    # No METADATA: the name and version come from the directory's name.
    os.makedirs(os.path.join(site, "Broken-0.1.dist-info"))
    # Neither metadata nor a version in the name: not a distribution we can name.
    os.makedirs(os.path.join(site, "nameless.dist-info"))
    write(os.path.join(site, "alpha", "__init__.py"), "")
    write(os.path.join(site, "helper.pth"), "")
    # A hook that talks and writes: the probe runs no site hook, so neither happens.
    sentinel = str(tmp_path / "the-pth-ran")
    write(os.path.join(site, "noisy.pth"), "import sys; print('noise'); open(%r, 'w').close()\n" % sentinel)

    info = probe_interpreter(venv_python(venv), run)
    assert not os.path.exists(sentinel)
    listed = [(d.name, d.version, os.path.basename(d.path)) for d in info.distributions]
    assert listed == [
        ("alpha", "2.0", "alpha-2.0.dist-info"),
        ("Beta_Pkg", "1.2", "Beta_Pkg-1.2.dist-info"),
        ("Broken", "0.1", "Broken-0.1.dist-info"),
        ("legacy", "0.9", "legacy-0.9-py3.egg-info"),
        ("OldDir", "3.1", "olddir.egg-info"),
        ("pip", "24.0", "pip-24.0.dist-info"),
    ]
    assert info.distributions[1].canonical_name == "beta-pkg"
    assert info.pip_version == "24.0"
    assert info.to_dict()["pip_version"] == "24.0"


def test_purelib_and_platlib_are_read_once_when_they_are_one_directory(tmp_path):
    # Fedora-style lib64 -> lib: two sysconfig paths, one directory.
    lib = tmp_path / "lib" / "site-packages"
    write(str(lib / "demo-1.0.dist-info" / "METADATA"), "Name: demo\nVersion: 1.0\n")
    os.symlink(str(tmp_path / "lib"), str(tmp_path / "lib64"))
    platlib = str(tmp_path / "lib64" / "site-packages")
    code = "import sysconfig\nsysconfig.get_paths = lambda: {'purelib': %r, 'platlib': %r}\n" % (str(lib), platlib)
    out = subprocess.check_output([sys.executable, "-I", "-c", code + PROBE_SOURCE], universal_newlines=True)
    assert [d["name"] for d in json.loads(out)["distributions"]] == ["demo"]


def test_probe_is_hermetic(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv("PIP_INDEX_URL", "http://mirror.invalid/")
    seen = {}

    def fake(argv, cwd=None, env=None, timeout=None):
        seen.update(argv=argv, env=env)
        return run(argv, cwd, env, timeout)

    probe_interpreter(sys.executable, fake)
    assert seen["argv"][:4] == [sys.executable, "-I", "-S", "-c"]
    assert "PYTHONPATH" not in seen["env"] and "PIP_INDEX_URL" not in seen["env"]


def test_probe_source_has_no_f_strings_and_no_slow_imports():
    # No f-strings, so a 3.4 or 3.5 reaches the version check and says why
    # it is refused; 3.6 syntax as such is proven by running it on 3.6.
    tokens = list(tokenize.generate_tokens(io.StringIO(PROBE_SOURCE).readline))
    f_strings = [
        token.string for token in tokens
        if token.type == getattr(tokenize, "FSTRING_START", None)
        or (token.type == tokenize.STRING and "f" in token.string.split(token.string[-1])[0].lower())
    ]
    assert f_strings == []
    for slow in ("import pip", "pkg_resources", "importlib.metadata", "importlib_metadata"):
        assert slow not in PROBE_SOURCE


def fails(python, runner, error_class, *phrases):
    with pytest.raises(error_class) as caught:
        probe_interpreter(python, runner)
    message = str(caught.value)
    assert "\n" not in message
    for phrase in phrases:
        assert phrase in message
    return caught.value


def test_probe_errors_name_the_path(tmp_path):
    missing = str(tmp_path / "nope")
    fails(missing, run, WagonError, missing, "does not exist")
    fails(str(tmp_path), run, WagonError, str(tmp_path), "is a directory")
    dangling = str(tmp_path / "dangling")
    os.symlink(missing, dangling)
    fails(dangling, run, WagonError, dangling, "broken symbolic link", missing)
    plain = tmp_path / "plain"
    plain.write_text("")
    plain.chmod(0o644)
    fails(str(plain), run, WagonError, str(plain), "is not executable")
    fails("", run, WagonError, "no Python interpreter")


def test_probe_errors_from_the_process():
    error = fails("/bin/false", run, CommandError, "/bin/false", "not a working Python", "rc=1")
    assert error.rc == 1 and error.argv[:2] == ["/bin/false", "-I"]

    def crashing(argv, cwd=None, env=None, timeout=None):
        return CommandResult(1, "", "Traceback (most recent call last):\n  File x\nImportError: no json\n")

    fails("/bin/true", crashing, CommandError, "/bin/true", "ImportError: no json")

    def unstartable(argv, cwd=None, env=None, timeout=None):
        raise OSError(8, "Exec format error")

    fails("/bin/true", unstartable, CommandError, "/bin/true", "Exec format error")


NOT_THE_PROBES = ["hello", "", "[1, 2]", '{"version": [3, 12, 1]}', '{"executable": "x", "version": "3.x"}']


@pytest.mark.parametrize("stdout", NOT_THE_PROBES)
def test_probe_errors_on_an_answer_that_is_not_the_probes(stdout):
    def answering(argv, cwd=None, env=None, timeout=None):
        return CommandResult(0, stdout, "")

    error = fails("/bin/true", answering, CommandError, "/bin/true", "did not answer the probe")
    assert error.stdout == stdout


def test_probe_refuses_pythons_older_than_3_6():
    def python35(argv, cwd=None, env=None, timeout=None):
        return CommandResult(3, "", "Python 3.5 is too old: offline.wagon needs Python 3.6 or later\n")

    fails("/bin/true", python35, IncompatibleError, "/bin/true", "too old", "Python 3.5")
    python2 = os.path.join(PYENV_ROOT, "versions", "2.7.18", "bin", "python2.7")
    if os.access(python2, os.X_OK):
        fails(python2, run, IncompatibleError, python2, "too old", "Unknown option: -I")


def test_venv_layouts(tmp_path):
    posix = str(tmp_path / "posix")
    assert venv_python(posix) == os.path.join(posix, "bin", "python")
    assert not is_venv(posix)
    windows = tmp_path / "windows"
    write(str(windows / "Scripts" / "python.exe"), "")
    write(str(windows / "pyvenv.cfg"), "home = C:\\Python312\n")
    assert venv_python(str(windows)) == str(windows / "Scripts" / "python.exe")
    assert is_venv(str(windows))


def test_installed_distribution_and_synthetic_info():
    dist = InstalledDistribution("Zope.Interface__x", "5.0", "/site/zope.interface__x-5.0.dist-info")
    assert dist.canonical_name == "zope-interface-x"
    assert dist == InstalledDistribution("Zope.Interface__x", "5.0", "/site/zope.interface__x-5.0.dist-info")
    info = InterpreterInfo.from_dict({
        "executable": "/opt/py/bin/python", "version": [3, 12, 1], "platform": "macosx-11.0-arm64",
        "mac_version": "14.2", "externally_managed_marker": True, "a_fact_from_a_newer_probe": 1,
        "distributions": [{"name": "pip", "version": "24.0"}],
    })
    assert info.describe() == "CPython 3.12.1 (/opt/py/bin/python) on macosx_11_0_arm64, macOS 14.2"
    assert info.externally_managed and info.pip_version == "24.0"
    assert "a_fact_from_a_newer_probe" not in info.to_dict()


def test_a_python_that_never_answers_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(_interpreter, "PROBE_TIMEOUT", 1)
    silent = tmp_path / "python3"
    child = tmp_path / "child.pid"
    # It starts a child of its own, which is stopped as well.
    silent.write_text("#!/bin/sh\nsleep 600 &\necho $! > %s\nsleep 600\n" % child)
    silent.chmod(0o755)
    with pytest.raises(CommandError, match="did not answer the probe within 1 seconds and was stopped"):
        probe_interpreter(str(silent), run)
    pid = int(child.read_text())
    for _attempt in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the probe's child %d still runs" % pid)
