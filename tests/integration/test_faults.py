# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults of the host during an install (issue 14): each one refused in one line, or survived, and no venv lost.

What is proven, each by making the fault really happen (mounts, signals,
other users, concurrent processes; no mocks), and why it matters:

- a stopped lock holder makes an install wait ``lock_timeout`` seconds, then
  fail naming the holder's pid, while a sibling venv installs at once (the lock
  is the venv's own); once the holder is gone the install goes through;
- 8 first installs racing into one missing venv all succeed and exactly one of
  them created it; 8 installs of 8 versions racing into one venv leave one
  version, recorded truthfully, every RECORD true, no journal;
- a failing install whose rollback removes the venv it created does not take
  with it the venv an install waiting on the lock then makes (forced with a
  runner that pauses the failing install on its ``python -m venv``);
- a full disk, a read-only venv, ``.offline-wagon`` being a file, a read-only
  record directory and a root-owned venv used by an unprivileged user each
  fail with one line saying what and where, and leave the venv byte for byte
  as it was (``tree_state``);
- SIGKILL mid-install then a run leaves nothing but install records under
  ``.offline-wagon/`` and nothing next to the venv;
- with ``remote_src`` through real Ansible, a wagon another user owns in a
  world-writable directory, renamed over by another version right after the
  module's first open of it (a fanotify permission hook: deterministic), is
  installed as the bytes the ``checksum`` names, or refused.

The installs run through a small driver script (tests/support/faults.py
DRIVER) with the controller's Python, as test_kill does: fast, and the
engine's WagonError is the module's one-line failure. Tests that need root
(mounts, other users, fanotify) skip without it.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile

import pytest

from tests.support.ansible import run_module
from tests.support.faults import DRIVER, OpenSwapper, has_open, kill_tree, mounted, process_state, read_only, wait_for
from tests.support.fixtures import make_wheel
from tests.support.pythons import CONTROLLER_PYTHON, SYSTEM_PYTHON
from tests.support.trees import tree_state
from tests.support.wagons import make_wagon, record_problems

SITE = os.path.join("lib", "python3.12", "site-packages")
VERSIONS = ["%d.0" % major for major in range(1, 9)]
BIG_MODULES = 300

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mounts, other users, fanotify)")

# Holds an exclusive flock on the directory argv[1], says so, then stops itself.
HOLDER = r"""
import fcntl, os, signal, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
os.kill(os.getpid(), signal.SIGSTOP)
"""


def modules(package, version, count, size=1500):
    """make_wheel modules: ``count`` modules of about ``size`` bytes each, and the package's __init__."""
    found = {"%s/__init__.py" % package: "VERSION = %r\n" % version}
    for index in range(count):
        found["%s/part%03d.py" % (package, index)] = "VALUE = %d\nTEXT = %r\n" % (index, ("%s-%d " % (version, index)) * (size // 8))
    return found


def corrupt_wheel(good, target):
    """Copy the wheel ``good`` to ``target`` with one module's bytes changed and its RECORD kept: its RECORD check fails."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename.endswith("__init__.py"):
                data += b"# not what RECORD says\n"
            out.writestr(entry, data)
    return target


class Kit(object):
    """The wagons, a template venv (Python 3.12, empty) and the driver script, shared by the tests."""

    def __init__(self, work, python):
        self.work, self.python = work, python
        self.driver = os.path.join(work, "driver.py")
        with open(self.driver, "w") as stream:
            stream.write(DRIVER)
        wheels = os.path.join(work, "wheels")
        os.makedirs(wheels)
        self.wagons = {}
        for version in VERSIONS:
            directory = os.path.join(work, "wagons", version)
            os.makedirs(directory)
            self.wagons[version] = make_wagon(directory, [make_wheel(wheels, "faultapp", version)])
        self.good = self.wagons["1.0"]
        big = make_wheel(wheels, "bigfault", "1.0", modules=modules("bigfault", "1.0", BIG_MODULES))
        self.big = make_wagon(work, [big])
        bad_dir = os.path.join(work, "bad")
        os.makedirs(bad_dir)
        name = "faultapp-1.0-py3-none-any.whl"
        self.bad = make_wagon(bad_dir, [corrupt_wheel(os.path.join(wheels, name), os.path.join(bad_dir, name))])
        self.template = os.path.join(work, "template")
        subprocess.run([python, "-m", "venv", "--without-pip", self.template], check=True)

    def venv(self, path):
        """A fresh copy of the empty template venv at ``path``; return ``path``."""
        shutil.copytree(self.template, path, symlinks=True)
        return path

    def argv(self, src, venv, driver_python=CONTROLLER_PYTHON, driver=None, **options):
        options.setdefault("venv_python_path", self.python)
        return [driver_python, driver or self.driver, json.dumps(dict(options, src=src, venv=venv))]

    def start(self, src, venv, **options):
        return subprocess.Popen(self.argv(src, venv, **options), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, start_new_session=True)

    def install(self, src, venv, wrap=(), **options):
        """Run the driver once; return its result ({changed, plan} or {error}); a crash fails the test."""
        proc = subprocess.run(list(wrap) + self.argv(src, venv, **options), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, check=False, timeout=300)
        return outcome(proc.returncode, proc.stdout, proc.stderr)


def outcome(rc, stdout, stderr):
    assert rc == 0 and "Traceback" not in stderr, "the engine crashed (rc=%s): %s" % (rc, stderr[-3000:])
    return json.loads(stdout)


def finish(proc):
    stdout, stderr = proc.communicate(timeout=300)
    return outcome(proc.returncode, stdout, stderr)


def assert_refused(result, *words):
    """``result`` is a failure in one line that says each of ``words`` (what, where)."""
    assert "error" in result, "not refused: %s" % result
    message = result["error"]
    assert "\n" not in message and "Traceback" not in message and "Module failed" not in message, message
    for word in words:
        assert word.lower() in message.lower(), "%r not in the message: %s" % (word, message)
    return message


def installed_version(venv, name="faultapp"):
    found = glob.glob(os.path.join(venv, SITE, "%s-*.dist-info" % name))
    return [os.path.basename(path)[len(name) + 1:-len(".dist-info")] for path in found]


def dist_info_problems(venv):
    problems = []
    for dist_info in glob.glob(os.path.join(venv, SITE, "*.dist-info")):
        problems += ["%s: %s" % (os.path.basename(dist_info), p) for p in record_problems(dist_info)]
    return problems


def leftovers(venv):
    """What is under ``<venv>/.offline-wagon`` besides install records, and what is next to the venv besides it."""
    records = os.path.join(venv, ".offline-wagon")
    inside = sorted(n for n in os.listdir(records) if not n.endswith(".json")) if os.path.isdir(records) else []
    beside = sorted(n for n in os.listdir(os.path.dirname(venv)) if n != os.path.basename(venv))
    return inside, beside


def sha256(path):
    with open(path, "rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


@pytest.fixture(scope="module")
def kit(tmp_path_factory, python312):
    return Kit(str(tmp_path_factory.mktemp("faults")), python312)


@pytest.fixture
def place(tmp_path):
    """A parent directory for the venvs of one test (tmp_path holds nothing else)."""
    directory = tmp_path / "place"
    directory.mkdir()
    return str(directory)


def test_a_stopped_lock_holder_times_out_naming_its_pid_and_blocks_no_sibling(kit, place):
    venv, sibling = kit.venv(os.path.join(place, "locked")), os.path.join(place, "sibling")
    before = tree_state(venv)
    holder = subprocess.Popen([CONTROLLER_PYTHON, "-c", HOLDER, venv], stdout=subprocess.PIPE, universal_newlines=True)
    try:
        assert holder.stdout.readline().strip() == "locked"

        def stopped():
            """the lock holder to stop itself"""
            return process_state(holder.pid) == "T"

        wait_for(stopped, 10)
        started = time.monotonic()
        refused = kit.install(kit.good, venv, lock_timeout=2)
        waited = time.monotonic() - started
        assert "pid %d" % holder.pid in refused.get("error", ""), refused
        assert 2 <= waited < 8, waited
        assert tree_state(venv) == before
        # The lock is the venv's own: a venv beside it (here: made by this install) does not wait.
        started = time.monotonic()
        result = kit.install(kit.good, sibling, lock_timeout=2)
        assert result.get("changed") is True and result["plan"]["create_venv"], result
        assert time.monotonic() - started < 8
        assert installed_version(sibling) == ["1.0"]
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    result = kit.install(kit.good, venv, lock_timeout=2)
    assert result.get("changed") is True, result
    assert installed_version(venv) == ["1.0"]
    assert_refused(refused, venv, "pid %d" % holder.pid, "lock_timeout")


def barrier_release(procs, barrier):
    """Wait until every driver in ``procs`` waits at ``barrier``, then release them all at once."""

    def all_waiting():
        """every driver to reach the barrier"""
        return len(glob.glob(barrier + ".*")) == len(procs) or any(p.poll() is not None for p in procs)

    wait_for(all_waiting, 60)
    with open(barrier, "w"):
        pass


def test_concurrent_first_installs_into_one_missing_venv_create_it_once(kit, place):
    venv, barrier = os.path.join(place, "venv"), os.path.join(place, "..", "barrier")
    procs = [kit.start(kit.good, venv, barrier=barrier) for _index in range(8)]
    barrier_release(procs, barrier)
    results = [finish(proc) for proc in procs]
    assert [r for r in results if "error" in r] == []
    assert sum(1 for r in results if r["plan"]["create_venv"]) == 1, [r["plan"]["create_venv"] for r in results]
    assert sum(1 for r in results if r["changed"]) == 1, [r["changed"] for r in results]
    python = os.path.join(venv, "bin", "python")
    assert subprocess.check_output([python, "-I", "-c", "import faultapp; print(faultapp.VERSION)"], universal_newlines=True).strip() == "1.0"
    assert dist_info_problems(venv) == []
    assert leftovers(venv) == ([], [])


def test_concurrent_installs_of_eight_versions_end_consistent(kit, place):
    venv, barrier = kit.venv(os.path.join(place, "venv")), os.path.join(place, "..", "barrier")
    procs = [kit.start(kit.wagons[version], venv, barrier=barrier) for version in VERSIONS]
    barrier_release(procs, barrier)
    results = [finish(proc) for proc in procs]
    assert [r for r in results if "error" in r] == []
    versions = installed_version(venv)
    assert len(versions) == 1 and versions[0] in VERSIONS, versions
    with open(os.path.join(venv, ".offline-wagon", "faultapp.json")) as stream:
        record = json.load(stream)
    assert record["version"] == versions[0]
    assert record["archive_sha256"] == sha256(kit.wagons[versions[0]])
    assert dist_info_problems(venv) == []
    assert leftovers(venv) == ([], [])
    assert sum(1 for r in results if r["changed"]) >= 1


def test_a_failing_creation_rolled_back_does_not_remove_the_venv_a_waiting_install_makes(kit, place):
    venv, pause = os.path.join(place, "venv"), os.path.join(place, "..", "pause")
    first = kit.start(kit.bad, venv, pause=pause)
    second = None
    try:
        def paused():
            """the failing install to reach its python -m venv, holding the lock"""
            return os.path.exists(pause + ".reached") or first.poll() is not None

        wait_for(paused)
        assert first.poll() is None, first.communicate()
        second = kit.start(kit.good, venv)

        def waiting():
            """the good install to open the venv directory to lock it"""
            return has_open(second.pid, venv) or second.poll() is not None

        wait_for(waiting)
        time.sleep(0.2)  # it polls the lock (LOCK_NB): give it a few tries while the first one holds it
        assert second.poll() is None, second.communicate()
        with open(pause + ".go", "w"):
            pass
        failed = finish(first)
        good = finish(second)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                kill_tree(proc)
    assert_refused(failed, "faultapp", "RECORD")
    assert good.get("changed") is True and good["plan"]["create_venv"], good
    python = os.path.join(venv, "bin", "python")
    assert subprocess.check_output([python, "-I", "-c", "import faultapp; print(faultapp.VERSION)"], universal_newlines=True).strip() == "1.0"
    assert dist_info_problems(venv) == []
    assert leftovers(venv) == ([], [])


def enter_or_skip(stack, guard):
    """Enter the context ``guard`` (a mount) on ``stack``; skip the test when it cannot be made."""
    try:
        stack.enter_context(guard)
    except OSError as error:
        pytest.skip(str(error))


@pytest.fixture
def mount_point(place):
    directory = os.path.join(place, "mnt")
    os.mkdir(directory)
    return directory


@needs_root
def test_a_full_disk_fails_in_one_line_and_leaves_the_venv_as_it_was(kit, mount_point):
    with contextlib.ExitStack() as stack:
        enter_or_skip(stack, mounted(["-t", "tmpfs", "-o", "size=3m", "tmpfs", mount_point], mount_point))
        venv = kit.venv(os.path.join(mount_point, "venv"))
        before = tree_state(venv)
        status = os.statvfs(mount_point)
        filler = os.path.join(mount_point, "filler")
        # Room for the journal, the extracted wheel and a part of its modules, not for all of them (each takes a page).
        with open(filler, "wb") as stream:
            stream.write(b"\0" * (status.f_bavail * status.f_frsize - 600 * 1024))
        result = kit.install(kit.big, venv)
        message = assert_refused(result, "the disk is full", mount_point)
        assert tree_state(venv) == before, message
        assert leftovers(venv)[0] == []
        os.unlink(filler)
        result = kit.install(kit.big, venv)
        assert result.get("changed") is True, result
        assert installed_version(venv, "bigfault") == ["1.0"] and dist_info_problems(venv) == []


def refused_unchanged(kit, venv, guard, *words, **install):
    """Install the good wagon into ``venv`` under the context ``guard`` (a mount); it must fail saying ``words``, venv unchanged."""
    before = tree_state(venv)
    with contextlib.ExitStack() as stack:
        enter_or_skip(stack, guard)
        result = kit.install(install.pop("src", kit.good), venv, **install)
        assert tree_state(venv) == before
    assert tree_state(venv) == before
    return assert_refused(result, *words)


@needs_root
def test_a_read_only_venv_fails_in_one_line(kit, place):
    venv = kit.venv(os.path.join(place, "venv"))
    refused_unchanged(kit, venv, read_only(venv), "read-only", venv)


def test_offline_wagon_as_a_file_fails_in_one_line(kit, place):
    venv = kit.venv(os.path.join(place, "venv"))
    with open(os.path.join(venv, ".offline-wagon"), "w") as stream:
        stream.write("not a directory\n")
    before = tree_state(venv)
    result = kit.install(kit.good, venv)
    assert_refused(result, os.path.join(venv, ".offline-wagon"))
    assert tree_state(venv) == before


@needs_root
@pytest.mark.parametrize("with_record", [True, False], ids=["with-a-record", "empty"])
def test_a_read_only_record_directory_fails_in_one_line(kit, place, with_record):
    venv = kit.venv(os.path.join(place, "venv"))
    records = os.path.join(venv, ".offline-wagon")
    if with_record:
        assert kit.install(kit.good, venv).get("changed") is True
    else:
        os.mkdir(records)
    message = refused_unchanged(kit, venv, read_only(records), "read-only", records, src=kit.wagons["2.0"])
    assert "busy" not in message.lower(), message


@needs_root
def test_a_root_owned_venv_refuses_an_unprivileged_user_in_one_line(kit):
    if not os.path.exists(SYSTEM_PYTHON) or not shutil.which("setpriv"):
        pytest.skip("needs %s and setpriv" % SYSTEM_PYTHON)
    # Somewhere nobody can reach (pytest's tmp_path is root's own), with a venv
    # of an interpreter nobody may run (the pyenv ones live under /root).
    base = tempfile.mkdtemp(prefix="wagon-faults-")
    try:
        os.chmod(base, 0o755)
        venv = os.path.join(base, "venv")
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", venv], check=True)
        src = shutil.copy(kit.good, base)
        driver = shutil.copy(kit.driver, base)
        for path in (src, driver):
            os.chmod(path, 0o644)
        before = tree_state(venv)
        wrap = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        result = kit.install(src, venv, wrap=wrap, driver_python=SYSTEM_PYTHON, driver=driver, venv_python_path=SYSTEM_PYTHON)
        assert_refused(result, "permission denied", venv)
        assert tree_state(venv) == before
    finally:
        shutil.rmtree(base)


def test_kills_mid_install_leave_nothing_but_records(kit, place):
    venv = os.path.join(place, "venv")
    journal = os.path.join(venv, ".offline-wagon", "transaction")
    seen = []
    # Kills while the venv is made (no venv yet), then while the big wagon's modules are written into an empty venv.
    for start, delay in (("missing", 0.05), ("missing", 0.4), ("empty", 0.0), ("empty", 0.15), ("empty", 0.4)):
        shutil.rmtree(venv, ignore_errors=True)
        if start == "empty":
            kit.venv(venv)
        proc = kit.start(kit.big, venv)

        def journal_begun():
            """the install's journal log"""
            return os.path.exists(os.path.join(journal, "log")) or proc.poll() is not None

        wait_for(journal_begun)
        time.sleep(delay)
        kill_tree(proc)
        seen.append(os.path.isdir(journal))
        result = kit.install(kit.big, venv)
        assert "error" not in result, result
        assert leftovers(venv) == ([], []), "after a kill %.2f s into the transaction" % delay
        assert installed_version(venv, "bigfault") == ["1.0"] and dist_info_problems(venv) == []
    assert any(seen), "no kill landed inside a transaction"


@needs_root
def test_remote_src_swapped_after_its_first_open_installs_what_the_checksum_names(kit, tmp_path):
    venv = kit.venv(str(tmp_path / "venv"))
    shared = str(tmp_path / "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o777)  # anyone may rename files here
    src = shutil.copy(kit.wagons["1.0"], shared)
    other = shutil.copy(kit.wagons["2.0"], os.path.join(shared, ".other"))
    expected = sha256(src)
    for path in (src, other):
        os.chown(path, 65534, 65534)  # nobody's: the module must read a private copy
    try:
        swapper = OpenSwapper(src, other)
    except OSError as error:
        pytest.skip("fanotify: %s" % error)
    try:
        result = run_module("wagon_install", {"src": src, "venv": venv, "remote_src": True, "checksum": "sha256:" + expected})
    finally:
        swapper.close()
    assert swapper.swapped, "nobody opened %s" % src
    assert sha256(src) == sha256(kit.wagons["2.0"])  # the swap happened
    if result["failed"]:
        assert "\n" not in result["msg"] and "Module failed" not in result["msg"], result["msg"]
        assert installed_version(venv) == []
        return
    assert installed_version(venv) == ["1.0"], (result, swapper.openers)
    with open(os.path.join(venv, ".offline-wagon", "faultapp.json")) as stream:
        assert json.load(stream)["archive_sha256"] == expected
