"""Dataset versions in the analytics store: the version table, the staged-table swap and the
dataset views. :class:`~econsec.datasets.catalogue.Catalogue` is the only caller; everything here
runs on its writer connection, inside its transaction where one is needed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from econsec.datasets.base import DatasetSpec

VERSIONS = "_econsec_versions"
STAGE_PREFIX = "_stage_"
#: The columns :func:`version_from_row` reads, in its order.
VERSION_COLUMNS = (
    "dataset, number, table_name, status, source_name, source_path, checksum, options, release, "
    "loaded_at, ended_at, rows_loaded, rows, parts, notes, loader_revision"
)

DDL = f"""
CREATE TABLE IF NOT EXISTS {VERSIONS} (
    dataset VARCHAR NOT NULL,
    number INTEGER NOT NULL,
    table_name VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,
    options VARCHAR NOT NULL,
    release VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    rows_loaded BIGINT NOT NULL,
    rows BIGINT NOT NULL,
    parts VARCHAR NOT NULL,
    notes VARCHAR NOT NULL,
    document VARCHAR,
    loader_revision INTEGER NOT NULL
);
-- stores written before the column existed
ALTER TABLE {VERSIONS} ADD COLUMN IF NOT EXISTS loader_revision INTEGER DEFAULT 1;
"""


@dataclass(frozen=True, slots=True)
class Version:
    """One load of one file into one dataset."""

    dataset: str
    number: int
    table: str
    status: str
    source_name: str
    source_path: str
    checksum: str
    options: dict[str, str]
    release: str | None
    loaded_at: datetime  # UTC, timezone-aware
    ended_at: datetime | None
    rows_loaded: int
    rows: int
    parts: list[dict[str, Any]]
    notes: list[str]
    loader_revision: int

    @property
    def id(self) -> str:
        """Stable id, ``dataset@number``; every row of the dataset view carries it."""
        return f"{self.dataset}@{self.number}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "status": self.status,
            "source_name": self.source_name,
            "source_path": self.source_path,
            "checksum": self.checksum,
            "options": self.options,
            "release": self.release,
            "loaded_at": self.loaded_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "rows_loaded": self.rows_loaded,
            "rows": self.rows,
            "parts": self.parts,
            "notes": self.notes,
        }


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
        [name],
    ).fetchone()
    return bool(row and row[0])


def version_from_row(row: tuple[Any, ...]) -> Version:
    return Version(
        dataset=row[0],
        number=row[1],
        table=row[2],
        status=row[3],
        source_name=row[4],
        source_path=row[5],
        checksum=row[6],
        options=json.loads(row[7]),
        release=row[8],
        loaded_at=row[9].replace(tzinfo=UTC),
        ended_at=None if row[10] is None else row[10].replace(tzinfo=UTC),
        rows_loaded=row[11],
        rows=row[12],
        parts=json.loads(row[13]),
        notes=json.loads(row[14]),
        loader_revision=row[15],
    )


def active(con: duckdb.DuckDBPyConnection, name: str) -> list[Version]:
    if not has_table(con, VERSIONS):
        return []
    cur = con.execute(
        f"SELECT {VERSION_COLUMNS} FROM {VERSIONS} "
        "WHERE dataset = ? AND status = 'active' ORDER BY number",
        [name],
    )
    return [version_from_row(row) for row in cur.fetchall()]


def drop_caches(con: duckdb.DuckDBPyConnection) -> None:
    """Drop derived tables engines keep (``_cache_*``): the data they came from changed."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, '_cache_')"
    ).fetchall()
    for (table,) in rows:
        con.execute(f'DROP TABLE IF EXISTS "{table}"')


def drop_stale_stages(con: duckdb.DuckDBPyConnection) -> None:
    """Drop staging tables left by a load that was killed (one writer: none can be live)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?)", [STAGE_PREFIX]
    ).fetchall()
    for (table,) in rows:
        con.execute(f'DROP TABLE IF EXISTS "{table}"')


def check_schema(con: duckdb.DuckDBPyConnection, table: str, spec: DatasetSpec) -> None:
    got = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
    if got != list(spec.column_names):
        raise AssertionError(f"loader for {spec.name} staged columns {got}, not {spec.columns}")


def swap(
    con: duckdb.DuckDBPyConnection,
    spec: DatasetSpec,
    stage: str,
    path: Path,
    checksum: str,
    options: dict[str, str],
    staged: Any,
) -> tuple[Version, list[str]]:
    rows_row = con.execute(f'SELECT count(*) FROM "{stage}"').fetchone()
    rows = int(rows_row[0]) if rows_row else 0
    parts: list[dict[str, Any]] = []
    cols = ", ".join(f'"{c}"' for c in spec.partition_by)
    if spec.partition_by:
        cur = con.execute(f'SELECT DISTINCT {cols} FROM "{stage}" ORDER BY {cols}')
        parts = [dict(zip(spec.partition_by, r, strict=True)) for r in cur.fetchall()]
    retired: list[str] = []
    con.execute("BEGIN TRANSACTION")
    try:
        max_row = con.execute(
            f"SELECT coalesce(max(number), 0) FROM {VERSIONS} WHERE dataset = ?", [spec.name]
        ).fetchone()
        number = (int(max_row[0]) if max_row else 0) + 1
        table = f"_data_{spec.name}_{number}"
        con.execute(f'ALTER TABLE "{stage}" RENAME TO "{table}"')
        stamp = utc_now()
        for old in active(con, spec.name):
            left = 0
            if spec.partition_by:
                match = " AND ".join(
                    f'"{old.table}"."{c}" IS NOT DISTINCT FROM p."{c}"' for c in spec.partition_by
                )
                con.execute(
                    f'DELETE FROM "{old.table}" USING '
                    f'(SELECT DISTINCT {cols} FROM "{table}") AS p WHERE {match}'
                )
                left_row = con.execute(f'SELECT count(*) FROM "{old.table}"').fetchone()
                left = int(left_row[0]) if left_row else 0
            if left:
                con.execute(
                    f"UPDATE {VERSIONS} SET rows = ? WHERE dataset = ? AND number = ?",
                    [left, spec.name, old.number],
                )
                continue
            con.execute(f'DROP TABLE "{old.table}"')
            con.execute(
                f"UPDATE {VERSIONS} SET status = 'superseded', ended_at = ?, rows = 0 "
                "WHERE dataset = ? AND number = ?",
                [stamp, spec.name, old.number],
            )
            retired.append(old.id)
        con.execute(
            f"INSERT INTO {VERSIONS} VALUES "
            "(?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
            [
                spec.name,
                number,
                table,
                path.name,
                str(path.resolve()),
                checksum,
                json.dumps(options, sort_keys=True),
                staged.release,
                stamp,
                rows,
                rows,
                json.dumps(parts, default=str),
                json.dumps(staged.notes),
                staged.document,
                spec.revision,
            ],
        )
        rebuild_view(con, spec)
        drop_caches(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    version = next(v for v in active(con, spec.name) if v.number == number)
    return version, retired


def rows_view(name: str) -> str:
    """Name of the view of a dataset's stored rows, before its ``view`` hook (see below)."""
    return f"{name}_rows"


def rebuild_view(con: duckdb.DuckDBPyConnection, spec: DatasetSpec) -> None:
    """The dataset view: every active version's rows, each tagged with its version id.

    A dataset with a ``view`` hook also gets ``<name>_rows``, the stored rows as they are
    (for ``baci``: numeric country codes without the ISO join), which analytics that work on
    codes use to skip a join over every row.
    """
    versions = active(con, spec.name)
    selects = []
    for v in versions:
        body = spec.view(v.table) if spec.view else f'SELECT * FROM "{v.table}"'
        selects.append(f"SELECT *, '{v.id}' AS _version FROM ({body})")
    con.execute(f'CREATE OR REPLACE VIEW "{spec.name}" AS ' + " UNION ALL ".join(selects))
    if spec.view:
        raw = [f"SELECT *, '{v.id}' AS _version FROM \"{v.table}\"" for v in versions]
        con.execute(
            f'CREATE OR REPLACE VIEW "{rows_view(spec.name)}" AS ' + " UNION ALL ".join(raw)
        )
