# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The journal: a rollback, in this run or after a kill, puts back exactly what the install touched."""

from __future__ import annotations

import os

import pytest

from ansible_collections.offline.wagon.plugins.module_utils import _journal
from ansible_collections.offline.wagon.plugins.module_utils._journal import Journal, pending, recover
from tests.support.trees import tree_state


def _layout(tmp_path):
    prefix = tmp_path / "prefix"
    site = prefix / "lib" / "site-packages"
    scripts = prefix / "bin"
    (site / "old").mkdir(parents=True)
    (site / "old" / "__init__.py").write_text("old")
    (scripts / "sub").mkdir(parents=True)
    (scripts / "tool").write_text("tool v1")
    (scripts / "kept").write_text("kept")
    os.symlink("tool", str(scripts / "tool-link"))
    return prefix, site, scripts


def _change(journal, site, scripts):
    """What an install does: replace, add (in new directories), remove, and remove a directory left empty."""
    path = str(site / "old" / "__init__.py")
    journal.new_file(path)  # sets the old one aside
    with open(path, "w") as stream:
        stream.write("new")
    added = str(site / "added" / "deep" / "x.py")
    journal.new_file(added)
    with open(added, "w") as stream:
        stream.write("x")
    journal.new_file(str(scripts / "tool"))
    with open(str(scripts / "tool"), "w") as stream:
        stream.write("tool v2")
    journal.set_aside(str(scripts / "tool-link"))
    journal.set_aside(str(scripts / "kept"))
    journal.remove_dir(str(scripts / "sub"))


def test_rollback_puts_back_every_change_and_nothing_else(tmp_path):
    prefix, site, scripts = _layout(tmp_path)
    before = tree_state(str(prefix))
    journal = Journal.begin(str(site / ".offline-wagon"))
    _change(journal, site, scripts)
    (scripts / "other-tool").write_text("written by someone else meanwhile")
    journal.rollback()
    after = tree_state(str(prefix))
    # Another tool's file is not ours to remove; everything else is as before.
    assert after.pop("bin/other-tool")
    assert after == before
    assert (scripts / "sub").is_dir() and not (site / "added").exists()
    assert not pending(str(site / ".offline-wagon"))


def test_a_killed_run_is_undone_by_the_next_one(tmp_path):
    prefix, site, scripts = _layout(tmp_path)
    before = tree_state(str(prefix))
    records = str(site / ".offline-wagon")
    journal = Journal.begin(records)
    _change(journal, site, scripts)
    # The process dies here: no rollback, no commit. The log is on disk already.
    assert pending(records)
    assert recover(records) is True
    assert tree_state(str(prefix)) == before
    assert (scripts / "sub").is_dir() and not (site / "added").exists()
    assert not pending(records) and recover(records) is False


def test_commit_keeps_the_changes_and_drops_the_backups(tmp_path):
    prefix, site, scripts = _layout(tmp_path)
    records = str(site / ".offline-wagon")
    journal = Journal.begin(records)
    _change(journal, site, scripts)
    journal.commit()
    assert (site / "old" / "__init__.py").read_text() == "new"
    assert not (scripts / "kept").exists() and not (scripts / "sub").exists()
    assert os.listdir(records) == []


def test_a_torn_last_line_and_an_unperformed_change_are_passed_over(tmp_path):
    prefix, site, scripts = _layout(tmp_path)
    records = str(site / ".offline-wagon")
    journal = Journal.begin(records)
    journal.new_file(str(site / "never-written.py"))  # logged, then killed before writing
    with open(os.path.join(journal.directory, "log"), "a") as stream:
        stream.write('["aside", "/som')  # killed mid-line
    # Nothing had changed, so undoing it changes nothing; the journal is gone all the same.
    assert recover(records) is False
    assert not pending(records)
    assert (site / "old" / "__init__.py").read_text() == "old"


def test_a_replay_killed_before_its_end_is_resumed_without_undoing_a_line_twice(tmp_path, monkeypatch):
    prefix, site, scripts = _layout(tmp_path)
    before = tree_state(str(prefix))
    records = str(site / ".offline-wagon")
    journal = Journal.begin(records)
    _change(journal, site, scripts)  # replaces old/__init__.py: "aside", then "create", of one path

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt("killed")

    # Killed once every line is undone, before the journal is removed: the old
    # __init__.py is back, and the log still exists.
    monkeypatch.setattr(_journal.shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        recover(records)
    monkeypatch.undo()
    assert pending(records)
    # The next run must not undo the "create" again: that would take the restored file.
    recover(records)
    assert tree_state(str(prefix)) == before
    assert (site / "old" / "__init__.py").read_text() == "old"
