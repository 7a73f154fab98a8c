# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Where a wagon to install comes from: a file on the host, or an http(s) URL.

A URL is downloaded by the host itself (an internal artifact server is the
one thing a disconnected host may reach) into a private temporary directory,
its checksum verified before the archive is opened, and the directory removed
afterwards whatever happens. With a sha256 checksum, a target that already
records that exact archive, every distribution still in place, settles the
task without any download (:func:`recorded_install`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
from collections import namedtuple
from http.client import HTTPException
from urllib.error import HTTPError, URLError

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import ConnectionError as UrlConnectionError
from ansible.module_utils.urls import open_url

from ansible_collections.offline.wagon.plugins.module_utils._archive import MAX_METADATA_SIZE, checksum_mismatch, open_regular_file
from ansible_collections.offline.wagon.plugins.module_utils._destination import (
    externally_managed_error,
    interpreter_destination,
    venv_destination,
)
from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import InstallResult, install_wagon, plan_install
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import is_venv, probe_interpreter
from ansible_collections.offline.wagon.plugins.module_utils._metadata import WagonMetadata
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._plan import InstallPlan, SelectedWheel, installed_map
from ansible_collections.offline.wagon.plugins.module_utils._records import read_records
from ansible_collections.offline.wagon.plugins.module_utils._urls import mask_url

# Algorithms a checksum may name. MD5 and SHA-1 are refused: a checksum here
# vouches for code about to be installed, and both allow forged collisions.
CHECKSUM_ALGORITHMS = ("sha224", "sha256", "sha384", "sha512")

_CHUNK = 1024 * 1024
_URL = re.compile(r"^https?://", re.IGNORECASE)

Checksum = namedtuple("Checksum", ["algorithm", "digest"])

# What a wagon is called in results when only its install record is known.
WagonLabel = namedtuple("WagonLabel", ["name", "version", "build_tag", "platform", "python_versions"])


class DownloadError(WagonError):
    """A wagon could not be downloaded, or the download is not the file the checksum names."""


def is_url(src):
    """True when ``src`` is an ``http://`` or ``https://`` URL."""
    return bool(_URL.match(src or ""))


def parse_checksum(value):
    """Return the :class:`Checksum` of a ``<algorithm>:<hex digest>`` string (None for an empty value).

    Raise WagonError, saying what is accepted, for anything else.
    """
    if value is None or not str(value).strip():
        return None
    algorithm, colon, digest = str(value).strip().partition(":")
    algorithm, digest = algorithm.strip().lower(), digest.strip().lower()
    if not colon or algorithm not in CHECKSUM_ALGORITHMS:
        raise WagonError(
            "checksum %r is not <algorithm>:<hex digest> with algorithm one of %s (for example sha256:%s)"
            % (value, ", ".join(CHECKSUM_ALGORITHMS), "0" * 8 + "...")
        )
    size = hashlib.new(algorithm).digest_size * 2
    if len(digest) != size or not re.match(r"^[0-9a-f]+$", digest):
        raise WagonError(
            "checksum %r is not a valid %s digest: expected %d hexadecimal digits, got %r"
            % (value, algorithm, size, digest)
        )
    return Checksum(algorithm, digest)


def file_digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_checksum(path, checksum, label):
    """Raise DownloadError unless the file at ``path`` has ``checksum`` (a :class:`Checksum` or None)."""
    if checksum is None:
        return
    found = file_digest(path, checksum.algorithm)
    if found != checksum.digest:
        raise DownloadError(checksum_mismatch(label, checksum.algorithm, checksum.digest, found))


def writable_by_others(path):
    """True when someone other than this user (or root) may change the bytes of the file at ``path``."""
    status = os.stat(path)
    return status.st_uid not in (0, os.geteuid()) or bool(status.st_mode & 0o022)


def private_copy(src, directory):
    """Copy the regular file ``src`` once into the private ``directory``; return the copy's path.

    For an archive that another user could rewrite while it is read: the
    copy is what gets checked and installed, whatever happens to ``src``.
    """
    with open_regular_file(src) as stream:
        fd, path = tempfile.mkstemp(prefix="offline-wagon-src-", suffix=".wgn", dir=directory)
        with os.fdopen(fd, "wb") as copy:
            shutil.copyfileobj(stream, copy, _CHUNK)
    return path


def _one_line(text):
    return " ".join(to_native(text).split())


def download(url, directory, checksum=None, url_username=None, url_password=None, force_basic_auth=False,
             validate_certs=True, ca_path=None, timeout=10, use_proxy=True):
    """Download ``url`` into the existing ``directory``; return the file's path.

    The checksum, when given, is verified before this returns. Raise
    DownloadError with a one-line message naming the URL (credentials masked)
    and the reason: an HTTP status, a refused or timed-out connection, a
    certificate that does not verify, a mismatched checksum.
    """
    shown = mask_url(url)
    name = os.path.basename(url.split("?", 1)[0].split("#", 1)[0].rstrip("/")) or "wagon"
    # The file name is only for messages; a safe one whatever the URL says.
    target = os.path.join(directory, re.sub(r"[^A-Za-z0-9._+-]", "_", name)[:200].lstrip(".") or "wagon")
    try:
        response = open_url(
            url, method="GET", use_proxy=use_proxy, timeout=timeout, validate_certs=validate_certs,
            url_username=url_username, url_password=url_password, force_basic_auth=force_basic_auth,
            ca_path=ca_path, http_agent="offline.wagon", follow_redirects="safe",
        )
        try:
            with open(target, "wb") as stream:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    stream.write(chunk)
        finally:
            response.close()
    except (socket.timeout, TimeoutError):
        raise DownloadError("downloading %s failed: timed out after %s seconds with no answer" % (shown, timeout))
    except (HTTPError, URLError, HTTPException, UrlConnectionError, OSError, ValueError) as error:
        raise DownloadError("downloading %s failed: %s" % (shown, _describe_failure(error, timeout)))
    verify_checksum(target, checksum, "the download of %s" % shown)
    return target


def _describe_failure(error, timeout):
    code = getattr(error, "code", None)
    if isinstance(code, int):
        reason = getattr(error, "reason", None) or getattr(error, "msg", "")
        text = "HTTP %d %s" % (code, _one_line(reason))
        if code == 401:
            text += " (the server wants credentials: url_username and url_password)"
        return text
    reason = getattr(error, "reason", None)
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in to_native(reason or error):
        return "timed out after %s seconds with no answer" % timeout
    if reason is not None:
        text = _one_line(reason)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            text += " (give the server's CA with ca_path, or set validate_certs=false)"
        return text
    return "%s: %s" % (type(error).__name__, _one_line(error))


class DownloadedArchive(object):
    """A context manager: a private temporary directory holding the download, removed on exit."""

    def __init__(self, url, parent=None, **options):
        self.url = url
        self.parent = parent
        self.options = options
        self.directory = None

    def __enter__(self):
        self.directory = tempfile.mkdtemp(prefix="offline-wagon-download-", dir=self.parent)
        try:
            return download(self.url, self.directory, **self.options)
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc_info):
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


def recorded_install(records, installed, sha256, name=None):
    """The install record of the archive with ``sha256``, when every distribution it installed is in place.

    ``records`` is ``{canonical name: record}`` (see ``read_records``) and
    ``installed`` ``{canonical: (name, version)}``. Return None when no record
    names that archive (and ``name``, when given), or when one of its
    distributions is missing or at another version.
    """
    for record in records.values():
        if record.get("archive_sha256") != sha256:
            continue
        if name is not None and canonicalize_name(record.get("name") or "") != canonicalize_name(name):
            continue
        for wheel in record.get("wheels", []):
            found = installed.get(canonicalize_name(wheel.get("name") or ""))
            if found is None or found[1] != wheel.get("version"):
                return None
        return record
    return None


def label_from_record(record):
    """A :class:`WagonLabel` from an install record (older records lack platform and Pythons)."""
    return WagonLabel(
        record.get("name"), record.get("version"), record.get("build_tag") or "",
        record.get("platform") or "", list(record.get("python_versions") or []),
    )


def _recorded_result(venv, python, runner, sha256, break_system_packages):
    """The InstallResult of a no-op when the destination records the archive ``sha256`` intact, else None."""
    if venv is not None:
        if not is_venv(venv):
            return None
        destination = venv_destination(venv)
        info = probe_interpreter(destination.python, runner)
    else:
        destination, info = interpreter_destination(python, runner)
        if destination.venv is None and info.externally_managed and not break_system_packages:
            raise externally_managed_error(info)
    records = read_records(destination.home)
    installed = installed_map(info)
    record = recorded_install(records, installed, sha256)
    if record is None:
        return None
    wheels = [
        SelectedWheel(w.get("filename"), w.get("name"), canonicalize_name(w.get("name") or ""), w.get("version"),
                      w.get("sha256"))
        for w in record.get("wheels", [])
    ]
    own = dict(record, distributions=dict(record.get("distributions") or {}))
    plan = InstallPlan(destination.label, "present", wheels, info, own, records)
    if plan.changed:
        return None
    mine = ["%s==%s" % installed[w.canonical_name] for w in wheels if w.canonical_name in installed]
    return InstallResult(plan, info, label_from_record(record), sha256, mine, record.get("target"))


def _metadata_file(path):
    """The WagonMetadata of the host file ``path`` when it is a package.json (JSON, not an archive), else None."""
    if not os.path.isfile(path):
        return None
    with open_regular_file(path) as stream:
        raw = stream.read(MAX_METADATA_SIZE + 1)
    if raw.lstrip()[:1] != b"{":
        return None
    if len(raw) > MAX_METADATA_SIZE:
        raise WagonError("src %s is larger than a package.json may be (%d bytes)" % (path, MAX_METADATA_SIZE))
    return WagonMetadata.from_json(raw, "src %s (package.json)" % path)


def _plan_from_metadata(path, metadata, checksum, origin, runner, install_args):
    """Check mode from a wagon's package.json alone, ``checksum`` being the sha256 of its archive."""
    if checksum is None or checksum.algorithm != "sha256":
        raise WagonError(
            "src %s is a package.json: planning from it needs checksum=sha256:<the archive's sha256>" % path
        )
    options = {key: value for key, value in install_args.items() if key not in ("check_mode", "venv")}
    return plan_install(metadata, checksum.digest, origin or path, install_args.get("venv"), runner, **options)


def install_from_source(src, runner, checksum=None, tmpdir=None, download_options=None, origin=None, **install_args):
    """Install the wagon at ``src`` (a host path or an http(s) URL); return ``(InstallResult, downloaded)``.

    In check mode a host path may be a wagon's package.json alone, with a
    sha256 ``checksum`` naming its archive: the plan is made from the metadata.
    ``checksum`` (``<algorithm>:<hex>``) is verified before the archive is
    read, on the very bytes then read (one descriptor; a host file that
    another user could rewrite is first copied privately). A URL is downloaded into a private directory under ``tmpdir``,
    removed afterwards whatever happens, except when a sha256 ``checksum``
    names an archive the target already records intact (state present, no
    force): then nothing is downloaded. ``origin`` is what the install record
    names as the archive (default: ``src``, a URL without credentials).
    ``install_args`` go to install_wagon.
    """
    parsed = parse_checksum(checksum)
    if not is_url(src):
        metadata = _metadata_file(src) if install_args.get("check_mode") else None
        if metadata is not None:
            return _plan_from_metadata(src, metadata, parsed, origin, runner, install_args), False
        path = src
        if os.path.isfile(src) and writable_by_others(src):
            path = private_copy(src, tmpdir)
        try:
            return install_wagon(path, runner=runner, origin=origin or src, checksum=parsed, **install_args), False
        finally:
            if path != src:
                os.unlink(path)
    if (
        parsed is not None and parsed.algorithm == "sha256"
        and install_args.get("state", "present") == "present" and not install_args.get("force")
        # Placing files and the hashes policy need the archive itself.
        and not install_args.get("files_dest") and not install_args.get("require_hashes")
    ):
        known = _recorded_result(
            install_args.get("venv"), install_args.get("python"), runner, parsed.digest,
            install_args.get("break_system_packages", False),
        )
        if known is not None:
            return known, False
    # The download's directory is private: what was checked there is what is read.
    with DownloadedArchive(src, tmpdir, checksum=parsed, **(download_options or {})) as path:
        return install_wagon(path, runner=runner, origin=origin or mask_url(src), **install_args), True
