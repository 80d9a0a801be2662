"""What a shock removes (:class:`Cut`) and what it costs (:class:`ShockResult`).

Losses are in the table's units (WIOD: million USD) summed over the modelled period
(``period_days``); every share divides by the table's *annual* output or value added, so a
30-day disruption reads as its loss over those 30 days against one year. Value added moves with
output at fixed value-added coefficients (v_i / x_i). The "direct" loss is the loss in the
extracted cells themselves; the rest is the knock-on ("indirect") loss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from econsec.errors import InvalidInput
from econsec.know.io.table import Floats, Ints, IOTable

WILDCARD = "*"
TOP = 20

ROWS_SCHEMA = pa.schema(
    [
        ("region", pa.string()),
        ("sector", pa.string()),
        ("name", pa.string()),
        ("extracted", pa.bool_()),
        ("fraction_cut", pa.float64()),
        ("output", pa.float64()),
        ("output_loss", pa.float64()),
        ("output_loss_share", pa.float64()),
        ("value_added", pa.float64()),
        ("value_added_loss", pa.float64()),
    ]
)


@dataclass(frozen=True)
class Cut:
    """The (region, sector) cells a shock hits and the fraction of output each loses (0..1]."""

    index: Ints
    fraction: Floats
    spec: tuple[tuple[str, str, float], ...]

    def full(self, n: int) -> Floats:
        """The fraction cut for every row (0 outside the cut)."""
        out = np.zeros(n)
        out[self.index] = self.fraction
        return out


def parse_extract(spec: str) -> tuple[str, str, float]:
    """``REGION:SECTOR[:FRACTION]`` (the CLI's ``--extract``) → (region, sector, fraction).

    ``*`` is a wildcard for region or sector; FRACTION is a share of output in (0, 1] (default 1)
    or a percentage with ``%`` ("30%").
    """
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise InvalidInput(
            f"invalid extract {spec!r}", expected="REGION:SECTOR or REGION:SECTOR:FRACTION"
        )
    fraction = 1.0
    if len(parts) == 3:
        text = parts[2].strip()
        try:
            fraction = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise InvalidInput(
                f"invalid fraction {text!r} in extract {spec!r}", expected="a number in (0, 1]"
            ) from None
    return parts[0].strip(), parts[1].strip(), fraction


def resolve_cut(table: IOTable, extract: Sequence[str | Sequence[Any]] | Cut) -> Cut:
    """The cells named by ``extract``: items are "REG:SEC[:F]" strings or (region, sector[, f])
    tuples with ``*`` wildcards; a cell named twice keeps the larger fraction."""
    if isinstance(extract, Cut):
        return extract
    if isinstance(extract, str):
        extract = [extract]
    if not extract:
        raise InvalidInput("nothing to extract", expected="one or more REGION:SECTOR items")
    chosen: dict[int, float] = {}
    spec: list[tuple[str, str, float]] = []
    for item in extract:
        region, sector, fraction = (
            parse_extract(item)
            if isinstance(item, str)
            else (str(item[0]), str(item[1]), float(item[2]) if len(item) > 2 else 1.0)
        )
        if not 0 < fraction <= 1:
            raise InvalidInput(
                f"fraction {fraction} for {region}:{sector} is out of range",
                expected="a share of output in (0, 1]",
            )
        rows = _rows(table, region, sector)
        for i in rows:
            chosen[i] = max(chosen.get(i, 0.0), fraction)
        spec.append((region, sector, fraction))
    index = np.array(sorted(chosen), dtype=np.int64)
    return Cut(index, np.array([chosen[i] for i in index]), tuple(spec))


def _rows(table: IOTable, region: str, sector: str) -> list[int]:
    if region != WILDCARD and region not in table.region_list:
        raise InvalidInput(
            f"unknown region {region!r} in table {table.name}; valid: "
            + ", ".join(table.region_list),
            valid=list(table.region_list),
        )
    if sector != WILDCARD and sector not in table.sector_list:
        raise InvalidInput(
            f"unknown sector {sector!r} in table {table.name}; valid: "
            + ", ".join(table.sector_list),
            valid=[f"{s} ({table.sector_names.get(s, s)})" for s in table.sector_list],
        )
    rows = [
        i
        for i, (r, s) in enumerate(zip(table.regions, table.sectors, strict=True))
        if region in (WILDCARD, r) and sector in (WILDCARD, s)
    ]
    if not rows:
        raise InvalidInput(f"{region}:{sector} matches no row of table {table.name}")
    return rows


@dataclass(frozen=True, eq=False)
class ShockResult:
    """Per-(region, sector) losses of one model run, with the aggregates the CLI prints.

    ``output_loss`` and ``value_added_loss`` (n) are summed over ``period_days``; ``output``
    and ``value_added`` (n) are the table's annual values. ``daily`` (days x n, dynamic models
    only) is each row's output per day as a fraction of normal.
    """

    model: str
    table: IOTable
    cut: Cut
    output_loss: Floats
    period_days: float
    params: Mapping[str, Any]
    assumptions: tuple[str, ...]
    daily: Floats | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> Floats:
        """Annual gross output of each row (table units)."""
        return self.table.x

    @property
    def output_after(self) -> Floats:
        """Output over the period with the shock: x·period/365 - loss."""
        return self.table.x * self.period_days / 365.0 - self.output_loss

    @property
    def value_added_loss(self) -> Floats:
        """Value-added loss at fixed value-added coefficients."""
        return self.table.va_coef * self.output_loss

    @property
    def extracted(self) -> npt.NDArray[np.bool_]:
        """True for the rows the cut hits."""
        mask = np.zeros(self.table.n, dtype=bool)
        mask[self.cut.index] = True
        return mask

    @property
    def world_output_loss_share(self) -> float:
        """Total output loss / total annual output."""
        return _share(float(self.output_loss.sum()), float(self.table.x.sum()))

    @property
    def world_value_added_loss_share(self) -> float:
        """Total value-added loss / total annual value added."""
        return _share(float(self.value_added_loss.sum()), float(self.table.v.sum()))

    def region_loss(self, regions: Sequence[str]) -> tuple[float, float]:
        """(output-loss share, value-added-loss share) of a group of regions' annual totals."""
        mask = np.isin(np.array(self.table.regions), list(regions))
        return (
            _share(float(self.output_loss[mask].sum()), float(self.table.x[mask].sum())),
            _share(float(self.value_added_loss[mask].sum()), float(self.table.v[mask].sum())),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (contract for the CLI; see the module docstring for units)."""
        t, loss, va_loss, ext = self.table, self.output_loss, self.value_added_loss, self.extracted
        by_region: list[dict[str, Any]] = []
        for k, region in enumerate(t.region_list):
            mask = t.region_of == k
            output, lost = float(t.x[mask].sum()), float(loss[mask].sum())
            va, va_lost = float(t.v[mask].sum()), float(va_loss[mask].sum())
            by_region.append(
                {
                    "region": region,
                    "output": output,
                    "output_loss": lost,
                    "output_loss_share": _share(lost, output),
                    "direct_output_loss": float(loss[mask & ext].sum()),
                    "value_added": va,
                    "value_added_loss": va_lost,
                    "value_added_loss_share": _share(va_lost, va),
                }
            )
        by_region.sort(key=lambda r: -r["output_loss"])
        by_sector: list[dict[str, Any]] = []
        for k, sector in enumerate(t.sector_list):
            mask = t.sector_of == k
            output, lost = float(t.x[mask].sum()), float(loss[mask].sum())
            by_sector.append(
                {
                    "sector": sector,
                    "name": t.sector_names.get(sector, sector),
                    "output": output,
                    "output_loss": lost,
                    "output_loss_share": _share(lost, output),
                }
            )
        by_sector.sort(key=lambda r: -r["output_loss"])
        top = np.argsort(-loss, kind="stable")[:TOP]
        out: dict[str, Any] = {
            "model": self.model,
            "table": t.name,
            "units": t.units,
            "extract": [{"region": r, "sector": s, "fraction": f} for r, s, f in self.cut.spec],
            "cells_extracted": len(self.cut.index),
            "period_days": self.period_days,
            "params": dict(self.params),
            "world_output": float(t.x.sum()),
            "world_output_loss": float(loss.sum()),
            "world_output_loss_share": self.world_output_loss_share,
            "world_value_added_loss": float(va_loss.sum()),
            "world_value_added_loss_share": self.world_value_added_loss_share,
            "direct_output_loss": float(loss[ext].sum()),
            "indirect_output_loss": float(loss[~ext].sum()),
            "losses_by_region": by_region,
            "losses_by_sector": by_sector,
            "top_losses": [
                {
                    "region": t.regions[i],
                    "sector": t.sectors[i],
                    "name": t.sector_names.get(t.sectors[i], t.sectors[i]),
                    "extracted": bool(ext[i]),
                    "output": float(t.x[i]),
                    "output_loss": float(loss[i]),
                    "output_loss_share": _share(float(loss[i]), float(t.x[i])),
                }
                for i in top
            ],
            "assumptions": list(self.assumptions),
        }
        if self.daily is not None:
            normal = t.x / 365.0
            out["daily_world_output_share"] = [
                float(d) for d in (self.daily @ normal) / max(float(normal.sum()), 1e-300)
            ]
        out.update(self.extra)
        return out

    def to_arrow(self) -> pa.Table:
        """One row per (region, sector): :data:`ROWS_SCHEMA` (for CSV/Parquet output)."""
        t = self.table
        return pa.table(
            {
                "region": pa.array(t.regions),
                "sector": pa.array(t.sectors),
                "name": pa.array([t.sector_names.get(s, s) for s in t.sectors]),
                "extracted": pa.array(self.extracted),
                "fraction_cut": pa.array(self.cut.full(t.n)),
                "output": pa.array(t.x),
                "output_loss": pa.array(self.output_loss),
                "output_loss_share": pa.array(_shares(self.output_loss, t.x)),
                "value_added": pa.array(t.v),
                "value_added_loss": pa.array(self.value_added_loss),
            },
            schema=ROWS_SCHEMA,
        )


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _shares(part: Floats, whole: Floats) -> Floats:
    out = np.zeros_like(part)
    np.divide(part, whole, out=out, where=whole != 0)
    return out
