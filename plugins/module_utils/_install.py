# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Installing a wagon into a destination, offline: look, plan, then apply.

1. Look: one run of the destination's Python (the probe) tells its tags, its
   paths and what is installed; an interrupted earlier run is undone first.
2. Plan (``_plan.py``): which wheels fit (refused before anything is touched
   when one does not), what to add, change, reinstall, remove and keep, and
   who owns what. ``changed`` is the plan being non-empty; check mode reports
   the plan and stops.
3. Apply, under a lock and a journal (``_journal.py``): extract only the
   chosen wheels, hash-checked; remove what goes by its RECORD; install the
   wheels with the engine's own installer (``_wheel_install.py``: no pip, no
   index, never a source build); write the record; check the result. On any
   failure, or in the next run after a kill, the journal puts everything back
   (or removes a venv this run created).
"""

from __future__ import annotations

import os
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive, checksum_mismatch
from ansible_collections.offline.wagon.plugins.module_utils._destination import (
    DEFAULT_LOCK_TIMEOUT,
    check_venv_path,
    externally_managed_error,
    inspect_venv,
    interpreter_destination,
    venv_destination,
    venv_lock,
)
from ansible_collections.offline.wagon.plugins.module_utils._errors import ArchiveError, CommandError, WagonError, describe_os_error
from ansible_collections.offline.wagon.plugins.module_utils._files import place_files, plan_files
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import is_venv, probe_interpreter
from ansible_collections.offline.wagon.plugins.module_utils._journal import (
    Journal,
    begins_with_venv,
    drop_half_removed_venv,
    half_removed_venv,
    interrupted,
    pending,
    recover,
)
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name, same_version
from ansible_collections.offline.wagon.plugins.module_utils._plan import (
    InstallPlan,
    installed_map,
    select_wheels,
    target_wheels,
    wheel_requirements,
)
from ansible_collections.offline.wagon.plugins.module_utils._records import (
    new_record,
    read_records,
    record_dir,
    remove_record,
    write_record,
)
from ansible_collections.offline.wagon.plugins.module_utils._requirements import marker_environment, required_names
from ansible_collections.offline.wagon.plugins.module_utils._runner import WORK_TIMEOUT, hermetic_environment
from ansible_collections.offline.wagon.plugins.module_utils._wheel_install import install_wheels, remove_distribution

# ``files``: the FilesPlan of the wagon's extra files (None without files_dest).
InstallResult = namedtuple("InstallResult", ["plan", "info", "metadata", "archive_sha256", "installed", "target", "files"])
InstallResult.__new__.__defaults__ = (None, None)

# How an install is done, the same for a real run and a plan from metadata.
_DEFAULT_OPTIONS = dict(
    state="present", force=False, venv_python_path=None, ignore_platform=False, python=None,
    break_system_packages=False, allow_conflicts=False, compile_bytecode=True, install_pip=False,
    lock_timeout=DEFAULT_LOCK_TIMEOUT, require_hashes=False, files_dest=None,
)


def install_wagon(src, venv, runner, check_mode=False, origin=None, checksum=None, **options):
    """Bring ``venv`` to ``options["state"]`` for the wagon at ``src``; return an InstallResult.

    The archive is opened once: its checksum (``checksum``, with
    ``algorithm`` and ``digest``, when given), its sha256, its metadata and
    its wheels are all read through that one descriptor.

    With ``venv`` None, the destination is the environment of the interpreter
    ``python`` instead (see :func:`interpreter_destination`); one that is
    externally managed (PEP 668) is refused unless ``break_system_packages``.
    ``origin`` is what the install record names as the archive (default ``src``).
    The options are those of :data:`_DEFAULT_OPTIONS`. Raise WagonError (and
    leave the destination as it was) on any failure.
    """
    with WagonArchive(src) as archive:
        if checksum is not None:
            found = archive.digest(checksum.algorithm)
            if found != checksum.digest:
                raise ArchiveError(checksum_mismatch("src %s" % (origin or src), checksum.algorithm, checksum.digest, found))
        metadata = archive.read_metadata()
        archive.check_listed(metadata)
        return _install(archive, metadata, archive.digest("sha256"), origin or src, venv, runner, check_mode, options)


def plan_install(metadata, archive_sha256, origin, venv, runner, **options):
    """Check mode for a wagon known by its metadata alone (the archive is elsewhere); return an InstallResult.

    The plan is the one :func:`install_wagon` would make; what needs the
    archive itself (its wheels' hashes) is checked only by the real run.
    """
    return _install(None, metadata, archive_sha256, origin, venv, runner, True, options)


def _install(archive, metadata, archive_sha256, origin, venv, runner, check_mode, options):
    """Plan, and unless ``check_mode`` apply, ``metadata``'s wagon; ``archive`` (None in check mode only) has its wheels."""
    unknown = set(options) - set(_DEFAULT_OPTIONS)
    if unknown:
        raise TypeError("unknown install options: %s" % ", ".join(sorted(unknown)))
    options = dict(_DEFAULT_OPTIONS, **options)
    if options["require_hashes"] and options["state"] == "present":
        check_hashes_recorded(metadata)
    if venv is None:
        destination, info = interpreter_destination(options["python"], runner)
        if destination.venv is None and info.externally_managed and not options["break_system_packages"]:
            raise externally_managed_error(info)
    else:
        check_venv_path(venv)
        destination, info = venv_destination(venv), None
    job = _Job(archive, metadata, archive_sha256, origin, runner, options, destination)
    if check_mode:
        if interrupted(record_dir(destination.home)):
            return job.interrupted_result()
        return job.decide(info, apply=False)
    if venv is not None and options["state"] == "absent" and not os.path.isdir(venv) and not half_removed_venv(venv):
        return job.decide(info, apply=False)  # nothing to remove, and no directory to make just to lock it
    try:
        with venv_lock(destination.lock, options["lock_timeout"]) as job.made_dir:
            # Everything is decided under the lock: what an earlier, killed run
            # left, what the destination holds, what to do.
            job.recovered = _recover(destination)
            if venv is None:
                # Look again under the lock (another install may have finished meanwhile).
                job.destination, info = interpreter_destination(options["python"], runner)
            return job.decide(info, apply=True)
    except OSError as error:
        raise WagonError("installing into %s failed: %s" % (destination.label, describe_os_error(error)))


class _Job(object):
    """One install: what it is given, and the decision then the work, for check mode and real runs alike."""

    def __init__(self, archive, metadata, archive_sha256, origin, runner, options, destination):
        self.archive, self.metadata, self.archive_sha256, self.origin = archive, metadata, archive_sha256, origin
        self.runner, self.options, self.destination = runner, options, destination
        self.recovered = False
        self.made_dir = False  # the venv's directory was made by this run, to lock it

    def result(self, plan, info, installed, target=None, files=None):
        return InstallResult(plan, info, self.metadata, self.archive_sha256, installed, target, files)

    def interrupted_result(self):
        # What the venv will be once the killed run is undone is not known
        # before it is undone, and undoing it is a change: say so, plan nothing.
        destination = self.destination
        plan = InstallPlan(destination.label, self.options["state"], [], None,
                           record={"name": self.metadata.name, "wheels": []})
        plan.interrupted = True
        plan.create_venv = destination.venv is not None and begins_with_venv(record_dir(destination.home))
        plan.note = (
            "an earlier install into %s was killed halfway: a real run first puts back what it left, "
            "then plans again" % destination.label
        )
        return self.result(plan, None, [])

    def decide(self, info, apply):
        """Plan against the destination as it is now; with ``apply``, carry the plan out."""
        destination, options, metadata = self.destination, self.options, self.metadata
        state, venv = options["state"], destination.venv
        if venv is not None and state == "absent" and not is_venv(venv):
            plan = InstallPlan(venv, state, [], None, record={"name": metadata.name, "wheels": []})
            plan.interrupted = self.recovered  # undoing a killed creation removed it: that was a change
            plan.note = "the venv %s does not exist: nothing removed" % venv
            return self.result(plan, None, [])
        exists = True
        if destination.venv is not None and info is None:
            exists, info = inspect_venv(destination.venv, self.runner, options["venv_python_path"])
        wagon_target, filenames = target_wheels(metadata, info, state, options["ignore_platform"])
        # Removal needs no fit: a wagon that no longer fits can still go.
        wheels = select_wheels(metadata, info, options["ignore_platform"] or state == "absent", filenames=filenames)
        plan = _plan(destination, state, wheels, info if exists else None, metadata, self.origin, self.archive_sha256,
                     wagon_target, options, self.recovered)
        if plan.changed and state == "present" and self.archive is not None:
            # Whatever the plan, a wagon is accepted only when the wheels it
            # would install or record are the bytes its metadata names.
            self.archive.verify("wheels", [w.filename for w in wheels], metadata.wheel_hashes)
        files = None
        if options["files_dest"] and state == "present":
            files = plan_files(metadata, options["files_dest"], self.archive)
        if apply and plan.has_work:
            info = _apply(plan, self.archive, metadata, info, self.runner, options, destination, self.made_dir)
            installed = _wagon_installed(installed_map(info), wheels)
        else:
            installed = _wagon_installed(plan.after(), wheels)
        if apply and files is not None:
            # After the venv is right: the files are outside it, with no journal of their own.
            place_files(self.archive, metadata, files)
        return self.result(plan, info, installed, wagon_target, files)


def check_hashes_recorded(metadata):
    """The ``require_hashes`` policy: raise WagonError unless the metadata records a sha256 for every wheel."""
    missing = [wheel for wheel in metadata.wheels if wheel not in metadata.wheel_hashes]
    if missing:
        raise WagonError(
            "require_hashes refuses the wagon %s %s: its metadata records no sha256 for %d of its %d wheels (%s), "
            "as wagons of the original wagon tool do; nothing was changed"
            % (metadata.name, metadata.version, len(missing), len(metadata.wheels), ", ".join(missing[:3])
               + (", ..." if len(missing) > 3 else ""))
        )


def _plan(destination, state, wheels, info, metadata, origin, archive_sha256, wagon_target, options, recovered):
    """The InstallPlan for ``info`` (None: the venv is to be made); ``recovered``: this run undid a killed one."""
    exists = info is not None
    record = new_record(metadata, wheels, origin, archive_sha256, target=wagon_target)
    plan = InstallPlan(
        destination.label, state, wheels, info, record, read_records(destination.home) if exists else {},
        create_venv=not exists, force=options["force"], allow_conflicts=options["allow_conflicts"],
        requires=wheel_requirements(metadata, wheels),
    )
    plan.install_pip = bool(
        options["install_pip"] and state == "present"
        and not any(w.canonical_name == "pip" for w in wheels)
        and (not exists or "pip" not in installed_map(info))
    )
    plan.interrupted = recovered
    return plan


def _recover(destination):
    """Undo an install of an earlier run that was killed halfway (its journal is still there); return whether that changed anything.

    The caller holds the destination's lock.
    """
    if not pending(record_dir(destination.home)) and not (destination.venv and half_removed_venv(destination.venv)):
        return False
    try:
        if destination.venv:
            drop_half_removed_venv(destination.venv)
        changed = recover(record_dir(destination.home))
    except OSError as error:
        raise WagonError(
            "putting back what a killed install left in %s failed: %s; its journal (%s) stays, and the next run "
            "tries again" % (destination.label, describe_os_error(error), pending(record_dir(destination.home)))
        )
    if os.path.isdir(destination.home):
        _drop_empty_record_dir(destination.home)
    return changed


def _drop_empty_record_dir(home):
    directory = record_dir(home)
    if os.path.isdir(directory) and not os.listdir(directory):
        os.rmdir(directory)


def _wagon_installed(installed, wheels):
    return ["%s==%s" % installed[w.canonical_name] for w in wheels if w.canonical_name in installed]


def _requested(metadata, wheels):
    """The distributions that get REQUESTED: the wagon's own package, or every one of a requirements-only wagon."""
    own = canonicalize_name(metadata.name or "")
    if any(w.canonical_name == own for w in wheels):
        return {own}
    return {w.canonical_name for w in wheels}


def _apply(plan, archive, metadata, info, runner, options, destination, made_dir=False):
    """Carry out ``plan`` on ``destination`` under a journal; return the fresh InterpreterInfo.

    ``made_dir``: the venv's directory was made by this run (to lock it), so
    undoing the venv's creation removes the directory too.
    """
    venv, home = destination.venv, destination.home
    if plan.install_pip and not info.bundled_pip:
        raise WagonError(
            "install_pip: %s has no bundled pip wheel (%s/ensurepip/_bundled; Debian and Ubuntu ship it in "
            "python3-venv): put pip into the wagon (wagon_build requirements) or set install_pip=false"
            % (info.executable, info.stdlib)
        )
    was_empty_dir = plan.create_venv and os.path.isdir(venv) and not made_dir
    journal = Journal.begin(record_dir(home))
    try:
        if plan.create_venv:
            journal.venv_created(venv, was_empty_dir)
            creator = options["venv_python_path"]
            _run(runner, [creator, "-m", "venv", "--without-pip", venv], "creating venv %s with %s" % (venv, creator))
            info = probe_interpreter(destination.python, runner)
        workdir = os.path.join(journal.directory, "work")
        os.mkdir(workdir)
        paths = []
        if plan.state == "present" and (plan.add or plan.change or plan.reinstall):
            wheels = plan.add + [w for w, _old in plan.change] + plan.reinstall
            extracted = archive.extract("wheels", [w.filename for w in wheels], workdir, metadata.wheel_hashes)
            paths = [extracted[w.filename] for w in wheels]
        installed = {d.canonical_name: d for d in info.distributions}
        for wheel in [w for w, _old in plan.change] + plan.reinstall:
            remove_distribution(installed[wheel.canonical_name].path, info, journal)
        for removal in plan.remove:
            remove_distribution(removal.path, info, journal)
        requested = _requested(metadata, plan.wheels)
        if plan.install_pip:
            paths.append(info.bundled_pip)
            requested.add("pip")
        if paths:
            install_wheels(
                paths, info, runner, journal=journal, compile_bytecode_files=options["compile_bytecode"],
                requested=requested, workdir=workdir,
            )
        if plan.state == "present" and plan.write_record:
            write_record(home, plan.record, journal)
        if plan.remove_record:
            remove_record(home, plan.record["name"], journal)
        info = probe_interpreter(destination.python, runner)
        _check_outcome(plan, info, metadata)
        journal.commit()
        return info
    except OSError as error:
        _roll_back(journal, plan, error)
        raise WagonError(
            "installing into %s failed, and everything was put back as it was: %s" % (plan.venv, describe_os_error(error))
        )
    except WagonError as error:
        _roll_back(journal, plan, error)
        error.args = ("installing into %s failed, and everything was put back as it was: %s" % (plan.venv, error),)
        raise
    except BaseException as error:
        _roll_back(journal, plan, error)
        raise
    finally:
        if os.path.isdir(home):
            _drop_empty_record_dir(home)


def _roll_back(journal, plan, cause):
    """Undo the journal after ``cause``; if undoing fails too, say both, and that the next run finishes it."""
    try:
        journal.rollback()
    except Exception as error:  # pylint: disable=broad-except
        what = describe_os_error(cause) if isinstance(cause, OSError) else str(cause) or type(cause).__name__
        raise WagonError(
            "installing into %s failed (%s), and putting things back failed too (%s): the journal %s stays, "
            "and the next run puts back the rest before anything else"
            % (plan.venv, what, describe_os_error(error) if isinstance(error, OSError) else error, journal.directory)
        )


def _run(runner, argv, what):
    result = runner(argv, env=hermetic_environment(), timeout=WORK_TIMEOUT)
    if result.rc != 0:
        tail = (result.stderr or result.stdout or "").strip().splitlines()[-15:]
        raise CommandError("%s failed (rc=%s): %s" % (what, result.rc, " | ".join(tail)), argv, result.rc, result.stdout, result.stderr)
    return result


def _missing_requirements(plan, info):
    environment = marker_environment(info)
    present = {d.canonical_name for d in info.distributions}
    mine = {w.canonical_name for w in plan.wheels}
    missing = []
    for distribution in info.distributions:
        if distribution.canonical_name not in mine:
            continue
        lacking = sorted(required_names(distribution.requires, environment) - present)
        if lacking:
            missing.append("%s requires %s, which is neither in the wagon nor installed" % (distribution.name, ", ".join(lacking)))
    return missing


def _check_outcome(plan, info, metadata):
    """Raise WagonError when ``info`` is not what ``plan`` promised, or a wagon distribution lacks a dependency.

    The caller rolls back and says so, naming the destination.

    Dependencies are checked by name (their Requires-Dist, markers evaluated),
    as a resolver would refuse the install; versions are the build's business.
    """
    installed = installed_map(info)
    if plan.state == "present":
        wrong = [
            "%s==%s (found %s)" % (w.name, w.version, installed.get(w.canonical_name, ("", "nothing"))[1])
            for w in plan.wheels
            if not same_version(installed.get(w.canonical_name, ("", ""))[1], w.version)
        ]
    else:
        wrong = []
    wrong += ["%s still installed" % r.name for r in plan.remove if canonicalize_name(r.name) in installed]
    if plan.state == "present" and not wrong:
        missing = _missing_requirements(plan, info)
        if missing:
            excluded = metadata.extension.get("excluded") or []
            raise WagonError(
                "the wagon %s %s cannot work there: %s%s"
                % (
                    metadata.name, metadata.version, "; ".join(missing),
                    " (the wagon was built with exclude: %s)" % ", ".join(excluded) if excluded else "",
                )
            )
    if wrong:
        raise WagonError("the install finished but is not as planned: %s" % ", ".join(wrong))
