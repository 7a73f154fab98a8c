# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller side of offline.wagon.wagon_install: send the wagon only when the host needs it.

``src`` is a controller path by default (found like ``copy``'s, vault-aware).
Before anything is sent the host is asked, with one run of wagon_facts,
whether the venv already records this exact archive (by sha256) with every
distribution still in place; if so the result is ``changed: false`` and
nothing is transferred. Otherwise the archive goes to the remote temporary
directory and the module installs it from there; that directory is removed
afterwards, also on failure. Check mode sends only the wagon's package.json
(with the archive's sha256 as ``checksum``): the module plans from it. With
the local connection the module reads the controller's file where it is.

An ``http(s)://`` URL ``src`` goes to the module untouched: the host
downloads it (nothing is looked up on the controller), and the module itself
settles "already installed" from a sha256 ``checksum`` without downloading.
Without ``venv`` the target is an interpreter's environment: wagon_facts is
asked about ``python`` when it is given; when it is not (the module's own
interpreter, unknown here), the archive is sent and the module decides.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.offline.wagon.plugins.module_utils._archive import WagonArchive
from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import check_hashes_recorded
from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._result import install_result
from ansible_collections.offline.wagon.plugins.module_utils._sources import is_url, parse_checksum, verify_checksum
from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256

INSTALL_MODULE = "offline.wagon.wagon_install"
FACTS_MODULE = "offline.wagon.wagon_facts"

# Options of the module that only this plugin reads.
ACTION_ONLY_ARGS = ("remote_src",)


class ActionModule(ActionBase):
    # The remote temporary directory is made only when an archive is sent:
    # the no-op path (one wagon_facts run) must not pay for it.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp  # no longer has any effect
        args = dict(self._task.args)
        local_copy = None
        try:
            remote_src = self._bool_arg(args, "remote_src")
            if remote_src or is_url(args.get("src")):
                result.update(self._execute_module(INSTALL_MODULE, module_args=args, task_vars=task_vars))
                return result
            for key in ACTION_ONLY_ARGS:
                args.pop(key, None)
            if not args.get("src"):
                raise AnsibleActionFail("src is required: the path of a wagon archive on the controller")
            found, local_copy = self._controller_file(args["src"])
            self._check_checksum(local_copy, args)
            wagon, sha256 = self._read_wagon(local_copy, args["src"])
            if self._bool_arg(args, "require_hashes") and args.get("state", "present") == "present":
                try:
                    check_hashes_recorded(wagon)  # refused before anything is sent
                except WagonError as error:
                    raise AnsibleActionFail(to_text(error))

            if self._connection.transport == "local" and not self._is_become_unprivileged():
                # The host is the controller: the module can read the file where it is.
                args.update(src=local_copy)
                args.setdefault("origin", found)
                result.update(self._execute_module(INSTALL_MODULE, module_args=args, task_vars=task_vars))
                result["transferred"] = False
                return result

            venv = args.get("venv", args.get("virtualenv"))
            if venv is not None and not str(venv).strip():
                raise AnsibleActionFail("venv %r is not a path: give the directory of the virtualenv" % venv)
            if venv and args.get("python"):
                # As the module would say; checked here since a no-op may never reach it.
                raise AnsibleActionFail("parameters are mutually exclusive: venv|python")
            state = args.get("state", "present")
            facts = self._target_facts(venv, args.get("python"), task_vars)
            known = self._known_outcome(wagon, sha256, facts, state, self._bool_arg(args, "force"))
            if known is not None:
                result.update(known)
                return result
            # The install record names where the archive came from, not the temporary copy.
            args.setdefault("origin", "controller:" + found)
            tmpdir = self._connection._shell.tmpdir or self._make_tmp_path()
            if self._task.check_mode:
                # The host plans from the wagon's package.json alone (a few kB): the same plan, no archive sent.
                remote_path = self._connection._shell.join_path(tmpdir, "package.json")
                self._transfer_data(remote_path, wagon.to_json())
                args["checksum"] = "sha256:" + sha256  # the archive's, verified here against any checksum given
            else:
                remote_path = self._connection._shell.join_path(tmpdir, os.path.basename(local_copy))
                self._transfer_file(local_copy, remote_path)
            self._fixup_perms2((tmpdir, remote_path))
            args["src"] = remote_path
            result.update(self._execute_module(INSTALL_MODULE, module_args=args, task_vars=task_vars))
            result["transferred"] = not self._task.check_mode
            return result
        finally:
            if local_copy:
                self._loader.cleanup_tmp_file(local_copy)
            self._remove_tmp_path(self._connection._shell.tmpdir)

    # Reading the task's arguments and the controller's file ----------------------------------

    def _bool_arg(self, args, name):
        try:
            return boolean(args.get(name, False), strict=True)
        except TypeError as error:
            raise AnsibleActionFail("%s must be a boolean: %s" % (name, to_text(error)))

    def _controller_file(self, src):
        """Return ``(path found, readable path)`` for ``src`` on the controller (a decrypted copy when vaulted)."""
        try:
            found = self._find_needle("files", os.path.expanduser(src))
        except AnsibleFileNotFound:
            raise AnsibleActionFail(
                "the wagon %s does not exist on the controller (for an archive already on the host, set remote_src=true)" % src
            )
        if not os.path.isfile(found):
            # A FIFO or a device would hang or flood the read; a directory is no wagon.
            raise AnsibleActionFail("the wagon %s on the controller is not a regular file" % found)
        try:
            return found, self._loader.get_real_file(found, decrypt=True)
        except AnsibleError as error:
            raise AnsibleActionFail("could not read the wagon %s on the controller: %s" % (found, to_text(error)))

    @staticmethod
    def _check_checksum(path, args):
        """Refuse, before anything is sent, a controller file that is not the one ``checksum`` names."""
        try:
            verify_checksum(path, parse_checksum(args.get("checksum")), "src %s" % args["src"])
        except WagonError as error:
            raise AnsibleActionFail(to_text(error))

    @staticmethod
    def _read_wagon(path, src):
        """Return ``(metadata, sha256)`` of the wagon at ``path``; refuse a file that is no wagon before sending it."""
        try:
            with WagonArchive(path) as archive:
                metadata = archive.read_metadata()
                archive.check_listed(metadata)
        except WagonError as error:
            raise AnsibleActionFail("src %s is not a usable wagon: %s" % (src, error))
        return metadata, file_sha256(path)

    # Asking the host --------------------------------------------------------------------------

    def _target_facts(self, venv, python, task_vars):
        """Return what wagon_facts says about the target (``{}`` when it could not tell), plus its extra facts.

        The target is ``venv``, else the interpreter ``python``; with neither
        (the module's own interpreter, unknown on the controller) nothing is asked.
        """
        if venv:
            module_args, key = {"venvs": [venv]}, "venvs"
        elif python:
            module_args, key = {"pythons": [python]}, "pythons"
        else:
            return {}
        reply = self._execute_module(FACTS_MODULE, module_args=module_args, task_vars=task_vars)
        if reply.get("failed"):
            return {}
        facts = dict(reply.get("ansible_facts") or {})
        venvs = (facts.pop("wagons", None) or {}).get(key) or {}
        # One venv was asked for; the key is its path after the host expanded it.
        found = dict(next(iter(venvs.values()), {}))
        if python and not venv and found.get("exists") is False:
            return {}  # no such interpreter: the module fails, saying so
        # Interpreter discovery results travel back with the facts; keep them.
        found["_other_facts"] = facts
        return found

    def _known_outcome(self, wagon, sha256, facts, state, force):
        """The result when the host's state alone settles the task (nothing to send), else None."""
        if not facts:
            return None
        if facts.get("interrupted"):
            return None  # a killed install waits to be undone: only the module can
        if facts.get("externally_managed") and not self._bool_arg(self._task.args, "break_system_packages"):
            return None  # the module refuses, quoting the distribution's message
        if state == "absent":
            if facts.get("exists") is False:
                return self._result(wagon, sha256, facts, venv_installed=[], msg="the venv does not exist; nothing to remove")
            if _own_record(wagon, facts) is None:
                return self._result(
                    wagon, sha256, facts, venv_installed=[],
                    msg="no record of wagon %s in the destination: nothing removed, nothing sent" % wagon.name,
                )
            return None
        if force or self._task.args.get("files_dest"):
            return None  # only the module can tell whether the files are in place
        if self._bool_arg(self._task.args, "install_pip") and not any(
            canonicalize_name(line.partition("==")[0]) == "pip" for line in facts.get("distributions", [])
        ):
            return None  # pip is to be put in
        for record in (facts.get("wagons") or {}).values():
            if (
                record.get("archive_sha256") == sha256
                and canonicalize_name(record.get("name") or "") == canonicalize_name(wagon.name)
                and record.get("matches")
            ):
                installed = ["%s==%s" % (w.get("name"), w.get("version")) for w in record.get("wheels", [])]
                return self._result(
                    wagon, sha256, facts, venv_installed=installed, record=record,
                    msg="%s %s is installed already (same archive, every distribution in place); nothing sent"
                    % (wagon.name, wagon.version),
                )
        return None

    def _result(self, wagon, sha256, facts, venv_installed, record=None, msg=""):
        """The module's result (the same builder), for outcomes decided without running it: nothing changes."""
        venv = self._task.args.get("venv") or self._task.args.get("virtualenv")
        label = venv or self._task.args.get("python")
        diff = None
        if self._task.diff and facts.get("exists"):
            lines = "".join(line + "\n" for line in facts.get("distributions", []))
            diff = dict(
                before_header="%s (installed)" % label, after_header="%s (after install)" % label,
                before=lines, after=lines,
            )
        result = install_result(
            wagon, sha256, venv, False, installed=venv_installed,
            ownership=(record or {}).get("ownership"), python=facts.get("python"),
            target=(record or {}).get("target"), msg=msg, diff=diff,
        )
        result["transferred"] = False
        if facts.get("_other_facts"):
            result["ansible_facts"] = facts["_other_facts"]
        return result


def _own_record(wagon, facts):
    """The destination's install record of ``wagon`` (by name, any version), from its facts; None when there is none."""
    own = canonicalize_name(wagon.name)
    for record in (facts.get("wagons") or {}).values():
        if canonicalize_name(record.get("name") or "") == own:
            return record
    return None
