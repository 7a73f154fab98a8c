# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: one wagon for four Pythons (wagon_build with targets), side by side with
running ``pip download`` once per target by hand.

Run on demand, never in CI: ``.venv/bin/python bench/targets.py [--runs 3] [--package keyring==25.5.0]``.
Needs the package index. The runs alternate, so both see the same index and
machine load. Prints a Markdown table (median of the runs, ratio to the by-hand
loop), the wagon's contents and size, and what the by-hand loop got wrong
(pip evaluates markers for the machine running it, not the target) for docs/fleet.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.support.ansible import environment  # noqa: E402
from tests.support.pythons import CONTROLLER_PYTHON  # noqa: E402

ANSIBLE = os.path.join(ROOT, ".venv", "bin", "ansible")
PYTHONS = ("3.9", "3.11", "3.12", "3.13")
PLATFORM = "manylinux2014_x86_64"


def build(package, dest):
    """wagon_build through ``ansible -m``; return its result."""
    args = {"source": package, "dest": dest, "targets": [{"python": v, "platform": PLATFORM} for v in PYTHONS]}
    argv = [ANSIBLE, "localhost", "-m", "offline.wagon.wagon_build", "-a", json.dumps(args),
            "-e", "ansible_python_interpreter=" + CONTROLLER_PYTHON, "-o"]
    env = environment()
    env.pop("ANSIBLE_CALLBACKS_ENABLED")
    out = subprocess.run(argv, check=True, env=env, stdout=subprocess.PIPE, universal_newlines=True).stdout
    return json.loads(out.split("=>", 1)[1])


def by_hand(package, dest):
    """What users do today: one pip download per target, into a directory per target."""
    sets = {}
    for version in PYTHONS:
        directory = os.path.join(dest, version)
        subprocess.run([CONTROLLER_PYTHON, "-m", "pip", "download", "-q", "--only-binary", ":all:",
                        "--platform", PLATFORM, "--python-version", version, "--implementation", "cp",
                        "--abi", "cp" + version.replace(".", ""), "-d", directory, package],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sets[version] = sorted(os.listdir(directory))
    return sets


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--package", default="keyring==25.5.0")
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix="wagon-bench-targets-")
    samples = {"wagon": [], "hand": []}
    result = hand = None
    try:
        for run in range(options.runs):
            for kind in ("hand", "wagon"):
                dest = os.path.join(work, "%s-%d" % (kind, run))
                start = time.perf_counter()
                if kind == "wagon":
                    result = build(options.package, dest)
                else:
                    hand = by_hand(options.package, dest)
                samples[kind].append(time.perf_counter() - start)
        hand_median = statistics.median(samples["hand"])
        print("| way (%s, 4 targets) | median | min | max | ratio |" % options.package)
        print("| --- | --- | --- | --- | --- |")
        for kind, label in (("hand", "`pip download` once per target, by hand"),
                            ("wagon", "`wagon_build` with `targets` (one archive, via `ansible -m`)")):
            values = samples[kind]
            print("| %s | %.2f s | %.2f s | %.2f s | %.2f |" % (
                label, statistics.median(values), min(values), max(values), statistics.median(values) / hand_median))
        print()
        archive = result["archive"]
        print("archive %s: %d bytes (%.1f MB)" % (os.path.basename(archive), result["size"], result["size"] / 1e6))
        with zipfile.ZipFile(archive) as opened:
            for info in opened.infolist():
                print("  %9d  %s" % (info.file_size, info.filename))
        targets = result["metadata"]["offline_wagon"]["targets"]
        unpacked = sum(os.path.getsize(os.path.join(work, "hand-0", v, f)) for v in PYTHONS for f in hand[v])
        print("by hand: %d files, %d bytes in four directories" % (sum(len(hand[v]) for v in PYTHONS), unpacked))
        for target in targets:
            ours, theirs = set(target["wheels"]), set(hand[target["python"]])
            print("target %s: %d wheels; by hand, missing %s, extra %s" % (
                target["python"], len(ours), sorted(ours - theirs) or "nothing", sorted(theirs - ours) or "nothing"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
