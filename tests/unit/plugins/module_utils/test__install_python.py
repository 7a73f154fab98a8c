# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installing into an interpreter that is not a venv: the snapshot that undoes a failed pip run, PEP 668 and pip options."""

from __future__ import annotations

import os
from types import SimpleNamespace

from ansible_collections.offline.wagon.plugins.module_utils._install import (
    Snapshot,
    Destination,
    externally_managed_error,
    destination_pip_args,
)


def tree(path):
    found = {}
    for root, _dirs, files in os.walk(str(path)):
        for name in files:
            full = os.path.join(root, name)
            found[os.path.relpath(full, str(path))] = os.readlink(full) if os.path.islink(full) else open(full).read()
    return found


def test_snapshot_restores_site_packages_whole_and_scripts_file_by_file(tmp_path):
    prefix = tmp_path / "prefix"
    site = prefix / "lib" / "site-packages"
    scripts = prefix / "bin"
    (site / "old").mkdir(parents=True)
    (site / "old" / "__init__.py").write_text("old")
    (site / ".offline-wagon").mkdir()
    (site / ".offline-wagon" / "old.json").write_text("{}")
    (scripts / "sub").mkdir(parents=True)
    (scripts / "tool").write_text("tool v1")
    (scripts / "kept").write_text("kept")
    os.symlink("tool", str(scripts / "tool-link"))
    info = SimpleNamespace(purelib=str(site), platlib=str(site), scripts=str(scripts))
    before_site, before_scripts = tree(site), tree(scripts)

    snapshot = Snapshot(str(site), info, scripts_by_file=True)
    assert not snapshot.root.startswith(str(site) + os.sep)  # never inside what it copies
    # What a pip run does: replace by unlink-and-write, add, remove, and another tool writes in bin meanwhile.
    os.unlink(str(site / "old" / "__init__.py"))
    (site / "old" / "__init__.py").write_text("new")
    (site / "added").mkdir()
    (site / "added" / "x.py").write_text("x")
    os.unlink(str(scripts / "tool"))
    (scripts / "tool").write_text("tool v2")
    (scripts / "new-script").write_text("new")
    os.unlink(str(scripts / "tool-link"))
    os.symlink("elsewhere", str(scripts / "tool-link"))
    (scripts / "sub" / "other").write_text("not pip's")
    snapshot.restore()

    assert tree(site) == before_site
    assert tree(scripts) == dict(before_scripts, **{"sub/other": "not pip's"})  # bin is not swapped whole
    assert not os.path.exists(snapshot.root)
    assert sorted(os.listdir(str(site.parent))) == ["site-packages"]


def test_pip_args_for_each_kind_of_target():
    info = SimpleNamespace(externally_managed=True, pip_version="23.2.1")
    system = Destination("/site", "/usr/bin/python3", "/usr/bin/python3", None, "/site/.offline-wagon")
    venv = Destination("/venv", "/venv/bin/python", "/venv", "/venv", "/venv")
    assert destination_pip_args(venv, info, True) == []
    assert destination_pip_args(system, info, False) == ["--no-user"]
    assert destination_pip_args(system, info, True) == ["--no-user", "--break-system-packages"]
    assert destination_pip_args(system, info, True, state="absent") == ["--break-system-packages"]
    # pip before 23.0.1 has no such option (and before 23.0 does not check the marker).
    assert destination_pip_args(system, SimpleNamespace(externally_managed=True, pip_version="22.3"), True) == ["--no-user"]


def test_refusal_quotes_the_marker(tmp_path):
    (tmp_path / "EXTERNALLY-MANAGED").write_text("[externally-managed]\nError=Use apt\n  or a venv.\n")
    error = externally_managed_error(SimpleNamespace(stdlib=str(tmp_path), executable="/usr/bin/python3"))
    assert str(error).startswith("refusing to install into /usr/bin/python3: its environment is externally managed")
    assert '"Use apt or a venv."' in str(error) and "break_system_packages=true" in str(error)
    (tmp_path / "EXTERNALLY-MANAGED").write_text("")
    assert "marker" in str(externally_managed_error(SimpleNamespace(stdlib=str(tmp_path), executable="p")))
