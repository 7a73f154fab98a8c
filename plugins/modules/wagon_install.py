#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wagon_install
short_description: Install a wagon into a virtualenv or an interpreter's environment, offline and idempotently
version_added: 0.1.0
author: offline.wagon contributors (@offline-wagon)
description:
  - Installs every wheel of a wagon (a Wagon 1.0 archive built by M(offline.wagon.wagon_build) or by the original C(wagon) tool)
    into a virtualenv on the host, at exactly the wagon's versions, with no package index and no network.
  - Before touching anything it checks the archive (format, members, metadata, the sha256 of every wheel it will use)
    and that the wagon has a wheel fitting the venv's Python and platform for every distribution; if not, it fails
    with a message naming both sides.
  - For a wagon built for several targets, it installs the wheel set of the target that fits the venv (same Python
    minor version, every wheel's tags accepted by the venv's Python, computed on the host); when none fits it fails
    before touching anything, listing the venv's tags and the wagon's targets.
  - It decides C(changed) from the venv's real state, looked at once with the venv's own Python; when the wagon is
    already in place nothing else runs. Check mode reports exactly what a real run would do.
  - The collection installs the wheels itself, as the wheel specification says and as pip lays them out (the same
    files, launchers and C(RECORD), C(INSTALLER) V(offline-wagon)), so the host needs no pip, nothing is ever fetched
    or built there, and no pip configuration or C(PIP_*) variable has any effect. pip, uv and C(importlib.metadata)
    list, check and uninstall what it installed; it upgrades and removes what pip installed, by its C(RECORD).
    Bytecode is compiled by the venv's own Python, in parallel, for the installed files only (O(compile_bytecode)).
  - A new venv is made with C(python -m venv --without-pip), which works where C(ensurepip) is missing (Debian and
    Ubuntu without C(python3-venv)); O(install_pip) puts that Python's bundled pip into it when wanted.
  - It owns what it installs. The install record says for each distribution whether this wagon V(added) it, V(found)
    it already there at the wanted version, or V(replaced) another version. O(state=absent), and an upgrade that
    drops a distribution, remove only what the wagon added, never what another wagon recorded or any remaining
    distribution requires; everything kept is listed with the reason in C(plan.keep).
  - An install that would change a distribution another wagon recorded at another version is refused before
    anything is touched, naming the other wagon, the distribution and both versions, unless O(allow_conflicts=true).
  - Installs into the same venv are serialised by a lock of that venv (O(lock_timeout)); everything is decided under it.
    Every change goes through a journal; on any failure the venv is left as it was (a venv the module created is
    removed), and after a run that was killed the next run first puts back what it left.
  - A hostile or damaged wagon is refused, in one line, before anything is changed; what the module guarantees under
    hostile input and faults is in C(docs/install.md).
  - The module records what it installed in C(<venv>/.offline-wagon/<name>.json) (for an interpreter that is not a venv,
    in C(<site-packages>/.offline-wagon/<name>.json)); M(offline.wagon.wagon_facts) reports it.
  - O(src) may be an C(http://) or C(https://) URL, for example on an internal artifact server (Artifactory, Nexus, a
    plain HTTPS share). The host downloads it itself into a private temporary directory, verifies O(checksum) before
    reading it, installs it, and removes the download afterwards, also on failure.
  - Without O(venv), the wagon goes into the environment of the interpreter O(python) (by default the one running the
    module), as the original C(wagon install) does; an externally managed environment (PEP 668) is refused unless
    O(break_system_packages=true).
options:
  src:
    description:
      - The wagon archive (zip or tar.gz, detected from its content), as a path or as an C(http://) or C(https://) URL.
      - A path is on the controller by default, looked up like M(ansible.builtin.copy)'s C(src) and sent to the host only
        when the destination does not already record this exact archive; on the host with O(remote_src=true).
      - A URL is downloaded by the host, never by the controller (O(remote_src) does not matter). The download goes to a
        private directory in the module's temporary directory and is removed afterwards, whether the task succeeds or fails.
        A user name and password in the URL work, but prefer O(url_username) and O(url_password), which are not logged.
      - In check mode only, a host path may also be a wagon's C(package.json) alone, with O(checksum) the V(sha256)
        of the archive it belongs to; the plan is then made from the metadata (this is how the action plugin plans
        without sending the archive). A real run needs the archive.
    type: str
    required: true
  origin:
    description:
      - What the install record (and M(offline.wagon.wagon_facts)) names as where the archive came from.
      - By default O(src) (a URL with its credentials and query values masked). The action plugin sets
        V(controller:<path>) for an archive it sends, since O(src) is then a temporary copy; set it yourself when
        O(src) is a staged copy of an archive that lives elsewhere.
    type: str
    version_added: 0.2.0
  checksum:
    description:
      - The archive's expected digest, C(<algorithm>:<hex digest>), for example V(sha256:8a06b4d1...), with algorithm
        V(sha224), V(sha256), V(sha384) or V(sha512) (MD5 and SHA-1 are refused). The archive is verified before
        anything in it is read, for every kind of O(src); a mismatch fails the task and changes nothing.
      - With a URL and a V(sha256) checksum, a destination that already records that exact archive with every distribution
        in place settles the task with no download at all (O(state=present), O(force=false)).
    type: str
  url_username:
    description:
      - The user name for HTTP basic authentication with a URL O(src).
    type: str
  url_password:
    description:
      - The password for HTTP basic authentication with a URL O(src).
    type: str
  force_basic_auth:
    description:
      - Send the basic authentication header with the first request, instead of waiting for the server's
        C(401) challenge (some artifact servers answer C(404) to anonymous requests).
    type: bool
    default: false
  validate_certs:
    description:
      - Verify the server's TLS certificate for an C(https://) O(src). V(false) only on a network you trust.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify an C(https://) O(src) with, for a server with an internal CA.
    type: path
  timeout:
    description:
      - Seconds to wait for the server to connect or to send more data, for a URL O(src).
    type: int
    default: 10
  use_proxy:
    description:
      - Use the proxy the host's environment names (C(https_proxy), C(http_proxy), C(no_proxy)) for a URL O(src).
    type: bool
    default: true
  venv:
    description:
      - Path of the virtualenv to install into. It is created with O(venv_python) when it does not exist (or is an empty directory).
      - Without it, the wagon goes into the environment of the interpreter O(python).
    type: path
    aliases: [virtualenv]
  venv_python:
    description:
      - The Python interpreter that creates the venv when it does not exist (C(<venv_python> -m venv --without-pip <venv>)).
      - Any CPython 3.6 or later works; it does not have to be the Python that runs the module.
      - Defaults to the Python that runs the module.
      - Has no effect when the venv exists; the venv's own Python decides which wheels fit.
      - The alias V(virtualenv_python) is the name M(ansible.builtin.pip) gives it.
    type: path
    aliases: [virtualenv_python]
  python:
    description:
      - Without O(venv), the interpreter into whose environment (its C(site-packages) and scripts directory) the
        wagon goes, as C(wagon install) does. Defaults to the Python that runs the module.
      - The interpreter of a virtualenv means that virtualenv, exactly as if O(venv) named it.
      - Any other interpreter keeps the install records in C(<site-packages>/.offline-wagon/). If it is externally
        managed (PEP 668, an C(EXTERNALLY-MANAGED) file in its standard library directory, as on Debian and Ubuntu),
        the task fails, quoting the distribution's message, unless O(break_system_packages=true).
      - Mutually exclusive with O(venv) and O(venv_python).
    type: path
  break_system_packages:
    description:
      - Install into (or remove from) an externally managed interpreter's environment (PEP 668) all the same.
      - This can break the operating system's own Python tools; prefer a virtualenv.
      - Has no effect on a virtualenv.
    type: bool
    default: false
  state:
    description:
      - V(present) installs every wheel of the wagon at the wagon's version, adding missing distributions and changing
        (upgrading or downgrading) those at another version.
      - V(absent) acts on the wagon's install record (whatever version of the wagon O(src) is); it removes the
        distributions the wagon V(added), still at the version it installed, that no other wagon recorded and no
        remaining distribution requires, and forgets the record. With no record of the wagon it removes nothing.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Reinstall every wheel of the wagon even when it is already installed at the right version.
    type: bool
    default: false
  ignore_platform:
    description:
      - Do not refuse a wagon whose wheels do not fit the venv's Python or platform; for each distribution the
        best-ranked wheel is installed anyway. Only for unusual tag sets you know to work.
    type: bool
    default: false
  allow_conflicts:
    description:
      - Change a distribution that another wagon recorded in the same venv at another version. That wagon may then
        not work; its record keeps the version it wanted, and M(offline.wagon.wagon_facts) shows the drift.
    type: bool
    default: false
  compile_bytecode:
    description:
      - Compile the installed Python files to bytecode (C(.pyc)) with the venv's Python, in parallel across the
        host's cores, as pip does. V(false) makes the install faster; Python then compiles each module when it is
        first imported (and writes it, where it may).
    type: bool
    default: true
  install_pip:
    description:
      - Install pip into the venv when it has none, from the wheel that the venv's Python bundles for C(ensurepip)
        (no network). That pip is the venv's, not the wagon's; it is not in the install record and O(state=absent)
        leaves it.
      - Fails, changing nothing, when that Python has no bundled pip (Debian and Ubuntu ship it in C(python3-venv));
        put pip into the wagon instead.
    type: bool
    default: false
  lock_timeout:
    description:
      - How many seconds to wait for another install into the same destination to finish (each venv, or each
        interpreter's C(site-packages), has its own lock; installs into other venvs never wait).
      - When the time is up the task fails, changing nothing, and names the process that holds the lock.
    type: int
    default: 60
    version_added: 0.2.0
  require_hashes:
    description:
      - Refuse, changing nothing, a wagon whose metadata does not record a sha256 for every wheel (wagons built by the
        original C(wagon) tool record none). Wagons built by this collection always record them.
      - Applies to O(state=present) only; removal needs no trust in the archive.
    type: bool
    default: false
    version_added: 0.2.0
  files_dest:
    description:
      - A directory on the host to place the wagon's extra files in (the C(files/) that O(offline.wagon.wagon_build#module:files)
        put into it, as the original C(wagon get-file) takes them out), made if missing.
      - A file is written only when it is missing or holds other bytes than the wagon's (by sha256), atomically (written
        aside in that directory, then renamed over its name, mode C(0644)); nothing else in the directory is touched.
        Check mode and diff report which files would be written.
      - Only with O(state=present); O(state=absent) leaves the files where they are.
    type: path
    version_added: 0.2.0
  remote_src:
    description:
      - V(false) (the default) takes O(src) on the controller, looked up like M(ansible.builtin.copy)'s C(src)
        (relative paths in the role's or play's C(files/)), and decrypted when it is vaulted. The archive is sent to
        the host only when the venv does not already record that exact archive (same sha256) with every distribution in place.
      - V(true) takes O(src) as a path on the host, for archives already there; nothing is sent.
      - A URL O(src) is always downloaded by the host; this option then does not matter.
    type: bool
    default: false
    version_added: 0.1.0
extends_documentation_fragment:
  - offline.wagon._attributes
  - offline.wagon._attributes.actiongroup_wagon
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
    details: An action plugin sends the archive from the controller, and only when the host needs it.
  async:
    support: none
  vault:
    description: Can automatically decrypt Ansible vaulted files.
    support: full
    details: A controller O(src) encrypted with Ansible Vault is decrypted on the controller before it is sent.
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details:
      - Check mode does not send the archive. When the venv does not record the exact archive, only the wagon's
        C(package.json) is sent, and the host plans from it (see O(src)) and reports the plan and diff a real run
        would; the wheels' hashes are checked by the real run, once the archive is there.
      - With a URL O(src), check mode downloads the archive (to a temporary file, removed afterwards; that only reads)
        and reports the exact plan, unless a V(sha256) O(checksum) shows it installed already.
  diff_mode:
    support: full
    details: The diff lists the venv's distributions as C(name==version) lines before and after.
  idempotent:
    support: full
  platform:
    support: full
    platforms: posix
notes:
  - The journal lives in C(<venv>/.offline-wagon/transaction) (without O(venv), in C(<site-packages>/.offline-wagon/));
    before each file is written, replaced or removed, a line says so, and a replaced or removed file is moved there
    rather than deleted, so a rollback, in this run or the next, puts back exactly what was there. Only the files
    the install touches are involved; other files, also in a shared scripts directory such as C(/usr/local/bin),
    are never moved.
  - pip is not used at all, so there is no C(pip_args). Why the engine installs wheels itself, and what it does
    differently from pip, is in C(docs/install.md).
  - A URL O(src) is downloaded with the host's C(ansible.module_utils.urls) (proxy variables and C(~/.netrc) apply);
    errors name the HTTP status and the URL, with any credentials in it masked.
  - The module needs a Python 3.8 or later on the host to run (ansible-core 2.20 and later need 3.9); the venv may be any CPython 3.6 or later.
  - The venv needs no pip. Windows launchers (C(.exe)) are not written; the host is POSIX.
  - Wagons built by the original C(wagon) tool carry no hashes; their wheels are installed as they are in the archive.
  - The action plugin runs M(offline.wagon.wagon_facts) on the host first; when that venv already records the archive
    (same sha256, every distribution at its recorded version), the task reports no change and sends nothing, and the
    result has C(transferred=false). A sent archive lives in Ansible's remote temporary directory, removed after the
    task whether it succeeded or not.
seealso:
  - module: offline.wagon.wagon_build
  - module: offline.wagon.wagon_facts
  - name: The wagon format
    description: What a wagon holds, Wagon 1.0's keys and ours.
    link: https://github.com/offline-wagon/offline.wagon/blob/main/docs/format.md
"""

EXAMPLES = r"""
- name: Build a wagon of Flask on the controller
  offline.wagon.wagon_build:
    source: flask==3.0.3
    dest: "{{ playbook_dir }}/wagons"
  delegate_to: localhost
  run_once: true
  register: flask_wagon

- name: Install it into /opt/app/venv, creating the venv with Python 3.11 (the archive is sent only when needed)
  offline.wagon.wagon_install:
    src: "{{ flask_wagon.archive }}"
    venv: /opt/app/venv
    venv_python: /usr/bin/python3.11

- name: Install a wagon that is on the host already
  offline.wagon.wagon_install:
    src: /srv/wagons/Flask-3.0.3-py311-none-linux_x86_64.wgn
    remote_src: true
    venv: /opt/app/venv

- name: Install a wagon from the internal artifact server; with its sha256 known, a host that has it downloads nothing
  offline.wagon.wagon_install:
    src: https://artifacts.example.internal/repository/wagons/Flask-3.0.3-py311-none-linux_x86_64.wgn
    checksum: sha256:8a06b4d1c6d2bd2d4b8e7e1d7a0c5d1e1f6ab1f1c0a8e0b9f3d2c1b0a9f8e7d6
    url_username: deploy
    url_password: "{{ vault_artifacts_password }}"
    ca_path: /etc/pki/internal-ca.pem
    timeout: 30
    venv: /opt/app/venv

- name: Install a wagon into the environment of a dedicated interpreter (no venv), as wagon install does
  offline.wagon.wagon_install:
    src: /srv/wagons/tool-1.2-py312-none-linux_x86_64.wgn
    remote_src: true
    python: /opt/python3.12/bin/python3.12

- name: Remove it again
  offline.wagon.wagon_install:
    src: "{{ flask_wagon.archive }}"
    venv: /opt/app/venv
    state: absent
"""

RETURN = r"""
venv:
  description: The virtualenv, as given (null when the destination is the interpreter O(python)).
  returned: always
  type: str
  sample: /opt/app/venv
downloaded:
  description: Whether the host downloaded the archive from the URL O(src) in this run.
  returned: always
  type: bool
  sample: true
venv_created:
  description: Whether the module created the venv (or would, in check mode).
  returned: always
  type: bool
  sample: false
wagon:
  description: The wagon's name, version, build tag, platform and Python labels, from its metadata.
  returned: always
  type: dict
  sample: {"name": "Flask", "version": "3.0.3", "build_tag": "", "platform": "linux_x86_64", "python_versions": ["py311"]}
archive_sha256:
  description: The sha256 of the archive.
  returned: always
  type: str
  sample: 8a06b4d1...
transferred:
  description:
    - Whether the archive was sent from the controller to the host by this task.
    - V(false) when the venv already recorded this exact archive, in check mode, with the C(local) connection,
      and with O(remote_src=true).
  returned: when O(remote_src=false)
  type: bool
  sample: false
python:
  description: The venv's Python (or the one that would create it, or the interpreter O(python)), as the module saw it.
  returned: when the venv exists or is to be created, and for O(python)
  type: dict
  contains:
    executable:
      description: Path of the interpreter.
      type: str
      sample: /opt/app/venv/bin/python
    version:
      description: Its version.
      type: str
      sample: 3.11.7
    description:
      description: A one-line description (implementation, version, platform, libc).
      type: str
      sample: CPython 3.11.7 on linux_x86_64, glibc 2.36
  sample: {"executable": "/opt/app/venv/bin/python", "version": "3.11.7", "description": "CPython 3.11.7 on linux_x86_64, glibc 2.36"}
plan:
  description: What the run did (or would do, in check mode).
  returned: always
  type: dict
  contains:
    create_venv:
      description: Whether the venv is created.
      type: bool
      sample: false
    add:
      description: Distributions added, as C(name==version).
      type: list
      elements: str
      sample: ["Flask==3.0.3", "blinker==1.9.0"]
    change:
      description: Distributions moved to another version, as C(name==version (was old)).
      type: list
      elements: str
      sample: ["Jinja2==3.1.4 (was 3.1.3)"]
    reinstall:
      description: Distributions reinstalled at the same version (O(force=true)).
      type: list
      elements: str
      sample: ["MarkupSafe==2.1.5"]
    remove:
      description:
        - Distributions removed, as C(name==version), by O(state=absent) or by an upgrade (what the previous
          version of the wagon added and this one no longer has).
      type: list
      elements: str
      sample: ["itsdangerous==2.1.2"]
    keep:
      description:
        - Distributions of the wagon's record that a removal or an upgrade leaves in place, each with the reason
          (it was there before the wagon, it changed since, another distribution requires it, another wagon recorded it).
      type: list
      elements: str
      sample: ["Jinja2==3.1.4 (it was there before this wagon: found)"]
    record:
      description: What happens to the wagon's install record, V(write), V(remove) or V(keep).
      type: str
      sample: write
    install_pip:
      description: Present and V(true) when the venv's bundled pip is installed (O(install_pip)).
      type: bool
      sample: true
    interrupted:
      description: Present and V(true) in check mode when an earlier run was killed halfway; a real run undoes it first.
      type: bool
      sample: true
  sample: {"create_venv": false, "add": ["Flask==3.0.3"], "change": [], "reinstall": [], "remove": [], "keep": [], "record": "write"}
files:
  description:
    - With O(files_dest), the wagon's extra files there - V(placed) (written by this run, or to be in check mode) and
      V(kept) (already there with the wagon's bytes).
  returned: when O(files_dest) is given and O(state=present)
  type: dict
  contains:
    dest:
      description: The directory, O(files_dest).
      type: str
      sample: /etc/myapp
    placed:
      description: The names of the files written.
      type: list
      elements: str
      sample: ["app.conf"]
    kept:
      description: The names of the files already in place.
      type: list
      elements: str
      sample: ["NOTICE.txt"]
  sample: {"dest": "/etc/myapp", "placed": ["app.conf"], "kept": ["NOTICE.txt"]}
ownership:
  description:
    - For each distribution of the wagon after the run, how it came to be there, as the install record says it -
      V(added) by this wagon, V(found) already there at the wanted version, or V(replaced) (another version was there).
    - Empty after O(state=absent).
  returned: always
  type: dict
  sample: {"Flask": "added", "Jinja2": "found", "MarkupSafe": "replaced"}
installed:
  description: The wagon's distributions installed in the venv after the run, as C(name==version).
  returned: always
  type: list
  elements: str
  sample: ["blinker==1.9.0", "click==8.1.8", "Flask==3.0.3"]
target:
  description:
    - For a wagon built for several targets (M(offline.wagon.wagon_build)'s O(offline.wagon.wagon_build#module:targets)),
      the target whose wheels were chosen for the venv, as C(<implementation><version>-<abi>-<platform>).
  returned: when the wagon has targets and one fits
  type: str
  sample: cp39-cp39-manylinux2014_x86_64
msg:
  description: Why nothing was done, when that is not obvious (no record of the wagon, no venv).
  returned: sometimes
  type: str
  sample: "no record of wagon Flask in /opt/app/venv: nothing removed"
"""

import sys

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.validation import check_type_path

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._files import files_diff
from ansible_collections.offline.wagon.plugins.module_utils._result import install_result, python_summary
from ansible_collections.offline.wagon.plugins.module_utils._runner import run_command
from ansible_collections.offline.wagon.plugins.module_utils._sources import install_from_source, is_url


def main():
    module = AnsibleModule(
        argument_spec=dict(
            # str, not path: a URL must not go through path expansion ($VAR, ~).
            src=dict(type="str", required=True),
            checksum=dict(type="str"),
            url_username=dict(type="str"),
            url_password=dict(type="str", no_log=True),
            force_basic_auth=dict(type="bool", default=False),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
            timeout=dict(type="int", default=10),
            use_proxy=dict(type="bool", default=True),
            venv=dict(type="path", aliases=["virtualenv"]),
            venv_python=dict(type="path", aliases=["virtualenv_python"]),
            python=dict(type="path"),
            break_system_packages=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            force=dict(type="bool", default=False),
            ignore_platform=dict(type="bool", default=False),
            allow_conflicts=dict(type="bool", default=False),
            compile_bytecode=dict(type="bool", default=True),
            install_pip=dict(type="bool", default=False),
            lock_timeout=dict(type="int", default=60),
            remote_src=dict(type="bool", default=False),
            origin=dict(type="str"),
            require_hashes=dict(type="bool", default=False),
            files_dest=dict(type="path"),
        ),
        mutually_exclusive=[["venv", "python"], ["venv_python", "python"]],
        supports_check_mode=True,
    )
    params = module.params
    src = params["src"] if is_url(params["src"]) else check_type_path(params["src"])
    # Where and how to install.
    install_args = dict(
        venv=params["venv"],
        state=params["state"],
        force=params["force"],
        venv_python_path=params["venv_python"] or sys.executable,
        ignore_platform=params["ignore_platform"],
        python=None if params["venv"] else params["python"] or sys.executable,
        break_system_packages=params["break_system_packages"],
        allow_conflicts=params["allow_conflicts"],
        compile_bytecode=params["compile_bytecode"],
        install_pip=params["install_pip"],
        lock_timeout=params["lock_timeout"],
        require_hashes=params["require_hashes"],
        files_dest=params["files_dest"],
    )
    try:
        result, downloaded = install_from_source(
            src,
            run_command,
            checksum=params["checksum"],
            tmpdir=module.tmpdir,
            download_options=dict(
                url_username=params["url_username"], url_password=params["url_password"],
                force_basic_auth=params["force_basic_auth"], validate_certs=params["validate_certs"],
                ca_path=params["ca_path"], timeout=params["timeout"], use_proxy=params["use_proxy"],
            ),
            origin=params["origin"],
            check_mode=module.check_mode,
            **install_args
        )
    except WagonError as error:
        module.fail_json(msg=str(error), venv=params["venv"])
    plan = result.plan
    module.exit_json(**install_result(
        result.metadata, result.archive_sha256, params["venv"], plan.changed,
        plan=plan.to_dict(), installed=result.installed, ownership=plan.ownership(),
        python=python_summary(result.info) if result.info is not None else None,
        target=result.target, downloaded=downloaded, msg=plan.note, files=result.files,
        diff=_diff(plan, result.files) if module._diff else None,
    ))


def _diff(plan, files):
    """The venv's diff, and the files' when O(files_dest) is given (Ansible shows a list of diffs in turn)."""
    return plan.diff() if files is None else [plan.diff(), files_diff(files)]


if __name__ == "__main__":
    main()
