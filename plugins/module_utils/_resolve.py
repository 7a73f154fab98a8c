# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Resolving a build's wheels with the build machine's pip, on the controller.

- For this machine: ``pip wheel``, the main package first when it is a
  local project or an archive (its wheel's METADATA names it), then its
  dependencies; :func:`pip_origins` asks pip again (``--dry-run --report``)
  where each distribution came from, for the SBOM.
- For targets: ``pip download`` once per target through a wrapper that
  evaluates environment markers for the target (pip issue 11664) and records
  each file's origin; what comes only as source is built on demand.
- Then: every wheel described (name, version, licence, hash, origin), and
  what ``exclude`` names left out.

Every command line and message is masked: URL credentials never leave here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections import namedtuple
from urllib.request import pathname2url

from ansible_collections.offline.wagon.plugins.module_utils._errors import CommandError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._sbom import (
    Origin,
    origins_from_report,
    read_license,
)
from ansible_collections.offline.wagon.plugins.module_utils._urls import mask_url, strip_credentials
from ansible_collections.offline.wagon.plugins.module_utils._wheel import (
    WheelName,
    file_sha256,
    read_wheel_metadata,
    same_bytes,
)

try:
    from packaging.version import InvalidVersion, Version
except ImportError:
    # Only the controller resolves, and the build refuses to start without packaging.
    InvalidVersion = Version = None

# pip's --report (with --dry-run) exists from 22.2.
REPORT_PIP = (22, 2)
# Before 20.3 pip download keeps only the last --platform and --abi given:
# a target's set would be resolved for one of its platform tags, silently.
TARGETS_PIP = (20, 3)

# 1980-01-01T00:00:00Z, as in our archives: wheels pip builds locally get
# fixed times, so a rebuild gives the same bytes.
SOURCE_DATE_EPOCH = "315532800"

URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# scheme://userinfo@ — userinfo may not hold "/" or white space; greedy, so an
# unencoded "@" in a password is masked too.
_STDERR_LINES = 6

_PROBE = (
    "import platform, sys\n"
    "try:\n"
    "    import pip\n"
    "except ImportError:\n"
    "    sys.exit(3)\n"
    "print(platform.python_version())\n"
    "print(pip.__version__)\n"
)

BuildPython = namedtuple("BuildPython", ["executable", "version", "pip_version"])
ResolvedWheel = namedtuple(
    "ResolvedWheel",
    ["filename", "path", "name", "version", "requires_python", "requires_dist", "license", "sha256", "size", "origin"],
)


def _masked_argv(argv):
    return [mask_url(str(arg)) for arg in argv]


# Commands ---------------------------------------------------------------------------


def checked_requirement_files(paths):
    """Absolute paths of the requirement files; raise WagonError for one that is not a file."""
    checked = []
    for path in paths:
        if not os.path.isfile(path):
            raise WagonError("requirements file %s does not exist or is not a regular file" % path)
        checked.append(os.path.abspath(path))
    return checked


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
        options += ["--find-links", link if URL_SCHEME.match(link) or not os.path.exists(local) else local]
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
    requirement_files = checked_requirement_files(request.requirements)
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
    if _pip_version(build_python.pip_version) < TARGETS_PIP:
        raise WagonError(
            "targets need pip 20.3 or later in the build Python (option python), which takes several --platform "
            "tags; %s has pip %s" % (python, build_python.pip_version)
        )
    what = "pip wheel for %s" % request.described_source
    requirement_files = checked_requirement_files(request.requirements)
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


# Origins, descriptions, exclusions ------------------------------------------------------------


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
    for path in checked_requirement_files(request.requirements):
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


def source_origin(source):
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
            filename, path, meta.name, meta.version, meta.requires_python, list(meta.requires_dist),
            read_license(path), file_sha256(path), os.path.getsize(path), origin,
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
