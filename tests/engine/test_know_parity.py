"""The Know analytics give the same answers on Spark (local mode) as on DuckDB, on real data."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pyarrow as pa
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.engine.base import Engine
from econsec.engine.duckdb import DuckDBEngine
from econsec.know import chokepoints
from econsec.know.dependencies import dependencies
from econsec.know.groups import BUILTIN
from econsec.know.indicators import indicators
from econsec.know.scenarios import export_stop
from econsec.settings import Settings
from tests.conftest import shared_file
from tests.datasets.test_catalogue import CRITICAL
from tests.engine.test_parity import _spark_available

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine]]:
    _spark_available()
    from econsec.engine.spark import SparkEngine
    from econsec.store.analytics import AnalyticsStore

    home = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, duckdb_threads=2)
    catalogue = Catalogue(AnalyticsStore.from_settings(settings))
    catalogue.load("baci_countries", shared_file("trade/baci_country_codes_V202301.csv"))
    catalogue.load("baci", shared_file(CRITICAL))
    spark = SparkEngine(catalogue, settings)
    try:
        yield DuckDBEngine(catalogue), spark
    finally:
        spark.close()


def same(a: pa.Table, b: pa.Table, keys: list[str]) -> None:
    """Equal up to floating-point summation order (1e-9 relative)."""
    assert a.schema == b.schema
    left, right = (
        a.sort_by([(k, "ascending") for k in keys]),
        b.sort_by([(k, "ascending") for k in keys]),
    )
    assert left.num_rows == right.num_rows > 0
    for x, y in zip(left.to_pylist(), right.to_pylist(), strict=True):
        for column, value in x.items():
            other = y[column]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), column
            else:
                assert value == other, (column, value, other)


def test_indicators(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    entities = {"JPN": ("JPN",), "EU27": BUILTIN["EU27"].members}
    same(
        indicators(duck, years=[2024], importers=entities, concern=["CHN"]),
        indicators(spark, years=[2024], importers=entities, concern=["CHN"]),
        ["importer", "product"],
    )
    same(indicators(duck, years=[2024]), indicators(spark, years=[2024]), ["importer", "product"])


def test_methods_chokepoints_and_scenario(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    for method in ("eu2021", "geodep"):
        a = dependencies(duck, year=2024, importers=["EU27"], method=method)
        b = dependencies(spark, year=2024, importers=["EU27"], method=method)
        same(
            a.drop_columns(["tests", "flags"]),
            b.drop_columns(["tests", "flags"]),
            ["importer", "product"],
        )
        assert (
            a.sort_by("product")["flags"].to_pylist() == b.sort_by("product")["flags"].to_pylist()
        )
    same(
        chokepoints.concentration(duck, year=2024),
        chokepoints.concentration(spark, year=2024),
        ["product"],
    )
    same(
        chokepoints.critical_exporters(duck, year=2024),
        chokepoints.critical_exporters(spark, year=2024),
        ["product", "exporter"],
    )
    a = export_stop(duck, exporter="CHN", products=["850511", "810194"], year=2024)
    b = export_stop(spark, exporter="CHN", products=["850511", "810194"], year=2024)
    same(a.losses, b.losses, ["importer", "product"])
    same(a.alternatives, b.alternatives, ["product", "supplier"])
