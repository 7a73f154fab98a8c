# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""The result of wagon_install, built in one place.

The module builds it from an install; the action plugin builds it when the
host's facts alone settle the task (nothing to send, the module never runs).
Both call :func:`install_result`, so the two cannot drift apart.
"""

from __future__ import annotations

# The plan of a task that changes nothing.
NO_CHANGE_PLAN = dict(create_venv=False, add=[], change=[], reinstall=[], remove=[], keep=[], record="keep")


def wagon_summary(wagon):
    """The ``wagon`` key: a wagon's identity (from its metadata or an install record's label)."""
    return dict(
        name=wagon.name, version=wagon.version, build_tag=wagon.build_tag,
        platform=wagon.platform, python_versions=list(wagon.python_versions),
    )


def python_summary(info):
    """The ``python`` key from a probed interpreter."""
    return dict(
        executable=info.executable,
        version=".".join(str(part) for part in info.version),
        description=info.describe(),
    )


def install_result(
    wagon, archive_sha256, venv, changed, plan=None, installed=(), python=None, target=None, ownership=None,
    downloaded=False, msg="", diff=None, files=None,
):
    """The wagon_install result (see the module's RETURN); keys absent when they do not apply."""
    plan = dict(NO_CHANGE_PLAN if plan is None else plan)
    result = dict(
        changed=changed,
        venv=venv,
        downloaded=downloaded,
        venv_created=bool(plan.get("create_venv")),
        wagon=wagon_summary(wagon),
        archive_sha256=archive_sha256,
        plan=plan,
        installed=list(installed),
        ownership=dict(ownership or {}),
    )
    if msg:
        result["msg"] = msg
    if python:
        result["python"] = python
    if target:
        result["target"] = target
    if files is not None:
        result["files"] = dict(dest=files.dest, placed=sorted(files.place), kept=sorted(files.keep))
        result["changed"] = changed or bool(files.place)
    if diff is not None:
        result["diff"] = diff
    return result
