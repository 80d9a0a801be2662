"""The app store on every backend (``app_url``: SQLite file, fresh PostgreSQL database).

Migrations, the ``Job`` model and the ``JobRunner`` loading real files from ../shared/data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from econsec.cases import models as _case_tables  # noqa: F401  (Base.metadata)
from econsec.council import models as _council_tables  # noqa: F401  (Base.metadata)
from econsec.datasets.catalogue import Catalogue
from econsec.errors import ConfigError, NotFound
from econsec.jobs import JobRunner
from econsec.promote import crosswalk_store as _crosswalk_tables  # noqa: F401  (Base.metadata)
from econsec.protect import store as _screening_tables  # noqa: F401  (Base.metadata)
from econsec.security import models as _security_tables  # noqa: F401  (Base.metadata)
from econsec.store.app import (
    AppStore,
    Base,
    Job,
    current_revision,
    make_engine,
    open_app_store,
    safe_url,
    upgrade,
)
from tests.conftest import shared_file
from tests.conftest_services import REQUIRE_SERVICES, service_unavailable
from tests.store.conftest import fresh_database

COUNTRIES = "trade/baci_country_codes_V202301.csv"
TOKYO = timezone(timedelta(hours=9))
WAIT = 60  # seconds a real load may take on a slow CI machine


@pytest.fixture
def app_store(app_url: str) -> Iterator[AppStore]:
    store = open_app_store(app_url)
    yield store
    store.dispose()


@pytest.fixture
def runner(app_store: AppStore, catalogue: Catalogue) -> Iterator[JobRunner]:
    jobs = JobRunner(app_store, catalogue)
    yield jobs
    jobs.close()


HEAD = "0009"  # the newest migration


def test_migrations_create_jobs_table(app_url: str) -> None:
    assert current_revision(app_url) is None
    assert upgrade(app_url) == HEAD
    assert current_revision(app_url) == HEAD
    engine = make_engine(app_url)
    try:
        schema = inspect(engine)
        assert {"jobs", "alembic_version"} <= set(schema.get_table_names())
        columns = {c["name"] for c in schema.get_columns("jobs")}
        assert columns == set(Job.__table__.columns.keys())
        assert {i["name"] for i in schema.get_indexes("jobs")} == {"ix_jobs_kind", "ix_jobs_status"}
        with engine.connect() as connection:
            # The migration and the models describe the same schema.
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(app_url: str) -> None:
    assert upgrade(app_url) == HEAD
    store = AppStore(app_url)
    try:
        with store.session() as session:
            session.add(Job(kind="dataset_load", params={}, status="queued", progress=0.0))
            session.commit()
        assert upgrade(app_url) == HEAD
        with store.engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        with store.session() as session:
            jobs = session.scalar(select(func.count()).select_from(Job))
    finally:
        store.dispose()
    assert versions == [(HEAD,)]
    assert jobs == 1


def test_job_round_trips(app_store: AppStore) -> None:
    started = datetime(2026, 11, 28, 9, 30, tzinfo=TOKYO)
    params = {"dataset": "baci", "path": "/data/経済安保.csv", "options": {"hs_edition": "HS17"}}
    with app_store.session() as session:
        job = Job(kind="dataset_load", params=params, status="running", progress=0.25)
        job.started_at = started
        session.add(job)
        session.commit()
        job_id = job.id
    with app_store.session() as session:
        back = session.get(Job, job_id)
        assert back is not None
        assert back.params == params
        assert back.progress == 0.25
        assert back.result is None
        assert back.rerun_of is None
        assert back.created_at.tzinfo is not None
        assert back.started_at is not None
        assert back.started_at.tzinfo is not None
        assert back.started_at == started  # the same instant, whatever the offset
        assert abs(datetime.now(UTC) - back.created_at) < timedelta(minutes=5)


def test_runner_loads_a_real_file(runner: JobRunner) -> None:
    path = shared_file(COUNTRIES)
    job, future = runner.submit_load("baci_countries", path, {})
    assert job.status == "queued"
    assert job.params == {"dataset": "baci_countries", "path": str(path), "options": {}}
    future.result(timeout=WAIT)
    done = runner.get(job.id)
    assert done.status == "succeeded"
    assert done.progress == 1.0
    assert done.message is None
    assert done.result is not None
    version = done.result["version"]
    assert version["id"] == "baci_countries@1"
    assert version["rows"] == 238
    assert version["release"] == "V202301"
    assert done.result["changed"] is True
    assert done.started_at is not None
    assert done.finished_at is not None
    assert done.created_at <= done.started_at <= done.finished_at
    assert [j.id for j in runner.list()] == [job.id]


def test_loading_the_same_file_again_is_unchanged(runner: JobRunner) -> None:
    path = shared_file(COUNTRIES)
    runner.submit_load("baci_countries", path, {})[1].result(timeout=WAIT)
    again, future = runner.submit_load("baci_countries", path, {})
    future.result(timeout=WAIT)
    done = runner.get(again.id)
    assert done.status == "succeeded"
    assert done.message == "unchanged: already loaded"
    assert done.result is not None
    assert done.result["changed"] is False
    assert done.result["version"]["id"] == "baci_countries@1"


def test_failed_load_then_rerun_after_fix(runner: JobRunner, tmp_path: Path) -> None:
    good = shared_file(COUNTRIES).read_bytes()
    lines = good.decode().splitlines(keepends=True)
    lines[11] = "abc," + lines[11].split(",", 1)[1]  # line 12: a code that is not a number
    damaged = tmp_path / "baci_country_codes_V202301.csv"
    damaged.write_text("".join(lines))
    job, future = runner.submit_load("baci_countries", damaged, {})
    future.result(timeout=WAIT)
    failed = runner.get(job.id)
    assert failed.status == "failed"
    assert failed.message is not None
    assert str(damaged) in failed.message
    assert "line 12" in failed.message
    assert "field 'country_code'" in failed.message
    assert failed.result is None
    assert failed.finished_at is not None
    assert not runner.catalogue.dataset("baci_countries").loaded

    damaged.write_bytes(good)
    second, future = runner.rerun(job.id)
    future.result(timeout=WAIT)
    done = runner.get(second.id)
    assert second.id != job.id
    assert done.rerun_of == job.id
    assert done.params == failed.params
    assert done.status == "succeeded"
    assert done.result is not None
    assert done.result["version"]["rows"] == 238
    assert runner.get(job.id).status == "failed"  # the history of the first try is kept


def test_unknown_dataset_and_job(runner: JobRunner) -> None:
    with pytest.raises(NotFound, match="unknown dataset 'nope'"):
        runner.submit_load("nope", shared_file(COUNTRIES), {})
    assert runner.list() == []
    with pytest.raises(NotFound, match="no job 999"):
        runner.get(999)
    with pytest.raises(NotFound):
        runner.rerun(999)


@pytest.mark.parametrize(
    "url",
    [
        "mysql://econsec:s3cret@db.example/econsec",
        "oracle+oracledb://econsec:s3cret@db.example/econsec",
        "not a url",
    ],
)
def test_make_engine_rejects_unsupported_url(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        make_engine(url)
    assert "s3cret" not in err.value.message
    assert "expected sqlite:/// or postgresql://" in err.value.message


def test_safe_url_hides_password() -> None:
    shown = safe_url("postgresql://econsec:s3cret@db.example:5432/econsec")
    assert "s3cret" not in shown
    assert shown == "postgresql://econsec:***@db.example:5432/econsec"
    assert safe_url("sqlite:////var/lib/econsec/app.db") == "sqlite:////var/lib/econsec/app.db"


def test_missing_service_skips_or_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_SERVICES, raising=False)
    with pytest.raises(pytest.skip.Exception, match="not reachable"):
        service_unavailable("PostgreSQL not reachable at x")
    monkeypatch.setenv(REQUIRE_SERVICES, "1")
    with pytest.raises(pytest.fail.Exception, match="not reachable"):
        service_unavailable("PostgreSQL not reachable at x")


def test_unreachable_postgres_skips_with_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_SERVICES, raising=False)
    server = "postgresql://postgres:s3cret@127.0.0.1:1/test"
    with pytest.raises(pytest.skip.Exception) as skipped, fresh_database(server):
        pass
    reason = str(skipped.value)
    assert reason.startswith(
        "PostgreSQL not reachable at postgresql://postgres:***@127.0.0.1:1/test"
    )
    assert "set ECONSEC_TEST_POSTGRES_URL" in reason
    assert "s3cret" not in reason
