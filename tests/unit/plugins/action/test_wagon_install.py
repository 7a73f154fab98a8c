# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin's short cut: when the host's facts alone settle the task, and when the module must run."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.offline.wagon.plugins.action.wagon_install import ActionModule
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata

SHA = "a" * 64


def plugin(**args):
    action = ActionModule.__new__(ActionModule)
    action._task = SimpleNamespace(args=dict(args, venv="/venv"), diff=False)
    return action


def wagon():
    return create_metadata("app", "1.0", "test", {"app-1.0-py3-none-any.whl": {
        "sha256": "b" * 64, "size": 1, "name": "app", "version": "1.0"}}, "any", ["py3"])


def facts(**more):
    record = {"name": "app", "version": "1.0", "archive_sha256": SHA, "matches": True, "target": "cp312-cp312-linux_x86_64",
              "wheels": [{"name": "app", "version": "1.0"}], "ownership": {"app": "added"}}
    return dict({"exists": True, "distributions": ["app==1.0"], "wagons": {"app": record}}, **more)


def test_an_intact_recorded_archive_settles_the_task_with_the_modules_result_shape():
    result = plugin()._known_outcome(wagon(), SHA, facts(), "present", False)
    assert result["changed"] is False and result["transferred"] is False
    assert result["target"] == "cp312-cp312-linux_x86_64" and result["ownership"] == {"app": "added"}
    assert result["installed"] == ["app==1.0"] and result["plan"]["record"] == "keep"


def test_the_module_runs_after_a_killed_install_for_install_pip_and_for_another_archive():
    assert plugin()._known_outcome(wagon(), SHA, facts(interrupted=True), "present", False) is None
    assert plugin(install_pip=True)._known_outcome(wagon(), SHA, facts(), "present", False) is None
    with_pip = facts(distributions=["app==1.0", "pip==24.0"])
    assert plugin(install_pip=True)._known_outcome(wagon(), SHA, with_pip, "present", False) is not None
    assert plugin()._known_outcome(wagon(), "c" * 64, facts(), "present", False) is None


def test_absent_without_a_record_is_settled_and_with_one_runs_the_module():
    bare = facts(wagons={})
    assert "no record of wagon app" in plugin()._known_outcome(wagon(), SHA, bare, "absent", False)["msg"]
    assert plugin()._known_outcome(wagon(), SHA, facts(), "absent", False) is None
