# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A corpus of hostile wagons (and a few benign odd ones), built in the tests: issue 14's attack, reproducible.

Each :class:`Case` has a ``name``, a ``family``, a builder ``build(directory,
sentinel, port) -> archive path`` and an expectation:

- ``"refused"``: the install must fail cleanly (``pattern``, when given, is a
  regex the one-line message must match);
- ``"accepted"``: a benign oddity that must install;
- ``"either"``: a benign oddity that may install or be refused cleanly.

``sentinel`` is an absolute directory that every hostile path aims at (an
absolute member, a ``..`` chain, a package name, a RECORD line...): whatever
appears in it escaped. ``port`` is the only network address the hostile
metadata names (``http://127.0.0.1:PORT/``): a listener there counts attempts.

Valid bases come from :func:`tests.support.fixtures.make_wheel` and
:func:`tests.support.wagons.make_wagon`; the corruption is done here at a low
level with zipfile, tarfile and raw bytes, so the engine's own writer cannot
tidy it away. Every archive is small on disk (bombs declare, or compress, their
size). ``python -m tests.support.hostile DIR`` writes the whole corpus to DIR.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import stat
import struct
import sys
import tarfile
import zipfile
from collections import namedtuple

from tests.support.fixtures import make_wheel
from tests.support.wagons import make_wagon

Case = namedtuple("Case", ["name", "family", "build", "expect", "pattern"])

NAME, VERSION = "hostile-demo", "1.0"
DIST = "hostile_demo"
WHEEL = "hostile_demo-1.0-py3-none-any.whl"
INFO = "hostile_demo-1.0.dist-info"
TOP = NAME
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_ATTR = (stat.S_IFREG | 0o644) << 16

# The central directory record of a zip (APPNOTE 4.3.12), and the end record.
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")

CASES = []


def case(family, expect="refused", pattern=None, name=None):
    """Register the decorated builder as a case named after it (``_`` become ``-``) unless ``name`` is given."""
    def register(build):
        CASES.append(Case(name or build.__name__.replace("_", "-"), family, build, expect, pattern))
        return build
    return register


# Bases and low-level writers -----------------------------------------------------------------------


def base_wheel(directory):
    """The valid main wheel ``hostile_demo-1.0-py3-none-any.whl`` in ``directory/src``; return its path."""
    src = os.path.join(str(directory), "src")
    os.makedirs(src, exist_ok=True)
    return make_wheel(src, NAME, VERSION)


def base_wagon(directory, archive_format="zip", hashes=True):
    """A valid wagon of the base wheel, written by the collection's own writer; return its path."""
    return make_wagon(str(directory), [base_wheel(directory)], hashes=hashes, archive_format=archive_format)


def members_of(path):
    """``[(name, bytes)]`` of the zip or tar wagon at ``path``, files only, in order."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist() if not info.is_dir()]
    with tarfile.open(path) as archive:
        return [(info.name, archive.extractfile(info).read()) for info in archive.getmembers() if info.isreg()]


def base_members(directory, hashes=True):
    """``[(name, bytes)]`` of the valid wagon: package.json first, then the wheel."""
    return members_of(base_wagon(directory, hashes=hashes))


def base_metadata(directory, hashes=True):
    """``(package.json as a dict, wheel bytes)`` of the valid wagon."""
    members = dict(base_members(directory, hashes))
    return json.loads(members[TOP + "/package.json"].decode("utf-8")), members[TOP + "/wheels/" + WHEEL]


def write_zip(path, entries, compression=zipfile.ZIP_STORED):
    """Write ``entries`` to a zip at ``path``, as given (duplicates too); return ``path``.

    Each entry is ``(name, bytes)`` or ``(name, bytes, external_attr)``.
    """
    with zipfile.ZipFile(str(path), "w", compression) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry[0], ZIP_TIME)
            info.create_system = 3
            info.compress_type = compression
            info.external_attr = entry[2] if len(entry) > 2 else FILE_ATTR
            archive.writestr(info, entry[1])
    return str(path)


def tar_entry(name, data=b"", kind=tarfile.REGTYPE, linkname="", size=None, pax=None):
    """One tar member: ``(TarInfo, bytes or None)``."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    info.mtime = 315532800
    if pax:
        info.pax_headers = dict(pax)
    if kind == tarfile.REGTYPE:
        info.size = len(data) if size is None else size
        return info, data
    return info, None


def write_tar(path, entries, compression="gz"):
    """Write ``entries`` (``(name, bytes)`` pairs or tar_entry results) to a PAX tar; return ``path``."""
    mode = "w:" + compression if compression else "w"
    with tarfile.open(str(path), mode, format=tarfile.PAX_FORMAT) as archive:
        for entry in entries:
            info, data = entry if isinstance(entry[0], tarfile.TarInfo) else tar_entry(*entry)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def wagon_from(directory, entries, archive_format="zip"):
    """Write ``entries`` as ``directory/hostile.wgn`` in ``archive_format`` (``zip`` or a tar compression)."""
    path = os.path.join(str(directory), "hostile.wgn")
    if archive_format == "zip":
        return write_zip(path, entries)
    return write_tar(path, entries, None if archive_format == "tar" else archive_format)


def metadata_bytes(data):
    return json.dumps(data, indent=4, sort_keys=True).encode("ascii")


def wagon_with_metadata(directory, raw, wheels=None, top=TOP):
    """A zip wagon whose package.json is ``raw`` (bytes, or a dict to dump) and whose wheels are the base wheel's."""
    data, wheel = base_metadata(directory)
    del data
    if isinstance(raw, dict):
        raw = metadata_bytes(raw)
    wheels = {WHEEL: wheel} if wheels is None else wheels
    entries = [(top + "/package.json", raw)] + [(top + "/wheels/" + name, body) for name, body in sorted(wheels.items())]
    if len(raw) > 64 * 1024:  # keep big metadata small on disk
        return write_zip(os.path.join(str(directory), "hostile.wgn"), entries, zipfile.ZIP_DEFLATED)
    return wagon_from(directory, entries)


def edited_metadata(edit):
    """A builder: the valid wagon with ``edit(data, sentinel, port)`` applied to its package.json dict."""
    def build(directory, sentinel, port):
        data, wheel = base_metadata(directory)
        edit(data, sentinel, port)
        return wagon_with_metadata(directory, data, {WHEEL: wheel})
    return build


def _record_line(member, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d\n" % (member, digest, len(data))


def wheel_bytes(members, info=INFO, record=None, metadata_name=NAME, metadata_version=VERSION, wheel_text=None):
    """The bytes of a hand-made wheel: ``members`` ([(name, bytes[, attr])]) plus METADATA, WHEEL and RECORD.

    ``record`` replaces the computed RECORD text; ``info`` None leaves the dist-info out.
    """
    members = list(members)
    if info is not None:
        members += [
            ("%s/METADATA" % info, ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (metadata_name, metadata_version)).encode()),
            ("%s/WHEEL" % info, (wheel_text or "Wheel-Version: 1.0\nGenerator: hostile\nRoot-Is-Purelib: true\nTag: py3-none-any\n").encode()),
        ]
        if record is None:
            record = "".join(_record_line(m[0], m[1]) for m in members) + "%s/RECORD,,\n" % info
        members.append(("%s/RECORD" % info, record.encode("utf-8")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in members:
            zinfo = zipfile.ZipInfo(entry[0], ZIP_TIME)
            zinfo.create_system = 3
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zinfo.external_attr = entry[2] if len(entry) > 2 else FILE_ATTR
            archive.writestr(zinfo, entry[1])
    return buffer.getvalue()


def good_module():
    return ("%s/__init__.py" % DIST, b"VERSION = '1.0'\n")


def wagon_of_wheel(directory, body, filename=WHEEL, hashes=True):
    """A wagon that is valid except for the wheel ``body`` (its sha256 and size recorded truthfully)."""
    data, wheel = base_metadata(directory, hashes)
    del wheel
    if filename != WHEEL:
        data["wheels"] = [filename]
        data.get("offline_wagon", {}).get("wheels", {})[filename] = data.get("offline_wagon", {}).get("wheels", {}).pop(WHEEL, {})
    if hashes:
        data["offline_wagon"]["wheels"][filename].update(sha256=hashlib.sha256(body).hexdigest(), size=len(body))
    return wagon_with_metadata(directory, data, {filename: body})


def hostile_wheel(**kwargs):
    """A builder: a valid wagon holding ``wheel_bytes(**kwargs)``; ``members`` may be a function of the sentinel."""
    def build(directory, sentinel, port):
        del port
        members = kwargs.get("members", [good_module()])
        if callable(members):
            members = members(sentinel)
        record = kwargs.get("record")
        if callable(record):
            record = record(sentinel)
        options = {k: v for k, v in kwargs.items() if k not in ("members", "record")}
        return wagon_of_wheel(directory, wheel_bytes(members, record=record, **options))
    return build


def patch_central(path, edit):
    """Rewrite the zip's central directory in place: ``edit(name, fields)`` may change a record's fields (a dict).

    Fields: crc, compress_size, file_size, external_attr, header_offset, flag_bits.
    """
    with open(path, "rb") as stream:
        data = bytearray(stream.read())
    end = data.rfind(b"PK\x05\x06")
    fields_of_end = _END.unpack_from(data, end)
    count, start = fields_of_end[4], fields_of_end[6]
    position = start
    while count:
        count -= 1
        record = list(_CENTRAL.unpack_from(data, position))
        name_length, extra_length, comment_length = record[12], record[13], record[14]
        name = bytes(data[position + _CENTRAL.size:position + _CENTRAL.size + name_length]).decode("utf-8", "replace")
        fields = {"flag_bits": record[5], "crc": record[9], "compress_size": record[10], "file_size": record[11],
                  "external_attr": record[17], "header_offset": record[18]}
        edit(name, fields)
        record[5], record[9], record[10], record[11] = fields["flag_bits"], fields["crc"], fields["compress_size"], fields["file_size"]
        record[17], record[18] = fields["external_attr"], fields["header_offset"]
        _CENTRAL.pack_into(data, position, *record)
        position += _CENTRAL.size + name_length + extra_length + comment_length
    with open(path, "wb") as stream:
        stream.write(bytes(data))
    return path


def replace_bytes(path, old, new, count=-1):
    """Replace ``old`` by ``new`` (same length) in the file at ``path``."""
    assert len(old) == len(new)
    with open(path, "rb") as stream:
        data = stream.read()
    assert old in data, (old, path)
    with open(path, "wb") as stream:
        stream.write(data.replace(old, new, count))
    return path


def truncate(path, keep):
    """Cut the file at ``path`` to ``keep`` bytes (a fraction when below 1)."""
    size = os.path.getsize(path)
    with open(path, "r+b") as stream:
        stream.truncate(int(size * keep) if keep < 1 else keep)
    return path


def dotdot(sentinel, leaf="x"):
    """A relative path that climbs to / from any depth, then descends to ``sentinel/leaf``."""
    return "../" * 40 + sentinel.lstrip("/") + "/" + leaf


def with_extra_member(name_of, archive_format="zip", data=b"escaped\n"):
    """A builder: the valid wagon plus one member named ``name_of(sentinel)``."""
    def build(directory, sentinel, port):
        del port
        entries = base_members(directory) + [(name_of(sentinel), data)]
        return wagon_from(directory, entries, archive_format)
    return build


def with_tar_entry(make_entry, archive_format="gz"):
    """A builder: the valid wagon as a tar plus ``make_entry(sentinel)`` (a tar_entry, or a list of them)."""
    def build(directory, sentinel, port):
        del port
        extra = make_entry(sentinel)
        extra = extra if isinstance(extra, list) else [extra]
        return wagon_from(directory, base_members(directory) + extra, archive_format)
    return build


# Path tricks in archive members ----------------------------------------------------------------------

# (name, what the message must say, expectation, member name from the sentinel, also as a tar?)
PATH_TRICKS = [
    ("member-absolute-path", "absolute", "refused", lambda s: s + "/x", True),
    ("member-dotdot", r"\.\.", "refused", lambda s: TOP + "/" + dotdot(s), True),
    ("member-dotdot-top", r"\.\.", "refused", dotdot, False),
    ("member-dotdot-in-wheels", r"\.\.", "refused", lambda s: TOP + "/wheels/" + dotdot(s, "x.whl"), False),
    ("member-backslash", "backslash", "refused", lambda s: TOP + "\\" + "..\\" * 40 + s.lstrip("/").replace("/", "\\") + "\\x", True),
    ("member-dot-part", None, "refused", lambda s: TOP + "/./files/x", False),
    ("member-empty-part", None, "refused", lambda s: TOP + "//files/x", False),
    ("member-drive-letter", "absolute", "refused", lambda s: "C:/Windows/x", False),
    ("member-long-name", None, "either", lambda s: TOP + "/" + "n" * 5000, True),
    ("member-deep-path", None, "either", lambda s: TOP + "/" + "d/" * 2000 + "x", False),
]

for _name, _pattern, _expect, _member, _tar_too in PATH_TRICKS:
    case("path", _expect, _pattern, name=_name + "-zip")(with_extra_member(_member, "zip"))
    if _tar_too:
        case("path", _expect, _pattern, name=_name + "-tar")(with_extra_member(_member, "gz"))


@case("path")
def member_absolute_package_json_zip(directory, sentinel, port):
    # The only package.json is at an absolute path.
    del port
    members = base_members(directory)
    return wagon_from(directory, [(sentinel + "/" + TOP + "/package.json", members[0][1])] + members[1:])


@case("path", "either")
def member_nul_zip(directory, sentinel, port):
    # zipfile cuts a name at NUL on reading: the member then looks like "<top>/files/evil".
    path = with_extra_member(lambda s: TOP + "/files/evil~0~name")(directory, sentinel, port)
    return replace_bytes(path, b"~0~", b"~\x00~")


@case("path")
def member_nul_duplicates_package_json_zip(directory, sentinel, port):
    # Cut at its NUL, the second member is the package.json again, with a hostile name.
    data, wheel = base_metadata(directory)
    hostile = dict(data, package_name=sentinel + "/x")
    entries = [(TOP + "/package.json", metadata_bytes(data)), (TOP + "/package.json~0~x", metadata_bytes(hostile)),
               (TOP + "/wheels/" + WHEEL, wheel)]
    return replace_bytes(wagon_from(directory, entries), b"~0~", b"\x00~~")


@case("path", pattern="NUL|backslash")
def member_nul_pax_tar(directory, sentinel, port):
    del port
    return wagon_from(directory, base_members(directory) + [
        tar_entry(TOP + "/files/x", b"x", pax={"path": TOP + "/files/evil\x00" + dotdot(sentinel)})], "gz")


@case("path", pattern="absolute")
def member_absolute_pax_tar(directory, sentinel, port):
    # The ustar name is harmless; the PAX path that overrides it is absolute.
    del port
    return wagon_from(directory, base_members(directory) + [
        tar_entry(TOP + "/files/x", b"x", pax={"path": sentinel + "/x"})], "gz")


@case("path", pattern="absolute|'\\.\\.'")
def member_absolute_gnu_longname_tar(directory, sentinel, port):
    del port
    path = os.path.join(str(directory), "hostile.wgn")
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as archive:
        for name, data in base_members(directory) + [("/" + "a" * 120 + "/../" + sentinel.lstrip("/") + "/x", b"x")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


# Tar specials ----------------------------------------------------------------------------------------

case("tar-special", pattern="link|special", name="tar-symlink-wheel")(with_tar_entry(
    lambda s: tar_entry(TOP + "/wheels/link-1.0-py3-none-any.whl", kind=tarfile.SYMTYPE, linkname=s + "/x")))
case("tar-special", pattern="link|special", name="tar-symlink-dir-then-file")(with_tar_entry(lambda s: [
    tar_entry(TOP + "/files", kind=tarfile.SYMTYPE, linkname=s), tar_entry(TOP + "/files/x", b"escaped")]))
case("tar-special", pattern="link|special", name="tar-hardlink-to-passwd")(with_tar_entry(
    lambda s: tar_entry(TOP + "/files/passwd", kind=tarfile.LNKTYPE, linkname="/etc/passwd")))
case("tar-special", pattern="link|special|device", name="tar-char-device")(with_tar_entry(
    lambda s: tar_entry(TOP + "/files/null", kind=tarfile.CHRTYPE)))
case("tar-special", pattern="link|special", name="tar-fifo")(with_tar_entry(
    lambda s: tar_entry(TOP + "/files/fifo", kind=tarfile.FIFOTYPE)))
case("tar-special", pattern="twice", name="tar-duplicate-member")(with_tar_entry(
    lambda s: [tar_entry(TOP + "/files/x", b"1"), tar_entry(TOP + "/files/x", b"2")]))


@case("tar-special", pattern="link|special")
def tar_symlink_package_json(directory, sentinel, port):
    del sentinel, port
    members = base_members(directory)
    return wagon_from(directory, [tar_entry(TOP + "/package.json", kind=tarfile.SYMTYPE, linkname="/etc/passwd")]
                      + members[1:], "gz")


@case("tar-special", pattern="twice")
def tar_duplicate_package_json(directory, sentinel, port):
    # A tar reader that keeps the last of two members would take the hostile one.
    del port
    members = base_members(directory)
    data = json.loads(members[0][1])
    hostile = metadata_bytes(dict(data, package_name=sentinel + "/x"))
    return wagon_from(directory, members + [(TOP + "/package.json", hostile)], "gz")


@case("tar-special", pattern="sparse|special|link")
def tar_sparse_member(directory, sentinel, port):
    del sentinel, port
    path = os.path.join(str(directory), "hostile.wgn")
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as archive:
        for name, data in base_members(directory):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo(TOP + "/files/sparse")
        info.type = tarfile.GNUTYPE_SPARSE
        archive.addfile(info)
    return path


@case("tar-special", pattern="truncated|corrupt")
def tar_gz_truncated_half(directory, sentinel, port):
    del sentinel, port
    return truncate(base_wagon(directory, "tar.gz"), 0.5)


@case("tar-special", "either")
def tar_gz_bad_crc(directory, sentinel, port):
    # Only the gzip trailer is wrong: a reader that stops at the tar's end never sees it (every byte is hashed anyway).
    del sentinel, port
    path = base_wagon(directory, "tar.gz")
    with open(path, "r+b") as stream:
        stream.seek(-8, os.SEEK_END)
        crc = stream.read(4)
        stream.seek(-8, os.SEEK_END)
        stream.write(bytes(b ^ 0xFF for b in crc))
    return path


@case("tar-special", pattern="truncated|corrupt|short")
def tar_plain_truncated_member(directory, sentinel, port):
    # Cut in the middle of the wheel's data: its header says more bytes than the file holds.
    del sentinel, port
    path = wagon_from(directory, base_members(directory), "tar")
    with tarfile.open(path) as archive:
        wheel = archive.getmember(TOP + "/wheels/" + WHEEL)
    return truncate(path, wheel.offset_data + wheel.size // 2)


@case("tar-special", pattern="larger|more than|truncated|corrupt")
def tar_declared_huge_members(directory, sentinel, port):
    # Headers declaring 3 x 12 GiB (PAX sizes); the data is not there.
    del sentinel, port
    entries = base_members(directory) + [tar_entry(TOP + "/files/big%d" % i, b"", size=0) for i in range(3)]
    path = wagon_from(directory, entries, "tar")
    with open(path, "rb") as stream:
        data = stream.read()
    with open(path, "wb") as stream:
        # Rewrite the three size fields (octal, 11 digits + NUL) as base-256 12 GiB.
        for i in range(3):
            marker = ("%s/files/big%d" % (TOP, i)).encode()
            at = data.index(marker + b"\x00")
            size = (12 * 1024 ** 3).to_bytes(11, "big")
            header = bytearray(data[at:at + 512])
            header[124:136] = b"\x80" + size
            header[148:156] = b"        "
            header[148:156] = ("%06o\x00 " % sum(header)).encode()
            data = data[:at] + bytes(header) + data[at + 512:]
        stream.write(data)
    return path


@case("bomb", pattern="larger|more than")
def gzip_bomb_package_json(directory, sentinel, port):
    # A package.json of 64 MiB (JSON padded with spaces): about 64 KiB gzipped.
    del sentinel, port
    members = base_members(directory)
    return wagon_from(directory, [(TOP + "/package.json", members[0][1] + b" " * (64 * 1024 ** 2))] + members[1:], "gz")


@case("bomb", "either")
def gzip_bomb_trailing_zeros(directory, sentinel, port):
    # 48 MiB of zero blocks after the tar's end: a reader may stop at the end marker.
    del sentinel, port
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in base_members(directory):
            info, body = tar_entry(name, data)
            archive.addfile(info, io.BytesIO(body))
    path = os.path.join(str(directory), "hostile.wgn")
    with gzip.GzipFile(path, "wb", compresslevel=6, mtime=0) as stream:
        stream.write(raw.getvalue())
        zeros = b"\x00" * (1024 ** 2)
        for megabyte in range(48):
            stream.write(zeros[megabyte:] + zeros[:megabyte])
    return path


@case("bomb", pattern="more than")
def tar_absurd_member_count(directory, sentinel, port):
    del sentinel, port
    entries = base_members(directory) + [tar_entry(TOP + "/files/f%d" % i) for i in range(21000)]
    return wagon_from(directory, entries, "gz")


# Zip specials ----------------------------------------------------------------------------------------

case("zip-special", pattern="regular|link|special", name="zip-symlink-member")(lambda d, s, p: wagon_from(
    d, base_members(d) + [(TOP + "/files/link", s.encode() + b"/x", (stat.S_IFLNK | 0o777) << 16)]))
case("zip-special", pattern="regular|link|special", name="zip-symlink-package-json")(lambda d, s, p: wagon_from(
    d, [(TOP + "/package.json", b"/etc/passwd", (stat.S_IFLNK | 0o777) << 16)] + base_members(d)[1:]))
case("zip-special", pattern="regular|special", name="zip-fifo-member")(lambda d, s, p: wagon_from(
    d, base_members(d) + [(TOP + "/files/fifo", b"", (stat.S_IFIFO | 0o644) << 16)]))
case("zip-special", pattern="regular|special", name="zip-char-device-member")(lambda d, s, p: wagon_from(
    d, base_members(d) + [(TOP + "/files/null", b"", (stat.S_IFCHR | 0o644) << 16)]))
case("zip-special", pattern="twice", name="zip-duplicate-member")(lambda d, s, p: wagon_from(
    d, base_members(d) + [(TOP + "/files/x", b"1"), (TOP + "/files/x", b"2")]))
case("zip-special", pattern="no <name>/package.json|not a wagon", name="zip-package-json-is-directory")(
    lambda d, s, p: wagon_from(d, [(TOP + "/package.json/", b"", (stat.S_IFDIR | 0o755) << 16)] + base_members(d)[1:]))


@case("zip-special", pattern="twice")
def zip_duplicate_package_json(directory, sentinel, port):
    del port
    members = base_members(directory)
    hostile = metadata_bytes(dict(json.loads(members[0][1]), package_name=sentinel + "/x"))
    return wagon_from(directory, members + [(TOP + "/package.json", hostile)])


@case("zip-special", pattern="encrypted")
def zip_encrypted_flag(directory, sentinel, port):
    del sentinel, port
    return patch_central(base_wagon(directory), lambda name, f: f.update(flag_bits=f["flag_bits"] | 1))


@case("zip-special", pattern="corrupt|truncated|differ|overlap")
def zip_overlapping_entries(directory, sentinel, port):
    # The wheel's directory record points at package.json's local header: two names, one body.
    del sentinel, port
    path = base_wagon(directory)
    offsets = {}
    patch_central(path, lambda name, f: offsets.setdefault(name, f["header_offset"]))
    return patch_central(path, lambda name, f: f.update(header_offset=offsets[TOP + "/package.json"])
                         if name.endswith(".whl") else None)


@case("zip-special", "either")
def zip_overlapping_quoted_overlap(directory, sentinel, port):
    # Like the "better zip bomb": a second entry whose data overlaps the first one's (neither is ever read).
    del sentinel, port
    path = wagon_from(directory, base_members(directory) + [(TOP + "/files/a", b"A" * 4000), (TOP + "/files/b", b"B" * 4000)])
    offsets = {}
    patch_central(path, lambda name, f: offsets.setdefault(name, f["header_offset"]))
    return patch_central(path, lambda name, f: f.update(header_offset=offsets[TOP + "/files/a"] + 30 + len(TOP) + 8)
                         if name.endswith("/files/b") else None)


@case("zip-special", pattern="corrupt|truncated|CRC")
def zip_bad_crc_package_json(directory, sentinel, port):
    del sentinel, port
    return patch_central(base_wagon(directory), lambda name, f: f.update(crc=f["crc"] ^ 0xFFFF)
                         if name.endswith("package.json") else None)


@case("zip-special", pattern="corrupt|truncated|CRC|altered")
def zip_bad_crc_wheel(directory, sentinel, port):
    del sentinel, port
    return patch_central(base_wagon(directory), lambda name, f: f.update(crc=f["crc"] ^ 0xFFFF)
                         if name.endswith(".whl") else None)


@case("zip-special", pattern="corrupt|truncated|CRC|altered")
def zip_flipped_byte_in_wheel(directory, sentinel, port):
    del sentinel, port
    path = base_wagon(directory)
    with open(path, "r+b") as stream:
        data = stream.read()
        at = data.index(b"PK\x03\x04", data.index(WHEEL.encode()) + 1) + 40  # inside the stored wheel
        stream.seek(at)
        stream.write(bytes([data[at] ^ 0x55]))
    return path


@case("zip-special", pattern="corrupt|truncated|neither")
def zip_truncated_half(directory, sentinel, port):
    del sentinel, port
    return truncate(base_wagon(directory), 0.5)


@case("zip-special", pattern="corrupt|truncated|short|larger")
def zip_size_lie_short(directory, sentinel, port):
    # The directory says package.json is 10 bytes shorter than it is.
    del sentinel, port
    return patch_central(base_wagon(directory), lambda name, f: f.update(
        file_size=f["file_size"] - 10, compress_size=f["compress_size"] - 10) if name.endswith("package.json") else None)


@case("bomb", pattern="larger|more than")
def zip_bomb_declared_huge_sizes(directory, sentinel, port):
    # Nine members of one byte each declaring 4 GiB: 36 GiB, over any sane total.
    del sentinel, port
    path = wagon_from(directory, base_members(directory) + [(TOP + "/files/pad%d" % i, b"x") for i in range(9)])
    return patch_central(path, lambda name, f: f.update(file_size=0xFFFFFFF0) if "/files/pad" in name else None)


@case("bomb", pattern="larger|more than")
def zip_bomb_declared_huge_package_json(directory, sentinel, port):
    del sentinel, port
    return patch_central(base_wagon(directory), lambda name, f: f.update(file_size=0xFFFFFFF0)
                         if name.endswith("package.json") else None)


@case("bomb", pattern="larger|more than")
def zip_bomb_deflated_package_json(directory, sentinel, port):
    # 64 MiB of package.json (valid JSON, padded) deflated to about 64 KiB.
    del sentinel, port
    members = base_members(directory)
    path = os.path.join(str(directory), "hostile.wgn")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(TOP + "/package.json", members[0][1] + b" " * (64 * 1024 ** 2))
        archive.writestr(members[1][0], members[1][1])
    return path


@case("bomb", pattern="more than")
def zip_absurd_member_count(directory, sentinel, port):
    del sentinel, port
    return wagon_from(directory, base_members(directory) + [(TOP + "/f/%d" % i, b"") for i in range(21000)])


@case("zip-special", "either")
def zip_prepended_junk(directory, sentinel, port):
    # A self-extracting-style prefix before the first local header.
    del sentinel, port
    path = base_wagon(directory)
    with open(path, "rb") as stream:
        data = stream.read()
    with open(path, "wb") as stream:
        stream.write(b"#!/bin/sh\necho hi\nexit 0\n" + data)
    return path


@case("zip-special", pattern="not a wagon|several")
def zip_two_package_jsons_in_two_tops(directory, sentinel, port):
    del port
    members = base_members(directory)
    hostile = metadata_bytes(dict(json.loads(members[0][1]), package_name=sentinel + "/x"))
    return wagon_from(directory, members + [("other/package.json", hostile)])


# Hostile wheels inside an otherwise valid wagon -----------------------------------------------------

case("wheel", pattern="RECORD", name="wheel-record-hash-mismatch")(hostile_wheel(
    record="%s/__init__.py,sha256=%s,16\n%s/METADATA,,\n%s/WHEEL,,\n%s/RECORD,,\n" % (DIST, "A" * 43, INFO, INFO, INFO)))
case("wheel", "either", name="wheel-record-missing-entry")(hostile_wheel(
    record="%s/METADATA,,\n%s/WHEEL,,\n%s/RECORD,,\n" % (INFO, INFO, INFO)))
case("wheel", pattern="RECORD|outside|escape|'\\.\\.'|absolute", name="wheel-record-lists-dotdot")(hostile_wheel(
    record=lambda s: _record_line(*good_module()) + "%s,,\n%s/METADATA,,\n%s/WHEEL,,\n%s/RECORD,,\n" % (dotdot(s), INFO, INFO, INFO)))
case("wheel", pattern="RECORD|outside|escape|absolute", name="wheel-record-lists-absolute")(hostile_wheel(
    record=lambda s: _record_line(*good_module()) + "%s/x,,\n%s/METADATA,,\n%s/WHEEL,,\n%s/RECORD,,\n" % (s, INFO, INFO, INFO)))
case("wheel", pattern="RECORD|csv", name="wheel-record-not-csv")(hostile_wheel(record="\x00\x00\"unterminated\n"))
case("wheel", pattern="outside|escape|'\\.\\.'|unsafe|path", name="wheel-member-dotdot")(hostile_wheel(
    members=lambda s: [good_module(), (dotdot(s), b"escaped\n")]))
case("wheel", pattern="outside|escape|absolute|unsafe|path", name="wheel-member-absolute")(hostile_wheel(
    members=lambda s: [good_module(), (s + "/x", b"escaped\n")]))
case("wheel", pattern="outside|escape|backslash|unsafe|path", name="wheel-member-backslash")(hostile_wheel(
    members=lambda s: [good_module(), ("..\\" * 40 + s.lstrip("/").replace("/", "\\") + "\\x", b"escaped\n")]))
case("wheel", "either", name="wheel-member-symlink-attr")(hostile_wheel(
    members=lambda s: [good_module(), (DIST + "/link", (s + "/x").encode(), (stat.S_IFLNK | 0o777) << 16)]))
case("wheel", pattern="outside|escape|'\\.\\.'|unsafe|path|scheme", name="wheel-data-scripts-dotdot")(hostile_wheel(
    members=lambda s: [good_module(), ("%s-1.0.data/scripts/%s" % (DIST, dotdot(s)), b"#!python\nprint(1)\n")]))
case("wheel", pattern="outside|escape|'\\.\\.'|unsafe|path|scheme", name="wheel-data-headers-dotdot")(hostile_wheel(
    members=lambda s: [good_module(), ("%s-1.0.data/headers/%s" % (DIST, dotdot(s)), b"/* x */\n")]))
case("wheel", pattern="scheme|data", name="wheel-data-unknown-scheme")(hostile_wheel(
    members=[good_module(), ("%s-1.0.data/evil/x" % DIST, b"x\n")]))
case("wheel", "either", name="wheel-data-scripts-odd-shebang")(hostile_wheel(
    members=[good_module(), ("%s-1.0.data/scripts/tool" % DIST, b"#!python -c 'import os'\n--find-links http://x\n")]))
case("wheel", pattern="outside|escape|'\\.\\.'|entry|script|name", name="wheel-console-script-dotdot-name")(hostile_wheel(
    members=lambda s: [good_module(), ("%s/entry_points.txt" % INFO, ("[console_scripts]\n%s = %s:main\n" % (dotdot(s), DIST)).encode())]))
case("wheel", pattern="dist-info|name|METADATA", name="wheel-dist-info-name-mismatch")(hostile_wheel(
    members=[good_module()], info="other_pkg-1.0.dist-info"))
# METADATA agrees with the file name, so only the identity check (not the outcome check) can refuse it.
case("wheel", pattern="dist-info|version", name="wheel-dist-info-version-differs")(hostile_wheel(
    members=[good_module()], info="hostile_demo-9.9.dist-info"))
case("wheel", pattern="dist-info|name|METADATA", name="wheel-metadata-name-differs")(hostile_wheel(
    members=[good_module()], metadata_name="other-pkg"))
case("wheel", pattern="dist-info|version|METADATA", name="wheel-metadata-version-differs")(hostile_wheel(
    members=[good_module()], metadata_version="6.6.6"))
case("wheel", pattern="dist-info|METADATA", name="wheel-no-dist-info")(hostile_wheel(members=[good_module()], info=None))
case("wheel", pattern="Wheel-Version|version|WHEEL", name="wheel-version-2")(hostile_wheel(
    wheel_text="Wheel-Version: 2.0\nGenerator: hostile\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))


@case("wheel", pattern="dist-info")
def wheel_two_dist_infos(directory, sentinel, port):
    del sentinel, port
    extra = [("other_pkg-2.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: other-pkg\nVersion: 2.0\n"),
             ("other_pkg-2.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")]
    return wagon_of_wheel(directory, wheel_bytes([good_module()] + extra))


@case("wheel", pattern="not a readable wheel|zip|wheel")
def wheel_not_a_zip(directory, sentinel, port):
    del sentinel, port
    return wagon_of_wheel(directory, b"this is not a zip file at all\n" * 10)


@case("wheel", "either")
def wheel_duplicate_member(directory, sentinel, port):
    del sentinel, port
    return wagon_of_wheel(directory, wheel_bytes([good_module(), ("%s/__init__.py" % DIST, b"VERSION = 'evil'\n")]))


@case("wheel", "either")
def wheel_member_declares_huge_size(directory, sentinel, port):
    # The directory says 4 GiB, the data inflates to 100 bytes: refusing or installing those bytes are both fine.
    del sentinel, port
    buffer = os.path.join(str(directory), "w.whl")
    with open(buffer, "wb") as stream:
        stream.write(wheel_bytes([good_module(), (DIST + "/blob", b"z" * 100)]))
    patch_central(buffer, lambda name, f: f.update(file_size=0xFFFFFFF0) if name.endswith("/blob") else None)
    with open(buffer, "rb") as stream:
        body = stream.read()
    os.unlink(buffer)
    return wagon_of_wheel(directory, body)


@case("wheel", "either")
def wheel_pth_prints(directory, sentinel, port):
    # A .pth that prints on every start must not break the module's probes (issue 14, item 12).
    del sentinel, port
    return wagon_of_wheel(directory, wheel_bytes([good_module(), ("noisy.pth", b"import sys; print('noise from a .pth')\n")]))


@case("wheel", "either")
def wheel_pth_writes_sentinel(directory, sentinel, port):
    # A .pth whose code writes into the sentinel: the module's probes must not run it.
    del port
    code = "import os; open(os.path.join(%r, 'pth-ran'), 'w').close()\n" % sentinel
    return wagon_of_wheel(directory, wheel_bytes([good_module(), ("hook.pth", ("import os; exec(%r)\n" % code).encode())]))


@case("wheel", pattern="name|wheel|match|differ")
def wheel_file_name_other_distribution(directory, sentinel, port):
    # The wagon lists pip's file name; the wheel inside is ours.
    del sentinel, port
    return wagon_of_wheel(directory, wheel_bytes([good_module()]), filename="pip-99.0-py3-none-any.whl")


# Bad metadata -------------------------------------------------------------------------------------------


def _set(key, value):
    """An edit that sets ``key`` to ``value`` (a function of sentinel and port, or a constant)."""
    def edit(data, sentinel, port):
        data[key] = value(sentinel, port) if callable(value) else value
    return edit


def _set_wheel_info(key, value):
    def edit(data, sentinel, port):
        data["offline_wagon"]["wheels"][WHEEL][key] = value(sentinel, port) if callable(value) else value
    return edit


def _url(port, path=""):
    return "http://127.0.0.1:%d/%s" % (port, path)


_NAME = "package_name|name|distribution"
for _name, _value in [
    ("absolute", lambda s, p: s + "/x"),
    ("with-slash", "evil/x"),
    ("dotdot", lambda s, p: dotdot(s)),
    ("nul", "hostile-demo\x00x"),
    ("newline", "hostile-demo\n--find-links http://127.0.0.1"),
    ("300-chars", "a" * 300),
    ("empty", ""),
    ("int", 42),
    ("list", ["hostile-demo"]),
    ("option", "-r/etc/passwd"),
]:
    case("metadata", pattern=_NAME, name="package-name-" + _name)(edited_metadata(_set("package_name", _value)))

case("metadata", pattern=_NAME, name="package-name-missing")(edited_metadata(lambda d, s, p: d.pop("package_name")))

for _name, _value in [
    ("whitespace", "1.0 "),
    ("newline", "1.0\n-c http://127.0.0.1"),
    ("semicolon", "1.0;python_version>'0'"),
    ("index-url", lambda s, p: "1.0 --index-url " + _url(p)),
]:
    case("metadata", pattern="version", name="package-version-" + _name)(edited_metadata(_set("package_version", _value)))

case("metadata", pattern="build_tag|version", name="package-build-tag-dotdot")(
    edited_metadata(_set("package_build_tag", lambda s, p: dotdot(s))))
case("metadata", pattern="platform", name="supported-platform-newline")(
    edited_metadata(_set("supported_platform", "any\n--extra-index-url http://127.0.0.1")))
case("metadata", pattern="python_versions|label", name="supported-python-versions-hostile")(
    edited_metadata(_set("supported_python_versions", ["py3\n-r /etc/passwd"])))

for _name, _value in [
    ("int", [7]),
    ("list", [[WHEEL]]),
    ("find-links", lambda s, p: [WHEEL + "\n--find-links " + _url(p)]),
    ("requirements-passwd", ["-r /etc/passwd"]),
    ("constraint-url", lambda s, p: ["-c " + _url(p, "c.txt")]),
    ("dotdot", lambda s, p: [dotdot(s, WHEEL)]),
    ("absolute", lambda s, p: [s + "/" + WHEEL]),
    ("not-a-list", WHEEL),
    ("nul", [WHEEL + "\x00.whl"]),
]:
    case("metadata", pattern="wheel", name="wheels-" + _name)(edited_metadata(_set("wheels", _value)))

case("metadata", pattern="wheel|not in the archive", name="wheels-listed-but-missing")(edited_metadata(
    _set("wheels", [WHEEL, "ghost-1.0-py3-none-any.whl"])))
case("metadata", "either", name="wheels-empty")(edited_metadata(
    lambda d, s, p: (d.update(wheels=[]), d["offline_wagon"].update(wheels={}))))
case("metadata", pattern="python_requires|string", name="python-requires-list")(edited_metadata(_set("python_requires", [">=3.8"])))
case("metadata", pattern="requires_python|specifier", name="wheel-requires-python-list")(
    edited_metadata(_set_wheel_info("requires_python", [">=3.8"])))
case("metadata", pattern="requires_python|specifier", name="wheel-requires-python-dict")(
    edited_metadata(_set_wheel_info("requires_python", {">=": "3.8"})))

for _name, _value in [
    ("find-links", lambda s, p: "hostile-demo\n--find-links " + _url(p)),
    ("requirements-passwd", "-r /etc/passwd"),
    ("constraint-url", lambda s, p: "-c " + _url(p, "c.txt")),
    ("int", 7),
    ("absolute", lambda s, p: s + "/x"),
]:
    case("metadata", pattern="name", name="wheel-name-" + _name)(edited_metadata(_set_wheel_info("name", _value)))

case("metadata", pattern="version", name="wheel-version-constraint-url")(
    edited_metadata(_set_wheel_info("version", lambda s, p: "1.0\n-c " + _url(p, "c.txt"))))
case("metadata", pattern="requires_dist|requirement", name="wheel-requires-dist-newline")(
    edited_metadata(_set_wheel_info("requires_dist", ["helper\n-r /etc/passwd"])))
case("metadata", "either", name="wheel-requires-dist-direct-url")(
    edited_metadata(_set_wheel_info("requires_dist", lambda s, p: ["helper @ " + _url(p, "helper-1.0-py3-none-any.whl")])))

for _name, _value in [
    ("non-hex", "z" * 64),
    ("int", 12345),
]:
    case("metadata", pattern="sha256", name="sha256-" + _name)(edited_metadata(_set_wheel_info("sha256", _value)))

case("metadata", pattern="altered|damaged|sha256", name="sha256-wrong")(edited_metadata(_set_wheel_info("sha256", "0" * 64)))

for _name, _value in [
    ("dotdot", ["../x"]),
    ("absolute", lambda s, p: [s + "/x"]),
]:
    case("metadata", pattern="files|file name|plain", name="files-" + _name)(edited_metadata(_set("files", _value)))

case("metadata", pattern="files|file name|plain", name="extension-files-dotdot")(edited_metadata(
    lambda d, s, p: d["offline_wagon"].update(files={"../x": {"sha256": "0" * 64, "size": 1}})))
case("metadata", pattern="offline_wagon|object", name="extension-not-an-object")(edited_metadata(_set("offline_wagon", [1, 2])))
case("metadata", pattern="excluded|distribution", name="extension-excluded-hostile")(edited_metadata(
    lambda d, s, p: d["offline_wagon"].update(excluded=["-r /etc/passwd"])))
case("metadata", "either", name="extension-targets-garbage")(edited_metadata(
    lambda d, s, p: d["offline_wagon"].update(targets=[{"python": ["x"], "wheels": "../x"}, 7])))


def _raw_metadata(make):
    def build(directory, sentinel, port):
        return wagon_with_metadata(directory, make(base_metadata(directory)[0], sentinel, port))
    return build


case("metadata", pattern="JSON|deep", name="json-nested-10000-deep")(_raw_metadata(
    lambda d, s, p: metadata_bytes(d)[:-1] + b', "deep": ' + b"[" * 10000 + b"]" * 10000 + b"}"))
case("metadata", pattern="UTF-8|JSON", name="json-not-utf8")(_raw_metadata(
    lambda d, s, p: metadata_bytes(dict(d, package_source="x")).replace(b'"x"', b'"caf\xe9"')))
case("metadata", pattern="larger|more than", name="json-huge-17mib")(_raw_metadata(
    lambda d, s, p: metadata_bytes(dict(d, package_source="x" * (17 * 1024 ** 2)))))
case("metadata", pattern="JSON", name="json-invalid")(_raw_metadata(lambda d, s, p: b"{nope"))
case("metadata", pattern="object|JSON", name="json-top-level-array")(_raw_metadata(lambda d, s, p: b"[1, 2, 3]"))
case("metadata", pattern="JSON|digits|number", name="json-int-5000-digits")(_raw_metadata(
    lambda d, s, p: metadata_bytes(d)[:-1] + b', "n": ' + b"9" * 5000 + b"}"))
case("metadata", pattern=_NAME, name="json-duplicate-key-hostile-last")(_raw_metadata(
    lambda d, s, p: metadata_bytes(d)[:-1] + (', "package_name": %s}' % json.dumps(s + "/x")).encode()))
case("metadata", "either", name="archive-name-dotdot")(edited_metadata(_set("archive_name", lambda s, p: dotdot(s))))


# Benign but odd: must be accepted --------------------------------------------------------------------

case("benign", "accepted", name="benign-valid-zip")(lambda d, s, p: base_wagon(d))
case("benign", "accepted", name="benign-valid-tar-gz")(lambda d, s, p: base_wagon(d, "tar.gz"))
case("benign", "accepted", name="benign-original-tool-layout-zip")(lambda d, s, p: base_wagon(d, hashes=False))
case("benign", "accepted", name="benign-original-tool-layout-tar-gz")(lambda d, s, p: base_wagon(d, "tar.gz", hashes=False))
case("benign", "accepted", name="benign-unicode-description")(edited_metadata(
    _set("description", u"Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \U0001f682 \u65e5\u672c")))
case("benign", "accepted", name="benign-unknown-extra-keys")(edited_metadata(
    lambda d, s, p: (d.update(future_key={"nested": [1, 2, None]}, another=True), d["offline_wagon"].update(future=1))))
case("benign", "accepted", name="benign-deflated-zip")(lambda d, s, p: write_zip(
    os.path.join(str(d), "hostile.wgn"), base_members(d), zipfile.ZIP_DEFLATED))
case("benign", "accepted", name="benign-zip-with-directory-entries")(lambda d, s, p: wagon_from(d, [
    (TOP + "/", b"", (stat.S_IFDIR | 0o755) << 16), (TOP + "/wheels/", b"", (stat.S_IFDIR | 0o755) << 16)] + base_members(d)))
case("benign", "accepted", name="benign-extra-top-level-file")(lambda d, s, p: wagon_from(
    d, base_members(d) + [("README.txt", b"read me\n")]))
case("benign", "accepted", name="benign-top-directory-not-package-name")(lambda d, s, p: wagon_from(
    d, [("Other_Top/" + name.split("/", 1)[1], data) for name, data in base_members(d)]))
case("benign", "accepted", name="benign-tar-xz")(lambda d, s, p: wagon_from(d, base_members(d), "xz"))
case("benign", "accepted", name="benign-minimal-metadata")(edited_metadata(
    lambda d, s, p: [d.pop(k) for k in list(d) if k not in ("package_name", "wheels", "offline_wagon")]))
case("benign", "either", name="benign-unicode-extra-member-name")(lambda d, s, p: wagon_from(
    d, base_members(d) + [(TOP + "/notes/\u00fcn\u00efc\u00f8de.txt", b"x")]))


def build_all(directory, sentinel_root, base_port, cases=None):
    """Build every case under ``directory/<name>``; return ``[(case, archive path, sentinel, port)]``.

    Each case gets its own sentinel directory ``sentinel_root/<name>`` (made, empty)
    and its own port ``base_port + index``.
    """
    built = []
    for index, item in enumerate(CASES if cases is None else cases):
        where = os.path.join(str(directory), item.name)
        sentinel = os.path.join(str(sentinel_root), item.name)
        os.makedirs(where)
        os.makedirs(sentinel)
        built.append((item, item.build(where, sentinel, base_port + index), sentinel, base_port + index))
    return built


if __name__ == "__main__":
    for _item, _path, _sentinel, _port in build_all(os.path.join(sys.argv[1], "cases"), os.path.join(sys.argv[1], "sentinel"), 20000):
        print("%-45s %-12s %-8s %8d %s" % (_item.name, _item.family, _item.expect, os.path.getsize(_path), _path))
