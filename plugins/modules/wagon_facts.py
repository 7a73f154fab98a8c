#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wagon_facts
short_description: Report wagon archives' metadata and the wagons installed in virtualenvs
version_added: 0.1.0
author: offline.wagon contributors (@offline-wagon)
description:
  - Reads wagon archives on the host (safely, without extracting them) and reports their metadata, size, sha256 and
    software bill of materials (the CycloneDX SBOM M(offline.wagon.wagon_build) puts in every wagon).
  - With O(validate), checks each archive after the fact and reports every problem it finds, instead of failing on
    the first; with O(validate_install), it also installs each one offline into a throwaway virtualenv.
  - Looks at virtualenvs on the host and reports their Python, their distributions, and the wagons
    M(offline.wagon.wagon_install) recorded there, with whether each one's distributions are still installed at the recorded versions.
  - Changes nothing; starts no pip (one run of each venv's Python lists what is installed). Only O(validate_install)
    runs pip, into a virtualenv in a temporary directory that is removed afterwards.
options:
  archives:
    description:
      - Paths of wagon archives on the host.
      - Without O(validate), an archive that is missing, corrupt or not a wagon, or lacks a member its C(package.json)
        names, fails the module with the reason. With O(validate), it is reported with C(valid=false) and its problems.
    type: list
    elements: path
    default: []
  validate:
    description:
      - Check each archive in O(archives) and report, per archive, C(valid), C(problems) (one sentence per problem
        found; every check runs) and C(checked) (what was checked).
      - "Checked: the archive's structure (the same safety checks as an install: no paths out, no links, no duplicates);
        C(package.json); that every wheel and file it lists is there and no wheel is there unlisted; that the package it
        names has a wheel (except in a wagon built from requirements alone); each wheel's and file's sha256 against the
        recorded one (wagons made by the original tool record none, which C(checked) says); that each wheel's own
        metadata names the recorded distribution and version; and the SBOM, whose sha256 must be the one
        C(package.json) records and which must describe exactly the wagon's wheels and files, by their hashes."
      - Wheels are copied out one at a time into a temporary directory to be hashed and read, then removed.
    type: bool
    default: false
  validate_install:
    description:
      - Also install each archive offline, as M(offline.wagon.wagon_install) would (no index, only the wagon's wheels,
        hash-pinned), into a throwaway virtualenv created with O(validate_python) in a temporary directory, and report a
        failure as a problem. Implies O(validate).
    type: bool
    default: false
  validate_python:
    description:
      - The Python that creates the throwaway virtualenv of O(validate_install); the wagon must fit it.
      - Defaults to the Python running the module.
    type: path
  venvs:
    description:
      - Paths of virtualenvs on the host. A path that is not a virtualenv is reported with C(exists=false).
    type: list
    elements: path
    default: []
  pythons:
    description:
      - Paths of Python interpreters on the host whose environments to report, as for O(venvs), with the wagons
        M(offline.wagon.wagon_install) installed there without a venv (recorded in C(<site-packages>/.offline-wagon/)).
        The interpreter of a virtualenv reports that virtualenv.
      - A path that does not exist is reported with C(exists=false).
    type: list
    elements: path
    default: []
    version_added: 0.1.0
extends_documentation_fragment:
  - offline.wagon._attributes
  - offline.wagon._attributes.actiongroup_wagon
  - offline.wagon._attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
  platform:
    support: full
    platforms: posix
seealso:
  - module: offline.wagon.wagon_build
  - module: offline.wagon.wagon_install
"""

EXAMPLES = r"""
- name: Look at a wagon and at the venv it went into
  offline.wagon.wagon_facts:
    archives:
      - /var/tmp/Flask-3.0.3-py311-none-linux_x86_64.wgn
    venvs:
      - /opt/app/venv

- name: Fail when someone changed the app's venv by hand
  ansible.builtin.assert:
    that: ansible_facts.wagons.venvs['/opt/app/venv'].wagons.Flask.matches

- name: Check a wagon after the fact, with a test install into a throwaway venv of the app's Python
  offline.wagon.wagon_facts:
    archives:
      - /var/tmp/Flask-3.0.3-py311-none-linux_x86_64.wgn
    validate_install: true
    validate_python: /usr/bin/python3.11

- name: Stop when the wagon has any problem, listing them all
  ansible.builtin.assert:
    that: ansible_facts.wagons.archives[wagon].valid
    fail_msg: "{{ ansible_facts.wagons.archives[wagon].problems }}"
  vars:
    wagon: /var/tmp/Flask-3.0.3-py311-none-linux_x86_64.wgn

- name: List every wheel's licence and origin, from the wagon's SBOM
  ansible.builtin.debug:
    msg: "{{ ansible_facts.wagons.archives[wagon].components | map(attribute='licenses') | list }}"
  vars:
    wagon: /var/tmp/Flask-3.0.3-py311-none-linux_x86_64.wgn
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  sample: {"wagons": {"archives": {"/var/tmp/six.wgn": {"name": "six", "version": "1.16.0"}}, "venvs": {}, "pythons": {}}}
  contains:
    wagons:
      description: What was found, by path.
      type: dict
      sample: {"archives": {"/var/tmp/six.wgn": {"name": "six", "version": "1.16.0"}}, "venvs": {}, "pythons": {}}
      contains:
        archives:
          description:
            - One entry per archive path, with C(format) (V(zip) or V(tar)), C(size), C(sha256), C(name), C(version),
              C(build_tag), C(platform), C(python_versions), C(wheels), C(hashed) (whether the wagon records wheel hashes),
              C(requirements_only) (built from requirement files alone, with no main package) and C(metadata) (the whole package.json).
            - C(targets) lists, for a wagon built for several targets, each target with C(label)
              (C(cp39-cp39-manylinux2014_x86_64)), C(python), C(platform), C(implementation), C(abi), C(wheels) (the
              wheel set that serves it) and C(fits) (those of O(venvs) whose Python it is the target for); empty for
              other wagons.
            - C(sbom) is the wagon's CycloneDX SBOM as a parsed document (null when the wagon has none, as wagons made by
              the original tool), and C(components) a summary of its wheels, each with C(wheel), C(name), C(version),
              C(purl), C(sha256), C(licenses) (a list) and C(origin) (a URL, or V(unknown)).
            - With O(validate) or O(validate_install), also C(valid) (no problem found), C(problems) (a list of sentences)
              and C(checked) (what was checked; V(pylock) is the PEP 751 locks the wagon carries, checked against the
              sha256 its metadata records for them). An archive that cannot be opened or has unreadable metadata then has
              only these three keys.
          type: dict
          sample:
            /var/tmp/six-1.16.0-py311-none-any.wgn:
              format: zip
              name: six
              version: 1.16.0
              platform: any
              wheels: [six-1.16.0-py2.py3-none-any.whl]
              requirements_only: false
              components:
                - {wheel: six-1.16.0-py2.py3-none-any.whl, name: six, version: 1.16.0, purl: pkg:pypi/six@1.16.0,
                   sha256: 8abb...d254, licenses: [MIT], origin: "https://files.pythonhosted.org/.../six-1.16.0-py2.py3-none-any.whl"}
              sbom: {bomFormat: CycloneDX, specVersion: "1.5", serialNumber: "urn:uuid:...", components: []}
              valid: false
              problems: ["wheels/six-1.16.0-py2.py3-none-any.whl has sha256 0f3c...9d1e, but package.json says 8abb...d254: the archive was altered or damaged"]
              checked: [structure, metadata, wheel hashes, sbom, pylock]
        venvs:
          description:
            - One entry per venv path, with C(exists), C(python), C(distributions) (C(name==version) lines) and
              C(wagons), the recorded wagons by name, each with C(version), C(archive) (where it was installed from, a path on
              the host, a URL, or C(controller:<path>) for an archive sent from the controller),
              C(archive_sha256), C(wheels),
              C(installed_at), C(target) (for a wagon of several targets, the label of the one installed),
              C(matches) and C(drift) (distributions no longer at the recorded version), C(distributions) (the
              record's entry per distribution) and C(ownership) (per distribution, V(added) by the wagon, V(found)
              already there, or V(replaced), another version was there; see M(offline.wagon.wagon_install)).
            - C(interrupted) is V(true) when an install was killed halfway there; the next install undoes it first.
          type: dict
          sample:
            /opt/app/venv:
              exists: true
              interrupted: false
              distributions: [six==1.16.0]
              wagons:
                six: {version: 1.16.0, matches: true, drift: [], ownership: {six: added}}
        pythons:
          description:
            - One entry per interpreter path in O(pythons), shaped like a C(venvs) entry, plus C(venv) (the virtualenv the
              interpreter belongs to, or null), C(records) (the directory of its install records) and
              C(externally_managed) (PEP 668 forbids installing there without O(offline.wagon.wagon_install#module:break_system_packages)).
          type: dict
          sample:
            /opt/python3.12/bin/python3.12:
              exists: true
              venv: null
              records: /opt/python3.12/lib/python3.12/site-packages/.offline-wagon
              externally_managed: false
              distributions: [pip==23.2.1, tool==1.2]
              wagons:
                tool: {version: "1.2", matches: true, drift: []}
"""

import sys

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._facts import (
    archive_facts,
    python_facts,
    validate_archive,
    venv_facts,
)
from ansible_collections.offline.wagon.plugins.module_utils._runner import run_command


def main():
    module = AnsibleModule(
        argument_spec=dict(
            archives=dict(type="list", elements="path", default=[]),
            venvs=dict(type="list", elements="path", default=[]),
            pythons=dict(type="list", elements="path", default=[]),
            validate=dict(type="bool", default=False),
            validate_install=dict(type="bool", default=False),
            validate_python=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    runner = run_command

    # The venvs' interpreters, as probed for their facts, tell which target of each archive fits them.
    interpreters = {}

    def describe(path):
        if params["validate"] or params["validate_install"]:
            return validate_archive(
                path, runner, install=params["validate_install"],
                python=params["validate_python"] or sys.executable, tmpdir=module.tmpdir, interpreters=interpreters,
            )
        return archive_facts(path, interpreters)

    try:
        venvs = {path: venv_facts(path, runner, interpreters) for path in params["venvs"]}
        pythons = {path: python_facts(path, runner, interpreters) for path in params["pythons"]}
        wagons = dict(archives={path: describe(path) for path in params["archives"]}, venvs=venvs, pythons=pythons)
    except WagonError as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, ansible_facts=dict(wagons=wagons))


if __name__ == "__main__":
    main()
