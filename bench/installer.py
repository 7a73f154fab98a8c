# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the engine's own wheel installer against pip, uv and ansible.builtin.pip.

Run on demand, never in CI:
``.venv/bin/python bench/installer.py [--runs 5] [--parts install,ansible] [--json FILE] [--profile]``.
Needs the package index once, at the start (wheels, uv, the newest pip, the
wagons); every measured install uses none.

Two parts, measured in one run and interleaved: each round runs every step
once, each group of steps starting one step later than in the round before,
so the machine's load falls on every tool alike. Medians of the rounds.

1. The install step alone (``install``): the same wheels (a package with its
   dependencies, ``--no-deps``, all named) into a fresh venv of the same
   Python, with bytecode compiled unless the row says otherwise. Creating the
   venv is not timed. pip runs in a venv made with pip; uv, the engine and
   unzip get a ``--without-pip`` venv. The engine row is a subprocess of the
   controller's Python that imports the engine, probes the venv's Python
   (``probe_interpreter``) and calls ``install_wheels``, so its start-up and
   imports count as pip's and uv's do; its breakdown rows come from timers
   inside that subprocess. uv "cold" gets an empty ``UV_CACHE_DIR`` every
   round; "warm" shares one that an untimed install filled.
2. Through Ansible (``ansible``): a new venv plus the package, with
   ``offline.wagon.wagon_install`` (a wagon built once with wagon_build)
   against ``ansible.builtin.pip`` (``virtualenv_command: <python> -m venv``,
   ``extra_args: --no-index --find-links``), the same by hand in a shell, and
   Ansible's own floor (``ansible -m ping``).

pip runs with ``PIP_CONFIG_FILE=/dev/null``, uv with ``UV_NO_CONFIG=1``. The
last column counts what each step added to the venv in the first round (files,
then ``.pyc`` files), so a row that skipped bytecode or files shows it.
``--commit`` measures a commit (exported with ``git archive``) rather than a
working tree others may be editing. Prints Markdown for docs/benchmarks.md;
writes a file only with ``--json``; ``--profile`` adds a cProfile of
``install_wheels``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.support.ansible import BIN, COLLECTIONS, environment  # noqa: E402
from tests.support.pythons import CONTROLLER_PYTHON, base_python  # noqa: E402

ANSIBLE = os.path.join(BIN, "ansible")
PACKAGES = "flask==3.0.3,ansible-core==2.21.5"

# The engine as a module would run it, in a child of the controller's Python:
# argv is <collections path> <venv> <pyc|nopyc> <wheel>...; prints its timers as JSON.
ENGINE_CHILD = r'''
import json, subprocess, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from ansible_collections.offline.wagon.plugins.module_utils import _wheel_install
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import probe_interpreter, venv_python
from ansible_collections.offline.wagon.plugins.module_utils._runner import CommandResult


def run(argv, cwd=None, env=None, timeout=None):
    proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False, timeout=timeout)
    return CommandResult(proc.returncode, proc.stdout, proc.stderr)


compile_seconds = []
compile_bytecode = _wheel_install.compile_bytecode


def timed_compile(*args):
    begin = time.perf_counter()
    try:
        return compile_bytecode(*args)
    finally:
        compile_seconds.append(time.perf_counter() - begin)


_wheel_install.compile_bytecode = timed_compile
imported = time.perf_counter()
info = probe_interpreter(venv_python(sys.argv[2]), run)
probed = time.perf_counter()
_wheel_install.install_wheels(sys.argv[4:], info, run, compile_bytecode_files=sys.argv[3] == "pyc")
done = time.perf_counter()
print(json.dumps({"imports": imported - start, "probe": probed - imported,
                  "unpack and RECORD": done - probed - sum(compile_seconds), "bytecode": sum(compile_seconds)}))
'''


class Step(object):
    """One timed row: ``prepare`` (not timed), ``action`` (timed; may return sub-timings), ``venv`` to inspect."""

    def __init__(self, label, action, prepare=None, venv=None, baseline=False, reference=False):
        self.label, self.action, self.prepare, self.venv = label, action, prepare, venv
        self.baseline, self.reference = baseline, reference


class Group(object):
    def __init__(self, title, steps):
        self.title, self.steps = title, steps


def quiet(argv, env=None, cwd=None):
    proc = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("%s failed (rc=%d):\n%s" % (" ".join(argv[:6]), proc.returncode, proc.stdout[-3000:]))
    return proc.stdout


def tool_environment(cache=None):
    """The environment of pip and uv runs: no pip or uv configuration, no Python path steering."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1",
               UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
    if cache:
        env["UV_CACHE_DIR"] = cache
    return env


def ansible_environment(collections, pip_hermetic=True):
    env = environment({"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"} if pip_hermetic else None)
    env.pop("ANSIBLE_CALLBACKS_ENABLED")
    env["ANSIBLE_COLLECTIONS_PATH"] = collections
    return env


def ansible(module, args, env):
    argv = [ANSIBLE, "localhost", "-m", module, "-e", "ansible_python_interpreter=" + CONTROLLER_PYTHON]
    if args:
        argv += ["-a", json.dumps(args)]
    quiet(argv, env=env)


def site_packages(venv, version):
    return os.path.join(venv, "lib", "python%d.%d" % version, "site-packages")


def count_files(venv):
    """``(files, .pyc files)`` in the whole venv (files in ``__pycache__`` that are not .pyc count as files)."""
    files = pyc = 0
    for _directory, _dirs, names in os.walk(venv):
        for name in names:
            if name.endswith(".pyc"):
                pyc += 1
            else:
                files += 1
    return files, pyc


def engine_backend(tree):
    """Which installer wagon_install uses in ``tree``: pip while module_utils still builds a pip command."""
    for path in glob.glob(os.path.join(tree, "plugins", "module_utils", "*.py")):
        with open(path) as stream:
            if "def pip_command" in stream.read():
                return "pip"
    return "the engine (_wheel_install)"


def export_tree(commit, work):
    """The collection at ``commit`` (``git archive``) and a collection farm for it; return (tree, farm)."""
    tree, farm = os.path.join(work, "tree"), os.path.join(work, "collections")
    os.makedirs(tree)
    archive = subprocess.run(["git", "-C", ROOT, "archive", commit], stdout=subprocess.PIPE, check=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    os.makedirs(os.path.join(farm, "ansible_collections", "offline"))
    os.symlink(tree, os.path.join(farm, "ansible_collections", "offline", "wagon"))
    return tree, farm


def wagon_wheels(archive):
    with zipfile.ZipFile(archive) as wagon:
        return sorted(os.path.basename(n) for n in wagon.namelist() if "/wheels/" in n and n.endswith(".whl"))


def measure(groups, runs):
    """Run every step of every group ``runs`` times, interleaved; return samples, sub-timings and inspections."""
    samples, parts, seen = {}, {}, {}
    for round_index in range(runs):
        started = time.perf_counter()
        for group in groups:
            count = len(group.steps)
            for offset in range(count):
                step = group.steps[(round_index + offset) % count]
                key = (group.title, step.label)
                if step.venv:
                    shutil.rmtree(step.venv, ignore_errors=True)
                if step.prepare:
                    step.prepare()
                before = count_files(step.venv) if step.venv and round_index == 0 else None
                os.sync()
                begin = time.perf_counter()
                extra = step.action()
                samples.setdefault(key, []).append(time.perf_counter() - begin)
                for name, value in (extra or {}).items():
                    parts.setdefault(key, {}).setdefault(name, []).append(value)
                if step.venv:
                    if before is not None:
                        after = count_files(step.venv)
                        seen[key] = "%d / %d" % (after[0] - before[0], after[1] - before[1])
                    shutil.rmtree(step.venv, ignore_errors=True)
        sys.stderr.write("round %d/%d: %.0f s\n" % (round_index + 1, runs, time.perf_counter() - started))
    return samples, parts, seen


def ms(seconds):
    return "%.2f s" % seconds if seconds >= 1 else "%d ms" % round(seconds * 1000)


def table(group, samples, parts, seen, second_label, second):
    """A Markdown table of one group: median, min, max, runs, ratio to the baseline (and to ``second``)."""
    rows = []
    median = {s.label: statistics.median(samples[(group.title, s.label)]) for s in group.steps}
    base = next(s.label for s in group.steps if s.baseline)
    header = "| %s | median | min | max | runs | vs %s |" % (group.title, base.split(" (")[0])
    rule = "|---|---|---|---|---|---|"
    if second:
        header += " vs %s |" % second_label
        rule += "---|"
    header += " files / .pyc |"
    rule += "---|"
    rows += [header, rule]
    for step in group.steps:
        key = (group.title, step.label)
        values = samples[key]
        label = ("*%s*" % step.label) if step.reference else step.label
        line = "| %s | %s | %s | %s | %d | %.2fx |" % (
            label, ms(median[step.label]), ms(min(values)), ms(max(values)), len(values), median[step.label] / median[base])
        if second:
            line += " %.2fx |" % (median[step.label] / median[second])
        line += " %s |" % seen.get(key, "")
        rows.append(line)
        for name, part in sorted(parts.get(key, {}).items(), key=lambda item: -statistics.median(item[1])):
            line = "| &nbsp;&nbsp;of which %s | %s | %s | %s | %d | |" % (
                name, ms(statistics.median(part)), ms(min(part)), ms(max(part)), len(part))
            rows.append(line + (" |" if second else "") + " |")
    return "\n".join(rows)


def profile_engine(wheels, python, work, collections):
    """cProfile of ``install_wheels`` (in this process) into a fresh --without-pip venv; print the top entries."""
    import cProfile
    import pstats

    sys.path.insert(0, collections)
    from ansible_collections.offline.wagon.plugins.module_utils._interpreter import probe_interpreter, venv_python
    from ansible_collections.offline.wagon.plugins.module_utils._wheel_install import install_wheels
    from tests.support.pythons import run

    venv = os.path.join(work, "profile-venv")
    shutil.rmtree(venv, ignore_errors=True)
    quiet([python, "-m", "venv", "--without-pip", venv])
    info = probe_interpreter(venv_python(venv), run)
    profiler = cProfile.Profile()
    profiler.enable()
    install_wheels(wheels, info, run)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(25)
    shutil.rmtree(venv, ignore_errors=True)


class Bench(object):
    """What every step needs: the Python, the tools, the collection, the work directory."""

    def __init__(self, work, collections):
        self.work, self.collections = work, collections
        self.python = base_python(CONTROLLER_PYTHON)
        self.version = tuple(int(p) for p in quiet([self.python, "-c", "import sys; print(*sys.version_info[:2])"]).split())
        self.env = tool_environment()
        pip = [CONTROLLER_PYTHON, "-m", "pip"]
        # The machine's pip configuration (its index mirror) is used for these downloads only.
        tools = os.path.join(work, "tools")
        quiet([self.python, "-m", "venv", "--without-pip", tools])
        quiet(pip + ["--python", os.path.join(tools, "bin", "python"), "install", "-q", "uv"])
        self.uv = os.path.join(tools, "bin", "uv")
        quiet(pip + ["download", "-q", "--no-deps", "-d", os.path.join(work, "pip-wheel"), "pip"])
        self.pip_wheel = glob.glob(os.path.join(work, "pip-wheel", "pip-*.whl"))[0]
        self.versions = {
            "uv": quiet([self.uv, "--version"]).split()[1],
            "pip (venv)": quiet([self.python, "-c", "import ensurepip; print(ensurepip.version())"]).strip(),
            "pip (newest)": os.path.basename(self.pip_wheel).split("-")[1],
        }

    def download(self, package):
        house = os.path.join(self.work, "wh", package.split("=")[0])
        quiet([CONTROLLER_PYTHON, "-m", "pip", "download", "-q", "-d", house, package])
        return house

    def bare_venv(self, venv):
        quiet([self.python, "-m", "venv", "--without-pip", venv])

    def pip_venv(self, venv):
        quiet([self.python, "-m", "venv", venv])

    def engine(self, venv, wheels, bytecode=True):
        out = quiet([CONTROLLER_PYTHON, "-c", ENGINE_CHILD, self.collections, venv, "pyc" if bytecode else "nopyc"] + wheels)
        return json.loads(out.strip().splitlines()[-1])


def install_group(bench, package, house):
    """The install step alone, every tool, for the wheels in ``house``."""
    name = package.split("=")[0]
    wheels = sorted(glob.glob(os.path.join(house, "*.whl")))
    venv = os.path.join(bench.work, "v-" + name)
    python = os.path.join(venv, "bin", "python")
    site = site_packages(venv, bench.version)
    warm, cold = os.path.join(bench.work, "uv-warm-" + name), os.path.join(bench.work, "uv-cold-" + name)
    scratch = os.path.join(bench.work, "warm-fill")
    bench.bare_venv(scratch)
    quiet([bench.uv, "pip", "install", "-q", "--python", os.path.join(scratch, "bin", "python"), "--no-index", "--no-deps"]
          + wheels, env=tool_environment(warm))
    shutil.rmtree(scratch)

    def newest_pip():
        bench.bare_venv(venv)
        quiet([python, os.path.join(bench.pip_wheel, "pip"), "install", "-q", "--no-index", bench.pip_wheel], env=bench.env)

    def empty_cold_cache():
        bench.bare_venv(venv)
        shutil.rmtree(cold, ignore_errors=True)
        os.mkdir(cold)

    def pip_install():
        quiet([python, "-m", "pip", "install", "-q", "--no-index", "--find-links", house, "--no-deps"] + wheels, env=bench.env)

    def uv_install(cache, bytecode):
        argv = [bench.uv, "pip", "install", "-q", "--python", python, "--no-index", "--find-links", house, "--no-deps"]
        quiet(argv + (["--compile-bytecode"] if bytecode else []) + wheels, env=tool_environment(cache))

    def unzip(bytecode):
        quiet(["sh", "-c", 'dest=$1; shift; for w; do unzip -qo "$w" -d "$dest" || exit 1; done', "sh", site] + wheels)
        if bytecode:
            quiet([python, "-m", "compileall", "-q", "-j0", site])

    def bare():
        bench.bare_venv(venv)

    steps = [
        Step("pip %s (the venv's own)" % bench.versions["pip (venv)"], pip_install, lambda: bench.pip_venv(venv), venv,
             baseline=True),
        Step("pip %s" % bench.versions["pip (newest)"], pip_install, newest_pip, venv),
        Step("uv %s, cold cache, --compile-bytecode" % bench.versions["uv"], lambda: uv_install(cold, True),
             empty_cold_cache, venv),
        Step("uv, warm cache, --compile-bytecode", lambda: uv_install(warm, True), bare, venv),
        Step("engine: install_wheels (subprocess)", lambda: bench.engine(venv, wheels), bare, venv),
        Step("uv, cold cache, no bytecode", lambda: uv_install(cold, False), empty_cold_cache, venv, reference=True),
        Step("uv, warm cache, no bytecode", lambda: uv_install(warm, False), bare, venv, reference=True),
        Step("engine, no bytecode", lambda: bench.engine(venv, wheels, bytecode=False), bare, venv, reference=True),
        Step("unzip + compileall -j0 (floor with bytecode)", lambda: unzip(True), bare, venv, reference=True),
        Step("unzip (floor)", lambda: unzip(False), bare, venv, reference=True),
    ]
    return Group("install step: %s, %d wheels" % (package, len(wheels)), steps)


def ansible_group(bench, package, house, floors):
    """A new venv plus ``package`` through Ansible (and by hand); with ``floors``, Ansible's and venv creation's own cost."""
    name = package.split("=")[0]
    wheels = sorted(glob.glob(os.path.join(house, "*.whl")))
    venv = os.path.join(bench.work, "v-" + name)
    wagons = os.path.join(bench.work, "wagons-" + name)
    ansible("offline.wagon.wagon_build", {"source": package, "dest": wagons},
            ansible_environment(bench.collections, pip_hermetic=False))
    archive = glob.glob(os.path.join(wagons, "*.wgn"))[0]
    if wagon_wheels(archive) != [os.path.basename(w) for w in wheels]:
        sys.stderr.write("warning: the wagon's wheels %s differ from the download %s\n"
                         % (wagon_wheels(archive), [os.path.basename(w) for w in wheels]))
    env = ansible_environment(bench.collections)
    pip_args = {"name": package, "virtualenv": venv, "virtualenv_command": "%s -m venv" % bench.python,
                "extra_args": "--no-index --find-links %s" % house}
    wagon_args = {"src": archive, "venv": venv, "venv_python": bench.python}

    def shell_pip():
        bench.pip_venv(venv)
        quiet([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q", "--no-index", "--find-links", house,
               package], env=bench.env)

    def shell_engine():
        bench.bare_venv(venv)
        bench.engine(venv, wheels)

    steps = [
        Step("ansible.builtin.pip, new venv", lambda: ansible("ansible.builtin.pip", pip_args, env), venv=venv, baseline=True),
        Step("offline.wagon.wagon_install, new venv", lambda: ansible("offline.wagon.wagon_install", wagon_args, env),
             venv=venv),
        Step("offline.wagon.wagon_install, new venv, compile_bytecode=false", lambda: ansible(
            "offline.wagon.wagon_install", dict(wagon_args, compile_bytecode=False), env), venv=venv, reference=True),
        Step("shell: python -m venv && pip install", shell_pip, venv=venv, reference=True),
        Step("shell: python -m venv --without-pip && engine", shell_engine, venv=venv, reference=True),
    ]
    if floors:
        steps += [
            Step("ansible -m ping (Ansible's floor)", lambda: ansible("ansible.builtin.ping", None, env), reference=True),
            Step("python -m venv (ensurepip)", lambda: bench.pip_venv(venv), venv=venv, reference=True),
            Step("python -m venv --without-pip", lambda: bench.bare_venv(venv), venv=venv, reference=True),
        ]
    return Group("through Ansible: new venv + %s" % package, steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds (default %(default)s); the table gives medians")
    parser.add_argument("--packages", default=PACKAGES, help="comma-separated pinned requirements (default %(default)s)")
    parser.add_argument("--parts", default="install,ansible", help="install, ansible or both (default %(default)s)")
    parser.add_argument("--commit", help="measure the collection as committed at COMMIT (default: the working tree)")
    parser.add_argument("--json", help="also write the samples to this file")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of install_wheels (last package)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    options = parser.parse_args()
    parts = set(options.parts.split(","))
    packages = options.packages.split(",")
    work = tempfile.mkdtemp(prefix="wagon-bench-installer-")
    commit = quiet(["git", "-C", ROOT, "rev-parse", "--short", options.commit or "HEAD"]).strip()
    dirty = ""
    if not options.commit and quiet(["git", "-C", ROOT, "status", "--porcelain", "plugins"]).strip():
        dirty = " plus uncommitted changes"
    try:
        tree, collections = export_tree(commit, work) if options.commit else (ROOT, COLLECTIONS)
        sys.stderr.write("work directory %s; downloading\n" % work)
        bench = Bench(work, collections)
        houses = {package: bench.download(package) for package in packages}
        groups = []
        if "install" in parts:
            groups += [install_group(bench, package, houses[package]) for package in packages]
        if "ansible" in parts:
            groups += [ansible_group(bench, package, houses[package], index == 0) for index, package in enumerate(packages)]
        load = os.getloadavg()[0]
        samples, subtimes, seen = measure(groups, options.runs)
        print("%s; %d cores, load average %.1f before and %.1f after; Python %s (%s); %s; wagon_install installs with %s;"
              " commit %s%s" % (
                  time.strftime("%Y-%m-%d"), os.cpu_count(), load, os.getloadavg()[0], platform.python_version(),
                  bench.python, ", ".join("%s %s" % item for item in bench.versions.items()), engine_backend(tree),
                  commit, dirty))
        print()
        for group in groups:
            second = next((s.label for s in group.steps if s.label.startswith("uv ") and "cold" in s.label
                           and "--compile-bytecode" in s.label), None)
            print(table(group, samples, subtimes, seen, "uv cold + bytecode", second))
            print()
        if options.json:
            with open(options.json, "w") as stream:
                json.dump({"versions": bench.versions, "samples": {"%s | %s" % k: v for k, v in samples.items()},
                           "parts": {"%s | %s" % k: v for k, v in subtimes.items()}}, stream, indent=1)
        if options.profile:
            profile_engine(sorted(glob.glob(os.path.join(houses[packages[-1]], "*.whl"))), bench.python, work, collections)
    finally:
        if options.keep:
            sys.stderr.write("kept %s\n" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
