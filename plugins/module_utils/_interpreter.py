# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""One cheap look at a Python interpreter: what it is and what is installed in it.

The probe is a small program run by the interpreter itself (any CPython 3.6
or later, so the venv may be older than the Python running the module). It
prints, as JSON, the facts wheel tags are computed from and every
distribution found in its site-packages, read from ``*.dist-info`` and
``*.egg-info`` files: no pip, no importlib.metadata, one process.
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.offline.wagon.plugins.module_utils._errors import CommandError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._runner import hermetic_environment

# Runs under Python 3.6 and later: keep it to syntax 3.6 understands.
PROBE_SOURCE = r'''
import json, os, platform, struct, subprocess, sys, sysconfig

def config(name):
    try:
        return sysconfig.get_config_var(name)
    except Exception:
        return None

def glibc_version():
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        return None
    if text and text.startswith("glibc "):
        return text.split()[1]
    return None

def elf_interpreter(path):
    # PT_INTERP of an ELF executable: which C library's loader it uses.
    try:
        with open(path, "rb") as stream:
            head = stream.read(64)
            if head[:4] != b"\x7fELF":
                return None
            is64 = head[4] == 2
            order = "<" if head[5] == 1 else ">"
            if is64:
                phoff, = struct.unpack(order + "Q", head[32:40])
                phentsize, phnum = struct.unpack(order + "HH", head[54:58])
            else:
                phoff, = struct.unpack(order + "I", head[28:32])
                phentsize, phnum = struct.unpack(order + "HH", head[42:46])
            for index in range(phnum):
                stream.seek(phoff + index * phentsize)
                entry = stream.read(phentsize)
                kind, = struct.unpack(order + "I", entry[:4])
                if kind != 3:
                    continue
                if is64:
                    offset, = struct.unpack(order + "Q", entry[8:16])
                    size, = struct.unpack(order + "Q", entry[32:40])
                else:
                    offset, = struct.unpack(order + "I", entry[4:8])
                    size, = struct.unpack(order + "I", entry[16:20])
                stream.seek(offset)
                return stream.read(size).strip(b"\0").decode("ascii", "replace")
    except (OSError, struct.error):
        return None
    return None

def musl_version():
    loader = elf_interpreter(sys.executable)
    if not loader or "musl" not in loader:
        return None
    try:
        proc = subprocess.Popen([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, err = proc.communicate()
    except OSError:
        return None
    for line in err.decode("utf-8", "replace").splitlines():
        if line.startswith("Version "):
            return line.split()[1]
    return None

def headers(path):
    fields = {}
    try:
        with open(path, "rb") as stream:
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if not line.strip():
                    break
                if ":" in line and not line[:1].isspace():
                    key, value = line.split(":", 1)
                    fields.setdefault(key.strip().lower(), value.strip())
    except OSError:
        pass
    return fields

def distributions(directories):
    found = []
    for directory in directories:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            if name.endswith(".dist-info"):
                meta = os.path.join(path, "METADATA")
            elif name.endswith(".egg-info"):
                meta = os.path.join(path, "PKG-INFO") if os.path.isdir(path) else path
            else:
                continue
            fields = headers(meta)
            if fields.get("name") and fields.get("version"):
                found.append({"name": fields["name"], "version": fields["version"], "path": path})
    return found

paths = sysconfig.get_paths()
site_dirs = []
for key in ("purelib", "platlib"):
    if paths.get(key) and paths[key] not in site_dirs:
        site_dirs.append(paths[key])
stdlib = paths.get("stdlib") or ""
base_prefix = getattr(sys, "real_prefix", None) or getattr(sys, "base_prefix", sys.prefix)
json.dump({
    "executable": sys.executable,
    "version": list(sys.version_info[:3]),
    "implementation": sys.implementation.name,
    "nodot": config("py_version_nodot"),
    "soabi": config("SOABI"),
    "ext_suffix": config("EXT_SUFFIX"),
    "py_debug": config("Py_DEBUG"),
    "with_pymalloc": config("WITH_PYMALLOC"),
    "gil_disabled": config("Py_GIL_DISABLED"),
    "has_refcount": hasattr(sys, "gettotalrefcount"),
    "platform": sysconfig.get_platform(),
    "machine": platform.machine(),
    "pointer_bits": struct.calcsize("P") * 8,
    "glibc": glibc_version(),
    "musl": musl_version() if sys.platform.startswith("linux") else None,
    "mac_version": platform.mac_ver()[0] if sys.platform == "darwin" else None,
    "prefix": sys.prefix,
    "base_prefix": base_prefix,
    "in_venv": sys.prefix != base_prefix,
    "purelib": paths.get("purelib"),
    "platlib": paths.get("platlib"),
    "scripts": paths.get("scripts"),
    "stdlib": stdlib,
    "externally_managed": bool(stdlib) and os.path.isfile(os.path.join(stdlib, "EXTERNALLY-MANAGED")),
    "distributions": distributions(site_dirs),
}, sys.stdout)
'''

_CANONICAL = re.compile(r"[-_.]+")


class InstalledDistribution(object):
    """A distribution installed in an environment, as its metadata names it."""

    def __init__(self, name, version, path=None):
        self.name = name
        self.version = version
        self.path = path

    @property
    def canonical_name(self):
        return _CANONICAL.sub("-", self.name).lower()

    def __repr__(self):
        return "InstalledDistribution(%r, %r)" % (self.name, self.version)


class InterpreterInfo(object):
    """What the probe reported about one interpreter."""

    def __init__(self, data):
        self.data = data
        self.executable = data["executable"]
        self.version = tuple(data["version"])
        self.implementation = data.get("implementation", "cpython")
        self.purelib = data.get("purelib")
        self.platlib = data.get("platlib")
        self.scripts = data.get("scripts")
        self.prefix = data.get("prefix")
        self.in_venv = bool(data.get("in_venv"))
        self.externally_managed = bool(data.get("externally_managed"))
        self.distributions = [
            InstalledDistribution(d["name"], d["version"], d.get("path")) for d in data.get("distributions", [])
        ]

    @classmethod
    def from_dict(cls, data):
        return cls(data)

    def to_dict(self):
        return json.loads(json.dumps(self.data))

    @property
    def pip_version(self):
        for dist in self.distributions:
            if dist.canonical_name == "pip":
                return dist.version
        return None

    def describe(self):
        """One line: implementation, version, path, platform and C library."""
        name = {"cpython": "CPython", "pypy": "PyPy"}.get(self.implementation, self.implementation)
        libc = ""
        if self.data.get("glibc"):
            libc = ", glibc %s" % self.data["glibc"]
        elif self.data.get("musl"):
            libc = ", musl %s" % self.data["musl"]
        platform = self.data.get("platform", "unknown").replace("-", "_").replace(".", "_")
        return "%s %s (%s) on %s%s" % (
            name, ".".join(str(part) for part in self.version), self.executable, platform, libc
        )


def venv_python(venv):
    """The interpreter of the venv at ``venv`` (POSIX or Windows layout)."""
    windows = os.path.join(venv, "Scripts", "python.exe")
    if os.path.exists(windows) and not os.path.exists(os.path.join(venv, "bin")):
        return windows
    return os.path.join(venv, "bin", "python")


def is_venv(path):
    """True when ``path`` is a virtualenv (it has a ``pyvenv.cfg``)."""
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def probe_interpreter(python, runner):
    """Run the probe with ``python``; return an InterpreterInfo.

    Raise WagonError with a one-line reason naming the path when it is not a
    working Python.
    """
    if not python:
        raise WagonError("no Python interpreter was given")
    if not os.path.lexists(python):
        raise WagonError("Python interpreter %s does not exist" % python)
    if os.path.isdir(python):
        raise WagonError("Python interpreter %s is a directory" % python)
    if not os.access(python, os.X_OK):
        raise WagonError("Python interpreter %s is not executable" % python)
    argv = [python, "-I", "-c", PROBE_SOURCE]
    result = runner(argv, env=hermetic_environment())
    if result.rc != 0:
        tail = " | ".join((result.stderr or "").strip().splitlines()[-3:])
        raise CommandError(
            "%s is not a working Python 3.6+ (rc=%s): %s" % (python, result.rc, tail), argv, result.rc,
            result.stdout, result.stderr,
        )
    try:
        data = json.loads(result.stdout)
        return InterpreterInfo(data)
    except (ValueError, KeyError, TypeError) as error:
        raise WagonError("%s did not answer the probe as a Python does (%s)" % (python, error))
