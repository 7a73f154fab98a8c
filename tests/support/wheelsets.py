# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sets of wheels for the tests of our wheel installer, and what it means to install one "as pip does".

- REAL_WHEELS: pinned distributions from the package index, each chosen for a
  part of the wheel format (``covers`` says which), fetched with one
  ``pip download`` (:func:`download_real_wheels`).
- REFERENCE_PIP: the pip the installer is compared with, in a venv of its own
  (:class:`ReferencePip`), driving other venvs with ``pip --python``.
- build_wheel / make_demo_wheel: fixture wheels written in the test, with
  any member modes; the demo has every ``.data`` scheme, a ``#!python``
  script and console and GUI entry points.
- tree_entries / record_rows: what an install left on disk, to compare two
  (trees.tree_state leaves out directories and modes, which an install must
  get right too).
"""

from __future__ import annotations

import csv
import hashlib
import os
import stat
import subprocess
import zipfile
from collections import namedtuple

from tests.support.fixtures import ZIP_EPOCH, _record_line, dist_filename_part, package_name

# pip 25.2 replaced distlib's launcher template (``import re`` ... ``re.sub``)
# with one of its own; 25.1.1 is the last pip whose console-script launchers
# are distlib's, the bytes our installer writes. Pinned, so the comparison
# does not move with whatever pip a Python happens to bundle.
REFERENCE_PIP = "25.1.1"

RealWheel = namedtuple("RealWheel", ["name", "version", "covers", "runs"])
# ``name`` is spelled as in the wheel's METADATA: pip puts headers under the
# name as the requirement spells it, the installer under the METADATA name.
# ``runs``: commands (in the venv's bin) that must succeed, with the same
# output after either install.
REAL_WHEELS = [
    RealWheel("six", "1.17.0", "pure; one top-level module; py2.py3 tag", ()),
    RealWheel("attrs", "26.1.0", "pure; two top-level packages", ()),
    RealWheel("typing_extensions", "4.16.0", "pure; one module, the name spelled with _", ()),
    RealWheel("certifi", "2026.10.19.post1", "pure; package data (cacert.pem)", ()),
    RealWheel("idna", "3.20", "pure; console_scripts", ()),
    RealWheel("pyflakes", "4.1.0", "pure; console_scripts", (("pyflakes", "--version"),)),
    RealWheel("Pygments", "2.21.0", "pure, 1 MB; console_scripts; name not lower case", (("pygmentize", "-V"),)),
    RealWheel("wheel", "0.48.0", "pure; console_scripts; a requirement left out (--no-deps)", (("wheel", "version"),)),
    RealWheel("pip", REFERENCE_PIP, "pure; pip's own versioned launchers (pip, pip3, pip3.12)",
              (("pip", "--version"), ("pip3.12", "--version"))),
    RealWheel("setuptools", "51.3.3", ".pth file (distutils-precedence.pth); easy_install's versioned launchers", ()),
    RealWheel("coverage", "7.17.5", "platlib; .pth file (a1_coverage.pth); console_scripts",
              (("coverage", "--version"),)),
    RealWheel("pytest-cov", "5.0.0", ".pth file (pytest-cov.pth); requirements left out", ()),
    RealWheel("jaraco.functools", "4.6.0", "PEP 420 namespace package (jaraco)", ()),
    RealWheel("zope.interface", "8.7", "platlib; namespace package (zope)", ()),
    RealWheel("MarkupSafe", "3.0.4", "platlib, small; zip directory entries", ()),
    RealWheel("PyYAML", "6.0.4", "platlib; two top-level names (yaml, _yaml)", ()),
    RealWheel("psutil", "7.2.2", "platlib, abi3", ()),
    RealWheel("charset-normalizer", "3.5.3", "platlib compiled by mypyc (a top-level *__mypyc .so); console_scripts",
              (("normalizer", "--version"),)),
    # (black's launchers are compared, not run: they need click, left out by --no-deps.)
    RealWheel("black", "26.10.1", "platlib compiled by mypyc; two console_scripts", ()),
    RealWheel("numpy", "2.5.5", "platlib, large (15 MB, numpy.libs); console_scripts", (("f2py", "-v"),)),
    RealWheel("cryptography", "50.0.2", "platlib, large, abi3 (Rust)", ()),
    RealWheel("greenlet", "3.5.6", "platlib; .data/headers", ()),
    RealWheel("pybind11_global", "2.13.6", ".data/headers in subdirectories; .data/data (include, share)", ()),
    RealWheel("jupyterlab_widgets", "3.0.17", ".data/data (share/jupyter/labextensions), deep paths", ()),
    RealWheel("widgetsnbextension", "4.0.16", ".data/data (etc/jupyter, share/jupyter)", ()),
    RealWheel("ninja", "1.13.2", "Root-Is-Purelib false, py3-none-manylinux; .data/scripts holding an ELF binary",
              (("ninja", "--version"),)),
    RealWheel("pyserial", "3.4", ".data/scripts: a #!python .py script (compiled into bin/__pycache__) "
              "and a stray .pyc", ()),
    RealWheel("docutils", "0.20.1", ".data/scripts: #!python *.py scripts; console_scripts",
              (("rst2html.py", "--version"), ("docutils", "--version"))),
    RealWheel("qtconsole", "5.7.2", "gui_scripts", ()),
    RealWheel("inspireface", "1.2.4.post3", "Root-Is-Purelib false with everything in .data/purelib", ()),
]


def pip_environment(base=None):
    """``base`` (default os.environ) with pip told to read no configuration: only what a command says counts.

    PIP_CERT stays: it names the CA bundle that reaching the index needs on this machine.
    """
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items() if not k.startswith("PIP_") or k == "PIP_CERT"}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def run(argv, env=None, cwd=None, check=True, timeout=600, umask=-1):
    """Run ``argv``; return the CompletedProcess (text). ``check``: fail with its output on a non-zero exit.

    ``umask`` (-1: this process's) is the child's: tests that vary it never
    change this process's, which threads share.
    """
    proc = subprocess.run([str(a) for a in argv], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, universal_newlines=True, check=False, timeout=timeout, umask=umask)
    if check and proc.returncode:
        raise AssertionError("%s: rc=%d\n%s\n%s" % (argv, proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]))
    return proc


def download_real_wheels(python, dest, wheels=tuple(REAL_WHEELS)):
    """Download ``wheels`` (binary only, no dependencies) for ``python`` into ``dest`` with one pip run.

    Returns ``{(name, version): path}``.
    """
    requirements = ["%s==%s" % (w.name, w.version) for w in wheels]
    run([python, "-m", "pip", "download", "--only-binary", ":all:", "--no-deps", "--dest", dest] + requirements,
        env=pip_environment())
    found = {}
    files = os.listdir(str(dest))
    for wheel in wheels:
        prefix = "%s-%s-" % (dist_filename_part(wheel.name).lower(), wheel.version)
        matches = [f for f in files if f.endswith(".whl") and f.lower().startswith(prefix)]
        assert len(matches) == 1, (wheel, matches)
        found[(wheel.name, wheel.version)] = os.path.join(str(dest), matches[0])
    return found


class ReferencePip(object):
    """pip REFERENCE_PIP in a venv of its own, installing into, checking and uninstalling other venvs.

    ``pip --python VENV_PYTHON ...`` runs this pip's code under the other venv's
    interpreter, so that venv needs no pip of its own (its tree then holds
    only what the install added).
    """

    def __init__(self, venv):
        self.venv = str(venv)
        self.python = os.path.join(self.venv, "bin", "python")

    @classmethod
    def create(cls, base_python, venv, pip_wheel):
        """Make ``venv`` with ``base_python`` and install ``pip_wheel`` into it with that very wheel."""
        run([base_python, "-m", "venv", "--without-pip", venv])
        run([os.path.join(str(venv), "bin", "python"), os.path.join(pip_wheel, "pip"), "install", "--isolated",
             "--no-index", "--quiet", pip_wheel], env=pip_environment())
        return cls(venv)

    def __call__(self, target_python, *args, **kwargs):
        """Run ``pip --python target_python ARGS`` (``check=False`` to get a failure back; ``env``, ``umask``)."""
        kwargs.setdefault("env", pip_environment())
        return run([self.python, "-m", "pip", "--python", target_python, "--isolated"] + list(args), **kwargs)


def make_venv(python, path, with_pip=False, umask=-1, env=None):
    """A new venv at ``path`` made by ``python`` (``--without-pip`` unless ``with_pip``); return its bin/python."""
    run([python, "-m", "venv"] + ([] if with_pip else ["--without-pip"]) + [path],
        env=pip_environment() if env is None else env, umask=umask)
    return os.path.join(str(path), "bin", "python")


FileState = namedtuple("FileState", ["kind", "mode", "digest"])


def tree_entries(root):
    """``{relative path: FileState}`` for every file, directory and symbolic link under ``root``.

    ``kind`` is "file", "dir" or "link"; ``mode`` the permission bits;
    ``digest`` the sha256 of a file (see :func:`_digest` for bytecode), the
    target of a link, None for a directory.
    """
    root = str(root)
    state = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                entry = FileState("link", None, os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entry = FileState("dir", stat.S_IMODE(info.st_mode), None)
            else:
                with open(path, "rb") as stream:
                    entry = FileState("file", stat.S_IMODE(info.st_mode), _digest(name, stream.read()))
            state[os.path.relpath(path, root)] = entry
    return state


def _digest(name, data):
    """sha256 of ``data``; of a timestamp-based .pyc (PEP 552 flags 0), without the source mtime it carries.

    The mtime is when the installer wrote the source, so it differs between
    any two installs; the rest (magic, flags, source size, code) does not,
    on Python 3.11 and later, whose marshal writes a frozenset's items in a
    fixed order whatever the hash seed (the comparisons use 3.12).
    """
    if name.endswith(".pyc") and len(data) >= 16 and data[4:8] == b"\0\0\0\0":
        return "pyc:" + hashlib.sha256(data[:8] + data[12:]).hexdigest()
    return hashlib.sha256(data).hexdigest()


def record_rows(dist_info):
    """The RECORD of the installed distribution at ``dist_info``: ``{path: (hash, size)}``, and its raw text."""
    with open(os.path.join(str(dist_info), "RECORD"), encoding="utf-8", newline="") as stream:
        text = stream.read()
    rows = {}
    for row in csv.reader(text.splitlines()):
        assert row[0] not in rows, "RECORD lists %s twice" % row[0]
        rows[row[0]] = tuple(row[1:])
    return rows, text


def build_wheel(dest_dir, name, version, members, root_is_purelib=True, tag="py3-none-any", unrecorded=()):
    """Write ``<name>-<version>-<tag>.whl`` into ``dest_dir`` from ``members``; return its path.

    ``members`` is ``[(archive name, text or bytes, mode)]`` in archive order;
    ``mode`` is the high word of the zip entry's external attributes (e.g.
    ``0o100755``; None is a regular file 0644; a name ending in "/" is a
    directory entry). METADATA, WHEEL and RECORD are added; RECORD lists
    every file but those named in ``unrecorded``.
    """
    dist = dist_filename_part(name)
    info = "%s-%s.dist-info" % (dist, version)
    wheel_text = "Wheel-Version: 1.0\nGenerator: offline.wagon tests\nRoot-Is-Purelib: %s\nTag: %s\n" % (
        "true" if root_is_purelib else "false", tag)
    entries = [(n, d if isinstance(d, bytes) else d.encode("utf-8"), m) for n, d, m in members]
    entries += [("%s/METADATA" % info, ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode(), None),
                ("%s/WHEEL" % info, wheel_text.encode(), None)]
    record = "".join(_record_line(e[0], e[1]) for e in entries if not e[0].endswith("/") and e[0] not in unrecorded)
    entries.append(("%s/RECORD" % info, (record + "%s/RECORD,,\n" % info).encode(), None))
    path = os.path.join(str(dest_dir), "%s-%s-%s.whl" % (dist, version, tag))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, data, mode in entries:
            entry = zipfile.ZipInfo(member, ZIP_EPOCH)
            if member.endswith("/"):
                entry.external_attr = ((mode or 0o40755) << 16) | 0x10
            else:
                entry.external_attr = (0o100644 if mode is None else mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return path


DEMO_CONSOLE = "wagon-demo"
DEMO_GUI = "wagon-demo-gui"
DEMO_SCRIPT = "wagon-demo-where"


def demo_members(name="wagon-demo", version="1.0"):
    """The members of make_demo_wheel's wheel (``[(archive name, text, mode)]``), to extend in a test."""
    package = package_name(name)
    info = "%s-%s.dist-info" % (dist_filename_part(name), version)
    data = "%s-%s.data" % (dist_filename_part(name), version)
    return [
        ("%s/__init__.py" % package, "VERSION = %r\n\n\ndef hello():\n    return %r\n" % (version, "%s %s" % (name, version)), None),
        ("%s/cli.py" % package, "from . import hello\n\n\ndef main():\n    print(hello())\n    return 0\n", None),
        ("%s/entry_points.txt" % info, "[console_scripts]\n%s = %s.cli:main\n\n[gui_scripts]\n%s = %s.cli:main\n"
         % (DEMO_CONSOLE, package, DEMO_GUI, package), None),
        ("%s/scripts/%s" % (data, DEMO_SCRIPT), "#!python\nimport sys\nprint(sys.executable)\n", 0o100755),
        ("%s/headers/%s.h" % (data, package), "#define WAGON_DEMO 1\n", None),
        ("%s/data/share/%s/notice.txt" % (data, package), "installed by a test\n", None),
        ("%s/purelib/%s_extra.py" % (data, package), "EXTRA = True\n", None),
    ]


def make_demo_wheel(dest_dir, name="wagon-demo", version="1.0"):
    """A pure wheel with everything an install writes outside site-packages; return its path.

    Package ``package_name(name)`` (``hello()``), a console and a GUI entry
    point (DEMO_CONSOLE, DEMO_GUI: print "<name> <version>"), an executable
    ``#!python`` script DEMO_SCRIPT in ``.data/scripts`` printing its
    interpreter, a header in ``.data/headers``, a data file
    ``share/<package>/notice.txt`` and a module ``<package>_extra`` in
    ``.data/purelib``.
    """
    return build_wheel(dest_dir, name, version, demo_members(name, version))


__all__ = [
    "DEMO_CONSOLE", "DEMO_GUI", "DEMO_SCRIPT", "REAL_WHEELS", "REFERENCE_PIP", "FileState", "RealWheel", "ReferencePip",
    "build_wheel", "demo_members", "download_real_wheels", "make_demo_wheel", "make_venv", "pip_environment",
    "record_rows", "run", "tree_entries",
]
