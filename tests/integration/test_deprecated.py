# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""offline.wagon.deprecated: a value that warns whoever uses it, and nobody else (the rollout role's old
result name ``rollout`` is kept this way until 0.2.0)."""

from __future__ import annotations

import pytest

from tests.support.ansible import run_playbook

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.set_fact:
        new_name: "{{ result }}"
        old_name: "{{ result | offline.wagon.deprecated(why, '0.2.0') }}"
      vars:
        result: {current: app-2.0}
        why: old_name is deprecated, use new_name
    - ansible.builtin.debug:
        msg: "{{ %s.current }}"
"""


@pytest.mark.parametrize("used, warned", [("new_name", False), ("old_name", True)])
def test_deprecated_value_warns_its_users(tmp_path, used, warned):
    play = tmp_path / "play.yml"
    play.write_text(PLAY % used)
    run = run_playbook(play, env={"ANSIBLE_DEPRECATION_WARNINGS": "1"}).check()
    assert run.results[-1]["result"]["msg"] == "app-2.0"
    output = run.stdout + run.stderr
    assert ("old_name is deprecated, use new_name" in output) is warned, output
    if warned:
        assert "collection 'offline.wagon' version 0.2.0" in output
