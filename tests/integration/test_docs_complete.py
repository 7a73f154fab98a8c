# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a Galaxy user reads in ansible-doc is complete: a sample for every return value, the attributes the
modules support, and the option names ansible.builtin.pip's users type."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support.ansible import BIN, environment

MODULES = ["wagon_build", "wagon_install", "wagon_facts"]


def doc(module):
    name = "offline.wagon." + module
    out = subprocess.run([os.path.join(BIN, "ansible-doc"), "--json", name], env=environment(), check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    return json.loads(out)[name]


def without_sample(returns, prefix=""):
    for key, value in returns.items():
        if "sample" not in value:
            yield prefix + key
        if isinstance(value.get("contains"), dict):
            yield from without_sample(value["contains"], prefix + key + ".")


@pytest.mark.parametrize("module", MODULES)
def test_every_return_value_has_a_sample(module):
    assert list(without_sample(doc(module)["return"])) == []


@pytest.mark.parametrize("module", MODULES)
def test_group_defaults_are_documented_as_not_the_way(module):
    group = doc(module)["doc"]["attributes"]["action_group"]
    assert "per module" in " ".join(group["details"])


def test_attributes_and_aliases():
    install, build = doc("wagon_install")["doc"], doc("wagon_build")["doc"]
    assert install["attributes"]["vault"]["support"] == "full"
    assert build["attributes"]["async"]["support"] == "full"
    assert install["options"]["venv_python"]["aliases"] == ["virtualenv_python"]
    assert all("example.invalid" not in str(entry) for entry in install["seealso"])
