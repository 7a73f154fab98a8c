# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixture packages, built inside the tests: no package index, no setuptools, no network.

- make_wheel: an installable pure (or any-tagged) wheel, written by hand.
- make_cext_wheel: a wheel with a C extension compiled by gcc for one interpreter.
- make_project: a pyproject-only project whose in-tree PEP 517 backend is
  standard-library Python, so ``pip wheel --no-index DIR`` builds it offline.
- make_sdist: that project as a ``.tar.gz`` source distribution.
- serve_directory: a loopback HTTP server for URL sources.

Every archive is deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import threading
import zipfile

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

# The C extension ``<package>._speedups``: answer() is 42, compiled_for() the
# Python version it was compiled against (e.g. "3.12.1").
CEXT_SOURCE = r"""
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyObject *compiled_for(PyObject *self, PyObject *args) { return PyUnicode_FromString(PY_VERSION); }
static PyMethodDef methods[] = {
    {"answer", answer, METH_NOARGS, "The answer."},
    {"compiled_for", compiled_for, METH_NOARGS, "The Python version this was compiled against."},
    {NULL, NULL, 0, NULL}
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
"""


def dist_filename_part(name):
    """The distribution name as it appears in wheel and sdist file names: runs of ``-_.`` become ``_``."""
    return re.sub(r"[-_.]+", "_", name)


def package_name(name):
    """The import name of the fixture package of distribution ``name``: ``Hello-Proj`` -> ``hello_proj``."""
    return dist_filename_part(name).lower()


def _record_line(member, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d\n" % (member, digest, len(data))


def _metadata(name, version, requires=(), requires_python=None, license=None):  # pylint: disable=redefined-builtin
    lines = ["Metadata-Version: 2.1", "Name: %s" % name, "Version: %s" % version]
    if license:
        lines.append("License: %s" % license)
    if requires_python:
        lines.append("Requires-Python: %s" % requires_python)
    lines += ["Requires-Dist: %s" % requirement for requirement in requires]
    return "\n".join(lines) + "\n"


def _wheel_file(tag, build=None):
    """The ``.dist-info/WHEEL`` text; a compressed tag set (``py2.py3-none-any``) gets one Tag line each."""
    python, abi, platform = tag.split("-")
    lines = ["Wheel-Version: 1.0", "Generator: offline.wagon tests", "Root-Is-Purelib: %s" % ("true" if platform == "any" else "false")]
    lines += ["Tag: %s-%s-%s" % (p, a, pl) for p in python.split(".") for a in abi.split(".") for pl in platform.split(".")]
    if build:
        lines.append("Build: %s" % build)
    return "\n".join(lines) + "\n"


def _write_wheel(path, members, info):
    """Write ``members`` ([(archive name, bytes)], in order) and a RECORD to the wheel at ``path``."""
    record = "".join(_record_line(member, data) for member, data in members) + "%s/RECORD,,\n" % info
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, data in members + [("%s/RECORD" % info, record.encode("utf-8"))]:
            entry = zipfile.ZipInfo(member, ZIP_EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return path


def _as_bytes(data):
    return data if isinstance(data, bytes) else data.encode("utf-8")


def make_wheel(dest_dir, name, version, requires=(), requires_python=None, tag="py3-none-any", modules=None,
               license=None, build=None, license_text=None):  # pylint: disable=redefined-builtin
    """Write the wheel ``<name>-<version>[-<build>]-<tag>.whl`` into ``dest_dir``; return its path.

    ``modules`` maps archive paths to source text or bytes; by default the
    package ``package_name(name)`` has ``VERSION`` and ``hello()`` returning
    ``"<name> <version>"``. ``license_text`` is an older spelling of ``license``.
    """
    license = license if license is not None else license_text
    package = package_name(name)
    if modules is None:
        modules = {
            "%s/__init__.py" % package: "VERSION = %r\n\n\ndef hello():\n    return %r\n" % (version, "%s %s" % (name, version)),
        }
    dist = dist_filename_part(name)
    info = "%s-%s.dist-info" % (dist, version)
    members = [(member, _as_bytes(data)) for member, data in sorted(modules.items())]
    members += [
        ("%s/METADATA" % info, _metadata(name, version, requires, requires_python, license).encode("utf-8")),
        ("%s/WHEEL" % info, _wheel_file(tag, build).encode("utf-8")),
    ]
    parts = [dist, version] + ([str(build)] if build else []) + [tag]
    return _write_wheel(os.path.join(str(dest_dir), "-".join(parts) + ".whl"), members, info)


def interpreter_facts(python):
    """``(tag, include_dir, ext_suffix)`` of ``python``, e.g. ``("cp312-cp312-linux_x86_64", ...)``.

    The tag is the most specific one that interpreter accepts for a
    non-manylinux build (``cp37-cp37m-...`` on 3.7, whose ABI has the ``m``).
    """
    code = (
        "import sys, sysconfig, json; v = sys.version_info;"
        "abi = 'cp%d%d%s' % (v[0], v[1], 'm' if v < (3, 8) else '');"
        "plat = sysconfig.get_platform().replace('-', '_').replace('.', '_');"
        "print(json.dumps(['cp%d%d-%s-%s' % (v[0], v[1], abi, plat),"
        " sysconfig.get_paths()['include'], sysconfig.get_config_var('EXT_SUFFIX')]))"
    )
    return tuple(json.loads(subprocess.check_output([python, "-I", "-c", code], universal_newlines=True)))


def _compile_extension(include, suffix, workdir):
    """Compile CEXT_SOURCE in ``workdir``; return the shared library's bytes."""
    # Relative file names keep temporary paths out of the binary, so it is the same every time.
    with open(os.path.join(workdir, "speedups.c"), "w") as stream:
        stream.write(CEXT_SOURCE)
    subprocess.check_call(["gcc", "-shared", "-fPIC", "-O1", "-I", include, "speedups.c", "-o", "_speedups" + suffix],
                          cwd=workdir)
    with open(os.path.join(workdir, "_speedups" + suffix), "rb") as stream:
        return stream.read()


def make_cext_wheel(dest_dir, python, name="fastcalc", version="1.0"):
    """Compile a tiny C extension for ``python`` with gcc and pack it in a wheel in ``dest_dir``; return its path.

    The wheel is tagged for that interpreter only (``cp312-cp312-linux_x86_64``).
    Its package ``package_name(name)`` has ``answer()`` (from the extension)
    returning 42 and ``compiled_for()`` returning the Python version it was built for.
    """
    tag, include, suffix = interpreter_facts(python)
    package = package_name(name)
    workdir = tempfile.mkdtemp(prefix="cext-")
    try:
        binary = _compile_extension(include, suffix, workdir)
    finally:
        shutil.rmtree(workdir)
    dist = dist_filename_part(name)
    info = "%s-%s.dist-info" % (dist, version)
    members = [
        ("%s/__init__.py" % package, ("from ._speedups import answer, compiled_for\nVERSION = %r\n" % version).encode("utf-8")),
        ("%s/_speedups%s" % (package, suffix), binary),
        ("%s/METADATA" % info, _metadata(name, version).encode("utf-8")),
        ("%s/WHEEL" % info, _wheel_file(tag).encode("utf-8")),
    ]
    return _write_wheel(os.path.join(str(dest_dir), "%s-%s-%s.whl" % (dist, version, tag)), members, info)


# An in-tree PEP 517 build backend in standard-library Python (3.7+), written
# into each project. make_project fills in PROJECT; the rest is fixed.
BACKEND = textwrap.dedent(
    '''
    """wagonfix_backend: the PEP 517 backend of an offline.wagon test fixture (stdlib only)."""
    import base64
    import gzip
    import hashlib
    import io
    import os
    import re
    import shutil
    import subprocess
    import sys
    import sysconfig
    import tarfile
    import tempfile
    import zipfile

    PROJECT = %(project)r

    HERE = os.path.dirname(os.path.abspath(__file__))
    DIST = re.sub(r"[-_.]+", "_", PROJECT["name"])
    PACKAGE = DIST.lower()
    INFO = "%%s-%%s.dist-info" %% (DIST, PROJECT["version"])
    ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
    TAR_EPOCH = 315532800


    def _metadata():
        lines = ["Metadata-Version: 2.1", "Name: " + PROJECT["name"], "Version: " + PROJECT["version"]]
        lines += ["Requires-Dist: " + requirement for requirement in PROJECT["requires"]]
        return "\\n".join(lines) + "\\n"


    def _tag():
        if not PROJECT["cext"]:
            return "py3-none-any"
        v = sys.version_info
        abi = "cp%%d%%d%%s" %% (v[0], v[1], "m" if v < (3, 8) else "")
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        return "cp%%d%%d-%%s-%%s" %% (v[0], v[1], abi, platform)


    def _wheel_text():
        purelib = "false" if PROJECT["cext"] else "true"
        return "Wheel-Version: 1.0\\nGenerator: wagonfix_backend\\nRoot-Is-Purelib: %%s\\nTag: %%s\\n" %% (purelib, _tag())


    def _sources():
        """[(relative path, bytes)] of the package, sorted; C sources are compiled, not shipped."""
        found = []
        for root, dirs, files in os.walk(os.path.join(HERE, PACKAGE)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(root, name)
                with open(path, "rb") as stream:
                    found.append((os.path.relpath(path, HERE).replace(os.sep, "/"), stream.read()))
        return found


    def _compile(source_name):
        """Compile PACKAGE/<source_name> for the interpreter running this backend; return (name, bytes)."""
        stem = os.path.splitext(source_name)[0]
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        workdir = tempfile.mkdtemp(prefix="wagonfix-")
        try:
            shutil.copy(os.path.join(HERE, PACKAGE, source_name), os.path.join(workdir, source_name))
            subprocess.check_call(["gcc", "-shared", "-fPIC", "-O1", "-I", sysconfig.get_paths()["include"],
                                   source_name, "-o", stem + suffix], cwd=workdir)
            with open(os.path.join(workdir, stem + suffix), "rb") as stream:
                return "%%s/%%s%%s" %% (PACKAGE, stem, suffix), stream.read()
        finally:
            shutil.rmtree(workdir)


    def _record_line(name, data):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
        return "%%s,sha256=%%s,%%d\\n" %% (name, digest, len(data))


    def get_requires_for_build_wheel(config_settings=None):
        return []


    def get_requires_for_build_sdist(config_settings=None):
        return []


    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        os.makedirs(os.path.join(metadata_directory, INFO))
        for name, text in (("METADATA", _metadata()), ("WHEEL", _wheel_text())):
            with open(os.path.join(metadata_directory, INFO, name), "w") as stream:
                stream.write(text)
        return INFO


    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        members = []
        for name, data in _sources():
            if name.endswith(".c"):
                members.append(_compile(os.path.basename(name)))
            else:
                members.append((name, data))
        members += [(INFO + "/METADATA", _metadata().encode("utf-8")), (INFO + "/WHEEL", _wheel_text().encode("utf-8"))]
        record = "".join(_record_line(n, d) for n, d in members) + INFO + "/RECORD,,\\n"
        filename = "%%s-%%s-%%s.whl" %% (DIST, PROJECT["version"], _tag())
        with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
            for name, data in members + [(INFO + "/RECORD", record.encode("utf-8"))]:
                entry = zipfile.ZipInfo(name, ZIP_EPOCH)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                wheel.writestr(entry, data)
        return filename


    def build_sdist(sdist_directory, config_settings=None):
        base = "%%s-%%s" %% (DIST, PROJECT["version"])
        files = [("PKG-INFO", _metadata().encode("utf-8"))]
        for name in ("pyproject.toml", "wagonfix_backend.py"):
            with open(os.path.join(HERE, name), "rb") as stream:
                files.append((name, stream.read()))
        files += _sources()
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name, data in sorted(files):
                entry = tarfile.TarInfo(base + "/" + name)
                entry.size, entry.mtime, entry.mode = len(data), TAR_EPOCH, 0o644
                archive.addfile(entry, io.BytesIO(data))
        filename = base + ".tar.gz"
        with open(os.path.join(sdist_directory, filename), "wb") as stream:
            with gzip.GzipFile(filename="", mode="wb", fileobj=stream, mtime=0) as compressed:
                compressed.write(raw.getvalue())
        return filename
    '''
)


def make_project(project_dir, name, version, requires=(), cext=False):
    """Write a pyproject-only project (no setup.py, no setuptools) at ``project_dir``; return its path.

    ``[build-system]`` names the in-tree backend ``wagonfix_backend`` (in
    ``backend-path = ["."]``, requiring nothing), so pip builds it with no
    index. The package ``package_name(name)`` has ``VERSION`` and ``hello()``;
    with ``cext`` it also has the C extension ``_speedups`` (``answer()``,
    ``compiled_for()``), compiled by gcc for the Python that builds the wheel.
    """
    project_dir = str(project_dir)
    package = package_name(name)
    os.makedirs(os.path.join(project_dir, package))
    project = {"name": name, "version": version, "requires": list(requires), "cext": bool(cext)}
    with open(os.path.join(project_dir, "pyproject.toml"), "w") as stream:
        stream.write(
            '[build-system]\nrequires = []\nbuild-backend = "wagonfix_backend"\nbackend-path = ["."]\n\n'
            '[project]\nname = %s\nversion = %s\ndependencies = %s\n'
            % (json.dumps(name), json.dumps(version), json.dumps(list(requires)))
        )
    with open(os.path.join(project_dir, "wagonfix_backend.py"), "w") as stream:
        stream.write(BACKEND % {"project": project})
    init = "VERSION = %r\n\n\ndef hello():\n    return %r\n" % (version, "%s %s" % (name, version))
    if cext:
        init = "from ._speedups import answer, compiled_for\n" + init
        with open(os.path.join(project_dir, package, "_speedups.c"), "w") as stream:
            stream.write(CEXT_SOURCE)
    with open(os.path.join(project_dir, package, "__init__.py"), "w") as stream:
        stream.write(init)
    return project_dir


def make_sdist(dest_dir, name, version, requires=(), cext=False):
    """Write the source distribution ``<name>-<version>.tar.gz`` of a make_project project into ``dest_dir``.

    Returns its path. The project's own backend builds it (in this process).
    """
    workdir = tempfile.mkdtemp(prefix="sdist-")
    try:
        project = make_project(os.path.join(workdir, "project"), name, version, requires, cext)
        spec = importlib.util.spec_from_file_location("wagonfix_backend", os.path.join(project, "wagonfix_backend.py"))
        backend = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(backend)
        return os.path.join(str(dest_dir), backend.build_sdist(str(dest_dir)))
    finally:
        shutil.rmtree(workdir)


@contextlib.contextmanager
def serve_directory(directory):
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port) while in the block; yield the base URL.

    The server runs in this process, so in this network namespace: a command
    wrapped in offline_prefix() has a loopback of its own and cannot reach it.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


__all__ = [
    "CEXT_SOURCE", "dist_filename_part", "interpreter_facts", "make_cext_wheel", "make_project", "make_sdist",
    "make_wheel", "package_name", "serve_directory",
]
