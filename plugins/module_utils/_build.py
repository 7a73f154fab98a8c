# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Building a wagon on a connected machine: resolve, describe, write, compare.

1. Classify the source: a requirement (``flask==3.0.3``), a local project
   directory or archive, or an http(s)/file URL. A source that looks like a
   path but does not exist is an error, never a package name. With no
   source, the wagon is a whole environment: the requirement files alone,
   named by the ``name`` and ``version`` the request gives.
2. Resolve with the build Python's pip (the user's pip configuration
   applies), for this machine or once per target, and learn where each
   wheel came from (see ``_resolve``). Non-requirement sources are first
   built alone (``--no-deps``) so the main wheel's name and version come
   from its METADATA. When pip cannot say where a wheel came from, the
   origin is recorded as unknown (with a warning), never guessed.
3. Leave out what ``exclude`` names (never the main package).
4. Describe: Wagon 1.0's 12 keys, named as Wagon 1.0 names them
   (``package_name`` is the main wheel's ``Name:`` exactly, linux platforms
   are written ``linux_<arch>``), plus our extension (hashes, what built it,
   what was excluded, the SBOM's and locks' names and hashes), plus the CycloneDX SBOM
   and a PEP 751 ``pylock.toml`` per target (see ``_pylock``).
5. Write the archive deterministically next to the destination, compare it
   byte for byte with what is there, and move it into place only when it
   differs. In check mode everything happens in a temporary directory.

Credentials in URLs (``https://user:password@host``) are masked in every
string this module hands back: messages, commands and metadata.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from collections import namedtuple

from ansible.module_utils import distro

from ansible_collections.offline.wagon.plugins.module_utils._archive import FORMATS, WagonArchive, write_archive
from ansible_collections.offline.wagon.plugins.module_utils._errors import IncompatibleError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import install_wagon
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name, python_label
from ansible_collections.offline.wagon.plugins.module_utils._urls import mask_url
from ansible_collections.offline.wagon.plugins.module_utils._resolve import (
    URL_SCHEME,
    apply_exclude,
    describe_wheels,
    pip_origins,
    probe_build_python,
    refuse_excluding,
    resolve,
    resolve_for_targets,
    source_origin,
)
from ansible_collections.offline.wagon.plugins.module_utils._pylock import pylock_reference, wagon_locks
from ansible_collections.offline.wagon.plugins.module_utils._sbom import (
    SBOM_FILENAME,
    SBOM_FORMAT,
    SPEC_VERSION,
    UNKNOWN,
    SbomWheel,
    canonical_bytes,
    create_sbom,
)
from ansible_collections.offline.wagon.plugins.module_utils._targets import parse_targets, yaml_number_hint
from ansible_collections.offline.wagon.plugins.module_utils._wheel import WheelName, file_sha256, same_bytes

try:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version
except ImportError:
    HAS_PACKAGING = False
    PACKAGING_IMPORT_ERROR = sys.exc_info()[1]
else:
    HAS_PACKAGING = True
    PACKAGING_IMPORT_ERROR = None

COLLECTION_VERSION = "0.1.0"
COLLECTION = "offline.wagon " + COLLECTION_VERSION

URL_SCHEMES = ("http", "https", "file")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip", ".whl")
_LINUX_PLATFORM = re.compile(r"^(?:manylinux(?:1|2010|2014)|manylinux_\d+_\d+|musllinux_\d+_\d+|linux)_(.+)$")
# A distribution name (PEP 508): what an environment wagon may be called.
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


class BuildRequest(
    namedtuple(
        "BuildRequest",
        [
            "source", "dest", "requirements", "archive_format", "exclude", "python_versions", "build_tag",
            "files", "index_url", "find_links", "no_index", "pip_args", "python", "validate", "force",
            "name", "version", "targets", "builders",
        ],
    )
):
    """Everything ``wagon_build`` is asked to do.

    ``dest`` is required, and either ``source`` or (for a wagon of a whole
    environment) ``requirements`` with ``name`` and ``version``.
    """

    __slots__ = ()

    def __new__(
        cls, source, dest, requirements=(), archive_format="zip", exclude=(), python_versions=(), build_tag="",
        files=(), index_url=None, find_links=(), no_index=False, pip_args=(), python=None, validate=False,
        force=False, name=None, version=None, targets=(), builders=None,
    ):
        return super(BuildRequest, cls).__new__(
            cls, source, dest, tuple(requirements or ()), archive_format, tuple(exclude or ()),
            tuple(python_versions or ()), build_tag or "", tuple(files or ()), index_url or None,
            tuple(find_links or ()), bool(no_index), tuple(pip_args or ()), python or sys.executable,
            bool(validate), bool(force), name or None, version or None, tuple(targets or ()), dict(builders or {}),
        )

    @property
    def requirements_only(self):
        """True for a wagon of the requirement files alone (no source, no main package)."""
        return self.source is None

    @property
    def described_source(self):
        """What the request builds, for messages and ``package_source`` (URL credentials masked)."""
        if self.source is not None:
            return mask_url(self.source)
        return " ".join("-r %s" % path for path in self.requirements)


BuildResult = namedtuple(
    "BuildResult", ["changed", "archive", "sha256", "size", "metadata", "wheels", "commands", "diff", "warnings"]
)

Source = namedtuple("Source", ["kind", "target", "name"])


# The source --------------------------------------------------------------------


def _looks_like_path(text):
    return (
        "/" in text or "\\" in text or text.startswith((".", "~"))
        or text.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def classify_source(source):
    """Return the Source that ``source`` names; raise WagonError when it names nothing usable.

    ``kind`` is ``requirement`` (``name`` set), ``directory``, ``file`` or ``url``;
    ``target`` is what pip is given (an absolute path for local sources). As
    with pip, a bare name is a requirement even when a directory of that name
    is in the current directory: a path must look like one (``./demo``).
    """
    text = (source or "").strip()
    if not text:
        raise WagonError("source is empty: give a requirement, a project directory, an archive or a URL")
    scheme = URL_SCHEME.match(text)
    if scheme:
        if scheme.group(1).lower() not in URL_SCHEMES:
            raise WagonError(
                "source URL %s has the scheme %s; only %s URLs are supported"
                % (mask_url(text), scheme.group(1), ", ".join(URL_SCHEMES))
            )
        return Source("url", text, None)
    requirement = problem = None
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        problem = error
    if requirement is not None and requirement.url:
        return Source("requirement", text, requirement.name)
    if _looks_like_path(text):
        local = os.path.abspath(os.path.expanduser(text))
        if not os.path.exists(local):
            raise WagonError(
                "source %s does not exist (it looks like a path, so it is not looked up as a package)" % local
            )
        return Source("directory" if os.path.isdir(local) else "file", local, None)
    if requirement is not None:
        return Source("requirement", text, requirement.name)
    raise WagonError(
        "source %r is not a requirement, an existing path or a URL: %s" % (mask_url(text), mask_url(str(problem)))
    )


# Checking the other inputs ------------------------------------------------------


def _python_labels(request, build_python, targets=()):
    if not request.python_versions and targets:
        versions = sorted({target.version for target in targets})
        return [python_label(version) for version in versions]
    if not request.python_versions:
        return [python_label(build_python.version[:2])]
    labels = []
    for version in request.python_versions:
        label = python_label(version)
        if label not in labels:
            labels.append(label)
    return labels


def extra_files(paths):
    """Return ``{basename: path}`` for ``files``; raise WagonError for a missing path or a repeated name."""
    chosen = {}
    for path in paths:
        absolute = os.path.abspath(path)
        if not os.path.isfile(absolute):
            raise WagonError("file %s (in files) does not exist or is not a regular file" % path)
        name = os.path.basename(absolute)
        if name in chosen:
            raise WagonError(
                "files has two files named %s (%s and %s); a wagon keeps files by name, so rename one"
                % (name, chosen[name], absolute)
            )
        chosen[name] = absolute
    return chosen


def _check_environment_request(request):
    """Check what a requirements-only request needs: requirement files, a name and a version."""
    if not request.requirements:
        raise WagonError(
            "give source (what to build) or requirements (requirement files for a wagon of a whole environment)"
        )
    missing = [option for option in ("name", "version") if not getattr(request, option)]
    if missing:
        raise WagonError(
            "a wagon built from requirements alone (no source) needs %s: nothing else names the archive"
            % " and ".join(missing)
        )
    if not _NAME.match(request.name):
        raise WagonError(
            "name %r is not a distribution name (letters, digits, '.', '_' and '-', starting and ending with a "
            "letter or digit)" % request.name
        )
    try:
        Version(request.version)
    except InvalidVersion:
        raise WagonError("version %r is not a version (PEP 440, such as 1.0 or 2024.6.1)" % request.version)
    if "-" in request.version:
        raise WagonError("version %r may not contain '-': it is a field of the archive's file name" % request.version)


def _check_request(request):
    if request.source is None:
        _check_environment_request(request)
    elif request.name or request.version:
        raise WagonError(
            "name and version are only for a wagon built from requirements alone; with source, they are the "
            "main package's own (from its wheel's metadata)"
        )
    if request.archive_format not in FORMATS:
        raise WagonError("format %r is not one of %s" % (request.archive_format, ", ".join(FORMATS)))
    if "/" in request.build_tag or "\\" in request.build_tag:
        raise WagonError("build_tag %r may not contain a path separator: it is part of the archive's file name" % request.build_tag)
    for version in request.python_versions:
        python_label(version)
    targets = parse_targets(request.targets)
    for version, path in request.builders.items():
        if not targets:
            raise WagonError("builders only serve targets: give targets too")
        if str(version) not in {t.python for t in targets}:
            raise WagonError("builders names Python %s, which no target is for (targets: %s)%s"
                             % (version, ", ".join(t.label for t in targets), yaml_number_hint(version)))
        if not path or not os.access(path, os.X_OK):
            raise WagonError("builder for Python %s, %s, does not exist or cannot be run" % (version, path))
    return targets


# Metadata ------------------------------------------------------------------------------------


def wagon_platform(wheel_names):
    """Return Wagon 1.0's ``supported_platform`` for wheels with these file names.

    ``any`` when every wheel is pure; ``linux_<arch>`` for manylinux, musllinux
    and linux wheels (Wagon 1.0's install refuses PEP 600 names); other
    platform tags pass through. Wheels for different linux architectures, or
    for linux and another system, are refused: one wagon names one platform.
    """
    platforms = set()
    for filename in wheel_names:
        wheel = WheelName.parse(filename)
        if wheel.is_pure:
            continue
        linux = set()
        for tag in wheel.platform_tags:
            match = _LINUX_PLATFORM.match(tag)
            if match:
                linux.add("linux_" + match.group(1))
        platforms.update(linux or {".".join(wheel.platform_tags)})
    if not platforms:
        return "any"
    linux = sorted(p for p in platforms if p.startswith("linux_"))
    if len(linux) > 1 or (linux and len(platforms) > 1):
        raise WagonError(
            "the wheels are for several platforms (%s); a wagon is for one: build one wagon per platform"
            % ", ".join(sorted(platforms))
        )
    # Like Wagon 1.0 for mixed macOS deployment targets: the last one sorted.
    return max(platforms)


def os_properties(platform):
    """Wagon 1.0's ``build_server_os_properties``: filled only on Linux for platform-specific wagons."""
    if platform == "any" or not sys.platform.startswith("linux"):
        return None
    return {
        "distribution": (distro.id() or "").lower() or None,
        "distribution_release": (distro.codename() or "").lower() or None,
        "distribution_version": (distro.version() or "").lower() or None,
    }


def local_build_warnings(target_sets):
    """Warn where a manylinux or musllinux target takes a wheel compiled here (tagged ``linux_<arch>``).

    Such a wheel links against this machine's C library, which may be newer
    than the oldest host the target stands for (a glibc 2.17 host for
    ``manylinux2014``): it loads only on hosts with at least this machine's.
    """
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or "this machine's C library"
    except (AttributeError, ValueError, OSError):
        libc = "this machine's C library"
    warnings = []
    for target, names in target_sets:
        local = [n for n in names if WheelName.parse(n).platform_tags[0].startswith("linux_")]
        if local and not target.platform.startswith("linux_"):
            warnings.append(
                "target %s takes %s, compiled on this machine against %s: it loads only on hosts with at least that "
                "C library, whatever the target's level says (build on an older machine, or with manylinux tooling, "
                "for older hosts)" % (target.label, ", ".join(local), libc)
            )
    return warnings


def targets_platform(target_sets):
    """Wagon 1.0's ``supported_platform`` for a wagon of several targets.

    ``any`` when every wheel is pure; else the platform the targets share,
    as Wagon 1.0 names it (``linux_x86_64`` for manylinux and musllinux
    targets of one architecture); else ``any`` too: the real wagon tool then
    skips its platform check, and its pip install picks, from the whole set,
    the wheels that fit the host. ``offline_wagon.targets`` holds the truth.

    macOS targets give ``any`` as well: the real tool compares the value with
    the host Python's own ``sysconfig`` platform, which carries the deployment
    target that Python was built for (``macosx_10_9_universal2``,
    ``macosx_14_0_arm64``), so no single name matches every fitting host.
    """
    if all(WheelName.parse(w).is_pure for _target, wheels in target_sets for w in wheels):
        return "any"
    platforms = set()
    for target, _wheels in target_sets:
        match = _LINUX_PLATFORM.match(target.platform)
        platforms.add("linux_" + match.group(1) if match else target.platform)
    if len(platforms) != 1:
        return "any"
    platform = platforms.pop()
    return "any" if platform.startswith("macosx_") else platform


def build_metadata(request, main, wheels, files, labels, build_python, target_sets=None):
    """Return ``(WagonMetadata, extras)`` of the wagon: ``extras`` maps the top-level files beside
    package.json (the SBOM, the pylock.toml of each target) to their bytes; package.json names each with its sha256.

    ``target_sets`` is ``[(Target, [file names])]`` for a wagon of several targets.
    """
    platform = targets_platform(target_sets) if target_sets else wagon_platform(wheels)
    built_by = {
        "collection": COLLECTION,
        "python": ".".join(str(part) for part in build_python.version),
        "pip": build_python.pip_version,
    }
    extension = {"built_by": built_by, "excluded": sorted(set(request.exclude), key=canonicalize_name)}
    if main is None:
        extension["requirements_only"] = True
    if target_sets:
        extension["targets"] = [dict(target.to_dict(), wheels=names) for target, names in target_sets]
    file_facts = {name: {"sha256": file_sha256(path), "size": os.path.getsize(path)} for name, path in files.items()}

    def describe(more):
        return create_metadata(
            name=main.name if main else request.name,
            version=main.version if main else request.version,
            source=request.described_source,
            wheels={
                f: {"sha256": w.sha256, "size": w.size, "name": w.name, "version": w.version,
                    "requires_python": w.requires_python, "requires_dist": list(w.requires_dist),
                    "license": w.license.summary()}
                for f, w in wheels.items()
            },
            platform=platform,
            python_versions=labels,
            build_tag=request.build_tag,
            files=file_facts,
            os_properties=os_properties(platform),
            extension=dict(extension, **more),
        )

    locks = wagon_locks(
        {f: {"filename": f, "name": w.name, "version": w.version, "sha256": w.sha256, "size": w.size,
             "requires_python": w.requires_python} for f, w in wheels.items()},
        target_sets,
    )
    extension["pylock"] = pylock_reference(locks)
    # The SBOM names the archive, and package.json names the SBOM's hash: the
    # archive's name comes from a first description without it.
    draft = describe({})
    sbom = canonical_bytes(create_sbom(
        {"name": draft.name, "version": draft.version, "archive_name": draft.archive_name, "platform": platform},
        [SbomWheel(w.filename, w.name, w.version, w.sha256, w.license, w.origin) for w in wheels.values()],
        {name: info["sha256"] for name, info in file_facts.items()},
        tool_version=COLLECTION_VERSION,
        properties={"offline.wagon:built_by:%s" % key: value for key, value in built_by.items()},
    ))
    reference = {
        "file": SBOM_FILENAME, "format": SBOM_FORMAT, "spec_version": SPEC_VERSION,
        "sha256": hashlib.sha256(sbom).hexdigest(), "size": len(sbom),
    }
    extras = {name: data for name, (data, _label) in locks.items()}
    extras[SBOM_FILENAME] = sbom
    return describe({"sbom": reference}), extras


# Comparing and writing -----------------------------------------------------------------------


def _listing(archive_name, wheels):
    return "".join("%s\n" % line for line in [archive_name] + sorted(wheels))


def archive_diff(path, metadata):
    """before/after as the archive name and its sorted wheels."""
    before = ""
    if os.path.isfile(path):
        try:
            with WagonArchive(path) as existing:
                before = _listing(os.path.basename(path), existing.read_metadata().wheels)
        except WagonError as error:
            before = "(unreadable: %s)\n" % error
    return {
        "before_header": path if before else "%s (absent)" % path,
        "after_header": path,
        "before": before,
        "after": _listing(os.path.basename(path), metadata.wheels),
    }


def _new_file_mode():
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _write(request, metadata, extras, wheels, files, directory):
    """Write the archive to a new temporary file in ``directory``; return its path."""
    fd, temporary = tempfile.mkstemp(prefix=".%s." % metadata.archive_name, suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        write_archive(
            temporary, metadata.name, metadata.to_json(), {f: w.path for f, w in wheels.items()}, files,
            request.archive_format, extras=extras,
        )
        os.chmod(temporary, _new_file_mode())
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def _validators(request, python, runner):
    """The Pythons that test-install the wagon: the build Python, or for targets each builder and the build Python whose version one targets."""
    targets = parse_targets(request.targets)
    if not targets:
        return [python]
    versions = {t.python for t in targets}
    found = [path for version, path in sorted(request.builders.items()) if version in versions]
    build_version = "%d.%d" % probe_build_python(python, runner).version[:2]
    if build_version in versions and python not in found:
        found.append(python)
    if not found:
        raise WagonError("validate installs the wagon with a Python of one of its targets (%s); neither the build Python "
                         "(%s) nor a builder is one" % (", ".join(sorted(versions)), build_version))
    return found


def validate_archive(path, python, workdir, runner):
    """Install the wagon at ``path`` offline into a throwaway venv of ``python``; raise WagonError if it does not install."""
    venv = os.path.join(workdir, "validate-venv")
    try:
        install_wagon(path, venv, runner, venv_python_path=python)
    except IncompatibleError:
        raise
    except WagonError as error:
        raise WagonError("the wagon does not install (validate): %s" % mask_url(str(error)))


# The whole job ------------------------------------------------------------------------------------


def place_archive(request, metadata, extras, wheels, files, archive, python, workdir, runner, check_mode):
    """Write, validate, compare and (unless in check mode) move the archive into place.

    Return ``(changed, sha256, size)``. The archive is written next to its
    destination and renamed over it only when its bytes differ (or with
    ``force``), so an unchanged wagon keeps its file, inode and times.
    """
    directory = workdir if check_mode else os.path.dirname(archive)
    if not check_mode and not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    temporary = _write(request, metadata, extras, wheels, files, directory)
    try:
        if request.validate:
            validators = _validators(request, python, runner)
            fitted = 0
            for index, validator in enumerate(validators):
                place = os.path.join(workdir, "validate-%d" % index)
                os.mkdir(place)
                try:
                    validate_archive(temporary, validator, place, runner)
                    fitted += 1
                except IncompatibleError as error:
                    if len(validators) == 1:
                        raise WagonError("the wagon does not install (validate): %s" % mask_url(str(error)))
            if not fitted:
                raise WagonError("validate: no target of the wagon fits this machine's Pythons (%s), so none could be "
                                 "test-installed here" % ", ".join(validators))
        sha256, size = file_sha256(temporary), os.path.getsize(temporary)
        changed = request.force or not (os.path.isfile(archive) and same_bytes(temporary, archive))
        if changed and not check_mode:
            os.rename(temporary, archive)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return changed, sha256, size


def build_wagon(request, runner, check_mode=False):
    """Build the wagon ``request`` asks for; return a BuildResult.

    In check mode nothing is written in ``dest``; ``changed`` says whether a
    real run would write the archive. Raise WagonError on any failure, with
    every URL credential masked.
    """
    if not HAS_PACKAGING:
        raise WagonError("building a wagon needs the Python library packaging: %s" % PACKAGING_IMPORT_ERROR)
    targets = _check_request(request)
    dest = os.path.abspath(request.dest)
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise WagonError("dest %s exists and is not a directory" % dest)
    files = extra_files(request.files)
    source = None if request.requirements_only else classify_source(request.source)
    if source is not None and source.name:
        refuse_excluding(source.name, request.exclude)
    commands = []
    workdir = tempfile.mkdtemp(prefix="offline-wagon-build-")
    try:
        build_python = probe_build_python(request.python, runner)
        labels = _python_labels(request, build_python, targets)
        main_origin = source_origin(source) if source is not None and source.kind != "requirement" else None
        target_sets, file_origins = None, None
        if targets:
            main_filename, paths, target_sets, file_origins = resolve_for_targets(
                request, source, targets, build_python, workdir, runner, commands
            )
            origins, warnings = {}, []
            if main_origin is not None:
                main_name = WheelName.parse(main_filename).canonical_name
                file_origins.update({n: main_origin for n in paths if WheelName.parse(n).canonical_name == main_name})
        else:
            main_filename, paths, pip_targets = resolve(request, source, build_python.executable, workdir, runner, commands)
            origins, warnings = pip_origins(
                request, build_python.executable, build_python.pip_version, pip_targets, workdir, runner, commands
            )
        wheels, excluded_warnings = apply_exclude(
            describe_wheels(paths, origins, main_filename, main_origin, file_origins), request.exclude, main_filename
        )
        if target_sets is not None:
            target_sets = [(t, sorted(f for f in target_sets[t.label] if f in wheels)) for t in targets]
            warnings += local_build_warnings(target_sets)
        warnings += excluded_warnings
        missing = sorted(w.filename for w in wheels.values() if (origins or file_origins) and not w.origin.url)
        if missing:
            warnings.append("pip's report does not say where %s came from: the SBOM gives %s" % (", ".join(missing), UNKNOWN))
        main = wheels[main_filename] if main_filename else None
        metadata, extras = build_metadata(request, main, wheels, files, labels, build_python, target_sets)
        archive = os.path.join(dest, metadata.archive_name)
        diff = archive_diff(archive, metadata)
        changed, sha256, size = place_archive(
            request, metadata, extras, wheels, files, archive, build_python.executable, workdir, runner, check_mode
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    listed = [
        {"filename": w.filename, "name": w.name, "version": w.version, "sha256": w.sha256, "size": w.size,
         "license": w.license.summary(), "origin": w.origin.url or UNKNOWN}
        for w in (wheels[f] for f in sorted(wheels))
    ]
    return BuildResult(changed, archive, sha256, size, metadata, listed, commands, diff, warnings)
