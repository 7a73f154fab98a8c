# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installing into an interpreter that is not a venv: the PEP 668 refusal."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.offline.wagon.plugins.module_utils._destination import externally_managed_error


def test_refusal_quotes_the_marker(tmp_path):
    (tmp_path / "EXTERNALLY-MANAGED").write_text("[externally-managed]\nError=Use apt\n  or a venv.\n")
    error = externally_managed_error(SimpleNamespace(stdlib=str(tmp_path), executable="/usr/bin/python3"))
    assert str(error).startswith("refusing to install into /usr/bin/python3: its environment is externally managed")
    assert '"Use apt or a venv."' in str(error) and "break_system_packages=true" in str(error)
    (tmp_path / "EXTERNALLY-MANAGED").write_text("")
    assert "marker" in str(externally_managed_error(SimpleNamespace(stdlib=str(tmp_path), executable="p")))
