"""A Council world (tests/security/world.py: SYNTHETIC users with real roles, clearances and
workspaces) on SQLite and on PostgreSQL, for the case engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.world import World, build_world
from tests.store.conftest import POSTGRES_URL, fresh_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    people = ("ada", "otto", "rita", "olly", "lena", "nils")
    if request.param == "sqlite":
        built = build_world(f"sqlite:///{tmp_path / 'app.db'}", tmp_path, people=people, papers=())
    else:
        with fresh_database(POSTGRES_URL) as url:
            built = build_world(url, tmp_path, people=people, papers=())
            yield built
            built.close()
            return
    yield built
    built.close()
