# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Installing and removing wheels ourselves, as the wheel spec says and as pip does.

Runs on the host with the standard library only; the environment's own
Python is started once, to compile bytecode (in parallel, only the files
installed). What it writes matches pip file for file: the same paths, the
same launchers, a ``RECORD`` row for every file written (bytecode included),
``INSTALLER`` (``offline-wagon``) and ``REQUESTED``, so that pip, uv and
``importlib.metadata`` list, check and uninstall what we installed, and we
remove by ``RECORD`` what they installed.

Specs: the binary distribution format (PEP 427, PEP 491), recording installed
projects (PEP 376, PEP 627), entry points. Every change goes through a
:class:`~._journal.Journal`, so a failure or a kill is undone.
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from collections import namedtuple
from email.parser import HeaderParser

from ansible_collections.offline.wagon.plugins.module_utils._errors import CommandError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._journal import Journal
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name, same_version
from ansible_collections.offline.wagon.plugins.module_utils._runner import WORK_TIMEOUT, hermetic_environment
from ansible_collections.offline.wagon.plugins.module_utils._wheel import parse_core_metadata

INSTALLER_NAME = "offline-wagon"

# Where the files of one distribution go (absolute paths), as pip's scheme.
Scheme = namedtuple("Scheme", ["purelib", "platlib", "scripts", "headers", "data"])

InstalledWheel = namedtuple("InstalledWheel", ["name", "version", "dist_info"])

_SCHEME_KEYS = frozenset(Scheme._fields)
_CHUNK = 1024 * 1024
# Linux refuses longer #! lines; distlib (pip's launcher writer) falls back to /bin/sh beyond it.
_MAX_SHEBANG = 127
# distlib's template, byte for byte, so a launcher we write equals pip's.
_LAUNCHER = (
    "# -*- coding: utf-8 -*-\n"
    "import re\n"
    "import sys\n"
    "from %(module)s import %(import_name)s\n"
    "if __name__ == '__main__':\n"
    "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
    "    sys.exit(%(func)s())\n"
)
_ENTRY_POINT = re.compile(r"^(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+))?\s*(\[[^\]]*\])?\s*$")

# Compiles the files named in a JSON list file, spread over the host's cores:
# the files are dealt into one share per core (largest first, each to the
# lightest share, so the shares take about as long), the first process
# compiles one share itself and starts a child per other share. Prints the
# JSON list of sources whose bytecode was written. As pip
# (compileall.compile_file): a file that does not compile is left without
# bytecode, warnings are silenced. Kept to Python 3.6 syntax.
COMPILE_SOURCE = r'''
import json, os, py_compile, subprocess, sys, warnings
warnings.filterwarnings("ignore")
def compile_all(paths):
    done = []
    for path in paths:
        try:
            py_compile.compile(path, doraise=True)
        except Exception:
            continue
        done.append(path)
    return done
if sys.argv[1] == "--share":
    sys.stdout.write(json.dumps(compile_all(json.loads(sys.stdin.read()))))
    sys.exit(0)
with open(sys.argv[1]) as stream:
    paths = json.load(stream)
try:
    cores = len(os.sched_getaffinity(0))
except AttributeError:
    cores = os.cpu_count() or 1
# A process costs about as much as compiling 20 small files: no more shares than that pays for.
count = max(1, min(cores, len(paths) // 20))
shares = [[] for _ in range(count)]
loads = [0] * count
def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
for weight, path in sorted(((size(p) + 2000, p) for p in paths), reverse=True):
    lightest = loads.index(min(loads))
    shares[lightest].append(path)
    loads[lightest] += weight
children = []
for share in shares[1:]:
    child = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", sys.argv[2], "--share"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    child.stdin.write(json.dumps(share).encode("utf-8"))
    child.stdin.close()
    children.append(child)
done = compile_all(shares[0])
for child in children:
    done.extend(json.loads(child.stdout.read().decode("utf-8") or "[]"))
    child.wait()
sys.stdout.write(json.dumps(done))
'''


def install_scheme(info, name):
    """The :class:`Scheme` of distribution ``name`` in the environment probed as ``info``.

    As pip: headers go to ``<prefix>/include/site/pythonX.Y/<name>`` in a
    venv, to ``<include>/<name>`` elsewhere; data to the prefix.
    """
    if info.in_venv:
        headers = os.path.join(info.prefix, "include", "site", "python%d.%d" % tuple(info.version[:2]), name)
    else:
        headers = os.path.join(info.include or os.path.join(info.prefix, "include"), name)
    return Scheme(info.purelib, info.platlib or info.purelib, info.scripts, headers, info.data or info.prefix)


def record_hash(data_digest):
    """``sha256=<urlsafe base64, no padding>`` as RECORD spells a digest."""
    return "sha256=" + base64.urlsafe_b64encode(data_digest).rstrip(b"=").decode("ascii")


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def shebang(python):
    """The first line(s) of a launcher for ``python``, as distlib writes them on POSIX."""
    executable = '"%s"' % python if " " in python else python
    # The limit is in bytes, as the kernel counts.
    if " " not in executable and len(executable.encode("utf-8")) + 3 <= _MAX_SHEBANG:
        return "#!%s\n" % executable
    return "#!/bin/sh\n'''exec' %s \"$0\" \"$@\"\n' '''\n" % executable


class _Wheel(object):
    """One wheel file, opened and checked: its dist-info, its WHEEL fields, its RECORD."""

    def __init__(self, path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as error:
            raise WagonError("%s is not a readable wheel: %s" % (os.path.basename(path), error))
        try:
            self._read()
        except BaseException:
            self.zip.close()
            raise

    def _fail(self, why):
        raise WagonError("wheel %s cannot be installed: %s" % (os.path.basename(self.path), why))

    def _read(self):
        self.members = []
        seen = set()
        for member in self.zip.infolist():
            name = member.filename
            if name.endswith("/"):
                continue
            parts = name.split("/")
            if name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in parts) or ":" in parts[0]:
                self._fail("member %r has an unsafe path" % name)
            if stat.S_ISLNK(member.external_attr >> 16):
                self._fail("member %r is a symbolic link" % name)
            if name in seen:
                self._fail("member %r appears twice" % name)
            seen.add(name)
            self.members.append(member)
        info_dirs = {m.filename.split("/")[0] for m in self.members if m.filename.split("/")[0].endswith(".dist-info")}
        info_dirs = {d for d in info_dirs if d + "/WHEEL" in seen and d + "/METADATA" in seen}
        if len(info_dirs) != 1:
            self._fail("it needs exactly one .dist-info directory with WHEEL and METADATA, found %d" % len(info_dirs))
        self.info_dir = info_dirs.pop()
        self.data_dir = self.info_dir[: -len(".dist-info")] + ".data"
        wheel = HeaderParser().parsestr(self.zip.read(self.info_dir + "/WHEEL").decode("utf-8", "replace"))
        version = (wheel.get("Wheel-Version") or "1.0").strip()
        if not version.split(".")[0].isdigit() or int(version.split(".")[0]) != 1:
            self._fail("Wheel-Version %s is not 1.x" % version)
        self.root_is_purelib = (wheel.get("Root-Is-Purelib") or "").strip().lower() == "true"
        metadata = parse_core_metadata(self.zip.read(self.info_dir + "/METADATA"), os.path.basename(self.path))
        self.name, self.version = metadata.name, metadata.version
        self._check_identity()
        self.record = {}
        record = self.info_dir + "/RECORD"
        if record in seen:
            try:
                rows = list(csv.reader(self.zip.read(record).decode("utf-8").splitlines()))
            except (UnicodeDecodeError, csv.Error) as error:
                self._fail("its RECORD is not a CSV file (%s)" % error)
            for row in rows:
                if not row:
                    continue
                parts = row[0].split("/")
                if row[0].startswith("/") or "\x00" in row[0] or ".." in parts:
                    self._fail("its RECORD lists %r, a path outside the wheel" % row[0][:200])
                self.record[row[0]] = row[1] if len(row) > 1 else ""

    def _check_identity(self):
        """The file name, the .dist-info directory and METADATA name one distribution at one version (as pip checks)."""
        filename = os.path.basename(self.path)
        fields = filename[:-4].split("-") if filename.endswith(".whl") else []
        info_name, _dash, info_version = self.info_dir[: -len(".dist-info")].rpartition("-")
        names, versions = [info_name], [info_version]
        if len(fields) in (5, 6):
            names.append(fields[0])
            versions.append(fields[1])
        if any(canonicalize_name(name) != canonicalize_name(self.name) for name in names):
            self._fail("its file name, %s and METADATA (Name: %s) name different distributions" % (self.info_dir, self.name))
        if not all(same_version(version, self.version) for version in versions):
            self._fail("its file name, %s and METADATA (Version: %s) give different versions" % (self.info_dir, self.version))

    def entry_points(self):
        """``(console_scripts, gui_scripts)``, each ``{name: "module:attr"}``."""
        member = self.info_dir + "/entry_points.txt"
        if member not in {m.filename for m in self.members}:
            return {}, {}
        parser = configparser.RawConfigParser(delimiters=("=",), comment_prefixes=("#", ";"), strict=False)
        parser.optionxform = str
        try:
            parser.read_string(self.zip.read(member).decode("utf-8"))
        except configparser.Error as error:
            self._fail("its entry_points.txt cannot be read: %s" % error)

        def section(name):
            return dict(parser.items(name)) if parser.has_section(name) else {}

        return section("console_scripts"), section("gui_scripts")

    def close(self):
        self.zip.close()


def _destination(wheel, member, scheme):
    """``(absolute path, scheme key)`` where ``member`` of ``wheel`` is installed."""
    name = member.filename
    if name.startswith(wheel.data_dir + "/"):
        parts = name.split("/")
        if len(parts) < 3 or parts[1] not in _SCHEME_KEYS:
            wheel._fail("member %r is in no known .data scheme (%s)" % (name, ", ".join(sorted(_SCHEME_KEYS))))
        key = parts[1]
        return os.path.join(getattr(scheme, key), *parts[2:]), key
    root = scheme.purelib if wheel.root_is_purelib else scheme.platlib
    return os.path.join(root, *name.split("/")), "root"


def _inside(path, root):
    return os.path.normpath(path).startswith(os.path.normpath(root) + os.sep)


def _console_specs(console, version):
    """The console scripts pip writes: its own ``pip``/``easy_install`` get this Python's version suffixes."""
    console = dict(console)
    specs = []
    for tool, pattern, suffixes in (
        ("pip", r"pip(\d+(\.\d+)?)?$", ("", "%d" % version[0], "%d.%d" % version[:2])),
        ("easy_install", r"easy_install(-\d+\.\d+)?$", ("", "-%d.%d" % version[:2])),
    ):
        target = console.pop(tool, None)
        if target is None:
            continue
        for name in [key for key in console if re.match(pattern, key)]:
            del console[name]
        specs.extend((tool + suffix, target) for suffix in suffixes)
    specs.extend(sorted(console.items()))
    return specs


class _Writer(object):
    """Writes files of one install through the journal and remembers their RECORD rows."""

    def __init__(self, journal, lib_dir):
        self.journal = journal
        self.lib_dir = lib_dir
        self.rows = {}
        self.file_mode = 0o666 & ~_umask()

    def record_path(self, path):
        prefix = self.lib_dir + os.sep
        if path.startswith(prefix):
            return path[len(prefix):].replace(os.sep, "/")  # the common case, without relpath's cost
        return os.path.relpath(path, self.lib_dir).replace(os.sep, "/")

    def write(self, path, chunks, executable=False, launcher=False):
        self.journal.new_file(path)
        digest = hashlib.sha256()
        size = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except OSError as error:
            if error.filename:
                raise
            # A failed write names no file: name the one being written.
            raise OSError(error.errno, error.strerror, path)
        # The modes pip gives: a member marked executable gets x for all, a
        # launcher r-x for all (distlib's set_mode), anything else the umask's.
        mode = self.file_mode
        if launcher:
            mode |= 0o555
        elif executable:
            mode |= 0o111
        if mode != self.file_mode:  # os.open gave it the umask's mode already
            os.chmod(path, mode)
        self.rows[self.record_path(path)] = (record_hash(digest.digest()), str(size))
        return digest.digest()

    def add_bytecode(self, path):
        # As pip: bytecode is listed without a hash, since Python may rewrite
        # it whenever its source changes.
        self.rows[self.record_path(path)] = ("", "")


def _member_chunks(wheel, member):
    with wheel.zip.open(member) as stream:
        yield from iter(lambda: stream.read(_CHUNK), b"")


def _script_chunks(wheel, member, python, original):
    """A ``.data/scripts`` file, its ``#!python`` line pointed at ``python`` (as pip's fix_script).

    ``original`` (a hashlib object) sees the bytes as they are in the wheel,
    for the check against the wheel's RECORD.
    """
    with wheel.zip.open(member) as stream:
        first = stream.readline()
        original.update(first)
        if first.startswith(b"#!python"):
            yield b"#!" + python.encode(sys.getfilesystemencoding()) + os.linesep.encode("ascii")
        else:
            yield first
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            original.update(chunk)
            yield chunk


def _is_executable(member):
    # As pip: a regular file with an x bit; bare permission bits are not enough.
    mode = member.external_attr >> 16
    return bool(mode and stat.S_ISREG(mode) and mode & 0o111)


def _is_entry_point_wrapper(name, entry_points):
    """Whether a ``.data/scripts`` file is setuptools' wrapper for an entry point (pip skips those: it writes its own)."""
    lower = name.lower()
    for suffix in (".exe", "-script.py", ".pya"):
        if lower.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name in entry_points


class _Unpacked(object):
    """One wheel unpacked: what is needed to finish its RECORD after bytecode is compiled."""

    def __init__(self, wheel, writer, dist_info, sources):
        self.name, self.version = wheel.name, wheel.version
        self.writer, self.dist_info, self.sources = writer, dist_info, sources


def _unpack(wheel, info, journal, requested):
    scheme = install_scheme(info, wheel.name)
    lib_dir = scheme.purelib if wheel.root_is_purelib else scheme.platlib
    writer = _Writer(journal, lib_dir)
    dist_info = os.path.join(lib_dir, wheel.info_dir)
    skip = {wheel.info_dir + "/" + name for name in ("RECORD", "RECORD.jws", "RECORD.p7s", "INSTALLER", "REQUESTED")}
    sources = []
    python = info.executable
    console, gui = wheel.entry_points()
    launchers = _console_specs(console, info.version) + sorted(gui.items())
    entry_point_names = set(console) | set(gui)
    for member in wheel.members:
        if member.filename in skip:
            continue
        path, key = _destination(wheel, member, scheme)
        root = getattr(scheme, key) if key != "root" else lib_dir
        if not _inside(path, root):
            wheel._fail("member %r would be written outside %s" % (member.filename, root))
        if key == "scripts" and _is_entry_point_wrapper(os.path.basename(path), entry_point_names):
            continue
        if key == "scripts":
            original = hashlib.sha256()
            chunks = _script_chunks(wheel, member, python, original)
        else:
            original, chunks = None, _member_chunks(wheel, member)
        expected = wheel.record.get(member.filename)
        digest = writer.write(path, chunks, _is_executable(member))
        if original is not None:
            digest = original.digest()
        if expected and expected.startswith("sha256=") and record_hash(digest) != expected:
            wheel._fail("member %r does not match the hash its RECORD gives" % member.filename)
        if path.endswith(".py"):
            # Compiled by the path pip compiles (<lib>/../../../bin/x.py for a
            # script), so the bytecode's file name is the same as pip's.
            sources.append(os.path.join(lib_dir, *writer.record_path(path).split("/")))
    for script, target in launchers:
        if not script or "/" in script or "\\" in script or script in (".", ".."):
            wheel._fail("entry point name %r is not a file name" % script)
        found = _ENTRY_POINT.match(target)
        if not found or not found.group("attr"):
            wheel._fail("entry point %s = %s names no callable (module:attribute)" % (script, target))
        text = shebang(python) + _LAUNCHER % {
            "module": found.group("module"),
            "import_name": found.group("attr").split(".")[0],
            "func": found.group("attr"),
        }
        writer.write(os.path.join(scheme.scripts, script), [text.encode("utf-8")], launcher=True)
    writer.write(os.path.join(dist_info, "INSTALLER"), [(INSTALLER_NAME + "\n").encode("ascii")])
    if requested:
        writer.write(os.path.join(dist_info, "REQUESTED"), [b""])
    return _Unpacked(wheel, writer, dist_info, sources)


def cache_path(source, cache_tag):
    """Where the bytecode of ``source`` goes (``importlib.util.cache_from_source`` for ``cache_tag``)."""
    head, tail = os.path.split(source)
    return os.path.join(head, "__pycache__", "%s.%s.pyc" % (tail[:-3], cache_tag))


def compile_bytecode(info, sources, runner, workdir, journal):
    """Compile ``sources`` with the environment's own Python; return those that got bytecode."""
    if not sources or not info.cache_tag:
        return []
    for source in sources:
        journal.new_file(cache_path(source, info.cache_tag))
    listing = os.path.join(workdir, "compile.json")
    with open(listing, "w") as stream:
        json.dump(sources, stream)
    # -S: compiling needs no site-packages, and no .pth hook of a wheel just installed should run.
    argv = [info.executable, "-I", "-S", "-c", COMPILE_SOURCE, listing, COMPILE_SOURCE]
    result = runner(argv, env=hermetic_environment(), timeout=WORK_TIMEOUT)
    if result.rc != 0:
        raise CommandError(
            "compiling bytecode with %s failed (rc=%s): %s"
            % (info.executable, result.rc, " | ".join((result.stderr or "").strip().splitlines()[-5:])),
            argv[:3], result.rc, result.stdout, result.stderr,
        )
    try:
        return json.loads(result.stdout)
    except ValueError:
        raise CommandError("compiling bytecode with %s gave no answer" % info.executable, argv[:3], result.rc)


@contextlib.contextmanager
def _transaction(journal, workdir):
    """``(journal, workdir)`` for one call: the caller's, or a journal (and a scratch workdir) of its own.

    One of its own is committed when the block ends and rolled back when it
    raises; the caller's is left for the caller to end.
    """
    scratch = tempfile.mkdtemp(prefix="offline-wagon-") if workdir is None else None
    workdir = workdir or scratch
    own = journal is None
    if own:
        journal = Journal.begin(os.path.join(workdir, "journal"))
    try:
        yield journal, workdir
        if own:
            journal.commit()
    except BaseException:
        if own:
            journal.rollback()
        raise
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def install_wheels(paths, info, runner, journal=None, compile_bytecode_files=True, requested=None, workdir=None):
    """Install the wheels at ``paths`` into the environment probed as ``info``; return InstalledWheel per wheel.

    ``requested`` is the set of canonical names that get ``REQUESTED`` (None:
    every wheel). Without ``journal`` one is opened in ``workdir`` and
    committed at the end (rolled back on failure); with one the caller ends
    it. A distribution already installed must have been removed first.
    """
    with _transaction(journal, workdir) as (journal, workdir):
        unpacked = []
        for path in paths:
            wheel = _Wheel(path)
            try:
                wanted = requested is None or canonicalize_name(wheel.name) in requested
                unpacked.append(_unpack(wheel, info, journal, wanted))
            finally:
                wheel.close()
        sources = [s for u in unpacked for s in u.sources]
        compiled = set(compile_bytecode(info, sources, runner, workdir, journal)) if compile_bytecode_files else set()
        result = []
        for one in unpacked:
            for source in one.sources:
                if source in compiled:
                    one.writer.add_bytecode(cache_path(source, info.cache_tag))
            _write_record(one)
            result.append(InstalledWheel(one.name, one.version, one.dist_info))
        return result


def _write_record(unpacked):
    path = os.path.join(unpacked.dist_info, "RECORD")
    rows = [(key, digest, size) for key, (digest, size) in unpacked.writer.rows.items()]
    rows.append((unpacked.writer.record_path(path), "", ""))
    unpacked.writer.journal.new_file(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(sorted(rows))


# Removal ------------------------------------------------------------------------------------------


def recorded_files(dist_info, info):
    """Every file of the distribution at ``dist_info``, by its RECORD, with their bytecode; absolute paths.

    Raise WagonError when there is no RECORD (a legacy install nobody can
    remove exactly) or when it names a file outside the environment's prefix.
    """
    record = os.path.join(dist_info, "RECORD")
    base = os.path.dirname(dist_info)
    try:
        with open(record, encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
    except OSError as error:
        raise WagonError("cannot remove %s: its RECORD cannot be read (%s)" % (dist_info, error.strerror or error))
    prefix = os.path.realpath(info.prefix or base)
    files = set()
    for row in rows:
        if not row or not row[0]:
            continue
        path = os.path.normpath(os.path.join(base, *row[0].split("/")))
        # The directory resolved, not the file: a RECORD may list a symlink.
        if not _inside(os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path)), prefix):
            raise WagonError(
                "refusing to remove %s: its RECORD names %s, outside the environment %s" % (dist_info, row[0], prefix)
            )
        files.add(path)
        if path.endswith(".py"):
            # pip's RECORD lists the bytecode it compiled; other installers' may not.
            head, tail = os.path.split(path)
            cache = os.path.join(head, "__pycache__")
            stem = tail[:-3] + "."
            files.update(
                os.path.join(cache, name) for name in _listdir(cache) if name.startswith(stem) and name.endswith(".pyc")
                and name[len(stem):].count(".") <= 2
            )
            files.add(path[:-3] + ".pyc")
    for name in _listdir(dist_info):
        files.add(os.path.join(dist_info, name))
    return sorted(f for f in files if os.path.lexists(f) and not os.path.isdir(f))


def _listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def remove_distribution(dist_info, info, journal=None, workdir=None):
    """Remove the distribution installed at ``dist_info`` by its RECORD; return the files removed.

    Directories left empty are removed up to (not including) the
    environment's scheme roots. Without ``journal``, one in ``workdir`` is
    committed at the end.
    """
    files = recorded_files(dist_info, info)
    with _transaction(journal, workdir) as (journal, _workdir):
        for path in files:
            journal.set_aside(path)
        _remove_empty_dirs(files, info, journal)
    return files


def _remove_empty_dirs(files, info, journal):
    """Remove the directories that removing ``files`` left empty, never a scheme directory or one above it."""
    prefix = os.path.normpath(info.prefix)
    roots = {prefix}
    for path in (info.purelib, info.platlib, info.scripts, info.data, info.include, os.path.join(prefix, "include")):
        path = os.path.normpath(path) if path else None
        while path and _inside(path, prefix):
            roots.add(path)
            path = os.path.dirname(path)
    directories = set()
    for path in files:
        parent = os.path.dirname(path)
        while parent and os.path.normpath(parent) not in roots and any(_inside(parent, r) for r in roots):
            directories.add(parent)
            parent = os.path.dirname(parent)
    # Deepest first, so a parent is emptied by its children before it is tried.
    for directory in sorted(directories, key=lambda d: d.count(os.sep), reverse=True):
        if os.path.isdir(directory) and not os.path.islink(directory) and not os.listdir(directory):
            journal.remove_dir(directory)
