#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wagon_build
short_description: Build a wagon, one archive holding a Python package and every wheel it needs
version_added: 0.1.0
author: offline.wagon contributors (@offline-wagon)
description:
  - Builds a wagon (a Wagon 1.0 archive) on a machine that can reach a package index or a local wheel mirror,
    usually the controller (C(delegate_to=localhost), C(run_once=true)). M(offline.wagon.wagon_install) then
    installs it on hosts with no network.
  - The wagon holds one top-level directory named after the package, with C(package.json), C(wheels/) (every wheel
    C(pip wheel) resolved) and C(files/) (extra files, when O(files) is set). The original C(wagon) tool can read,
    validate and install it.
  - C(package_name) and C(package_version) come from the main wheel's own metadata, so a local project or a URL
    needs no C(setup.py) (C(pyproject.toml)-only projects work), and the name keeps its case as Wagon 1.0 requires.
  - The archive is written deterministically; the same inputs give the same bytes. A rebuild that gives the bytes
    already in O(dest) leaves the file untouched and reports no change.
  - Passwords and tokens in URLs (O(index_url), O(find_links), O(source), O(pip_args)) are masked in everything
    the module returns, C(package.json) included.
  - Without O(source), the wagon holds a whole environment, the packages of the O(requirements) files and what they
    need, with no main package; O(name) and O(version) then name it. See C(docs/format.md) for what the original
    C(wagon) tool can do with such a wagon.
  - Every wagon carries a software bill of materials, C(sbom.cdx.json) (CycloneDX 1.5 JSON), beside its
    C(package.json), which names it with its sha256 under C(offline_wagon.sbom). It lists every wheel with its
    name, version, package URL, sha256, licences (from the wheel's metadata) and where pip took it from (a URL
    with any credentials removed, or a local path), and every extra file with its sha256.
  - Where each wheel came from is asked of pip by resolving again with C(pip install --dry-run --ignore-installed
    --report) (pip 22.2 or later in O(python)); it installs nothing. With an older pip, or when that run fails, the
    SBOM gives the origin as V(unknown) and the module warns.
options:
  source:
    description:
      - What to build, in one of these forms.
      - A requirement, such as V(flask), V(flask==3.0.3), V(flask[async]>=3) or V(name @ https://host/name.tar.gz).
      - A local project directory (with C(pyproject.toml) or C(setup.py)), or a local source archive or wheel.
      - An V(http://), V(https://) or V(file://) URL of a source archive.
      - A value that looks like a path (it contains C(/), starts with C(.) or C(~), or ends like an archive) must exist;
        it is never looked up on an index.
      - Leave it out to build a wagon of the O(requirements) files alone; O(name) and O(version) are then required.
    type: str
  name:
    description:
      - The name of a wagon built from O(requirements) alone (no O(source)); it becomes C(package_name), the archive's
        top directory and the first field of its file name. A distribution name (letters, digits, C(.), C(_), C(-)).
      - Only with no O(source); with O(source), the name is the main package's own.
    type: str
  version:
    description:
      - The version of a wagon built from O(requirements) alone (no O(source)), as C(package_version) and in the
        archive's file name. A PEP 440 version without C(-), such as V(1.0) or V(2024.6.1).
      - Only with no O(source); with O(source), the version is the main package's own.
    type: str
  dest:
    description:
      - Directory the archive is written to; created when missing (not in check mode).
      - The archive's file name is Wagon 1.0's, C(NAME-VERSION[-BUILD]-PYTAGS-none-PLATFORM.wgn), and is returned as RV(archive).
    type: path
    required: true
  requirements:
    description:
      - Requirement files whose packages go into the wagon too, resolved together with O(source) in one C(pip wheel) run.
      - Without O(source), the wagon holds only these files' packages and what they need (an environment).
    type: list
    elements: path
    default: []
  format:
    description:
      - The archive format. Both are read by every Wagon 1.0 reader and by M(offline.wagon.wagon_install).
    type: str
    choices: [zip, tar.gz]
    default: zip
  exclude:
    description:
      - Names of distributions to leave out of the wagon (compared in their normalised form, so V(Jinja2) and V(jinja2) are one).
      - Only the named distributions are left out, not their own dependencies. The names are recorded in C(package.json) under C(offline_wagon.excluded).
      - The host must already have what is left out, or the install fails; O(validate) fails too when a left-out distribution is needed.
      - Naming the package the wagon is built for is an error.
    type: list
    elements: str
    default: []
  python_versions:
    description:
      - Wagon's Python labels (C(supported_python_versions) and the archive name's Python field).
        V(3.11), V(311) and V(py311) all mean V(py311).
      - Informational, as in Wagon 1.0; which wheels fit is decided from the wheels' own tags at install time.
      - Defaults to the label of the build Python (O(python)).
    type: list
    elements: str
    default: []
  build_tag:
    description:
      - A build tag, written after the version in the archive name and as C(package_build_tag).
    type: str
    default: ""
  files:
    description:
      - Extra files to put in the wagon's C(files/) directory, by base name.
      - Every path must exist, and no two may have the same base name.
    type: list
    elements: path
    default: []
  index_url:
    description:
      - The package index pip uses instead of its configured one (C(pip --index-url)).
      - Credentials in it are masked in every output.
    type: str
  find_links:
    description:
      - Directories or URLs of wheels and source archives pip may use (C(pip --find-links)).
    type: list
    elements: str
    default: []
  no_index:
    description:
      - Use no package index at all, only O(find_links) and local sources (C(pip --no-index)).
    type: bool
    default: false
  pip_args:
    description:
      - Extra arguments for C(pip wheel), for example V(--isolated) to ignore the user's pip configuration, or V(--pre).
    type: list
    elements: str
    default: []
  python:
    description:
      - The Python interpreter that builds; C(<python> -m pip wheel) runs with it, and wheels with compiled code are
        chosen for it. It needs pip.
      - Defaults to the Python that runs the module.
    type: path
  validate:
    description:
      - Before writing the archive into O(dest), install it offline into a throwaway virtualenv created with
        C(<python> -m venv), the way M(offline.wagon.wagon_install) would, and fail when it does not install.
    type: bool
    default: false
  force:
    description:
      - Write the archive even when an identical one is already in O(dest); the module then reports a change.
    type: bool
    default: false
  targets:
    description:
      - Build one wagon for several target environments (Pythons and platforms), none of which needs to be this machine's.
      - For every target the wagon holds a complete wheel set resolved for it, with environment markers evaluated as that
        target would (a dependency marked C(python_version < "3.10") is in a 3.9 target's set, not in a 3.12 one's).
        A wheel several targets share (a pure one) is stored once.
      - A target stands for the oldest host of its kind; wheels of older platform levels count too
        (V(manylinux2014_x86_64) takes C(manylinux_2_17) down to C(manylinux1) and C(linux_x86_64) wheels).
      - M(offline.wagon.wagon_install) installs the set of the target that fits the venv.
      - Without O(targets), the wagon is for the build Python (O(python)) on this machine.
      - Targets need pip 20.3 or later in the build Python (older pips take a single C(--platform)).
    type: list
    elements: dict
    default: []
    suboptions:
      python:
        description:
          - The target's CPython minor version, such as V(3.9) or V(3.12).
          - Quote it in YAML, V("3.10"); unquoted, YAML reads 3.10 as the number 3.1.
        type: str
        required: true
      platform:
        description:
          - A wheel platform tag, such as V(manylinux2014_x86_64), V(manylinux_2_28_aarch64), V(musllinux_1_2_x86_64),
            V(linux_x86_64), V(win_amd64), V(win32), V(win_arm64), V(macosx_11_0_arm64) or V(macosx_10_9_x86_64).
        type: str
        required: true
      implementation:
        description: The Python implementation; only V(cp) (CPython) is supported.
        type: str
        default: cp
      abi:
        description: The ABI tag; defaults to the version's own (V(cp39) for V(3.9)); V(cp313t) is free-threaded 3.13.
        type: str
  builders:
    description:
      - 'Interpreters of this machine that build wheels for a target''s Python, by version (for example
        C({"3.9": "/usr/bin/python3.9"})), when a distribution that the targets need publishes only a source
        distribution with compiled code.'
      - Only targets of this machine's platform family can use such wheels; for others the build fails before writing
        anything, naming the distribution and the target.
      - A pure-Python source distribution needs no builder; O(python) builds it once, for every target.
      - Quote the versions in YAML, as for O(targets[].python).
    type: dict
    default: {}
extends_documentation_fragment:
  - offline.wagon._attributes
  - offline.wagon._attributes.actiongroup_wagon
attributes:
  async:
    description: Supports being used with the C(async) keyword.
    support: full
    details: A long build can run with C(async) and C(poll), and be waited for with M(ansible.builtin.async_status).
  check_mode:
    support: full
    details: pip still resolves and downloads, into a temporary directory; nothing is written in O(dest).
  diff_mode:
    support: full
    details: The diff shows the archive's name and its wheels, before and after.
  idempotent:
    support: full
    details: When the index offers newer releases than the last build used, a rebuild picks them up and reports a change.
  platform:
    support: full
    platforms: posix
requirements:
  - packaging (on the machine that runs the module)
  - pip in the build Python (O(python))
notes:
  - pip's own configuration (C(pip.conf), C(PIP_*) variables) applies to the build, unless O(pip_args) has V(--isolated).
  - C(SOURCE_DATE_EPOCH) is set for pip, so wheels it builds from source get fixed times and the same bytes on a rebuild.
  - Run it where the network or a mirror is, and where the Python of the hosts is (or pass O(python)); a wagon built with
    Python 3.12 holds C(cp312) wheels for packages with compiled code.
  - The module runs under the interpreter Ansible finds for the delegated host; with C(delegate_to=localhost), setting
    C(ansible_python_interpreter) to C({{ ansible_playbook_python }}) makes it the Python that runs Ansible.
seealso:
  - module: offline.wagon.wagon_install
  - module: offline.wagon.wagon_facts
"""

EXAMPLES = r"""
- name: Build a wagon of Flask once, on the controller
  offline.wagon.wagon_build:
    source: flask==3.0.3
    dest: "{{ playbook_dir }}/wagons"
  delegate_to: localhost
  run_once: true
  register: flask_wagon

- name: Build a local pyproject project with its requirements, for Python 3.11, as tar.gz, and check it installs
  offline.wagon.wagon_build:
    source: "{{ playbook_dir }}/src/myapp"
    requirements:
      - "{{ playbook_dir }}/src/myapp/requirements.txt"
    python: /usr/bin/python3.11
    format: tar.gz
    build_tag: "1"
    files:
      - "{{ playbook_dir }}/src/myapp/config.example.yml"
    validate: true
    dest: /srv/wagons
  delegate_to: localhost
  run_once: true

- name: Build from a private index; the password is masked in the output and in package.json
  offline.wagon.wagon_build:
    source: internal-tool>=2
    index_url: "https://builder:{{ vault_index_password }}@pypi.example.com/simple"
    exclude:
      - setuptools
    dest: /srv/wagons
  delegate_to: localhost
  run_once: true

- name: Build a wagon of a whole environment from requirement files alone (no main package)
  offline.wagon.wagon_build:
    requirements:
      - "{{ playbook_dir }}/requirements/app.txt"
      - "{{ playbook_dir }}/requirements/reports.txt"
    name: billing-env
    version: "2024.6.1"
    dest: /srv/wagons
  delegate_to: localhost
  run_once: true
  register: env_wagon

- name: Build only from a local wheel mirror, ignoring the user's pip configuration
  offline.wagon.wagon_build:
    source: requests
    no_index: true
    find_links:
      - /srv/wheelhouse
    pip_args:
      - --isolated
    dest: /srv/wagons
  delegate_to: localhost
  run_once: true

- name: One wagon for a fleet of RHEL 8 hosts (Python 3.9) and Ubuntu 24.04 hosts (Python 3.12)
  offline.wagon.wagon_build:
    source: pyyaml==6.0.2
    targets:
      - {python: "3.9", platform: manylinux2014_x86_64}
      - {python: "3.12", platform: manylinux_2_28_x86_64}
    dest: /srv/wagons
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
archive:
  description: Path of the archive (in check mode, where it would be).
  returned: success
  type: str
  sample: /srv/wagons/Flask-3.0.3-py312-none-any.wgn
sha256:
  description: The sha256 of the archive's bytes (in check mode, of the archive a real run would write).
  returned: success
  type: str
  sample: 9c4a1f5e7d3b2a8c6f0e1d2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e
size:
  description: The archive's size in bytes.
  returned: success
  type: int
  sample: 1043876
metadata:
  description:
    - The wagon's C(package.json), with Wagon 1.0's 12 keys and our C(offline_wagon) extension
      (per-wheel C(sha256), C(size), C(name), C(version), C(requires_python), C(license); C(built_by); C(excluded);
      C(sbom), the SBOM's file name, format and sha256; C(requirements_only) for a wagon built without O(source);
      C(targets), each target with the wheels that serve it, for a wagon built with O(targets)).
  returned: success
  type: dict
  sample:
    archive_name: Flask-3.0.3-py312-none-any.wgn
    build_server_os_properties: {distribution: null, distribution_release: null, distribution_version: null}
    created_by_wagon_version: 1.0.3
    files: []
    package_build_tag: ""
    package_name: Flask
    package_source: flask==3.0.3
    package_version: 3.0.3
    python_requires: ">=3.8,>=3.9"
    supported_platform: any
    supported_python_versions: [py312]
    wheels: [blinker-1.9.0-py3-none-any.whl, flask-3.0.3-py3-none-any.whl]
    offline_wagon:
      format: 1
      built_by: {collection: offline.wagon 0.1.0, python: 3.12.1, pip: "24.0"}
      excluded: []
      sbom: {file: sbom.cdx.json, format: CycloneDX, spec_version: "1.5", sha256: 5d0c...9a1e, size: 3911}
      wheels:
        flask-3.0.3-py3-none-any.whl: {name: Flask, version: 3.0.3, sha256: 47a3...e1c0, size: 101735, requires_python: ">=3.8", license: ""}
wheels:
  description: Every wheel in the wagon, sorted by file name.
  returned: success
  type: list
  elements: dict
  contains:
    filename:
      description: The wheel's file name.
      type: str
      sample: flask-3.0.3-py3-none-any.whl
    name:
      description: The distribution name from the wheel's metadata.
      type: str
      sample: Flask
    version:
      description: The distribution version.
      type: str
      sample: 3.0.3
    sha256:
      description: The wheel's sha256.
      type: str
      sample: 47a3c0e7f4d8b1c2a9e5f6d7c8b9a0e1f2d3c4b5a6978877665544332211e1c0
    size:
      description: The wheel's size in bytes.
      type: int
      sample: 101735
    license:
      description: The licence the wheel's metadata states (C(License-Expression), C(License) or C(License ::) classifiers); empty when none.
      type: str
      sample: BSD-3-Clause
    origin:
      description: Where pip took it from (a URL without credentials, C(file://) for local files), or V(unknown).
      type: str
      sample: https://files.pythonhosted.org/packages/py3/f/flask/flask-3.0.3-py3-none-any.whl
  sample:
    - {filename: flask-3.0.3-py3-none-any.whl, name: Flask, version: 3.0.3, sha256: 47a3...e1c0, size: 101735,
       license: BSD-3-Clause, origin: "https://files.pythonhosted.org/packages/.../flask-3.0.3-py3-none-any.whl"}
cmd:
  description:
    - The pip commands that ran, each a list of arguments, with URL credentials masked.
    - The last is the dry run that asks pip where each wheel came from, unless the build Python's pip is older than 22.2.
  returned: success
  type: list
  elements: list
  sample:
    - [/usr/bin/python3, -m, pip, wheel, --wheel-dir, /tmp/offline-wagon-build-x/wheels, flask==3.0.3]
    - [/usr/bin/python3, -m, pip, install, --dry-run, --ignore-installed, --quiet, --report,
       /tmp/offline-wagon-build-x/pip-report.json, flask==3.0.3]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.offline.wagon.plugins.module_utils._build import (
    HAS_PACKAGING,
    PACKAGING_IMPORT_ERROR,
    BuildRequest,
    build_wagon,
)
from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._urls import url_secrets
from ansible_collections.offline.wagon.plugins.module_utils._runner import run_command

# Options whose values may hold URLs with credentials.
URL_OPTIONS = ("source", "index_url", "find_links", "pip_args")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            source=dict(type="str"),
            name=dict(type="str"),
            version=dict(type="str"),
            dest=dict(type="path", required=True),
            requirements=dict(type="list", elements="path", default=[]),
            format=dict(type="str", choices=["zip", "tar.gz"], default="zip"),
            exclude=dict(type="list", elements="str", default=[]),
            python_versions=dict(type="list", elements="str", default=[]),
            build_tag=dict(type="str", default=""),
            files=dict(type="list", elements="path", default=[]),
            index_url=dict(type="str", no_log=False),
            find_links=dict(type="list", elements="str", default=[]),
            no_index=dict(type="bool", default=False),
            pip_args=dict(type="list", elements="str", default=[]),
            python=dict(type="path"),
            validate=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
            targets=dict(
                type="list", elements="dict", default=[],
                options=dict(
                    python=dict(type="str", required=True),
                    platform=dict(type="str", required=True),
                    implementation=dict(type="str", default="cp"),
                    abi=dict(type="str"),
                ),
            ),
            builders=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    if not HAS_PACKAGING:
        module.fail_json(msg=missing_required_lib("packaging"), exception="".join(
            traceback.format_exception(type(PACKAGING_IMPORT_ERROR), PACKAGING_IMPORT_ERROR, PACKAGING_IMPORT_ERROR.__traceback__)
        ))
    params = module.params
    # The URLs stay useful in the output, masked by the engine; the secrets
    # themselves are also hidden from the echoed module arguments.
    for option in URL_OPTIONS:
        values = params[option] if isinstance(params[option], list) else [params[option]]
        for value in values:
            module.no_log_values.update(url_secrets(value))
    request = BuildRequest(
        source=params["source"],
        dest=params["dest"],
        requirements=params["requirements"],
        archive_format=params["format"],
        exclude=params["exclude"],
        python_versions=params["python_versions"],
        build_tag=params["build_tag"],
        files=params["files"],
        index_url=params["index_url"],
        find_links=params["find_links"],
        no_index=params["no_index"],
        pip_args=params["pip_args"],
        python=params["python"],
        validate=params["validate"],
        force=params["force"],
        name=params["name"],
        version=params["version"],
        targets=params["targets"],
        builders={str(version): path for version, path in params["builders"].items()},
    )
    try:
        result = build_wagon(request, run_command, check_mode=module.check_mode)
    except WagonError as error:
        module.fail_json(msg=str(error))
    for warning in result.warnings:
        module.warn(warning)
    output = dict(
        changed=result.changed,
        archive=result.archive,
        sha256=result.sha256,
        size=result.size,
        metadata=result.metadata.to_dict(),
        wheels=result.wheels,
        cmd=result.commands,
    )
    if module._diff:
        output["diff"] = result.diff
    module.exit_json(**output)


if __name__ == "__main__":
    main()
