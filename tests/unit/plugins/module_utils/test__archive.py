# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Archive writing (deterministic) and reading (safe), with archives built here."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import zipfile

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._archive import (
    WagonArchive,
    write_archive,
)
from ansible_collections.offline.wagon.plugins.module_utils._errors import ArchiveError, MetadataError
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256

WHEEL = "six-1.16.0-py2.py3-none-any.whl"
WHEEL_BYTES = b"PK\x05\x06" + b"\x00" * 18  # an empty zip is enough here


def wheel_info(data=WHEEL_BYTES):
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "name": "six",
        "version": "1.16.0",
        "requires_python": ">=2.7",
    }


@pytest.fixture
def inputs(tmp_path):
    wheel = tmp_path / WHEEL
    wheel.write_bytes(WHEEL_BYTES)
    notice = tmp_path / "NOTICE.txt"
    notice.write_text("hello\n")
    metadata = create_metadata(
        "six", "1.16.0", "six==1.16.0", {WHEEL: wheel_info()}, "any", ["py311"],
        files={"NOTICE.txt": {"sha256": hashlib.sha256(b"hello\n").hexdigest(), "size": 6}},
    )
    return metadata, {WHEEL: str(wheel)}, {"NOTICE.txt": str(notice)}


@pytest.mark.parametrize("archive_format", ["zip", "tar.gz"])
def test_same_inputs_give_identical_bytes(tmp_path, inputs, archive_format):
    metadata, wheels, files = inputs
    first = write_archive(str(tmp_path / "a.wgn"), "six", metadata.to_json(), wheels, files, archive_format)
    # Other times on disk must not leak into the archive.
    os.utime(wheels[WHEEL], (time.time() - 86400, time.time() - 86400))
    second = write_archive(str(tmp_path / "b.wgn"), "six", metadata.to_json(), wheels, files, archive_format)
    assert open(first, "rb").read() == open(second, "rb").read()


def test_zip_layout_is_wagon_1_0(tmp_path, inputs):
    metadata, wheels, files = inputs
    path = write_archive(str(tmp_path / "a.wgn"), "six", metadata.to_json(), wheels, files, "zip")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["six/package.json", "six/wheels/" + WHEEL, "six/files/NOTICE.txt"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        assert json.loads(archive.read("six/package.json"))["package_name"] == "six"
        assert not archive.read("six/package.json").endswith(b"\n")


def test_tar_gz_layout_has_directories_and_neutral_owners(tmp_path, inputs):
    metadata, wheels, files = inputs
    path = write_archive(str(tmp_path / "a.wgn"), "six", metadata.to_json(), wheels, files, "tar.gz")
    assert open(path, "rb").read(2) == b"\x1f\x8b"
    with tarfile.open(path) as archive:
        members = archive.getmembers()
    assert [m.name for m in members] == [
        "six", "six/files", "six/files/NOTICE.txt", "six/package.json", "six/wheels", "six/wheels/" + WHEEL,
    ]
    assert {(m.uid, m.gid, m.uname, m.mtime) for m in members} == {(0, 0, "root", 315532800)}


@pytest.mark.parametrize("archive_format", ["zip", "tar.gz"])
def test_read_metadata_and_extract_with_hash_check(tmp_path, inputs, archive_format):
    metadata, wheels, files = inputs
    path = write_archive(str(tmp_path / "a.wgn"), "six", metadata.to_json(), wheels, files, archive_format)
    out = tmp_path / "out"
    out.mkdir()
    with WagonArchive(path) as archive:
        read = archive.read_metadata()
        archive.check_listed(read)
        assert read.name == "six" and read.wheels == [WHEEL] and read.files == ["NOTICE.txt"]
        extracted = archive.extract("wheels", read.wheels, str(out), read.wheel_hashes)
    assert open(extracted[WHEEL], "rb").read() == WHEEL_BYTES
    assert os.listdir(str(out)) == [WHEEL]


def test_a_wheel_whose_hash_does_not_match_is_refused(tmp_path, inputs):
    metadata, wheels, files = inputs
    (tmp_path / "out").mkdir()
    open(wheels[WHEEL], "ab").write(b"tampered")
    path = write_archive(str(tmp_path / "a.wgn"), "six", metadata.to_json(), wheels, files)
    with WagonArchive(path) as archive:
        read = archive.read_metadata()
        with pytest.raises(ArchiveError, match="sha256.*altered or damaged"):
            archive.extract("wheels", read.wheels, str(tmp_path / "out"), read.wheel_hashes)


def test_metadata_listing_a_missing_wheel_is_refused(tmp_path, inputs):
    metadata = inputs[0]
    path = write_archive(str(tmp_path / "a.wgn"), "six", metadata.to_json(), {})
    with WagonArchive(path) as archive:
        with pytest.raises(MetadataError, match="lists wheels/six-1.16.0.*not in the archive"):
            archive.check_listed(archive.read_metadata())


# Hostile and broken input ---------------------------------------------------


def make_zip(path, members):
    with zipfile.ZipFile(str(path), "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return str(path)


def make_tar(path, members, mode="w:gz"):
    with tarfile.open(str(path), mode) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def tar_member(name, data=b"", kind=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.linkname = linkname
    return info, data if kind == tarfile.REGTYPE else None


GOOD_JSON = json.dumps({"package_name": "six", "wheels": []}).encode()


@pytest.mark.parametrize(
    "name, reason",
    [
        ("/etc/evil", "absolute path"),
        ("six/../../evil", r"'\.\.'"),
        ("../evil", r"'\.\.'"),
        ("six//evil", "empty part"),
        ("six\\..\\evil", "backslash"),
        ("C:/evil", "absolute path"),
    ],
)
@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_escaping_member_names_are_refused(tmp_path, name, reason, kind):
    if kind == "zip":
        path = make_zip(tmp_path / "x.wgn", [("six/package.json", GOOD_JSON), (name, b"x")])
    else:
        path = make_tar(tmp_path / "x.wgn", [tar_member("six/package.json", GOOD_JSON), tar_member(name, b"x")])
    with pytest.raises(ArchiveError, match=reason):
        WagonArchive(path)
    assert not os.path.exists(str(tmp_path.parent / "evil"))


@pytest.mark.parametrize(
    "kind, linkname",
    [(tarfile.SYMTYPE, "/etc/passwd"), (tarfile.LNKTYPE, "six/package.json"), (tarfile.CHRTYPE, ""), (tarfile.FIFOTYPE, "")],
)
def test_links_and_devices_in_tar_are_refused(tmp_path, kind, linkname):
    path = make_tar(
        tmp_path / "x.wgn", [tar_member("six/package.json", GOOD_JSON), tar_member("six/wheels/x.whl", kind=kind, linkname=linkname)]
    )
    with pytest.raises(ArchiveError, match="link, device or other special file"):
        WagonArchive(path)


def test_symlink_in_zip_is_refused(tmp_path):
    path = str(tmp_path / "x.wgn")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("six/package.json", GOOD_JSON)
        link = zipfile.ZipInfo("six/wheels/x.whl")
        link.create_system = 3
        link.external_attr = (0o120777) << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ArchiveError, match="not a regular file"):
        WagonArchive(path)


def test_duplicate_members_are_refused(tmp_path):
    path = make_tar(tmp_path / "x.wgn", [tar_member("six/package.json", GOOD_JSON), tar_member("six/package.json", GOOD_JSON)])
    with pytest.raises(ArchiveError, match="twice"):
        WagonArchive(path)


def test_too_many_members_are_refused(tmp_path):
    path = make_zip(tmp_path / "x.wgn", [("six/package.json", GOOD_JSON)] + [("six/f%d" % i, b"") for i in range(20)])
    with pytest.raises(ArchiveError, match="more than 10 members"):
        WagonArchive(path, max_members=10)


def test_absurd_declared_size_is_refused(tmp_path):
    path = make_zip(tmp_path / "x.wgn", [("six/package.json", GOOD_JSON), ("six/big", b"x" * 5000)])
    with pytest.raises(ArchiveError, match="more than 1000 bytes"):
        WagonArchive(path, max_total_size=1000)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"hello, I am text\n" * 40, "neither a zip nor a tar"),
    ],
)
def test_missing_empty_and_non_archive_files(tmp_path, content, message):
    path = tmp_path / "x.wgn"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ArchiveError, match=message):
        WagonArchive(str(path))


def test_a_directory_is_not_an_archive(tmp_path):
    with pytest.raises(ArchiveError, match="is a directory, not a wagon archive"):
        WagonArchive(str(tmp_path))


def test_a_fifo_is_refused_at_once_not_read(tmp_path):
    fifo = str(tmp_path / "x.wgn")
    os.mkfifo(fifo)  # no writer: a plain open would block for ever
    with pytest.raises(ArchiveError, match="is a FIFO, not a wagon archive"):
        WagonArchive(fifo)


def test_a_path_swapped_after_opening_changes_nothing_read(tmp_path):
    first = make_zip(tmp_path / "a.wgn", [("six/package.json", b'{"package_name": "six", "wheels": []}')])
    other = make_zip(tmp_path / "b.wgn", [("other/package.json", b'{"package_name": "other", "wheels": []}')])
    with WagonArchive(first) as archive:
        before = archive.digest()
        os.rename(other, first)
        assert archive.read_metadata().name == "six"
        assert archive.digest() == before != file_sha256(first)


@pytest.mark.parametrize("archive_format", ["zip", "tar.gz"])
def test_truncated_archives_are_refused(tmp_path, inputs, archive_format):
    metadata, wheels, files = inputs
    big = tmp_path / WHEEL
    big.write_bytes(os.urandom(200000))
    path = write_archive(str(tmp_path / "a.wgn"), "six", metadata.to_json(), {WHEEL: str(big)}, files, archive_format)
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])
    with pytest.raises(ArchiveError, match="corrupt or truncated"):
        with WagonArchive(path) as archive:
            archive.extract("wheels", [WHEEL], str(tmp_path / "out"), {})


def test_no_package_json_and_two_package_jsons(tmp_path):
    path = make_zip(tmp_path / "x.wgn", [("six/wheels/a.whl", b"")])
    with pytest.raises(ArchiveError, match="has no <name>/package.json"):
        WagonArchive(path)
    path = make_zip(tmp_path / "y.wgn", [("a/package.json", GOOD_JSON), ("b/package.json", GOOD_JSON)])
    with pytest.raises(ArchiveError, match="several directories"):
        WagonArchive(path)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"wheels": []}', "no package_name"),
        (b'{"package_name": "six"}', "no wheels list"),
        (b'{"package_name": "six", "wheels": ["../../evil.whl"]}', "not a plain file name"),
        (b'{"package_name": "six", "wheels": [], "files": ["../x"]}', "not a plain file name"),
    ],
)
def test_bad_metadata_is_refused(tmp_path, raw, message):
    path = make_zip(tmp_path / "x.wgn", [("six/package.json", raw)])
    with WagonArchive(path) as archive:
        with pytest.raises(MetadataError, match=message):
            archive.read_metadata()


# What the original wagon writes, and older wagons ---------------------------------


def test_reads_wagon_style_tar_with_real_owners_and_extra_top_level_file(tmp_path):
    metadata = {
        "package_name": "hello-wagon", "package_version": "0.1.0", "supported_platform": "manylinux1_x86_64",
        "wheels": [WHEEL], "build_tag": "1",
    }
    members = [
        tar_member("whatever/", kind=tarfile.DIRTYPE),
        tar_member("whatever/package.json", json.dumps(metadata).encode()),
        tar_member("whatever/wheels/" + WHEEL, WHEEL_BYTES),
        tar_member("README.txt", b"extra"),
    ]
    path = make_tar(tmp_path / "x.wgn", members, mode="w:bz2")
    with WagonArchive(path) as archive:
        read = archive.read_metadata()
        archive.check_listed(read)
    assert (archive.top, read.name, read.build_tag, read.platform, read.files) == (
        "whatever", "hello-wagon", "1", "manylinux1_x86_64", []
    )
    assert read.wheel_hashes == {}


def test_reads_deflated_zip_with_directory_entries(tmp_path):
    path = str(tmp_path / "x.wgn")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("six/", b"")
        archive.writestr("six/package.json", GOOD_JSON)
    with WagonArchive(path) as archive:
        assert archive.read_metadata().name == "six"
