# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Writing wagon archives deterministically, and reading them safely.

Layout (Wagon 1.0)::

    <top>/package.json
    <top>/wheels/<every wheel>
    <top>/files/<extra files>          (only when there are any)

Writing: the same inputs give byte-identical archives: members in sorted
order, fixed times, owners and modes, no compression in zip (wheels are
compressed already; Wagon 1.0 stores too), a gzip header with no name and
no time.

Reading is safe by construction: the format is detected from the content,
every member name and type is checked before anything is read (absolute
paths, ``..``, links, devices, duplicates, absurd sizes or counts are
refused), and extraction writes only files the engine names itself, into a
directory the caller chose: member names never become paths.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections import namedtuple

from ansible_collections.offline.wagon.plugins.module_utils._errors import ArchiveError, MetadataError
from ansible_collections.offline.wagon.plugins.module_utils._metadata import METADATA_FILENAME, WagonMetadata

FORMATS = ("zip", "tar.gz")

# 1980-01-01T00:00:00Z: the earliest time a zip can hold, used for tar too.
FIXED_TIME = 315532800
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644
_DIR_MODE = 0o755
_CHUNK = 1024 * 1024

# Limits far above any real wagon, far below what would hurt a host.
MAX_MEMBERS = 20000
MAX_TOTAL_SIZE = 32 * 1024 ** 3
MAX_METADATA_SIZE = 16 * 1024 ** 2

Member = namedtuple("Member", ["name", "size", "is_dir"])


class _Discard(object):
    """A sink for bytes that are only hashed."""

    def write(self, data):
        return len(data)


# Writing -----------------------------------------------------------------


def archive_members(top, metadata_bytes, wheels, files=None, extras=None):
    """Return the sorted ``(arcname, source)`` pairs of a wagon.

    ``wheels`` and ``files`` map a file name to a path on disk; ``extras``
    maps more file names directly under ``<top>`` (the SBOM) to their bytes;
    ``source`` is ``bytes`` for package.json and extras, a path otherwise.
    """
    members = [(posixpath.join(top, METADATA_FILENAME), metadata_bytes)]
    members += [(posixpath.join(top, name), data) for name, data in sorted((extras or {}).items())]
    members += [(posixpath.join(top, "wheels", name), path) for name, path in sorted(wheels.items())]
    members += [(posixpath.join(top, "files", name), path) for name, path in sorted((files or {}).items())]
    return members


def write_archive(dest, top, metadata_bytes, wheels, files=None, archive_format="zip", extras=None):
    """Write a wagon to the path ``dest`` (replaced if present) and return it.

    The caller writes to a temporary name and moves it into place; this
    function only promises that the same inputs give the same bytes.
    """
    if archive_format not in FORMATS:
        raise ArchiveError("archive format %r is not one of %s" % (archive_format, ", ".join(FORMATS)))
    members = archive_members(top, metadata_bytes, wheels, files, extras)
    if archive_format == "zip":
        _write_zip(dest, members)
    else:
        _write_tar_gz(dest, top, members, files)
    return dest


def _open_source(source):
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")


def _source_size(source):
    return len(source) if isinstance(source, bytes) else os.path.getsize(source)


def _write_zip(dest, members):
    # Like Wagon 1.0: stored, Unix attributes, no directory entries.
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as archive:
        for arcname, source in members:
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | _FILE_MODE) << 16
            size = _source_size(source)
            info.file_size = size
            with _open_source(source) as src, archive.open(info, "w", force_zip64=size > 0x7FFFFFFF) as dst:
                shutil.copyfileobj(src, dst, _CHUNK)


def _tar_info(name, size=0, is_dir=False):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = _DIR_MODE if is_dir else _FILE_MODE
    info.size = size
    info.mtime = FIXED_TIME
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def _write_tar_gz(dest, top, members, files):
    # Like Wagon 1.0: directory entries, sorted members; unlike it, no builder
    # times, owners or file name in the headers, so the bytes are stable.
    directories = [top, posixpath.join(top, "wheels")]
    if files:
        directories.append(posixpath.join(top, "files"))
    entries = [(name + "/", None) for name in directories] + members
    entries.sort(key=lambda entry: entry[0])
    with open(dest, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as zipped:
            with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive:
                for arcname, source in entries:
                    if source is None:
                        archive.addfile(_tar_info(arcname.rstrip("/"), is_dir=True))
                        continue
                    with _open_source(source) as stream:
                        archive.addfile(_tar_info(arcname, _source_size(source)), stream)


# Reading -----------------------------------------------------------------


def open_regular_file(path):
    """Open ``path`` for reading, once; raise ArchiveError unless it is a regular file.

    The open does not block (a FIFO with no writer would hang a plain open),
    and the type is checked on the descriptor, so what is checked is what is
    read, even if the path is swapped meanwhile.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ArchiveError("%s does not exist" % path)
    except OSError as error:
        raise ArchiveError("cannot read %s: %s" % (path, error.strerror or error))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
        raise ArchiveError("%s is %s, not a wagon archive (a regular file)" % (path, kind))
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return os.fdopen(fd, "rb")


def detect_format(stream, path):
    """Return ``"zip"`` or ``"tar"`` from the first bytes of the open ``stream``; raise ArchiveError otherwise."""
    try:
        head = stream.read(512)
        stream.seek(0)
    except OSError as error:
        raise ArchiveError("cannot read %s: %s" % (path, error.strerror or error))
    if not head:
        raise ArchiveError("%s is empty, not a wagon archive" % path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or head[257:262] == b"ustar":
        return "tar"
    raise ArchiveError("%s is not a wagon archive: it is neither a zip nor a tar file" % path)


def checksum_mismatch(label, algorithm, expected, found):
    """The one message for a file whose ``algorithm`` digest is ``found`` where ``expected`` was asked for."""
    return "%s has %s %s, but checksum says %s: not the expected archive (nothing was installed)" % (
        label, algorithm, found, expected)


def check_member_name(archive, name):
    """Return ``name`` without a trailing ``/``; raise ArchiveError if it could escape or confuse."""
    bad = None
    stripped = name[:-1] if name.endswith("/") else name
    parts = stripped.split("/")
    if not stripped:
        bad = "an empty name"
    elif "\x00" in name or "\\" in name:
        bad = "a NUL or backslash in its name"
    elif name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        bad = "an absolute path"
    elif any(part in ("", ".", "..") for part in parts):
        bad = "'..', '.' or an empty part in its path"
    if bad:
        raise ArchiveError("%s holds a member with %s (%r); refusing it" % (archive, bad, name))
    return stripped


class WagonArchive(object):
    """A wagon archive opened for safe reading.

    Opening lists and checks every member (one pass), then finds the single
    top-level directory that holds ``package.json``. Use as a context manager.
    """

    def __init__(self, path, max_members=MAX_MEMBERS, max_total_size=MAX_TOTAL_SIZE):
        self.path = path
        # One descriptor for everything read (members, digests): a path
        # swapped after opening changes nothing of what is checked and used.
        self._stream = open_regular_file(path)
        self._zip = self._tar = None
        self._tar_members = {}
        self.members = {}
        try:
            self.format = detect_format(self._stream, path)
            if self.format == "zip":
                self._zip = zipfile.ZipFile(self._stream)
                entries = self._zip_entries()
            else:
                self._tar = tarfile.open(fileobj=self._stream, mode="r:*")
                entries = self._tar_entries()
            total = 0
            for count, member in enumerate(entries, 1):
                if count > max_members:
                    raise ArchiveError("%s has more than %d members; refusing it" % (path, max_members))
                total += member.size
                if total > max_total_size:
                    raise ArchiveError(
                        "%s would unpack to more than %d bytes; refusing it" % (path, max_total_size)
                    )
                if member.name in self.members:
                    raise ArchiveError("%s holds %s twice; refusing it" % (path, member.name))
                self.members[member.name] = member
        except ArchiveError:
            self.close()
            raise
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, OSError, ValueError, RuntimeError) as error:
            self.close()
            raise ArchiveError("%s is corrupt or truncated: %s" % (path, error))
        try:
            self.top = self._find_top()
        except ArchiveError:
            self.close()
            raise

    def _zip_entries(self):
        for info in self._zip.infolist():
            name = check_member_name(self.path, info.filename)
            mode = info.external_attr >> 16
            is_dir = info.filename.endswith("/")
            # Unix-made zips may carry a file type in the high bits: accept only
            # none, regular files and directories (a symlink is S_IFLNK there).
            if info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise ArchiveError("%s holds %s, which is not a regular file; refusing it" % (self.path, name))
            if info.flag_bits & 0x1:
                raise ArchiveError("%s holds an encrypted member (%s); refusing it" % (self.path, name))
            yield Member(name, 0 if is_dir else info.file_size, is_dir)

    def _tar_entries(self):
        for info in self._tar:
            name = check_member_name(self.path, info.name)
            if not (info.isreg() or info.isdir()) or info.issparse():
                raise ArchiveError(
                    "%s holds %s, which is a link, device or other special file; refusing it" % (self.path, name)
                )
            self._tar_members[name] = info
            yield Member(name, info.size if info.isreg() else 0, info.isdir())

    def _find_top(self):
        tops = sorted(
            name.split("/")[0] for name in self.members
            if name.count("/") == 1 and name.endswith("/" + METADATA_FILENAME) and not self.members[name].is_dir
        )
        if not tops:
            raise ArchiveError("%s is not a wagon: it has no <name>/%s" % (self.path, METADATA_FILENAME))
        if len(tops) > 1:
            raise ArchiveError(
                "%s is not a wagon: several directories hold %s (%s)" % (self.path, METADATA_FILENAME, ", ".join(tops))
            )
        return tops[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for handle in (self._zip, self._tar, self._stream):
            if handle is not None:
                handle.close()
        self._zip = self._tar = self._stream = None

    def digest(self, algorithm="sha256"):
        """The hex ``algorithm`` digest of the whole archive file, read through the descriptor held open."""
        digest = hashlib.new(algorithm)
        fd, offset = self._stream.fileno(), 0
        # pread: the readers' own position in the stream is left alone.
        for chunk in iter(lambda: os.pread(fd, _CHUNK, offset), b""):
            digest.update(chunk)
            offset += len(chunk)
        return digest.hexdigest()

    # Member access ---------------------------------------------------------

    def _member(self, relative):
        name = posixpath.join(self.top, relative)
        member = self.members.get(name)
        if member is None or member.is_dir:
            return None
        return member

    def has(self, relative):
        """True when ``<top>/<relative>`` is a regular file in the archive."""
        return self._member(relative) is not None

    def _open(self, member):
        if self._zip is not None:
            return self._zip.open(member.name)
        return self._tar.extractfile(self._tar_members[member.name])

    def _copy(self, member, target, limit):
        """Stream ``member`` into the open binary ``target``; return its sha256."""
        digest = hashlib.sha256()
        copied = 0
        try:
            with self._open(member) as stream:
                for chunk in iter(lambda: stream.read(_CHUNK), b""):
                    copied += len(chunk)
                    if copied > limit:
                        raise ArchiveError("%s: %s is larger than it says; refusing it" % (self.path, member.name))
                    digest.update(chunk)
                    target.write(chunk)
        except ArchiveError:
            raise
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, ValueError, RuntimeError) as error:
            raise ArchiveError("%s is corrupt or truncated (in %s): %s" % (self.path, member.name, error))
        if copied != member.size:
            raise ArchiveError("%s is corrupt or truncated: %s is short" % (self.path, member.name))
        return digest.hexdigest()

    def read_metadata(self):
        """Return the wagon's WagonMetadata, read without extracting anything."""
        member = self._member(METADATA_FILENAME)
        origin = "%s (%s)" % (self.path, member.name)
        if member.size > MAX_METADATA_SIZE:
            raise MetadataError("%s is larger than %d bytes; refusing it" % (origin, MAX_METADATA_SIZE))
        buffer = io.BytesIO()
        self._copy(member, buffer, MAX_METADATA_SIZE)
        return WagonMetadata.from_json(buffer.getvalue(), origin)

    def read_member(self, relative, limit=MAX_METADATA_SIZE):
        """Return the bytes of ``<top>/<relative>``; raise ArchiveError when it is absent or larger than ``limit``."""
        member = self._member(relative)
        if member is None:
            raise ArchiveError("%s has no %s/%s" % (self.path, self.top, relative))
        if member.size > limit:
            raise ArchiveError("%s: %s is larger than %d bytes; refusing it" % (self.path, member.name, limit))
        buffer = io.BytesIO()
        self._copy(member, buffer, limit)
        return buffer.getvalue()

    def check_listed(self, metadata):
        """Raise MetadataError when the metadata lists a wheel or file the archive lacks."""
        for directory, names in (("wheels", metadata.wheels), ("files", metadata.files)):
            for name in names:
                if not self.has(posixpath.join(directory, name)):
                    raise MetadataError(
                        "%s lists %s/%s, which is not in the archive %s" % (METADATA_FILENAME, directory, name, self.path)
                    )

    def verify(self, directory, names, hashes):
        """Raise ArchiveError unless each named member's sha256 is the one ``hashes`` gives (if any)."""
        for name in names:
            member = self._member(posixpath.join(directory, name))
            if member is None:
                raise MetadataError("%s lists %s/%s, which is not in the archive %s" % (METADATA_FILENAME, directory, name, self.path))
            expected = hashes.get(name)
            if expected:
                self._check_digest(name, self._copy(member, _Discard(), member.size), expected)

    def member_sha256(self, directory, name):
        """The sha256 of ``<top>/<directory>/<name>``, read without extracting it."""
        member = self._member(posixpath.join(directory, name))
        if member is None:
            raise MetadataError("%s lists %s/%s, which is not in the archive %s" % (METADATA_FILENAME, directory, name, self.path))
        return self._copy(member, _Discard(), member.size)

    def _check_digest(self, name, digest, expected):
        if digest != expected:
            raise ArchiveError(
                "%s in %s has sha256 %s, but the wagon's metadata says %s: the archive was altered or damaged"
                % (name, self.path, digest, expected)
            )

    def extract(self, directory, names, dest_dir, hashes=None):
        """Copy ``<top>/<directory>/<name>`` for each name into ``dest_dir``; return ``{name: path}``.

        ``names`` come from checked metadata (plain file names, no paths); the
        engine builds each target path itself. When ``hashes`` has a name, the
        copy's sha256 must match it or ArchiveError is raised. Files are
        created exclusively, never through a link.
        """
        paths = {}
        for name in names:
            if "/" in name or name in ("", ".", ".."):
                raise ArchiveError("refusing to extract %r: not a plain file name" % name)
            member = self._member(posixpath.join(directory, name))
            if member is None:
                raise MetadataError("%s lists %s/%s, which is not in the archive %s" % (METADATA_FILENAME, directory, name, self.path))
            target = os.path.join(dest_dir, name)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(target, flags, _FILE_MODE), "wb") as stream:
                digest = self._copy(member, stream, member.size)
            expected = (hashes or {}).get(name)
            if expected:
                self._check_digest(name, digest, expected)
            paths[name] = target
        return paths
