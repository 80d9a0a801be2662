"""A Council world (tests/security/world.py: SYNTHETIC users with real roles, clearances and
workspaces) on SQLite and on PostgreSQL, for the case engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.world import BACKENDS, World, world_on


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    people = ("ada", "otto", "rita", "olly", "lena", "nils")
    with world_on(request.param, tmp_path, people=people, papers=()) as built:
        yield built
