"""The DuckDB engine: queries run in the analytics store itself (dataset views are tables).

Derived tables that many queries reuse (world export totals per product and exporter, say) are
kept in the store as ``_cache_*`` tables, named after the active versions they were computed
from; the catalogue drops them all whenever a dataset changes.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa

from econsec.datasets.catalogue import Catalogue
from econsec.engine.base import Engine
from econsec.errors import StoreBusy

CACHE_PREFIX = "_cache_"


class DuckDBEngine(Engine):
    """Default engine: a read-only connection to the analytics store per query."""

    name = "duckdb"

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__(catalogue)
        self._known: tuple[tuple[int, ...], set[str]] = ((), set())

    def _execute(self, sql: str, datasets: list[str]) -> pa.Table:
        with self.catalogue.store.reader() as con:
            return con.sql(sql).to_arrow_table()

    def _materialize(self, name: str, sql: str, datasets: list[str]) -> str:
        versions = "|".join(
            v.id for d in datasets for v in self.catalogue.dataset(_base(d)).versions
        )
        tag = hashlib.sha256(f"{versions}\n{sql}".encode()).hexdigest()[:16]
        table = f"{CACHE_PREFIX}{name}_{tag}"
        generation = self.catalogue.store.generation()
        if self._known[0] != generation:
            with self.catalogue.store.reader() as con:
                rows = con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?)",
                    [CACHE_PREFIX],
                ).fetchall()
            self._known = (generation, {r[0] for r in rows})
        if table in self._known[1]:
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
