# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This doc fragment is PRIVATE to the offline.wagon collection. It may change
# or disappear at any time. Do not use it from other collections or roles.

from __future__ import annotations


class ModuleDocFragment(object):
    # Attributes every offline.wagon module shares.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  platform:
    description: Target OS/families that can be operated against.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
"""

    # Modules that belong to the offline.wagon.wagon action group.
    ACTIONGROUP_WAGON = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/offline.wagon.wagon) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - offline.wagon.wagon
    details:
      - The modules of the group share almost no options, and the few names two of them share (C(force), C(python),
        C(validate)) mean something different in each. Defaults set for C(group/offline.wagon.wagon) reach every module
        of the group, so the others fail on an option they do not have (C(pip_args) set for the group fails
        M(offline.wagon.wagon_install) and M(offline.wagon.wagon_facts)) or read it with another meaning.
      - Set C(module_defaults) per module instead, for example C(offline.wagon.wagon_install) with
        O(offline.wagon.wagon_install#module:venv_python=/usr/bin/python3.12).
"""

    # Modules that only read.
    FACTS = r"""
options: {}
attributes:
  facts:
    description: Action returns an C(ansible_facts) dictionary that will update existing host facts.
    support: full
"""
