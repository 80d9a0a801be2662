"""The DuckDB engine: queries run in the analytics store itself (dataset views are tables).

Derived tables that many queries reuse (world export totals per product and exporter, say) are
kept in the store as ``_cache_*`` tables, named after the active versions they were computed
from; the catalogue drops them all whenever a dataset changes.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa

from econsec.engine.base import Engine
from econsec.errors import StoreBusy

CACHE_PREFIX = "_cache_"


class DuckDBEngine(Engine):
    """Default engine: a read-only connection to the analytics store per query."""

    name = "duckdb"

    def _execute(self, sql: str, datasets: list[str]) -> pa.Table:
        with self.catalogue.store.reader() as con:
            return con.sql(sql).to_arrow_table()

    def _materialize(self, name: str, sql: str, datasets: list[str]) -> str:
        versions = "|".join(
            v.id for d in datasets for v in self.catalogue.dataset(_base(d)).versions
        )
        tag = hashlib.sha256(f"{versions}\n{sql}".encode()).hexdigest()[:16]
        table = f"{CACHE_PREFIX}{name}_{tag}"
        with self.catalogue.store.reader() as con:
            found = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
            ).fetchone()
        if found and found[0]:
            return table
        try:
            with self.catalogue.store.writer() as con:
                con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" AS {sql}')
        except StoreBusy:
            return f"({sql})"  # someone else is writing: compute inline this time
        return table

    def top_sum(self, expr: str, n: int) -> str:
        return f"list_sum(max({expr}, {n}))"


def _base(dataset: str) -> str:
    return dataset.removesuffix("_rows") if dataset.endswith("_rows") else dataset
