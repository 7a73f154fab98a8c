# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requires-Dist names and markers, evaluated on the host without packaging; compared with packaging where it can run."""

from __future__ import annotations

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._requirements import marker_applies, required_names

LINUX_312 = {
    "python_version": "3.12", "python_full_version": "3.12.1", "implementation_name": "cpython",
    "implementation_version": "3.12.1", "platform_python_implementation": "CPython", "sys_platform": "linux",
    "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix", "platform_release": "6.1",
    "platform_version": "#1 SMP",
}

MARKERS = [
    'python_version < "3.10"',
    'python_version >= "3.8"',
    "python_version < '3.13' and sys_platform == 'linux'",
    'sys_platform == "win32" or platform_machine == "x86_64"',
    '(os_name == "nt" or os_name == "posix") and implementation_name == "cpython"',
    'platform_system != "Windows"',
    '"linux" in sys_platform',
    'python_full_version >= "3.12.1"',
    'python_version ~= "3.11"',
    'python_version == "3.*"',
    'platform_python_implementation == "PyPy"',
]


@pytest.mark.parametrize("marker", MARKERS)
def test_markers_agree_with_packaging(marker):
    packaging_markers = pytest.importorskip("packaging.markers")
    assert marker_applies(marker, LINUX_312) == packaging_markers.Marker(marker).evaluate(LINUX_312)


def test_extras_are_not_requested_and_unreadable_markers_keep():
    assert marker_applies('extra == "socks"', LINUX_312) is False
    assert marker_applies('python_version >= "3.8" and extra == "x"', LINUX_312) is False
    # What cannot be read counts as true: a removal then keeps the distribution.
    assert marker_applies('python_version >>> "3"', LINUX_312) is True
    assert marker_applies('unknown_variable == "x"', LINUX_312) is True


def test_required_names():
    requires = [
        "Werkzeug>=3.0.0", "Jinja2 (>=3.1.2)", "itsdangerous>=2.1.2", "click>=8.1.3",
        "importlib-metadata>=3.6; python_version < '3.10'", "asgiref>=3.2; extra == 'async'",
        "python-dotenv; extra == 'dotenv'", "Blinker>=1.6.2",
    ]
    assert required_names(requires, LINUX_312) == {"werkzeug", "jinja2", "itsdangerous", "click", "blinker"}
