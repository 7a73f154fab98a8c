# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""What wagon_facts reports: archives' metadata and SBOM, wagons installed in venvs,
and (on request) every problem an archive has.

Validating an archive reads it, never trusts it: each check that fails adds
one sentence to ``problems`` and the others still run, so one report lists
everything wrong. Nothing on the host changes: wheels are hashed one at a
time in a temporary directory, and the optional test install goes into a
throwaway venv there, removed afterwards.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive
from ansible_collections.offline.wagon.plugins.module_utils._destination import interpreter_destination
from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import install_wagon
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import is_venv, probe_interpreter, venv_python
from ansible_collections.offline.wagon.plugins.module_utils._journal import pending
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._plan import installed_map
from ansible_collections.offline.wagon.plugins.module_utils._records import owned_distributions, read_records, record_dir
from ansible_collections.offline.wagon.plugins.module_utils._pylock import pylock_problems
from ansible_collections.offline.wagon.plugins.module_utils._sbom import read_sbom, sbom_components, sbom_problems
from ansible_collections.offline.wagon.plugins.module_utils._targets import choose_target, describe_targets, wagon_targets
from ansible_collections.offline.wagon.plugins.module_utils._wheel import WheelName, file_sha256, read_wheel_metadata


def _targets(metadata, interpreters):
    """The wagon's targets as facts; with ``interpreters`` ({venv: InterpreterInfo}), ``fits``: the venvs each one serves."""
    try:
        targets = describe_targets(metadata)
    except WagonError:
        return []  # validation reports it
    for entry in targets:
        entry["fits"] = []
    for venv, info in sorted((interpreters or {}).items()):
        try:
            label = choose_target(metadata, info)[0].label
        except WagonError:
            continue
        for entry in targets:
            if entry["label"] == label:
                entry["fits"].append(venv)
    return targets


def _describe(path, archive, metadata, interpreters=None):
    return {
        "format": "zip" if archive.format == "zip" else "tar",
        "size": os.path.getsize(path),
        "sha256": file_sha256(path),
        "name": metadata.name,
        "version": metadata.version,
        "build_tag": metadata.build_tag,
        "platform": metadata.platform,
        "python_versions": metadata.python_versions,
        "wheels": metadata.wheels,
        "hashed": bool(metadata.wheel_hashes),
        "requirements_only": bool(metadata.extension.get("requirements_only")),
        "targets": _targets(metadata, interpreters),
        "metadata": metadata.to_dict(),
    }


def archive_facts(path, interpreters=None):
    """Return what the archive at ``path`` is: format, size, sha256, metadata and SBOM.

    ``sbom`` is the parsed CycloneDX document (None when the wagon has none)
    and ``components`` a short list of its wheels. Raise WagonError when the
    archive is unreadable, is not a wagon, or lacks a member its metadata names.
    """
    with WagonArchive(path) as archive:
        metadata = archive.read_metadata()
        archive.check_listed(metadata)
        facts = _describe(path, archive, metadata, interpreters)
        document, dummy = read_sbom(archive, metadata)
    facts.update(sbom=document, components=sbom_components(document) if document else [])
    return facts


# Validation ------------------------------------------------------------------------


def _check_wheel(archive, metadata, filename, workdir, problems):
    """Extract one wheel into ``workdir``, check it, remove it; return its sha256 (None when unreadable)."""
    try:
        path = archive.extract("wheels", [filename], workdir)[filename]
    except WagonError as error:
        problems.append(str(error))
        return None
    try:
        digest = file_sha256(path)
        expected = metadata.wheel_hashes.get(filename)
        if expected and digest != expected:
            problems.append(
                "wheels/%s has sha256 %s, but package.json says %s: the archive was altered or damaged"
                % (filename, digest, expected)
            )
        try:
            found = read_wheel_metadata(path)
        except WagonError as error:
            problems.append("wheels/%s is not a readable wheel: %s" % (filename, error))
            return digest
        recorded = metadata.extension.get("wheels", {}).get(filename, {})
        parsed = WheelName.parse(filename)
        name, version = recorded.get("name") or parsed.name, recorded.get("version") or parsed.version
        if canonicalize_name(found.name) != canonicalize_name(name) or found.version != version:
            problems.append(
                "wheels/%s holds %s %s, but %s says %s %s"
                % (filename, found.name, found.version, "package.json" if recorded else "its file name", name, version)
            )
        return digest
    finally:
        os.unlink(path)


def _check_file(archive, metadata, name, workdir, problems):
    try:
        path = archive.extract("files", [name], workdir)[name]
    except WagonError as error:
        problems.append(str(error))
        return None
    try:
        digest = file_sha256(path)
    finally:
        os.unlink(path)
    expected = metadata.file_hashes.get(name)
    if expected and digest != expected:
        problems.append(
            "files/%s has sha256 %s, but package.json says %s: the archive was altered or damaged" % (name, digest, expected)
        )
    return digest


def _check_members(archive, metadata, problems):
    """Listed wheels and files that are missing, and wheels present but not listed."""
    for directory, names in (("wheels", metadata.wheels), ("files", metadata.files)):
        for name in names:
            if not archive.has(posixpath.join(directory, name)):
                problems.append("package.json lists %s/%s, which is not in the archive" % (directory, name))
    prefix = posixpath.join(archive.top, "wheels") + "/"
    listed = set(metadata.wheels)
    for member in sorted(archive.members):
        rest = member[len(prefix):] if member.startswith(prefix) else None
        if rest and "/" not in rest and not archive.members[member].is_dir and rest not in listed:
            problems.append("the archive holds wheels/%s, which package.json does not list" % rest)


def _check_main_package(metadata, problems):
    if metadata.extension.get("requirements_only"):
        return
    names = {canonicalize_name(WheelName.parse(w).name) for w in metadata.wheels}
    names.update(canonicalize_name(info.get("name", "")) for info in metadata.extension.get("wheels", {}).values())
    if canonicalize_name(metadata.name) not in names:
        problems.append(
            "package.json names the package %s, but no wheel of it is in the wagon (and it is not marked "
            "requirements_only): installing it by name fails" % metadata.name
        )


def _check_install(path, runner, python, workdir, problems):
    venv = os.path.join(workdir, "venv")
    try:
        install_wagon(path, venv, runner, venv_python_path=python)
    except WagonError as error:
        problems.append("the test install into a throwaway venv of %s failed: %s" % (python, error))
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def validate_archive(path, runner=None, install=False, python=None, tmpdir=None, interpreters=None):
    """Check the archive at ``path``; return its facts with ``valid``, ``problems`` and ``checked``.

    Checked, each problem reported on its own: the archive's structure (safe
    members, one ``package.json``), the metadata, that every wheel and file it
    lists is there and no unlisted wheel is, that the main package has a
    wheel, every wheel's and file's sha256 (when the wagon records them), that
    each wheel's own metadata names the recorded distribution and version, and
    the SBOM (its hash, and that it describes exactly these wheels and files
    by these hashes). With ``install``, an offline test install into a
    throwaway venv of ``python`` (needs ``runner``). An archive that cannot be
    opened gives only ``valid``, ``problems`` and ``checked``.
    """
    problems, checked = [], []
    try:
        archive = WagonArchive(path)
    except WagonError as error:
        return {"valid": False, "problems": [str(error)], "checked": checked}
    workdir = tempfile.mkdtemp(prefix="offline-wagon-validate-", dir=tmpdir)
    try:
        with archive:
            checked.append("structure")
            try:
                metadata = archive.read_metadata()
            except WagonError as error:
                return {"valid": False, "problems": [str(error)], "checked": checked}
            checked.append("metadata")
            facts = _describe(path, archive, metadata, interpreters)
            _check_members(archive, metadata, problems)
            try:
                wagon_targets(metadata)
            except WagonError as error:
                problems.append(str(error))
            _check_main_package(metadata, problems)
            present_wheels = [w for w in metadata.wheels if archive.has(posixpath.join("wheels", w))]
            wheel_digests = {w: _check_wheel(archive, metadata, w, workdir, problems) for w in present_wheels}
            present_files = [f for f in metadata.files if archive.has(posixpath.join("files", f))]
            file_digests = {f: _check_file(archive, metadata, f, workdir, problems) for f in present_files}
            checked.append("wheel hashes" if metadata.wheel_hashes else "wheels (the wagon records no hashes)")
            if metadata.files:
                checked.append("file hashes" if metadata.file_hashes else "files (the wagon records no hashes)")
            document = None
            try:
                document, sbom_sha256 = read_sbom(archive, metadata)
            except WagonError as error:
                problems.append(str(error))
            if document is not None:
                checked.append("sbom")
                problems += sbom_problems(document, sbom_sha256, metadata, wheel_digests, file_digests)
            facts.update(sbom=document, components=sbom_components(document) if document else [])
            if metadata.extension.get("pylock") is not None:
                checked.append("pylock")
                problems += pylock_problems(archive, metadata)
        if install:
            checked.append("install")
            _check_install(path, runner, python, workdir, problems)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    facts.update(valid=not problems, problems=problems, checked=checked)
    return facts


def venv_facts(venv, runner, interpreters=None):
    """Return the venv's Python, its distributions and the wagons recorded in it.

    For each recorded wagon, ``matches`` says whether every distribution it
    installed is still there at the recorded version; ``drift`` lists those
    that are not.
    """
    if not is_venv(venv):
        return {"exists": False, "wagons": {}, "distributions": []}
    info = probe_interpreter(venv_python(venv), runner)
    if interpreters is not None:
        interpreters[venv] = info
    return _environment_facts(info, venv)


def python_facts(python, runner, interpreters=None):
    """Like :func:`venv_facts`, for the environment of the interpreter ``python``.

    Adds ``venv`` (the venv that interpreter belongs to, or None),
    ``records`` (where its install records live) and ``externally_managed``
    (PEP 668). An interpreter that does not exist gives ``exists: false``.
    """
    if not os.path.exists(python):
        return {"exists": False, "wagons": {}, "distributions": []}
    destination, info = interpreter_destination(python, runner)
    if interpreters is not None:
        interpreters[python] = info
    facts = _environment_facts(info, destination.home)
    facts.update(venv=destination.venv, records=record_dir(destination.home), externally_managed=info.externally_managed)
    return facts


def _environment_facts(info, home):
    installed = installed_map(info)
    wagons = {}
    for record in read_records(home).values():
        drift = []
        for wheel in record.get("wheels", []):
            found = installed.get(canonicalize_name(wheel.get("name", "")))
            if found is None:
                drift.append("%s==%s (missing)" % (wheel.get("name"), wheel.get("version")))
            elif found[1] != wheel.get("version"):
                drift.append("%s==%s (found %s)" % (wheel.get("name"), wheel.get("version"), found[1]))
        ownership = {entry.get("name") or key: entry.get("ownership") for key, entry in owned_distributions(record).items()}
        wagons[record["name"]] = dict(record, matches=not drift, drift=drift, ownership=ownership)
    return {
        "exists": True,
        "python": {
            "executable": info.executable,
            "version": ".".join(str(part) for part in info.version),
            "description": info.describe(),
        },
        "distributions": ["%s==%s" % installed[key] for key in sorted(installed)],
        "wagons": wagons,
        # An install killed halfway left its journal: the next install undoes it first.
        "interrupted": pending(record_dir(home)) is not None,
    }
