# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wagon_install with no venv: into the environment of an interpreter (option python), as Wagon does.

The externally managed case (PEP 668) uses Debian's /usr/bin/python3 for a
refusal only (nothing is ever installed there), and a throwaway copy of a
pyenv Python prefix with an EXTERNALLY-MANAGED marker added for the refusal
and for the install with break_system_packages. The copy hard-links the
standard library (read only) but really copies site-packages and bin, the
only places an install writes to, so the real pyenv Python cannot change;
the test checks that it did not.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.ansible import run_module, run_playbook
from tests.support.fixtures import make_wheel
from tests.support.hosts import missing_prerequisites, offline_hosts
from tests.support.trees import tree_state

DEBIAN_PYTHON = "/usr/bin/python3"
MARKER_ERROR = "This Python is managed by the offline.wagon tests. Use a virtualenv, please."


@pytest.fixture(scope="module")
def wagon(tmp_path_factory):
    work = tmp_path_factory.mktemp("python-wagon")
    links = work / "links"
    links.mkdir()
    make_wheel(links, "demo-app", "1.0", requires=["helper-lib"])
    make_wheel(links, "helper-lib", "2.0")
    result = run_module("wagon_build", {
        "source": "demo-app==1.0", "dest": str(work / "wagons"), "find_links": [str(links)], "no_index": True,
    })
    assert result["changed"], result
    return result["archive"]


@pytest.fixture(scope="module")
def managed_python(tmp_path_factory, pythons):
    """A throwaway copy of the pyenv 3.12 prefix whose stdlib carries an EXTERNALLY-MANAGED marker."""
    if "3.12" not in pythons:
        pytest.skip("needs the pyenv Python 3.12")
    original = os.path.dirname(os.path.dirname(pythons["3.12"]))
    site = os.path.join(original, "lib", "python3.12", "site-packages")
    before = tree_state(site, ignore=("__pycache__",))
    copy = str(tmp_path_factory.mktemp("managed") / "python")
    subprocess.run(["cp", "-al", original, copy], check=True)
    for writable in ("bin", os.path.join("lib", "python3.12", "site-packages")):
        shutil.rmtree(os.path.join(copy, writable))
        subprocess.run(["cp", "-a", os.path.join(original, writable), os.path.join(copy, writable)], check=True)
    with open(os.path.join(copy, "lib", "python3.12", "EXTERNALLY-MANAGED"), "w") as stream:
        stream.write("[externally-managed]\nError=%s\n" % MARKER_ERROR)
    python = os.path.join(copy, "bin", "python3.12")
    prefix = subprocess.run([python, "-I", "-c", "import sys; print(sys.prefix)"], check=True,
                            stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    assert prefix == copy, "the copied interpreter does not use its own prefix: %s" % prefix
    yield python
    shutil.rmtree(copy)
    assert tree_state(site, ignore=("__pycache__",)) == before, "the real pyenv Python changed"


def test_a_venvs_interpreter_means_that_venv(tmp_path, wagon, pythons):
    venv = str(tmp_path / "venv")
    subprocess.run([pythons["3.12"], "-m", "venv", venv], check=True)
    args = {"src": wagon, "python": os.path.join(venv, "bin", "python")}
    predicted = run_module("wagon_install", args, check=True)
    first = run_module("wagon_install", args)
    assert first["changed"] and not first["failed"] and first["plan"] == predicted["plan"], first
    assert first["installed"] == ["demo-app==1.0", "helper-lib==2.0"]
    assert os.path.isfile(os.path.join(venv, ".offline-wagon", "demo-app.json"))
    again = run_module("wagon_install", args)
    assert not again["changed"] and not again["failed"], again
    # The same venv, named as a venv: the same records, so nothing to do either.
    assert not run_module("wagon_install", {"src": wagon, "venv": venv})["changed"]


def test_debian_python_is_refused_quoting_its_marker(tmp_path, wagon):
    marker = "/usr/lib/python3.11/EXTERNALLY-MANAGED"
    if not os.path.isfile(marker):
        pytest.skip("needs Debian's %s" % marker)
    site = "/usr/local/lib/python3.11/dist-packages"
    before = os.listdir(site) if os.path.isdir(site) else None
    for check in (True, False):
        result = run_module("wagon_install", {"src": wagon, "python": DEBIAN_PYTHON}, check=check)
        assert result["failed"], result
        assert "externally managed (PEP 668 marker %s)" % marker in result["msg"], result["msg"]
        assert "break_system_packages=true" in result["msg"] and "\n" not in result["msg"].strip()
    assert (os.listdir(site) if os.path.isdir(site) else None) == before


def test_externally_managed_copy_refused_then_installed_with_break_system_packages(tmp_path, wagon, managed_python):
    prefix = os.path.dirname(os.path.dirname(managed_python))
    site = os.path.join(prefix, "lib", "python3.12", "site-packages")
    before = tree_state(prefix, ignore=("__pycache__",))
    args = {"src": wagon, "python": managed_python}
    refused = run_module("wagon_install", args)
    assert refused["failed"] and MARKER_ERROR in refused["msg"], refused
    assert tree_state(prefix, ignore=("__pycache__",)) == before

    args["break_system_packages"] = True
    predicted = run_module("wagon_install", args, check=True)
    assert predicted["changed"] and tree_state(prefix, ignore=("__pycache__",)) == before, predicted
    first = run_module("wagon_install", args)
    assert first["changed"] and not first["failed"], first
    assert first["plan"] == predicted["plan"] and first["venv"] is None
    assert first["ownership"] == {"demo-app": "added", "helper-lib": "added"}
    assert os.path.isfile(os.path.join(site, "demo_app", "__init__.py"))
    assert os.path.isfile(os.path.join(site, ".offline-wagon", "demo-app.json"))
    check = subprocess.run([managed_python, "-c", "import demo_app; print(demo_app.hello())"],
                           stdout=subprocess.PIPE, universal_newlines=True, check=True)
    assert check.stdout.strip() == "demo-app 1.0"
    assert not run_module("wagon_install", args)["changed"]

    facts = run_module("wagon_facts", {"pythons": [managed_python]})["ansible_facts"]["wagons"]["pythons"]
    found = facts[managed_python]
    assert found["exists"] and found["externally_managed"] and found["venv"] is None, found
    assert found["records"] == os.path.join(site, ".offline-wagon")
    assert found["wagons"]["demo-app"]["matches"]

    removed = run_module("wagon_install", dict(args, state="absent"))
    assert removed["changed"] and removed["plan"]["remove"] == ["demo-app==1.0", "helper-lib==2.0"], removed
    assert not os.path.exists(os.path.join(site, "demo_app"))
    assert not os.path.exists(os.path.join(site, ".offline-wagon"))


PLAY = """
- hosts: offline
  gather_facts: false
  tasks:
    - name: Make a venv on the host
      ansible.builtin.command:
        argv: ["{{ host_python }}", -m, venv, /srv/pyvenv]
        creates: /srv/pyvenv/bin/python
    - name: Install into the venv's interpreter
      offline.wagon.wagon_install:
        src: "{{ wagon }}"
        python: /srv/pyvenv/bin/python
    - name: Install again
      offline.wagon.wagon_install:
        src: "{{ wagon }}"
        python: /srv/pyvenv/bin/python
    - name: Predict the removal
      offline.wagon.wagon_install:
        src: "{{ wagon }}"
        python: /srv/pyvenv/bin/python
        state: absent
      check_mode: true
      diff: true
    - name: Remove it
      offline.wagon.wagon_install:
        src: "{{ wagon }}"
        python: /srv/pyvenv/bin/python
        state: absent
      diff: true
"""


@pytest.mark.offline
@pytest.mark.skipif(bool(missing_prerequisites()), reason=missing_prerequisites() or "ok")
def test_over_ssh_the_action_plugin_asks_about_python_and_sends_nothing_twice(tmp_path, wagon, pythons):
    play = tmp_path / "play.yml"
    play.write_text(PLAY)
    with offline_hosts(1, [pythons["3.12"]]) as fleet:
        host = fleet.hosts[0]
        run = run_playbook(str(play), {"wagon": wagon, "host_python": pythons["3.12"]}, inventory=fleet.inventory)
        run.check()
        first = run.result("Install into the venv's interpreter", host=host.name)
        assert first["changed"] and first["transferred"], first
        again = run.result("Install again", host=host.name)
        assert not again["changed"] and not again["transferred"] and "nothing sent" in again["msg"], again
        # Check mode sends nothing, yet the host plans the removal from the wagon's metadata: the real run's plan.
        predicted = run.result("Predict the removal", host=host.name)
        removed = run.result("Remove it", host=host.name)
        assert predicted["changed"] and not predicted["transferred"], predicted
        assert removed["changed"] and removed["transferred"], removed
        assert predicted["plan"] == removed["plan"] and predicted["diff"] == removed["diff"], (predicted, removed)
        assert removed["plan"]["remove"] == ["demo-app==1.0", "helper-lib==2.0"], removed
        assert not os.path.exists(host.files("/srv/pyvenv/.offline-wagon"))
