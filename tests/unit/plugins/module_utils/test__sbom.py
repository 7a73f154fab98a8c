# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CycloneDX SBOM: licences from wheel metadata, origins from pip's report, the document, its checks."""

from __future__ import annotations

import hashlib
import json
import re
from email.parser import HeaderParser

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive, write_archive
from ansible_collections.offline.wagon.plugins.module_utils._errors import MetadataError
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._sbom import (
    SBOM_FILENAME,
    License,
    Origin,
    SbomWheel,
    canonical_bytes,
    create_sbom,
    license_from_headers,
    origins_from_report,
    purl,
    read_license,
    read_sbom,
    sbom_components,
    sbom_problems,
)
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256
from tests.support.fixtures import make_wheel

WAGON = {"name": "demo-app", "version": "1.0", "archive_name": "demo_app-1.0-py3-none-any.wgn", "platform": "any"}
SHA_A, SHA_B, SHA_F = "a" * 64, "b" * 64, "f" * 64


def headers(text):
    return HeaderParser().parsestr(text)


# Licences ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected, cyclonedx",
    [
        ("License-Expression: MIT OR Apache-2.0\nLicense: BSD\n", "MIT OR Apache-2.0", [{"expression": "MIT OR Apache-2.0"}]),
        ("License: mit\n", "MIT", [{"license": {"id": "MIT"}}]),
        ("License: BSD\nClassifier: License :: OSI Approved :: MIT License\n", "BSD", [{"license": {"name": "BSD"}}]),
        (
            "Classifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: BSD License\n"
            "Classifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n",
            "MIT, BSD License",
            [{"license": {"id": "MIT"}}, {"license": {"name": "BSD License"}}],
        ),
        ("License: UNKNOWN\nClassifier: License :: OSI Approved :: Apache Software License\n", "Apache Software License",
         [{"license": {"name": "Apache Software License"}}]),
        ("Classifier: License :: OSI Approved\n", "", []),
        ("Name: x\n", "", []),
    ],
)
def test_license_from_headers(text, expected, cyclonedx):
    found = license_from_headers(headers(text))
    assert found.summary() == expected
    assert found.cyclonedx() == cyclonedx


def test_a_licence_text_in_the_license_field_gives_way_to_classifiers():
    text = "Copyright (c) 2020 Someone\n        \n        Permission is hereby granted, free of charge, to any person\n"
    long_field = "License: %s" % text
    with_classifier = license_from_headers(headers(long_field + "Classifier: License :: OSI Approved :: MIT License\n"))
    assert with_classifier.ids == ("MIT",) and not with_classifier.text
    alone = license_from_headers(headers(long_field))
    assert alone.names == ("Copyright (c) 2020 Someone",)
    entry = alone.cyclonedx()[0]["license"]
    assert entry["name"] == "Copyright (c) 2020 Someone" and "Permission is hereby granted" in entry["text"]["content"]


def test_read_license_from_a_wheel(tmp_path):
    assert read_license(make_wheel(tmp_path, "a", "1", license="Apache-2.0")).ids == ("Apache-2.0",)
    assert read_license(make_wheel(tmp_path, "b", "1")) == License("", (), (), "")


# Origins -------------------------------------------------------------------------------------


def test_origins_from_report():
    report = {"version": "1", "install": [
        {"metadata": {"name": "Demo_App", "version": "1.0"},
         "download_info": {"url": "https://u:secret@idx/demo_app-1.0-py3-none-any.whl",
                           "archive_info": {"hash": "sha256=" + SHA_A, "hashes": {"sha256": SHA_A}}}},
        {"metadata": {"name": "old", "version": "2"},
         "download_info": {"url": "file:///links/old-2.tar.gz", "archive_info": {"hash": "sha256=" + SHA_B}}},
        {"metadata": {"name": "local", "version": "3"}, "download_info": {"url": "file:///src/local", "dir_info": {}}},
        {"metadata": {"name": "nowhere", "version": "4"}},
    ]}
    assert origins_from_report(report) == {
        ("demo-app", "1.0"): Origin("https://idx/demo_app-1.0-py3-none-any.whl", SHA_A),
        ("old", "2"): Origin("file:///links/old-2.tar.gz", SHA_B),
        ("local", "3"): Origin("file:///src/local", None),
    }
    assert origins_from_report(None) == {}


# The document --------------------------------------------------------------------------------


def test_purl():
    assert purl("Demo_App", "1.0") == "pkg:pypi/demo-app@1.0"
    assert purl("zope.interface", "6.0+local.1") == "pkg:pypi/zope-interface@6.0%2Blocal.1"


def sample_wheels():
    return [
        SbomWheel("demo_app-1.0-py3-none-any.whl", "demo-app", "1.0", SHA_A, License("", ("MIT",), (), ""),
                  Origin("https://idx/demo_app-1.0-py3-none-any.whl", SHA_A)),
        SbomWheel("helper-2.0-py3-none-any.whl", "helper", "2.0", SHA_B, License("", (), (), ""),
                  Origin("file:///links/helper-2.0.tar.gz", "c" * 64)),
        SbomWheel("lost-1-py3-none-any.whl", "lost", "1", "d" * 64, None, Origin(None, None)),
    ]


def test_create_sbom():
    document = create_sbom(WAGON, sample_wheels(), {"NOTICE": SHA_F}, properties={"offline.wagon:built_by:pip": "24.0"})
    assert (document["bomFormat"], document["specVersion"], document["version"]) == ("CycloneDX", "1.5", 1)
    assert re.match(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", document["serialNumber"])
    assert "timestamp" not in document["metadata"]
    wagon = document["metadata"]["component"]
    assert (wagon["type"], wagon["name"], wagon["version"], wagon["bom-ref"]) == (
        "application", "demo-app", "1.0", "wagon:demo_app-1.0-py3-none-any.wgn")
    demo, helper, lost, notice = document["components"]
    assert demo["purl"] == "pkg:pypi/demo-app@1.0" and demo["hashes"] == [{"alg": "SHA-256", "content": SHA_A}]
    assert demo["licenses"] == [{"license": {"id": "MIT"}}]
    assert demo["externalReferences"] == [{"type": "distribution", "url": "https://idx/demo_app-1.0-py3-none-any.whl",
                                           "hashes": [{"alg": "SHA-256", "content": SHA_A}]}]
    props = {p["name"]: p["value"] for p in helper["properties"]}
    assert props == {"offline.wagon:wheel": "helper-2.0-py3-none-any.whl", "offline.wagon:origin": "file:///links/helper-2.0.tar.gz",
                     "offline.wagon:built_from_source": "true"}
    assert "licenses" not in helper
    assert "externalReferences" not in lost
    assert {p["name"]: p["value"] for p in lost["properties"]}["offline.wagon:origin"] == "unknown"
    assert notice == {"type": "file", "bom-ref": "file:NOTICE", "name": "NOTICE",
                      "hashes": [{"alg": "SHA-256", "content": SHA_F}], "properties": [{"name": "offline.wagon:file", "value": "NOTICE"}]}
    assert document["dependencies"] == [{"ref": wagon["bom-ref"], "dependsOn": [c["bom-ref"] for c in document["components"]]}]
    assert document["metadata"]["properties"] == [{"name": "offline.wagon:built_by:pip", "value": "24.0"}]


def test_create_sbom_is_reproducible_and_its_serial_follows_the_content():
    first = canonical_bytes(create_sbom(WAGON, sample_wheels()))
    assert first == canonical_bytes(create_sbom(WAGON, list(reversed(sample_wheels()))))
    assert first.endswith(b"}\n") and first.decode("ascii")
    other = create_sbom(dict(WAGON, version="1.1"), sample_wheels())
    assert json.loads(first)["serialNumber"] != other["serialNumber"]


def test_sbom_components():
    summary = sbom_components(create_sbom(WAGON, sample_wheels(), {"NOTICE": SHA_F}))
    assert [c["wheel"] for c in summary] == [w.filename for w in sample_wheels()]
    assert summary[0] == {"wheel": "demo_app-1.0-py3-none-any.whl", "name": "demo-app", "version": "1.0",
                          "purl": "pkg:pypi/demo-app@1.0", "sha256": SHA_A, "licenses": ["MIT"],
                          "origin": "https://idx/demo_app-1.0-py3-none-any.whl"}
    assert summary[2]["origin"] == "unknown" and summary[2]["licenses"] == []


# Reading and checking -------------------------------------------------------------------------


def wagon_with_sbom(tmp_path, sbom_bytes, recorded_sha256=None, name="w.wgn"):
    wheel = make_wheel(tmp_path, "demo-app", "1.0")
    digest = file_sha256(wheel)
    reference = {"file": SBOM_FILENAME, "sha256": recorded_sha256 or hashlib.sha256(sbom_bytes).hexdigest()}
    metadata = create_metadata("demo-app", "1.0", "t", {"demo_app-1.0-py3-none-any.whl": {
        "sha256": digest, "size": 1, "name": "demo-app", "version": "1.0"}}, "any", ["py3"],
        extension={"sbom": reference})
    path = str(tmp_path / name)
    write_archive(path, "demo-app", metadata.to_json(), {"demo_app-1.0-py3-none-any.whl": wheel},
                  extras={SBOM_FILENAME: sbom_bytes} if sbom_bytes is not None else None)
    return path, metadata, digest


def test_read_sbom_and_a_sound_one_has_no_problems(tmp_path):
    wheel = make_wheel(tmp_path, "demo-app", "1.0")
    sbom = canonical_bytes(create_sbom(WAGON, [SbomWheel(
        "demo_app-1.0-py3-none-any.whl", "demo-app", "1.0", file_sha256(wheel), None, Origin(None, None))]))
    path, metadata, digest = wagon_with_sbom(tmp_path, sbom)
    with WagonArchive(path) as archive:
        document, sha256 = read_sbom(archive, archive.read_metadata())
    assert document == json.loads(sbom) and sha256 == hashlib.sha256(sbom).hexdigest()
    assert sbom_problems(document, sha256, metadata, {"demo_app-1.0-py3-none-any.whl": digest}, {}) == []


def test_sbom_problems_are_all_reported(tmp_path):
    sbom = canonical_bytes(create_sbom(WAGON, sample_wheels(), {"NOTICE": SHA_F}))
    path, metadata, digest = wagon_with_sbom(tmp_path, sbom, recorded_sha256="e" * 64)
    problems = sbom_problems(json.loads(sbom), hashlib.sha256(sbom).hexdigest(), metadata,
                             {"demo_app-1.0-py3-none-any.whl": digest, "extra-1-py3-none-any.whl": SHA_B}, {})
    assert len(problems) == 6, problems
    assert "package.json says %s: it was altered" % ("e" * 64) in problems[0]
    assert any("does not describe the wheel extra-1-py3-none-any.whl" in p for p in problems)
    assert any("describes the wheel helper-2.0-py3-none-any.whl, which is not in the wagon" in p for p in problems)
    assert any("describes the file NOTICE, which is not in the wagon" in p for p in problems)
    assert any("gives the wheel demo_app-1.0-py3-none-any.whl the sha256 %s, but it has %s" % (SHA_A, digest) in p for p in problems)
    not_cdx = sbom_problems({"bomFormat": "SPDX"}, hashlib.sha256(sbom).hexdigest(), metadata, {}, {})
    assert len(not_cdx) == 2 and "is not a CycloneDX document" in not_cdx[1]


@pytest.mark.parametrize(
    "sbom, message",
    [
        (None, "names the SBOM sbom.cdx.json, which is not in the archive"),
        (b"{nope", "is not valid JSON"),
        (b"[1, 2]", "is not a JSON object"),
    ],
)
def test_read_sbom_refuses(tmp_path, sbom, message):
    path, _metadata, _digest = wagon_with_sbom(tmp_path, sbom, recorded_sha256="e" * 64)
    with WagonArchive(path) as archive:
        with pytest.raises(MetadataError, match=message):
            read_sbom(archive, archive.read_metadata())


def test_read_sbom_of_a_wagon_without_one(tmp_path):
    wheel = make_wheel(tmp_path, "six", "1.16.0")
    metadata = create_metadata("six", "1.16.0", "six", {"six-1.16.0-py3-none-any.whl": {
        "sha256": file_sha256(wheel), "size": 1, "name": "six", "version": "1.16.0"}}, "any", ["py3"])
    path = write_archive(str(tmp_path / "six.wgn"), "six", metadata.to_json(), {"six-1.16.0-py3-none-any.whl": wheel})
    with WagonArchive(path) as archive:
        assert read_sbom(archive, archive.read_metadata()) == (None, None)


@pytest.mark.parametrize("reference", ["sbom.cdx.json", {"file": "../x"}, {"file": "a/b"}, {"sha256": "x"}])
def test_a_bad_sbom_reference_is_refused(tmp_path, reference):
    metadata = create_metadata("a", "1", "a", {}, "any", ["py3"], extension={"sbom": reference})
    path = write_archive(str(tmp_path / "a.wgn"), "a", metadata.to_json(), {})
    with WagonArchive(path) as archive:
        with pytest.raises(MetadataError, match="offline_wagon.sbom"):
            read_sbom(archive, archive.read_metadata())
