# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The install engine, for real: real venvs of pyenv Pythons, wagons built here, no pip."""

from __future__ import annotations

import json
import os
import shutil
import threading

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive, write_archive
from ansible_collections.offline.wagon.plugins.module_utils._errors import (
    ArchiveError,
    IncompatibleError,
    MetadataError,
    WagonError,
)
from ansible_collections.offline.wagon.plugins.module_utils._install import install_wagon, plan_install
from ansible_collections.offline.wagon.plugins.module_utils._plan import wheel_identity
from ansible_collections.offline.wagon.plugins.module_utils._records import read_records
from ansible_collections.offline.wagon.plugins.module_utils import _sources
from ansible_collections.offline.wagon.plugins.module_utils._sources import install_from_source
from ansible_collections.offline.wagon.plugins.module_utils._metadata import create_metadata
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256, read_wheel_metadata
from tests.support.fixtures import make_cext_wheel, make_wheel
from tests.support.pythons import run
from tests.support.trees import tree_state
from tests.support.wagons import make_wagon


@pytest.fixture(scope="session")
def template_venvs(tmp_path_factory, pythons):
    """One venv with pip per Python version, made once; tests copy them."""
    made = {}

    def get(version):
        if version not in made:
            if version not in pythons:
                pytest.skip("no Python %s here" % version)
            path = str(tmp_path_factory.mktemp("template") / ("venv" + version))
            assert run([pythons[version], "-m", "venv", path]).rc == 0
            made[version] = path
        return made[version]

    return get


@pytest.fixture
def venv(tmp_path, template_venvs):
    """``venv("3.12")`` → a fresh venv path (a copy of the template; we run pip as python -m pip)."""

    def copy(version="3.12"):
        target = str(tmp_path / ("venv" + version))
        shutil.copytree(template_venvs(version), target, symlinks=True)
        return target

    return copy


@pytest.fixture
def wheels(tmp_path):
    directory = tmp_path / "wheels"
    directory.mkdir()
    return directory


class CountingRunner(object):
    """The real runner, remembering every command and environment."""

    def __init__(self):
        self.calls = []

    def __call__(self, argv, cwd=None, env=None, timeout=None):
        self.calls.append((list(argv), dict(env) if env is not None else None))
        return run(argv, cwd=cwd, env=env, timeout=timeout)

    @property
    def pip_calls(self):
        return [call[0] for call in self.calls if "pip" in call[0][1:3]]


def installed(venv_path):
    runner = CountingRunner()
    from ansible_collections.offline.wagon.plugins.module_utils._interpreter import probe_interpreter, venv_python

    info = probe_interpreter(venv_python(venv_path), runner)
    return {d.name: d.version for d in info.distributions}


def test_install_creates_the_venv_without_pip_then_a_repeat_runs_only_the_probe(tmp_path, wheels, pythons):
    app = make_wheel(wheels, "demo-app", "1.0", requires=["helper-lib"])
    lib = make_wheel(wheels, "helper-lib", "2.0")
    wagon = make_wagon(tmp_path, [app, lib])
    target = str(tmp_path / "app" / "venv")

    predicted = install_wagon(wagon, target, run, venv_python_path=pythons["3.12"], check_mode=True)
    assert predicted.plan.changed and predicted.plan.create_venv
    assert not os.path.exists(target)

    runner = CountingRunner()
    first = install_wagon(wagon, target, runner, venv_python_path=pythons["3.12"])
    assert first.plan.to_dict() == predicted.plan.to_dict()
    assert installed(target)["demo-app"] == "1.0" and installed(target)["helper-lib"] == "2.0"
    assert sorted(first.installed) == ["demo-app==1.0", "helper-lib==2.0"]
    record = read_records(target)["demo-app"]
    assert record["archive_sha256"] == file_sha256(wagon)

    # No pip anywhere: the venv is made without it, and the engine installs the wheels itself.
    assert runner.pip_calls == []
    assert [argv[1:4] for argv, _env in runner.calls if "venv" in argv] == [["-m", "venv", "--without-pip"]]
    assert not os.path.exists(os.path.join(target, "bin", "pip"))
    assert first.plan.ownership() == {"demo-app": "added", "helper-lib": "added"}
    # Nothing of the work is left behind.
    assert sorted(os.listdir(os.path.join(target, ".offline-wagon"))) == ["demo-app.json"]

    again = CountingRunner()
    before = tree_state(target)
    second = install_wagon(wagon, target, again)
    assert not second.plan.changed
    assert len(again.calls) == 1  # one probe, nothing else
    assert tree_state(target) == before
    assert not install_wagon(wagon, target, run, check_mode=True).plan.changed


def test_change_version_check_mode_predicts_and_diff_shows_it(tmp_path, wheels, venv):
    target = venv("3.12")
    (tmp_path / "old").mkdir()
    old = make_wagon(tmp_path / "old", [make_wheel(wheels, "demo-app", "1.0")])
    install_wagon(old, target, run)
    new_wheels = tmp_path / "new"
    new_wheels.mkdir()
    new = make_wagon(tmp_path, [make_wheel(new_wheels, "demo-app", "2.0")])

    predicted = install_wagon(new, target, run, check_mode=True)
    assert predicted.plan.to_dict()["change"] == ["demo-app==2.0 (was 1.0)"]
    diff = predicted.plan.diff()
    assert "demo-app==1.0" in diff["before"] and "demo-app==2.0" in diff["after"]
    assert installed(target)["demo-app"] == "1.0"

    # From the metadata alone (the archive elsewhere, as the action plugin's check mode has it): the same plan.
    with WagonArchive(new) as archive:
        metadata = archive.read_metadata()
    planned = plan_install(metadata, file_sha256(new), new, target, run)
    assert (planned.plan.to_dict(), planned.plan.diff()) == (predicted.plan.to_dict(), diff)

    real = install_wagon(new, target, run)
    assert real.plan.to_dict() == predicted.plan.to_dict()
    assert installed(target)["demo-app"] == "2.0"
    # Downgrade back is a change too.
    assert install_wagon(old, target, run).plan.to_dict()["change"] == ["demo-app==1.0 (was 2.0)"]
    assert installed(target)["demo-app"] == "1.0"


def test_force_reinstalls(tmp_path, wheels, venv):
    target = venv("3.12")
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")])
    install_wagon(wagon, target, run)
    runner = CountingRunner()
    result = install_wagon(wagon, target, runner, force=True)
    assert result.plan.to_dict()["reinstall"] == ["demo-app==1.0"]
    assert installed(target)["demo-app"] == "1.0"


def test_absent_removes_only_what_no_other_wagon_needs(tmp_path, wheels, venv):
    target = venv("3.12")
    shared = make_wheel(wheels, "shared-lib", "1.0")
    first = make_wagon(tmp_path, [make_wheel(wheels, "first-app", "1.0", requires=["shared-lib"]), shared])
    second = make_wagon(tmp_path, [make_wheel(wheels, "second-app", "1.0", requires=["shared-lib"]), shared])
    install_wagon(first, target, run)
    install_wagon(second, target, run)

    predicted = install_wagon(first, target, run, state="absent", check_mode=True)
    assert predicted.plan.to_dict()["remove"] == ["first-app==1.0"]
    removed = install_wagon(first, target, run, state="absent")
    assert removed.plan.to_dict() == predicted.plan.to_dict()
    now = installed(target)
    assert "first-app" not in now and now["shared-lib"] == "1.0" and now["second-app"] == "1.0"
    assert sorted(read_records(target)) == ["second-app"]
    assert not install_wagon(first, target, run, state="absent").plan.changed
    # A venv that does not exist has nothing to remove.
    assert not install_wagon(first, str(tmp_path / "nowhere"), run, state="absent").plan.changed


def test_c_extension_wheel_is_chosen_per_python(tmp_path, wheels, venv, pythons):
    for version in ("3.8", "3.12"):
        make_cext_wheel(wheels, pythons[version], "fastcalc", "1.0")
    paths = sorted(str(p) for p in wheels.iterdir() if p.suffix == ".whl")
    wagon = make_wagon(tmp_path, paths)
    target = venv("3.12")
    result = install_wagon(wagon, target, run)
    assert [w.filename for w in result.plan.wheels] == ["fastcalc-1.0-cp312-cp312-linux_x86_64.whl"]
    assert run([os.path.join(target, "bin", "python"), "-c", "import fastcalc; assert fastcalc.answer() == 42"]).rc == 0


def test_a_wagon_for_another_python_is_refused_before_anything_changes(tmp_path, wheels, venv, pythons):
    wagon = make_wagon(tmp_path, [make_cext_wheel(wheels, pythons["3.9"], "fastcalc", "1.0")])
    target = venv("3.12")
    before = tree_state(target)
    with pytest.raises(IncompatibleError) as error:
        install_wagon(wagon, target, run)
    message = str(error.value)
    assert "CPython 3.12" in message and "fastcalc-1.0-cp39-cp39-linux_x86_64.whl" in message
    assert tree_state(target) == before
    # And a venv that would be created is not.
    with pytest.raises(IncompatibleError):
        install_wagon(wagon, str(tmp_path / "new"), run, venv_python_path=pythons["3.12"])
    assert not os.path.exists(str(tmp_path / "new"))


def test_requires_python_is_checked_before_pip(tmp_path, wheels, venv):
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "modern", "1.0", requires_python=">=3.10")])
    target = venv("3.8")
    with pytest.raises(IncompatibleError, match="Requires-Python >=3.10"):
        install_wagon(wagon, target, run)


def test_a_tampered_wheel_is_refused_and_the_venv_is_unchanged(tmp_path, wheels, venv):
    path = make_wheel(wheels, "demo-app", "1.0")
    wagon = make_wagon(tmp_path, [path], overrides={
        os.path.basename(path): {"sha256": "0" * 64, "size": 1, "name": "demo-app", "version": "1.0", "requires_python": ""},
    })
    target = venv("3.12")
    before = tree_state(target)
    with pytest.raises(ArchiveError, match="demo_app-1.0-py3-none-any.whl.*sha256.*altered or damaged"):
        install_wagon(wagon, target, run)
    assert tree_state(target) == before


def test_an_install_failing_half_way_leaves_the_venv_as_it_was(tmp_path, wheels, venv):
    target = venv("3.12")
    (tmp_path / "v1").mkdir()
    install_wagon(make_wagon(tmp_path / "v1", [make_wheel(wheels, "aaa-first", "1.0")]), target, run)
    site = [p for p in tree_state(target) if p.endswith("aaa_first/__init__.py")][0]
    # zzz_blocker is a *file* where the second wheel needs a directory: the
    # engine upgrades aaa-first, then fails on zzz-blocker.
    site_dir = os.path.join(target, os.path.dirname(os.path.dirname(site)))
    with open(os.path.join(site_dir, "zzz_blocker"), "w") as stream:
        stream.write("in the way\n")
    before = tree_state(target)
    later = tmp_path / "v2"
    later.mkdir()
    wagon = make_wagon(tmp_path, [make_wheel(later, "aaa-first", "2.0"), make_wheel(later, "zzz-blocker", "1.0")])
    with pytest.raises(WagonError, match="installing into .* failed"):
        install_wagon(wagon, target, run)
    assert tree_state(target) == before
    assert installed(target)["aaa-first"] == "1.0"


def test_bad_targets_and_interpreters(tmp_path, wheels, pythons):
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")])
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(WagonError, match="exists and is not a directory"):
        install_wagon(wagon, str(a_file), run, venv_python_path=pythons["3.12"])
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "data").write_text("x")
    with pytest.raises(WagonError, match="non-empty directory that is not a virtualenv"):
        install_wagon(wagon, str(busy), run, venv_python_path=pythons["3.12"])
    with pytest.raises(WagonError, match="/no/such/python3 does not exist"):
        install_wagon(wagon, str(tmp_path / "new"), run, venv_python_path="/no/such/python3")
    with pytest.raises(WagonError, match="is not a working Python"):
        install_wagon(wagon, str(tmp_path / "new"), run, venv_python_path="/bin/false")
    assert not os.path.exists(str(tmp_path / "new"))


def test_a_venv_that_cannot_be_created_is_removed(tmp_path, wheels, pythons):
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")])
    empty = tmp_path / "empty"
    empty.mkdir()

    def failing_venv(argv, cwd=None, env=None, timeout=None):
        if argv[1:3] == ["-m", "venv"]:
            os.makedirs(os.path.join(argv[-1], "half-made"))
            return run(["false"])
        return run(argv, cwd, env, timeout)

    with pytest.raises(WagonError, match="creating venv"):
        install_wagon(wagon, str(empty), failing_venv, venv_python_path=pythons["3.12"])
    assert os.listdir(str(empty)) == []


def test_missing_metadata_listed_wheel(tmp_path, wheels, venv):
    path = make_wheel(wheels, "demo-app", "1.0")
    metadata = create_metadata("demo-app", "1.0", "t", {"demo_app-1.0-py3-none-any.whl": {
        "sha256": file_sha256(path), "size": 1, "name": "demo-app", "version": "1.0"}}, "any", ["py3"])
    wagon = str(tmp_path / "x.wgn")
    write_archive(wagon, "demo-app", metadata.to_json(), {})
    with pytest.raises(MetadataError, match="not in the archive"):
        install_wagon(wagon, venv("3.12"), run)


@pytest.mark.parametrize("archive_format", ["zip", "tar.gz"])
def test_wagons_without_hashes_install(tmp_path, wheels, venv, archive_format):
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")], hashes=False, archive_format=archive_format)
    target = venv("3.12")
    install_wagon(wagon, target, run)
    assert installed(target)["demo-app"] == "1.0"
    assert not install_wagon(wagon, target, run).plan.changed


def test_old_pythons_venvs_work(tmp_path, wheels, venv):
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")])
    target = venv("3.6")  # pip 18.1
    assert install_wagon(wagon, target, run).plan.changed
    assert installed(target)["demo-app"] == "1.0"
    assert not install_wagon(wagon, target, run).plan.changed


def test_concurrent_installs_into_one_venv_are_serialised(tmp_path, wheels, venv):
    target = venv("3.12")
    wagons = []
    for index in range(3):
        directory = tmp_path / ("w%d" % index)
        directory.mkdir()
        wagons.append(make_wagon(directory, [make_wheel(directory, "app-%d" % index, "1.0")]))
    errors = []

    def install(path):
        try:
            install_wagon(path, target, run)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=install, args=(w,)) for w in wagons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {"app-0", "app-1", "app-2"} <= set(installed(target))
    assert sorted(read_records(target)) == ["app-0", "app-1", "app-2"]


def test_record_is_json(tmp_path, wheels, venv):
    target = venv("3.12")
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")])
    install_wagon(wagon, target, run)
    with open(os.path.join(target, ".offline-wagon", "demo-app.json")) as stream:
        record = json.load(stream)
    assert record["wheels"][0]["sha256"] == file_sha256(os.path.join(str(wheels), "demo_app-1.0-py3-none-any.whl"))


def test_same_version_other_bytes_is_reinstalled_when_the_record_says_so(tmp_path, venv):
    target = venv("3.12")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    install_wagon(make_wagon(first, [make_wheel(first, "demo-app", "1.0")]), target, run)
    # Same name and version, other bytes (a rebuilt wheel with another license).
    rebuilt = make_wagon(second, [make_wheel(second, "demo-app", "1.0", license_text="MIT")])
    result = install_wagon(rebuilt, target, run)
    assert result.plan.to_dict()["reinstall"] == ["demo-app==1.0"]
    assert read_records(target)["demo-app"]["archive_sha256"] == file_sha256(rebuilt)
    assert not install_wagon(rebuilt, target, run).plan.changed


def test_wheel_identity_keeps_the_main_package_spelling_without_our_metadata(tmp_path):
    wheels = [make_wheel(tmp_path, "dash-name", "1.0"), make_wheel(tmp_path, "other-dep", "2.0")]
    infos = {os.path.basename(w): {"sha256": file_sha256(w), "size": 1, "name": read_wheel_metadata(w).name,
                                   "version": "x"} for w in wheels}
    metadata = create_metadata("dash-name", "1.0", "test", infos, "any", ["py3"])
    metadata.data.pop("offline_wagon")  # as the original tool writes it
    names = sorted(wheel_identity(metadata, os.path.basename(w)) for w in wheels)
    assert names == [("dash-name", "1.0"), ("other_dep", "2.0")]


def test_a_killed_run_is_undone_first_and_counts_as_a_change(tmp_path, wheels, venv):
    from ansible_collections.offline.wagon.plugins.module_utils._journal import Journal

    target = venv("3.12")
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")])
    install_wagon(wagon, target, run)
    before = tree_state(target)
    # A run killed halfway: it had written one file, and its journal says so.
    journal = Journal.begin(os.path.join(target, ".offline-wagon"))
    stray = os.path.join(target, "lib", "half-written.py")
    journal.new_file(stray)
    with open(stray, "w") as stream:
        stream.write("half")
    checked = install_wagon(wagon, target, run, check_mode=True)
    assert checked.plan.changed and checked.plan.to_dict()["interrupted"] is True
    real = install_wagon(wagon, target, run)
    assert real.plan.changed and real.plan.to_dict()["interrupted"] is True
    assert tree_state(target) == before
    assert not install_wagon(wagon, target, run).plan.changed


def _two_wagons(tmp_path, wheels):
    """``(src, other)``: demo-app 1.0 at ``src`` and 2.0 at ``other``, in separate directories."""
    (tmp_path / "v2").mkdir()
    other = make_wagon(tmp_path / "v2", [make_wheel(wheels, "demo-app", "2.0")])
    src = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")])
    return src, other


def test_a_src_renamed_over_after_the_checksum_check_is_not_what_gets_installed(tmp_path, wheels, venv, monkeypatch):
    src, other = _two_wagons(tmp_path, wheels)
    expected = file_sha256(src)
    target = venv("3.12")
    real_digest = WagonArchive.digest

    def digest_then_swap(self, algorithm="sha256"):
        value = real_digest(self, algorithm)
        if os.path.exists(other):
            os.rename(other, src)  # the attacker's move, right after the check
        return value

    monkeypatch.setattr(WagonArchive, "digest", digest_then_swap)
    result, _downloaded = install_from_source(src, run, checksum="sha256:" + expected, venv=target)
    assert installed(target)["demo-app"] == "1.0"
    assert result.archive_sha256 == expected
    assert read_records(target)["demo-app"]["archive_sha256"] == expected


def test_a_src_others_may_rewrite_is_read_from_a_private_copy(tmp_path, wheels, venv, monkeypatch):
    src, other = _two_wagons(tmp_path, wheels)
    expected = file_sha256(src)
    os.chmod(src, 0o666)
    target = venv("3.12")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    real_copy = _sources.private_copy

    def copy_then_rewrite(path, directory):
        copied = real_copy(path, directory)
        with open(other, "rb") as new, open(path, "r+b") as old:  # the same inode, rewritten in place
            old.write(new.read())
            old.truncate()
        return copied

    monkeypatch.setattr(_sources, "private_copy", copy_then_rewrite)
    result, _downloaded = install_from_source(src, run, checksum="sha256:" + expected, venv=target, tmpdir=str(private))
    assert installed(target)["demo-app"] == "1.0"
    assert result.archive_sha256 == expected != file_sha256(src)
    assert read_records(target)["demo-app"]["archive"] == src
    assert os.listdir(str(private)) == []  # the copy is gone


def test_require_hashes_refuses_a_wagon_without_them_and_changes_nothing(tmp_path, wheels, venv):
    target = venv("3.12")
    before = tree_state(target)
    unhashed = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")], hashes=False)
    with pytest.raises(WagonError, match="require_hashes refuses the wagon demo-app 1.0: its metadata records no sha256 for 1 of its 1"):
        install_wagon(unhashed, target, run, require_hashes=True)
    assert tree_state(target) == before
    (tmp_path / "hashed").mkdir()
    hashed = make_wagon(tmp_path / "hashed", [make_wheel(wheels, "demo-app", "1.0")])
    assert install_wagon(hashed, target, run, require_hashes=True).plan.changed
    # Removal needs no trust in the archive.
    assert install_wagon(unhashed, target, run, require_hashes=True, state="absent").plan.changed


@pytest.mark.parametrize("hashes", [True, False])
def test_files_dest_places_the_wagons_files_idempotently(tmp_path, wheels, venv, hashes):
    target = venv("3.12")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "app.conf").write_text("port = 8080\n")
    (sources / "NOTICE.txt").write_text("notice\n")
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")], hashes=hashes,
                       files={"app.conf": str(sources / "app.conf"), "NOTICE.txt": str(sources / "NOTICE.txt")})
    dest = tmp_path / "etc" / "demo"
    dest.mkdir(parents=True)
    (dest / "NOTICE.txt").write_text("an older notice\n")
    (dest / "unrelated").write_text("not the wagon's\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("a link's target is never written through\n")
    os.symlink(str(elsewhere), str(dest / "app.conf"))

    predicted = install_wagon(wagon, target, run, check_mode=True, files_dest=str(dest))
    assert sorted(predicted.files.place) == ["NOTICE.txt", "app.conf"] and predicted.files.keep == []
    assert (dest / "NOTICE.txt").read_text() == "an older notice\n"  # check mode wrote nothing

    done = install_wagon(wagon, target, run, files_dest=str(dest))
    assert sorted(done.files.place) == ["NOTICE.txt", "app.conf"]
    assert (dest / "app.conf").read_text() == "port = 8080\n" and not os.path.islink(str(dest / "app.conf"))
    assert elsewhere.read_text() == "a link's target is never written through\n"
    assert (dest / "NOTICE.txt").read_text() == "notice\n" and (dest / "unrelated").read_text() == "not the wagon's\n"
    assert oct(os.stat(str(dest / "app.conf")).st_mode & 0o777) == "0o644"
    assert sorted(os.listdir(str(dest))) == ["NOTICE.txt", "app.conf", "unrelated"]  # no scratch left

    again = install_wagon(wagon, target, run, files_dest=str(dest))
    assert not again.plan.changed and again.files.place == [] and sorted(again.files.keep) == ["NOTICE.txt", "app.conf"]
    (dest / "app.conf").write_text("edited\n")
    assert install_wagon(wagon, target, run, check_mode=True, files_dest=str(dest)).files.place == ["app.conf"]
    assert install_wagon(wagon, target, run, files_dest=str(dest)).files.place == ["app.conf"]
    assert (dest / "app.conf").read_text() == "port = 8080\n"
    # absent leaves the files: they are configuration, and may have been edited since.
    assert install_wagon(wagon, target, run, state="absent", files_dest=str(dest)).files is None
    assert (dest / "app.conf").exists()


def test_files_dest_that_cannot_be_a_directory_fails_in_one_line(tmp_path, wheels, venv):
    target = venv("3.12")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "app.conf").write_text("x\n")
    wagon = make_wagon(tmp_path, [make_wheel(wheels, "demo-app", "1.0")], files={"app.conf": str(tmp_path / "sources" / "app.conf")})
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    with pytest.raises(WagonError, match=r"^placing the wagon's files in .*blocker/conf failed: (a part of the path is not a directory|it exists already)"):
        install_wagon(wagon, target, run, files_dest=str(blocker / "conf"))
