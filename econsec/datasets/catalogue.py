"""The dataset catalogue: which datasets exist, which versions are loaded, and loading them.

Each dataset is a view over the tables of its active versions. A load validates the whole file
into a staging table, then in one DuckDB transaction renames it into place, retires what it
replaces and records the version (checksum, source file, loaded-at time, rows). A failed or
interrupted load therefore leaves the previous version untouched, and loading a file that is
already active changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import pyarrow as pa

from econsec.datasets.base import DatasetSpec, Progress, StageContext
from econsec.errors import Conflict, DataError, EconsecError, NotFound
from econsec.store.analytics import AnalyticsStore

T = TypeVar("T")
VERSIONS = "_econsec_versions"
_STAGE_PREFIX = "_stage_"
#: The columns :func:`_version` reads, in its order.
_VERSION_COLUMNS = (
    "dataset, number, table_name, status, source_name, source_path, checksum, options, release, "
    "loaded_at, ended_at, rows_loaded, rows, parts, notes, loader_revision"
)

_DDL = f"""
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


@dataclass(frozen=True, slots=True)
class DatasetStatus:
    """A dataset as the catalogue sees it now."""

    spec: DatasetSpec
    versions: list[Version] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        """Whether any version is active."""
        return bool(self.versions)

    @property
    def rows(self) -> int:
        """Rows in the dataset view now."""
        return sum(v.rows for v in self.versions)

    @property
    def release(self) -> str | None:
        """Publisher's version/date label(s) of the active versions."""
        labels = sorted({v.release for v in self.versions if v.release})
        return ", ".join(labels) or None

    @property
    def loaded_at(self) -> datetime | None:
        """When the newest active version was loaded."""
        return max((v.loaded_at for v in self.versions), default=None)

    def to_dict(self) -> dict[str, Any]:
        """The summary row of ``econsec data list`` and ``GET /datasets``."""
        spec = self.spec
        return {
            "name": spec.name,
            "area": spec.area,
            "title": spec.title,
            "format": ", ".join(spec.formats),
            "publisher": spec.publisher,
            "licence": spec.licence,
            "version": self.release,
            "loaded": self.loaded,
            "loaded_at": None if self.loaded_at is None else self.loaded_at.isoformat(),
            "rows": self.rows,
        }


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load did."""

    version: Version
    changed: bool
    retired: list[str]
    seconds: float


def file_checksum(path: Path, progress: Progress | None = None) -> str:
    """SHA-256 of a file, read in 8 MiB blocks."""
    digest = hashlib.sha256()
    size = max(path.stat().st_size, 1)
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(8 << 20):
            digest.update(block)
            done += len(block)
            if progress is not None:
                progress("checksum", done / size)
    return digest.hexdigest()


class Catalogue:
    """Known datasets and their loaded versions in one analytics store."""

    def __init__(self, store: AnalyticsStore, specs: Mapping[str, DatasetSpec] | None = None):
        if specs is None:
            from econsec.datasets.registry import REGISTRY

            specs = REGISTRY
        self.store = store
        self.specs = dict(specs)
        self._cache: tuple[tuple[int, ...], dict[str, list[Version]]] | None = None
        self._memo: dict[str, tuple[tuple[int, ...], object]] = {}

    # --- reading ------------------------------------------------------------------------

    def spec(self, name: str) -> DatasetSpec:
        """The dataset called ``name``; NotFound lists the known names."""
        try:
            return self.specs[name]
        except KeyError:
            known = ", ".join(sorted(self.specs))
            raise NotFound(f"unknown dataset {name!r}; known datasets: {known}") from None

    def status(self) -> list[DatasetStatus]:
        """Every known dataset with its active versions, in registry order."""
        active = self._active_versions()
        return [DatasetStatus(spec, active.get(name, [])) for name, spec in self.specs.items()]

    def dataset(self, name: str) -> DatasetStatus:
        """One dataset with its active versions."""
        spec = self.spec(name)
        return DatasetStatus(spec, self._active_versions().get(name, []))

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept until the store's files change (for small lookups that
        analytics read many times, such as the country keys)."""
        generation = self.store.generation()
        hit = self._memo.get(key)
        if hit is not None and hit[0] == generation:
            return cast(T, hit[1])
        value = compute()
        self._memo[key] = (generation, value)
        return value

    def _active_versions(self) -> dict[str, list[Version]]:
        """Active versions by dataset, read again only when the store's files have changed
        (analytics ask for them many times per query; each read opens the store)."""
        generation = self.store.generation()
        cached = self._cache
        if cached is not None and cached[0] == generation:
            return cached[1]
        active: dict[str, list[Version]] = {}
        for version in self._versions(None, history=False):
            active.setdefault(version.dataset, []).append(version)
        self._cache = (generation, active)
        return active

    def history(self, name: str) -> list[Version]:
        """Every version of ``name`` ever loaded, newest first."""
        self.spec(name)
        return sorted(self._versions(name, history=True), key=lambda v: -v.number)

    def sample(self, name: str, limit: int = 5) -> pa.Table:
        """The first ``limit`` rows of the dataset view."""
        relation = self.relation(name)
        with self.store.reader() as con:
            return con.sql(f'SELECT * FROM "{relation}" LIMIT {int(limit)}').to_arrow_table()

    def document(self, name: str) -> Any:
        """The validated source document of a document-shaped dataset (policy YAML files)."""
        self.relation(name)
        with self.store.reader() as con:
            row = con.execute(
                f"SELECT document FROM {VERSIONS} WHERE dataset = ? AND status = 'active' "
                "AND document IS NOT NULL ORDER BY number DESC LIMIT 1",
                [name],
            ).fetchone()
        if row is None:
            raise NotFound(f"dataset {name!r} keeps no source document")
        return json.loads(row[0])

    def relation(self, name: str) -> str:
        """Name of the view to query for ``name``; Conflict if it is not loaded.

        ``<dataset>_rows`` names the stored rows of a dataset whose view transforms them.
        """
        if name.endswith("_rows") and name.removesuffix("_rows") in self.specs:
            base = name.removesuffix("_rows")
            if self.specs[base].view is None:
                raise NotFound(f"dataset {base!r} has no separate stored-rows view")
            self.relation(base)
            return name
        status = self.dataset(name)
        if not status.loaded:
            raise Conflict(
                f"dataset {name!r} is not loaded; load it with `econsec data load {name} FILE`"
            )
        return name

    def _versions(self, name: str | None, *, history: bool) -> list[Version]:
        where = ["1=1"]
        params: list[Any] = []
        if name is not None:
            where.append("dataset = ?")
            params.append(name)
        if not history:
            where.append("status = 'active'")
        with self.store.reader() as con:
            if not _has_table(con, VERSIONS):
                return []
            cur = con.execute(
                f"SELECT {_VERSION_COLUMNS} FROM {VERSIONS} WHERE {' AND '.join(where)} "
                "ORDER BY dataset, number",
                params,
            )
            return [_version(row) for row in cur.fetchall()]

    # --- writing ------------------------------------------------------------------------

    def load(
        self,
        name: str,
        path: Path | str,
        options: Mapping[str, str] | None = None,
        progress: Progress | None = None,
    ) -> LoadResult:
        """Validate ``path`` completely, then make it the active version of ``name``."""
        started = time.perf_counter()
        spec = self.spec(name)
        path = Path(path)
        opts = {k: str(v) for k, v in (options or {}).items()}
        allowed = {o.name for o in spec.options}
        unknown = sorted(set(opts) - allowed)
        if unknown:
            raise DataError(
                f"unknown option(s) {', '.join(unknown)} for dataset {name!r}",
                expected=", ".join(sorted(allowed)) or "no options",
            )
        if not path.is_file():
            raise DataError("file not found" if not path.exists() else "not a file", path=path)
        checksum = file_checksum(path, progress)
        with self.store.writer() as con:
            con.execute(_DDL)
            _drop_stale_stages(con)
            for required in spec.requires:
                if not _active(con, required):
                    raise Conflict(
                        f"dataset {name!r} needs {required!r} loaded first: "
                        f"econsec data load {required} FILE"
                    )
            for version in _active(con, name):
                same = (version.checksum, version.options) == (checksum, opts)
                if same and version.loader_revision == spec.revision:
                    return LoadResult(version, False, [], time.perf_counter() - started)
            stage = f"{_STAGE_PREFIX}{name}_{uuid.uuid4().hex[:8]}"
            ctx = StageContext(con, path, stage, opts, _resolver(con), progress)
            try:
                staged = spec.stage(ctx)
                _check_schema(con, stage, spec)
            except EconsecError:
                con.execute(f'DROP TABLE IF EXISTS "{stage}"')
                raise
            except duckdb.Error as exc:
                con.execute(f'DROP TABLE IF EXISTS "{stage}"')
                raise DataError(f"cannot read file: {_first_line(exc)}", path=path) from exc
            ctx.report("swap", 0.0)
            version, retired = _swap(con, spec, stage, path, checksum, opts, staged)
            self._cache = None
            ctx.report("swap", 1.0)
        return LoadResult(version, True, retired, time.perf_counter() - started)

    def remove(self, name: str) -> int:
        """Drop every active version of ``name`` (history is kept); returns how many."""
        self.spec(name)
        with self.store.writer() as con:
            con.execute(_DDL)
            versions = _active(con, name)
            users = [
                s.name for s in self.specs.values() if name in s.requires and _active(con, s.name)
            ]
            if versions and users:
                raise Conflict(
                    f"{', '.join(users)} needs {name!r}; remove {', '.join(users)} first"
                )
            con.execute("BEGIN TRANSACTION")
            try:
                for v in versions:
                    con.execute(f'DROP TABLE IF EXISTS "{v.table}"')
                con.execute(
                    f"UPDATE {VERSIONS} SET status = 'removed', ended_at = ? "
                    "WHERE dataset = ? AND status = 'active'",
                    [_now(), name],
                )
                con.execute(f'DROP VIEW IF EXISTS "{name}"')
                con.execute(f'DROP VIEW IF EXISTS "{rows_view(name)}"')
                _drop_caches(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._cache = None
        return len(versions)


# --- helpers (writer side) --------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
        [name],
    ).fetchone()
    return bool(row and row[0])


def _version(row: tuple[Any, ...]) -> Version:
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


def _active(con: duckdb.DuckDBPyConnection, name: str) -> list[Version]:
    if not _has_table(con, VERSIONS):
        return []
    cur = con.execute(
        f"SELECT {_VERSION_COLUMNS} FROM {VERSIONS} "
        "WHERE dataset = ? AND status = 'active' ORDER BY number",
        [name],
    )
    return [_version(row) for row in cur.fetchall()]


def _resolver(con: duckdb.DuckDBPyConnection) -> Any:
    def resolve(name: str) -> str:
        if not _active(con, name):
            raise Conflict(f"dataset {name!r} must be loaded first: econsec data load {name} FILE")
        return name

    return resolve


def _drop_caches(con: duckdb.DuckDBPyConnection) -> None:
    """Drop derived tables engines keep (``_cache_*``): the data they came from changed."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, '_cache_')"
    ).fetchall()
    for (table,) in rows:
        con.execute(f'DROP TABLE IF EXISTS "{table}"')


def _drop_stale_stages(con: duckdb.DuckDBPyConnection) -> None:
    """Drop staging tables left by a load that was killed (one writer: none can be live)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?)", [_STAGE_PREFIX]
    ).fetchall()
    for (table,) in rows:
        con.execute(f'DROP TABLE IF EXISTS "{table}"')


def _check_schema(con: duckdb.DuckDBPyConnection, table: str, spec: DatasetSpec) -> None:
    got = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
    if got != list(spec.column_names):
        raise AssertionError(f"loader for {spec.name} staged columns {got}, not {spec.columns}")


def _swap(
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
        now = _now()
        for old in _active(con, spec.name):
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
                [now, spec.name, old.number],
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
                now,
                rows,
                rows,
                json.dumps(parts, default=str),
                json.dumps(staged.notes),
                staged.document,
                spec.revision,
            ],
        )
        _rebuild_view(con, spec)
        _drop_caches(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    version = next(v for v in _active(con, spec.name) if v.number == number)
    return version, retired


def rows_view(name: str) -> str:
    """Name of the view of a dataset's stored rows, before its ``view`` hook (see below)."""
    return f"{name}_rows"


def _rebuild_view(con: duckdb.DuckDBPyConnection, spec: DatasetSpec) -> None:
    """The dataset view: every active version's rows, each tagged with its version id.

    A dataset with a ``view`` hook also gets ``<name>_rows``, the stored rows as they are
    (for ``baci``: numeric country codes without the ISO join), which analytics that work on
    codes use to skip a join over every row.
    """
    versions = _active(con, spec.name)
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
