# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deprecated filter: a value that warns when it is used (ansible-core's data tagging, 2.19+)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.datatag import deprecate_value

DOCUMENTATION = r"""
name: deprecated
short_description: Mark a value as deprecated, so that using it gives a deprecation warning
version_added: 0.1.0
author: offline.wagon contributors (@offline-wagon)
description:
  - Returns O(_input) unchanged, tagged with a deprecation of this collection. Wherever a template later uses it, for
    example a variable set with M(ansible.builtin.set_fact) to it, Ansible prints a C(DEPRECATION WARNING) with
    O(msg) and the collection version that removes it (silenced by C(deprecation_warnings=False) as usual).
  - Merely setting the value warns nobody; only its users are warned.
  - The role C(offline.wagon.rollout) uses it to keep the old name of its result fact, C(rollout), working for one
    release; it may be used for other values the same way.
  - V(None) and booleans cannot carry the tag and are returned unmarked.
options:
  _input:
    description: The value to mark.
    type: raw
    required: true
  msg:
    description: What is deprecated and what to use instead.
    type: str
    required: true
  version:
    description: The version of offline.wagon that removes it.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Keep an old fact name working for one more release
  ansible.builtin.set_fact:
    myrole_result: "{{ result }}"
    myrole_old: "{{ result | offline.wagon.deprecated('myrole_old is deprecated, use myrole_result', '0.2.0') }}"
  vars:
    result:
      current: myapp-1.4.2
"""

RETURN = r"""
_value:
  description: O(_input), marked as deprecated.
  type: raw
"""


def deprecated(value, msg, version):
    """``value`` tagged with a deprecation of offline.wagon that names ``version``."""
    # msg and version may come from variables, as tagged strings (their origin): the tag wants plain ones.
    # The version is the caller's, so pylint's check of literal deprecation versions cannot apply here.
    try:
        return deprecate_value(  # pylint: disable=collection-invalid-deprecated-version
            value, str(msg), version=str(version), collection_name="offline.wagon")
    except TypeError as e:
        raise AnsibleFilterError("offline.wagon.deprecated cannot mark a %s: %s" % (type(value).__name__, e))


class FilterModule(object):
    def filters(self):
        return {"deprecated": deprecated}
