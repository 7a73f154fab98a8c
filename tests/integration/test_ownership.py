# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who owns what in a venv, through real ``ansible-playbook`` runs: the install record's rules, case by case.

Each case is one playbook, written by the test. Every wagon_install step in
it runs four times, community.crypto's way: check mode with diff, the real
run with diff, then both again; :func:`converged` asserts that check mode
predicted the real run (changed, plan, diff, ownership, msg) and that the
repeat changed nothing. ``Snapshot`` tasks take :func:`tree_state` of a venv
in the middle of a play, for "byte for byte unchanged".

The fixture wheels are written here (make_wheel) and the wagons made from
them directly (make_wagon): no package index, no build. pip, where a case
needs it (a venv made by ``python -m venv``, distributions pip installed), runs
with ``--no-index`` on these wheels; the other pip is the one a pyenv Python
bundles for ensurepip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from tests.support.ansible import run_playbook
from tests.support.fixtures import make_wheel
from tests.support.pythons import CONTROLLER_PYTHON, ROOT
from tests.support.wagons import bundled_pip_wheel, make_wagon

PYTHON = "3.12"

# Prints tree_state(argv[2]) as JSON; run by a Snapshot task with the controller's Python.
SNAPSHOT = "import json, sys; sys.path.insert(0, sys.argv[1]); from tests.support.trees import tree_state; " \
           "print(json.dumps(tree_state(sys.argv[2])))"

# What importlib.metadata sees in the running environment: {name: version}, and
# every requirement (by name) that no installed distribution satisfies.
METADATA_CHECK = r"""
import importlib.metadata as metadata, json, re
dists = {d.metadata["Name"].lower().replace("_", "-"): d for d in metadata.distributions()}
missing = []
for key, dist in sorted(dists.items()):
    for requirement in dist.requires or []:
        if ";" in requirement:
            continue
        name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")
        if name not in dists:
            missing.append("%s requires %s" % (dist.metadata["Name"], requirement))
print(json.dumps({"installed": {d.metadata["Name"]: d.version for d in dists.values()}, "missing": missing}))
"""


# Writing and running the plays -------------------------------------------------------------------


def converge(step, **args):
    """The four tasks of one wagon_install step: check (with diff), run (with diff), check again, run again."""
    module = {"offline.wagon.wagon_install": args}
    return [
        dict(module, name=step + ": check", check_mode=True, diff=True),
        dict(module, name=step + ": run", diff=True),
        dict(module, name=step + ": check again", check_mode=True, diff=True),
        dict(module, name=step + ": run again", diff=True),
    ]


def refuse(step, **args):
    """The tasks of a wagon_install step that must fail: check mode, then the real run (errors ignored)."""
    module = {"offline.wagon.wagon_install": args}
    return [
        dict(module, name=step + ": check", check_mode=True, diff=True, ignore_errors=True),
        dict(module, name=step + ": run", diff=True, ignore_errors=True),
    ]


def snapshot(name, venv):
    return [{"name": "Snapshot " + name, "ansible.builtin.command": {"argv": [CONTROLLER_PYTHON, "-c", SNAPSHOT, ROOT, venv]}}]


def command(name, argv, may_fail=False):
    task = {"name": name, "ansible.builtin.command": {"argv": list(argv)}}
    if may_fail:
        task["ignore_errors"] = True
    return [task]


def facts(name, venv):
    return [{"name": name, "offline.wagon.wagon_facts": {"venvs": [venv]}}]


def play(tmp_path, name, tasks):
    """Write a playbook of ``tasks`` (on localhost), run it, require success; return the AnsibleRun."""
    path = tmp_path / (name + ".yml")
    path.write_text(yaml.safe_dump([{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                                   sort_keys=False))
    return run_playbook(str(path)).check()


def converged(run, step, changed=True):
    """Assert that ``step`` (see converge) was predicted by check mode and that its repeat changed nothing; return the real result."""
    check, real = run.result(step + ": check"), run.result(step + ": run")
    assert not real["failed"], real.get("msg")
    assert real["changed"] is changed, real
    for key in ("changed", "plan", "diff", "ownership", "installed", "msg"):
        assert check.get(key) == real.get(key), "check mode predicted %s=%r, the run gave %r" % (key, check.get(key), real.get(key))
    for repeat in (step + ": check again", step + ": run again"):
        again = run.result(repeat)
        assert not again["failed"] and again["changed"] is False, again
        assert again["ownership"] == real["ownership"]
    return real


def refused(run, step):
    """Assert that ``step`` (see refuse) failed in check mode and for real with the same message; return it."""
    check, real = run.result(step + ": check"), run.result(step + ": run")
    assert check["failed"] and real["failed"], (check, real)
    assert check["msg"] == real["msg"]
    return real["msg"]


def snapshot_of(run, name):
    return json.loads(run.result("Snapshot " + name)["stdout"])


def metadata_view(run, name):
    return json.loads(run.result(name)["stdout"])


# Venvs and wheels -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def python(python312):
    return python312


@pytest.fixture(scope="session")
def pip_venv_template(tmp_path_factory, python):
    """A venv made by ``python -m venv`` (with its bundled pip), made once; tests copy it (see pip_venv)."""
    path = str(tmp_path_factory.mktemp("template") / "venv")
    subprocess.run([python, "-m", "venv", path], check=True)
    return path


@pytest.fixture
def pip_venv(tmp_path, pip_venv_template):
    """A fresh copy of the pip venv template. Its bin/pip launchers name the template's Python: use ``python -m pip``."""
    target = str(tmp_path / "pipvenv")
    shutil.copytree(pip_venv_template, target, symlinks=True)
    return target


@pytest.fixture
def links(tmp_path):
    directory = tmp_path / "links"
    directory.mkdir()
    return directory


def pip_install(venv, links, *requirements):
    subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--no-index", "--find-links", str(links),
                    "--quiet"] + list(requirements), check=True)


def bin_(venv, name):
    return os.path.join(venv, "bin", name)


def with_console_script(name, version, script):
    """make_wheel modules for ``name`` whose console script ``script`` prints ``"<name> <version>"``."""
    package = name.replace("-", "_")
    return {
        "%s/__init__.py" % package: "VERSION = %r\n\n\ndef hello():\n    return %r\n" % (version, "%s %s" % (name, version)),
        "%s/cli.py" % package: "from . import hello\n\n\ndef main():\n    print(hello())\n    return 0\n",
        "%s-%s.dist-info/entry_points.txt" % (package, version): "[console_scripts]\n%s = %s.cli:main\n" % (script, package),
    }


# a. found: a distribution pip installed (and another requires) survives absent ----------------------


def test_a_distribution_pip_installed_is_found_and_survives_absent(tmp_path, links, pip_venv):
    make_wheel(links, "app-p", "1.0", requires=["lib-p"])
    lib = make_wheel(links, "lib-p", "1.0")
    pip_install(pip_venv, links, "app-p")
    wagon = make_wagon(tmp_path, [make_wheel(links, "svc", "1.0", requires=["lib-p"]), lib])
    python = bin_(pip_venv, "python")

    run = play(tmp_path, "found", converge("Install svc", src=wagon, venv=pip_venv)
               + converge("Remove svc", src=wagon, venv=pip_venv, state="absent")
               + command("pip check", [python, "-m", "pip", "check"])
               + command("Metadata", [python, "-I", "-c", METADATA_CHECK])
               + command("Import", [python, "-I", "-c", "import app_p, lib_p; print(lib_p.hello())"]))

    install = converged(run, "Install svc")
    assert install["ownership"] == {"svc": "added", "lib-p": "found"}
    assert install["plan"]["add"] == ["svc==1.0"]
    before, after = install["diff"]["before"].splitlines(), install["diff"]["after"].splitlines()
    assert "lib-p==1.0" in before and set(after) - set(before) == {"svc==1.0"} and set(before) <= set(after)

    removal = converged(run, "Remove svc")
    assert removal["plan"]["remove"] == ["svc==1.0"]
    assert removal["plan"]["keep"] == ["lib-p==1.0 (it was there before this wagon: found)"]
    assert removal["plan"]["record"] == "remove" and removal["ownership"] == {}
    assert "lib-p==1.0\n" in removal["diff"]["after"] and "svc==" not in removal["diff"]["after"]

    assert run.result("pip check")["rc"] == 0
    view = metadata_view(run, "Metadata")
    assert view["installed"]["lib-p"] == "1.0" and "svc" not in view["installed"] and view["missing"] == []
    assert run.result("Import")["stdout"] == "lib-p 1.0"
    assert not os.path.exists(os.path.join(pip_venv, ".offline-wagon", "svc.json"))


# b. absent with no record of the wagon changes nothing ----------------------------------------------


def test_b_absent_without_a_record_touches_nothing(tmp_path, links, pip_venv):
    # The venv holds, installed by pip, every distribution the wagon has, at its
    # versions: only the record may say what the wagon owns, never the archive.
    make_wheel(links, "app-p", "1.0", requires=["lib-p"])
    lib = make_wheel(links, "lib-p", "1.0")
    pip_install(pip_venv, links, "app-p")
    wagon = make_wagon(tmp_path, [os.path.join(str(links), "app_p-1.0-py3-none-any.whl"), lib])
    missing_venv = str(tmp_path / "nothing-here")

    run = play(tmp_path, "no-record", snapshot("before", pip_venv)
               + converge("Remove app-p", src=wagon, venv=pip_venv, state="absent")
               + snapshot("after", pip_venv)
               + converge("Remove from no venv", src=wagon, venv=missing_venv, state="absent"))

    removal = converged(run, "Remove app-p", changed=False)
    assert "no record of wagon app-p" in removal["msg"], removal
    assert removal["plan"]["remove"] == [] and removal["plan"]["record"] == "keep"
    assert snapshot_of(run, "after") == snapshot_of(run, "before")
    assert not os.path.exists(os.path.join(pip_venv, ".offline-wagon"))

    nowhere = converged(run, "Remove from no venv", changed=False)
    assert "does not exist" in nowhere["msg"], nowhere
    assert not os.path.exists(missing_venv)


# c. a wagon carrying pip --------------------------------------------------------------------------


def test_c_a_wagon_carrying_pip_leaves_the_venv_a_working_pip(tmp_path, links, pip_venv, pythons, python):
    # The venv's own pip (bundled with 3.12) is replaced by another version the
    # wagon carries (the one 3.13 bundles): "replaced" is never removed.
    own_pip = bundled_pip_wheel(python)
    other_pip = bundled_pip_wheel(pythons["3.13"]) if "3.13" in pythons else None
    if own_pip is None or other_pip is None or os.path.basename(own_pip) == os.path.basename(other_pip):
        pytest.skip("needs the bundled pip wheels of Python 3.12 and of another version")
    before_pip = os.path.basename(own_pip).split("-")[1]
    wagon_pip = os.path.basename(other_pip).split("-")[1]
    tools = make_wagon(tmp_path, [make_wheel(links, "tools", "1.0"), other_pip])
    python_in = bin_(pip_venv, "python")
    bare = str(tmp_path / "bare")
    carrier = make_wagon(tmp_path, [make_wheel(links, "carrier", "1.0"), own_pip])

    run = play(tmp_path, "pip", converge("Install tools", src=tools, venv=pip_venv)
               + converge("Remove tools", src=tools, venv=pip_venv, state="absent")
               + command("pip after removal", [python_in, "-m", "pip", "--version"])
               + command("pip launcher after removal", [bin_(pip_venv, "pip"), "--version"])
               + converge("Install carrier", src=carrier, venv=bare, venv_python=python)
               + command("Bare pip", [bin_(bare, "python"), "-m", "pip", "--version"])
               + converge("Remove carrier", src=carrier, venv=bare, state="absent")
               + command("Bare pip after removal", [bin_(bare, "python"), "-m", "pip", "--version"], may_fail=True))

    install = converged(run, "Install tools")
    assert install["ownership"] == {"tools": "added", "pip": "replaced"}
    assert install["plan"]["change"] == ["pip==%s (was %s)" % (wagon_pip, before_pip)]
    removal = converged(run, "Remove tools")
    assert removal["plan"]["remove"] == ["tools==1.0"]
    assert removal["plan"]["keep"] == ["pip==%s (it was there before this wagon: replaced)" % wagon_pip]
    assert run.result("pip after removal")["stdout"].startswith("pip %s from %s" % (wagon_pip, pip_venv))
    assert run.result("pip launcher after removal")["stdout"].startswith("pip %s " % wagon_pip)

    # A venv without pip, and a wagon that brings one: that pip is the wagon's.
    added = converged(run, "Install carrier")
    assert added["plan"]["create_venv"] and added["ownership"] == {"carrier": "added", "pip": "added"}
    assert run.result("Bare pip")["stdout"].startswith("pip %s from %s" % (before_pip, bare))
    gone = converged(run, "Remove carrier")
    assert sorted(gone["plan"]["remove"]) == ["carrier==1.0", "pip==%s" % before_pip]
    after = run.result("Bare pip after removal")
    assert after["rc"] != 0 and "No module named pip" in after["stderr"]
    assert not [name for name in os.listdir(os.path.join(bare, "bin")) if name.startswith("pip")]


# d. an upgrade prunes what the new version no longer has -------------------------------------------


def test_d_an_upgrade_removes_what_only_the_old_version_required(tmp_path, links, python):
    # Once a bug (plugins/module_utils/_plan.py InstallPlan._keep_needed): the
    # plan counts the Requires-Dist of the *installed* app 1.0, which the
    # upgrade replaces, so lib-b is kept "required by app" and lib-e "required
    # by lib-b", and nothing was ever pruned. The plan now reads the new wheels' Requires-Dist from the metadata.
    venv = str(tmp_path / "venv")
    lib_a, lib_b, lib_e = (make_wheel(links, name, "1.0", requires=requires) for name, requires in (
        ("lib-a", ()), ("lib-b", ["lib-e"]), ("lib-e", ())))
    v1 = tmp_path / "v1"
    v1.mkdir()
    old = make_wagon(v1, [make_wheel(links, "app", "1.0", requires=["lib-a", "lib-b"]), lib_a, lib_b, lib_e])
    new = make_wagon(tmp_path, [make_wheel(links, "app", "2.0", requires=["lib-a"]), lib_a])
    python_in = bin_(venv, "python")

    run = play(tmp_path, "upgrade", converge("Install app 1.0", src=old, venv=venv, venv_python=python)
               + converge("Upgrade app to 2.0", src=new, venv=venv)
               + command("Metadata", [python_in, "-I", "-c", METADATA_CHECK])
               + command("Import", [python_in, "-I", "-c", "import app, lib_a; print(app.VERSION)"]))

    first = converged(run, "Install app 1.0")
    assert first["ownership"] == {name: "added" for name in ("app", "lib-a", "lib-b", "lib-e")}
    upgrade = converged(run, "Upgrade app to 2.0")
    assert upgrade["plan"]["change"] == ["app==2.0 (was 1.0)"]
    # lib-b went, and lib-e with it: only lib-b required it.
    assert sorted(upgrade["plan"]["remove"]) == ["lib-b==1.0", "lib-e==1.0"], upgrade["plan"]
    assert upgrade["plan"]["keep"] == []
    assert upgrade["ownership"] == {"app": "added", "lib-a": "added"}
    assert upgrade["diff"]["before"] == "app==1.0\nlib-a==1.0\nlib-b==1.0\nlib-e==1.0\n"
    assert upgrade["diff"]["after"] == "app==2.0\nlib-a==1.0\n"
    view = metadata_view(run, "Metadata")
    assert view["missing"] == [] and sorted(view["installed"]) == ["app", "lib-a"]
    assert run.result("Import")["stdout"] == "2.0"


def test_d_an_upgrade_keeps_an_orphan_that_another_distribution_requires(tmp_path, links, python):
    # Version 1.0 also carried lib-c and lib-z, which app itself does not
    # require (extra requirements of the build); 2.0 carries neither.
    venv = str(tmp_path / "venv")
    lib_a, lib_c, lib_z = (make_wheel(links, name, "1.0") for name in ("lib-a", "lib-c", "lib-z"))
    v1 = tmp_path / "v1"
    v1.mkdir()
    old = make_wagon(v1, [make_wheel(links, "app", "1.0", requires=["lib-a"]), lib_a, lib_c, lib_z])
    new = make_wagon(tmp_path, [make_wheel(links, "app", "2.0", requires=["lib-a"]), lib_a])
    # Another wagon, whose distribution requires lib-c but does not carry it.
    plugin = make_wagon(tmp_path, [make_wheel(links, "plugin-x", "1.0", requires=["lib-c"])])
    python_in = bin_(venv, "python")

    run = play(tmp_path, "upgrade-keeps", converge("Install app 1.0", src=old, venv=venv, venv_python=python)
               + converge("Install plugin-x", src=plugin, venv=venv)
               + converge("Upgrade app to 2.0", src=new, venv=venv)
               + command("Metadata", [python_in, "-I", "-c", METADATA_CHECK])
               + command("Import", [python_in, "-I", "-c", "import app, lib_c, plugin_x; print(app.VERSION)"]))

    converged(run, "Install app 1.0")
    assert converged(run, "Install plugin-x")["ownership"] == {"plugin-x": "added"}
    upgrade = converged(run, "Upgrade app to 2.0")
    assert upgrade["plan"]["change"] == ["app==2.0 (was 1.0)"]
    assert upgrade["plan"]["remove"] == ["lib-z==1.0"]
    assert upgrade["plan"]["keep"] == ["lib-c==1.0 (required by plugin-x)"]
    assert upgrade["diff"]["after"] == "app==2.0\nlib-a==1.0\nlib-c==1.0\nplugin-x==1.0\n"
    view = metadata_view(run, "Metadata")
    assert view["missing"] == [] and sorted(view["installed"]) == ["app", "lib-a", "lib-c", "plugin-x"]
    assert run.result("Import")["stdout"] == "2.0"


# e. a second wagon that would change what the first installed is refused -----------------------------


def test_e_a_conflicting_wagon_is_refused_before_anything_is_touched(tmp_path, links, python):
    venv = str(tmp_path / "venv")
    x_dir, y_dir = tmp_path / "x", tmp_path / "y"
    x_dir.mkdir()
    y_dir.mkdir()
    x = make_wagon(x_dir, [make_wheel(links, "x-app", "1.0", requires=["shared"]), make_wheel(links, "shared", "1.0")])
    y = make_wagon(y_dir, [make_wheel(links, "y-app", "1.0", requires=["shared"]), make_wheel(links, "shared", "2.0")])

    run = play(tmp_path, "conflict", converge("Install X", src=x, venv=venv, venv_python=python)
               + snapshot("before Y", venv)
               + refuse("Install Y", src=y, venv=venv)
               + snapshot("after Y", venv)
               + converge("Install Y anyway", src=y, venv=venv, allow_conflicts=True)
               + facts("Facts", venv)
               + converge("Remove X", src=x, venv=venv, state="absent"))

    converged(run, "Install X")
    message = refused(run, "Install Y")
    for part in ("wagon x-app", "shared", "1.0", "2.0", "allow_conflicts"):
        assert part in message, message
    assert "shared is at 1.0 for wagon x-app, this wagon has 2.0" in message
    assert snapshot_of(run, "after Y") == snapshot_of(run, "before Y")

    anyway = converged(run, "Install Y anyway")
    assert anyway["plan"]["change"] == ["shared==2.0 (was 1.0)"] and anyway["plan"]["add"] == ["y-app==1.0"]
    assert anyway["plan"]["conflicts"] == ["shared is at 1.0 for wagon x-app, this wagon has 2.0"]
    assert anyway["ownership"] == {"y-app": "added", "shared": "replaced"}
    wagons = run.result("Facts")["ansible_facts"]["wagons"]["venvs"][venv]["wagons"]
    assert wagons["x-app"]["matches"] is False and wagons["x-app"]["drift"] == ["shared==1.0 (found 2.0)"]
    assert wagons["y-app"]["matches"] is True

    # X goes; shared is Y's now (and at another version than X installed): it stays.
    removal = converged(run, "Remove X")
    assert removal["plan"]["remove"] == ["x-app==1.0"]
    assert removal["plan"]["keep"] == ["shared==2.0 (changed since this wagon installed 1.0)"]


# f. absent with the archive of another version acts on the record -----------------------------------


def test_f_absent_with_another_versions_archive_removes_what_the_record_says(tmp_path, links, python):
    venv = str(tmp_path / "venv")
    lib_a = make_wheel(links, "lib-a", "1.0")
    v1 = tmp_path / "v1"
    v1.mkdir()
    old = make_wagon(v1, [make_wheel(links, "app", "1.0", requires=["lib-a", "lib-b"]), lib_a, make_wheel(links, "lib-b", "1.0")])
    new = make_wagon(tmp_path, [make_wheel(links, "app", "2.0", requires=["lib-a", "lib-d"]), lib_a,
                                make_wheel(links, "lib-d", "1.0")])
    tool = make_wagon(tmp_path, [make_wheel(links, "tool", "1.0", requires=["lib-a"])])
    python_in = bin_(venv, "python")

    run = play(tmp_path, "other-version", converge("Install app 2.0", src=new, venv=venv, venv_python=python)
               + converge("Install tool", src=tool, venv=venv)
               + converge("Remove app with the 1.0 archive", src=old, venv=venv, state="absent")
               + command("Metadata", [python_in, "-I", "-c", METADATA_CHECK])
               + command("Import", [python_in, "-I", "-c", "import tool, lib_a; print(lib_a.hello())"])
               + facts("Facts", venv))

    converged(run, "Install app 2.0")
    converged(run, "Install tool")
    removal = converged(run, "Remove app with the 1.0 archive")
    # What 2.0 added goes (lib-d, which 1.0 never had, included); lib-b, which
    # only the 1.0 archive names, was never installed and is not mentioned.
    assert sorted(removal["plan"]["remove"]) == ["app==2.0", "lib-d==1.0"]
    assert removal["plan"]["keep"] == ["lib-a==1.0 (required by tool)"]
    assert removal["plan"]["record"] == "remove"
    assert removal["diff"]["after"] == "lib-a==1.0\ntool==1.0\n"
    view = metadata_view(run, "Metadata")
    assert view["missing"] == [] and sorted(view["installed"]) == ["lib-a", "tool"]
    assert run.result("Import")["stdout"] == "lib-a 1.0"
    assert sorted(run.result("Facts")["ansible_facts"]["wagons"]["venvs"][venv]["wagons"]) == ["tool"]


# g. venvs without pip ------------------------------------------------------------------------------


def test_g_a_venv_without_pip_works_and_install_pip_gives_it_one(tmp_path, links, python):
    if bundled_pip_wheel(python) is None:
        pytest.skip("Python %s bundles no pip" % PYTHON)
    venv = str(tmp_path / "venv")
    app = make_wheel(links, "app-g", "1.0", requires=["lib-g"], modules=with_console_script("app-g", "1.0", "app-g"))
    wagon = make_wagon(tmp_path, [app, make_wheel(links, "lib-g", "1.0")])
    python_in = bin_(venv, "python")

    run = play(tmp_path, "without-pip", converge("Install", src=wagon, venv=venv, venv_python=python)
               + command("Import", [python_in, "-I", "-c", "import app_g, lib_g; print(app_g.hello())"])
               + command("Console script", [bin_(venv, "app-g")])
               + command("No pip", [python_in, "-m", "pip", "--version"], may_fail=True)
               + converge("Install pip", src=wagon, venv=venv, install_pip=True)
               + command("pip", [bin_(venv, "pip"), "--version"])
               + command("pip list", [python_in, "-m", "pip", "list", "--format", "json"])
               + command("pip check", [python_in, "-m", "pip", "check"])
               + converge("Remove", src=wagon, venv=venv, state="absent")
               + command("pip after removal", [python_in, "-m", "pip", "--version"]))

    install = converged(run, "Install")
    assert install["plan"]["create_venv"] and "install_pip" not in install["plan"]
    assert run.result("Import")["stdout"] == "app-g 1.0"
    assert run.result("Console script")["stdout"] == "app-g 1.0"
    assert "No module named pip" in run.result("No pip")["stderr"]

    with_pip = converged(run, "Install pip")
    assert with_pip["plan"]["install_pip"] is True
    assert with_pip["plan"]["add"] == [] and with_pip["plan"]["change"] == []
    assert with_pip["ownership"] == {"app-g": "added", "lib-g": "added"}  # the venv's pip, not the wagon's
    assert run.result("pip")["stdout"].startswith("pip ")
    listed = {entry["name"]: entry["version"] for entry in json.loads(run.result("pip list")["stdout"])}
    assert listed["app-g"] == "1.0" and listed["lib-g"] == "1.0" and "pip" in listed
    assert run.result("pip check")["rc"] == 0

    removal = converged(run, "Remove")
    assert sorted(removal["plan"]["remove"]) == ["app-g==1.0", "lib-g==1.0"]
    assert run.result("pip after removal")["stdout"].startswith("pip ")


# h. wagon_facts reports ownership -------------------------------------------------------------------


def test_h_wagon_facts_reports_each_distributions_ownership(tmp_path, links, pip_venv):
    # Before the wagon: lib-f at the wagon's version, lib-r at another (pip installed both).
    make_wheel(links, "lib-f", "1.0")
    make_wheel(links, "lib-r", "1.0")
    pip_install(pip_venv, links, "lib-f", "lib-r")
    wagon = make_wagon(tmp_path, [make_wheel(links, "svc", "1.0", requires=["lib-f", "lib-r"]),
                                  os.path.join(str(links), "lib_f-1.0-py3-none-any.whl"), make_wheel(links, "lib-r", "2.0")])

    run = play(tmp_path, "facts", converge("Install svc", src=wagon, venv=pip_venv)
               + facts("Facts", pip_venv)
               + converge("Remove svc", src=wagon, venv=pip_venv, state="absent")
               + facts("Facts after removal", pip_venv))

    install = converged(run, "Install svc")
    expected = {"svc": "added", "lib-f": "found", "lib-r": "replaced"}
    assert install["ownership"] == expected
    venv_facts = run.result("Facts")["ansible_facts"]["wagons"]["venvs"][pip_venv]
    assert venv_facts["wagons"]["svc"]["ownership"] == expected
    assert venv_facts["wagons"]["svc"]["distributions"]["lib-r"] == {
        "name": "lib-r", "version": "2.0", "ownership": "replaced", "replaced_version": "1.0"}
    assert venv_facts["wagons"]["svc"]["matches"] is True

    removal = converged(run, "Remove svc")
    assert removal["plan"]["remove"] == ["svc==1.0"]
    assert removal["plan"]["keep"] == ["lib-f==1.0 (it was there before this wagon: found)",
                                       "lib-r==2.0 (it was there before this wagon: replaced)"]
    after = run.result("Facts after removal")["ansible_facts"]["wagons"]["venvs"][pip_venv]
    assert after["wagons"] == {} and "lib-r==2.0" in after["distributions"]
