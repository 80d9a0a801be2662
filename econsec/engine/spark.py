"""The Spark engine (PySpark, imported lazily): scale-out runs of the same SQL.

Datasets are exported once per set of active versions from the analytics store to Parquet
under ``<home>/spark`` and registered as temporary views, so Spark never reads DuckDB files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa

from econsec.engine.base import Engine
from econsec.errors import MissingDependency
from econsec.settings import Settings

INSTALL_HINT = (
    "the spark engine needs PySpark and Java 17+: pip install 'econsec[spark]' "
    "(or set ECONSEC_ENGINE=duckdb)"
)


def _pyspark() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MissingDependency(INSTALL_HINT) from None
    return SparkSession


class SparkEngine(Engine):
    """Runs queries on a Spark session (``local[*]`` by default)."""

    name = "spark"

    def __init__(self, catalogue: Any, settings: Settings) -> None:
        super().__init__(catalogue)
        self.settings = settings
        self.cache = settings.home / "spark"
        session = _pyspark()
        self.spark = (
            session.builder.master(settings.spark_master)
            .appName("econsec")
            .config("spark.driver.memory", settings.spark_memory)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(max(2, settings.duckdb_threads * 2)))
            .config("spark.sql.warehouse.dir", str(self.cache / "warehouse"))
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def _export(self, name: str) -> Path:
        base = name.removesuffix("_rows") if name.endswith("_rows") else name
        versions = self.catalogue.dataset(base).versions
        tag = hashlib.sha256(
            "|".join(f"{v.id}:{v.checksum}:{v.rows}" for v in versions).encode()
        ).hexdigest()[:16]
        target = self.cache / "datasets" / f"{name}-{tag}.parquet"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            with self.catalogue.store.reader() as con:
                con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{partial}' (FORMAT parquet)")
            partial.rename(target)
        return target

    def _register(self, datasets: list[str]) -> None:
        for name in datasets:
            self.spark.read.parquet(str(self._export(name))).createOrReplaceTempView(name)

    def _execute(self, sql: str, datasets: list[str]) -> pa.Table:
        self._register(datasets)
        return self.spark.sql(sql).toArrow()

    def _materialize(self, name: str, sql: str, datasets: list[str]) -> str:
        self._register(datasets)
        if not self.spark.catalog.tableExists(name):
            frame = self.spark.sql(sql).cache()
            frame.createOrReplaceTempView(name)
        return name

    def top_sum(self, expr: str, n: int) -> str:
        return (
            f"aggregate(slice(sort_array(collect_list({expr}), false), 1, {n}), "
            "CAST(0 AS DOUBLE), (acc, x) -> acc + x)"
        )

    def close(self) -> None:
        """Stop the Spark session."""
        self.spark.stop()
