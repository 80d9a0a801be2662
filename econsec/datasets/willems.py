"""Willems (2008) chains in the GSM-ready form, as guaranteed-service problems.

:func:`read_gsm_stages` reads ``willems_NN.csv`` (snc's ``meio/willems_dataset/data``): one
stage per line,

    stage_id, lead_time, max_s_time, cost_rate, risk_pool,
    ext_demand_mean, ext_demand_std, ext_demand_thres, up_stages...

where ``up_stages`` is a variable-length list of ``upstream_stage, quantity`` pairs. Units:
days, $ per unit (``cost_rate`` is the cost *added* at the stage), units per day;
``ext_demand_thres`` is the safety factor *z*; an empty ``risk_pool`` means 2. Stochastic lead
times are already reduced to their mean in this form, so lead times may be fractional.

:func:`read_reported_costs` and :func:`read_reference_levels` read the reference results kept
beside the chains (``reported_optimal_cost.txt``, ``optimal_inventory_levels.csv``).

Every reader raises :class:`~econsec.errors.DataError` naming the file, line and field of the
first problem.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from econsec.datasets.supply import GSM_HEADER, gsm_stage, gsm_upstream, number
from econsec.errors import DataError, InvalidInput
from econsec.know.stockpile.problem import GSMProblem

Rounding = Literal["none", "floor", "round"]


@dataclass(frozen=True, slots=True)
class ReferenceLevel:
    """A row of ``optimal_inventory_levels.csv``: total safety stock and total stock (units)
    of a chain's optimum under stochastic, mean or maximum lead times."""

    chain: int
    lead_time: str
    safety_stock: float
    total_stock: float


def read_gsm_stages(
    path: Path | str,
    *,
    lead_time_rounding: Rounding = "none",
    holding_rate: float = 1.0,
    name: str | None = None,
) -> GSMProblem:
    """A chain's stages and arcs as a :class:`GSMProblem`.

    ``lead_time_rounding`` makes lead times whole days: ``"floor"`` truncates them as snc's
    reader does (``int(float(x))``), ``"round"`` takes the nearest day; ``"none"`` keeps them.
    """
    path = Path(path)
    if lead_time_rounding not in ("none", "floor", "round"):
        raise InvalidInput(f"lead_time_rounding {lead_time_rounding!r}; expected none/floor/round")
    ids: list[str] = []
    seen: dict[str, int] = {}
    columns: dict[str, list[float]] = {field: [] for field in GSM_HEADER[1:8]}
    arcs: list[tuple[str, str, float, int]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header[:9]) != GSM_HEADER:
                raise DataError(
                    "unexpected header",
                    path=path,
                    line=1,
                    expected=",".join(GSM_HEADER),
                    got=",".join(header or []),
                )
            for cells in reader:
                line = reader.line_num
                while cells and not cells[-1].strip() and len(cells) > 8:
                    cells = cells[:-1]  # trailing commas
                if not any(c.strip() for c in cells):
                    continue
                stage = _stage_row(cells, path, line, columns)
                if stage in seen:
                    raise DataError(
                        f"stage {stage!r} already defined on line {seen[stage]}",
                        path=path,
                        line=line,
                        field="stage_id",
                    )
                seen[stage] = line
                ids.append(stage)
                for upstream, quantity in gsm_upstream(cells, path, line, positive=True):
                    arcs.append((upstream, stage, quantity, line))
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", path=path) from None
    except csv.Error as exc:
        raise DataError(f"not a CSV file: {exc}", path=path) from None
    if not ids:
        raise DataError("no stages", path=path, line=2)
    for upstream, stage, _, line in arcs:
        if upstream not in seen:
            raise DataError(
                f"stage {stage!r} lists upstream {upstream!r}, which has no row",
                path=path,
                line=line,
                field="up_stages",
            )
    lead = np.asarray(columns["lead_time"])
    if lead_time_rounding == "floor":
        lead = np.floor(lead)
    elif lead_time_rounding == "round":
        lead = np.floor(lead + 0.5)
    mean = np.asarray(columns["ext_demand_mean"])
    try:
        return GSMProblem.build(
            ids,
            lead,
            columns["cost_rate"],
            [a[0] for a in arcs],
            [a[1] for a in arcs],
            [a[2] for a in arcs],
            demand_mean=mean,
            demand_std=columns["ext_demand_std"],
            max_service_time=columns["max_s_time"],
            z=np.where(np.isnan(mean), 0.0, columns["ext_demand_thres"]),
            risk_pool=columns["risk_pool"],
            holding_rate=holding_rate,
            name=name or path.stem,
        )
    except InvalidInput as exc:
        raise DataError(exc.message, path=path) from None


def _stage_row(cells: list[str], path: Path, line: int, columns: dict[str, list[float]]) -> str:
    """Append one stage's numbers to ``columns`` (NaN where empty) and return its id."""
    stage = gsm_stage(cells, path, line)
    values = {f: number(cells[i], path, line, f) for i, f in enumerate(GSM_HEADER[1:8], start=1)}
    if math.isnan(values["lead_time"]):
        raise DataError("a value is required", path=path, line=line, field="lead_time")
    if math.isnan(values["cost_rate"]):
        raise DataError("a value is required", path=path, line=line, field="cost_rate")
    if not math.isnan(values["risk_pool"]) and values["risk_pool"] < 1:
        raise DataError(
            "risk pooling exponent below 1", path=path, line=line, field="risk_pool", got=cells[4]
        )
    if not math.isnan(values["ext_demand_mean"]):
        for field in ("ext_demand_std", "ext_demand_thres"):
            if math.isnan(values[field]):
                raise DataError(
                    "required for a stage with external demand", path=path, line=line, field=field
                )
    for field, value in values.items():
        columns[field].append(value)
    return stage


def read_reported_costs(path: Path | str) -> dict[int, float]:
    """``reported_optimal_cost.txt``: one cost per line, chain 1 first ($)."""
    path = Path(path)
    costs: dict[int, float] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror}", path=path) from None
    for line, text in enumerate(lines, start=1):
        if text.strip():
            costs[len(costs) + 1] = number(text, path, line, "cost", required=True)
    return costs


def read_reference_levels(path: Path | str) -> list[ReferenceLevel]:
    """``optimal_inventory_levels.csv``: ``SupplyChain, LT, SafetyStock, TotalStock``."""
    path = Path(path)
    expected = ["SupplyChain", "LT", "SafetyStock", "TotalStock"]
    out: list[ReferenceLevel] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            if [h.strip() for h in next(reader, [])] != expected:
                raise DataError("unexpected header", path=path, line=1, expected=",".join(expected))
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                line = reader.line_num
                if len(cells) != 4:
                    raise DataError(
                        "expected 4 fields", path=path, line=line, got=f"{len(cells)} fields"
                    )
                chain = cells[0].strip()
                if not chain.isdigit():
                    raise DataError(
                        "not a chain number", path=path, line=line, field="SupplyChain", got=chain
                    )
                kind = cells[1].strip()
                if kind not in ("stochastic", "mean", "max"):
                    raise DataError(
                        "unknown lead-time basis",
                        path=path,
                        line=line,
                        field="LT",
                        got=kind,
                        expected="stochastic, mean or max",
                    )
                out.append(
                    ReferenceLevel(
                        int(chain),
                        kind,
                        number(cells[2], path, line, "SafetyStock", required=True),
                        number(cells[3], path, line, "TotalStock", required=True),
                    )
                )
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror}", path=path) from None
    return out
