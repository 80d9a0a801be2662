"""The stored input-output tables: load a file under a name, list, read, delete and shock them.

The service behind ``econsec know io``, ``/know/io`` and the IO page. A table read back is
cached per process by the time it was saved, together with its Leontief factorisation, so the
second shock on a table costs only the model itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from econsec.datasets import io_tables
from econsec.errors import DataError, InvalidInput
from econsec.know.io import IOTable, ShockResult, run_trade_shock, shock, trade_shock
from econsec.store.analytics import AnalyticsStore
from econsec.store.models import ModelStore, StoredModel, check_name

LOADERS = ("wiod", "japan", "csv")
_cache: dict[tuple[str, str], tuple[object, IOTable]] = {}
_cache_lock = threading.Lock()


def read_table(loader: str, path: Path) -> IOTable:
    """Read ``path`` with ``loader``: ``wiod`` (the WIOD 2013-release folder with
    ``Z_YYYY.csv.gz``, ``Y_YYYY.csv.gz``, ``x_YYYY.csv``), ``japan`` (the MIC 13-sector
    ``_wider`` CSV, English or Japanese labels) or ``csv`` (the long form of
    :mod:`econsec.know.io.arrow`)."""
    path = Path(path)
    if loader not in LOADERS:
        raise InvalidInput(f"unknown IO table loader {loader!r}", expected=", ".join(LOADERS))
    if not path.exists():
        raise DataError("no such file or folder", path=path)
    if loader == "wiod":
        return io_tables.read_wiod(path)
    if loader == "japan":
        return io_tables.read_japan_io(path)
    return io_tables.read_io_csv(path)


def summary(table: IOTable, loader: str, path: Path | str) -> dict[str, Any]:
    """What a listing shows of a table."""
    return {
        "rows": table.n,
        "regions": len(table.region_list),
        "sectors": len(table.sector_list),
        "final_columns": len(table.final_labels),
        "year": table.year,
        "units": table.units,
        "total_output": float(table.x.sum()),
        "total_value_added": float(table.v.sum()),
        "loader": loader,
        "path": str(path),
        "source": table.source,
    }


class IOTables:
    """Named input-output tables in the analytics store."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.models = ModelStore(store, "io", ("cells",))

    def load(self, loader: str, path: Path, name: str) -> IOTable:
        """Read a table and store it as ``name`` (replacing a table of that name)."""
        check_name(name)
        table = read_table(loader, path).with_changes(name=name)
        self.models.save(name, summary(table, loader, path), {"cells": table.to_arrow()})
        return table

    def list(self) -> list[StoredModel]:
        """Every stored table's summary."""
        return self.models.list()

    def describe(self, name: str) -> dict[str, Any]:
        """A table's summary as stored."""
        return self.models.describe(name).to_dict()

    def get(self, name: str) -> IOTable:
        """The stored table ``name`` (:class:`~econsec.errors.NotFound` if none)."""
        described = self.models.describe(name)
        key = (str(self.models.store.path.resolve()), name)
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] == described.saved_at:
            return hit[1]
        model, parts = self.models.read(name)
        table = IOTable.from_arrow(parts["cells"])
        with _cache_lock:
            _cache[key] = (model.saved_at, table)
        return table

    def delete(self, name: str) -> None:
        """Remove table ``name``."""
        self.models.delete(name)
        with _cache_lock:
            _cache.pop((str(self.models.store.path.resolve()), name), None)

    def shock(
        self,
        name: str,
        extract: Sequence[str],
        model: str,
        *,
        progress: Callable[[str, float], None] | None = None,
        **params: Any,
    ) -> ShockResult:
        """Run ``model`` on table ``name`` with the ``REGION:SECTOR[:FRACTION]`` cells cut."""
        if not extract:
            raise InvalidInput("name at least one cell to cut: REGION:SECTOR[:FRACTION]")
        if progress is not None:
            params["progress"] = progress
        return shock(self.get(name), list(extract), model, **params)

    def trade_shock(
        self,
        name: str,
        losses: pa.Table,
        exporter: str,
        model: str = "bottleneck",
        *,
        value: str = "gap_value",
        progress: Callable[[str, float], None] | None = None,
        **params: Any,
    ) -> ShockResult:
        """An export-stop scenario's losses (``econsec.know.scenarios.export_stop``, thousand
        USD) as an IO shock on table ``name``: the lines from the exporter's sectors to the
        importers' regions are cut by the value re-routing cannot replace (``gap_value``)."""
        if model not in ("bottleneck", "leontief"):
            raise InvalidInput("a trade shock runs the bottleneck or leontief model", got=model)
        prepared = trade_shock(self.get(name), losses, exporter, value=value)
        return run_trade_shock(prepared, model, progress=progress, **params)
