# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wagon_install killed with SIGKILL at random moments: the next run puts things right, and says so.

The install is an upgrade big enough to take a noticeable time (a few hundred
modules removed, a few hundred written and compiled, one distribution pruned,
one added), or the creation of the venv itself. Each round starts it in a
process group of its own, waits for its journal to begin (for a creation: to
announce the venv), sleeps a random time within the measured duration of what
follows (the transaction; ``python -m venv``), kills the group (the compile
step's children too), then runs the install again to completion and checks:

- it converged: the same files, with the same bytes, as an uninterrupted run
  (bytecode and the record's time stamp aside, which carry times); every
  RECORD complete and true; no journal left; importlib.metadata sees the
  wagon's versions and no missing requirement; the package imports; its
  console script runs;
- it told the truth: check mode right after the kill works, says
  ``interrupted`` exactly when a journal was left, and predicts ``changed``;
  the run is changed unless the killed run had finished; a further run is not.

The rounds drive the engine directly (a small script run with the
controller's Python), which is fast; one more kills a real
``ansible -m offline.wagon.wagon_install`` and converges with Ansible. A
round's problems are collected and reported together at the end, so one run
shows every kind of failure. Tests whose name starts with ``test_bug_`` aim a
kill at one moment that the random rounds hit only sometimes; each shows a
defect of the engine (see its comment) and fails until it is fixed.

The seed is printed (``-s``) and is in every message; WAGON_KILL_SEED replays
one (the timings still vary).
"""

from __future__ import annotations

import glob
import json
import os
import random
import shutil
import subprocess
import time

import pytest

from tests.support.ansible import BIN, COLLECTIONS, environment, run_module
from tests.support.faults import kill_tree, wait_for
from tests.support.fixtures import make_wheel
from tests.support.pythons import CONTROLLER_PYTHON, ROOT
from tests.support.trees import tree_state
from tests.support.wagons import make_wagon, record_problems

PYTHON = "3.12"
UPGRADE_ROUNDS = 20
CREATION_ROUNDS = 5
MODULES = 200
LIB_MODULES = 60

# Runs install_wagon(argv[1] -> venv argv[2], creating it with argv[3]) once per
# mode in argv[4] ("check" or "run", comma-separated); prints one result per
# mode, {changed, plan} or {error} (a WagonError: the module's failure).
ENGINE = r"""
import json, sys
sys.path[:0] = [%(root)r, %(collections)r]
from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import install_wagon
from tests.support.pythons import run
results = []
for mode in sys.argv[4].split(","):
    try:
        result = install_wagon(sys.argv[1], sys.argv[2], run, check_mode=mode == "check", venv_python_path=sys.argv[3])
    except WagonError as error:
        results.append({"error": str(error)})
        continue
    results.append({"changed": result.plan.changed, "plan": result.plan.to_dict()})
print(json.dumps(results))
""" % {"root": ROOT, "collections": COLLECTIONS}

# What importlib.metadata sees in the venv: {name: [versions]}, and requirements (by name) nobody satisfies.
METADATA_CHECK = r"""
import importlib.metadata as metadata, json, re
dists = {}
for dist in metadata.distributions():
    dists.setdefault(dist.metadata["Name"].lower().replace("_", "-"), []).append(dist)
missing = []
for key, found in sorted(dists.items()):
    for requirement in found[0].requires or []:
        name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")
        if name not in dists:
            missing.append("%s requires %s" % (key, requirement))
print(json.dumps({"installed": {key: [d.version for d in found] for key, found in dists.items()}, "missing": missing}))
"""

V1 = {"bigapp": ["1.0"], "lib-keep": ["1.0"], "lib-old": ["1.0"]}
V2 = {"bigapp": ["2.0"], "lib-keep": ["1.0"], "lib-new": ["1.0"]}
SITE = os.path.join("lib", "python" + PYTHON, "site-packages")


def modules(package, version, count, script=False):
    """make_wheel modules: ``count`` small modules of ``package``, its __init__, with ``script`` a console script."""
    found = {"%s/__init__.py" % package: "VERSION = %r\n" % version}
    for index in range(count):
        found["%s/part%03d.py" % (package, index)] = "VALUE = %d\nVERSION = %r\n\n\ndef value():\n    return VALUE\n" % (index, version)
    if script:
        found["%s/cli.py" % package] = "from . import VERSION\n\n\ndef main():\n    print(%r, VERSION)\n    return 0\n" % package
        found["%s-%s.dist-info/entry_points.txt" % (package, version)] = "[console_scripts]\n%s = %s.cli:main\n" % (package, package)
    return found


def journal_dir(venv):
    return os.path.join(venv, ".offline-wagon", "transaction")


def journal_entries(venv):
    """The kinds of the journal's log lines; None without a journal, "no log" when it has none (yet, or any more)."""
    directory = journal_dir(venv)
    if not os.path.isdir(directory):
        return None
    try:
        with open(os.path.join(directory, "log")) as stream:
            lines = stream.read().splitlines()
    except OSError:
        return "no log"
    kinds = []
    for line in lines:
        try:
            kinds.append(json.loads(line)[0])
        except ValueError:
            kinds.append("torn")
    return kinds


def summary(entries):
    """``aside:812 create:40 mkdir:3``, of journal_entries."""
    if not isinstance(entries, list):
        return str(entries)
    counts = {}
    for kind in entries:
        counts[kind] = counts.get(kind, 0) + 1
    return " ".join("%s:%d" % item for item in sorted(counts.items()))


def backups(venv):
    """How many files the journal holds set aside."""
    try:
        return len(os.listdir(os.path.join(journal_dir(venv), "backup")))
    except OSError:
        return 0


def recorded_version(venv):
    try:
        with open(os.path.join(venv, ".offline-wagon", "bigapp.json")) as stream:
            return json.load(stream)["version"]
    except (OSError, ValueError):
        return None


def compile_leftovers(venv):
    """py_compile's temporary files (``<name>.pyc.<id>``), written next to the bytecode, then renamed."""
    return glob.glob(os.path.join(venv, SITE, "*", "__pycache__", "*.pyc.*"))


class Rig(object):
    """The wagons, the one venv path every round uses, and what uninterrupted runs leave there."""

    def __init__(self, work, python):
        self.work, self.python = work, python
        self.script = os.path.join(work, "engine.py")
        with open(self.script, "w") as stream:
            stream.write(ENGINE)
        wheels = os.path.join(work, "wheels")
        os.makedirs(os.path.join(wheels, "v1"))
        keep = make_wheel(wheels, "lib-keep", "1.0")
        self.v1 = make_wagon(os.path.join(wheels, "v1"), [
            make_wheel(wheels, "bigapp", "1.0", requires=["lib-keep"], modules=modules("bigapp", "1.0", MODULES, True)),
            keep,
            # Carried but required by nothing (an extra requirement of the build): 2.0 drops it, the upgrade prunes it.
            make_wheel(wheels, "lib-old", "1.0", modules=modules("lib_old", "1.0", LIB_MODULES)),
        ])
        self.v2 = make_wagon(wheels, [
            make_wheel(wheels, "bigapp", "2.0", requires=["lib-keep", "lib-new"], modules=modules("bigapp", "2.0", MODULES, True)),
            keep,
            make_wheel(wheels, "lib-new", "1.0", modules=modules("lib_new", "1.0", LIB_MODULES)),
        ])
        # Every round works on the same path, so that launchers' #! lines are the same.
        self.venv = os.path.join(work, "venv")
        self.template = os.path.join(work, "template")
        assert self.engine(self.v1, "run")[0]["plan"]["create_venv"]
        self.v1_state = tree_state(self.venv)
        shutil.copytree(self.venv, self.template, symlinks=True)
        # How long the upgrade's transaction lasts, from its journal's log to the end of the run (the faster of two).
        durations = []
        for _attempt in range(2):
            self.restore("v1")
            proc = self.start(self.v2)
            wait_for(self.log_written)
            started = time.monotonic()
            assert proc.wait() == 0
            durations.append(time.monotonic() - started)
        self.upgrade_seconds = min(durations)
        assert recorded_version(self.venv) == "2.0"
        self.v2_state = tree_state(self.venv)
        started = time.monotonic()
        subprocess.run([python, "-m", "venv", "--without-pip", os.path.join(work, "bare")], check=True)
        self.venv_seconds = time.monotonic() - started

    def log_written(self):
        """the journal's log"""
        return os.path.exists(os.path.join(journal_dir(self.venv), "log"))

    def argv(self, wagon, modes):
        return [CONTROLLER_PYTHON, self.script, wagon, self.venv, self.python, modes]

    def engine(self, wagon, modes):
        """Run the engine once per mode (see ENGINE); return the results."""
        proc = subprocess.run(self.argv(wagon, modes), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout)

    def start(self, wagon):
        """Start one real run of the engine in a process group of its own; return the Popen."""
        return subprocess.Popen(self.argv(wagon, "run"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def restore(self, state):
        """Put the venv where a round starts: v1 installed ("v1"), or no venv at all (None)."""
        shutil.rmtree(self.venv, ignore_errors=True)
        if state == "v1":
            shutil.copytree(self.template, self.venv, symlinks=True)

    def convergence_problems(self, expected, reference):
        """What is wrong with the venv, compared with an uninterrupted run that left ``reference``; [] when nothing."""
        venv = self.venv
        if os.path.exists(journal_dir(venv)):
            return ["a journal is left: %s" % summary(journal_entries(venv))]
        state = tree_state(venv)
        problems = []
        extra, missing = sorted(set(state) - set(reference)), sorted(set(reference) - set(state))
        if extra:
            problems.append("%d files no uninterrupted run leaves: %s" % (len(extra), ", ".join(extra[:5])))
        if missing:
            problems.append("%d files missing: %s" % (len(missing), ", ".join(missing[:5])))
        changed = sorted(
            path for path in set(state) & set(reference)
            if state[path] != reference[path] and not path.endswith(".pyc") and not path.startswith(".offline-wagon/")
        )
        if changed:
            problems.append("%d files with other bytes: %s" % (len(changed), ", ".join(changed[:5])))
        for path in sorted(p for p in state if p.endswith(".dist-info/RECORD")):
            problems += ["%s: %s" % (os.path.dirname(path), p) for p in record_problems(os.path.join(venv, os.path.dirname(path)))][:3]
        if problems:
            return problems
        python = os.path.join(venv, "bin", "python")
        view = json.loads(subprocess.check_output([python, "-I", "-c", METADATA_CHECK], universal_newlines=True))
        if view != {"installed": expected, "missing": []}:
            return ["importlib.metadata sees %s" % view]
        version = expected["bigapp"][0]
        other = "lib_new" if "lib-new" in expected else "lib_old"
        imported = subprocess.run([python, "-I", "-c", "import bigapp, bigapp.part%03d, %s; print(bigapp.VERSION)" % (MODULES - 1, other)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        if imported.stdout.strip() != version:
            problems.append("import: %s" % imported.stdout.strip()[-300:])
        script = subprocess.run([os.path.join(venv, "bin", "bigapp")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, check=False)
        if script.stdout.split() != ["bigapp", version]:
            problems.append("console script: %s" % script.stdout.strip()[-300:])
        return problems


@pytest.fixture(scope="module")
def rig(tmp_path_factory, pythons):
    if PYTHON not in pythons:
        pytest.skip("no Python %s here" % PYTHON)
    return Rig(str(tmp_path_factory.mktemp("kill")), pythons[PYTHON])


@pytest.fixture(scope="module")
def rng():
    seed = int(os.environ.get("WAGON_KILL_SEED") or random.SystemRandom().randrange(2 ** 32))
    print("WAGON_KILL_SEED=%d" % seed)
    return random.Random(seed), seed


def kill_round(rig, wagon, start_state, delay, wait_first=None):
    """Restore ``start_state``, start the install, (wait for ``wait_first``,) sleep ``delay``, kill it; return what it left.

    ``state`` is one of: ``untouched`` (killed before its journal began),
    ``begun`` (a journal with no log yet), ``journal`` (a journal with a log:
    changes to undo), ``committing`` (the install complete, killed while its
    journal was being removed), ``done`` (finished, or killed just after).
    """
    rig.restore(start_state)
    proc = rig.start(wagon)
    if wait_first is not None:
        wait_for(wait_first)
    time.sleep(delay)
    finished = proc.poll() is not None
    kill_tree(proc)
    entries = journal_entries(rig.venv)
    at_target = recorded_version(rig.venv) == ("2.0" if wagon == rig.v2 else "1.0")
    if entries is None:
        state = "done" if at_target else "untouched"
    elif entries == "no log":
        state = "committing" if at_target else "begun"
    else:
        state = "journal"
    return {"finished": finished and proc.returncode == 0, "entries": entries, "state": state}


def recovery_problems(rig, wagon, left, expected, reference):
    """Check mode right after the kill, the run that recovers, a further run, then the venv; the problems found."""
    check, real, again = rig.engine(wagon, "check,run,run")
    state, problems = left["state"], []
    if "error" in check:
        problems.append("check mode failed: %s" % check["error"])
    # Interrupted means a change to undo: a log with lines. A journal without
    # one (killed before its first line, or after the commit removed the log)
    # holds nothing to undo.
    elif check["plan"].get("interrupted", False) is not (isinstance(left["entries"], list) and bool(left["entries"])):
        problems.append("check mode said interrupted=%s" % check["plan"].get("interrupted", False))
    if "error" in real:
        return problems + ["the run failed: %s" % real["error"]]
    # Only a finished install (or one killed after its commit point) leaves nothing to do.
    if state == "committing":
        # The install was complete; the run only removes the leftovers and
        # says not changed (test_bug_a_kill_while_the_journal_is_removed).
        if real["changed"]:
            problems.append("changed=true after a complete install")
    elif real["changed"] is not (state != "done"):
        problems.append("the run said changed=%s" % real["changed"])
    elif "error" not in check and check["changed"] is not real["changed"]:
        problems.append("check mode said changed=%s, the run %s" % (check["changed"], real["changed"]))
    if left["finished"] and real["changed"]:
        problems.append("changed=true after the killed run had finished")
    if "error" in again or again["changed"]:
        problems.append("a further run: %s" % again)
    return problems + rig.convergence_problems(expected, reference)


def report(kind, seed, rounds):
    """Print what each round left; fail with every problem of every round."""
    print("%s kills (seed %d):" % (kind, seed))
    for context, left, problems in rounds:
        print("  %s: %s %s%s" % (context, left["state"], summary(left["entries"]) if left["state"] == "journal" else "",
                                 " PROBLEMS: " + "; ".join(problems) if problems else ""))
    failed = ["%s (left %s: %s): %s" % (c, left["state"], summary(left["entries"]), "; ".join(p)) for c, left, p in rounds if p]
    assert not failed, "seed %d, %d of %d rounds:\n%s" % (seed, len(failed), len(rounds), "\n".join(failed))


def test_upgrade_killed_at_random_moments_converges(rig, rng):
    random_, seed = rng
    rounds = []
    for index in range(UPGRADE_ROUNDS):
        delay = random_.uniform(0, rig.upgrade_seconds)
        context = "round %d, killed %.3f s into the %.3f s of the transaction" % (index, delay, rig.upgrade_seconds)
        left = kill_round(rig, rig.v2, "v1", delay, wait_first=rig.log_written)
        rounds.append((context, left, recovery_problems(rig, rig.v2, left, V2, rig.v2_state)))
    # Most kills must have landed inside the transaction, or the test proved little.
    inside = [r for r in rounds if r[1]["state"] == "journal"]
    assert len(inside) >= UPGRADE_ROUNDS // 3, [r[1]["state"] for r in rounds]
    report("upgrade", seed, rounds)


def test_venv_creation_killed_converges(rig, rng):
    random_, seed = rng
    log = os.path.join(journal_dir(rig.venv), "log")

    def creation_announced():
        """the journal to announce the venv"""
        try:
            with open(log) as stream:
                return '"venv"' in stream.readline()
        except OSError:
            return False

    rounds = []
    for index in range(CREATION_ROUNDS):
        # Once the journal says the venv is about to be made, ``python -m venv`` runs: kill within it.
        delay = random_.uniform(0, rig.venv_seconds)
        context = "creation round %d, killed %.3f s after the venv line" % (index, delay)
        left = kill_round(rig, rig.v1, None, delay, wait_first=creation_announced)
        rounds.append((context, left, recovery_problems(rig, rig.v1, left, V1, rig.v1_state)))
    assert [r for r in rounds if r[1]["entries"] == ["venv"]], [summary(r[1]["entries"]) for r in rounds]
    report("creation", seed, rounds)


def test_a_killed_ansible_run_is_reported_interrupted_and_converges(rig, rng):
    random_, seed = rng
    args = {"src": rig.v2, "venv": rig.venv}
    argv = [os.path.join(BIN, "ansible"), "localhost", "-m", "offline.wagon.wagon_install",
            "-e", json.dumps({"ansible_python_interpreter": CONTROLLER_PYTHON}), "-a", json.dumps(args)]
    for _attempt in range(3):
        rig.restore("v1")
        proc = subprocess.Popen(argv, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, start_new_session=True)

        def removal_begun():
            """the module to set the first old files aside"""
            return backups(rig.venv) > 0 or proc.poll() is not None

        wait_for(removal_begun)
        # The removal and the install that follows take a good part of the run: kill within them.
        delay = random_.uniform(0, rig.upgrade_seconds / 4)
        time.sleep(delay)
        kill_tree(proc)
        entries = journal_entries(rig.venv)
        if isinstance(entries, list):
            break
    context = "seed %d, ansible killed %.3f s after the removal began, leaving %s" % (seed, delay, summary(entries))
    assert isinstance(entries, list), context

    check = run_module("wagon_install", args, check=True)
    real = run_module("wagon_install", args)
    again = run_module("wagon_install", args)
    assert not real["failed"], (context, real.get("msg"))
    assert real["changed"] and again["changed"] is False, context
    assert real["installed"] == ["bigapp==2.0", "lib-keep==1.0", "lib-new==1.0"]
    assert real["ownership"] == {"bigapp": "added", "lib-keep": "added", "lib-new": "added"}
    assert rig.convergence_problems(V2, rig.v2_state) == [], context
    # Check mode may fail here (test_bug_check_mode_after_a_kill_mid_wheel); when it works it must say so.
    assert check["failed"] or (check["plan"]["interrupted"] is True and check["changed"]), (context, check)


def test_check_mode_after_a_kill_mid_wheel_reports_interrupted(rig):
    # Once a bug (_install.py _install, check mode): check mode plans on the
    # half-written venv instead of reporting the interruption. Killed while
    # bigapp 2.0 is unpacked (its METADATA written, its RECORD not yet), the
    # probe finds "bigapp 2.0 without a RECORD", whose wheel hash differs from
    # the record's, and check mode fails ("cannot reinstall bigapp 2.0 ...
    # installed without a RECORD"), where the real run recovers and upgrades.
    rig.restore("v1")
    proc = rig.start(rig.v2)
    dist_info = os.path.join(rig.venv, SITE, "bigapp-2.0.dist-info")

    def metadata_written():
        """bigapp 2.0's METADATA"""
        return os.path.exists(os.path.join(dist_info, "METADATA")) or proc.poll() is not None

    wait_for(metadata_written)
    kill_tree(proc)
    assert not os.path.exists(os.path.join(dist_info, "RECORD")), "the install got too far"
    check, real, again = rig.engine(rig.v2, "check,run,run")
    assert real["changed"] is True and again["changed"] is False
    assert rig.convergence_problems(V2, rig.v2_state) == []
    assert "error" not in check, check["error"]
    assert check["plan"]["interrupted"] is True and check["changed"] is True


def test_check_mode_after_a_kill_during_venv_creation_reports_interrupted(rig):
    # Once a bug (the same defect as above): killed while ``python -m venv``
    # runs, once it wrote pyvenv.cfg but before bin/python, check mode takes
    # the directory for a venv and fails ("Python interpreter .../bin/python
    # does not exist") instead of reporting the interrupted creation.
    for _attempt in range(10):
        rig.restore(None)
        proc = rig.start(rig.v1)

        def config_written():
            """pyvenv.cfg"""
            return os.path.exists(os.path.join(rig.venv, "pyvenv.cfg")) or proc.poll() is not None

        wait_for(config_written)
        kill_tree(proc)
        if not os.path.lexists(os.path.join(rig.venv, "bin", "python")):
            break
    else:
        pytest.skip("no kill landed between pyvenv.cfg and bin/python")
    check, real, again = rig.engine(rig.v1, "check,run,run")
    assert real["changed"] is True and again["changed"] is False
    assert rig.convergence_problems(V1, rig.v1_state) == []
    assert "error" not in check, check["error"]
    assert check["plan"]["interrupted"] is True and check["changed"] is True


def test_a_kill_while_the_journal_is_removed_is_reported_alike_by_check_mode_and_the_run(rig):
    # Killed once the install is complete, while Journal.commit removes the
    # journal (its log first: the commit point; then hundreds of backups), the
    # run leaves a journal with no log: nothing to undo. Check mode and the run
    # agree that nothing changes, and the run removes the leftovers.
    log = os.path.join(journal_dir(rig.venv), "log")
    for _attempt in range(10):
        rig.restore("v1")
        proc = rig.start(rig.v2)

        def log_removed():
            """the commit to remove the log"""
            return not os.path.exists(log) or proc.poll() is not None

        wait_for(rig.log_written)
        wait_for(log_removed)
        kill_tree(proc)
        if journal_entries(rig.venv) == "no log":
            break
    else:
        pytest.skip("no kill landed while the journal was being removed")
    assert recorded_version(rig.venv) == "2.0"
    check, real, again = rig.engine(rig.v2, "check,run,run")
    assert rig.convergence_problems(V2, rig.v2_state) == []
    assert not check["plan"].get("interrupted") and check["changed"] is False, check
    assert real["changed"] is False and again["changed"] is False
    assert journal_entries(rig.venv) is None


def test_a_kill_during_bytecode_compilation_leaves_no_temporary_file(rig, rng):
    # Once a bug (_journal.py replay / _wheel_install.py compile_bytecode):
    # py_compile writes <name>.pyc.<id> next to the bytecode, then renames it.
    # The journal announces only <name>.pyc, so a kill in between leaves the
    # temporary file, which no rollback removes and no RECORD lists.
    random_, seed = rng
    cache = os.path.join(rig.venv, SITE, "lib_new", "__pycache__")
    for _attempt in range(10):
        rig.restore("v1")
        proc = rig.start(rig.v2)

        def compile_begins():
            """the __pycache__ directories (made just before compiling)"""
            return os.path.isdir(cache) or proc.poll() is not None

        wait_for(compile_begins)
        time.sleep(random_.uniform(0, 0.15))
        kill_tree(proc)
        if compile_leftovers(rig.venv):
            break
    else:
        pytest.skip("no kill landed while py_compile had a temporary file open (seed %d)" % seed)
    real, again = rig.engine(rig.v2, "run,run")
    assert real["changed"] is True and again["changed"] is False
    assert compile_leftovers(rig.venv) == []
    assert rig.convergence_problems(V2, rig.v2_state) == []


def test_a_recovery_killed_halfway_loses_no_file(rig, rng):
    # Once a bug (_journal.py replay is not idempotent): A file the upgrade
    # replaced has two lines: "aside" (the old file into the backup), later
    # "create" (the new one). Undoing newest first unlinks the new file, then
    # renames the backup back. Killed after that, before the journal is gone,
    # the next replay meets "create" again and unlinks the file it had put
    # back. Here the operator then goes back to 1.0: that run finds bigapp 1.0
    # installed and recorded, says changed=false, and the venv lacks modules.
    random_, seed = rng
    rig.restore("v1")
    proc = rig.start(rig.v2)
    metadata = os.path.join(rig.venv, SITE, "bigapp-2.0.dist-info", "METADATA")

    def modules_written():
        """bigapp 2.0's METADATA, written after all its modules"""
        return os.path.exists(metadata) or proc.poll() is not None

    wait_for(modules_written)
    kill_tree(proc)
    assert isinstance(journal_entries(rig.venv), list), "the upgrade finished before it was killed"
    left = backups(rig.venv)

    proc = rig.start(rig.v1)  # the operator goes back to 1.0; its first act is to undo the journal

    def restoring_bigapp():
        """the next run to put back the old files, lib-old's (set aside last, so restored first) and some of bigapp's"""
        return backups(rig.venv) < left - LIB_MODULES * 2 - 100 or proc.poll() is not None

    wait_for(restoring_bigapp)
    kill_tree(proc)
    # The kill may land after the replay undid its last line (the log is then
    # cut to nothing or gone): the venv must converge all the same.
    left_over = journal_entries(rig.venv)
    print("seed %d: the recovery was killed with %s" % (seed, "%d lines left in its log" % len(left_over) if isinstance(left_over, list) else left_over))
    real, again = rig.engine(rig.v1, "run,run")
    problems = rig.convergence_problems(V1, rig.v1_state)
    assert problems == [], "seed %d; the run said changed=%s: %s" % (seed, real.get("changed"), problems)
