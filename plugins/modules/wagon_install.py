#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wagon_install
short_description: Install a wagon into a virtualenv, offline and idempotently
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
  - It decides C(changed) from the venv's real state, looked at once with the venv's own Python (no pip); when the
    wagon is already in place it starts no pip at all. Check mode reports exactly what a real run would do.
  - pip runs isolated from the host's pip configuration and C(PIP_*) environment, with C(--no-index), only the
    wagon's wheels, C(--require-hashes) and C(--only-binary :all:), so nothing is ever fetched or built on the host.
  - Installs into the same venv are serialised. On any failure the venv is left as it was (a venv the module created is removed).
  - The module records what it installed in C(<venv>/.offline-wagon/<name>.json); M(offline.wagon.wagon_facts) reports it.
options:
  src:
    description:
      - Path of the wagon archive (zip or tar.gz, detected from its content).
      - On the controller by default, looked up like M(ansible.builtin.copy)'s C(src) and sent to the host only when the
        venv does not already record this exact archive; on the host with O(remote_src=true).
    type: path
    required: true
  venv:
    description:
      - Path of the virtualenv to install into. It is created with O(venv_python) when it does not exist (or is an empty directory).
    type: path
    required: true
    aliases: [virtualenv]
  venv_python:
    description:
      - The Python interpreter that creates the venv when it does not exist (C(<venv_python> -m venv <venv>)).
      - Any CPython 3.6 or later works; it does not have to be the Python that runs the module.
      - Defaults to the Python that runs the module.
      - Has no effect when the venv exists; the venv's own Python decides which wheels fit.
    type: path
  state:
    description:
      - V(present) installs every wheel of the wagon at the wagon's version, adding missing distributions and changing
        (upgrading or downgrading) those at another version.
      - V(absent) removes the wagon's distributions that are installed at the wagon's version, except those another
        wagon recorded in the same venv also uses, and forgets the wagon's record.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Reinstall every wheel of the wagon even when it is already installed at the right version (C(pip --force-reinstall)).
    type: bool
    default: false
  ignore_platform:
    description:
      - Do not refuse a wagon whose wheels do not fit the venv's Python or platform; pip then has the last word,
        and pip itself still refuses wheels whose tags do not fit, so this only helps with unusual tag sets.
    type: bool
    default: false
  pip_args:
    description:
      - Extra arguments for pip (for example V(--no-compile)).
      - Options that would reach an index or another source, or build from source (C(--index-url), C(--extra-index-url),
        C(--find-links), C(--no-binary), C(--editable), C(--requirement), C(--proxy), C(--trusted-host)) are refused.
    type: list
    elements: str
    default: []
  remote_src:
    description:
      - V(false) (the default) takes O(src) on the controller, looked up like M(ansible.builtin.copy)'s C(src)
        (relative paths in the role's or play's C(files/)), and decrypted when it is vaulted. The archive is sent to
        the host only when the venv does not already record that exact archive (same sha256) with every distribution in place.
      - V(true) takes O(src) as a path on the host, for archives already there; nothing is sent.
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
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details:
      - Check mode sends nothing. When the venv does not record the exact archive, the plan (RV(plan), the diff)
        needs the archive on the host, so only C(changed) is predicted, with a message saying why; with the
        C(local) connection or O(remote_src=true) the whole plan is reported.
  diff_mode:
    support: full
    details: The diff lists the venv's distributions as C(name==version) lines before and after.
  idempotent:
    support: full
  platform:
    support: full
    platforms: posix
notes:
  - The module needs a Python 3.8 or later on the host to run (ansible-core 2.20 and later need 3.9); the venv may be any CPython 3.6 or later.
  - The venv needs pip; C(python -m venv) installs it from the wheels that Python bundles, with no network.
  - Wagons built by the original C(wagon) tool carry no hashes; the module then pins pip to the bytes it extracted.
  - The action plugin runs M(offline.wagon.wagon_facts) on the host first; when that venv already records the archive
    (same sha256, every distribution at its recorded version), the task reports no change and sends nothing, and the
    result has C(transferred=false). A sent archive lives in Ansible's remote temporary directory, removed after the
    task whether it succeeded or not.
seealso:
  - module: offline.wagon.wagon_build
  - module: offline.wagon.wagon_facts
  - name: The wagon format
    description: What a wagon holds, Wagon 1.0's keys and ours.
    link: https://example.invalid/offline/wagon/docs/format.md
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

- name: Remove it again
  offline.wagon.wagon_install:
    src: "{{ flask_wagon.archive }}"
    venv: /opt/app/venv
    state: absent
"""

RETURN = r"""
venv:
  description: The virtualenv, as given.
  returned: always
  type: str
  sample: /opt/app/venv
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
  description: The venv's Python (or the one that would create it), as the module saw it.
  returned: when the venv exists or is to be created
  type: dict
  contains:
    executable:
      description: Path of the interpreter.
      type: str
    version:
      description: Its version.
      type: str
    description:
      description: A one-line description (implementation, version, platform, libc).
      type: str
  sample: {"executable": "/opt/app/venv/bin/python", "version": "3.11.7", "description": "CPython 3.11.7 on linux_x86_64, glibc 2.36"}
plan:
  description: What the run did (or would do, in check mode).
  returned: always
  type: dict
  contains:
    create_venv:
      description: Whether the venv is created.
      type: bool
    add:
      description: Distributions added, as C(name==version).
      type: list
      elements: str
    change:
      description: Distributions moved to another version, as C(name==version (was old)).
      type: list
      elements: str
    reinstall:
      description: Distributions reinstalled at the same version (O(force=true)).
      type: list
      elements: str
    remove:
      description: Distributions removed (O(state=absent)).
      type: list
      elements: str
    record:
      description: What happens to the wagon's install record, V(write), V(remove) or V(keep).
      type: str
  sample: {"create_venv": false, "add": ["Flask==3.0.3"], "change": [], "reinstall": [], "remove": [], "record": "write"}
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
cmd:
  description: The pip command that ran; absent when pip did not run.
  returned: when pip ran
  type: list
  elements: str
"""

import sys

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import install_wagon
from ansible_collections.offline.wagon.plugins.module_utils._runner import module_runner


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path", required=True),
            venv=dict(type="path", required=True, aliases=["virtualenv"]),
            venv_python=dict(type="path"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            force=dict(type="bool", default=False),
            ignore_platform=dict(type="bool", default=False),
            pip_args=dict(type="list", elements="str", default=[]),
            remote_src=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        result = install_wagon(
            src=params["src"],
            venv=params["venv"],
            runner=module_runner(module),
            state=params["state"],
            force=params["force"],
            venv_python_path=params["venv_python"] or sys.executable,
            ignore_platform=params["ignore_platform"],
            pip_args=params["pip_args"],
            check_mode=module.check_mode,
        )
    except WagonError as error:
        module.fail_json(msg=str(error), venv=params["venv"])
    plan, metadata = result.plan, result.metadata
    output = dict(
        changed=plan.changed,
        venv=params["venv"],
        venv_created=plan.create_venv,
        wagon=dict(
            name=metadata.name,
            version=metadata.version,
            build_tag=metadata.build_tag,
            platform=metadata.platform,
            python_versions=metadata.python_versions,
        ),
        archive_sha256=result.archive_sha256,
        plan=plan.to_dict(),
        installed=result.installed,
    )
    if result.info is not None:
        output["python"] = dict(
            executable=result.info.executable,
            version=".".join(str(part) for part in result.info.version),
            description=result.info.describe(),
        )
    if result.target:
        output["target"] = result.target
    if result.command:
        output["cmd"] = result.command
    if module._diff:
        output["diff"] = plan.diff()
    module.exit_json(**output)


if __name__ == "__main__":
    main()
