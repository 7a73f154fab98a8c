# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""A wagon's PEP 751 lock files: one ``pylock.toml`` per target.

The build writes, next to ``package.json``, a lock that lists every wheel of a
target by a path relative to the lock (``wheels/<file>``), its size and its
sha256, so that pip 26.1+ (``pip install --no-index -r pylock.toml``) and uv
install an extracted wagon offline with exactly the wheels ``wagon_install``
would install. A single-target wagon has ``pylock.toml``; a wagon of several
targets has ``pylock.<target label>.toml`` per target (labels hold no dots, as
the specification's file name rule asks). ``package.json`` names each lock
and its sha256 under ``offline_wagon.pylock``.

The TOML is written here by hand (the standard library reads TOML but does not
write it), sorted, so the same wheels give the same bytes. Checking the locks
(:func:`pylock_problems`) needs only the standard library and no TOML reader.
"""

from __future__ import annotations

import hashlib

from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name

PYLOCK_FILENAME = "pylock.toml"
LOCK_VERSION = "1.0"
CREATED_BY = "offline.wagon"

# A lock of thousands of wheels is well under a megabyte.
_MAX_LOCK_SIZE = 16 * 1024 ** 2

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def lock_filename(target_label=None):
    """``pylock.toml``, or ``pylock.<label>.toml`` for one target of a wagon of several."""
    return PYLOCK_FILENAME if target_label is None else "pylock.%s.toml" % target_label


def _string(value):
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append("\\u%04x" % ord(char))
        else:
            out.append(char)
    return '"%s"' % "".join(out)


def _value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s = %s" % (key, _value(item)) for key, item in value.items())
    return "[%s]" % ", ".join(_value(item) for item in value)


def combined_requires_python(specifiers):
    """Every clause of the given ``Requires-Python`` values, de-duplicated and sorted: their intersection, or None."""
    clauses = sorted({c.strip() for s in specifiers if s for c in s.split(",") if c.strip()})
    return ", ".join(clauses) or None


def target_marker(target):
    """A PEP 508 marker true on the hosts a Target stands for (as far as markers can tell: not the glibc or ABI)."""
    environment = target.marker_environment()
    keys = ["implementation_name", "python_version", "sys_platform"]
    # 32-bit Python on 64-bit Windows reports AMD64: the machine does not tell the Python's architecture there.
    if environment["sys_platform"] != "win32":
        keys.append("platform_machine")
    return " and ".join('%s == "%s"' % (key, environment[key]) for key in keys)


def create_pylock(wheels, requires_python=None, environments=None):
    """The bytes of a lock listing ``wheels``: dicts with ``filename``, ``name``, ``version``, ``sha256``, ``size``, ``requires_python``.

    Packages sort by canonical name and version, each package's wheels by file name.
    """
    packages = {}
    for wheel in wheels:
        packages.setdefault((canonicalize_name(wheel["name"]), wheel["version"]), []).append(wheel)
    lines = ["lock-version = %s" % _string(LOCK_VERSION)]
    if environments:
        lines.append("environments = %s" % _value(list(environments)))
    if requires_python:
        lines.append("requires-python = %s" % _string(requires_python))
    lines.append("created-by = %s" % _string(CREATED_BY))
    for (name, version), files in sorted(packages.items()):
        lines += ["", "[[packages]]", "name = %s" % _string(name), "version = %s" % _string(version)]
        package_python = combined_requires_python(w.get("requires_python") for w in files)
        if package_python:
            lines.append("requires-python = %s" % _string(package_python))
        lines.append("wheels = [")
        for wheel in sorted(files, key=lambda w: w["filename"]):
            entry = {"name": wheel["filename"], "path": "wheels/" + wheel["filename"], "size": wheel["size"],
                     "hashes": {"sha256": wheel["sha256"]}}
            lines.append("    %s," % _value(entry))
        lines.append("]")
    return ("\n".join(lines) + "\n").encode("utf-8")


def wagon_locks(wheels, target_sets=None):
    """Return ``{file name: (lock bytes, target label or None)}`` for a wagon.

    ``wheels`` maps each file name to a dict as :func:`create_pylock` takes;
    ``target_sets`` is ``[(Target, [file names])]`` for a wagon of several targets.
    """
    if not target_sets:
        listed = list(wheels.values())
        requires = combined_requires_python(w.get("requires_python") for w in listed)
        return {lock_filename(): (create_pylock(listed, requires), None)}
    locks = {}
    for target, names in target_sets:
        listed = [wheels[name] for name in names]
        lock = create_pylock(listed, "==%s.*" % target.python, [target_marker(target)])
        locks[lock_filename(target.label)] = (lock, target.label)
    return locks


def pylock_reference(locks):
    """``offline_wagon.pylock`` for the locks :func:`wagon_locks` gives: per file, sha256, size and (for targets) target."""
    reference = {}
    for name, (data, label) in sorted(locks.items()):
        reference[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        if label is not None:
            reference[name]["target"] = label
    return reference


def pylock_problems(archive, metadata):
    """One sentence per lock ``offline_wagon.pylock`` names that is missing or whose sha256 differs.

    ``archive`` is the open WagonArchive ``metadata`` was read from. Wagons
    without the key (older ones, the original tool's) have no problems here.
    """
    reference = metadata.extension.get("pylock")
    if reference is None:
        return []
    if not isinstance(reference, dict):
        return ["package.json: offline_wagon.pylock is not an object of lock file names"]
    problems = []
    for name, info in sorted(reference.items()):
        if "/" in name or "\\" in name or not (name.startswith("pylock.") and name.endswith(".toml")):
            problems.append("package.json names the lock %r, which is not a pylock file name" % name)
            continue
        data = archive.read_member(name, _MAX_LOCK_SIZE) if archive.has(name) else None
        if data is None:
            problems.append("package.json names the lock %s, which is not in the archive" % name)
        elif not isinstance(info, dict) or hashlib.sha256(data).hexdigest() != info.get("sha256"):
            problems.append("the lock %s does not have the sha256 package.json records for it" % name)
    return problems
