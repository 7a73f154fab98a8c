# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: build and install a real package (Flask) with offline.wagon, side by side
with the usual way (pip download + ansible.builtin.pip --no-index --find-links).

Run on demand, never in CI: ``.venv/bin/python bench/install.py [--runs 3] [--package flask==3.0.3]``.
Needs the package index for the builds. Prints a Markdown table (median of the
runs, and the ratio to the baseline row of each group) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.support.ansible import environment  # noqa: E402
from tests.support.pythons import CONTROLLER_PYTHON, base_python  # noqa: E402

ANSIBLE = os.path.join(ROOT, ".venv", "bin", "ansible")


def ansible(module, args):
    argv = [ANSIBLE, "localhost", "-m", module, "-a", args, "-e", "ansible_python_interpreter=" + CONTROLLER_PYTHON]
    env = environment()
    env.pop("ANSIBLE_CALLBACKS_ENABLED")
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)


def timed(label, action, prepare=None, runs=3):
    samples = []
    for _run in range(runs):
        if prepare:
            prepare()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return label, statistics.median(samples), min(samples), max(samples), runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--package", default="flask==3.0.3")
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix="wagon-bench-")
    python = base_python(CONTROLLER_PYTHON)
    wagons, wheelhouse, venv = os.path.join(work, "wagons"), os.path.join(work, "wh"), os.path.join(work, "venv")
    pip = [CONTROLLER_PYTHON, "-m", "pip"]

    def clean(*paths):
        return lambda: [shutil.rmtree(p, ignore_errors=True) for p in paths]

    build_args = "source=%s dest=%s" % (options.package, wagons)
    groups = []
    groups.append([
        timed("pip download (baseline)", lambda: subprocess.run(
            pip + ["download", "-q", "-d", wheelhouse, options.package], check=True), clean(wheelhouse), options.runs),
        timed("wagon_build, first build", lambda: ansible("offline.wagon.wagon_build", build_args), clean(wagons), options.runs),
        timed("wagon_build, repeat (changed: false)", lambda: ansible("offline.wagon.wagon_build", build_args), None, options.runs),
    ])
    archive = os.path.join(wagons, sorted(os.listdir(wagons))[0])
    subprocess.run(pip + ["download", "-q", "-d", wheelhouse, options.package], check=True)
    name = options.package.split("=")[0]
    pip_args = "name=%s virtualenv=%s virtualenv_command='%s -m venv' extra_args='--no-index --find-links %s'" % (
        name, venv, python, wheelhouse)
    install_args = "src=%s venv=%s venv_python=%s" % (archive, venv, python)
    groups.append([
        timed("ansible.builtin.pip, new venv (baseline)", lambda: ansible("ansible.builtin.pip", pip_args), clean(venv), options.runs),
        timed("wagon_install, new venv", lambda: ansible("offline.wagon.wagon_install", install_args), clean(venv), options.runs),
    ])
    ansible("ansible.builtin.pip", pip_args)
    groups.append([
        timed("ansible.builtin.pip, already installed (baseline)", lambda: ansible("ansible.builtin.pip", pip_args), None, options.runs),
    ])
    shutil.rmtree(venv)
    ansible("offline.wagon.wagon_install", install_args)
    groups[-1].append(
        timed("wagon_install, already installed (no pip)", lambda: ansible("offline.wagon.wagon_install", install_args), None, options.runs))
    groups[-1].append(timed("ansible localhost -m ping (Ansible's own floor)", lambda: ansible("ansible.builtin.ping", ""), None, options.runs))

    print("| step (%s, %s) | median | min | max | runs | ratio |" % (options.package, os.path.basename(archive)))
    print("|---|---|---|---|---|---|")
    for group in groups:
        baseline = group[0][1]
        for label, median, low, high, runs in group:
            print("| %s | %.2f s | %.2f s | %.2f s | %d | %.2fx |" % (label, median, low, high, runs, median / baseline))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
