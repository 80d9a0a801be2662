"""The engine interface: one query (world export shares) on DuckDB and on Spark, same answer."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from econsec.datasets.catalogue import Catalogue
from econsec.engine.base import literal, render
from econsec.engine.duckdb import DuckDBEngine
from econsec.errors import Conflict
from econsec.know.trade import EXPORT_SHARES_SCHEMA, world_export_shares
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore
from tests.conftest import shared_file
from tests.datasets.test_catalogue import CRITICAL


@pytest.fixture
def trade(countries: Catalogue) -> Catalogue:
    """Three real BACI extracts: HS17 2024, HS12 2018 (with unknown codes kept), HS92 2021."""
    countries.load("baci", shared_file(CRITICAL))
    countries.load(
        "baci", shared_file("trade/baci_hs12_2018_shrimp_subset.parquet"), {"keep_unknown": "true"}
    )
    countries.load("baci", shared_file("trade/baci_hs92_2021_exports_zaf_afg.parquet"))
    return countries


def _product(table: pa.Table, hs6: str) -> list[dict[str, object]]:
    return table.filter(pc.equal(table["hs6"], hs6)).to_pylist()


def test_world_export_shares_on_real_flows(trade: Catalogue) -> None:
    table = world_export_shares(DuckDBEngine(trade), year=2024)
    assert table.schema == EXPORT_SHARES_SCHEMA
    magnets = _product(table, "850511")  # rare-earth permanent magnets
    assert [r["exporter"] for r in magnets[:2]] == ["CHN", "JPN"]
    assert magnets[0]["rank"] == 1 and magnets[0]["exporters"] == 145
    assert round(float(magnets[0]["share"]), 3) == 0.627  # type: ignore[arg-type]
    assert magnets[0]["world_kusd"] == Decimal("4962889.102")
    # Shares of every product add up to one; values add up to the world total exactly.
    sums = table.group_by(["year", "hs_edition", "hs6"]).aggregate(
        [("share", "sum"), ("value_kusd", "sum"), ("world_kusd", "max")]
    )
    assert pc.all(pc.less(pc.abs(pc.subtract(sums["share_sum"], 1.0)), 1e-9)).as_py()
    assert sums["value_kusd_sum"].to_pylist() == sums["world_kusd_max"].to_pylist()


def test_filters_and_missing_dataset(trade: Catalogue, tmp_path: Path) -> None:
    engine = DuckDBEngine(trade)
    editions = set(world_export_shares(engine, hs_edition="HS12")["hs_edition"].to_pylist())
    assert editions == {"HS12"}
    empty = Catalogue(AnalyticsStore(tmp_path / "empty.duckdb"))
    with pytest.raises(Conflict, match="not loaded"):
        world_export_shares(DuckDBEngine(empty))


@given(st.one_of(st.none(), st.integers(-(10**12), 10**12), st.text(max_size=20), st.booleans()))
def test_literals_round_trip_through_duckdb(value: object) -> None:
    import duckdb

    got = duckdb.connect().execute(render("SELECT {v}", {"v": value})).fetchone()
    assert got == (value,)
    assert literal(value) is not None


def _spark_available() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "PySpark is not installed (pip install 'econsec[spark]')"
    else:
        if shutil.which("java"):
            return
        reason = "Java is not installed (the spark engine needs Java 17+)"
    if os.environ.get("ECONSEC_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_give_identical_results(trade: Catalogue, settings: Settings) -> None:
    _spark_available()
    from econsec.engine.spark import SparkEngine

    duck = world_export_shares(DuckDBEngine(trade))
    spark = SparkEngine(trade, settings)
    try:
        theirs = world_export_shares(spark)
        only_2024 = world_export_shares(spark, year=2024, hs_edition="HS17")
    finally:
        spark.close()
    assert duck.num_rows == theirs.num_rows > 8_000
    assert duck.schema == theirs.schema == EXPORT_SHARES_SCHEMA
    assert duck.equals(theirs)  # same rows, same order, same values, bit for bit
    assert only_2024.equals(world_export_shares(DuckDBEngine(trade), year=2024, hs_edition="HS17"))
