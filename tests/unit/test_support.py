# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test support code itself: imports, interpreters, offline runs, fixture packages, real Ansible runs."""

from __future__ import annotations

import base64
import glob
import hashlib
import os
import re
import socket
import subprocess
import sys
import tarfile
import urllib.request
import zipfile

import pytest

from tests.support import offline
from tests.support.ansible import COLLECTIONS, run_module, run_playbook
from tests.support.fixtures import (
    interpreter_facts, make_cext_wheel, make_project, make_sdist, make_wheel, serve_directory,
)
from tests.support.pythons import ROOT

# Collected before the autouse fixture strips PIP_*: the machine's own pip setup.
MACHINE_ENV = dict(os.environ)
VERSIONS = ("3.8", "3.12")


def sh(argv, env=None, check=True):
    proc = subprocess.run([str(a) for a in argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, stdin=subprocess.DEVNULL, check=False, timeout=300)
    if check and proc.returncode:
        raise AssertionError("%s: rc=%d\n%s\n%s" % (argv, proc.returncode, proc.stdout, proc.stderr))
    return proc


@pytest.fixture(scope="module")
def venvs(pythons, tmp_path_factory):
    """One venv (with pip) per Python in VERSIONS, shared by this module; tests install distinct names."""
    base = tmp_path_factory.mktemp("venvs")
    made = {}
    for version in VERSIONS:
        if version not in pythons:
            pytest.skip("no pyenv Python %s" % version)
        sh([pythons[version], "-m", "venv", base / version])
        made[version] = str(base / version / "bin" / "python")
    return made


def offline_pip(python, command, *args):
    """Run ``python -m pip COMMAND ARGS`` with no network and no mirror, isolated from any pip configuration."""
    argv = [python, "-m", "pip", command, "--isolated", "--no-index", "--disable-pip-version-check"] + list(args)
    return sh(offline.offline_prefix() + argv, env=offline.offline_environment())


# --- how tests import the collection, and the interpreters ------------------


def test_the_collection_imports_from_the_repository_through_the_farm():
    from ansible_collections.offline.wagon.plugins.module_utils import _errors

    link = os.path.join(COLLECTIONS, "ansible_collections", "offline", "wagon")
    assert _errors.__file__ == os.path.join(link, "plugins", "module_utils", "_errors.py")
    assert os.path.islink(link) and os.path.realpath(link) == ROOT
    assert os.environ["ANSIBLE_COLLECTIONS_PATH"] == COLLECTIONS


def test_pythons_are_the_pyenv_interpreters_by_minor_version(pythons):
    assert set(VERSIONS) <= set(pythons) <= {"3.%d" % minor for minor in range(6, 14)}
    for version, path in pythons.items():
        assert os.access(path, os.X_OK) and path.endswith("python" + version)
    assert sh([pythons["3.8"], "-c", "import sys; print(sys.version_info[:2])"]).stdout.strip() == "(3, 8)"


@pytest.mark.parametrize("venv", [".venv", ".venv-2.19"])
def test_each_ansible_core_finds_its_get_pip_stand_in(venv):
    sources = glob.glob(os.path.join(ROOT, venv, "lib", "python3.*", "site-packages", "ansible_test", "_internal",
                                     "python_requirements.py"))
    if not sources:
        pytest.skip("%s is not set up" % venv)
    with open(sources[0]) as stream:
        pip_version = re.search(r"^\s*pip='([0-9.]+)',$", stream.read(), re.M).group(1)
    stand_in = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % pip_version.replace(".", "_"))
    with open(stand_in) as stream:
        assert "ensurepip" in stream.read()


# --- offline runs -----------------------------------------------------------


PROBE = r"""
import socket, sys
for address in [("pypi.org", 443), ("203.0.113.1", 443)]:
    try:
        socket.create_connection(address, timeout=5).close()
    except OSError as error:
        print("unreachable", address[0], type(error).__name__)
    else:
        print("REACHED", address[0])
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
socket.create_connection(server.getsockname(), timeout=5).close()
print("loopback ok")
"""


@pytest.mark.offline
def test_offline_has_no_network_but_loopback():
    out = sh(offline.offline_prefix() + [sys.executable, "-c", PROBE]).stdout
    assert "REACHED" not in out and out.count("unreachable") == 2 and "loopback ok" in out, out
    assert sh(offline.offline_prefix() + ["ip", "route"]).stdout.strip() == ""


@pytest.mark.offline
def test_offline_hides_the_package_mirrors_and_pip_configuration():
    script = "for p in \"$@\"; do if [ -d \"$p\" ]; then echo \"$p: $(ls -A \"$p\" | wc -l)\"; " \
             "elif [ -e \"$p\" ]; then echo \"$p: $(wc -c < \"$p\")\"; fi; done"
    existing = [path for path in offline.HIDDEN if os.path.exists(path)]
    inside = sh(offline.offline_prefix() + ["sh", "-c", script, "probe"] + existing).stdout.split("\n")
    assert [line for line in inside if line] == ["%s: 0" % path for path in existing]
    if os.path.isdir("/opt/pypi"):
        assert os.listdir("/opt/pypi"), "the mount leaked out of the namespace"


@pytest.mark.offline
def test_pip_download_fails_offline_even_with_the_machines_pip_configuration(tmp_path):
    # The machine's environment (PIP_FIND_LINKS=/opt/wheels, ...) and config
    # files are left as they are: only the namespaces stand in the way.
    download = [sys.executable, "-m", "pip", "download", "--no-deps", "--retries", "0", "--timeout", "5",
                "-d", tmp_path / "dl", "six"]
    failed = sh(offline.offline_prefix() + download, env=MACHINE_ENV, check=False)
    assert failed.returncode != 0 and not os.path.exists(tmp_path / "dl" / "six"), failed.stdout
    assert "No matching distribution found for six" in failed.stderr, failed.stderr


def test_offline_environment_drops_pip_variables():
    env = offline.offline_environment({"PIP_FIND_LINKS": "/opt/wheels", "PIP_CERT": "x", "PATH": "/bin"})
    assert env == {"PATH": "/bin"}


# --- fixture packages -------------------------------------------------------


def test_make_wheel_writes_a_valid_deterministic_wheel(tmp_path):
    args = dict(requires=["leaf-dep>=1"], requires_python=">=3.8", license="MIT", build="2", tag="py2.py3-none-any")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = make_wheel(tmp_path / "a", "Demo.Pure-Lib", "1.0", **args)
    second = make_wheel(tmp_path / "b", "Demo.Pure-Lib", "1.0", **args)
    assert os.path.basename(first) == "Demo_Pure_Lib-1.0-2-py2.py3-none-any.whl"
    with open(first, "rb") as one, open(second, "rb") as two:
        assert one.read() == two.read()
    with zipfile.ZipFile(first) as wheel:
        names = wheel.namelist()
        assert names == ["demo_pure_lib/__init__.py", "Demo_Pure_Lib-1.0.dist-info/METADATA",
                         "Demo_Pure_Lib-1.0.dist-info/WHEEL", "Demo_Pure_Lib-1.0.dist-info/RECORD"]
        metadata = wheel.read("Demo_Pure_Lib-1.0.dist-info/METADATA").decode()
        assert metadata.splitlines() == ["Metadata-Version: 2.1", "Name: Demo.Pure-Lib", "Version: 1.0", "License: MIT",
                                         "Requires-Python: >=3.8", "Requires-Dist: leaf-dep>=1"]
        assert "Tag: py2-none-any\nTag: py3-none-any\nBuild: 2\n" in wheel.read("Demo_Pure_Lib-1.0.dist-info/WHEEL").decode()
        for line in wheel.read("Demo_Pure_Lib-1.0.dist-info/RECORD").decode().splitlines():
            member, digest, size = line.split(",")
            if member.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = wheel.read(member)
            assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert int(size) == len(data)
        assert {info.date_time for info in wheel.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_make_wheel_takes_modules(tmp_path):
    path = make_wheel(tmp_path, "plugin", "0.1", modules={"plugin.py": "X = 1\n", "data/blob.bin": b"\0\1"})
    with zipfile.ZipFile(path) as wheel:
        assert wheel.read("plugin.py") == b"X = 1\n" and wheel.read("data/blob.bin") == b"\0\1"


@pytest.mark.offline
@pytest.mark.parametrize("version", VERSIONS)
def test_wheels_install_offline_and_work(version, venvs, wheelhouse):
    make_wheel(wheelhouse, "pure-app", "1.0", requires=["pure-dep"], requires_python=">=3.8")
    make_wheel(wheelhouse, "pure-dep", "2.0")
    offline_pip(venvs[version], "install", "--find-links", wheelhouse, "pure-app")
    out = sh([venvs[version], "-c", "import pure_app, pure_dep; print(pure_app.hello(), pure_dep.VERSION)"]).stdout
    assert out.strip() == "pure-app 1.0 2.0"


def test_cext_tags_name_the_interpreter(pythons):
    assert interpreter_facts(pythons["3.12"])[0] == "cp312-cp312-linux_%s" % os.uname().machine
    if "3.7" in pythons:  # the last ABI with the "m" flag
        assert interpreter_facts(pythons["3.7"])[0].startswith("cp37-cp37m-linux_")


@pytest.mark.offline
@pytest.mark.parametrize("version", VERSIONS)
def test_c_extension_wheels_install_only_on_their_python(version, venvs, pythons, tmp_path):
    first = make_cext_wheel(tmp_path, pythons[version], "fast-calc", "1.0")
    os.rename(first, first + ".first")
    path = make_cext_wheel(tmp_path, pythons[version], "fast-calc", "1.0")
    with open(first + ".first", "rb") as one, open(path, "rb") as two:
        assert one.read() == two.read(), "the same compiler run gave different wheels"
    tag = "cp{0}-cp{0}-linux_{1}".format(version.replace(".", ""), os.uname().machine)
    assert os.path.basename(path) == "fast_calc-1.0-%s.whl" % tag
    offline_pip(venvs[version], "install", path)
    out = sh([venvs[version], "-c", "import fast_calc; print(fast_calc.answer(), fast_calc.compiled_for())"]).stdout
    assert out.split()[0] == "42" and out.split()[1].startswith(version + ".")
    other = [v for v in VERSIONS if v != version][0]
    with pytest.raises(AssertionError, match="is not a supported wheel on this platform"):
        offline_pip(venvs[other], "install", path)


@pytest.mark.offline
@pytest.mark.parametrize("cext", [False, True], ids=["pure", "cext"])
@pytest.mark.parametrize("version", VERSIONS)
def test_projects_build_with_pip_and_no_network(version, cext, venvs, wheelhouse, tmp_path):
    name = "proj-%s-%s" % ("cext" if cext else "pure", version.replace(".", ""))
    project = make_project(tmp_path / "src", name, "0.2.0", requires=["proj-leaf"], cext=cext)
    assert sorted(os.listdir(project)) == sorted(["pyproject.toml", "wagonfix_backend.py", name.replace("-", "_")])
    make_wheel(wheelhouse, "proj-leaf", "1.0")
    offline_pip(venvs[version], "wheel", "--find-links", wheelhouse, "-w", tmp_path / "out", project)
    built = sorted(os.listdir(tmp_path / "out"))
    tag = "cp{0}-cp{0}-linux_{1}".format(version.replace(".", ""), os.uname().machine) if cext else "py3-none-any"
    assert built == sorted(["%s-0.2.0-%s.whl" % (name.replace("-", "_"), tag), "proj_leaf-1.0-py3-none-any.whl"])
    offline_pip(venvs[version], "install", "--find-links", tmp_path / "out", name)
    code = "import {0}; print({0}.hello(){1})".format(name.replace("-", "_"), ", %s.answer()" % name.replace("-", "_") if cext else "")
    assert sh([venvs[version], "-c", code]).stdout.split() == [name, "0.2.0"] + (["42"] if cext else [])


@pytest.mark.offline
def test_sdists_are_deterministic_and_install_from_file_and_url(venvs, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = make_sdist(one, "Sdist-Demo", "3.1", cext=True)
    assert os.path.basename(first) == "Sdist_Demo-3.1.tar.gz"
    with open(first, "rb") as stream, open(make_sdist(two, "Sdist-Demo", "3.1", cext=True), "rb") as again:
        assert stream.read() == again.read()
    with tarfile.open(first) as archive:
        assert sorted(archive.getnames()) == [
            "Sdist_Demo-3.1/PKG-INFO", "Sdist_Demo-3.1/pyproject.toml", "Sdist_Demo-3.1/sdist_demo/__init__.py",
            "Sdist_Demo-3.1/sdist_demo/_speedups.c", "Sdist_Demo-3.1/wagonfix_backend.py",
        ]
    offline_pip(venvs["3.8"], "install", first)
    assert sh([venvs["3.8"], "-c", "import sdist_demo; print(sdist_demo.answer())"]).stdout.strip() == "42"
    # A URL source: the server and pip share this process's network namespace.
    plain = make_sdist(tmp_path, "url-demo", "1.0")
    with serve_directory(tmp_path) as url:
        with urllib.request.urlopen(url + "/" + os.path.basename(plain)) as response:
            with open(plain, "rb") as stream:
                assert response.read() == stream.read()
        sh([venvs["3.12"], "-m", "pip", "install", "--isolated", "--no-index", "--disable-pip-version-check",
            url + "/" + os.path.basename(plain)])
    assert sh([venvs["3.12"], "-c", "import url_demo; print(url_demo.hello())"]).stdout.strip() == "url-demo 1.0"


# --- real Ansible -----------------------------------------------------------


def test_run_module_returns_the_host_result():
    result = run_module("ansible.builtin.ping", {"data": "hello there"})
    assert (result["ping"], result["changed"], result["failed"], result["_rc"]) == ("hello there", False, False, 0)


def test_run_module_runs_the_module_with_the_python_asked_for(pythons):
    args = {"gather_subset": ["!all", "min"], "filter": ["ansible_python"]}
    default = run_module("ansible.builtin.setup", args)["ansible_facts"]["ansible_python"]["executable"]
    assert default == os.path.join(ROOT, ".venv", "bin", "python")
    chosen = run_module("ansible.builtin.setup", args, python=pythons["3.11"])["ansible_facts"]["ansible_python"]
    assert chosen["executable"] == pythons["3.11"] and chosen["version"]["minor"] == 11


def test_run_module_check_and_diff(tmp_path):
    args = {"content": "one\n", "dest": str(tmp_path / "file.txt")}
    predicted = run_module("ansible.builtin.copy", args, check=True, diff=True)
    assert predicted["changed"] and not (tmp_path / "file.txt").exists()
    assert predicted["diff"][0]["after"] == "one\n"
    assert run_module("ansible.builtin.copy", args)["changed"] and (tmp_path / "file.txt").read_text() == "one\n"
    assert not run_module("ansible.builtin.copy", args, check=True)["changed"]


def test_run_module_reports_failures_and_refuses_to_guess():
    failed = run_module("ansible.builtin.command", {"argv": ["false"]})
    assert failed["failed"] and failed["rc"] == 1 and failed["_rc"] == 2
    unknown = run_module("no_such_module", {"x": 1})
    assert unknown["failed"] and "Cannot resolve 'offline.wagon.no_such_module'" in unknown["msg"]
    with pytest.raises(AssertionError, match="no result for task"):
        run_module("ansible.builtin.ping", {}, wrap=["false"])  # Ansible never ran


@pytest.mark.offline
def test_run_module_wrapped_offline():
    result = run_module("ansible.builtin.command", {"argv": [sys.executable, "-c", PROBE]}, wrap=offline.offline_prefix())
    assert "REACHED" not in result["stdout"] and "loopback ok" in result["stdout"], result


PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Write
      ansible.builtin.copy:
        content: "{{ greeting }}\\n"
        dest: "{{ dest }}"
    - name: Fail softly
      ansible.builtin.command: "false"
      ignore_errors: true
    - name: Routes
      ansible.builtin.command: ip route
      changed_when: false
"""


def test_run_playbook_results_stats_check_and_diff(tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    extra = {"greeting": "hi", "dest": str(tmp_path / "out.txt")}
    predicted = run_playbook(playbook, extra, check=True, diff=True).check()
    assert predicted.result("Write")["changed"] and not (tmp_path / "out.txt").exists()
    assert "+hi" in predicted.stdout
    real = run_playbook(playbook, extra).check()
    assert (tmp_path / "out.txt").read_text() == "hi\n"
    assert real.result("Fail softly")["failed"] and not real.result("Routes")["failed"]
    assert real.stats["localhost"]["changed"] == 2 and real.stats["localhost"]["ignored"] == 1
    assert not run_playbook(playbook, extra).check().result("Write")["changed"]
    with pytest.raises(AssertionError, match="failed"):
        run_playbook(playbook, {"dest": str(tmp_path / "x")}).check()  # greeting undefined


@pytest.mark.offline
def test_run_playbook_wrapped_offline(tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    run = run_playbook(playbook, {"greeting": "hi", "dest": str(tmp_path / "out.txt")}, wrap=offline.offline_prefix())
    assert run.check().result("Routes")["stdout"] == ""


def test_serve_directory_stops_when_done(tmp_path):
    (tmp_path / "a.txt").write_text("A")
    with serve_directory(tmp_path) as url:
        with urllib.request.urlopen(url + "/a.txt") as response:
            assert response.read() == b"A"
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
