# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Deciding what an install or removal does, before anything is touched.

:func:`select_wheels` picks the wagon's wheels that fit the interpreter;
:class:`InstallPlan` compares them with what is installed and with the
install records (``_records.py``), and says what to add, change, reinstall,
remove and keep, and who owns what afterwards. Check mode reports the plan;
a real run carries it out (``_install.py``). The rules, in short:

- A distribution another wagon recorded at another version is not changed
  (the plan holds a conflict) unless conflicts are allowed.
- Removal (``absent``, or pruning what a new version of the wagon no longer
  has) takes only what this wagon ``added``, still at the version it
  installed, that no remaining distribution requires (by Requires-Dist) and
  no other wagon recorded; everything else is kept, with the reason.
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import IncompatibleError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name, same_version
from ansible_collections.offline.wagon.plugins.module_utils._records import (
    ADDED,
    FOUND,
    REPLACED,
    owned_distributions,
    record_identity,
)
from ansible_collections.offline.wagon.plugins.module_utils._requirements import marker_environment, required_names
from ansible_collections.offline.wagon.plugins.module_utils._tags import tag_priority
from ansible_collections.offline.wagon.plugins.module_utils._targets import choose_target, wagon_targets
from ansible_collections.offline.wagon.plugins.module_utils._wheel import WheelName, python_satisfies

SelectedWheel = namedtuple("SelectedWheel", ["filename", "name", "canonical_name", "version", "sha256"])

# A distribution the plan removes: ``path`` is its .dist-info directory.
Removal = namedtuple("Removal", ["name", "version", "path"])


def installed_map(info):
    """``{canonical: (name, version)}`` of what the probe found installed."""
    return {d.canonical_name: (d.name, d.version) for d in info.distributions}


def wheel_requirements(metadata, wheels):
    """``{canonical: Requires-Dist lines}`` of ``wheels`` whose requirements the wagon's metadata records."""
    infos = metadata.extension.get("wheels", {})
    return {
        w.canonical_name: list(infos[w.filename]["requires_dist"])
        for w in wheels
        if isinstance(infos.get(w.filename, {}).get("requires_dist"), list)
    }


def _installed(info):
    return {d.canonical_name: d for d in info.distributions} if info is not None else {}


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
    has no wheel that fits (unless ``ignore_platform``, which then takes the
    best-ranked wheel anyway) or when a wheel's Requires-Python excludes this
    Python. ``filenames`` limits the choice to those wheels (one target's set).
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


# Planning ---------------------------------------------------------------------


class InstallPlan(object):
    """What an install or removal will do to one destination, and who owns what afterwards.

    ``info`` is the probe of the destination's Python (None when the venv
    does not exist yet); ``record`` the record this wagon would write (its
    ``distributions`` are filled in here); ``records`` every record there now.
    """

    def __init__(
        self, label, state, wheels, info, record, records=None, create_venv=False, force=False,
        allow_conflicts=False, requires=None,
    ):
        self.venv = label
        self.state = state
        self.wheels = wheels
        self.create_venv = create_venv
        installed = _installed(info)
        self.before = {key: (d.name, d.version) for key, d in installed.items()}
        self.add, self.change, self.reinstall, self.remove = [], [], [], []
        self.kept, self.conflicts = [], []
        self.write_record = self.remove_record = False
        self.install_pip = False  # the interpreter's bundled pip, for a venv without one (not the wagon's)
        self.interrupted = False  # an earlier run was killed halfway: a real run undoes it first
        self.note = ""
        records = records or {}
        own = canonicalize_name(record["name"])
        self.current = records.get(own)
        self.others = {
            other.get("name") or key: owned_distributions(other) for key, other in records.items() if key != own
        }
        self.environment = marker_environment(info) if info is not None else {}
        # {canonical: Requires-Dist lines} of the wagon's wheels, where the wagon's metadata says.
        self.requires = requires or {}
        self.record = record
        if state == "present":
            self._plan_install(installed, force)
        else:
            self._plan_removal(installed)
        if self.conflicts and not allow_conflicts:
            raise WagonError(
                "refusing to install %s %s into %s: it would change what another wagon installed: %s; nothing was "
                "changed (set allow_conflicts=true to change it anyway)"
                % (record["name"], record.get("version"), label, "; ".join(self.conflicts))
            )

    # present ------------------------------------------------------------------

    def _plan_install(self, installed, force):
        before = owned_distributions(self.current)
        recorded_hash = {
            canonicalize_name(w.get("name") or ""): w.get("sha256") for w in (self.current or {}).get("wheels", [])
        }
        ownership = {}
        for wheel in self.wheels:
            key = wheel.canonical_name
            found, previous = installed.get(key), before.get(key)
            entry = {"name": wheel.name, "version": wheel.version}
            acts = True  # whether this run writes the distribution
            if found is None:
                self.add.append(wheel)
                entry["ownership"] = previous["ownership"] if previous else ADDED
            elif not same_version(found.version, wheel.version):
                self._refuse_without_record(found, "change")
                self.change.append((wheel, found.version))
                if previous and previous.get("ownership") in (ADDED, REPLACED):
                    entry["ownership"] = previous["ownership"]
                else:
                    entry["ownership"] = REPLACED
            else:
                old_hash = recorded_hash.get(key)
                acts = bool(force or (old_hash and wheel.sha256 and old_hash != wheel.sha256))
                if acts:
                    self._refuse_without_record(found, "reinstall")
                    self.reinstall.append(wheel)
                entry["ownership"] = previous["ownership"] if previous else FOUND
            if entry["ownership"] == REPLACED:
                entry["replaced_version"] = (previous or {}).get("replaced_version") or found.version
            ownership[key] = entry
            if acts:
                self._check_conflict(wheel)
        self.record["distributions"] = ownership
        # What the previous version of this wagon added and this one no longer has.
        candidates = {}
        for key, previous in sorted(before.items()):
            if key in ownership:
                continue
            self._removable(key, previous, installed, candidates)
        self._keep_needed(candidates, installed)
        self.write_record = (
            self.current is None or record_identity(self.current) != record_identity(self.record)
            or bool(self.add or self.change or self.reinstall or self.remove)
        )

    def _check_conflict(self, wheel):
        for other, distributions in sorted(self.others.items()):
            theirs = distributions.get(wheel.canonical_name)
            if theirs and not same_version(theirs.get("version"), wheel.version):
                self.conflicts.append(
                    "%s is at %s for wagon %s, this wagon has %s" % (wheel.name, theirs.get("version"), other, wheel.version)
                )

    def _refuse_without_record(self, found, what):
        if not found.has_record:
            raise WagonError(
                "cannot %s %s %s in %s: it was installed without a RECORD (%s), so its files are not known; "
                "nothing was changed" % (what, found.name, found.version, self.venv, found.path)
            )

    # absent -------------------------------------------------------------------

    def _plan_removal(self, installed):
        if self.current is None:
            self.note = "no record of wagon %s in %s: nothing removed" % (self.record["name"], self.venv)
            return
        candidates = {}
        for key, previous in sorted(owned_distributions(self.current).items()):
            self._removable(key, previous, installed, candidates)
        self._keep_needed(candidates, installed)
        self.remove_record = True

    # both ---------------------------------------------------------------------

    def _removable(self, key, previous, installed, candidates):
        """Put ``key`` in ``candidates`` when this wagon may remove it, else say in ``kept`` why not."""
        found = installed.get(key)
        if found is None:
            return
        label = "%s==%s" % (found.name, found.version)
        if previous.get("ownership") != ADDED:
            self.kept.append("%s (it was there before this wagon: %s)" % (label, previous.get("ownership") or FOUND))
        elif not same_version(found.version, previous.get("version")):
            self.kept.append("%s (changed since this wagon installed %s)" % (label, previous.get("version")))
        elif not found.has_record:
            self.kept.append("%s (installed without a RECORD)" % label)
        else:
            candidates[key] = found

    def _requirers(self, installed, candidates):
        """``[(name, Requires-Dist lines)]`` of every distribution there after the plan, candidates aside.

        A distribution the plan installs, changes or reinstalls counts with the
        requirements of the wagon's wheel when its metadata records them (else,
        for one installed now, with those of the installed version: keeping
        too much is safe).
        """
        requirers = {}
        for key, found in installed.items():
            if key not in candidates:
                requirers[key] = (found.name, found.requires)
        if self.state == "present":
            for wheel in self.wheels:
                if wheel.canonical_name in self.requires:
                    requirers[wheel.canonical_name] = (wheel.name, self.requires[wheel.canonical_name])
        return list(requirers.values())

    def _keep_needed(self, candidates, installed):
        """Move from ``candidates`` to ``kept`` what a remaining distribution or another wagon needs; remove the rest."""
        remaining = self._requirers(installed, candidates)
        changed = True
        while changed and candidates:
            changed = False
            needed_by = {}
            for name_of, requires in remaining:
                for name in required_names(requires, self.environment):
                    needed_by.setdefault(name, []).append(name_of)
            for key in sorted(candidates):
                found = candidates[key]
                owners = [other for other, dists in sorted(self.others.items()) if key in dists]
                if key in needed_by:
                    why = "required by %s" % ", ".join(sorted(needed_by[key]))
                elif owners:
                    why = "recorded by wagon %s" % ", ".join(owners)
                else:
                    continue
                self.kept.append("%s==%s (%s)" % (found.name, found.version, why))
                kept = candidates.pop(key)
                remaining.append((kept.name, kept.requires))
                changed = True
        self.remove.extend(Removal(d.name, d.version, d.path) for _key, d in sorted(candidates.items()))

    # reporting ----------------------------------------------------------------

    @property
    def changed(self):
        return bool(
            self.create_venv or self.add or self.change or self.reinstall or self.remove
            or self.write_record or self.remove_record or self.install_pip or self.interrupted
        )

    @property
    def has_work(self):
        """Whether applying the plan changes anything (undoing a killed run, ``interrupted``, is done already)."""
        return bool(
            self.create_venv or self.add or self.change or self.reinstall or self.remove
            or self.write_record or self.remove_record or self.install_pip
        )

    def after(self):
        """``{canonical: (name, version)}`` installed once the plan is applied."""
        after = dict(self.before)
        if self.state == "present":
            for wheel in self.wheels:
                after[wheel.canonical_name] = (wheel.name, wheel.version)
        for removal in self.remove:
            after.pop(canonicalize_name(removal.name), None)
        return after

    def to_dict(self):
        result = {
            "create_venv": self.create_venv,
            "add": ["%s==%s" % (w.name, w.version) for w in self.add],
            "change": ["%s==%s (was %s)" % (w.name, w.version, old) for w, old in self.change],
            "reinstall": ["%s==%s" % (w.name, w.version) for w in self.reinstall],
            "remove": ["%s==%s" % (r.name, r.version) for r in self.remove],
            "keep": list(self.kept),
            "record": "write" if self.write_record else "remove" if self.remove_record else "keep",
        }
        if self.conflicts:
            result["conflicts"] = list(self.conflicts)
        if self.install_pip:
            result["install_pip"] = True
        if self.interrupted:
            result["interrupted"] = True
        return result

    def ownership(self):
        """``{name: ownership}`` of this wagon's distributions once the plan is applied."""
        if self.state == "absent":
            return {}
        return {entry["name"]: entry["ownership"] for entry in self.record.get("distributions", {}).values()}

    def diff(self):
        def lines(dists):
            return "".join("%s==%s\n" % dists[key] for key in sorted(dists))

        return {
            "before_header": "%s (installed)" % self.venv,
            "after_header": "%s (%s)" % (self.venv, "after install" if self.state == "present" else "after removal"),
            "before": lines(self.before) if not self.create_venv else "",
            "after": lines(self.after()),
        }
