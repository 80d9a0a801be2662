"""The stored input-output tables: load a file under a name, list, read, delete and shock them.

The service behind ``econsec know io``, ``/know/io`` and the IO page. A table read back is
cached per process by the time it was saved, together with its Leontief factorisation, so the
second shock on a table costs only the model itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from econsec.datasets import io_tables
from econsec.errors import DataError, InvalidInput
from econsec.know.io import IOTable, ShockResult, run_trade_shock, shock, trade_shock
from econsec.store.analytics import AnalyticsStore
from econsec.store.models import ModelStore, StoredModel, check_name

LOADERS = ("wiod", "japan", "csv")


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
        return self.models.cached(name, lambda _model, parts: IOTable.from_arrow(parts["cells"]))

    def delete(self, name: str) -> None:
        """Remove table ``name``."""
        self.models.delete(name)

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


def stockpile_cover(
    result: ShockResult, holder: str, stock_days: float, *, horizon_days: int | None = None
) -> dict[str, Any]:
    """Days of cover of a stockpile of the cut product held by region ``holder``.

    The stockpile is ``stock_days`` of the holder's normal daily use of the cut cells' output
    (its industries' intermediate use plus its final use, from the table). Each day the holder
    needs its industries' use scaled by their output that day as the shock ``result`` leaves it
    (the dynamic models' daily path; a static model's average over its period), plus its final
    use; the cut cells still deliver their remaining output share of the normal deliveries.
    The stockpile covers the difference until it runs out (:func:`stock_cover`)."""
    from econsec.know.stockpile import stock_cover

    table = result.table
    if holder not in table.region_list:
        raise InvalidInput(f"unknown region {holder!r}", valid=list(table.region_list))
    if not 0 <= stock_days <= 3650:
        raise InvalidInput(f"stock_days must be between 0 and 3650, got {stock_days}")
    cut = np.asarray(result.cut.index)
    users = np.flatnonzero(np.asarray(table.regions) == holder)
    finals = np.flatnonzero(np.asarray(table.final_regions) == holder)
    to_users, to_finals = table.Z[np.ix_(cut, users)], table.Y[np.ix_(cut, finals)]
    per_user = to_users.sum(axis=0) / 365.0  # units/day, normal
    final_use = float(to_finals.sum()) / 365.0
    normal_use = float(per_user.sum()) + final_use
    if normal_use <= 0:
        raise InvalidInput(f"{holder} uses none of the cut cells' output in the table")
    if result.daily is not None:
        path = result.daily
    else:  # a static model: its average output over the period, every day
        days = max(round(result.period_days), 1)
        level = np.divide(
            result.output_after,
            table.x * result.period_days / 365.0,
            out=np.ones(table.n),
            where=table.x > 0,
        )
        path = np.tile(level, (days, 1))
    if horizon_days is not None:
        path = (
            path[:horizon_days]
            if path.shape[0] >= horizon_days
            else np.vstack([path, np.tile(path[-1], (horizon_days - path.shape[0], 1))])
        )
    consumption = path[:, users] @ per_user + final_use
    delivered = to_users.sum(axis=1) + to_finals.sum(axis=1)
    weights = delivered / max(float(delivered.sum()), 1e-300)
    supply = (path[:, cut] @ weights) * normal_use
    cover = stock_cover(stock_days * normal_use, consumption, supply)
    doc = cover.to_dict()
    return {
        "holder": holder,
        "stock_days": stock_days,
        "normal_use_per_day": normal_use,
        "units": f"{table.units} per day",
        "days_of_cover": doc["days_of_cover"],
        "runs_out": doc["runs_out"],
        "first_shortfall_day": doc["first_shortfall_day"],
        "horizon_days": doc["horizon_days"],
        "total_shortfall": doc["total_shortfall"],
        "consumption_share": (consumption / normal_use).tolist(),
        "supply_share": (supply / normal_use).tolist(),
        "stock_share": (np.asarray(doc["stock"]) / normal_use).tolist(),
        "assumptions": [
            f"The stockpile is {stock_days:g} days of {holder}'s normal use of the cut cells' "
            "output (intermediate use by its industries plus its final use, from the table).",
            "Each day, the industries' use follows their output in the shock's path (a static "
            "model's average over its period); final use stays normal; the cut cells still "
            "deliver their remaining output share; the stockpile covers the rest.",
        ],
    }
