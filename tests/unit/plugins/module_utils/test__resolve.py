# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parts of resolving that need no pip run: masking credentials. The rest runs through build_wagon (test__build)."""

from __future__ import annotations

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._resolve import mask_url, url_secrets


@pytest.mark.parametrize(
    "text, masked",
    [
        ("https://user:pw@host/simple", "https://user:********@host/simple"),
        ("see https://tok@host/x and http://a:b@c/", "see https://********@host/x and http://a:********@c/"),
        ("https://u:p@ss@host/", "https://u:********@host/"),
        ("https://host/simple", "https://host/simple"),
        ("flask==3.0.3", "flask==3.0.3"),
        ("pkg @ https://u:p@h/pkg.tar.gz", "pkg @ https://u:********@h/pkg.tar.gz"),
    ],
)
def test_mask_url(text, masked):
    assert mask_url(text) == masked


def test_url_secrets():
    assert url_secrets("https://u:pw@h/ x http://tok@h/") == ["pw", "tok"]
    assert url_secrets(None) == []
