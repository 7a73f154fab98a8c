# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wagon sources: checksums, URLs, downloads into a private directory, and the no-download shortcut."""

from __future__ import annotations

import hashlib
import os

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._sources import (
    Checksum,
    DownloadedArchive,
    DownloadError,
    is_url,
    parse_checksum,
    recorded_install,
    verify_checksum,
)
from tests.support.fixtures import serve_directory


@pytest.mark.parametrize("src, expected", [
    ("http://artifacts/x.wgn", True), ("HTTPS://artifacts/x.wgn", True), ("/srv/x.wgn", False),
    ("ftp://artifacts/x.wgn", False), ("file:///srv/x.wgn", False), ("x.wgn", False), ("", False), (None, False),
])
def test_is_url(src, expected):
    assert is_url(src) is expected


def test_parse_checksum_accepts_sha2_and_normalises():
    digest = hashlib.sha256(b"x").hexdigest()
    assert parse_checksum(" SHA256:%s " % digest.upper()) == Checksum("sha256", digest)
    assert parse_checksum("sha512:" + "a" * 128) == Checksum("sha512", "a" * 128)
    assert parse_checksum(None) is None and parse_checksum("") is None


@pytest.mark.parametrize("value, message", [
    ("md5:" + "0" * 32, "algorithm one of sha224, sha256"),
    ("sha1:" + "0" * 40, "algorithm one of"),
    ("0" * 64, "<algorithm>:<hex digest>"),
    ("sha256:abc", "expected 64 hexadecimal digits"),
    ("sha256:" + "g" * 64, "expected 64 hexadecimal digits"),
])
def test_parse_checksum_refuses_clearly(value, message):
    with pytest.raises(WagonError, match=message.replace("<", ".").replace(">", ".")):
        parse_checksum(value)


def test_verify_checksum(tmp_path):
    path = tmp_path / "a.wgn"
    path.write_bytes(b"wagon")
    verify_checksum(str(path), parse_checksum("sha256:" + hashlib.sha256(b"wagon").hexdigest()), "a")
    verify_checksum(str(path), None, "a")
    with pytest.raises(DownloadError, match="checksum says"):
        verify_checksum(str(path), parse_checksum("sha384:" + "0" * 96), "a")


def test_download_removes_its_directory_on_success_and_failure(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    (served / "w.wgn").write_bytes(b"bytes")
    parent = tmp_path / "tmp"
    parent.mkdir()
    good = "sha256:" + hashlib.sha256(b"bytes").hexdigest()
    with serve_directory(served) as base:
        with DownloadedArchive(base + "/w.wgn", str(parent), checksum=parse_checksum(good)) as path:
            assert open(path, "rb").read() == b"bytes" and path.startswith(str(parent))
        assert os.listdir(str(parent)) == []
        with pytest.raises(DownloadError, match="checksum says"):
            with DownloadedArchive(base + "/w.wgn", str(parent), checksum=parse_checksum("sha256:" + "1" * 64)):
                pass
        with pytest.raises(DownloadError, match="HTTP 404"):
            with DownloadedArchive(base + "/missing.wgn", str(parent)):
                pass
    assert os.listdir(str(parent)) == []


def test_recorded_install_needs_the_archive_and_every_distribution():
    wheels = [{"name": "demo", "version": "1.0"}, {"name": "Helper_Lib", "version": "2.0"}]
    record = {"name": "demo", "archive_sha256": "ab", "wheels": wheels}
    records = {"demo": record}
    installed = {"demo": ("demo", "1.0"), "helper-lib": ("helper-lib", "2.0")}
    assert recorded_install(records, installed, "ab") is record
    assert recorded_install(records, installed, "cd") is None
    assert recorded_install(records, dict(installed, demo=("demo", "1.1")), "ab") is None
    assert recorded_install(records, {"demo": ("demo", "1.0")}, "ab") is None
