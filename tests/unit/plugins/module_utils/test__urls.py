# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way a URL's secrets (user info, query values) are kept out of messages, results, records and the SBOM."""

from __future__ import annotations

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._urls import mask_url, strip_credentials, url_secrets


@pytest.mark.parametrize(
    "text, masked",
    [
        ("https://user:pw@host/simple", "https://********@host/simple"),
        ("see https://tok@host/x and http://a:b@c/", "see https://********@host/x and http://********@c/"),
        ("https://u:p@ss@host/", "https://********@host/"),
        ("https://host/simple", "https://host/simple"),
        ("flask==3.0.3", "flask==3.0.3"),
        ("pkg @ https://u:p@h/pkg.tar.gz", "pkg @ https://********@h/pkg.tar.gz"),
        ("https://h/w.wgn?token=abc123&X-Amz-Signature=s3cr3t", "https://h/w.wgn?token=********&X-Amz-Signature=********"),
        ("https://h/w.wgn?opaque-token#sha256=ab", "https://h/w.wgn?********#sha256=ab"),
        ("downloading 'https://h/w.wgn?t=x' failed", "downloading 'https://h/w.wgn?t=********' failed"),
        ("git+https://u:p@github.com/o/r@v1.0#egg=r", "git+https://********@github.com/o/r@v1.0#egg=r"),
        ("what? no URL here", "what? no URL here"),
        (None, None),
    ],
)
def test_mask_url(text, masked):
    assert mask_url(text) == masked


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://user:secret@pypi.example.com/packages/x.whl", "https://pypi.example.com/packages/x.whl"),
        ("https://token@host:8443/simple/x/", "https://host:8443/simple/x/"),
        ("https://u:p%40ss@host/a?b=c#sha256=1", "https://host/a#sha256=1"),
        ("https://bucket.s3/x.whl?X-Amz-Signature=abc", "https://bucket.s3/x.whl"),
        ("https://files.pythonhosted.org/packages/x.whl", "https://files.pythonhosted.org/packages/x.whl"),
        ("file:///srv/wheelhouse/x.whl", "file:///srv/wheelhouse/x.whl"),
        (None, None),
    ],
)
def test_strip_credentials(url, expected):
    assert strip_credentials(url) == expected


def test_url_secrets():
    assert url_secrets("https://u:pw@h/ x http://tok@h/") == ["pw", "tok"]
    # Short query values would garble Ansible's output if masked everywhere; they are no secret anyway.
    assert url_secrets("https://h/x?token=abcdef123&page=2") == ["abcdef123"]
    assert url_secrets(None) == []
