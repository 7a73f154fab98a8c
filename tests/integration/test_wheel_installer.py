# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Our wheel installer (_wheel_install.py) installs and removes exactly as pip does.

- Real wheels from the package index (tests/support/wheelsets.py says which,
  and what part of the wheel format each one covers), each in a venv of its
  own: pip installs, our remove_distribution removes by pip's RECORD, we
  install, pip uninstalls by ours. Each install's tree (paths, kinds, modes,
  bytes), RECORD, importlib.metadata view and commands' output must be
  pip's; each removal must give the empty venv back.
- Fixture wheels for the corners real wheels rarely reach (scripts' first
  lines, entry points, file modes, setuptools' wrappers, long or odd venv
  paths, umasks), compared the same way.
- Python 3.6, 3.8, 3.11 and 3.13 venvs, with and without pip: the installer
  runs with no network, the packages import, the scripts run, that Python's
  own pip lists and checks what we installed, and our removal leaves the venv
  as it was made.

pip is REFERENCE_PIP in a venv of its own, driving the others with
``pip --python``, so they need no pip and their trees hold only the install.
Both installs of one wheel go to the same venv path, one after the other, so
even launchers and rewritten ``#!python`` lines must be the same bytes.
The comparisons run a few at a time (they mostly wait for pip), all started
when the first one is needed; each test reports its own.
"""

from __future__ import annotations

import concurrent.futures
import glob
import json
import os
import re
import shutil
import sys

import pytest

from tests.support import offline
from tests.support.ansible import COLLECTIONS
from tests.support.fixtures import _record_line, dist_filename_part, interpreter_facts, make_cext_wheel, package_name
from tests.support.pythons import ROOT
from tests.support.wheelsets import (
    DEMO_CONSOLE, DEMO_GUI, DEMO_SCRIPT, REAL_WHEELS, REFERENCE_PIP, ReferencePip, build_wheel, demo_members,
    download_real_wheels, make_demo_wheel, make_venv, pip_environment, record_rows, run, tree_entries,
)

PYTHON = "3.12"
OUR_INSTALLER = "offline-wagon\n"

# The installer, run as a module runs it: in a process of its own (the
# controller's Python). "install VENV [--requested=NAME,...] WHEEL..." prints
# the InstalledWheels (every wheel REQUESTED without --requested), "remove
# VENV DIST_INFO..." the files each removal removed.
ENGINE = r"""
import json, sys
sys.path[:0] = [%(collections)r, %(root)r]
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import probe_interpreter, venv_python
from ansible_collections.offline.wagon.plugins.module_utils._wheel_install import install_wheels, remove_distribution
from tests.support.pythons import run
command, venv, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
info = probe_interpreter(venv_python(venv), run)
if command == "install":
    requested = None
    if paths[0].startswith("--requested="):
        requested = set(paths.pop(0).split("=", 1)[1].split(","))
    print(json.dumps([list(installed) for installed in install_wheels(paths, info, run, requested=requested)]))
else:
    print(json.dumps([remove_distribution(path, info) for path in paths]))
""" % {"collections": COLLECTIONS, "root": ROOT}

# What importlib.metadata sees of distribution argv[1] in the running environment.
METADATA_VIEW = r"""
import importlib.metadata as metadata, json, sys
dist = metadata.distribution(sys.argv[1])
print(json.dumps({
    "all": sorted(d.metadata["Name"] for d in metadata.distributions()),
    "name": dist.metadata["Name"], "version": dist.version,
    "installer": dist.read_text("INSTALLER"), "requested": dist.read_text("REQUESTED") is not None,
    "files": sorted(str(f) for f in dist.files),
    "entry_points": sorted([e.group, e.name, e.value] for e in dist.entry_points),
}))
"""


def canonical(name):
    """The PEP 503 form of a distribution name, as pip check and pip list print it."""
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="session")
def real_wheels(python312, tmp_path_factory):
    """Every REAL_WHEELS wheel for Python 3.12, from the index, with one pip download: ``{(name, version): path}``."""
    return download_real_wheels(python312, str(tmp_path_factory.mktemp("real-wheels")))


@pytest.fixture(scope="session")
def reference_pip(python312, real_wheels, tmp_path_factory):
    return ReferencePip.create(python312, str(tmp_path_factory.mktemp("reference-pip") / "venv"),
                               real_wheels[("pip", REFERENCE_PIP)])


# --- one install by pip, one by us, in the same venv, compared --------------


class Install(object):
    """What one install left in a venv: its tree, its RECORD, what importlib.metadata and some commands say."""

    def __init__(self, venv, name, runs, umask, env):
        site = os.path.join(venv, "lib", "python%s" % PYTHON, "site-packages")
        found = [entry for entry in os.listdir(site) if entry.endswith(".dist-info")]
        assert len(found) == 1, found
        self.dist_info = os.path.join(site, found[0])
        self.info_name = os.path.relpath(self.dist_info, venv)
        self.tree = tree_entries(venv)
        self.rows, self.record_text = record_rows(self.dist_info)
        # RECORD rows naming no file (importlib.metadata hides them since 3.12).
        self.missing = sorted(p for p in self.rows if not os.path.lexists(os.path.join(site, p)))
        view = run([os.path.join(venv, "bin", "python"), "-I", "-c", METADATA_VIEW, name], umask=umask, env=env)
        self.metadata = json.loads(view.stdout)
        self.runs = [run([os.path.join(venv, "bin", argv[0])] + list(argv[1:]), check=False, umask=umask, env=env)
                     for argv in runs]


def install_differences(pip, ours):
    """Every way our install differs from pip's, as readable lines; the differences there must be are left out."""
    problems = []
    installer, record = os.path.join(pip.info_name, "INSTALLER"), os.path.join(pip.info_name, "RECORD")
    for path in sorted(set(pip.tree) | set(ours.tree)):
        theirs, mine = pip.tree.get(path), ours.tree.get(path)
        if theirs is None or mine is None:
            problems.append("%s: only %s has it (%s)" % (path, "pip" if mine is None else "ours", theirs or mine))
        elif theirs.kind != mine.kind or theirs.mode != mine.mode:
            problems.append("%s: pip made a %s %s, ours a %s %s" % (
                path, theirs.kind, oct(theirs.mode or 0), mine.kind, oct(mine.mode or 0)))
        # INSTALLER names the installer; RECORD (which holds INSTALLER's hash) is compared row by row below.
        elif theirs.digest != mine.digest and path not in (installer, record):
            problems.append("%s: the contents differ" % path)
    if ours.metadata["installer"] != OUR_INSTALLER:
        problems.append("our INSTALLER says %r" % ours.metadata["installer"])

    # The RECORDs: the same text, byte for byte (order, quoting, line ends),
    # once INSTALLER's row is checked and taken out of each. Taken out of
    # pip's too: the wheel's own rows for the .data/scripts files pip skips as
    # setuptools' wrappers of an entry point (is_entrypoint_wrapper); pip
    # keeps them though it installs no such file, which a RECORD should not do.
    installer_row = "%s/INSTALLER" % os.path.basename(pip.dist_info)
    data_scripts = os.path.basename(pip.dist_info)[:-len(".dist-info")] + ".data/scripts/"
    skipped_wrappers = [path for path in pip.missing if path.startswith(data_scripts)]
    theirs_text = _without_rows(pip.record_text, installer_row, *skipped_wrappers)
    mine_text = _without_rows(ours.record_text, installer_row)
    if theirs_text != mine_text:
        only_pip = sorted(set(theirs_text.splitlines()) - set(mine_text.splitlines()))
        only_ours = sorted(set(mine_text.splitlines()) - set(theirs_text.splitlines()))
        problems.append("RECORD differs: rows only pip wrote %s, rows only we wrote %s%s" % (
            only_pip[:8], only_ours[:8], "" if only_pip or only_ours else " (the same rows, in another order or form)"))
    if _record_line(installer_row, OUR_INSTALLER.encode()).rstrip("\n") not in ours.record_text.splitlines():
        problems.append("our RECORD row for INSTALLER is %s" % (ours.rows.get(installer_row),))
    if ours.missing:
        problems.append("our RECORD names files that are not there: %s" % ours.missing[:5])
    if set(pip.missing) - set(skipped_wrappers):
        problems.append("pip's RECORD names files that are not there: %s" % pip.missing[:5])

    theirs_view, mine_view = dict(pip.metadata), dict(ours.metadata)
    theirs_view.pop("installer")
    mine_view.pop("installer")
    if theirs_view != mine_view:
        problems.append("importlib.metadata sees %s after pip, %s after us" % (theirs_view, mine_view))
    for theirs_run, mine_run in zip(pip.runs, ours.runs):
        if mine_run.returncode:
            problems.append("%s failed after our install: rc=%s %s" % (
                " ".join(os.path.basename(str(a)) for a in mine_run.args), mine_run.returncode, mine_run.stderr[-500:]))
        elif (theirs_run.returncode, theirs_run.stdout, theirs_run.stderr) != (
                mine_run.returncode, mine_run.stdout, mine_run.stderr):
            problems.append("%s: rc=%s %r %r after pip, rc=%s %r %r after us" % (
                " ".join(os.path.basename(str(a)) for a in theirs_run.args), theirs_run.returncode,
                theirs_run.stdout[-300:], theirs_run.stderr[-300:], mine_run.returncode, mine_run.stdout[-300:],
                mine_run.stderr[-300:]))
    return problems


def _without_rows(text, *paths):
    return "".join(line for line in text.splitlines(True) if not line.startswith(tuple(p + "," for p in paths)))


def leftovers(clean, after, pip_directories=False):
    """How the venv's tree ``after`` a removal differs from the ``clean`` one, as readable lines.

    ``pip_directories``: pass over directories holding no file, left or
    removed. pip removes a directory only when every file under it is one it
    removes, so it leaves the parents it empties (share/jupyter/... after a
    .data/data install), and it takes the venv's empty site-packages with the
    lone module six.py; it does both after its own installs too.
    """
    problems = []
    for path in sorted(set(clean) | set(after)):
        if pip_directories and (clean.get(path) or after.get(path)).kind == "dir" and not any(
                other.startswith(path + os.sep) and tree[other].kind != "dir" for tree in (clean, after) for other in tree):
            continue
        if path not in after:
            problems.append("%s was removed (%s)" % (path, clean[path]))
        elif path not in clean:
            problems.append("%s was left behind (%s)" % (path, after[path]))
        elif clean[path] != after[path]:
            problems.append("%s changed: %s, was %s" % (path, after[path], clean[path]))
    return problems


class Differential(object):
    """Installs one wheel with pip and with us into one venv path, and removes each install with the other."""

    def __init__(self, base_python, reference_pip, umask=-1):
        self.base_python = base_python
        self.pip = reference_pip
        self.umask = umask
        # Made here, in the thread that builds the comparisons: the threads
        # that run them then never read os.environ, which fixtures change.
        self.env = pip_environment()

    def engine(self, command, venv, *paths):
        argv = [sys.executable, "-c", ENGINE, command, venv] + list(paths)
        return json.loads(run(argv, umask=self.umask, env=self.env).stdout)

    def _pip(self, target, *args):
        return self.pip(target, *args, check=False, umask=self.umask, env=self.env)

    def _venv(self, venv):
        return make_venv(self.base_python, venv, umask=self.umask, env=self.env)

    def compare(self, wheel_path, name, version, venv, find_links, runs=()):
        """Every difference found between pip and us for ``wheel_path`` (empty: none)."""
        problems = []
        target = self._venv(venv)
        clean = tree_entries(venv)

        installed = self._pip(target, "install", "--no-deps", "--no-index", "--find-links", find_links,
                              "--no-cache-dir", "%s==%s" % (name, version))
        if installed.returncode:
            return ["pip install failed: %s %s" % (installed.stdout[-2000:], installed.stderr[-2000:])]
        pip = Install(venv, name, runs, self.umask, self.env)

        # Our removal of pip's install, by its RECORD: the empty venv again.
        removed = self.engine("remove", venv, pip.dist_info)[0]
        added = {os.path.join(venv, p) for p, s in pip.tree.items() if p not in clean and s.kind != "dir"}
        if set(removed) != added:
            problems.append("remove_distribution removed %s, left %s of what pip installed"
                            % (sorted(set(removed) - added)[:5], sorted(added - set(removed))[:5]))
        after = tree_entries(venv)
        problems += ["after remove_distribution of pip's install: " + p for p in leftovers(clean, after)]
        if after != clean:
            shutil.rmtree(venv)
            self._venv(venv)
            clean = tree_entries(venv)

        result = self.engine("install", venv, wheel_path)
        if result != [[name, version, pip.dist_info]]:
            problems.append("install_wheels returned %s, expected %s" % (result, [[name, version, pip.dist_info]]))
        ours = Install(venv, name, runs, self.umask, self.env)
        problems += install_differences(pip, ours)

        # pip check may only miss the requirements --no-deps left out (as after pip's own install).
        checked = self._pip(target, "check")
        missing = re.compile(r"^%s %s requires .+, which is not installed\.$"
                             % (re.escape(canonical(name)), re.escape(version)))
        complaints = [line for line in checked.stdout.splitlines()
                      if line != "No broken requirements found." and not missing.match(line)]
        if complaints or (checked.returncode and "requires" not in checked.stdout):
            problems.append("pip check of our install: rc=%s %s %s" % (checked.returncode, checked.stdout,
                                                                       checked.stderr))

        # pip's removal of our install (leftovers says which directories pip leaves or takes).
        uninstalled = self._pip(target, "uninstall", "--yes", name)
        if uninstalled.returncode:
            problems.append("pip uninstall of our install failed: %s %s" % (uninstalled.stdout, uninstalled.stderr))
        problems += ["after pip uninstall of our install: " + p
                     for p in leftovers(clean, tree_entries(venv), pip_directories=True)]
        return problems


# --- fixture wheels for the corners ------------------------------------------

NAME, VERSION = "wagon-demo", "1.0"
PACKAGE = package_name(NAME)
INFO = "%s-%s.dist-info" % (dist_filename_part(NAME), VERSION)
DATA = "%s-%s.data" % (dist_filename_part(NAME), VERSION)

SCRIPT_FIRST_LINES = [
    # pip's fix_script replaces a whole first line that starts with "#!python".
    ("%s/scripts/args" % DATA, "#!python -E\nimport sys\nprint(sys.flags.ignore_environment)\n", 0o100755),
    ("%s/scripts/windowed" % DATA, "#!pythonw\nprint('w')\n", 0o100755),
    ("%s/scripts/env-python" % DATA, "#!/usr/bin/env python3\nprint('env')\n", 0o100755),
    ("%s/scripts/crlf" % DATA, "#!python\r\nprint('crlf')\r\n", 0o100755),
    ("%s/scripts/one-line" % DATA, "#!python", 0o100755),
    ("%s/scripts/shell.sh" % DATA, "#!/bin/sh\necho shell\n", 0o100755),
    ("%s/scripts/not-executable" % DATA, "#!python\nprint('plain')\n", None),
    ("%s/scripts/tool.py" % DATA, "#!python\nprint('tool.py')\n", 0o100755),  # compiled, into bin/__pycache__
]

ENTRY_POINTS = [
    ("%s/more.py" % PACKAGE, "class Main(object):\n    @staticmethod\n    def run():\n        print('run')\n", None),
    ("%s/entry_points.txt" % INFO,
     "[console_scripts]\n"
     "dotted = %(p)s.more:Main.run\n"
     "with-extras = %(p)s.cli:main [fancy]\n"
     "spaced   =   %(p)s.cli:main  \n"
     "Upper.Case = %(p)s.cli:main\n"
     "\n[gui_scripts]\n"
     "gui-tool = %(p)s.cli:main\n"
     "\n[other.group]\n"
     "ignored = %(p)s.cli:main\n" % {"p": PACKAGE}, None),
]

# What old setuptools put in .data/scripts beside an entry point of the same name; pip skips them.
SETUPTOOLS_WRAPPERS = [
    ("%s/entry_points.txt" % INFO, "[console_scripts]\ntool = %s.cli:main\n" % PACKAGE, None),
    ("%s/scripts/tool" % DATA, "#!python\nprint('a wrapper')\n", 0o100755),
    ("%s/scripts/tool.exe" % DATA, b"MZ not really", 0o100755),
    ("%s/scripts/tool-script.py" % DATA, "#!python\nprint('a wrapper')\n", 0o100755),
    ("%s/scripts/tool.pya" % DATA, "print('a wrapper')\n", 0o100644),
    ("%s/scripts/tool2" % DATA, "#!python\nprint('kept: no entry point is tool2')\n", 0o100755),
]

FILE_MODES = [
    ("%s/typeless_exec.sh" % PACKAGE, "#!/bin/sh\n", 0o755),  # permission bits, no S_IFREG
    ("%s/group_exec.sh" % PACKAGE, "#!/bin/sh\n", 0o100775),
    ("%s/owner_only" % PACKAGE, "private\n", 0o100600),
    ("%s/owner_exec" % PACKAGE, "#!/bin/sh\n", 0o100700),
]

BYTECODE = [
    ("%s/broken.py" % PACKAGE, "def (:\n", None),  # does not compile: no bytecode, no row
    ("%s/data.txt" % PACKAGE, "not python\n", None),
    ("%s/window.pyw" % PACKAGE, "print('pyw')\n", None),
    ("%s/sub/__init__.py" % PACKAGE, "", None),
    ("%s/sub/deep/mod.py" % PACKAGE, "X = 1\n", None),
]

DIRECTORY_ENTRIES = [
    ("%s/" % PACKAGE, b"", None),
    ("%s/empty/" % PACKAGE, b"", None),  # neither installer makes an empty directory
    ("%s/" % DATA, b"", None),
    ("%s/data/" % DATA, b"", None),
]

DEMO_RUNS = ((DEMO_CONSOLE,), (DEMO_GUI,), (DEMO_SCRIPT,))


def fixture_case(case_id, extra=(), venv_name="venv", umask=-1, runs=DEMO_RUNS):
    return pytest.param(extra, venv_name, umask, runs, id=case_id)


FIXTURE_CASES = [
    fixture_case("every-scheme"),
    fixture_case("script-first-lines", SCRIPT_FIRST_LINES,
                 runs=(("args",), ("windowed",), ("crlf",), ("one-line",), ("shell.sh",), ("tool.py",))),
    fixture_case("entry-points", ENTRY_POINTS, runs=(("dotted",), ("with-extras",), ("spaced",), ("Upper.Case",))),
    fixture_case("setuptools-wrappers", SETUPTOOLS_WRAPPERS, runs=(("tool",), ("tool2",))),
    fixture_case("file-modes", FILE_MODES),
    fixture_case("bytecode", BYTECODE),
    fixture_case("directory-entries", DIRECTORY_ENTRIES),
    # Launchers: distlib writes "#!/bin/sh" and an exec line when the
    # interpreter's path has a space or "#!" + it + newline passes 127 bytes.
    # (A #!python script in a venv with a space cannot run: pip writes the
    # path as it is, and so must we; only the launchers are run there.)
    fixture_case("long-venv-path", venv_name="v" * 120),
    fixture_case("venv-path-with-space", venv_name="with space/venv", runs=((DEMO_CONSOLE,), (DEMO_GUI,))),
    fixture_case("non-ascii-venv-path-at-127-bytes", venv_name=None),
    fixture_case("umask-002", umask=0o002),
    fixture_case("umask-077", umask=0o077),
]


def _non_ascii_venv(directory):
    """A venv path whose bin/python is 124 characters but 125 bytes: "#!" + it + newline is 127 characters, 128 bytes."""
    name = "é" + "x" * (124 - len(os.path.join(str(directory), "")) - len("/bin/python") - 1)
    venv = os.path.join(str(directory), name)
    assert len(venv + "/bin/python") == 124 and len((venv + "/bin/python").encode("utf-8")) == 125, venv
    return venv


def compare_fixture_case(differential, directory, extra, venv_name, runs):
    links = os.path.join(directory, "links")
    os.makedirs(links)
    replaced = {member[0] for member in extra}
    members = [m for m in demo_members(NAME, VERSION) if m[0] not in replaced] + list(extra)
    wheel = build_wheel(links, NAME, VERSION, members)
    if venv_name is None:
        venv = _non_ascii_venv(directory)
    else:
        venv = os.path.join(directory, venv_name)
        os.makedirs(os.path.dirname(venv), exist_ok=True)
    return differential.compare(wheel, NAME, VERSION, venv, links, runs)


# --- the comparisons, a few at a time ----------------------------------------


class Comparisons(object):
    """The comparisons of the selected tests, run by a pool of threads; ``result(nodeid)`` waits for one."""

    def __init__(self, workers):
        self.pool = concurrent.futures.ThreadPoolExecutor(workers)
        self.futures = {}

    def submit(self, nodeid, function, *args):
        self.futures[nodeid] = self.pool.submit(function, *args)

    def result(self, nodeid):
        return self.futures[nodeid].result()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def comparisons(request, python312, real_wheels, reference_pip, tmp_path_factory):
    """Every selected comparison, started at once: each is subprocesses and file reads, so threads overlap them.

    Nothing here changes this process's state (a umask is the child's, see
    wheelsets.run); the directories are made before any thread starts.
    """
    started = Comparisons(workers=(os.cpu_count() or 1) + 1)
    request.addfinalizer(started.close)
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.originalname == "test_real_wheels_install_and_remove_as_with_pip":
            wheel = params["wheel"]
            path = real_wheels[(wheel.name, wheel.version)]
            directory = str(tmp_path_factory.mktemp("real-%s" % canonical(wheel.name)))
            started.submit(item.nodeid, Differential(python312, reference_pip).compare, path, wheel.name,
                           wheel.version, os.path.join(directory, "venv"), os.path.dirname(path), wheel.runs)
        elif item.originalname == "test_fixture_wheels_install_and_remove_as_with_pip":
            directory = str(tmp_path_factory.mktemp("case-%s" % item.callspec.id))
            started.submit(item.nodeid, compare_fixture_case, Differential(python312, reference_pip, params["umask"]),
                           directory, params["extra"], params["venv_name"], params["runs"])
    return started


@pytest.mark.network
@pytest.mark.parametrize("wheel", REAL_WHEELS, ids=["%s-%s" % (w.name, w.version) for w in REAL_WHEELS])
def test_real_wheels_install_and_remove_as_with_pip(wheel, comparisons, request):
    problems = comparisons.result(request.node.nodeid)
    assert not problems, "%s %s (%s):\n  %s" % (wheel.name, wheel.version, wheel.covers, "\n  ".join(problems))


@pytest.mark.network
@pytest.mark.parametrize("extra, venv_name, umask, runs", FIXTURE_CASES)
def test_fixture_wheels_install_and_remove_as_with_pip(extra, venv_name, umask, runs, comparisons, request):
    problems = comparisons.result(request.node.nodeid)
    assert not problems, "\n  ".join([request.node.callspec.id] + problems)


# --- old and new Pythons, with no network -----------------------------------

# (Python, whether its venv has pip): a pip-less venv is listed and checked
# by the pip its Python bundles (ensurepip's wheel), run from the wheel.
OFFLINE_VENVS = [("3.6", True), ("3.8", False), ("3.11", True), ("3.13", False)]


@pytest.mark.offline
@pytest.mark.parametrize("version, with_pip", OFFLINE_VENVS,
                         ids=["%s-%s" % (v, "with-pip" if p else "without-pip") for v, p in OFFLINE_VENVS])
def test_installs_with_no_network_for_each_python(version, with_pip, pythons, offline_argv, tmp_path):
    if version not in pythons:
        pytest.skip("needs a pyenv Python %s" % version)
    python = pythons[version]

    def offline_run(*argv):
        return run(offline_argv + list(argv), env=offline.offline_environment())

    links = tmp_path / "wheels"
    links.mkdir()
    wheels = [make_demo_wheel(links, NAME, VERSION), make_cext_wheel(links, python, "fastcalc", "1.0")]
    venv = str(tmp_path / "venv")
    target = make_venv(python, venv, with_pip=with_pip)
    clean = tree_entries(venv)
    bin_dir = os.path.join(venv, "bin")

    installed = json.loads(offline_run(sys.executable, "-c", ENGINE, "install", venv, "--requested=" + NAME,
                                       *wheels).stdout)
    assert [tuple(one[:2]) for one in installed] == [(NAME, VERSION), ("fastcalc", "1.0")]
    # Only what was asked for is REQUESTED (as pip leaves it off a dependency).
    assert [os.path.exists(os.path.join(one[2], "REQUESTED")) for one in installed] == [True, False]

    imported = offline_run(target, "-c", "import sys, wagon_demo, wagon_demo_extra, fastcalc; print(wagon_demo.hello(),"
                           " wagon_demo_extra.EXTRA, fastcalc.answer(), fastcalc.compiled_for() == '%d.%d.%d' % sys.version_info[:3])")
    assert imported.stdout.split() == [NAME, VERSION, "True", "42", "True"]
    for script in (DEMO_CONSOLE, DEMO_GUI):
        assert offline_run(os.path.join(bin_dir, script)).stdout == "%s %s\n" % (NAME, VERSION)
    assert offline_run(os.path.join(bin_dir, DEMO_SCRIPT)).stdout == target + "\n"

    # Where each scheme's file went, and this Python's bytecode, recorded.
    tag = interpreter_facts(python)[0].split("-")[0].replace("cp", "cpython-")
    demo_info = installed[0][2]
    rows = record_rows(demo_info)[0]
    for path in ("../../../include/site/python%s/%s/%s.h" % (version, NAME, PACKAGE),
                 "../../../share/%s/notice.txt" % PACKAGE, "../../../bin/%s" % DEMO_SCRIPT, "%s_extra.py" % PACKAGE,
                 "%s/__pycache__/__init__.%s.pyc" % (PACKAGE, tag), "__pycache__/%s_extra.%s.pyc" % (PACKAGE, tag),
                 "%s/INSTALLER" % INFO, "%s/REQUESTED" % INFO):
        assert path in rows and os.path.isfile(os.path.join(os.path.dirname(demo_info), path)), (path, sorted(rows))
    with open(os.path.join(demo_info, "INSTALLER")) as stream:
        assert stream.read() == OUR_INSTALLER

    if with_pip:
        pip = [target, "-m", "pip"]
    else:
        bundled = glob.glob(os.path.join(os.path.dirname(os.path.dirname(python)), "lib", "python%s" % version,
                                         "ensurepip", "_bundled", "pip-*.whl"))
        assert bundled, "Python %s bundles no pip" % version
        # The newest, should an upgraded pyenv Python have kept an older one beside it.
        bundled.sort(key=lambda path: [int(part) for part in re.findall(r"\d+", os.path.basename(path))])
        pip = [target, os.path.join(bundled[-1], "pip")]
    listed = json.loads(offline_run(*(pip + ["list", "--isolated", "--format=json"])).stdout)
    versions = {canonical(entry["name"]): entry["version"] for entry in listed}
    assert versions.get(NAME) == VERSION and versions.get("fastcalc") == "1.0", listed
    checked = offline_run(*(pip + ["check", "--isolated"]))
    assert checked.stdout.strip() == "No broken requirements found.", checked.stdout

    # And out again by RECORD: the venv as it was made.
    removed = json.loads(offline_run(sys.executable, "-c", ENGINE, "remove", venv, demo_info, installed[1][2]).stdout)
    assert all(removed), removed
    assert leftovers(clean, tree_entries(venv)) == []
