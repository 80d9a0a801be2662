"""The ``app_url`` fixture: every app-store test runs on SQLite and on PostgreSQL.

The PostgreSQL case gets a fresh database (``econsec_test_<hex>``) created on the server named by
``ECONSEC_TEST_POSTGRES_URL`` and dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from econsec.store.app import safe_url
from tests.conftest_services import service_unavailable

POSTGRES_URL = os.environ.get(
    "ECONSEC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _libpq(url: URL) -> str:
    """``url`` as a libpq connection string (psycopg does not take SQLAlchemy driver names)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL ``server``, dropped on exit.

    Skips (or, with ECONSEC_REQUIRE_SERVICES=1, fails) when psycopg or the server is missing.
    """
    try:
        import psycopg
    except ImportError:
        service_unavailable("psycopg is not installed: pip install 'econsec[postgres]'")
    admin = make_url(server)
    reason = f"PostgreSQL not reachable at {safe_url(server)}; set ECONSEC_TEST_POSTGRES_URL"
    name = f"econsec_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        service_unavailable(f"{reason} ({first})")
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=3) as conn:
            # A test that failed half-way may leave connections open; DROP would refuse.
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the server of ECONSEC_TEST_POSTGRES_URL."""
    with fresh_database(POSTGRES_URL) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An app-store URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    return str(request.getfixturevalue("postgres_url"))
