# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-doc renders every module, and each documented option is in the argument spec."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support.ansible import BIN, environment, run_playbook

MODULES = ["wagon_build", "wagon_install", "wagon_facts"]


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc(module):
    name = "offline.wagon." + module
    text = subprocess.run([os.path.join(BIN, "ansible-doc"), name], env=environment(), check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout
    assert name in text and "EXAMPLES" in text and "RETURN VALUES" in text
    data = json.loads(subprocess.run([os.path.join(BIN, "ansible-doc"), "--json", name], env=environment(),
                                     check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout)
    doc = data[name]["doc"]
    assert doc["version_added"] == "0.1.0" and doc["attributes"]["check_mode"]["support"] == "full"
    assert data[name]["examples"].strip()


def test_role_doc():
    name = "offline.wagon.rollout"
    text = subprocess.run([os.path.join(BIN, "ansible-doc"), "-t", "role", name], env=environment(), check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout
    assert "rollout_base" in text and "rollout_state" in text and "rollback" in text


@pytest.mark.parametrize("bad, complaint", [
    ({}, "rollout_base"),  # required
    ({"rollout_base": "/srv/app", "rollout_state": "upgrade"}, "rollout_state"),
    ({"rollout_base": "/srv/app", "rollout_keep": "many"}, "rollout_keep"),
])
def test_role_refuses_bad_input(tmp_path, bad, complaint):
    """meta/argument_specs.yml stops a bad call before any task runs."""
    play = tmp_path / "play.yml"
    play.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.include_role:\n        name: offline.wagon.rollout\n"
        "      vars: %s\n" % json.dumps(bad)
    )
    run = run_playbook(play)
    assert run.rc != 0
    failed = [r for r in run.results if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["action"] == "ansible.builtin.validate_argument_spec"
    assert complaint in failed[0]["result"]["msg"]
