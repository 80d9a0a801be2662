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
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import pyarrow as pa

from econsec.datasets.base import DatasetSpec, Progress, StageContext
from econsec.datasets.versions import (
    DDL,
    STAGE_PREFIX,
    VERSION_COLUMNS,
    VERSIONS,
    Version,
    active,
    check_schema,
    drop_caches,
    drop_stale_stages,
    has_table,
    rows_view,
    swap,
    utc_now,
    version_from_row,
)
from econsec.errors import Conflict, DataError, EconsecError, NotFound
from econsec.store.analytics import AnalyticsStore

T = TypeVar("T")


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
            if not has_table(con, VERSIONS):
                return []
            cur = con.execute(
                f"SELECT {VERSION_COLUMNS} FROM {VERSIONS} WHERE {' AND '.join(where)} "
                "ORDER BY dataset, number",
                params,
            )
            return [version_from_row(row) for row in cur.fetchall()]

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
            con.execute(DDL)
            drop_stale_stages(con)
            for required in spec.requires:
                if not active(con, required):
                    raise Conflict(
                        f"dataset {name!r} needs {required!r} loaded first: "
                        f"econsec data load {required} FILE"
                    )
            for version in active(con, name):
                same = (version.checksum, version.options) == (checksum, opts)
                if same and version.loader_revision == spec.revision:
                    return LoadResult(version, False, [], time.perf_counter() - started)
            stage = f"{STAGE_PREFIX}{name}_{uuid.uuid4().hex[:8]}"
            ctx = StageContext(con, path, stage, opts, _resolver(con), progress)
            try:
                staged = spec.stage(ctx)
                check_schema(con, stage, spec)
            except EconsecError:
                con.execute(f'DROP TABLE IF EXISTS "{stage}"')
                raise
            except duckdb.Error as exc:
                con.execute(f'DROP TABLE IF EXISTS "{stage}"')
                raise DataError(f"cannot read file: {_first_line(exc)}", path=path) from exc
            ctx.report("swap", 0.0)
            version, retired = swap(con, spec, stage, path, checksum, opts, staged)
            self._cache = None
            ctx.report("swap", 1.0)
        return LoadResult(version, True, retired, time.perf_counter() - started)

    def remove(self, name: str) -> int:
        """Drop every active version of ``name`` (history is kept); returns how many."""
        self.spec(name)
        with self.store.writer() as con:
            con.execute(DDL)
            versions = active(con, name)
            users = [
                s.name for s in self.specs.values() if name in s.requires and active(con, s.name)
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
                    [utc_now(), name],
                )
                con.execute(f'DROP VIEW IF EXISTS "{name}"')
                con.execute(f'DROP VIEW IF EXISTS "{rows_view(name)}"')
                drop_caches(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._cache = None
        return len(versions)


# --- helpers (writer side) --------------------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _resolver(con: duckdb.DuckDBPyConnection) -> Any:
    def resolve(name: str) -> str:
        if not active(con, name):
            raise Conflict(f"dataset {name!r} must be loaded first: econsec data load {name} FILE")
        return name

    return resolve
