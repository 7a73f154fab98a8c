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
2. Resolve with the build Python's pip (``pip wheel``; the user's pip
   configuration applies). Non-requirement sources are first built alone
   (``--no-deps``) so the main wheel's name and version come from its
   METADATA; their dependencies are then resolved from that wheel.
3. Ask pip where each distribution came from: the same resolution again as
   ``pip install --dry-run --ignore-installed --report`` (pip 22.2 or later),
   whose ``download_info.url`` is each one's origin. When pip cannot say,
   the origin is recorded as unknown (with a warning), never guessed.
4. Describe: Wagon 1.0's 12 keys, named as Wagon 1.0 names them
   (``package_name`` is the main wheel's ``Name:`` exactly, linux platforms
   are written ``linux_<arch>``), plus our extension (hashes, what built it,
   what was excluded, the SBOM's name and hash), plus the CycloneDX SBOM.
5. Write the archive deterministically next to the destination, compare it
   byte for byte with what is there, and move it into place only when it
   differs. In check mode everything happens in a temporary directory.

Credentials in URLs (``https://user:password@host``) are masked in every
string this module hands back: messages, commands and metadata.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections import namedtuple
from urllib.request import pathname2url

from ansible.module_utils import distro

from ansible_collections.offline.wagon.plugins.module_utils._archive import FORMATS, WagonArchive, write_archive
from ansible_collections.offline.wagon.plugins.module_utils._errors import CommandError, IncompatibleError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import install_wagon
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name, python_label
from ansible_collections.offline.wagon.plugins.module_utils._sbom import (
    SBOM_FILENAME,
    SBOM_FORMAT,
    SPEC_VERSION,
    UNKNOWN,
    Origin,
    SbomWheel,
    canonical_bytes,
    create_sbom,
    origins_from_report,
    read_license,
    strip_credentials,
)
from ansible_collections.offline.wagon.plugins.module_utils._targets import parse_targets, yaml_number_hint
from ansible_collections.offline.wagon.plugins.module_utils._wheel import WheelName, file_sha256, read_wheel_metadata

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

# pip's --report (with --dry-run) exists from 22.2.
REPORT_PIP = (22, 2)

# 1980-01-01T00:00:00Z, as in our archives: wheels pip builds locally get
# fixed times, so a rebuild gives the same bytes.
SOURCE_DATE_EPOCH = "315532800"

URL_SCHEMES = ("http", "https", "file")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# scheme://userinfo@ — userinfo may not hold "/" or white space; greedy, so an
# unencoded "@" in a password is masked too.
_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)([^/\s]*)@")
_MASK = "********"
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip", ".whl")
_LINUX_PLATFORM = re.compile(r"^(?:manylinux(?:1|2010|2014)|manylinux_\d+_\d+|musllinux_\d+_\d+|linux)_(.+)$")
_STDERR_LINES = 6
# A distribution name (PEP 508): what an environment wagon may be called.
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")

_PROBE = (
    "import platform, sys\n"
    "try:\n"
    "    import pip\n"
    "except ImportError:\n"
    "    sys.exit(3)\n"
    "print(platform.python_version())\n"
    "print(pip.__version__)\n"
)


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
BuildPython = namedtuple("BuildPython", ["executable", "version", "pip_version"])
ResolvedWheel = namedtuple(
    "ResolvedWheel", ["filename", "path", "name", "version", "requires_python", "license", "sha256", "size", "origin"]
)


# Masking ---------------------------------------------------------------------


def mask_url(text):
    """Return ``text`` with the user info of every URL in it masked.

    ``https://user:secret@host`` becomes ``https://user:********@host``; a
    token alone (``https://token@host``) becomes ``https://********@host``.
    """
    if not text:
        return text

    def hide(match):
        scheme, userinfo = match.group(1), match.group(2)
        user, colon, dummy = userinfo.partition(":")
        return "%s%s@" % (scheme, "%s:%s" % (user, _MASK) if colon else _MASK)

    return _CREDENTIALS.sub(hide, text)


def url_secrets(text):
    """Return the passwords and tokens in the URLs of ``text`` (what :func:`mask_url` hides)."""
    secrets = []
    for match in _CREDENTIALS.finditer(text or ""):
        user, colon, password = match.group(2).partition(":")
        secret = password if colon else user
        if secret:
            secrets.append(secret)
    return secrets


def _masked_argv(argv):
    return [mask_url(str(arg)) for arg in argv]


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
    scheme = _SCHEME.match(text)
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


def _requirement_files(paths):
    checked = []
    for path in paths:
        if not os.path.isfile(path):
            raise WagonError("requirements file %s does not exist or is not a regular file" % path)
        checked.append(os.path.abspath(path))
    return checked


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


# Commands ---------------------------------------------------------------------------


def _run(runner, argv, what, commands=None, env=None):
    masked = _masked_argv(argv)
    if commands is not None:
        commands.append(masked)
    try:
        result = runner(list(argv), env=env)
    except OSError as error:
        raise CommandError("%s: cannot run %s: %s" % (what, argv[0], error), masked)
    if result.rc != 0:
        lines = [line.strip() for line in (result.stderr or result.stdout or "").splitlines() if line.strip()]
        tail = " | ".join(lines[-_STDERR_LINES:]) or "no output"
        raise CommandError(
            mask_url("%s failed (rc=%s): %s" % (what, result.rc, tail)),
            masked, result.rc, mask_url(result.stdout), mask_url(result.stderr),
        )
    return result


def pip_environment(base=None):
    """The environment pip builds in: the user's own (pip configuration applies), plus fixed times."""
    env = dict(os.environ if base is None else base)
    env.update({"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return env


def probe_build_python(python, runner):
    """Return the BuildPython for ``python``; raise WagonError when it cannot run or has no pip."""
    executable = python if os.sep in python else shutil.which(python)
    if not executable or not os.access(executable, os.X_OK):
        raise WagonError("python %s (the build interpreter) does not exist or cannot be run" % python)
    try:
        result = runner([executable, "-c", _PROBE])
    except OSError as error:
        raise WagonError("cannot run the build interpreter %s: %s" % (executable, error))
    if result.rc == 3:
        raise WagonError("python %s has no pip; install it (%s -m ensurepip) or choose another python" % (executable, executable))
    lines = (result.stdout or "").split()
    if result.rc != 0 or len(lines) < 2:
        raise WagonError("cannot ask %s its version: %s" % (executable, (result.stderr or "").strip()[-500:]))
    version = tuple(int(part) for part in re.findall(r"\d+", lines[0])[:3])
    return BuildPython(executable, version, lines[1])


def _pip_options(request):
    options = []
    if request.index_url:
        options += ["--index-url", request.index_url]
    for link in request.find_links:
        local = os.path.abspath(os.path.expanduser(link))
        options += ["--find-links", link if _SCHEME.match(link) or not os.path.exists(local) else local]
    if request.no_index:
        options.append("--no-index")
    return options + list(request.pip_args)


def _pip_wheel(request, python, wheel_dir, targets, requirement_files=(), no_deps=False):
    argv = [python, "-m", "pip", "wheel", "--wheel-dir", wheel_dir]
    if no_deps:
        argv.append("--no-deps")
    argv += _pip_options(request)
    for path in requirement_files:
        argv += ["--requirement", path]
    return argv + list(targets)


def _wheels_in(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".whl"))


# Resolution -----------------------------------------------------------------------------


def resolve(request, source, python, workdir, runner, commands):
    """Run pip; return ``(main wheel file name, {file name: path}, pip targets)`` of every wheel resolved.

    For a requirements-only request (``source`` None) there is no main
    wheel (None) and no target beyond the requirement files.
    """
    env = pip_environment()
    what = "pip wheel for %s" % request.described_source
    requirement_files = _requirement_files(request.requirements)
    wheel_dir = os.path.join(workdir, "wheels")
    os.mkdir(wheel_dir)
    if source is None:
        _run(runner, _pip_wheel(request, python, wheel_dir, [], requirement_files), what, commands, env)
        wheels = {name: os.path.join(wheel_dir, name) for name in _wheels_in(wheel_dir)}
        if not wheels:
            raise WagonError("pip resolved %s to no wheels at all; an empty wagon is of no use" % request.described_source)
        return None, wheels, []
    if source.kind == "requirement":
        main_name = source.name
        target = source.target
    else:
        main_dir = os.path.join(workdir, "main")
        os.mkdir(main_dir)
        _run(runner, _pip_wheel(request, python, main_dir, [source.target], no_deps=True), what, commands, env)
        built = _wheels_in(main_dir)
        if len(built) != 1:
            raise WagonError("building %s gave %d wheels, expected one: %s" % (mask_url(request.source), len(built), ", ".join(built)))
        target = os.path.join(main_dir, built[0])
        main_name = read_wheel_metadata(target).name
        refuse_excluding(main_name, request.exclude)
    _run(runner, _pip_wheel(request, python, wheel_dir, [target], requirement_files), what, commands, env)
    wheels = {name: os.path.join(wheel_dir, name) for name in _wheels_in(wheel_dir)}
    matches = [name for name in wheels if WheelName.parse(name).canonical_name == canonicalize_name(main_name)]
    if len(matches) != 1:
        raise WagonError(
            "pip resolved %s but gave %d wheels of %s (%s)"
            % (mask_url(request.source), len(matches), main_name, ", ".join(sorted(wheels)) or "none")
        )
    return matches[0], wheels, [target]


# Resolution for targets -------------------------------------------------------------------

# Runs the build machine's pip as a host of one target would resolve: pip's
# --platform/--python-version/--abi choose the wheels, but pip evaluates
# environment markers (python_version < "3.10", sys_platform == "win32") for
# the interpreter running it (pip issue 11664). This wrapper gives pip's
# marker evaluation the target's environment, and records where pip took
# each file from, for the SBOM. argv: ENVIRONMENT.json LINKS.json PIP-ARGS...
_TARGET_PIP = """
import json, sys
with open(sys.argv[1]) as stream:
    target_environment = json.load(stream)
from pip._vendor.packaging import markers
if not callable(getattr(markers, "default_environment", None)):
    sys.stderr.write("this pip has no packaging.markers.default_environment to point at the target\\n")
    sys.exit(70)
host_environment = markers.default_environment
def default_environment():
    environment = host_environment()
    environment.update(target_environment)
    return environment
markers.default_environment = default_environment
links = {}
try:
    from pip._internal.resolution.resolvelib.resolver import Resolver
    original_resolve = Resolver.resolve
    def resolve(self, *args, **kwargs):
        result = original_resolve(self, *args, **kwargs)
        for requirement in result.requirements.values():
            # What pip found, not the wheel its cache built from it earlier (pip 23.1+, and older).
            link = getattr(requirement, "cached_wheel_source_link", None)
            if link is None and getattr(requirement, "original_link_is_in_wheel_cache", False):
                link = getattr(requirement, "original_link", None)
            link = link or getattr(requirement, "link", None)
            if link is not None:
                links[link.filename] = link.url.split("#")[0]
        return result
    Resolver.resolve = resolve
except (ImportError, AttributeError):
    pass
from pip._internal.cli.main import main
status = main(sys.argv[3:])
with open(sys.argv[2], "w") as stream:
    json.dump(links, stream)
sys.exit(status)
"""


class _MissingWheel(WagonError):
    """A target's pip found no wheel for a distribution."""


_NO_MATCH = re.compile(r"No matching distribution found for ([^\s;]+)")


def _main_requirement(request, source, main_wheel):
    """What each target's pip asks for as the main package: pinned once its version is known."""
    if main_wheel is not None:
        meta = read_wheel_metadata(main_wheel)
        return ["%s==%s" % (meta.name, meta.version)]
    if source is None:
        return []
    return [source.target]


def _target_pip(python, workdir, name, environment):
    """``(argv prefix, links file)`` to run pip with ``python`` through _TARGET_PIP, markers seen as ``environment``."""
    script = os.path.join(workdir, "target-pip.py")
    if not os.path.exists(script):
        with open(script, "w") as stream:
            stream.write(_TARGET_PIP)
    environment_file = os.path.join(workdir, name + ".environment.json")
    with open(environment_file, "w") as stream:
        json.dump(environment, stream)
    links = os.path.join(workdir, name + ".links.json")
    return [python, script, environment_file, links], links


def _read_links(path):
    """``{file name: URL}`` the wrapper recorded; empty when pip's internals did not let it."""
    try:
        with open(path) as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return {}


def _build_wheels(request, python, pool, targets, requirement_files, runner, commands, what, no_deps=False):
    """``pip wheel`` with ``python``; put the wheels pip built (not those it found) into ``pool``.

    Return None, or the error when pip failed (which callers may accept).
    """
    scratch = tempfile.mkdtemp(prefix="built-", dir=os.path.dirname(pool))
    prefix, links = _target_pip(python, os.path.dirname(pool), os.path.basename(scratch), {})
    argv = prefix + _pip_wheel(request, python, scratch, targets, requirement_files, no_deps=no_deps)[3:]
    try:
        _run(runner, argv, what, commands, pip_environment())
    except WagonError as error:
        return error
    finally:
        # A wheel pip took as a wheel stays where it was found: each target finds it there too, with its origin.
        found = {name for name in _read_links(links) if name.endswith(".whl")}
        for name in _wheels_in(scratch) if os.path.isdir(scratch) else ():
            if name not in found and not os.path.exists(os.path.join(pool, name)):
                os.rename(os.path.join(scratch, name), os.path.join(pool, name))
        shutil.rmtree(scratch, ignore_errors=True)
    return None


def _target_download(request, python, target, requirements, requirement_files, pool, workdir, runner, commands):
    """Download the wheel set of ``target``; return ``({file name: path}, {file name: Origin})``."""
    directory = os.path.join(workdir, "target-" + target.label)
    shutil.rmtree(directory, ignore_errors=True)
    os.mkdir(directory)
    prefix, links = _target_pip(python, workdir, "target-" + target.label, target.marker_environment())
    argv = prefix + [
        "download", "--dest", directory, "--only-binary", ":all:", "--python-version", target.python,
        "--implementation", target.implementation, "--abi", target.abi, "--find-links", pool,
    ]
    for platform in target.platforms():
        argv += ["--platform", platform]
    argv += _pip_options(request)
    for path in requirement_files:
        argv += ["--requirement", path]
    argv += list(requirements)
    try:
        _run(runner, argv, "pip download for target %s" % target.label, commands, pip_environment())
    except CommandError as error:
        missing = _NO_MATCH.findall(error.stderr or "") or _NO_MATCH.findall(str(error))
        if missing:
            raise _MissingWheel(
                "target %s: no wheel of %s fits it, and none could be built: the index has none for that Python and "
                "platform, and a source distribution with compiled code is built only by a builder of that Python "
                "on a machine of that platform (option builders)" % (target.label, missing[-1])
            )
        raise
    paths = {name: os.path.join(directory, name) for name in _wheels_in(directory)}
    if not paths:
        raise WagonError("target %s: pip resolved %s to no wheels at all" % (target.label, request.described_source))
    origins = {filename: Origin(strip_credentials(url), None) for filename, url in _read_links(links).items()}
    return paths, origins


def resolve_for_targets(request, source, targets, build_python, workdir, runner, commands):
    """Resolve the wagon once per target; return ``(main file name, {file name: path}, {label: [file names]}, origins)``.

    Wheels that pip can only build from source are built first into a pool
    that every target's pip also looks in: by the build Python (a pure wheel
    then serves every target), and, when that built compiled code, by each
    builder of a target's Python. Each target then gets its complete wheel
    set from the index and the pool, chosen and marker-evaluated for it.
    A file name two targets share is stored once (pure wheels, abi3 wheels).
    """
    python = build_python.executable
    what = "pip wheel for %s" % request.described_source
    requirement_files = _requirement_files(request.requirements)
    pool = os.path.join(workdir, "pool")
    os.mkdir(pool)
    builders = dict(request.builders)
    main_wheel = None
    if source is not None and source.kind != "requirement":
        # A local project or source archive: its wheel, built by each Python that may need its own.
        error = _build_wheels(request, python, pool, [source.target], (), runner, commands, what, no_deps=True)
        if error:
            raise error
        built = _wheels_in(pool)
        if len(built) != 1:
            raise WagonError("building %s gave %d wheels, expected one: %s" % (mask_url(request.source), len(built), ", ".join(built)))
        main_wheel = os.path.join(pool, built[0])
        refuse_excluding(read_wheel_metadata(main_wheel).name, request.exclude)
        if not WheelName.parse(built[0]).is_pure:
            for version, builder in sorted(builders.items()):
                error = _build_wheels(request, builder, pool, [source.target], (), runner, commands,
                                      "%s with the builder for Python %s" % (what, version), no_deps=True)
                if error:
                    raise error

    def build_sources(main_wheel):
        """Build what comes only as source, once, when a target found no wheel for it.

        Failing is not final (the build Python may fit no target): the
        target's second download decides.
        """
        wanted = [main_wheel] if main_wheel and main_wheel.startswith(pool) else _main_requirement(request, source, main_wheel)
        _build_wheels(request, python, pool, wanted, requirement_files, runner, commands, what)
        if any(WheelName.parse(n).platform_tags[0].startswith("linux_") for n in _wheels_in(pool)):
            local = source is not None and source.kind != "requirement"
            for version, builder in sorted(builders.items()):
                _build_wheels(request, builder, pool, [source.target] if local else wanted, requirement_files, runner,
                              commands, "%s with the builder for Python %s" % (what, version))

    paths, sets, origins = {}, {}, {}
    main_name = read_wheel_metadata(main_wheel).name if main_wheel else (source.name if source is not None else None)
    main_filename = None
    sources_built = False
    for target in targets:
        requirements = _main_requirement(request, source, main_wheel)
        try:
            found, found_origins = _target_download(
                request, python, target, requirements, requirement_files, pool, workdir, runner, commands
            )
        except _MissingWheel:
            if sources_built:
                raise
            # Most wagons need no source build at all: it runs only when a wheel is missing.
            build_sources(main_wheel)
            sources_built = True
            found, found_origins = _target_download(
                request, python, target, requirements, requirement_files, pool, workdir, runner, commands
            )
        if main_name is not None:
            matches = [n for n in found if WheelName.parse(n).canonical_name == canonicalize_name(main_name)]
            if len(matches) != 1:
                raise WagonError("target %s: pip gave %d wheels of %s (%s)"
                                 % (target.label, len(matches), main_name, ", ".join(sorted(found))))
            if main_wheel is None:
                # The first target fixes the main package's version for the others.
                main_wheel = found[matches[0]]
            elif WheelName.parse(matches[0]).version != WheelName.parse(os.path.basename(main_wheel)).version:
                raise WagonError("target %s resolved %s to version %s, another target to %s: a wagon has one version"
                                 % (target.label, main_name, WheelName.parse(matches[0]).version,
                                    WheelName.parse(os.path.basename(main_wheel)).version))
            main_filename = main_filename or matches[0]
        for filename, path in found.items():
            if filename in paths and not same_bytes(paths[filename], path):
                raise WagonError("two targets resolved different files named %s; the pool of wheels is inconsistent" % filename)
            paths.setdefault(filename, path)
            if filename in found_origins:
                origin = found_origins[filename]
                if origin.url and origin.url.startswith("file:") and os.path.realpath(pool) in origin.url:
                    origin = Origin(None, None)  # built here; the main package's origin is set by the caller
                origins.setdefault(filename, origin)
        sets[target.label] = sorted(found)
    if main_name is not None:
        # Every target's wheel of the main package (compiled ones differ per target) is "the main wheel".
        main_filename = sorted(
            n for n in paths if WheelName.parse(n).canonical_name == canonicalize_name(main_name)
        )[0] if main_filename is None else main_filename
    return main_filename, paths, sets, origins


def _version_key(version):
    try:
        return str(Version(version))
    except InvalidVersion:
        return str(version)


def _pip_version(text):
    return tuple(int(part) for part in re.findall(r"\d+", text or "")[:2])


def pip_origins(request, python, pip_version, targets, workdir, runner, commands):
    """Ask pip where each distribution of the resolution comes from; return ``({(name, version): Origin}, warnings)``.

    Runs the resolution again as ``pip install --dry-run --ignore-installed
    --report FILE`` with the options of ``pip wheel``: it installs nothing.
    When pip is too old or the run fails, return no origins and a warning:
    the SBOM then says ``unknown``.
    """
    if _pip_version(pip_version) < REPORT_PIP:
        return {}, [
            "pip %s of %s cannot report where each wheel came from (pip 22.2 or later can): the SBOM gives every "
            "origin as unknown" % (pip_version, python)
        ]
    report = os.path.join(workdir, "pip-report.json")
    argv = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report", report]
    argv += _pip_options(request)
    for path in _requirement_files(request.requirements):
        argv += ["--requirement", path]
    argv += list(targets)
    env = pip_environment()
    # A dry run installs nothing, so an externally managed build Python (PEP 668) need not stop it.
    env["PIP_BREAK_SYSTEM_PACKAGES"] = "1"
    try:
        _run(runner, argv, "pip install --dry-run --report for %s" % request.described_source, commands, env)
        with open(report) as stream:
            return origins_from_report(json.load(stream)), []
    except (WagonError, OSError, ValueError) as error:
        return {}, ["pip could not report where the wheels came from (%s): the SBOM gives their origin as unknown"
                    % mask_url(str(error))]


def _source_origin(source):
    """Where a main wheel built from a local path or URL came from (pip's report names our temporary copy)."""
    if source.kind in ("directory", "file"):
        return Origin("file://" + pathname2url(source.target), None)
    return Origin(strip_credentials(source.target), None)


def describe_wheels(paths, origins=None, main_filename=None, main_origin=None, file_origins=None):
    """Return ``{file name: ResolvedWheel}`` for ``{file name: path}``.

    ``origins`` maps ``(canonical name, version)`` to an Origin (from
    :func:`pip_origins`); ``main_origin``, when given, is the origin of the
    wheel ``main_filename``. ``file_origins`` maps file names to Origins and
    wins over both. A wheel with no origin gets ``Origin(None, None)``.
    """
    origins = {(name, _version_key(version)): origin for (name, version), origin in (origins or {}).items()}
    described = {}
    for filename, path in sorted(paths.items()):
        WheelName.parse(filename)
        meta = read_wheel_metadata(path)
        origin = origins.get((canonicalize_name(meta.name), _version_key(meta.version)), Origin(None, None))
        if filename == main_filename and main_origin is not None:
            origin = main_origin
        origin = (file_origins or {}).get(filename, origin)
        described[filename] = ResolvedWheel(
            filename, path, meta.name, meta.version, meta.requires_python, read_license(path),
            file_sha256(path), os.path.getsize(path), origin,
        )
    return described


def refuse_excluding(name, exclude):
    """Raise WagonError when ``exclude`` names the package ``name`` the wagon is built for."""
    if canonicalize_name(name) in {canonicalize_name(n) for n in exclude}:
        raise WagonError("exclude names %s, the package the wagon is built for; it cannot be left out" % name)


def apply_exclude(wheels, exclude, main_filename):
    """Return ``(kept wheels, warnings)``; raise WagonError when the main package is excluded."""
    if main_filename is not None:
        refuse_excluding(wheels[main_filename].name, exclude)
    excluded = {canonicalize_name(name): name for name in exclude}
    kept = {f: w for f, w in wheels.items() if canonicalize_name(w.name) not in excluded}
    present = {canonicalize_name(w.name) for w in wheels.values()}
    warnings = [
        "exclude: %s is not among the resolved wheels; nothing was left out for it" % name
        for canonical, name in sorted(excluded.items()) if canonical not in present
    ]
    return kept, warnings


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
    """Return ``(WagonMetadata, SBOM bytes)`` of the wagon; package.json names the SBOM and its sha256.

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
                    "requires_python": w.requires_python, "license": w.license.summary()}
                for f, w in wheels.items()
            },
            platform=platform,
            python_versions=labels,
            build_tag=request.build_tag,
            files=file_facts,
            os_properties=os_properties(platform),
            extension=dict(extension, **more),
        )

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
    return describe({"sbom": reference}), sbom


# Comparing and writing -----------------------------------------------------------------------


def same_bytes(left, right, chunk=1024 * 1024):
    """True when the files ``left`` and ``right`` hold the same bytes."""
    if os.path.getsize(left) != os.path.getsize(right):
        return False
    with open(left, "rb") as one, open(right, "rb") as other:
        while True:
            a, b = one.read(chunk), other.read(chunk)
            if a != b:
                return False
            if not a:
                return True


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


def _write(request, metadata, sbom, wheels, files, directory):
    """Write the archive to a new temporary file in ``directory``; return its path."""
    fd, temporary = tempfile.mkstemp(prefix=".%s." % metadata.archive_name, suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        write_archive(
            temporary, metadata.name, metadata.to_json(), {f: w.path for f, w in wheels.items()}, files,
            request.archive_format, extras={SBOM_FILENAME: sbom},
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


def place_archive(request, metadata, sbom, wheels, files, archive, python, workdir, runner, check_mode):
    """Write, validate, compare and (unless in check mode) move the archive into place.

    Return ``(changed, sha256, size)``. The archive is written next to its
    destination and renamed over it only when its bytes differ (or with
    ``force``), so an unchanged wagon keeps its file, inode and times.
    """
    directory = workdir if check_mode else os.path.dirname(archive)
    if not check_mode and not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    temporary = _write(request, metadata, sbom, wheels, files, directory)
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
        main_origin = _source_origin(source) if source is not None and source.kind != "requirement" else None
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
        metadata, sbom = build_metadata(request, main, wheels, files, labels, build_python, target_sets)
        archive = os.path.join(dest, metadata.archive_name)
        diff = archive_diff(archive, metadata)
        changed, sha256, size = place_archive(
            request, metadata, sbom, wheels, files, archive, build_python.executable, workdir, runner, check_mode
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    listed = [
        {"filename": w.filename, "name": w.name, "version": w.version, "sha256": w.sha256, "size": w.size,
         "license": w.license.summary(), "origin": w.origin.url or UNKNOWN}
        for w in (wheels[f] for f in sorted(wheels))
    ]
    return BuildResult(changed, archive, sha256, size, metadata, listed, commands, diff, warnings)
