"""From an export-stop scenario to an IO shock.

:func:`econsec.know.scenarios.export_stop` gives, per importer (ISO3) and HS6 product, the
value the exporter no longer supplies (``lost_value``) and what re-routing cannot replace
(``gap_value``), in thousand USD (BACI). :func:`trade_shock` turns it into an IO shock on a
multi-regional table:

1. HS6 → WIOD industry with :mod:`econsec.know.io.concordance`; importers and the exporter →
   the table's regions (ISO3 codes that are not regions go to ``RoW``; with a one-region table
   every importer is that region's export market and is not modelled further).
2. The chosen value (default ``gap_value``) is summed per (exporter cell i, importer region R),
   converted to the table's units (x ``unit_factor``; 0.001 for thousand → million USD), and
   divided by i's sales to R in the table (intermediate + final):
   ``blocked[i, R]`` = the share of R's purchases from i that stops (capped at 1).
3. :func:`run_trade_shock` runs the **bottleneck** model with those lines blocked (the users in
   R lose the blocked share of their supply line from i once its stock runs out; i loses the
   sales) or the **Leontief** model with i's output cut by its lost sales (Σ_R blocked sales /
   x_i; the demand side only).

Assumptions (also in every result): the trade year's values are applied to the table's year
without deflation; the blocked share applies evenly to every user of the line in R; nothing is
re-routed beyond what the scenario's ``gap_value`` already nets out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa

from econsec.errors import InvalidInput
from econsec.know.io import models
from econsec.know.io.bottleneck import Params, result, simulate
from econsec.know.io.concordance import SOURCE, wiod_sector
from econsec.know.io.result import Cut, ShockResult
from econsec.know.io.table import Floats, IOTable

Progress = Callable[[str, float], None]
REST = "RoW"


@dataclass(frozen=True)
class TradeShock:
    """Blocked sales shares (n x regions), the exporter cells' lost-sales cut, and notes."""

    table: IOTable
    exporter: str
    blocked: Floats
    cut: Cut
    mapped_value: float
    unmapped: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def region_for(table: IOTable, iso3: str) -> str:
    """The table region of an ISO3 code (``RoW`` when the table has no such region)."""
    if iso3 in table.region_list:
        return iso3
    if REST in table.region_list:
        return REST
    raise InvalidInput(
        f"{iso3} is not a region of table {table.name} and the table has no {REST}",
        valid=list(table.region_list),
    )


def trade_shock(
    table: IOTable,
    losses: pa.Table,
    exporter: str,
    *,
    value: str = "gap_value",
    unit_factor: float = 0.001,
) -> TradeShock:
    """The IO shock of an export-stop scenario's LOSSES table (see the module docstring)."""
    for column in ("importer", "product", value):
        if column not in losses.column_names:
            raise InvalidInput(f"losses table lacks column {column!r}", got=losses.column_names)
    origin = region_for(table, exporter)
    sums: dict[tuple[int, str], float] = defaultdict(float)
    unmapped: set[str] = set()
    mapped = 0.0
    for row in losses.select(["importer", "product", value]).to_pylist():
        amount = float(row[value] or 0.0) * unit_factor
        if amount <= 0:
            continue
        try:
            sector = wiod_sector(str(row["product"]))
        except InvalidInput:
            unmapped.add(str(row["product"]))
            continue
        if sector not in table.sector_list:
            unmapped.add(str(row["product"]))
            continue
        dest = region_for(table, str(row["importer"]))
        if dest == origin:
            continue  # an importer inside the exporter's region (e.g. RoW to RoW)
        sums[(table.index(origin, sector), dest)] += amount
        mapped += amount
    blocked = np.zeros((table.n, len(table.region_list)))
    region_pos = {r: k for k, r in enumerate(table.region_list)}
    lost_sales = np.zeros(table.n)
    for (i, dest), amount in sums.items():
        users = table.region_of == region_pos[dest]
        finals = np.array([r == dest for r in table.final_regions], dtype=bool)
        sales = table.Zd[i, users].sum() + np.maximum(table.Y[i, finals], 0.0).sum()
        share = min(1.0, amount / sales) if sales > 0 else 0.0
        blocked[i, region_pos[dest]] = share
        lost_sales[i] += share * sales
    cells = np.flatnonzero(lost_sales > 0)
    frac = np.minimum(1.0, lost_sales[cells] / np.where(table.x[cells] > 0, table.x[cells], 1.0))
    keep = frac > 0
    spec = tuple(
        (table.regions[i], table.sectors[i], float(f))
        for i, f in zip(cells[keep], frac[keep], strict=True)
    )
    notes = (
        f"Trade link: {exporter}'s lost exports ({value}) mapped HS → WIOD with the {SOURCE}; "
        f"importers outside the table's regions counted as {REST}.",
        f"Trade values x {unit_factor:g} to table units ({table.units}); the trade year's "
        "values are applied to the table's year without deflation.",
        "Each importer region loses the blocked share of its purchases from the exporter cell, "
        "spread evenly over its users and final demand; nothing else is re-routed.",
    )
    return TradeShock(
        table,
        exporter,
        blocked,
        Cut(cells[keep], frac[keep], spec),
        mapped,
        tuple(sorted(unmapped)),
        notes,
    )


def run_trade_shock(
    shock: TradeShock,
    model: str = "bottleneck",
    *,
    progress: Progress | None = None,
    **params: Any,
) -> ShockResult:
    """Run ``bottleneck`` (lines blocked) or ``leontief`` (exporter cells' output cut by their
    lost sales) on a :class:`TradeShock`; the result lists the trade assumptions too."""
    table = shock.table
    if len(shock.cut.index) == 0:
        raise InvalidInput("the scenario's losses map to no cell of the table")
    extra = {"trade_value_mapped": shock.mapped_value, "unmapped_products": list(shock.unmapped)}
    if model == "leontief":
        out = models.leontief(table, shock.cut, **params)
        return replace(out, assumptions=(*out.assumptions, *shock.notes), extra=extra)
    if model != "bottleneck":
        raise InvalidInput(f"trade shocks run on leontief or bottleneck, not {model!r}")
    chosen = Params.of(**params)
    daily = simulate(table, np.zeros(table.n), chosen, blocked=shock.blocked, progress=progress)
    out = result("bottleneck", table, shock.cut, daily, chosen, *shock.notes)
    return replace(out, extra=extra)
