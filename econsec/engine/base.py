"""The engine interface: run one SQL query over catalogue datasets, get an Arrow table.

Analytics are written once, as SQL in the dialect both DuckDB and Spark SQL accept (standard
aggregates and window functions, explicit ``NULLS LAST``, ``NULLIF`` before division), with
``{name}`` placeholders that :func:`render` fills with safely quoted literals. Each backend
fills two hooks: make the named datasets visible as tables, and execute.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pyarrow as pa

from econsec.datasets.catalogue import Catalogue
from econsec.errors import ConfigError
from econsec.settings import Settings

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def literal(value: Any) -> str:
    """A SQL literal both dialects read the same way."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(literal(v) for v in value) + ")" if value else "(NULL)"
    raise TypeError(f"cannot render {type(value).__name__} as SQL")


def render(sql: str, params: Mapping[str, Any] | None = None) -> str:
    """Fill ``{name}`` placeholders with literals; a missing parameter is a KeyError."""
    values = params or {}
    return _PLACEHOLDER.sub(lambda m: literal(values[m.group(1)]), sql)


class Engine(ABC):
    """Runs portable SQL over the datasets of a catalogue (template method: ``query``)."""

    name: ClassVar[str]

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def query(
        self,
        sql: str,
        datasets: Sequence[str],
        params: Mapping[str, Any] | None = None,
        schema: pa.Schema | None = None,
    ) -> pa.Table:
        """Run ``sql`` with ``datasets`` visible under their names; returns an Arrow table.

        With ``schema`` the result is cast to it, so every backend returns the same types
        (Spark and DuckDB pick different decimal precisions and integer widths).
        """
        for name in datasets:
            self.catalogue.relation(name)  # Conflict if a dataset is not loaded
        table = self._execute(render(sql, params), list(datasets))
        if schema is not None:
            table = table.select(schema.names).cast(schema)
        return table

    def materialize(
        self,
        name: str,
        sql: str,
        datasets: Sequence[str],
        params: Mapping[str, Any] | None = None,
    ) -> str:
        """Compute ``sql`` once and keep it; returns what to put in a FROM clause.

        The result is kept until the datasets change (DuckDB: a table in the store; Spark: a
        cached view in the session). Later queries name it in their SQL directly.
        """
        for dataset in datasets:
            self.catalogue.relation(dataset)
        return self._materialize(name, render(sql, params), list(datasets))

    @abstractmethod
    def _execute(self, sql: str, datasets: list[str]) -> pa.Table:
        """Backend hook: make ``datasets`` visible and run ``sql``."""

    @abstractmethod
    def _materialize(self, name: str, sql: str, datasets: list[str]) -> str:
        """Backend hook: keep the result of ``sql``; return a FROM-clause item for it."""

    @abstractmethod
    def top_sum(self, expr: str, n: int) -> str:
        """SQL aggregate: the sum of the ``n`` largest values of ``expr`` in a group."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release backend resources."""


def get_engine(catalogue: Catalogue, settings: Settings) -> Engine:
    """The engine named by ``ECONSEC_ENGINE`` (``duckdb`` or ``spark``)."""
    if settings.engine == "duckdb":
        from econsec.engine.duckdb import DuckDBEngine

        return DuckDBEngine(catalogue)
    if settings.engine == "spark":
        from econsec.engine.spark import SparkEngine

        return SparkEngine(catalogue, settings)
    raise ConfigError(f"unknown engine {settings.engine!r}; expected duckdb or spark")
