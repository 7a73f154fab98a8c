# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: offline.wagon.rollout to 1, 5 and 10 disconnected SSH hosts, first run and no-op repeat.

Run on demand, as root, never in CI:
``.venv/bin/python bench/rollout.py [--hosts 1 5 10] [--runs 1] [--blob-mib 8]``.

The hosts are tests/support/hosts.py's (sshd in network namespaces, no route
out, Pythons 3.9, 3.11, 3.12 and 3.13 in turn). The wagon is prebuilt once on
the controller from fixture wheels (a package with ``--blob-mib`` MiB that
does not compress, plus one dependency), so no index is involved and the
figures are about the rollout alone. Each first run uses a fresh application
directory; the no-op repeat follows it on the same one, once with Ansible's
defaults and once with pipelining. "Bytes sent" is what the controller's ends
of the hosts' links transmitted (SSH and all), summed over the hosts.
Prints a Markdown table for docs/rollout.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.support.ansible import run_module, run_playbook  # noqa: E402
from tests.support.fixtures import make_wheel  # noqa: E402
from tests.support.hosts import missing_prerequisites, offline_hosts  # noqa: E402
from tests.support.pythons import find_pythons  # noqa: E402

PLAY = os.path.join(ROOT, "tests", "integration", "playbooks", "rollout.yml")
HOST_PYTHONS = ("3.9", "3.11", "3.12", "3.13")


def build_wagon(work, blob_mib):
    links = os.path.join(work, "links")
    os.makedirs(links)
    size = blob_mib * 1024 * 1024
    make_wheel(links, "helper-lib", "1.0")
    make_wheel(links, "bench-app", "1.0", requires=["helper-lib"], modules={
        "bench_app/__init__.py": "VERSION = '1.0'\n",
        "bench_app/blob.bin": random.Random(1).getrandbits(8 * size).to_bytes(size, "little"),
    })
    start = time.perf_counter()
    built = run_module("wagon_build", {
        "source": "bench-app==1.0", "dest": os.path.join(work, "wagons"), "find_links": [links],
        "no_index": True, "pip_args": ["--isolated"],
    })
    if built.get("failed"):
        raise SystemExit("build failed: %s" % built.get("msg"))
    return built["archive"], time.perf_counter() - start


def rollout(fleet, archive, base, forks, pipelining=False):
    """One play run; return (seconds, bytes sent to all hosts, changed count, transferred count)."""
    before = {host.name: host.bytes_received() for host in fleet.hosts}
    env = {"ANSIBLE_FORKS": str(forks)}
    if pipelining:
        env["ANSIBLE_PIPELINING"] = "True"
    start = time.perf_counter()
    run = run_playbook(PLAY, {"rollout_base": base, "rollout_archive": archive}, inventory=fleet.inventory, env=env)
    elapsed = time.perf_counter() - start
    run.check()
    sent = sum(host.bytes_received() - before[host.name] for host in fleet.hosts)
    changed = sum(run.stats[host.name]["changed"] for host in fleet.hosts)
    transferred = sum(1 for r in run.results if r["result"].get("transferred"))
    return elapsed, sent, changed, transferred


def row(label, count, samples):
    times = [s[0] for s in samples]
    sent = statistics.median(s[1] for s in samples)
    median = statistics.median(times)
    return "| %s | %d | %.1f s | %.2f s | %.1f MB | %.2f MB | %d | %d | %d |" % (
        label, count, median, median / count, sent / 1e6, sent / count / 1e6,
        samples[-1][2], samples[-1][3], len(samples),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--blob-mib", type=int, default=8)
    options = parser.parse_args()
    reason = missing_prerequisites()
    if reason:
        raise SystemExit(reason)
    found = find_pythons()
    pythons = [found[v] for v in HOST_PYTHONS if v in found]
    work = tempfile.mkdtemp(prefix="wagon-bench-rollout-")
    try:
        archive, build_seconds = build_wagon(work, options.blob_mib)
        print("wagon %s: %.1f MB, built in %.1f s; host Pythons %s" % (
            os.path.basename(archive), os.path.getsize(archive) / 1e6, build_seconds,
            ", ".join(v for v in HOST_PYTHONS if v in found)))
        print()
        print("| run | hosts | wall time | per host | bytes sent | per host | changed | archives sent | runs |")
        print("|---|---|---|---|---|---|---|---|---|")
        for count in options.hosts:
            forks = min(count, 10)
            with offline_hosts(count, pythons) as fleet:
                first, noop, piped = [], [], []
                for index in range(options.runs):
                    base = "/srv/bench%d" % index
                    first.append(rollout(fleet, archive, base, forks))
                    noop.append(rollout(fleet, archive, base, forks))
                    piped.append(rollout(fleet, archive, base, forks, pipelining=True))
                print(row("first run", count, first))
                print(row("no-op repeat", count, noop))
                print(row("no-op repeat, pipelining", count, piped))
                sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
