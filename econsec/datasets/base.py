"""What a dataset is: its description, output schema and the loader that stages a file.

A loader (a :data:`StageFn`) reads one source file, validates all of it, and creates a staging
table in the analytics store; it never touches the live tables. The catalogue then swaps the
staged table in atomically. Loaders raise :class:`~econsec.errors.DataError` naming the file,
line and field of the first problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

#: Progress callback: (stage name, fraction done in 0..1).
Progress = Callable[[str, float], None]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a dataset's table, with its DuckDB type and meaning (units included)."""

    name: str
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class Option:
    """A loader option a user may pass (``--option name=value`` on the command line)."""

    name: str
    description: str


@dataclass(slots=True)
class StageContext:
    """Everything a loader gets: the writer connection, the file, and where to stage it."""

    con: duckdb.DuckDBPyConnection
    path: Path
    table: str
    options: Mapping[str, str]
    resolve: Callable[[str], str]
    progress: Progress | None = None

    def report(self, stage: str, fraction: float) -> None:
        """Report progress of ``stage`` (0..1) if anybody listens."""
        if self.progress is not None:
            self.progress(stage, fraction)

    def flag(self, name: str) -> bool:
        """A boolean option (``true``/``yes``/``1``)."""
        return self.options.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(slots=True)
class Staged:
    """What a loader tells the catalogue about the table it staged."""

    release: str | None = None
    notes: list[str] = field(default_factory=list)
    document: str | None = None


StageFn = Callable[[StageContext], Staged]


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """A dataset econsec knows: where it comes from, its licence, its table and its loader.

    ``partition_by`` names columns whose values split the dataset into parts that loads replace
    independently (one BACI file replaces its own HS edition and years, not the others).
    ``view`` turns one version table into the SELECT the dataset view shows (default: all of
    its columns). ``revision`` counts changes to the loader's output: a file loaded by an older
    revision is loaded again rather than reported unchanged.
    """

    name: str
    area: str
    title: str
    publisher: str
    licence: str
    formats: tuple[str, ...]
    columns: tuple[Column, ...]
    stage: StageFn
    key: tuple[str, ...] = ()
    partition_by: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    view: Callable[[str], str] | None = None
    revision: int = 1
    options: tuple[Option, ...] = ()
    source_url: str = ""
    cadence: str = ""
    description: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of the output columns, in order."""
        return tuple(c.name for c in self.columns)

    def select_list(self) -> str:
        """``CAST(col AS type) AS col, ...`` for the output schema, quoted for DuckDB."""
        return ", ".join(f'CAST("{c.name}" AS {c.type}) AS "{c.name}"' for c in self.columns)
