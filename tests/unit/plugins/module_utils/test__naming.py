# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wagon file names and Python labels, as Wagon 1.0 writes them."""

from __future__ import annotations

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._naming import (
    ArchiveName,
    canonicalize_name,
    python_label,
)


@pytest.mark.parametrize(
    "filename, fields",
    [
        ("Flask-3.0.3-py311-none-linux_x86_64.wgn", ("Flask", "3.0.3", "", ("py311",), "linux_x86_64")),
        ("six-1.16.0-2b-py38.py311-none-any.wgn", ("six", "1.16.0", "2b", ("py38", "py311"), "any")),
        ("MarkupSafe-2.1.5-py311-none-linux_x86_64.wgn", ("MarkupSafe", "2.1.5", "", ("py311",), "linux_x86_64")),
        ("my_pkg.sub-1.0+local-py312-none-win_amd64.wgn", ("my_pkg.sub", "1.0+local", "", ("py312",), "win_amd64")),
    ],
)
def test_parse_and_write_round_trip(filename, fields):
    name = ArchiveName.parse(filename)
    assert (name.name, name.version, name.build_tag, name.python_tags, name.platform) == fields
    assert name.filename == filename


def test_create_replaces_only_dashes_in_the_name():
    name = ArchiveName.create("hello-wagon", "0.1.0", ["py311"], "any", build_tag="1")
    assert name.filename == "hello_wagon-0.1.0-1-py311-none-any.wgn"


def test_parse_old_seven_field_names():
    name = ArchiveName.parse("cloudify_plugin-1.2-py27-none-linux_x86_64-centos-core.wgn")
    assert (name.name, name.version, name.platform, name.distribution, name.release) == (
        "cloudify_plugin", "1.2", "linux_x86_64", "centos", "core"
    )


@pytest.mark.parametrize("filename", ["flask.wgn", "a-b-c.wgn", "-1.0-py3-none-any.wgn"])
def test_not_wagon_names(filename):
    with pytest.raises(WagonError):
        ArchiveName.parse(filename)


@pytest.mark.parametrize("value, label", [("3.11", "py311"), ("311", "py311"), ("py311", "py311"), ((3, 9), "py39"), ("py3", "py3")])
def test_python_label(value, label):
    assert python_label(value) == label


def test_python_label_refuses_nonsense():
    with pytest.raises(WagonError, match="not a version"):
        python_label("three")


def test_canonicalize_name():
    assert canonicalize_name("Foo.Bar__baz-Qux") == "foo-bar-baz-qux"
