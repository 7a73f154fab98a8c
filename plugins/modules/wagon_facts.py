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
  - Reads wagon archives on the host (safely, without extracting them) and reports their metadata, size and sha256.
  - Looks at virtualenvs on the host and reports their Python, their distributions, and the wagons
    M(offline.wagon.wagon_install) recorded there, with whether each one's distributions are still installed at the recorded versions.
  - Changes nothing; starts no pip (one run of each venv's Python lists what is installed).
options:
  archives:
    description:
      - Paths of wagon archives on the host. An archive that is missing, corrupt or not a wagon fails the module with the reason.
    type: list
    elements: path
    default: []
  venvs:
    description:
      - Paths of virtualenvs on the host. A path that is not a virtualenv is reported with C(exists=false).
    type: list
    elements: path
    default: []
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
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  contains:
    wagons:
      description: What was found, by path.
      type: dict
      contains:
        archives:
          description:
            - One entry per archive path, with C(format) (V(zip) or V(tar)), C(size), C(sha256), C(name), C(version),
              C(build_tag), C(platform), C(python_versions), C(wheels), C(hashed) (whether the wagon records wheel hashes)
              and C(metadata) (the whole package.json).
          type: dict
          sample:
            /var/tmp/six-1.16.0-py311-none-any.wgn:
              format: zip
              name: six
              version: 1.16.0
              platform: any
              wheels: [six-1.16.0-py2.py3-none-any.whl]
        venvs:
          description:
            - One entry per venv path, with C(exists), C(python), C(distributions) (C(name==version) lines) and
              C(wagons), the recorded wagons by name, each with C(version), C(archive_sha256), C(wheels),
              C(installed_at), C(matches) and C(drift) (distributions no longer at the recorded version).
          type: dict
          sample:
            /opt/app/venv:
              exists: true
              distributions: [six==1.16.0]
              wagons:
                six: {version: 1.16.0, matches: true, drift: []}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._facts import archive_facts, venv_facts
from ansible_collections.offline.wagon.plugins.module_utils._runner import module_runner


def main():
    module = AnsibleModule(
        argument_spec=dict(
            archives=dict(type="list", elements="path", default=[]),
            venvs=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    runner = module_runner(module)
    try:
        wagons = dict(
            archives={path: archive_facts(path) for path in module.params["archives"]},
            venvs={path: venv_facts(path, runner) for path in module.params["venvs"]},
        )
    except WagonError as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, ansible_facts=dict(wagons=wagons))


if __name__ == "__main__":
    main()
