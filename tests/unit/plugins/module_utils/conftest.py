# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the engine's tests that run real interpreters."""

from __future__ import annotations

import pytest

from tests.support.pythons import INTERPRETER_IDS, interpreter


@pytest.fixture(params=INTERPRETER_IDS)
def python(request):
    """Each real interpreter in turn; skipped where it is missing."""
    path = interpreter(request.param)
    if not path:
        pytest.skip("no such Python on this machine")
    return path
