# -*- coding: utf-8 -*-
# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# This module util is PRIVATE to the offline.wagon collection. It may change or
# disappear at any time. Do not use it from other collections or roles.

"""The secrets a URL can carry, and the one way they are kept out of messages, results and records.

A URL carries secrets in its user info (``https://user:password@host``,
``https://token@host``) and in its query string (``?token=…``,
``X-Amz-Signature=…`` of a pre-signed link). Messages, results and install
records show a URL through :func:`mask_url` (user info masked, query keys
kept and their values masked); the SBOM, which is for others to read, keeps neither
(:func:`strip_credentials`). :func:`url_secrets` lists what is masked, for
Ansible's ``no_log_values``.
"""

from __future__ import annotations

import re

MASK = "********"
_SHORTEST_SECRET = 6

# scheme://userinfo@ : up to the last "@" before the path (a password may hold an unencoded "@").
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)([^/\s?#]+)@")
# The query of a URL: from "?" up to a fragment, whitespace or a quote.
_QUERY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s?#'\"]*)\?([^\s#'\"]*)")


def _mask_query(query):
    fields = []
    for field in query.split("&"):
        key, equals, value = field.partition("=")
        fields.append("%s=%s" % (key, MASK) if equals and value else field if equals else (MASK if field else field))
    return "&".join(fields)


def mask_url(text):
    """``text`` with the secrets of every URL in it masked.

    The user info (``https://user:secret@host``, ``https://token@host``)
    becomes ``https://********@host`` (a user name says whose the secret is),
    and every query value ``?token=********``; the rest is left as it is.
    """
    if not text:
        return text

    text = _USERINFO.sub(r"\1%s@" % MASK, text)
    return _QUERY.sub(lambda match: "%s?%s" % (match.group(1), _mask_query(match.group(2))), text)


def strip_credentials(url):
    """``url`` with its user info and its query string removed entirely (for documents others read)."""
    if not url:
        return url
    url = _USERINFO.sub(r"\1", url)
    return _QUERY.sub(r"\1", url)


def url_secrets(text):
    """The passwords, tokens and query values in the URLs of ``text``: what :func:`mask_url` hides."""
    secrets = []
    for match in _USERINFO.finditer(text or ""):
        user, colon, password = match.group(2).partition(":")
        secret = password if colon else user
        if secret:
            secrets.append(secret)
    for match in _QUERY.finditer(text or ""):
        for field in match.group(2).split("&"):
            key, equals, value = field.partition("=")
            secret = value if equals else key
            # Ansible masks every occurrence of a no_log value in the output:
            # a short value ("1", "true") would garble it and hides nothing.
            if len(secret) >= _SHORTEST_SECRET:
                secrets.append(secret)
    return secrets
