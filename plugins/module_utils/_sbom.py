# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""A wagon's software bill of materials: a CycloneDX 1.5 JSON document.

The build writes it into the archive as ``<top>/sbom.cdx.json`` and names it,
with its sha256, in ``package.json`` under ``offline_wagon.sbom``. Wagon 1.0
readers ignore both. One component per wheel (purl ``pkg:pypi/name@version``,
SHA-256 of the wheel, licences from the wheel's METADATA, where pip got it)
and one per extra file; the wagon itself is ``metadata.component``.

The document has no time stamp and its ``serialNumber`` is derived from its
content, so a reproducible build gives the same bytes. Reading and checking
it (:func:`read_sbom`, :func:`sbom_problems`) is standard library only: it
runs on targets, in ``wagon_facts``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections import namedtuple
from email.parser import HeaderParser

from urllib.parse import quote, urlsplit

from ansible_collections.offline.wagon.plugins.module_utils._errors import MetadataError, WagonError
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._urls import strip_credentials

SBOM_FILENAME = "sbom.cdx.json"
SBOM_FORMAT = "CycloneDX"
SPEC_VERSION = "1.5"
UNKNOWN = "unknown"

# Names of our CycloneDX properties (a namespace of our own, as the spec asks).
PROP_WHEEL = "offline.wagon:wheel"
PROP_ORIGIN = "offline.wagon:origin"
PROP_FILE = "offline.wagon:file"
PROP_BUILT_FROM_SOURCE = "offline.wagon:built_from_source"

# serialNumber = uuid5(this namespace, sha256 of the document without it).
_SERIAL_NAMESPACE = uuid.UUID("5b0d3c1e-8f0a-5d5e-9d57-0ff11e0a9a90")

# Licence identifiers written as SPDX ids when a wheel's License field is
# exactly one of them; anything else stays a free-text name.
SPDX_IDS = frozenset((
    "0BSD", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1", "Apache-2.0", "Artistic-2.0",
    "BSD-1-Clause", "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CC0-1.0", "CDDL-1.0", "EPL-1.0", "EPL-2.0",
    "EUPL-1.2", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "HPND", "ISC",
    "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "MIT", "MIT-0", "MPL-2.0",
    "PSF-2.0", "Python-2.0", "Unlicense", "UPL-1.0", "WTFPL", "Zlib", "ZPL-2.1",
))
_SPDX_BY_LOWER = {spdx.lower(): spdx for spdx in SPDX_IDS}

# Trove classifiers that name exactly one SPDX licence. Classifiers that do
# not (``BSD License``, ``Apache Software License``: which version?) stay names.
CLASSIFIER_SPDX = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "Zero-Clause BSD (0BSD)": "0BSD",
}

# A License field longer than this, or on several lines, is a licence text,
# not a name: classifiers are preferred to it.
_SHORT_LICENSE = 120
_MAX_SBOM_SIZE = 16 * 1024 ** 2


class License(namedtuple("License", ["expression", "ids", "names", "text"])):
    """A wheel's licence as its METADATA states it.

    ``expression`` (an SPDX expression from ``License-Expression``), or
    ``ids`` (SPDX ids) and ``names`` (free text), and ``text`` (a licence text
    found in the ``License`` field). Empty everywhere when nothing is stated.
    """

    __slots__ = ()

    def summary(self):
        """One line for people: the expression, or the ids and names joined by ``, ``; ``""`` if none."""
        if self.expression:
            return self.expression
        return ", ".join(list(self.ids) + list(self.names))

    def cyclonedx(self):
        """The CycloneDX ``licenses`` array."""
        if self.expression:
            return [{"expression": self.expression}]
        entries = [{"license": {"id": spdx}} for spdx in self.ids]
        entries += [{"license": {"name": name}} for name in self.names]
        if self.text and entries:
            entries[-1]["license"]["text"] = {"content": self.text, "contentType": "text/plain"}
        return entries


def _wheel_headers(path):
    try:
        with zipfile.ZipFile(path) as wheel:
            candidates = [n for n in wheel.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            if len(candidates) != 1:
                raise WagonError("wheel %s has %d .dist-info/METADATA files, expected one" % (path, len(candidates)))
            raw = wheel.read(candidates[0])
    except (OSError, zipfile.BadZipFile, RuntimeError) as error:
        raise WagonError("cannot read wheel %s: %s" % (path, error))
    return HeaderParser().parsestr(raw.decode("utf-8", "replace"))


def license_from_headers(headers):
    """Return the License of core metadata ``headers`` (an email.message.Message).

    In order: ``License-Expression`` (PEP 639); a short one-line ``License``
    (an SPDX id when it is exactly one); the ``License ::`` classifiers; a
    licence text in ``License`` (named by its first line).
    """
    expression = (headers.get("License-Expression") or "").strip()
    if expression:
        return License(expression, (), (), "")
    field = (headers.get("License") or "").strip()
    if field and "\n" not in field and len(field) <= _SHORT_LICENSE and field.upper() not in ("UNKNOWN", "NONE"):
        spdx = _SPDX_BY_LOWER.get(field.lower())
        return License("", (spdx,), (), "") if spdx else License("", (), (field,), "")
    ids, names = [], []
    for classifier in headers.get_all("Classifier") or []:
        parts = [part.strip() for part in classifier.split("::")]
        if parts[0] != "License" or len(parts) < 2:
            continue
        if parts[1:] == ["OSI Approved"]:
            continue  # says nothing about which licence
        name = parts[-1]
        spdx = CLASSIFIER_SPDX.get(name)
        if spdx and spdx not in ids:
            ids.append(spdx)
        elif not spdx and name not in names:
            names.append(name)
    if ids or names:
        return License("", tuple(ids), tuple(names), "")
    if field and field.upper() not in ("UNKNOWN", "NONE"):
        first = next(line.strip() for line in field.splitlines() if line.strip())
        return License("", (), (first[:_SHORT_LICENSE],), field)
    return License("", (), (), "")


def read_license(path):
    """Return the License the wheel at ``path`` states in its METADATA; raise WagonError if unreadable."""
    return license_from_headers(_wheel_headers(path))


# Origins ---------------------------------------------------------------------------


Origin = namedtuple("Origin", ["url", "sha256"])


def origins_from_report(report):
    """Return ``{(canonical name, version): Origin}`` from a parsed ``pip install --report`` document.

    ``url`` is where pip took the distribution from (a wheel or source
    archive on an index or in a find-links directory, a VCS or a local path),
    credentials removed; ``sha256`` is that file's hash when pip states it.
    """
    origins = {}
    for item in (report or {}).get("install", []):
        metadata = item.get("metadata") or {}
        download = item.get("download_info") or {}
        name, version, url = metadata.get("name"), metadata.get("version"), download.get("url")
        if not (name and version and url):
            continue
        hashes = (download.get("archive_info") or {}).get("hashes") or {}
        sha256 = hashes.get("sha256")
        if not sha256:
            algorithm, _sep, value = ((download.get("archive_info") or {}).get("hash") or "").partition("=")
            sha256 = value if algorithm == "sha256" else None
        origins[(canonicalize_name(name), str(version))] = Origin(strip_credentials(url), sha256 or None)
    return origins


# Writing -----------------------------------------------------------------------------


SbomWheel = namedtuple("SbomWheel", ["filename", "name", "version", "sha256", "license", "origin"])


def purl(name, version):
    """The package URL of a PyPI distribution: ``pkg:pypi/<normalised name>@<version>``."""
    return "pkg:pypi/%s@%s" % (quote(canonicalize_name(name), safe=".-_~"), quote(str(version), safe=".-_~!"))


def _property(name, value):
    return {"name": name, "value": value}


def _hashes(sha256):
    return [{"alg": "SHA-256", "content": sha256}]


def wheel_component(wheel):
    """The CycloneDX component of one SbomWheel."""
    component = {
        "type": "library",
        "bom-ref": "wheel:" + wheel.filename,
        "name": wheel.name,
        "version": wheel.version,
        "purl": purl(wheel.name, wheel.version),
        "hashes": _hashes(wheel.sha256),
        "properties": [
            _property(PROP_WHEEL, wheel.filename),
            _property(PROP_ORIGIN, wheel.origin.url if wheel.origin and wheel.origin.url else UNKNOWN),
        ],
    }
    licenses = wheel.license.cyclonedx() if wheel.license else []
    if licenses:
        component["licenses"] = licenses
    if wheel.origin and wheel.origin.url:
        # pip took a source (an sdist, a directory, a VCS checkout) and built
        # the wheel on the build machine: the reference's hash is the source's.
        from_source = not urlsplit(wheel.origin.url).path.endswith(".whl")
        component["properties"].append(_property(PROP_BUILT_FROM_SOURCE, "true" if from_source else "false"))
        reference = {"type": "distribution", "url": wheel.origin.url}
        if wheel.origin.sha256:
            reference["hashes"] = _hashes(wheel.origin.sha256)
        component["externalReferences"] = [reference]
    return component


def file_component(name, sha256):
    """The CycloneDX component of one extra file (``files/<name>``)."""
    return {
        "type": "file",
        "bom-ref": "file:" + name,
        "name": name,
        "hashes": _hashes(sha256),
        "properties": [_property(PROP_FILE, name)],
    }


def canonical_bytes(document):
    """The SBOM's bytes: sorted keys, two-space indent, ASCII, one trailing newline."""
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("ascii")


def create_sbom(wagon, wheels, files=None, tool_version="0.1.0", properties=None):
    """Return the CycloneDX 1.5 document (a dict) of a wagon.

    ``wagon`` has ``name``, ``version``, ``archive_name`` and ``platform`` of
    the wagon; ``wheels`` is a list of SbomWheel; ``files`` maps each extra
    file's name to its sha256; ``properties`` are more ``name: value`` pairs
    for ``metadata.properties`` (what built it). The serial number is a
    UUID derived from the rest of the document.
    """
    wagon_ref = "wagon:" + wagon["archive_name"]
    components = [wheel_component(w) for w in sorted(wheels, key=lambda w: w.filename)]
    components += [file_component(name, digest) for name, digest in sorted((files or {}).items())]
    document = {
        "bomFormat": SBOM_FORMAT,
        "specVersion": SPEC_VERSION,
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "offline.wagon", "version": tool_version}]},
            "component": {
                "type": "application",
                "bom-ref": wagon_ref,
                "name": wagon["name"],
                "version": wagon["version"],
                "description": "Wagon archive %s" % wagon["archive_name"],
                "properties": [
                    _property("offline.wagon:archive_name", wagon["archive_name"]),
                    _property("offline.wagon:platform", wagon["platform"]),
                ],
            },
            "properties": [_property(k, v) for k, v in sorted((properties or {}).items())],
        },
        "components": components,
        "dependencies": [{"ref": wagon_ref, "dependsOn": [c["bom-ref"] for c in components]}],
    }
    digest = hashlib.sha256(canonical_bytes(document)).hexdigest()
    document["serialNumber"] = "urn:uuid:%s" % uuid.uuid5(_SERIAL_NAMESPACE, digest)
    return document


# Reading and checking -------------------------------------------------------------------


def sbom_reference(metadata):
    """Return ``offline_wagon.sbom`` of a WagonMetadata (a dict with ``file`` and ``sha256``), or None."""
    reference = metadata.extension.get("sbom")
    if reference is None:
        return None
    if not isinstance(reference, dict) or not isinstance(reference.get("file"), str):
        raise MetadataError("%s: offline_wagon.sbom is not an object naming a file" % metadata.origin)
    name = reference["file"]
    if "/" in name or "\\" in name or name in ("", ".", "..", "package.json"):
        raise MetadataError("%s: offline_wagon.sbom names %r, which is not a plain file name" % (metadata.origin, name))
    return reference


def read_sbom(archive, metadata):
    """Return ``(document, sha256)`` of the SBOM ``metadata`` names in the open WagonArchive, or ``(None, None)``.

    Raise MetadataError when it is named but missing, too large, or not a JSON object.
    """
    reference = sbom_reference(metadata)
    if reference is None:
        return None, None
    name = reference["file"]
    if not archive.has(name):
        raise MetadataError("package.json names the SBOM %s, which is not in the archive %s" % (name, archive.path))
    raw = archive.read_member(name, _MAX_SBOM_SIZE)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise MetadataError("the SBOM %s in %s is not valid JSON: %s" % (name, archive.path, error))
    if not isinstance(document, dict):
        raise MetadataError("the SBOM %s in %s is not a JSON object" % (name, archive.path))
    return document, hashlib.sha256(raw).hexdigest()


def _property_value(component, name):
    for prop in component.get("properties") or []:
        if isinstance(prop, dict) and prop.get("name") == name:
            return prop.get("value")
    return None


def _sha256_of(component):
    for entry in component.get("hashes") or []:
        if isinstance(entry, dict) and entry.get("alg") == "SHA-256":
            return entry.get("content")
    return None


def sbom_components(document):
    """A short list of the SBOM's wheels for people and playbooks.

    Each item: ``wheel``, ``name``, ``version``, ``purl``, ``sha256``,
    ``licenses`` (a list of strings) and ``origin`` (a URL or ``unknown``).
    """
    summary = []
    for component in document.get("components") or []:
        if not isinstance(component, dict) or _property_value(component, PROP_WHEEL) is None:
            continue
        licenses = []
        for entry in component.get("licenses") or []:
            if not isinstance(entry, dict):
                continue
            if entry.get("expression"):
                licenses.append(entry["expression"])
            elif isinstance(entry.get("license"), dict):
                licenses.append(entry["license"].get("id") or entry["license"].get("name") or "")
        summary.append({
            "wheel": _property_value(component, PROP_WHEEL),
            "name": component.get("name"),
            "version": component.get("version"),
            "purl": component.get("purl"),
            "sha256": _sha256_of(component),
            "licenses": licenses,
            "origin": _property_value(component, PROP_ORIGIN) or UNKNOWN,
        })
    return summary


def sbom_problems(document, sha256, metadata, wheel_digests, file_digests):
    """Return the problems of an SBOM read from a wagon, as a list of sentences (empty when it is sound).

    ``sha256`` is the SBOM member's digest; ``wheel_digests`` and
    ``file_digests`` map the names of the wheels and files really in the
    archive to their sha256 (None when unreadable). The SBOM must be the
    file package.json names, a CycloneDX document, and describe exactly
    those wheels and files, by those hashes.
    """
    problems = []
    reference = sbom_reference(metadata)
    name = reference["file"]
    if reference.get("sha256") and reference["sha256"] != sha256:
        problems.append(
            "the SBOM %s has sha256 %s, but package.json says %s: it was altered" % (name, sha256, reference["sha256"])
        )
    if document.get("bomFormat") != SBOM_FORMAT or not isinstance(document.get("specVersion"), str):
        problems.append("the SBOM %s is not a CycloneDX document (bomFormat %r)" % (name, document.get("bomFormat")))
        return problems
    described, files = {}, {}
    for component in document.get("components") or []:
        if not isinstance(component, dict):
            continue
        wheel = _property_value(component, PROP_WHEEL)
        extra = _property_value(component, PROP_FILE)
        if wheel is not None:
            described[wheel] = _sha256_of(component)
        elif extra is not None:
            files[extra] = _sha256_of(component)
    for kind, recorded, actual in (("wheel", described, wheel_digests), ("file", files, file_digests)):
        for item in sorted(set(actual) - set(recorded)):
            problems.append("the SBOM %s does not describe the %s %s" % (name, kind, item))
        for item in sorted(set(recorded) - set(actual)):
            problems.append("the SBOM %s describes the %s %s, which is not in the wagon" % (name, kind, item))
        for item in sorted(set(recorded) & set(actual)):
            if actual[item] and recorded[item] != actual[item]:
                problems.append(
                    "the SBOM %s gives the %s %s the sha256 %s, but it has %s"
                    % (name, kind, item, recorded[item], actual[item])
                )
    return problems
