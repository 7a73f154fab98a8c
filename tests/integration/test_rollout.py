# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""offline.wagon.rollout on three disconnected SSH hosts with different Pythons.

The hosts (tests/support/hosts.py) are sshd's in network namespaces of their
own, with no route out, private /tmp and /srv, and no pip configuration or
package mirror; they run Python 3.9, 3.11 and 3.12. The wagons are built on
the controller from fixture wheels, with no index. Each test uses its own
application directory under /srv, so they share the hosts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time

import pytest

from tests.support import offline
from tests.support.ansible import run_playbook
from tests.support.fixtures import make_wheel
from tests.support.hosts import missing_prerequisites, offline_hosts
from tests.support.pythons import find_pythons

HERE = os.path.dirname(os.path.abspath(__file__))
PLAY = os.path.join(HERE, "playbooks", "rollout.yml")
HOST_PYTHONS = ("3.9", "3.11", "3.12")
# Tasks that run once on the controller, whatever the mode (the build is real in check mode).
CONTROLLER_TASKS = {"Build the wagon on the controller", "Read the prebuilt wagon on the controller", "Remember the wagon for this play"}
HANDLERS = {"Restart app"}
ROLE = "offline.wagon.rollout : "
BLOB_SIZE = 4 * 1024 * 1024

pytestmark = [
    pytest.mark.offline,
    pytest.mark.skipif(bool(missing_prerequisites()), reason=missing_prerequisites() or "ok"),
    pytest.mark.skipif(not offline.available(), reason="needs root, unshare and ip"),
]


@pytest.fixture(scope="module")
def fleet():
    pythons = find_pythons()
    missing = [version for version in HOST_PYTHONS if version not in pythons]
    if missing:
        pytest.skip("the hosts need pyenv Pythons %s" % ", ".join(missing))
    with offline_hosts(len(HOST_PYTHONS), [pythons[version] for version in HOST_PYTHONS]) as hosts:
        yield hosts


def package(version, body=""):
    """The modules of demo-app ``version``: VERSION, hello(), ``body``, and 4 MiB that does not compress."""
    return {
        "demo_app/__init__.py": "VERSION = %r\n\n\ndef hello():\n    return 'demo-app %s'\n%s" % (version, version, body),
        "demo_app/blob.bin": random.Random(version).getrandbits(8 * BLOB_SIZE).to_bytes(BLOB_SIZE, "little"),
    }


@pytest.fixture(scope="module")
def links(tmp_path_factory):
    directory = tmp_path_factory.mktemp("links")
    make_wheel(directory, "helper-lib", "1.0")
    for version in ("1.0", "2.0"):
        make_wheel(directory, "demo-app", version, requires=["helper-lib"], modules=package(version))
    # 3.0 uses a match statement: it installs everywhere, and imports only on Python 3.10 and later.
    match = "\n\ndef kind(value):\n    match value:\n        case 1:\n            return 'one'\n        case _:\n            return 'other'\n"
    make_wheel(directory, "demo-app", "3.0", requires=["helper-lib"], modules=package("3.0", match))
    # slow-app 2.0 has thousands of modules, so its install takes long enough to be killed half way.
    make_wheel(directory, "slow-app", "1.0", modules={"slow_app/__init__.py": "VERSION = '1.0'\n"})
    heavy = {"slow_app/__init__.py": "VERSION = '2.0'\n"}
    heavy.update({"slow_app/m%04d.py" % i: "X = %d\n" % i for i in range(3000)})
    make_wheel(directory, "slow-app", "2.0", modules=heavy)
    # marked-app needs old-shim only below Python 3.10: a wagon of targets gives it to the 3.9 host alone.
    make_wheel(directory, "marked-app", "1.0", requires=["old-shim; python_version < '3.10'"],
               modules={"marked_app/__init__.py": "VERSION = '1.0'\n"})
    make_wheel(directory, "old-shim", "1.0")
    return str(directory)


def short(task):
    """A task's name without the role's prefix."""
    return task[len(ROLE):] if task.startswith(ROLE) else task


def result(run, task, host):
    """The last result of the role's task ``task`` on ``host``."""
    return run.result(ROLE + task, host=host)


class Rollout(object):
    """Runs the rollout play for one application directory and reads its results and the hosts' files."""

    def __init__(self, fleet, links, wagons, base):
        self.fleet, self.links, self.wagons, self.base = fleet, links, str(wagons), base

    def run(self, check=False, **variables):
        extra = {
            "rollout_base": self.base,
            "rollout_build": {"find_links": [self.links], "no_index": True, "pip_args": ["--isolated"]},
            "rollout_build_dest": self.wagons,
        }
        extra.update(variables)
        before = {host.name: host.bytes_received() for host in self.fleet.hosts}
        run = run_playbook(PLAY, extra, check=check, diff=True, inventory=self.fleet.inventory)
        run.sent = {host.name: host.bytes_received() - before[host.name] for host in self.fleet.hosts}
        run.outcome = {host.name: self.outcome(run, host.name) for host in self.fleet.hosts}
        return run

    @staticmethod
    def outcome(run, host):
        """The ``rollout_result`` fact the role set on ``host``, or None when it did not get there.

        The deprecated old name ``rollout`` (until 0.2.0) is set beside it, to the same value.
        """
        facts = [r["result"]["ansible_facts"] for r in run.results
                 if r["host"] == host and "rollout_result" in r["result"].get("ansible_facts", {})]
        assert all(f["rollout"] == f["rollout_result"] for f in facts)
        return facts[-1]["rollout_result"] if facts else None

    @staticmethod
    def changes(run, host):
        """Names of the tasks that changed ``host`` (not the controller's build, not handlers)."""
        return sorted({short(r["task"]) for r in run.results
                       if r["host"] == host and r["result"].get("changed") and short(r["task"]) not in CONTROLLER_TASKS | HANDLERS})

    def current(self, host):
        link = host.files(self.base + "/current")
        return os.readlink(link) if os.path.islink(link) else None

    def releases(self, host):
        directory = host.files(self.base + "/releases")
        return sorted(os.listdir(directory)) if os.path.isdir(directory) else []

    def restarts(self, host):
        path = host.files(self.base + "/restarts")
        return open(path).read().split() if os.path.exists(path) else []

    def current_version(self, host, package_name="demo_app"):
        """What ``import <package>; print(VERSION)`` says with the current release's Python, run inside the host."""
        proc = host.run([self.base + "/current/bin/python", "-c", "import %s; print(%s.VERSION)" % (package_name, package_name)])
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    def leftovers(self, host):
        """Ansible's remote temporary files still on the host."""
        directory = host.files("/tmp/.ansible/tmp")
        return os.listdir(directory) if os.path.isdir(directory) else []


def install_results(run, host):
    """``plan``, ``installed`` and ``diff`` of each run of the role's install task on ``host``."""
    return [{k: r["result"].get(k) for k in ("plan", "installed", "diff")} for r in run.results
            if r["host"] == host and short(r["task"]) == "Install the wagon into its release venv"]


def assert_predicted(check, real, hosts):
    """Check mode named the same changes, and the same outcome, as the real run."""
    for host in hosts:
        assert Rollout.changes(check, host.name) == Rollout.changes(real, host.name), host.name
        predicted, actual = dict(check.outcome[host.name]), dict(real.outcome[host.name])
        # Only a real run sends the archive.
        assert predicted.pop("transferred") is False
        actual.pop("transferred")
        assert predicted == actual, host.name
        # The host planned from the wagon's metadata alone: the real run's plan, and its diff.
        planned, done = (install_results(run, host.name) for run in (check, real))
        assert planned == done, host.name
        assert all(r["plan"] and r["diff"] for r in done), done


def test_rollout_v1_v2_rollback_and_repeats(fleet, links, tmp_path):
    app = Rollout(fleet, links, tmp_path / "wagons", "/srv/lifecycle")
    hosts = fleet.hosts

    # v1 to three hosts: check mode first, which sends nothing and changes nothing.
    check = app.run(check=True, rollout_source="demo-app==1.0").check()
    for host in hosts:
        assert check.outcome[host.name]["switched"] and check.outcome[host.name]["installed"]
        assert not os.path.exists(host.files("/srv/lifecycle"))
    v1 = app.run(rollout_source="demo-app==1.0").check()
    assert_predicted(check, v1, hosts)
    archive = next(r["result"]["archive"] for r in v1.results if short(r["task"]) == "Build the wagon on the controller")
    archive_size = os.path.getsize(archive)
    assert archive_size > BLOB_SIZE
    for host, version in zip(hosts, HOST_PYTHONS):
        assert v1.outcome[host.name]["transferred"] and v1.sent[host.name] > archive_size
        assert app.current(host) == "releases/demo-app-1.0"
        assert app.current_version(host) == "1.0"
        with open(host.files("/srv/lifecycle/releases/demo-app-1.0/pyvenv.cfg")) as stream:
            assert "version = %s." % version in stream.read()  # each release venv has its host's own Python
        # The install record names the controller's archive, not the temporary copy on the host.
        with open(host.files("/srv/lifecycle/releases/demo-app-1.0/.offline-wagon/demo-app.json")) as stream:
            assert json.load(stream)["archive"] == "controller:" + archive
        assert app.restarts(host) == ["demo-app-1.0"]

    # v2: a new release beside v1.
    check = app.run(check=True, rollout_source="demo-app==2.0").check()
    v2 = app.run(rollout_source="demo-app==2.0").check()
    assert_predicted(check, v2, hosts)
    for host in hosts:
        assert app.current(host) == "releases/demo-app-2.0" and app.current_version(host) == "2.0"
        assert app.releases(host) == ["demo-app-1.0", "demo-app-2.0"]
        assert app.restarts(host) == ["demo-app-1.0", "demo-app-2.0"]

    # The same run again: nothing changes anywhere and no archive moves.
    again = app.run(rollout_source="demo-app==2.0").check()
    for host in hosts:
        assert again.stats[host.name]["changed"] == 0, again.stdout[-3000:]
        assert again.outcome[host.name]["transferred"] is False
        assert again.sent[host.name] < archive_size / 4, again.sent
        assert app.restarts(host) == ["demo-app-1.0", "demo-app-2.0"]
        assert app.leftovers(host) == []

    # Roll back, then repeat the rollback: the second one changes nothing.
    check = app.run(check=True, rollout_state="rollback").check()
    back = app.run(rollout_state="rollback").check()
    assert_predicted(check, back, hosts)
    repeat = app.run(rollout_state="rollback").check()
    for host in hosts:
        assert back.outcome[host.name]["previous"] == "demo-app-2.0"
        assert app.current(host) == "releases/demo-app-1.0" and app.current_version(host) == "1.0"
        assert repeat.stats[host.name]["changed"] == 0
        assert repeat.sent[host.name] < archive_size / 4
        assert app.restarts(host) == ["demo-app-1.0", "demo-app-2.0", "demo-app-1.0"]

    # Forward again by name; a name that is not there is refused, and current stays.
    named = app.run(rollout_state="rollback", rollout_release="demo-app-2.0").check()
    assert all(named.outcome[h.name]["current"] == "demo-app-2.0" for h in hosts)
    missing = app.run(rollout_state="rollback", rollout_release="demo-app-9.9")
    assert missing.rc != 0
    refusal = result(missing, "Refuse a rollback with nowhere to go", hosts[0].name)
    assert "demo-app-9.9 is not a complete release" in refusal["msg"]
    assert "demo-app-1.0, demo-app-2.0" in refusal["msg"]
    assert all(app.current(h) == "releases/demo-app-2.0" for h in hosts)


def test_a_failing_check_keeps_that_host_on_its_release(fleet, links, tmp_path):
    app = Rollout(fleet, links, tmp_path / "wagons", "/srv/checkfail")
    hosts = fleet.hosts
    check_command = "{{ rollout_release_dir }}/bin/python -I -c 'import demo_app; assert demo_app.hello().startswith(\"demo-app\")'"

    # Two batches: the wagon is built once for the play, not once per batch.
    v1 = app.run(rollout_source="demo-app==1.0", rollout_keep=1, rollout_serial=2, rollout_check_command=check_command).check()
    builds = [r for r in v1.results if short(r["task"]) == "Build the wagon on the controller" and r["status"] != "skipped"]
    assert len(builds) == 1, [r["host"] for r in builds]
    assert all(app.current(h) == "releases/demo-app-1.0" for h in hosts)
    app.run(rollout_source="demo-app==2.0", rollout_keep=1, rollout_check_command=check_command).check()

    # 3.0 installs on every host but does not import on Python 3.9.
    v3 = app.run(rollout_source="demo-app==3.0", rollout_keep=1, rollout_check_command=check_command)
    old, new = hosts[0], hosts[1:]
    assert v3.rc != 0 and v3.stats[old.name]["failures"] == 1
    failed = result(v3, "Import the release's package", old.name)
    assert failed["failed"] and "SyntaxError" in failed["stderr"]
    assert app.current(old) == "releases/demo-app-2.0" and app.current_version(old) == "2.0"
    assert app.restarts(old) == ["demo-app-1.0", "demo-app-2.0"]
    # Nothing was pruned where the check failed; the failed release waits, unmarked, for the next run.
    assert app.releases(old) == ["demo-app-1.0", "demo-app-2.0", "demo-app-3.0"]
    assert not os.path.exists(old.files("/srv/checkfail/releases/demo-app-3.0/.offline-wagon-rollout.json"))
    for host in new:
        assert v3.stats[host.name]["failures"] == 0
        assert app.current(host) == "releases/demo-app-3.0" and app.current_version(host) == "3.0"
        # Keep 1: the release before (2.0) stays for a rollback, 1.0 goes.
        assert app.releases(host) == ["demo-app-2.0", "demo-app-3.0"]
        assert app.restarts(host) == ["demo-app-1.0", "demo-app-2.0", "demo-app-3.0"]
    assert all(app.leftovers(h) == [] for h in hosts)


def kill_install_when_it_compiles(host, stop, killed):
    """Kill -9 the wagon_install module and its bytecode compiler on ``host`` once that runs (files are half in place)."""
    while not stop.is_set():
        victims = []
        for pid in host.pids():
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as stream:
                    cmdline = stream.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            # The module's Python and its compiler; not the shell around them, which reports the death to Ansible.
            if cmdline.startswith(("/bin/sh", "sh ")):
                continue
            if "AnsiballZ_wagon_install" in cmdline or ("py_compile" in cmdline and "/srv/killed/" in cmdline):
                victims.append((pid, cmdline))
        if any("py_compile" in cmdline for _pid, cmdline in victims):
            for pid, _cmdline in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            killed.extend(victims)
            return
        time.sleep(0.02)


def test_an_install_killed_half_way_keeps_current_and_the_next_run_converges(fleet, links, tmp_path):
    app = Rollout(fleet, links, tmp_path / "wagons", "/srv/killed")
    hosts = fleet.hosts
    app.run(rollout_source="slow-app==1.0").check()

    victim = hosts[1]
    stop, killed = threading.Event(), []
    watcher = threading.Thread(target=kill_install_when_it_compiles, args=(victim, stop, killed))
    watcher.start()
    try:
        crashed = app.run(rollout_source="slow-app==2.0")
    finally:
        stop.set()
        watcher.join()
    assert killed, "the install never compiled on %s" % victim.name
    assert crashed.rc != 0 and crashed.stats[victim.name]["failures"] == 1, crashed.stdout[-3000:]
    assert result(crashed, "Install the wagon into its release venv", victim.name)["failed"]
    assert app.current(victim) == "releases/slow-app-1.0"
    assert app.current_version(victim, "slow_app") == "1.0"
    # The half-made release is there, without the mark of a complete one.
    assert "slow-app-2.0" in app.releases(victim)
    assert not os.path.exists(victim.files("/srv/killed/releases/slow-app-2.0/.offline-wagon-rollout.json"))
    for host in hosts:
        if host is not victim:
            assert app.current(host) == "releases/slow-app-2.0"
        assert app.leftovers(host) == []  # the sent archive is gone, also where the module died

    again = app.run(rollout_source="slow-app==2.0").check()
    assert "Remove releases that never completed" in Rollout.changes(again, victim.name)
    assert again.outcome[victim.name]["transferred"] and again.outcome[victim.name]["switched"]
    for host in hosts:
        assert app.current(host) == "releases/slow-app-2.0"
        assert app.current_version(host, "slow_app") == "2.0"
        if host is not victim:
            assert again.stats[host.name]["changed"] == 0


def test_one_wagon_of_targets_serves_hosts_of_three_pythons(fleet, links, tmp_path):
    app = Rollout(fleet, links, tmp_path / "wagons", "/srv/targets")
    build = {"find_links": [links], "no_index": True, "pip_args": ["--isolated"],
             "targets": [{"python": version, "platform": "manylinux2014_x86_64"} for version in HOST_PYTHONS]}
    run = app.run(rollout_source="marked-app==1.0", rollout_build=build).check()
    builds = [r for r in run.results if short(r["task"]) == "Build the wagon on the controller" and r["status"] != "skipped"]
    assert len(builds) == 1 and builds[0]["result"]["archive"].endswith("-py39.py311.py312-none-any.wgn"), builds
    for host, version in zip(fleet.hosts, HOST_PYTHONS):
        installed = result(run, "Install the wagon into its release venv", host.name)
        nodot = version.replace(".", "")
        assert installed["target"] == "cp%s-cp%s-manylinux2014_x86_64" % (nodot, nodot), installed
        assert app.current_version(host, "marked_app") == "1.0"
        shim = host.run([app.base + "/current/bin/python", "-c",
                         "import importlib.util as u; print(u.find_spec('old_shim') is not None)"])
        assert shim.stdout.strip() == str(version == "3.9"), (host.name, shim.stdout, shim.stderr)
