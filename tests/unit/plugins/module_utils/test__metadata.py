# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""package.json is checked against what each key may be, once, on reading: nothing hostile gets further."""

from __future__ import annotations

import json

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import MetadataError
from ansible_collections.offline.wagon.plugins.module_utils._metadata import WagonMetadata

WHEEL = "demo_app-1.0-py3-none-any.whl"
SHA = "ab" * 32


def metadata(**changes):
    data = {
        "package_name": "demo-app", "package_version": "1.0", "supported_platform": "any",
        "supported_python_versions": ["py3"], "wheels": [WHEEL], "files": [],
        "offline_wagon": {"wheels": {WHEEL: {"sha256": SHA, "size": 10, "name": "demo-app", "version": "1.0",
                                             "requires_python": ">=3.6", "requires_dist": ["six>=1; extra == 'x'"]}}},
    }
    for key, value in changes.items():
        if key.startswith("wheel_"):
            data["offline_wagon"]["wheels"][WHEEL][key[len("wheel_"):]] = value
        else:
            data[key] = value
    return data


def test_a_real_shape_is_accepted():
    parsed = WagonMetadata(metadata())
    assert parsed.name == "demo-app"
    # Benign oddities: unknown keys, unicode in free text, the original tool's null OS properties.
    WagonMetadata(metadata(description="caf\u00e9 \u2603", build_server_os_properties=None, package_source="x y; z"))
    WagonMetadata(metadata(package_name="zope.interface", package_version="1!2.0.post1+local.7"))


@pytest.mark.parametrize("changes, message", [
    (dict(package_name="/tmp/sentinel/x"), "package_name is '/tmp/sentinel/x', which is not a distribution name"),
    (dict(package_name="../x"), "not a distribution name"),
    (dict(package_name="a\x00b"), "not a distribution name"),
    (dict(package_name="demo\n"), "not a distribution name"),
    (dict(package_name="x" * 300), "not a distribution name"),
    (dict(package_name=7), "has no package_name"),
    (dict(package_version="1.0 --index-url http://x"), "package_version .* not a version"),
    (dict(package_version="1.0\n"), "not a version"),
    (dict(package_version="1;rm"), "not a version"),
    (dict(package_version=["1"]), "not a version"),
    (dict(supported_platform="linux/../x"), "not a platform tag"),
    (dict(supported_python_versions=["py3\n-r /etc/passwd"]), "not a Python label"),
    (dict(wheels=[7]), "no wheels list"),
    (dict(wheels=[WHEEL + "\n--find-links http://127.0.0.1:1/"]), "not a plain file name"),
    (dict(wheels=["-r /etc/passwd.whl"]), "not a plain file name"),
    (dict(files=["../x"]), "not a plain file name"),
    (dict(files=["a\nb"]), "not a plain file name"),
    (dict(files=[".."]), "not a plain file name"),
    (dict(wheel_sha256="AB" * 32), "not a sha256"),
    (dict(wheel_sha256="zz" * 32), "not a sha256"),
    (dict(wheel_size=-1), "not a byte count"),
    (dict(wheel_size=True), "not a byte count"),
    (dict(wheel_name="demo\n-c http://x"), "name is .* not a distribution name"),
    (dict(wheel_name=7), "not a distribution name"),
    (dict(wheel_version="1 2"), "not a version"),
    (dict(wheel_requires_python=[">=3"]), "not a version specifier"),
    (dict(wheel_requires_python=">=3\n"), "not a version specifier"),
    (dict(wheel_requires_dist=["a\nb"]), "requires_dist is not a list of requirement lines"),
    (dict(wheel_requires_dist="six"), "requires_dist is not a list"),
    (dict(build_server_os_properties=[1]), "build_server_os_properties is not an object"),
    (dict(package_source=["x"]), "package_source is not a string"),
])
def test_hostile_values_are_refused_in_one_line(changes, message):
    with pytest.raises(MetadataError, match=message) as caught:
        WagonMetadata(metadata(**changes))
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_json_nested_too_deep_is_a_metadata_error():
    with pytest.raises(MetadataError, match="nested too deep"):
        WagonMetadata.from_json("[" * 100000 + "]" * 100000)


def test_hashes_for_unlisted_wheels_are_refused():
    data = metadata()
    data["offline_wagon"]["wheels"]["other-1.0-py3-none-any.whl"] = {"sha256": SHA}
    with pytest.raises(MetadataError, match="does not list in wheels"):
        WagonMetadata.from_json(json.dumps(data))
