# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan's ownership rules, on synthetic interpreters: who owns what, what goes, what stays and why."""

from __future__ import annotations

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._interpreter import InstalledDistribution, InterpreterInfo
from ansible_collections.offline.wagon.plugins.module_utils._plan import InstallPlan, SelectedWheel


def interpreter(*distributions):
    """A CPython 3.12 on Linux with ``distributions`` (``(name, version, requires)``) installed, each with a RECORD."""
    return InterpreterInfo(
        "/venv/bin/python", (3, 12, 1), [
            InstalledDistribution(name, version, "/venv/site/%s-%s.dist-info" % (name, version), requires, "pip", True)
            for name, version, requires in distributions
        ],
        sys_platform="linux", system="Linux", machine="x86_64", os_name="posix", implementation="cpython",
    )


def wheel(name, version):
    return SelectedWheel("%s-%s-py3-none-any.whl" % (name, version), name, name.lower(), version, "0" * 64)


def record(name, version, **distributions):
    """An install record of wagon ``name`` owning ``distributions`` (``dist=(version, ownership)``)."""
    return {
        "name": name, "version": version, "wheels": [],
        "distributions": {
            key: {"name": key, "version": v, "ownership": ownership} for key, (v, ownership) in distributions.items()
        },
    }


def new(name, version):
    return {"name": name, "version": version, "wheels": []}


def test_ownership_of_each_distribution_on_install():
    info = interpreter(("jinja2", "3.1.6", ["markupsafe>=2"]), ("markupsafe", "2.1.5", []))
    wheels = [wheel("app", "1.0"), wheel("jinja2", "3.1.6"), wheel("markupsafe", "3.0.4")]
    plan = InstallPlan("/venv", "present", wheels, info, new("app", "1.0"))
    assert plan.ownership() == {"app": "added", "jinja2": "found", "markupsafe": "replaced"}
    assert plan.record["distributions"]["markupsafe"]["replaced_version"] == "2.1.5"
    assert plan.to_dict()["change"] == ["markupsafe==3.0.4 (was 2.1.5)"]


def test_absent_removes_only_what_the_wagon_added_and_nothing_still_required():
    info = interpreter(
        ("app", "1.0", ["markupsafe", "lib"]), ("lib", "1.0", []), ("markupsafe", "3.0.4", []),
        ("jinja2", "3.1.6", ["MarkupSafe>=2.0"]), ("pip", "24.0", []),
    )
    mine = record("app", "1.0", app=("1.0", "added"), lib=("1.0", "added"), markupsafe=("3.0.4", "added"),
                  pip=("24.0", "replaced"))
    plan = InstallPlan("/venv", "absent", [], info, new("app", "1.0"), {"app": mine})
    assert plan.to_dict()["remove"] == ["app==1.0", "lib==1.0"]
    assert plan.to_dict()["keep"] == [
        "pip==24.0 (it was there before this wagon: replaced)", "markupsafe==3.0.4 (required by jinja2)",
    ]
    assert plan.remove_record


def test_absent_without_a_record_removes_nothing():
    info = interpreter(("app", "1.0", []))
    plan = InstallPlan("/venv", "absent", [], info, new("app", "1.0"), {})
    assert not plan.changed and plan.remove == [] and "no record of wagon app" in plan.note


def test_a_distribution_another_wagon_recorded_is_kept_and_not_changed():
    info = interpreter(("app", "1.0", []), ("shared", "1.0", []), ("other", "1.0", ["shared"]))
    records = {
        "app": record("app", "1.0", app=("1.0", "added"), shared=("1.0", "added")),
        "other": record("other", "1.0", other=("1.0", "added"), shared=("1.0", "found")),
    }
    removal = InstallPlan("/venv", "absent", [], info, new("app", "1.0"), records)
    assert removal.to_dict()["remove"] == ["app==1.0"]
    assert removal.to_dict()["keep"] == ["shared==1.0 (required by other)"]
    with pytest.raises(WagonError, match="shared is at 1.0 for wagon other, this wagon has 2.0"):
        InstallPlan("/venv", "present", [wheel("app", "2.0"), wheel("shared", "2.0")], info, new("app", "2.0"), records)
    allowed = InstallPlan(
        "/venv", "present", [wheel("app", "2.0"), wheel("shared", "2.0")], info, new("app", "2.0"), records,
        allow_conflicts=True,
    )
    assert allowed.to_dict()["conflicts"] == ["shared is at 1.0 for wagon other, this wagon has 2.0"]


def test_an_upgrade_prunes_by_what_the_new_version_requires():
    info = interpreter(("app", "1.0", ["lib-a", "lib-b"]), ("lib-a", "1.0", []), ("lib-b", "1.0", ["lib-e"]),
                       ("lib-e", "1.0", []))
    owned = {name: ("1.0", "added") for name in ("app", "lib-a", "lib-b", "lib-e")}
    current = record("app", "1.0", **owned)
    wheels = [wheel("app", "2.0"), wheel("lib-a", "1.0")]
    # The wagon's metadata says what app 2.0 requires: the orphans go.
    plan = InstallPlan("/venv", "present", wheels, info, new("app", "2.0"), {"app": current},
                       requires={"app": ["lib-a"]})
    assert plan.to_dict()["remove"] == ["lib-b==1.0", "lib-e==1.0"]
    # Without it (the original tool's wagons) the installed 1.0's requirements count: keeping is safe.
    unknown = InstallPlan("/venv", "present", wheels, info, new("app", "2.0"), {"app": current})
    assert unknown.to_dict()["remove"] == [] and len(unknown.to_dict()["keep"]) == 2


def test_a_distribution_changed_since_the_wagon_installed_it_is_kept():
    info = interpreter(("app", "1.0", []), ("lib", "1.5", []))
    mine = record("app", "1.0", app=("1.0", "added"), lib=("1.0", "added"))
    plan = InstallPlan("/venv", "absent", [], info, new("app", "1.0"), {"app": mine})
    assert plan.to_dict()["keep"] == ["lib==1.5 (changed since this wagon installed 1.0)"]


def test_legacy_records_own_nothing():
    info = interpreter(("app", "1.0", []))
    legacy = {"name": "app", "version": "1.0", "wheels": [{"name": "app", "version": "1.0", "sha256": None}]}
    plan = InstallPlan("/venv", "absent", [], info, new("app", "1.0"), {"app": legacy})
    assert plan.remove == [] and plan.remove_record
