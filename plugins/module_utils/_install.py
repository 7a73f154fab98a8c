# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Installing a wagon into a virtualenv, offline: look, plan, then apply.

1. Look: one run of the venv's Python (the probe) tells its tags and what is
   installed; no pip.
2. Plan: which of the wagon's wheels fit that Python (refused before anything
   is touched when one does not), what to add, change, reinstall or remove,
   and whether our install record must be written. ``changed`` is the plan
   being non-empty; check mode reports the plan and stops.
3. Apply, under a lock: extract only the chosen wheels, hash-checked; snapshot
   what pip may touch; run the venv's pip isolated from the host's
   configuration, with no index and only those wheels; check the result; on
   any failure put the snapshot back (or remove a venv we created).
"""

from __future__ import annotations

import configparser
import contextlib
import datetime
import fcntl
import json
import os
import shutil
import tempfile
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive
from ansible_collections.offline.wagon.plugins.module_utils._errors import (
    CommandError,
    IncompatibleError,
    WagonError,
)
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import (
    is_venv,
    probe_interpreter,
    venv_python,
)
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._runner import hermetic_environment
from ansible_collections.offline.wagon.plugins.module_utils._tags import tag_priority
from ansible_collections.offline.wagon.plugins.module_utils._targets import choose_target, wagon_targets
from ansible_collections.offline.wagon.plugins.module_utils._wheel import WheelName, file_sha256, python_satisfies

RECORD_DIRNAME = ".offline-wagon"

# pip options that would let an install reach an index or other sources, or
# build from source: an offline install must never take them.
FORBIDDEN_PIP_ARGS = (
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--no-binary",
    "--index", "--trusted-host", "--proxy", "-e", "--editable", "-r", "--requirement",
)

SelectedWheel = namedtuple("SelectedWheel", ["filename", "name", "canonical_name", "version", "sha256"])


def check_pip_args(pip_args):
    """Raise WagonError when ``pip_args`` holds an option an offline install refuses."""
    for arg in pip_args:
        option = arg.split("=", 1)[0]
        if option in FORBIDDEN_PIP_ARGS or any(
            option.startswith(short) and len(option) > 2 for short in ("-i", "-f", "-e", "-r")
        ):
            raise WagonError(
                "pip_args may not contain %s: a wagon installs only its own wheels, with no index" % option
            )


# Install records -----------------------------------------------------------


def record_dir(venv):
    return os.path.join(venv, RECORD_DIRNAME)


def record_path(venv, name):
    return os.path.join(record_dir(venv), canonicalize_name(name) + ".json")


def read_records(venv):
    """Return ``{canonical name: record}`` for every wagon recorded in ``venv``.

    Unreadable records are skipped: they describe nothing we can trust.
    """
    records = {}
    directory = record_dir(venv)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return records
    for filename in names:
        if not filename.endswith(".json"):
            continue
        try:
            with open(os.path.join(directory, filename)) as stream:
                record = json.load(stream)
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("name"), str):
            records[canonicalize_name(record["name"])] = record
    return records


def _record_identity(record):
    """What makes two records describe the same installed wagon."""
    return (
        record.get("name"), record.get("version"), record.get("build_tag"),
        sorted((w.get("filename"), w.get("sha256")) for w in record.get("wheels", [])),
    )


def new_record(metadata, wheels, archive_path, archive_sha256):
    return {
        "name": metadata.name,
        "version": metadata.version,
        "build_tag": metadata.build_tag,
        "platform": metadata.platform,
        "python_versions": list(metadata.python_versions),
        "archive": archive_path,
        "archive_sha256": archive_sha256,
        "wheels": [
            {"filename": w.filename, "name": w.name, "version": w.version, "sha256": w.sha256} for w in wheels
        ],
    }


def _write_record(venv, record):
    directory = record_dir(venv)
    if not os.path.isdir(directory):
        os.mkdir(directory, 0o755)
    stamped = dict(record, installed_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    target = record_path(venv, record["name"])
    fd, temporary = tempfile.mkstemp(prefix=".record-", dir=directory)
    with os.fdopen(fd, "w") as stream:
        json.dump(stamped, stream, indent=2, sort_keys=True)
    os.chmod(temporary, 0o644)
    os.rename(temporary, target)


# Choosing wheels ------------------------------------------------------------


def wheel_identity(metadata, filename):
    """Return ``(name, version)`` of a wheel: from our metadata, or from its file name.

    A file name spells ``-`` as ``_`` (``cext_wagon``); for the main package of
    a wagon without our metadata (the original tool's), the wagon's own
    ``package_name`` keeps the real spelling.
    """
    info = metadata.extension.get("wheels", {}).get(filename, {})
    parsed = WheelName.parse(filename)
    name = info.get("name")
    if not name:
        own = metadata.name and canonicalize_name(metadata.name) == canonicalize_name(parsed.name)
        name = metadata.name if own else parsed.name
    return name, info.get("version") or parsed.version


def select_wheels(metadata, info, ignore_platform=False, hashes=None, filenames=None):
    """Return the wheels of the wagon to install for the interpreter ``info``.

    For each distribution in the wagon the best-ranked compatible wheel is
    chosen. Raise IncompatibleError, naming both sides, when a distribution
    has no wheel that fits (unless ``ignore_platform``, which leaves the
    decision to pip) or when a wheel's Requires-Python excludes this Python.
    ``filenames`` limits the choice to those wheels (one target's set).
    """
    ranks = tag_priority(info)
    hashes = hashes if hashes is not None else metadata.wheel_hashes
    candidates = {}
    for filename in metadata.wheels if filenames is None else filenames:
        name, version = wheel_identity(metadata, filename)
        candidates.setdefault(canonicalize_name(name), []).append((filename, name, version))
    chosen = []
    problems = []
    for canonical, wheels in sorted(candidates.items()):
        # Wheels that fit no tag of this interpreter rank after every one that does.
        unfit = len(ranks)
        ranked = sorted(
            (min([ranks[tag] for tag in WheelName.parse(f).tags if tag in ranks] or [unfit]), f, n, v)
            for f, n, v in wheels
        )
        fitting = [entry for entry in ranked if entry[0] < unfit]
        if not fitting:
            if not ignore_platform:
                problems.append("%s (has %s)" % (wheels[0][1], ", ".join(sorted(entry[0] for entry in wheels))))
                continue
            fitting = ranked
        filename, name, version = fitting[0][1:]
        requires = metadata.extension.get("wheels", {}).get(filename, {}).get("requires_python", "")
        if requires and not python_satisfies(requires, info.version):
            problems.append("%s %s (Requires-Python %s)" % (name, version, requires))
            continue
        chosen.append(SelectedWheel(filename, name, canonical, version, hashes.get(filename)))
    if problems:
        raise IncompatibleError(
            "wagon %s %s does not fit %s: no wheel of %s can be installed there (wagon platform %s, Pythons %s)"
            % (
                metadata.name, metadata.version, info.describe(), "; ".join(problems),
                metadata.platform, ", ".join(metadata.python_versions) or "not stated",
            )
        )
    return chosen


# Planning ---------------------------------------------------------------------


class InstallPlan(object):
    """What an install or removal will do to one venv."""

    def __init__(self, venv, state, wheels, before, create_venv=False, force=False, record=None, records=None):
        self.venv = venv
        self.state = state
        self.wheels = wheels
        self.before = before  # {canonical: (name, version)} installed now
        self.create_venv = create_venv
        self.add, self.change, self.reinstall, self.remove = [], [], [], []
        self.write_record = self.remove_record = False
        self.record = record
        records = records or {}
        current = records.get(canonicalize_name(record["name"])) if record else None
        if state == "present":
            # A wheel of the same version but other bytes than the one this
            # wagon's record says was installed is reinstalled: the files differ.
            recorded = {
                canonicalize_name(w.get("name", "")): w.get("sha256") for w in (current or {}).get("wheels", [])
            }
            for wheel in wheels:
                installed = before.get(wheel.canonical_name)
                old_hash = recorded.get(wheel.canonical_name)
                if installed is None:
                    self.add.append(wheel)
                elif not _same_version(installed[1], wheel.version):
                    self.change.append((wheel, installed[1]))
                elif force or (old_hash and wheel.sha256 and old_hash != wheel.sha256):
                    self.reinstall.append(wheel)
            self.write_record = current is None or _record_identity(current) != _record_identity(record) or bool(
                self.add or self.change or self.reinstall
            )
        else:
            # Keep what another wagon recorded in this venv still needs.
            shared = set()
            for name, other in records.items():
                if name != canonicalize_name(record["name"]):
                    shared.update(canonicalize_name(w.get("name", "")) for w in other.get("wheels", []))
            for wheel in wheels:
                installed = before.get(wheel.canonical_name)
                if installed and _same_version(installed[1], wheel.version) and wheel.canonical_name not in shared:
                    self.remove.append(wheel)
            self.remove_record = current is not None

    @property
    def changed(self):
        return bool(
            self.create_venv or self.add or self.change or self.reinstall or self.remove
            or self.write_record or self.remove_record
        )

    @property
    def runs_pip(self):
        return bool(self.add or self.change or self.reinstall or self.remove)

    def after(self):
        """``{canonical: (name, version)}`` installed once the plan is applied."""
        after = dict(self.before)
        if self.state == "present":
            for wheel in self.wheels:
                after[wheel.canonical_name] = (wheel.name, wheel.version)
        for wheel in self.remove:
            after.pop(wheel.canonical_name, None)
        return after

    def to_dict(self):
        return {
            "create_venv": self.create_venv,
            "add": ["%s==%s" % (w.name, w.version) for w in self.add],
            "change": ["%s==%s (was %s)" % (w.name, w.version, old) for w, old in self.change],
            "reinstall": ["%s==%s" % (w.name, w.version) for w in self.reinstall],
            "remove": ["%s==%s" % (w.name, w.version) for w in self.remove],
            "record": "write" if self.write_record else "remove" if self.remove_record else "keep",
        }

    def diff(self):
        def lines(dists):
            return "".join("%s==%s\n" % dists[key] for key in sorted(dists))

        return {
            "before_header": "%s (installed)" % self.venv,
            "after_header": "%s (%s)" % (self.venv, "after install" if self.state == "present" else "after removal"),
            "before": lines(self.before) if not self.create_venv else "",
            "after": lines(self.after()),
        }


def _same_version(installed, wanted):
    def norm(version):
        parts = str(version).strip().lower().lstrip("v").split(".")
        while len(parts) > 1 and parts[-1] == "0":
            parts.pop()
        return parts

    return norm(installed) == norm(wanted)


def installed_map(info):
    return {d.canonical_name: (d.name, d.version) for d in info.distributions}


# The target venv ------------------------------------------------------------------


def inspect_venv(venv, runner, creating_python=None):
    """Return ``(exists, info)`` for ``venv``.

    ``info`` describes the venv's Python when it exists, else the Python that
    would create it (``creating_python``). Raise WagonError when the path
    cannot be a venv (a file, a non-empty directory without pyvenv.cfg).
    """
    if os.path.isfile(venv) or (os.path.lexists(venv) and not os.path.isdir(venv)):
        raise WagonError("venv path %s exists and is not a directory" % venv)
    if is_venv(venv):
        return True, probe_interpreter(venv_python(venv), runner)
    if os.path.isdir(venv) and os.listdir(venv):
        raise WagonError("venv path %s is a non-empty directory that is not a virtualenv (no pyvenv.cfg)" % venv)
    if not creating_python:
        raise WagonError("venv %s does not exist and no venv_python was given to create it" % venv)
    return False, probe_interpreter(creating_python, runner)


# Where a wagon goes: a venv, or the environment of an interpreter ------------------

# ``home`` holds the install records (``<home>/.offline-wagon``); ``python`` is
# the interpreter whose environment changes; ``label`` names the destination in
# messages and diffs; ``venv`` is the venv's path (None for an interpreter
# that is not a venv); ``lock`` is the path venv_lock serialises on.
Destination = namedtuple("Destination", ["home", "python", "label", "venv", "lock"])


def venv_destination(venv):
    return Destination(venv, venv_python(venv), venv, venv, venv)


def interpreter_destination(python, runner):
    """Return ``(Destination, InterpreterInfo)`` for installing into the environment of ``python``.

    The interpreter of a venv means that venv (records in ``<venv>/.offline-wagon``,
    exactly as with ``venv``). Any other interpreter keeps its records in
    ``<purelib>/.offline-wagon``, a directory pip and the import system ignore.
    """
    info = probe_interpreter(python, runner)
    if info.in_venv and info.prefix and is_venv(info.prefix):
        return venv_destination(info.prefix), info
    if not info.purelib:
        raise WagonError("%s reports no site-packages directory (sysconfig purelib): nowhere to install" % python)
    records = record_dir(info.purelib)
    return Destination(info.purelib, python, python, None, records), info


def externally_managed_error(info):
    """The refusal for an interpreter whose environment is externally managed (PEP 668), quoting its marker."""
    marker = os.path.join(info.stdlib or "", "EXTERNALLY-MANAGED")
    text = ""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(marker, encoding="utf-8")
        text = parser.get("externally-managed", "Error", fallback="")
    except (configparser.Error, OSError, UnicodeDecodeError):
        pass
    text = " ".join(text.split())
    return WagonError(
        "refusing to install into %s: its environment is externally managed (PEP 668 marker %s)%s; "
        "install into a virtualenv (option venv), or set break_system_packages=true to change it anyway"
        % (info.executable, marker, (': "%s"' % text) if text else "")
    )


def _version_tuple(text):
    parts = []
    for part in str(text or "").split("."):
        digits = "".join(c for c in part if c.isdigit())
        if not digits or digits != part:
            break
        parts.append(int(digits))
    return tuple(parts)


def destination_pip_args(destination, info, break_system_packages, state="present"):
    """pip options a non-venv destination needs: never a user install; PEP 668 overridden only when asked."""
    if destination.venv is not None:
        return []
    args = ["--no-user"] if state == "present" else []
    if break_system_packages and info.externally_managed and _version_tuple(info.pip_version) >= (23, 0, 1):
        args.append("--break-system-packages")
    return args


@contextlib.contextmanager
def venv_lock(venv):
    """Hold an exclusive lock for changes to ``venv``.

    The lock is taken on the venv's parent directory, which exists before and
    after the venv (so creation is serialised too) and needs no lock file.
    """
    parent = os.path.dirname(os.path.abspath(venv)) or "/"
    if not os.path.isdir(parent):
        os.makedirs(parent, 0o755)
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def pip_command(info, plan, wheel_dir, requirements_file, pip_args=()):
    python = info.executable
    common = ["--isolated", "--disable-pip-version-check", "--no-input"]
    if plan.state == "absent":
        return [python, "-m", "pip", "uninstall", "--yes"] + common + list(pip_args) + sorted(
            w.name for w in plan.remove
        )
    command = [python, "-m", "pip", "install"] + common + [
        "--no-index", "--find-links", wheel_dir, "--only-binary", ":all:", "--no-cache-dir",
        "--require-hashes", "--no-warn-script-location",
    ]
    if plan.reinstall:
        command.append("--force-reinstall")
    return command + list(pip_args) + ["--requirement", requirements_file]


def requirements_text(wheels):
    return "".join("%s==%s --hash=sha256:%s\n" % (w.name, w.version, w.sha256) for w in wheels)


def _run(runner, argv, what):
    result = runner(argv, env=hermetic_environment())
    if result.rc != 0:
        tail = (result.stderr or result.stdout or "").strip().splitlines()[-15:]
        raise CommandError("%s failed (rc=%s): %s" % (what, result.rc, " | ".join(tail)), argv, result.rc, result.stdout, result.stderr)
    return result


# Snapshots: how a failed pip run leaves the venv as it was --------------------------


def _link_tree(source, target):
    """Copy the tree ``source`` to ``target`` with hard links (no file data copied).

    pip replaces files by unlinking and writing new ones and moves uninstalled
    files away, so the linked originals stay intact.
    """
    os.mkdir(target)
    for entry in os.scandir(source):
        destination = os.path.join(target, entry.name)
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), destination)
        elif entry.is_dir():
            _link_tree(entry.path, destination)
        else:
            try:
                os.link(entry.path, destination)
            except OSError:
                # Another file system, or links not allowed: copy instead.
                shutil.copy2(entry.path, destination)


class Snapshot(object):
    """A hard-linked copy of the directories of a venv that pip writes to.

    With ``scripts_by_file`` (an interpreter that is not a venv) the snapshot
    lives next to site-packages, and the scripts directory (often shared, like
    ``/usr/local/bin``) is not swapped whole on restore: only the files in it
    that pip added or replaced are undone.
    """

    def __init__(self, venv, info, scripts_by_file=False):
        self.files = None
        if scripts_by_file:
            site = os.path.realpath(info.purelib)
            self.root = tempfile.mkdtemp(prefix=".offline-wagon-snapshot-", dir=os.path.dirname(site))
            if info.scripts and os.path.isdir(info.scripts):
                self.files = _FileSnapshot(os.path.realpath(info.scripts), os.path.join(self.root, "scripts"))
        else:
            self.root = tempfile.mkdtemp(prefix="snapshot-", dir=record_dir(venv))
        self.saved = []
        directories = {os.path.realpath(p) for p in (info.purelib, info.platlib, info.scripts) if p}
        if self.files is not None:
            directories.discard(self.files.directory)
        # A nested directory (platlib inside purelib) is covered by its parent.
        for directory in sorted(directories):
            if any(directory.startswith(other + os.sep) for other in directories if other != directory):
                continue
            if os.path.isdir(directory):
                copy = os.path.join(self.root, str(len(self.saved)))
                _link_tree(directory, copy)
                self.saved.append((directory, copy))

    def restore(self):
        for directory, copy in self.saved:
            broken = directory + ".offline-wagon-failed"
            os.rename(directory, broken)
            os.rename(copy, directory)
            shutil.rmtree(broken, ignore_errors=True)
        if self.files is not None:
            self.files.restore()
        self.discard()

    def discard(self):
        shutil.rmtree(self.root, ignore_errors=True)


class _FileSnapshot(object):
    """Hard links of the files directly in ``directory``; restore undoes additions and replacements there."""

    def __init__(self, directory, copy):
        self.directory, self.copy = directory, copy
        os.mkdir(copy)
        self.names = set()
        for entry in os.scandir(directory):
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), os.path.join(copy, entry.name))
            elif entry.is_file():
                try:
                    os.link(entry.path, os.path.join(copy, entry.name))
                except OSError:
                    # Another file system, or links not allowed: copy instead.
                    shutil.copy2(entry.path, os.path.join(copy, entry.name))
            else:
                continue
            self.names.add(entry.name)

    def restore(self):
        for entry in os.scandir(self.directory):
            if entry.name not in self.names and (entry.is_symlink() or entry.is_file()):
                os.unlink(entry.path)
        for name in self.names:
            current, saved = os.path.join(self.directory, name), os.path.join(self.copy, name)
            if os.path.islink(saved):
                same = os.path.islink(current) and os.readlink(current) == os.readlink(saved)
            else:
                same = os.path.lexists(current) and not os.path.islink(current) and _same_file(current, saved)
            if not same:
                os.replace(saved, current)


def _same_file(current, saved):
    """The same inode (a hard-linked snapshot), or, for a copied snapshot, the same bytes and mode."""
    a, b = os.stat(current), os.stat(saved)
    if os.path.samestat(a, b):
        return True
    if a.st_dev == b.st_dev:
        return False  # linked when saved, so another inode now means replaced
    return (a.st_size, a.st_mode) == (b.st_size, b.st_mode) and file_sha256(current) == file_sha256(saved)


# The whole job ----------------------------------------------------------------------


InstallResult = namedtuple(
    "InstallResult", ["plan", "info", "metadata", "archive_sha256", "command", "installed", "target"]
)
InstallResult.__new__.__defaults__ = (None,)


def target_wheels(metadata, info, state, ignore_platform):
    """``(target label, wheel file names)`` of a wagon of several targets for ``info``; ``(None, None)`` otherwise.

    Raise IncompatibleError when no target fits, except for a removal or with
    ``ignore_platform``, which then consider every wheel of the wagon.
    """
    targets = wagon_targets(metadata)
    if not targets:
        return None, None
    try:
        target, filenames = choose_target(metadata, info, targets)
    except IncompatibleError:
        if state == "absent" or ignore_platform:
            return None, None
        raise
    return target.label, filenames


def install_wagon(
    src, venv, runner, state="present", force=False, venv_python_path=None,
    ignore_platform=False, pip_args=(), check_mode=False,
    python=None, break_system_packages=False, origin=None,
):
    """Bring ``venv`` to ``state`` for the wagon at ``src``; return an InstallResult.

    With ``venv`` None, the destination is the environment of the interpreter
    ``python`` instead (see :func:`interpreter_destination`); one that is
    externally managed (PEP 668) is refused unless ``break_system_packages``.
    ``origin`` is what the install record names as the archive (default ``src``).
    Raise WagonError (and leave the destination as it was) on any failure.
    """
    check_pip_args(pip_args)
    with WagonArchive(src) as archive:
        metadata = archive.read_metadata()
        archive.check_listed(metadata)
        return _install(
            archive, metadata, file_sha256(src), origin or src, venv, runner, check_mode,
            state=state, force=force, venv_python_path=venv_python_path, ignore_platform=ignore_platform,
            pip_args=pip_args, python=python, break_system_packages=break_system_packages,
        )


def plan_install(
    metadata, archive_sha256, origin, venv, runner, state="present", force=False, venv_python_path=None,
    ignore_platform=False, python=None, break_system_packages=False,
):
    """Check mode for a wagon known by its metadata alone (the archive is elsewhere); return an InstallResult.

    The plan is the one :func:`install_wagon` would make; what needs the
    archive itself (its wheels' hashes) is checked only by the real run.
    """
    return _install(
        None, metadata, archive_sha256, origin, venv, runner, True,
        state=state, force=force, venv_python_path=venv_python_path, ignore_platform=ignore_platform,
        python=python, break_system_packages=break_system_packages,
    )


def _install(
    archive, metadata, archive_sha256, origin, venv, runner, check_mode, state="present", force=False,
    venv_python_path=None, ignore_platform=False, pip_args=(), python=None, break_system_packages=False,
):
    """Plan, and unless ``check_mode`` apply, ``metadata``'s wagon; ``archive`` (None in check mode only) has its wheels."""
    if venv is None:
        destination, info = interpreter_destination(python, runner)
        exists = True
        if destination.venv is None and info.externally_managed and not break_system_packages:
            raise externally_managed_error(info)
    else:
        destination = venv_destination(venv)
        if state == "absent" and not is_venv(venv):
            plan = InstallPlan(venv, state, [], {}, record={"name": metadata.name, "wheels": []})
            return InstallResult(plan, None, metadata, archive_sha256, None, [])
        exists, info = inspect_venv(venv, runner, venv_python_path)
    pip_args = list(pip_args) + destination_pip_args(destination, info, break_system_packages, state)
    wagon_target, filenames = target_wheels(metadata, info, state, ignore_platform)
    # Removal needs no fit: a wagon that no longer fits can still go.
    wheels = select_wheels(metadata, info, ignore_platform or state == "absent", filenames=filenames)
    records = read_records(destination.home) if exists else {}
    before = installed_map(info) if exists else {}
    record = new_record(metadata, wheels, origin, archive_sha256)
    if wagon_target:
        record["target"] = wagon_target
    plan = InstallPlan(
        destination.label, state, wheels, before, create_venv=not exists, force=force, record=record, records=records,
    )
    if plan.changed and state == "present" and archive is not None:
        # Whatever the plan, a wagon is accepted only when the wheels it
        # would install or record are the bytes its metadata names.
        archive.verify("wheels", [w.filename for w in wheels], metadata.wheel_hashes)
    if check_mode or not plan.changed:
        return InstallResult(
            plan, info, metadata, archive_sha256, None, _wagon_installed(plan.after(), wheels), wagon_target
        )
    with venv_lock(destination.lock):
        # Look again under the lock: another install may have finished meanwhile.
        if exists:
            info = probe_interpreter(destination.python, runner)
            plan = InstallPlan(
                destination.label, state, wheels, installed_map(info), force=force,
                record=plan.record, records=read_records(destination.home),
            )
        command, info = _apply(plan, archive, metadata, info, runner, venv_python_path, pip_args, destination)
    return InstallResult(
        plan, info, metadata, archive_sha256, command, _wagon_installed(installed_map(info), wheels), wagon_target
    )


def _wagon_installed(installed, wheels):
    return ["%s==%s" % installed[w.canonical_name] for w in wheels if w.canonical_name in installed]


def _apply(plan, archive, metadata, info, runner, creating_python, pip_args, destination):
    """Carry out ``plan`` on ``destination``; return ``(pip command or None, fresh InterpreterInfo)``."""
    venv, home = destination.venv, destination.home
    created = False
    was_empty_dir = venv is not None and os.path.isdir(venv)
    snapshot = None
    workdir = None
    try:
        if plan.create_venv:
            created = True
            _run(runner, [creating_python, "-m", "venv", venv], "creating venv %s with %s" % (venv, creating_python))
            info = probe_interpreter(destination.python, runner)
        if not os.path.isdir(record_dir(home)):
            os.mkdir(record_dir(home), 0o755)
        command = None
        if plan.runs_pip:
            workdir = tempfile.mkdtemp(prefix="work-", dir=record_dir(home))
            wheel_dir = os.path.join(workdir, "wheels")
            os.mkdir(wheel_dir)
            wheels = plan.remove if plan.state == "absent" else plan.wheels
            extracted = {}
            if plan.state == "present":
                extracted = archive.extract("wheels", [w.filename for w in wheels], wheel_dir, metadata.wheel_hashes)
                # Wagons built by the original tool carry no hashes: pin pip to
                # the bytes we just extracted, so nothing else can slip in.
                wheels = [w._replace(sha256=w.sha256 or file_sha256(extracted[w.filename])) for w in wheels]
            requirements = os.path.join(workdir, "requirements.txt")
            with open(requirements, "w") as stream:
                stream.write(requirements_text(wheels))
            if not created:
                snapshot = Snapshot(home, info, scripts_by_file=venv is None)
            command = pip_command(info, plan, wheel_dir, requirements, pip_args)
            _run(runner, command, "pip in %s" % plan.venv)
            info = probe_interpreter(destination.python, runner)
            _check_outcome(plan, info)
        if plan.state == "present" and plan.write_record:
            _write_record(home, plan.record)
        if plan.remove_record:
            os.unlink(record_path(home, plan.record["name"]))
        if snapshot:
            snapshot.discard()
        return command, info
    except BaseException:
        if created:
            shutil.rmtree(venv, ignore_errors=True)
            if was_empty_dir:
                os.mkdir(venv)
        elif snapshot:
            snapshot.restore()
        raise
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        if os.path.isdir(record_dir(home)) and not os.listdir(record_dir(home)):
            os.rmdir(record_dir(home))


def _check_outcome(plan, info):
    installed = installed_map(info)
    if plan.state == "present":
        wrong = [
            "%s==%s (found %s)" % (w.name, w.version, installed.get(w.canonical_name, ("", "nothing"))[1])
            for w in plan.wheels
            if not _same_version(installed.get(w.canonical_name, ("", ""))[1], w.version)
        ]
    else:
        wrong = ["%s still installed" % w.name for w in plan.remove if w.canonical_name in installed]
    if wrong:
        raise WagonError("pip finished but the venv %s is not as planned: %s" % (plan.venv, ", ".join(wrong)))
