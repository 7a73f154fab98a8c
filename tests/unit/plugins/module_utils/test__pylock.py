# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PEP 751 locks a wagon carries: parsed back with tomllib and checked against the wheels."""

from __future__ import annotations

import hashlib
import tomllib

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive
from ansible_collections.offline.wagon.plugins.module_utils._build import BuildRequest, build_wagon
from ansible_collections.offline.wagon.plugins.module_utils._pylock import (
    create_pylock,
    pylock_problems,
    pylock_reference,
    target_marker,
    wagon_locks,
)
from ansible_collections.offline.wagon.plugins.module_utils._targets import parse_targets
from tests.support.fixtures import make_wheel
from tests.support.pythons import run


def wheel(filename, name, version, requires_python=None, size=10):
    return {"filename": filename, "name": name, "version": version, "sha256": hashlib.sha256(filename.encode()).hexdigest(),
            "size": size, "requires_python": requires_python}


def check_against(lock, wheels):
    """Every wheel is listed once, under its package, by a path under wheels/ with its size and sha256."""
    assert lock["lock-version"] == "1.0" and lock["created-by"] == "offline.wagon"
    listed = {}
    for package in lock["packages"]:
        for entry in package["wheels"]:
            listed[entry["name"]] = (package["name"], package["version"], entry)
    assert sorted(listed) == sorted(w["filename"] for w in wheels)
    for w in wheels:
        name, version, entry = listed[w["filename"]]
        assert (name, version) == (w["name"].lower().replace("_", "-").replace(".", "-"), w["version"])
        assert entry == {"name": w["filename"], "path": "wheels/" + w["filename"], "size": w["size"],
                         "hashes": {"sha256": w["sha256"]}}


def test_lock_lists_every_wheel_sorted_and_parses():
    wheels = [wheel("zope.event-5.0-py3-none-any.whl", "zope.event", "5.0"),
              wheel("Demo-1.0-py3-none-any.whl", "Demo", "1.0", ">=3.8"),
              wheel("dep_lib-1.2-py3-none-any.whl", "dep_lib", "1.2", ">=3.7, !=3.0.*")]
    data = create_pylock(wheels, ">=3.8", ['sys_platform == "linux"'])
    assert data == create_pylock(list(reversed(wheels)), ">=3.8", ['sys_platform == "linux"'])
    lock = tomllib.loads(data.decode("utf-8"))
    check_against(lock, wheels)
    assert [p["name"] for p in lock["packages"]] == ["demo", "dep-lib", "zope-event"]
    assert lock["requires-python"] == ">=3.8"
    assert lock["environments"] == ['sys_platform == "linux"']
    assert lock["packages"][1]["requires-python"] == "!=3.0.*, >=3.7"
    assert "requires-python" not in lock["packages"][2]


def test_strings_are_escaped():
    lock = tomllib.loads(create_pylock([wheel("a-1-py3-none-any.whl", "a", '1"\\\n\x01')]).decode("utf-8"))
    assert lock["packages"][0]["version"] == '1"\\\n\x01'


def test_lock_is_valid_for_packaging():
    pylock = pytest.importorskip("packaging.pylock")
    data = create_pylock([wheel("Demo-1.0-py3-none-any.whl", "Demo", "1.0", ">=3.8")], ">=3.8", ['python_version == "3.12"'])
    pylock.Pylock.from_dict(tomllib.loads(data.decode("utf-8"))).validate()


def test_one_lock_per_target_with_its_marker():
    targets = parse_targets([{"python": "3.9", "platform": "manylinux2014_x86_64"},
                             {"python": "3.12", "platform": "win_amd64"}])
    wheels = {w["filename"]: w for w in [wheel("app-1.0-cp39-cp39-linux_x86_64.whl", "app", "1.0"),
                                         wheel("app-1.0-cp312-cp312-win_amd64.whl", "app", "1.0"),
                                         wheel("dep-2.0-py3-none-any.whl", "dep", "2.0")]}
    sets = [(targets[0], ["app-1.0-cp39-cp39-linux_x86_64.whl", "dep-2.0-py3-none-any.whl"]),
            (targets[1], ["app-1.0-cp312-cp312-win_amd64.whl", "dep-2.0-py3-none-any.whl"])]
    locks = wagon_locks(wheels, sets)
    assert sorted(locks) == ["pylock.cp312-cp312-win_amd64.toml", "pylock.cp39-cp39-manylinux2014_x86_64.toml"]
    for target, names in sets:
        data, label = locks["pylock.%s.toml" % target.label]
        assert label == target.label
        lock = tomllib.loads(data.decode("utf-8"))
        check_against(lock, [wheels[n] for n in names])
        assert lock["requires-python"] == "==%s.*" % target.python
        assert lock["environments"] == [target_marker(target)]
    assert target_marker(targets[0]) == (
        'implementation_name == "cpython" and python_version == "3.9" and sys_platform == "linux" and platform_machine == "x86_64"'
    )
    assert target_marker(targets[1]) == 'implementation_name == "cpython" and python_version == "3.12" and sys_platform == "win32"'
    reference = pylock_reference(locks)
    assert reference["pylock.cp312-cp312-win_amd64.toml"]["target"] == "cp312-cp312-win_amd64"


@pytest.mark.parametrize("archive_format", ["zip", "tar.gz"])
def test_built_wagon_carries_its_lock_named_by_package_json(tmp_path, archive_format):
    links = tmp_path / "links"
    links.mkdir()
    make_wheel(links, "Demo", "1.0", requires=["dep-lib>=1"], requires_python=">=3.8")
    make_wheel(links, "dep-lib", "1.2", requires_python=">=3.7")
    request = BuildRequest(source="Demo==1.0", dest=str(tmp_path / "out"), find_links=[str(links)], no_index=True,
                           archive_format=archive_format)
    result = build_wagon(request, run)
    with WagonArchive(result.archive) as archive:
        raw = archive.read_member("pylock.toml")
        metadata = archive.read_metadata()
        assert pylock_problems(archive, metadata) == []
    reference = metadata.extension["pylock"]
    assert reference == {"pylock.toml": {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}}
    lock = tomllib.loads(raw.decode("utf-8"))
    described = [dict(info, filename=name) for name, info in metadata.extension["wheels"].items()]
    check_against(lock, described)
    assert lock["requires-python"] == ">=3.7, >=3.8"
    assert "environments" not in lock
    # Rebuilding gives the same bytes: the archive does not change.
    assert not build_wagon(request, run).changed


def test_pylock_problems():
    class Metadata:
        extension = {"pylock": {"pylock.toml": {"sha256": hashlib.sha256(b"x").hexdigest()},
                                "pylock.a.toml": {"sha256": "0" * 64}, "../pylock.toml": {}}}

    class Archive:
        def __init__(self, members):
            self.members = members

        def has(self, name):
            return name in self.members

        def read_member(self, name, limit):
            return self.members[name]

    assert pylock_problems(Archive({"pylock.toml": b"x", "pylock.a.toml": b"y"}), Metadata) == [
        "package.json names the lock '../pylock.toml', which is not a pylock file name",
        "the lock pylock.a.toml does not have the sha256 package.json records for it",
    ]
    assert pylock_problems(Archive({}), Metadata)[1] == "package.json names the lock pylock.a.toml, which is not in the archive"
    Metadata.extension = {}
    assert pylock_problems(Archive({}), Metadata) == []
