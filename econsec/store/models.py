"""Named Know models (supply networks, input-output tables) kept in the analytics store.

A model is a few Arrow tables ("parts") plus a JSON description. Each part lives in one DuckDB
table per kind and part (``know_network_nodes``, ``know_io_cells``...) with a ``model`` column
naming the model and a ``_seq`` column keeping the row order. Saving replaces a model's rows
and its description in one transaction, so a failed save leaves the previous version whole.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import duckdb
import numpy as np
import pyarrow as pa

from econsec.errors import InvalidInput, NotFound
from econsec.store.analytics import AnalyticsStore

T = TypeVar("T")
#: Models read back, per (store file, kind, name), with the time they were saved.
_cache: dict[tuple[str, str, str], tuple[datetime, Any]] = {}
_cache_lock = threading.Lock()
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_META = """CREATE TABLE IF NOT EXISTS know_models (
    kind VARCHAR NOT NULL, name VARCHAR NOT NULL, meta JSON NOT NULL,
    saved_at TIMESTAMP NOT NULL, PRIMARY KEY (kind, name))"""


@dataclass(frozen=True, slots=True)
class StoredModel:
    """A model's description as listed."""

    kind: str
    name: str
    meta: dict[str, Any]
    saved_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind,
            "name": self.name,
            "saved_at": self.saved_at.isoformat(),
            **self.meta,
        }


def _now() -> datetime:
    """UTC now without a zone (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


def check_name(name: str) -> str:
    """A model name: letters, digits, ``_``, ``.``, ``-``; up to 64 characters."""
    if not _NAME.match(name):
        raise InvalidInput(
            f"invalid name {name!r}: use letters, digits, '_', '.' or '-' (up to 64 characters)"
        )
    return name


class ModelStore:
    """Save, list, read and delete named models of one ``kind`` (``network``, ``io``)."""

    def __init__(self, store: AnalyticsStore, kind: str, parts: tuple[str, ...]) -> None:
        self.store = store
        self.kind = kind
        self.parts = parts

    def _table(self, part: str) -> str:
        return f"know_{self.kind}_{part}"

    def _key(self, name: str) -> tuple[str, str, str]:
        return (str(self.store.path.resolve()), self.kind, name)

    def save(self, name: str, meta: Mapping[str, Any], parts: Mapping[str, pa.Table]) -> None:
        """Store ``parts`` under ``name``, replacing any earlier model of that name."""
        check_name(name)
        if set(parts) != set(self.parts):
            raise ValueError(f"expected parts {self.parts}, got {sorted(parts)}")
        with self.store.writer() as con:
            con.execute(_META)
            con.begin()
            try:
                for part in self.parts:
                    table = parts[part]
                    incoming = table.append_column(
                        "_seq", pa.array(np.arange(table.num_rows, dtype=np.int64))
                    )
                    con.register("incoming", incoming)
                    target = self._table(part)
                    con.execute(
                        f"CREATE TABLE IF NOT EXISTS {target} AS "
                        "SELECT CAST(NULL AS VARCHAR) AS model, * FROM incoming LIMIT 0"
                    )
                    con.execute(f"DELETE FROM {target} WHERE model = ?", [name])
                    con.execute(
                        f"INSERT INTO {target} BY NAME SELECT ? AS model, * FROM incoming", [name]
                    )
                    con.unregister("incoming")
                con.execute(
                    "INSERT OR REPLACE INTO know_models VALUES (?, ?, ?, ?)",
                    [self.kind, name, json.dumps(dict(meta)), _now()],
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise

    def list(self) -> list[StoredModel]:
        """The stored models of this kind, by name."""
        with self.store.reader() as con:
            try:
                rows = con.execute(
                    "SELECT name, meta, saved_at FROM know_models WHERE kind = ? ORDER BY name",
                    [self.kind],
                ).fetchall()
            except duckdb.CatalogException:
                return []
        return [StoredModel(self.kind, n, json.loads(m), s) for n, m, s in rows]

    def describe(self, name: str) -> StoredModel:
        """One model's description, or :class:`NotFound` listing what exists."""
        stored = self.list()
        for model in stored:
            if model.name == name:
                return model
        names = ", ".join(m.name for m in stored) or "none yet"
        raise NotFound(f"no {self.kind} named {name!r} (stored: {names})", name=name)

    def read(self, name: str) -> tuple[StoredModel, dict[str, pa.Table]]:
        """The model's description and parts, in the order they were saved."""
        return self.describe(name), self._parts(name)

    def _parts(self, name: str) -> dict[str, pa.Table]:
        with self.store.reader() as con:
            return {
                part: con.sql(
                    f"SELECT * EXCLUDE (model, _seq) FROM {self._table(part)} "
                    "WHERE model = ? ORDER BY _seq",
                    params=[name],
                ).to_arrow_table()
                for part in self.parts
            }

    def cached(self, name: str, build: Callable[[StoredModel, dict[str, pa.Table]], T]) -> T:
        """``build(description, parts)`` of model ``name``, kept per process until the model
        is saved again (:class:`NotFound` if there is none)."""
        described = self.describe(name)
        key = self._key(name)
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] == described.saved_at:
            return hit[1]  # type: ignore[no-any-return]
        value = build(described, self._parts(name))
        with _cache_lock:
            _cache[key] = (described.saved_at, value)
        return value

    def delete(self, name: str) -> None:
        """Remove a model (:class:`NotFound` if there is none)."""
        self.describe(name)
        with _cache_lock:
            _cache.pop(self._key(name), None)
        with self.store.writer() as con:
            con.begin()
            try:
                for part in self.parts:
                    con.execute(f"DELETE FROM {self._table(part)} WHERE model = ?", [name])
                con.execute(
                    "DELETE FROM know_models WHERE kind = ? AND name = ?", [self.kind, name]
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise
