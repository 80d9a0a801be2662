"""The DuckDB engine: queries run in the analytics store itself (dataset views are tables)."""

from __future__ import annotations

import pyarrow as pa

from econsec.engine.base import Engine


class DuckDBEngine(Engine):
    """Default engine: a read-only connection to the analytics store per query."""

    name = "duckdb"

    def _execute(self, sql: str, datasets: list[str]) -> pa.Table:
        with self.catalogue.store.reader() as con:
            return con.sql(sql).to_arrow_table()
