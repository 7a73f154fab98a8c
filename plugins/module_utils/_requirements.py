# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""Which distributions an installed distribution needs, from its ``Requires-Dist`` lines.

Runs on the host, so it cannot use ``packaging``: it reads the name of each
requirement and evaluates its environment marker (PEP 508) with a small
evaluator of its own, against facts the probe reported. It only serves to
*keep* things: a marker it cannot read counts as true, so a distribution
that might be needed is never removed. ``extra == "..."`` counts as false,
as in ``pip check``: nothing records which extras were asked for.
"""

from __future__ import annotations

import re

from ansible_collections.offline.wagon.plugins.module_utils._naming import canonicalize_name
from ansible_collections.offline.wagon.plugins.module_utils._wheel import python_satisfies

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_TOKEN = re.compile(
    r"""\s*(?:(?P<string>'[^']*'|"[^"]*")|(?P<op>===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)"""
    r"""|(?P<paren>[()])|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"""
)
_VERSION_VARIABLES = ("python_version", "python_full_version", "implementation_version")


class _Unreadable(Exception):
    pass


def marker_environment(info):
    """The PEP 508 marker variables of the interpreter probed as ``info``."""
    version = ".".join(str(part) for part in info.version)
    implementation = info.implementation_version or list(info.version)
    return {
        "python_version": "%d.%d" % tuple(info.version[:2]),
        "python_full_version": version,
        "implementation_name": info.implementation or "",
        "implementation_version": ".".join(str(part) for part in implementation),
        "platform_python_implementation": info.python_implementation or "",
        "sys_platform": info.sys_platform or "",
        "platform_system": info.system or "",
        "platform_machine": info.machine or "",
        "os_name": info.os_name or "",
        "platform_release": info.platform_release or "",
        "platform_version": info.platform_version or "",
    }


def required_names(requires, environment):
    """The canonical names that the ``Requires-Dist`` lines ``requires`` need in ``environment``."""
    names = set()
    for line in requires:
        found = _NAME.match(line)
        if not found:
            continue
        _requirement, _semicolon, marker = line.partition(";")
        if not marker.strip() or marker_applies(marker, environment):
            names.add(canonicalize_name(found.group(1)))
    return names


def marker_applies(marker, environment):
    """Whether ``marker`` holds in ``environment``; True when it cannot be read."""
    try:
        tokens = _tokens(marker)
        value, rest = _or(tokens, environment)
        if rest:
            raise _Unreadable()
        return value
    except _Unreadable:
        return True


def _tokens(text):
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if not found or found.end() == position:
            raise _Unreadable()
        kind = found.lastgroup
        value = found.group(kind)
        tokens.append((kind, " ".join(value.split()) if kind == "op" else value))
        position = found.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


def _chain(tokens, environment, word, operand):
    """``operand (word operand)*``, where ``word`` is ``and`` or ``or``; both sides are always read."""
    value, tokens = operand(tokens, environment)
    while tokens and tokens[0] == ("word", word):
        right, tokens = operand(tokens[1:], environment)
        value = (value and right) if word == "and" else (value or right)
    return value, tokens


def _or(tokens, environment):
    return _chain(tokens, environment, "or", _and)


def _and(tokens, environment):
    return _chain(tokens, environment, "and", _atom)


def _atom(tokens, environment):
    if not tokens:
        raise _Unreadable()
    if tokens[0] == ("paren", "("):
        value, tokens = _or(tokens[1:], environment)
        if not tokens or tokens[0] != ("paren", ")"):
            raise _Unreadable()
        return value, tokens[1:]
    if len(tokens) < 3 or tokens[1][0] != "op":
        raise _Unreadable()
    left, operator, right = tokens[0], tokens[1][1], tokens[2]
    return _compare(left, operator, right, environment), tokens[3:]


def _value(token, environment):
    kind, text = token
    if kind == "string":
        return text[1:-1], None
    if kind == "word":
        if text == "extra":
            return None, "extra"
        if text not in environment:
            raise _Unreadable()
        return environment[text], text
    raise _Unreadable()


def _compare(left, operator, right, environment):
    left_value, left_name = _value(left, environment)
    right_value, right_name = _value(right, environment)
    if "extra" in (left_name, right_name):
        return False  # no extra is known to be requested
    if operator == "in":
        return left_value in right_value
    if operator == "not in":
        return left_value not in right_value
    if operator == "===":
        return left_value == right_value
    if left_name in _VERSION_VARIABLES and right_name is None:
        return _version_compare(left_value, operator, right_value)
    if operator == "==":
        return left_value == right_value
    if operator == "!=":
        return left_value != right_value
    raise _Unreadable()


def _version_compare(have, operator, wanted):
    release = tuple(int(part) for part in re.findall(r"\d+", have)[:3])
    clause = "%s%s" % (operator, wanted.strip())
    if not re.match(r"^(~=|==|!=|<=|>=|<|>)\d+(\.\d+)*(\.\*)?$", clause):
        raise _Unreadable()
    return python_satisfies(clause, release)
