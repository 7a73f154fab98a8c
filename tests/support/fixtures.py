# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixture packages, built inside the tests with no package index.

- write_wheel / make_wheel: an installable pure wheel, written by hand.
- make_cext_wheel: a wheel with a C extension compiled by gcc for one interpreter.
- make_project: a pyproject-only project with an in-tree PEP 517 backend, so
  that ``pip wheel`` builds it offline (no setuptools needed).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import textwrap
import zipfile


def _record_line(name, data):
    data = data if isinstance(data, bytes) else data.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d\n" % (name, digest, len(data))


def write_wheel(path, name, version, requires=(), requires_python="", license_text="", tag="py3-none-any"):
    """Write a minimal installable wheel to ``path``; return ``path``."""
    dist = name.replace("-", "_")
    info = "%s-%s.dist-info" % (dist, version)
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    if requires_python:
        metadata += "Requires-Python: %s\n" % requires_python
    if license_text:
        metadata += "License: %s\n" % license_text
    metadata += "".join("Requires-Dist: %s\n" % r for r in requires)
    members = [
        ("%s/__init__.py" % dist.lower(), "VERSION = %r\n" % version),
        ("%s/METADATA" % info, metadata),
        ("%s/WHEEL" % info, "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: %s\n" % tag),
    ]
    record = "".join(_record_line(n, d.encode()) for n, d in members) + "%s/RECORD,,\n" % info
    with zipfile.ZipFile(str(path), "w") as wheel:
        for member, data in members + [("%s/RECORD" % info, record)]:
            wheel.writestr(zipfile.ZipInfo(member, (1980, 1, 1, 0, 0, 0)), data)
    return str(path)


def make_wheel(directory, name, version, tag="py3-none-any", **kwargs):
    return write_wheel(
        os.path.join(str(directory), "%s-%s-%s.whl" % (name.replace("-", "_"), version, tag)),
        name, version, tag=tag, **kwargs
    )


# An in-tree PEP 517 backend: builds offline, with no setuptools and no index.
BACKEND = textwrap.dedent(
    '''
    import base64, hashlib, json, os, zipfile

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "project.json")) as f:
        P = json.load(f)

    def _line(name, data):
        d = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return "%s,sha256=%s,%d\\n" % (name, d, len(data))

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        dist = P["name"].replace("-", "_")
        info = "%s-%s.dist-info" % (dist, P["version"])
        meta = "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (P["name"], P["version"])
        meta += "".join("Requires-Dist: %s\\n" % r for r in P["requires"])
        members = [
            (dist.lower() + "/__init__.py", "X = 1\\n"),
            (info + "/METADATA", meta),
            (info + "/WHEEL", "Wheel-Version: 1.0\\nGenerator: backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"),
        ]
        record = "".join(_line(n, d.encode()) for n, d in members) + info + "/RECORD,,\\n"
        name = "%s-%s-py3-none-any.whl" % (dist, P["version"])
        with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as whl:
            for member, data in members + [(info + "/RECORD", record)]:
                whl.writestr(zipfile.ZipInfo(member, (1980, 1, 1, 0, 0, 0)), data)
        return name
    '''
)


def make_project(directory, name, version, requires=()):
    """Write a pyproject-only project (no setup.py) at ``directory``; return its path."""
    directory.mkdir(parents=True)
    (directory / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    )
    (directory / "backend.py").write_text(BACKEND)
    (directory / "project.json").write_text(json.dumps({"name": name, "version": version, "requires": list(requires)}))
    return str(directory)


CEXT_SOURCE = r"""
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, "The answer."}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
"""


def interpreter_facts(python):
    """``(tag, include_dir, ext_suffix)`` of ``python``, e.g. ``("cp312-cp312-linux_x86_64", ...)``."""
    code = (
        "import sys, sysconfig, json; v = sys.version_info;"
        "abi = 'cp%d%d%s' % (v[0], v[1], 'm' if v < (3, 8) else '');"
        "plat = sysconfig.get_platform().replace('-', '_').replace('.', '_');"
        "print(json.dumps(['cp%d%d-%s-%s' % (v[0], v[1], abi, plat),"
        " sysconfig.get_paths()['include'], sysconfig.get_config_var('EXT_SUFFIX')]))"
    )
    return tuple(json.loads(subprocess.check_output([python, "-I", "-c", code], universal_newlines=True)))


def make_cext_wheel(directory, python, name="fastcalc", version="1.0"):
    """Compile a tiny C extension for ``python`` with gcc and pack it in a wheel; return its path.

    The package ``<name>`` has ``answer()`` (from the extension) returning 42.
    """
    tag, include, suffix = interpreter_facts(python)
    build = os.path.join(str(directory), "build-%s-%s" % (name, tag))
    os.makedirs(build, exist_ok=True)
    source = os.path.join(build, "speedups.c")
    with open(source, "w") as stream:
        stream.write(CEXT_SOURCE)
    library = os.path.join(build, "_speedups" + suffix)
    subprocess.check_call(["gcc", "-shared", "-fPIC", "-O1", "-I", include, source, "-o", library])
    with open(library, "rb") as stream:
        binary = stream.read()
    dist = name.replace("-", "_")
    info = "%s-%s.dist-info" % (dist, version)
    texts = [
        ("%s/__init__.py" % dist, "from ._speedups import answer\nVERSION = %r\n" % version),
        ("%s/METADATA" % info, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)),
        ("%s/WHEEL" % info, "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: %s\n" % tag),
    ]
    members = [(n, d.encode()) for n, d in texts] + [("%s/_speedups%s" % (dist, suffix), binary)]
    record = "".join(_record_line(n, d) for n, d in members) + "%s/RECORD,,\n" % info
    path = os.path.join(str(directory), "%s-%s-%s.whl" % (dist, version, tag))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, data in members + [("%s/RECORD" % info, record.encode())]:
            wheel.writestr(zipfile.ZipInfo(member, (1980, 1, 1, 0, 0, 0)), data)
    return path
