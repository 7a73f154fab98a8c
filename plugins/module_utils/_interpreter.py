# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""One cheap look at a Python interpreter: what it is and what is installed in it.

The probe (:data:`PROBE_SOURCE`) is a small program run by the interpreter
itself, ``python -I -c PROBE_SOURCE``, so the venv may hold a Python older
than the one running the module (any CPython 3.6 or later). In one process,
without pip, ``pkg_resources`` or ``importlib.metadata``, it prints one JSON
object: the raw facts wheel tags are computed from (see ``_tags.py``), the
interpreter's paths, and every distribution in its site-packages, read from
the headers of ``*.dist-info/METADATA`` and ``*.egg-info`` files.
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.offline.wagon.plugins.module_utils._errors import (
    CommandError,
    IncompatibleError,
    WagonError,
)
from ansible_collections.offline.wagon.plugins.module_utils._runner import PROBE_TIMEOUT, CommandTimeout, hermetic_environment

# The probe's exit status when it runs but the Python is older than 3.6.
PROBE_TOO_OLD = 3

# Kept to the syntax of Python 3.4 (no f-strings, no annotations) so that a
# 3.4 or 3.5 gets as far as the version check and says so; the facts need
# 3.6. Imports that cost time (subprocess, ctypes) happen only on the rare
# paths that need them (musl, macOS 10.16, a glibc without confstr).
PROBE_SOURCE = r'''
import json, os, struct, sys
if sys.version_info < (3, 6):
    sys.stderr.write("Python %d.%d is too old: offline.wagon needs Python 3.6 or later\n" % sys.version_info[:2])
    sys.exit(3)
import platform, re, sysconfig
from importlib.machinery import EXTENSION_SUFFIXES


def config(name):
    try:
        return sysconfig.get_config_var(name)
    except Exception:
        return None


def glibc_version():
    try:
        _, version = os.confstr("CS_GNU_LIBC_VERSION").rsplit()
        return version
    except (AttributeError, OSError, ValueError):
        pass
    try:
        import ctypes
        answer = ctypes.CDLL(None).gnu_get_libc_version
    except (ImportError, OSError, AttributeError):
        return None
    answer.restype = ctypes.c_char_p
    version = answer()
    return version.decode("ascii") if isinstance(version, bytes) else version


# (ELF class, byte order) -> header fields from e_type on, program header
# fields, and where p_type, p_offset and p_filesz sit in the latter.
ELF_LAYOUTS = {
    (1, 1): ("<HHIIIIIHHH", "<8I", (0, 1, 4)),
    (1, 2): (">HHIIIIIHHH", ">8I", (0, 1, 4)),
    (2, 1): ("<HHIQQQIHHH", "<IIQQQQQQ", (0, 2, 5)),
    (2, 2): (">HHIQQQIHHH", ">IIQQQQQQ", (0, 2, 5)),
}


def elf_facts(path):
    # Word size, byte order, machine and flags decide whether manylinux
    # wheels can load (i686, armhf); the PT_INTERP loader tells musl apart.
    try:
        with open(path, "rb") as stream:
            ident = stream.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            layout = ELF_LAYOUTS.get((ident[4], ident[5]))
            if layout is None:
                return None
            header_format, entry_format, where = layout
            header = struct.unpack(header_format, stream.read(struct.calcsize(header_format)))
            machine, first_entry, flags, entry_size, entries = header[1], header[4], header[6], header[8], header[9]
            loader = None
            for index in range(entries):
                stream.seek(first_entry + entry_size * index)
                try:
                    entry = struct.unpack(entry_format, stream.read(struct.calcsize(entry_format)))
                except struct.error:
                    continue
                if entry[where[0]] == 3:
                    stream.seek(entry[where[1]])
                    loader = os.fsdecode(stream.read(entry[where[2]])).strip("\0")
                    break
    except (OSError, ValueError, struct.error):
        return None
    return {"class": ident[4], "data": ident[5], "machine": machine, "flags": flags, "interpreter": loader}


def musl_version(loader):
    # musl's loader, run with no arguments, names itself and its version
    # on stderr: "musl libc (x86_64)" then "Version 1.2.4".
    if not loader or "musl" not in loader:
        return None
    import subprocess
    try:
        child = subprocess.Popen([loader], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = child.communicate()[1].decode("utf-8", "replace")
    except OSError:
        return None
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    if len(lines) < 2 or not lines[0].startswith("musl"):
        return None
    found = re.match(r"Version (\d+\.\d+\S*)", lines[1])
    return found.group(1) if found else None


def linux_archs(pointer_bits):
    name = re.sub(r"[-. ]", "_", sysconfig.get_platform())
    if not name.startswith("linux_"):
        return []
    if pointer_bits == 32:
        name = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(name, name)
    arch = name.split("_", 1)[1]
    return ["armv8l", "armv7l"] if arch == "armv8l" else [arch]


def manylinux_module(glibc, pointer_bits):
    # A distribution may veto manylinux tags with a _manylinux module (PEP
    # 600); its answers are recorded for every version the tags may ask about.
    try:
        import _manylinux
    except ImportError:
        return None
    answers = {}
    for flag in ("manylinux1_compatible", "manylinux2010_compatible", "manylinux2014_compatible"):
        if hasattr(_manylinux, flag):
            answers[flag] = bool(getattr(_manylinux, flag))
    ask = getattr(_manylinux, "manylinux_compatible", None)
    found = re.match(r"(\d+)\.(\d+)", glibc or "")
    if ask is not None:
        verdicts = {}
        if found:
            top_major, top_minor = int(found.group(1)), int(found.group(2))
            for arch in linux_archs(pointer_bits):
                for major in range(2, top_major + 1):
                    for minor in range((top_minor if major == top_major else 50) + 1):
                        verdict = ask(major, minor, arch)
                        if verdict is not None:
                            verdicts["%d_%d_%s" % (major, minor, arch)] = bool(verdict)
        answers["manylinux_compatible"] = verdicts
    return answers


def mac_release():
    release, _, machine = platform.mac_ver()
    if release.split(".")[:2] == ["10", "16"]:
        # Built against an old SDK, Python sees the compatibility version
        # 10.16; the real one shows with SYSTEM_VERSION_COMPAT=0.
        import subprocess
        try:
            release = subprocess.check_output(
                [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"],
                env={"SYSTEM_VERSION_COMPAT": "0"}, stdin=subprocess.DEVNULL, universal_newlines=True,
            ).strip() or release
        except (OSError, subprocess.CalledProcessError):
            pass
    return release, machine


def headers(path):
    # Name, Version and every Requires-Dist of a METADATA or PKG-INFO file.
    fields = {"requires-dist": []}
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if not line.strip():
                    break
                key, colon, value = line.partition(":")
                key = key.strip().lower()
                if not colon or line[0].isspace():
                    continue
                if key == "requires-dist":
                    fields[key].append(value.strip())
                elif key in ("name", "version") and key not in fields:
                    fields[key] = value.strip()
    except OSError:
        pass
    return fields


def first_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return stream.readline().strip()
    except OSError:
        return None


def distributions(directories):
    found = []
    for directory in directories:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            if name.endswith(".dist-info"):
                stem, metadata = name[:-10], os.path.join(path, "METADATA")
            elif name.endswith(".egg-info"):
                stem = name[:-9]
                metadata = os.path.join(path, "PKG-INFO") if os.path.isdir(path) else path
            else:
                continue
            fields = headers(metadata)
            # Without readable metadata, the name-version in the file name.
            parts = stem.split("-")
            name_found = fields.get("name") or parts[0]
            version_found = fields.get("version") or (parts[1] if len(parts) > 1 else "")
            if name_found and version_found:
                entry = {"name": name_found, "version": version_found, "path": path, "requires": fields["requires-dist"]}
                if name.endswith(".dist-info"):
                    entry["installer"] = first_line(os.path.join(path, "INSTALLER"))
                    entry["has_record"] = os.path.isfile(os.path.join(path, "RECORD"))
                found.append(entry)
    found.sort(key=lambda entry: (entry["name"].lower(), entry["version"], entry["path"]))
    return found


def bundled_pip(stdlib):
    # The pip wheel ensurepip would install (absent where a distribution strips ensurepip).
    try:
        names = os.listdir(os.path.join(stdlib, "ensurepip", "_bundled"))
    except OSError:
        return None
    wheels = sorted(name for name in names if name.startswith("pip-") and name.endswith(".whl"))
    return os.path.join(stdlib, "ensurepip", "_bundled", wheels[-1]) if wheels else None


def venv_prefix():
    """The venv whose interpreter this is (its pyvenv.cfg next to or above the executable), or None.

    The probe runs with -S, so site.py, which sets sys.prefix to the venv,
    never runs, and neither do the .pth hooks and sitecustomize it would run;
    this finds the prefix the way site.py does.
    """
    exe_dir = os.path.dirname(os.path.abspath(sys.executable or ""))
    prefix = os.path.dirname(exe_dir)
    for directory in (exe_dir, prefix):
        if os.path.isfile(os.path.join(directory, "pyvenv.cfg")):
            return prefix
    return None


def main():
    prefix = venv_prefix() if "site" not in sys.modules else None
    if prefix:
        # As site.py would have set them. sysconfig read sys.prefix on import
        # (its default scheme and, in 3.6, its prefix), so the scheme is
        # chosen again now and its paths get the venv explicitly.
        sys.prefix = sys.exec_prefix = prefix
        default_scheme = getattr(sysconfig, "get_default_scheme", None) or sysconfig._get_default_scheme
        paths = sysconfig.get_paths(default_scheme(), vars={"base": prefix, "platbase": prefix})
    else:
        paths = sysconfig.get_paths()
    pointer_bits = struct.calcsize("P") * 8
    on_linux = sys.platform.startswith("linux")
    glibc = glibc_version()
    elf = elf_facts(sys.executable) if on_linux and sys.executable else None
    mac_version = mac_machine = None
    if sys.platform == "darwin":
        mac_version, mac_machine = mac_release()
    site_dirs, seen = [], set()
    for key in ("purelib", "platlib"):
        directory = paths.get(key)
        if directory and os.path.realpath(directory) not in seen:
            seen.add(os.path.realpath(directory))
            site_dirs.append(directory)
    stdlib = paths.get("stdlib") or ""
    base_prefix = getattr(sys, "real_prefix", None) or getattr(sys, "base_prefix", sys.prefix)
    found = distributions(site_dirs)
    pip = [entry["version"] for entry in found if entry["name"].lower() == "pip"]
    facts = {
        "executable": sys.executable,
        "version": list(sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "cache_tag": sys.implementation.cache_tag,
        "py_version_nodot": config("py_version_nodot"),
        "soabi": config("SOABI"),
        "abiflags": getattr(sys, "abiflags", None),
        "py_debug": config("Py_DEBUG"),
        "gil_disabled": config("Py_GIL_DISABLED"),
        "with_pymalloc": config("WITH_PYMALLOC"),
        "has_refcount": hasattr(sys, "gettotalrefcount"),
        "ext_suffix": config("EXT_SUFFIX"),
        "extension_suffixes": list(EXTENSION_SUFFIXES),
        "system": platform.system(),
        "platform": sysconfig.get_platform(),
        "machine": platform.machine(),
        "pointer_bits": pointer_bits,
        "elf": elf,
        "glibc": glibc,
        "musl": musl_version(elf["interpreter"]) if elf else None,
        "manylinux_module": manylinux_module(glibc, pointer_bits) if on_linux else None,
        "mac_version": mac_version,
        "mac_machine": mac_machine,
        "prefix": sys.prefix,
        "base_prefix": base_prefix,
        "in_venv": sys.prefix != base_prefix,
        "purelib": paths.get("purelib"),
        "platlib": paths.get("platlib"),
        "scripts": paths.get("scripts"),
        "include": paths.get("include"),
        "data": paths.get("data"),
        "stdlib": stdlib,
        "sys_platform": sys.platform,
        "os_name": os.name,
        "python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_version": platform.version(),
        "implementation_version": list(sys.implementation.version[:3]),
        "bundled_pip": bundled_pip(stdlib),
        "externally_managed_marker": bool(stdlib) and os.path.isfile(os.path.join(stdlib, "EXTERNALLY-MANAGED")),
        "distributions": found,
        "pip_version": pip[0] if pip else None,
    }
    sys.stdout.write(json.dumps(facts))


main()
'''

# Every fact the probe reports, with the value assumed when a dict (an older
# probe's output, a test's synthetic interpreter) leaves it out.
_FACT_DEFAULTS = {
    "implementation": "cpython",
    "cache_tag": None,
    "py_version_nodot": None,
    "soabi": None,
    "abiflags": None,
    "py_debug": None,
    "gil_disabled": None,
    "with_pymalloc": None,
    "has_refcount": False,
    "ext_suffix": None,
    "extension_suffixes": [],
    "system": None,
    "platform": None,
    "machine": None,
    "pointer_bits": 64,
    "elf": None,
    "glibc": None,
    "musl": None,
    "manylinux_module": None,
    "mac_version": None,
    "mac_machine": None,
    "prefix": None,
    "base_prefix": None,
    "in_venv": False,
    "purelib": None,
    "platlib": None,
    "scripts": None,
    "include": None,
    "data": None,
    "stdlib": None,
    "sys_platform": None,
    "os_name": None,
    "python_implementation": None,
    "platform_release": None,
    "platform_version": None,
    "implementation_version": None,
    "bundled_pip": None,
    "externally_managed_marker": False,
}

_DISPLAY_NAMES = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}

# How many characters of a failed probe's stderr go into the error message.
_STDERR_TAIL = 400


_NAME_SEPARATORS = re.compile(r"[-_.]+")


class InstalledDistribution(object):
    """A distribution installed in an environment, as its metadata names it."""

    def __init__(self, name, version, path=None, requires=(), installer=None, has_record=False):
        self.name = name
        self.version = version
        self.path = path
        self.requires = list(requires)  # raw Requires-Dist lines
        self.installer = installer  # first line of INSTALLER (dist-info only)
        self.has_record = has_record

    @property
    def canonical_name(self):
        """The PEP 503 normal form of :attr:`name`."""
        return _NAME_SEPARATORS.sub("-", self.name).lower()

    def to_dict(self):
        """``{"name", "version", "path"}`` as the probe reports it."""
        return {
            "name": self.name, "version": self.version, "path": self.path,
            "requires": self.requires, "installer": self.installer, "has_record": self.has_record,
        }

    def __eq__(self, other):
        if not isinstance(other, InstalledDistribution):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash((self.name, self.version, self.path))

    def __repr__(self):
        return "InstalledDistribution(%r, %r, %r)" % (self.name, self.version, self.path)


class InterpreterInfo(object):
    """What the probe reported about one interpreter.

    Every probe fact is an attribute of the same name (see
    :data:`PROBE_SOURCE`); ``version`` is a tuple ``(3, 12, 1)`` and
    ``distributions`` a list of :class:`InstalledDistribution`.
    """

    def __init__(self, executable, version, distributions=(), pip_version=None, **facts):
        unknown = set(facts) - set(_FACT_DEFAULTS)
        if unknown:
            raise TypeError("unknown interpreter facts: %s" % ", ".join(sorted(unknown)))
        self.executable = executable
        self.version = tuple(int(part) for part in version)
        self.distributions = list(distributions)
        for name, default in _FACT_DEFAULTS.items():
            setattr(self, name, facts.get(name, default))
        if pip_version is None:
            pip_version = next((d.version for d in self.distributions if d.canonical_name == "pip"), None)
        self.pip_version = pip_version

    @classmethod
    def from_dict(cls, data):
        """Build from the probe's JSON object (or :meth:`to_dict`'s output).

        Facts this version does not know are ignored, so an info recorded by a
        newer probe still loads. Raises KeyError, TypeError or ValueError when
        ``data`` is not a probe's answer.
        """
        if not isinstance(data, dict):
            raise TypeError("expected a JSON object, got %s" % type(data).__name__)
        facts = {key: data[key] for key in _FACT_DEFAULTS if key in data}
        distributions = [
            InstalledDistribution(
                entry["name"], entry["version"], entry.get("path"), entry.get("requires") or (),
                entry.get("installer"), bool(entry.get("has_record")),
            )
            for entry in data.get("distributions") or []
        ]
        return cls(data["executable"], data["version"], distributions, data.get("pip_version"), **facts)

    def to_dict(self):
        """The facts as plain JSON data (lists, dicts, strings, numbers)."""
        data = {name: getattr(self, name) for name in _FACT_DEFAULTS}
        data.update(
            executable=self.executable,
            version=list(self.version),
            distributions=[d.to_dict() for d in self.distributions],
            pip_version=self.pip_version,
        )
        return json.loads(json.dumps(data))

    @property
    def externally_managed(self):
        """True when PEP 668 forbids installing here: a marker, and not a venv."""
        return bool(self.externally_managed_marker) and not self.in_venv

    def describe(self):
        """One line naming implementation, version, path, platform and C library.

        ``CPython 3.12.1 (/opt/app/bin/python) on linux_x86_64, glibc 2.36``
        """
        name = _DISPLAY_NAMES.get(self.implementation, self.implementation)
        platform = (self.platform or "unknown platform").replace("-", "_").replace(".", "_")
        text = "%s %s (%s) on %s" % (name, ".".join(str(part) for part in self.version), self.executable, platform)
        if self.glibc:
            text += ", glibc %s" % self.glibc
        elif self.musl:
            text += ", musl %s" % self.musl
        elif self.mac_version:
            text += ", macOS %s" % self.mac_version
        return text

    def __repr__(self):
        return "InterpreterInfo(%r)" % self.describe()


def venv_python(venv):
    """The interpreter of the venv at ``venv``: ``bin/python``, or ``Scripts/python.exe`` on a Windows layout.

    The path is returned whether or not it exists.
    """
    windows = os.path.join(venv, "Scripts", "python.exe")
    if os.path.isfile(windows) and not os.path.isdir(os.path.join(venv, "bin")):
        return windows
    return os.path.join(venv, "bin", "python")


def is_venv(path):
    """True when ``path`` is a virtual environment (it has a ``pyvenv.cfg``)."""
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _check_path(python):
    if not python:
        raise WagonError("no Python interpreter was given")
    if not os.path.lexists(python):
        raise WagonError("Python interpreter %s does not exist" % python)
    if not os.path.exists(python):
        raise WagonError(
            "Python interpreter %s is a broken symbolic link (to %s)" % (python, os.readlink(python))
        )
    if os.path.isdir(python):
        raise WagonError("Python interpreter %s is a directory, not a program" % python)
    if not os.access(python, os.X_OK):
        raise WagonError("Python interpreter %s is not executable" % python)


def _one_line(text):
    text = " | ".join(line.strip() for line in (text or "").strip().splitlines() if line.strip())
    return text[-_STDERR_TAIL:] if text else "no error output"


def probe_interpreter(python, runner):
    """Run the probe with ``python`` through ``runner``; return its :class:`InterpreterInfo`.

    The child gets :func:`hermetic_environment`, ``-I`` and ``-S``, so no
    variable, user site, working directory or site hook (a ``.pth`` file,
    sitecustomize) runs in it or changes what it reports. Raises
    WagonError when ``python`` is missing, a directory or not executable,
    IncompatibleError when it is older than 3.6, and CommandError when it
    fails or answers with something other than the probe's JSON; each message
    is one line naming the path.
    """
    _check_path(python)
    # -S: no site hooks (a wheel's .pth, sitecustomize) run in the probe or disturb its answer.
    argv = [python, "-I", "-S", "-c", PROBE_SOURCE]
    try:
        result = runner(argv, env=hermetic_environment(), timeout=PROBE_TIMEOUT)
    except OSError as error:
        raise CommandError("cannot run Python interpreter %s: %s" % (python, error), argv)
    except CommandTimeout:
        raise CommandError(
            "Python interpreter %s did not answer the probe within %d seconds and was stopped" % (python, PROBE_TIMEOUT),
            argv,
        )
    if result.rc != 0:
        stderr = result.stderr or ""
        if result.rc == PROBE_TOO_OLD or "Unknown option: -I" in stderr:
            # Python 2 and 3.0-3.3 do not know -I; 3.4 and 3.5 say so themselves.
            raise IncompatibleError(
                "%s is too old: offline.wagon needs Python 3.6 or later (%s)" % (python, _one_line(stderr))
            )
        raise CommandError(
            "%s is not a working Python: the probe failed with rc=%s: %s" % (python, result.rc, _one_line(stderr)),
            argv, result.rc, result.stdout, stderr,
        )
    try:
        return InterpreterInfo.from_dict(json.loads(result.stdout))
    except (ValueError, KeyError, TypeError) as error:
        raise CommandError(
            "%s did not answer the probe as a Python 3.6+ does (%s: %s); output began %r"
            % (python, type(error).__name__, error, (result.stdout or "")[:80]),
            argv, result.rc, result.stdout, result.stderr,
        )
