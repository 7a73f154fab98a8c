# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile input through real Ansible: every case refused cleanly or accepted, nothing escapes, nothing calls out.

What this proves (issue 14): for each archive of the corpus in
``tests/support/hostile.py`` (path tricks, tar and zip specials, bombs,
hostile wheels, bad metadata, benign oddities), installed once through the
module (``remote_src: true``: the action plugin passes it straight on) and
once through the action plugin (a controller ``src``: the plugin reads the
archive itself, then runs the module), and for a set of hostile option
values:

- a refused case fails with a one-line ``msg`` (no "MODULE FAILURE", no
  traceback, no timeout) matching what the case expects, and leaves its venv
  (a copy of a template venv holding a small wagon) byte for byte as it was;
- a benign case installs;
- whatever the outcome, no file appears in the case's sentinel directory
  (where every hostile path aims), next to its venv, in the archive's
  directory or in Ansible's working directory, and no connection reaches the
  one address the hostile metadata names.

Why this shape: each path is ONE ansible-playbook run looping over every
case (a run per case would cost minutes), the runs go in parallel, and each
runs in its own network namespace (``unshare -n``) where a loopback listener
on one port per case counts connections, so an attempt is pinned to its case.
Each task has a timeout, so a hanging case shows up as a timed-out item
instead of hanging the run. Every problem of every case is gathered into one
assertion message, grouped by case, with a summary line of counts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import hostile, offline
from tests.support.ansible import run_module, run_playbook
from tests.support.fixtures import make_wheel
from tests.support.trees import tree_state
from tests.support.wagons import make_wagon

pytestmark = pytest.mark.skipif(not offline.available(), reason="needs root, unshare and ip (a network namespace)")

ARCHIVE_TIMEOUT = 60  # seconds per case (task keyword timeout): a hang is one failed item
OPTION_TIMEOUT = 20  # hostile options must fail fast (a FIFO src, above all)
RUN_TIMEOUT = 900  # the whole ansible-playbook run
BASE_PORT = 20000

# Counts connections on 127.0.0.1:BASE..BASE+COUNT-1, one line (the port) per connection, in LOG.
LISTENER = r"""
import selectors, socket, sys
log, base, count, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
selector = selectors.DefaultSelector()
for port in range(base, base + count):
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", port))
    listening.listen(16)
    listening.setblocking(False)
    selector.register(listening, selectors.EVENT_READ, port)
open(ready, "w").close()
while True:
    for key, events in selector.select():
        connection, peer = key.fileobj.accept()
        with open(log, "a") as stream:
            stream.write("%d\n" % key.data)
        connection.close()
"""

# Run under offline_prefix(): bring up loopback, start the listener, wait for it, run "$@" in a scratch cwd.
WRAPPER = r"""
python=$1 listener=$2 log=$3 base=$4 count=$5 ready=$6 cwd=$7
shift 7
ip link set lo up
"$python" -c "$listener" "$log" "$base" "$count" "$ready" &
pid=$!
tries=0
while [ ! -e "$ready" ]; do
    tries=$((tries + 1))
    if [ $tries -gt 400 ]; then echo "the loopback listener did not start" >&2; kill $pid; exit 97; fi
    sleep 0.05
done
cd "$cwd" || exit 98
"$@"
rc=$?
kill $pid
wait $pid 2>/dev/null
exit $rc
"""

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Install each case
      offline.wagon.wagon_install:
        src: "{{ item.args.src | default(omit) }}"
        venv: "{{ item.args.venv | default(omit) }}"
        remote_src: "{{ item.args.remote_src | default(omit) }}"
        checksum: "{{ item.args.checksum | default(omit) }}"
        state: "{{ item.args.state | default(omit) }}"
        venv_python: "{{ item.args.venv_python | default(omit) }}"
        python: "{{ item.args.python | default(omit) }}"
        force: "{{ item.args.force | default(omit) }}"
        timeout: "{{ item.args.timeout | default(omit) }}"
      loop: "{{ cases }}"
      loop_control:
        label: "{{ item.name }}"
      ignore_errors: true
      timeout: "{{ task_timeout }}"
      register: outcome
    # ansible-core 2.19+ keeps "failed" out of the items the callback sees: the registered result has it.
    - name: Keep which cases failed
      ansible.builtin.copy:
        content: "{{ outcome.results | map(attribute='failed', default=false) | list | to_json }}"
        dest: "{{ failed_file }}"
"""

CRASH = re.compile(r"MODULE FAILURE|Module failed|Traceback \(most recent call last\)")
# What ansible-core 2.19+ puts in "exception" of a clean fail_json; anything else there is a traceback.
NO_TRACEBACK = "(traceback unavailable)"
# What a run leaves in its own root and in its working directory (where the playbook is).
RUN_FILES = {"cases", "sentinel", "venvs", "cwd", "inputs", "connections.log", "listening", "results.json", "failed.json"}
PLAY_FILES = {"hostile.yml", "vars.json"}


class Run(object):
    """One ansible-playbook run over many cases, each with its own venv copy, sentinel and port."""

    def __init__(self, label, root, template, task_timeout):
        self.label, self.root, self.template, self.task_timeout = label, str(root), template, task_timeout
        self.items = []  # dicts: name, expect, pattern, args, venv, sentinel, port, home, archive_dir, before
        for sub in ("cases", "sentinel", "venvs", "cwd"):
            os.makedirs(os.path.join(self.root, sub))
        self.log = os.path.join(self.root, "connections.log")
        self.ansible = None
        self.seconds = 0.0

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def add(self, name, expect, pattern, args, archive_dir=None, venv=None):
        """Add a case: its venv is a fresh copy of the template, ``args`` may name it as ``{venv}``."""
        home = self.path("venvs", name)
        os.makedirs(home)
        copy = os.path.join(home, "venv")
        shutil.copytree(self.template, copy, symlinks=True)
        watched = venv or copy
        self.items.append({
            "name": name, "expect": expect, "pattern": pattern, "args": args, "venv": watched, "home": home,
            "sentinel": self.path("sentinel", name), "port": BASE_PORT + len(self.items), "archive_dir": archive_dir,
            "before": tree_state(watched) if os.path.isdir(watched) else None, "home_before": sorted(os.listdir(home)),
            "archive_before": listing(archive_dir),
        })
        return self.items[-1]

    def new_sentinel(self, name):
        sentinel = self.path("sentinel", name)
        os.makedirs(sentinel)
        return sentinel

    def run(self):
        # The playbook sits in the working directory: Ansible runs modules from its directory.
        vars_file = self.path("cwd", "vars.json")
        with open(vars_file, "w") as stream:
            json.dump({"cases": [{"name": i["name"], "args": i["args"]} for i in self.items],
                       "task_timeout": self.task_timeout, "failed_file": self.path("failed.json")}, stream)
        playbook = self.path("cwd", "hostile.yml")
        with open(playbook, "w") as stream:
            stream.write(PLAYBOOK)
        wrap = offline.offline_prefix() + [
            "sh", "-c", WRAPPER, "wrapper", sys.executable, LISTENER, self.log, str(BASE_PORT), str(len(self.items)),
            self.path("listening"), self.path("cwd"),
        ]
        started = time.monotonic()
        self.ansible = run_playbook(playbook, args=["-e", "@" + vars_file], wrap=wrap, timeout=RUN_TIMEOUT)
        self.seconds = time.monotonic() - started
        with open(self.path("results.json"), "w") as stream:  # kept for reading a failure
            json.dump(self.ansible.results, stream, indent=1, default=str)
        return self


def listing(directory):
    """``{name: size}`` of the files in ``directory`` (None when there is none)."""
    if not directory or not os.path.isdir(directory):
        return None
    return {name: os.path.getsize(os.path.join(directory, name)) for name in os.listdir(directory)}


@pytest.fixture(scope="module")
def template(tmp_path_factory, python312):
    """A venv holding the small wagon ``template-app 1.0``, installed once by the engine; every case gets a copy."""
    root = tmp_path_factory.mktemp("hostile-template")
    wheel = make_wheel(str(root), "template-app", "1.0")
    wagon = make_wagon(str(root), [wheel])
    venv = str(root / "venv")
    result = run_module("wagon_install", {"src": wagon, "venv": venv, "venv_python": python312}, wrap=offline.offline_prefix())
    assert result["changed"] and not result["failed"], result
    return venv, wagon


def selected(names):
    """The names that $OFFLINE_WAGON_HOSTILE_ONLY (a regex, for working on the engine) selects; all by default."""
    only = os.environ.get("OFFLINE_WAGON_HOSTILE_ONLY")
    return [name for name in names if not only or re.search(only, name)]


def archive_run(root, template_venv, remote_src, part=0, parts=1):
    """A Run of the corpus (every ``parts``-th case from ``part``), built for it (own sentinels and ports), through one path."""
    label = "module (remote_src)" if remote_src else "action plugin (controller src)"
    if parts > 1:
        label += " %d/%d" % (part + 1, parts)
    run = Run(label, root, template_venv, ARCHIVE_TIMEOUT)
    chosen = set(selected([case.name for case in hostile.CASES][part::parts]))
    for index, case in enumerate(c for c in hostile.CASES if c.name in chosen):
        directory = run.path("cases", case.name)
        os.makedirs(directory)
        sentinel = run.new_sentinel(case.name)
        archive = case.build(directory, sentinel, BASE_PORT + index)
        item = run.add(case.name, case.expect, case.pattern, {"src": archive, "remote_src": remote_src}, directory)
        item["args"]["venv"] = os.path.join(item["home"], "venv")
    return run


def option_run(root, template_venv, good_wagon):
    """A Run of hostile option values, each against the good wagon (or no wagon at all)."""
    run = Run("options", root, template_venv, OPTION_TIMEOUT)
    inputs = run.path("inputs")
    os.makedirs(inputs)
    fifo = os.path.join(inputs, "fifo.wgn")
    os.mkfifo(fifo)
    os.symlink(fifo, os.path.join(inputs, "link-to-fifo.wgn"))
    os.makedirs(os.path.join(inputs, "directory.wgn"))
    a_file = os.path.join(inputs, "a-file")
    with open(a_file, "w") as stream:
        stream.write("not a venv\n")
    sha256 = "sha256:" + "0" * 64
    cases = [
        # (name, args: {venv} is the case's venv copy, {home} its directory, {sentinel} its sentinel; watched venv)
        ("venv-empty-remote", {"src": good_wagon, "venv": "", "remote_src": True}),
        ("venv-empty-controller", {"src": good_wagon, "venv": ""}),
        ("venv-nul", {"src": good_wagon, "venv": "{venv}\x00x", "remote_src": True}),
        ("venv-5000-chars", {"src": good_wagon, "venv": "{home}/" + "v" * 5000, "remote_src": True}),
        ("venv-deep-5000-chars", {"src": good_wagon, "venv": "{home}/" + "d/" * 2500 + "v", "remote_src": True}),
        ("venv-non-venv-directory", {"src": good_wagon, "venv": "{home}/populated", "remote_src": True}),
        ("venv-is-a-file", {"src": good_wagon, "venv": a_file, "remote_src": True}),
        ("venv-python-dev-null", {"src": good_wagon, "venv": "{home}/new", "venv_python": "/dev/null", "remote_src": True}),
        ("venv-python-shell", {"src": good_wagon, "venv": "{home}/new", "remote_src": True,
                               "venv_python": "python3; touch {sentinel}/x"}),
        ("python-dash-c", {"src": good_wagon, "python": "-c", "remote_src": True}),
        ("src-fifo-remote", {"src": fifo, "venv": "{venv}", "remote_src": True}),
        ("src-fifo-controller", {"src": fifo, "venv": "{venv}"}),
        ("src-symlink-to-fifo-remote", {"src": os.path.join(inputs, "link-to-fifo.wgn"), "venv": "{venv}", "remote_src": True}),
        ("src-directory-remote", {"src": os.path.join(inputs, "directory.wgn"), "venv": "{venv}", "remote_src": True}),
        ("src-directory-controller", {"src": os.path.join(inputs, "directory.wgn"), "venv": "{venv}"}),
        ("src-dev-zero-remote", {"src": "/dev/zero", "venv": "{venv}", "remote_src": True}),
        ("src-dev-zero-controller", {"src": "/dev/zero", "venv": "{venv}"}),
        ("src-empty-remote", {"src": "", "venv": "{venv}", "remote_src": True}),
        ("src-empty-controller", {"src": "", "venv": "{venv}"}),
        ("src-nul", {"src": good_wagon + "\x00.wgn", "venv": "{venv}", "remote_src": True}),
        ("src-passwd", {"src": "/etc/passwd", "venv": "{venv}", "remote_src": True}),
        ("src-missing-controller", {"src": inputs + "/missing.wgn", "venv": "{venv}"}),
        ("checksum-garbage", {"src": good_wagon, "venv": "{venv}", "checksum": "sha256:zzz", "remote_src": True}),
        ("checksum-garbage-controller", {"src": good_wagon, "venv": "{venv}", "checksum": "sha256:zzz"}),
        ("checksum-unknown-algorithm", {"src": good_wagon, "venv": "{venv}", "checksum": "rot13:abc", "remote_src": True}),
        ("checksum-newline", {"src": good_wagon, "venv": "{venv}", "checksum": sha256 + "\n-r /etc/passwd", "remote_src": True}),
        ("checksum-wrong", {"src": good_wagon, "venv": "{venv}", "checksum": sha256, "remote_src": True}),
        ("checksum-wrong-controller", {"src": good_wagon, "venv": "{venv}", "checksum": sha256}),
        ("state-weird", {"src": good_wagon, "venv": "{venv}", "state": "purged", "remote_src": True}),
        ("state-empty", {"src": good_wagon, "venv": "{venv}", "state": "", "remote_src": True}),
        ("state-newline", {"src": good_wagon, "venv": "{venv}", "state": "present\nabsent", "remote_src": True}),
        ("force-not-a-boolean", {"src": good_wagon, "venv": "{venv}", "force": "perhaps", "remote_src": True}),
        ("timeout-not-a-number", {"src": good_wagon, "venv": "{venv}", "timeout": "soon", "remote_src": True}),
    ]
    for name, args in cases:
        if not selected([name]):
            continue
        sentinel = run.new_sentinel(name)
        home = run.path("venvs", name)
        fill = {"venv": os.path.join(home, "venv"), "home": home, "sentinel": sentinel}
        args = {key: value.format(**fill) if isinstance(value, str) else value for key, value in args.items()}
        watched = None
        if name == "venv-non-venv-directory":
            watched = args["venv"]
        item = run.add(name, "refused", None, args, venv=watched)
        if name == "venv-non-venv-directory":
            # Made after the case's home was listed: it is what the install must leave alone.
            os.makedirs(watched)
            with open(os.path.join(watched, "keep.txt"), "w") as stream:
                stream.write("mine\n")
            item["before"] = tree_state(watched)
            item["home_before"] = sorted(os.listdir(item["home"]))
    return run


def item_results(run):
    """``{case name: the loop item's result, with "failed" set}`` of the run's install task."""
    task = [r for r in run.ansible.results if r["task"] == "Install each case"]
    if not task or not os.path.exists(run.path("failed.json")):
        return {}
    with open(run.path("failed.json")) as stream:
        failed = json.load(stream)
    items = task[-1]["result"].get("results", [])
    if len(items) != len(failed):
        return {}
    return {r["item"]["name"]: dict(r, failed=flag) for r, flag in zip(items, failed)}


def check_run(run, totals):
    """Every problem of every case of ``run``: ``{case name: [sentence, ...]}``; counts go into ``totals``."""
    results = item_results(run)
    problems = {}
    attempts = {}
    if os.path.exists(run.log):
        with open(run.log) as stream:
            for line in stream:
                attempts[int(line)] = attempts.get(int(line), 0) + 1
    if run.ansible.rc not in (0, 2) or not results:
        problems["(the run)"] = ["ansible-playbook rc=%d: %s %s" % (run.ansible.rc, run.ansible.stdout[-2000:], run.ansible.stderr[-2000:])]
    for item in run.items:
        found = []
        result = results.get(item["name"])
        totals["tried"] += 1
        if result is None:
            found.append("no result")
            problems[item["name"]] = found
            continue
        failed = bool(result.get("failed"))
        msg = str(result.get("msg", ""))
        shown = msg if len(msg) < 400 else msg[:400] + "..."
        crash = bool(CRASH.search(msg) or result.get("exception", NO_TRACEBACK) != NO_TRACEBACK
                     or CRASH.search(str(result.get("module_stderr", ""))))
        hang = failed and "timed out" in msg
        totals["refused" if failed else "accepted"] += 1
        if crash:
            totals["crashes"] += 1
            found.append("crash: %r" % shown)
        if hang:
            totals["hangs"] += 1
            found.append("hang: %r" % shown)
        # Ansible's own argument check echoes a bad choice as given, newline and all: not ours to shorten.
        if failed and "\n" in msg.strip() and not msg.startswith("value of "):
            found.append("msg is not one line: %r" % shown)
        if failed and not msg.strip():
            found.append("failed with no msg: %r" % {k: result[k] for k in result if k != "item"})
        if item["expect"] == "refused" and not failed:
            found.append("accepted, but must be refused (changed=%s)" % result.get("changed"))
        if item["expect"] == "accepted" and failed:
            found.append("refused, but must be accepted: %r" % shown)
        if failed and item["pattern"] and not crash and not hang and not re.search(item["pattern"], msg):
            found.append("refused, but msg does not match /%s/: %r" % (item["pattern"], shown))
        if failed:
            after = tree_state(item["venv"]) if os.path.isdir(item["venv"]) else None
            if after != item["before"]:
                found.append("venv changed: %s" % describe_change(item["before"], after))
        escaped = []
        if os.listdir(item["sentinel"]):
            escaped.append("sentinel holds %s" % sorted(os.listdir(item["sentinel"])))
        if sorted(os.listdir(item["home"])) != item["home_before"]:
            escaped.append("next to the venv: %s" % sorted(set(os.listdir(item["home"])) - set(item["home_before"])))
        if listing(item["archive_dir"]) != item["archive_before"]:
            escaped.append("the archive's directory changed: %s" % sorted(listing(item["archive_dir"]) or {}))
        if escaped:
            totals["escaped"] += 1
            found += ["escaped: " + e for e in escaped]
        if attempts.get(item["port"]):
            totals["network"] += attempts[item["port"]]
            found.append("network: %d connection(s) to 127.0.0.1:%d" % (attempts[item["port"]], item["port"]))
        if found:
            problems[item["name"]] = found
    # Outside any one case: the run's working directory (venv "" lands there), the venvs' and sentinels' parents.
    shared = []
    if set(os.listdir(run.path("cwd"))) - PLAY_FILES:
        shared.append("escaped: Ansible's working directory holds %s" % sorted(set(os.listdir(run.path("cwd"))) - PLAY_FILES)[:10])
    if set(os.listdir(run.root)) - RUN_FILES:
        shared.append("escaped: the run's directory holds %s" % sorted(set(os.listdir(run.root)) - RUN_FILES)[:10])
    if sorted(os.listdir(run.path("venvs"))) != sorted(i["name"] for i in run.items):
        shared.append("escaped: next to the case directories: %s"
                      % sorted(set(os.listdir(run.path("venvs"))) - set(i["name"] for i in run.items)))
    if sorted(os.listdir(run.path("sentinel"))) != sorted(i["name"] for i in run.items):
        shared.append("escaped: in the sentinel root: %s" % sorted(os.listdir(run.path("sentinel"))))
    unattributed = sum(count for port, count in attempts.items() if port not in set(i["port"] for i in run.items))
    if unattributed:
        shared.append("network: %d connection(s) to no case's port" % unattributed)
    if shared:
        totals["escaped"] += sum(1 for s in shared if s.startswith("escaped"))
        problems["(outside every case)"] = shared
    return problems


def describe_change(before, after):
    if after is None:
        return "the venv is gone"
    if before is None:
        return "a venv appeared"
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    altered = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    return "added %s, removed %s, altered %s" % (added[:5], removed[:5], altered[:5])


def test_hostile_corpus_and_options_through_module_and_action_plugin(tmp_path, template):
    template_venv, good_wagon = template
    started = time.monotonic()
    assert len(hostile.CASES) >= 100 and len(set(c.name for c in hostile.CASES)) == len(hostile.CASES)
    # The module path costs a module run per case, the action plugin refuses most on the controller:
    # two halves of the first and one run of the second keep both cores busy to the end.
    runs = [
        archive_run(tmp_path / "module-1", template_venv, True, 0, 2),
        archive_run(tmp_path / "module-2", template_venv, True, 1, 2),
        archive_run(tmp_path / "action", template_venv, False),
        option_run(tmp_path / "options", template_venv, good_wagon),
    ]
    runs = [run for run in runs if run.items]  # $OFFLINE_WAGON_HOSTILE_ONLY may leave some empty
    prepared = time.monotonic()
    with ThreadPoolExecutor(len(runs)) as pool:
        list(pool.map(Run.run, runs))
    ran = time.monotonic()
    totals = {key: 0 for key in ("tried", "refused", "accepted", "escaped", "network", "crashes", "hangs")}
    report = []
    for run in runs:
        problems = check_run(run, totals)
        for name in sorted(problems):
            report.append("[%s] %s:\n    %s" % (run.label, name, "\n    ".join(problems[name])))
    summary = ("hostile: %(tried)d cases tried, %(refused)d refused, %(accepted)d accepted, %(escaped)d escaped, "
               "%(network)d network attempts, %(crashes)d crashes, %(hangs)d hangs" % totals)
    summary += " (set-up %.0f s, runs %.0f s: %s, checks %.0f s)" % (
        prepared - started, ran - prepared, ", ".join("%s %.0f s" % (run.label, run.seconds) for run in runs), time.monotonic() - ran)
    print(summary)
    assert not report, "%d problems in %d case runs\n%s\n%s" % (len(report), totals["tried"], summary, "\n".join(report))


def test_listener_counts_a_connection(tmp_path):
    """The namespace, wrapper and listener really count: a connection from inside is seen, one from here is not."""
    root = tmp_path / "probe"
    root.mkdir()
    log = str(root / "log")
    (root / "cwd").mkdir()
    code = "import socket; socket.create_connection(('127.0.0.1', %d), timeout=5).close()" % (BASE_PORT + 1)
    wrap = offline.offline_prefix() + ["sh", "-c", WRAPPER, "wrapper", sys.executable, LISTENER, log, str(BASE_PORT), "2",
                                       str(root / "ready"), str(root / "cwd")]
    proc = subprocess.run(wrap + [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60, check=False, env=offline.offline_environment())
    assert proc.returncode == 0, proc.stderr
    with open(log) as stream:
        assert stream.read().split() == [str(BASE_PORT + 1)]
