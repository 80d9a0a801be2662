"""Bottleneck model: critical inputs with inventories limit output, day by day.

A daily simulation in the spirit of ARIO (Hallegatte 2008), Inoue & Todo (2019) and Pichler et
al. (2022, "critical inputs"), on the table's domestic flows Zd. Quantities are per day;
"normal" is the table's annual flow / 365; r_j(t) is j's output as a fraction of normal.

* **Supply lines.** Each (supplying cell i, user j) flow is a line. For a *critical* product s
  of j (below) every line of s to j holds a stock S_ij in days of that line's normal delivery:
  one day in the pipeline plus ``inventory_days`` n of safety stock, 1 + n at the start. Lines
  from different regions are not substitutes: a line that delivers nothing is used up after
  n days and no other supplier fills the gap (no re-sourcing, no extra orders elsewhere).
* **Production.** r_j = min(cap_j, D_j / x̄_j, min_{s critical} Σ_{i in s} w_ij min(1, S_ij)),
  w_ij the line's share of j's normal use of s: the part of j's output that needs an empty
  line stops, the rest goes on (linear across the lines of a product, Leontief across
  products). Non-critical inputs never limit output. A line is drawn by min(S_ij, r_j) a day.
* **Demand and rationing.** Orders are yesterday's output times the normal flow (r_j zd_ij),
  plus the refill orders of critical lines, (1 + n - S_ij)⁺ / τ days. A short supplier serves
  current-use orders first, then final demand (unchanged, yd), then refills, each tier in
  proportion to orders (industries before households, one of the schemes Pichler et al.
  discuss; with strictly proportional rationing and fixed final demand a lasting shortfall can
  spiral down to zero output).
* **Capacity.** 1 - f for the cut cells while the cut lasts, recovering linearly over
  ``recovery_days``; 1 for everyone else. After that every sector may produce up to
  1 + ``surge`` of normal to refill stocks (ARIO's overproduction); before, nobody can.

**Critical inputs.** IHS Markit's critical/important ratings used by Pichler et al. are not
available to us: product s is critical for j when it is a physical input (the table's
``goods``: WIOD c1-c17, agriculture to utilities; every sector when the table names none) and
its domestic input coefficient Σ_i zd_(i in s),j / x_j is at least ``threshold`` (default
0.01). Services never stop production.

A hard cut reaches the cut cells' direct customers after about n days and then costs them the
cut line's share of their output, which propagates further downstream only where it exceeds
what their customers' final demand can absorb; the cut cells' suppliers lose their orders at
once (the Leontief, demand-side loss). The loss is Σ_t (1 - r_j(t)) x̄_j over the horizon
(days above normal, when refilling stocks after the cut, offset it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from econsec.errors import InvalidInput
from econsec.know.io.result import Cut, ShockResult
from econsec.know.io.table import Floats, IOTable

Progress = Callable[[str, float], None]


def critical_mask(
    table: IOTable, threshold: float, critical_sectors: Collection[str] | None = None
) -> tuple[Floats, np.ndarray]:
    """(zs, crit): daily domestic use of product s by j (n_products x n) and whether it is
    critical (see the module docstring)."""
    nsec = len(table.sector_list)
    zs = np.zeros((nsec, table.n))
    np.add.at(zs, table.sector_of, table.Zd / 365.0)
    chosen = set(critical_sectors) if critical_sectors is not None else set(table.goods)
    if not chosen:
        chosen = set(table.sector_list)
    unknown = chosen - set(table.sector_list)
    if unknown:
        raise InvalidInput(
            f"unknown critical sector(s) {sorted(unknown)}", valid=list(table.sector_list)
        )
    product_ok = np.array([s in chosen for s in table.sector_list])
    coef = np.zeros_like(zs)
    xn = table.x / 365.0
    np.divide(zs, xn[None, :], out=coef, where=xn[None, :] > 0)
    crit = product_ok[:, None] & (coef >= threshold) & (zs > 0)
    return zs, crit


def _capacity(t: int, cut: Floats, duration: float, recovery: float, surge: float) -> Floats:
    """Capacity as a fraction of normal on day t: 1 - f during the cut, then recovering
    linearly over ``recovery`` days; 1 + surge for everyone once the recovery is over."""
    if t < duration:
        return 1.0 - cut
    ramp = max(0.0, 1.0 - (t - duration + 1) / recovery) if recovery else 0.0
    if ramp > 0:
        return np.where(cut > 0, 1.0 - cut * ramp, 1.0)
    return np.full(cut.shape, 1.0 + surge)


def _fill(available: Floats, ordered: Floats) -> Floats:
    """Share of ``ordered`` that ``available`` covers (1 where nothing is ordered)."""
    out = np.ones_like(ordered)
    np.divide(np.maximum(available, 0.0), ordered, out=out, where=ordered > 1e-12)
    return np.minimum(out, 1.0)


@dataclass(frozen=True, slots=True)
class Params:
    """Bottleneck parameters (days are calendar days; see the module docstring)."""

    inventory_days: float = 30.0
    duration_days: float = 365.0
    horizon_days: int | None = None
    recovery_days: float = 0.0
    tau: float = 10.0
    surge: float = 0.25
    threshold: float = 0.01
    critical_sectors: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if (
            self.inventory_days < 0
            or self.duration_days < 1
            or self.tau < 1
            or self.surge < 0
            or self.recovery_days < 0
            or not 0 <= self.threshold <= 1
        ):
            raise InvalidInput(
                "invalid bottleneck parameters",
                expected="inventory_days ≥ 0, duration_days ≥ 1, tau ≥ 1, surge ≥ 0, "
                "recovery_days ≥ 0, 0 ≤ threshold ≤ 1",
            )

    @classmethod
    def of(cls, **values: Any) -> Params:
        """Parameters from loose values (numbers as text or ints, "c1,c2" for sectors)."""
        sectors = values.pop("critical_sectors", None)
        if isinstance(sectors, str):  # "c1,c2,..." from a command line
            sectors = [c.strip() for c in sectors.split(",") if c.strip()]
        unknown = set(values) - {f for f in cls.__dataclass_fields__ if f != "critical_sectors"}
        if unknown:
            raise InvalidInput(f"unknown bottleneck parameter(s) {sorted(unknown)}")
        horizon = values.pop("horizon_days", None)
        return cls(
            **{k: float(v) for k, v in values.items()},
            horizon_days=int(horizon) if horizon else None,
            critical_sectors=tuple(sectors) if sectors is not None else None,
        )

    @property
    def horizon(self) -> int:
        """Days simulated: ``horizon_days`` or duration + recovery + 90."""
        return int(self.horizon_days or round(self.duration_days + self.recovery_days + 90))

    def as_dict(self, table: IOTable) -> dict[str, Any]:
        """The parameters as reported, with the critical products actually used."""
        chosen = self.critical_sectors if self.critical_sectors is not None else table.goods
        return {
            "inventory_days": float(self.inventory_days),
            "duration_days": float(self.duration_days),
            "horizon_days": self.horizon,
            "recovery_days": float(self.recovery_days),
            "tau": float(self.tau),
            "surge": float(self.surge),
            "threshold": float(self.threshold),
            "critical_sectors": list(chosen or table.sector_list),
        }

    def assumptions(self) -> tuple[str, ...]:
        """Every modelling assumption in words."""
        target = 1 + self.inventory_days
        return (
            "Bottleneck (critical inputs, daily steps): output is limited by capacity, demand "
            "and the supply lines of every critical input product (Leontief across products).",
            f"Inventories: each supply line of a critical input holds {target:g} days of its "
            f"normal deliveries at the start (1 day in the pipeline + {self.inventory_days:g} "
            f"days of safety stock); gaps are reordered at 1/{self.tau:g} per day.",
            "Critical inputs: physical inputs (goods and utilities) whose domestic input "
            f"coefficient is at least {self.threshold:g} of the user's output; services never "
            "stop production. (Pichler et al.'s IHS critical-input ratings are not available.)",
            "Supply lines from different regions are not substitutes: when a line runs dry the "
            "part of the user's output that needs it stops; nobody re-sources or produces above "
            "normal while the cut lasts, so lost supply is not replaced.",
            "Short suppliers serve current-use orders of industries first, then final demand, "
            "then refill orders, each in proportion; final demand is otherwise unchanged.",
            f"After the cut, capacity recovers over {self.recovery_days:g} days; then sectors may "
            f"produce up to {1 + self.surge:.0%} of normal to refill stocks (ARIO).",
            f"Losses are summed over {self.horizon} days; fixed value-added coefficients.",
        )


def simulate(
    table: IOTable,
    cut_frac: Floats,
    params: Params,
    *,
    blocked: Floats | None = None,
    progress: Progress | None = None,
) -> Floats:
    """Daily output fractions r (horizon x n) with capacity cut ``cut_frac`` (n) and, while the
    cut lasts, the share ``blocked`` (n x regions) of each row's sales to each region blocked
    (deliveries on those lines and the demand they carry are lost; used by the trade link)."""
    n_rows, target, duration = table.n, 1.0 + float(params.inventory_days), params.duration_days
    zs, crit = critical_mask(table, params.threshold, params.critical_sectors)
    z_day = table.Zd / 365.0
    xn, yd = table.x / 365.0, table.yd / 365.0
    live = xn > 0
    final = np.maximum(yd, 0.0)
    drawdown = np.maximum(-yd, 0.0)  # negative final use (stock drawdown) adds to supply
    # Critical lines: (supplier i, user j) flows of a product that is critical for j.
    rows, cols = np.nonzero(z_day)
    keep = crit[table.sector_of[rows], cols]
    rows, cols = rows[keep], cols[keep]
    flow = z_day[rows, cols]
    nsec = zs.shape[0]
    pair = cols * nsec + table.sector_of[rows]  # (user, product) of each line, user-major
    weight = flow / zs[table.sector_of[rows], cols]
    pairs, line_pair = np.unique(pair, return_inverse=True)
    users, starts = np.unique(pairs // nsec, return_index=True)
    z_normal = sp.csr_matrix(z_day)
    z_cut, final_cut, open_line = z_normal, final, np.ones(len(rows))
    if blocked is not None:
        z_cut = sp.csr_matrix(z_day * (1.0 - blocked[:, table.region_of]))
        final_cut = final - _blocked_final(table, blocked) / 365.0
        open_line = 1.0 - blocked[rows, table.region_of[cols]]
    stock = np.full(len(rows), target)
    refill = np.zeros(len(rows))
    use = np.ones(n_rows)
    use_cols = np.ones(len(rows))  # use[cols], kept from the previous day
    daily = np.ones((params.horizon, n_rows))
    for t in range(params.horizon):
        during = t < duration
        gated = during and blocked is not None  # blocked lines deliver only open_line
        base = (z_cut if during else z_normal) @ use
        fin = final_cut if during else final
        # Only lines below target carry refill orders and only lines below one day of stock
        # limit output: both sets are small, so work on them alone.
        act = np.flatnonzero(refill)
        act_rows, act_refill = rows[act], refill[act] * (open_line[act] if gated else 1.0)
        extra = np.bincount(act_rows, flow[act] * act_refill, minlength=n_rows).astype(np.float64)
        short = np.flatnonzero(stock < 1.0)
        avail = 1.0 - np.bincount(
            line_pair[short], weight[short] * (1.0 - stock[short]), minlength=len(pairs)
        )
        limit = np.full(n_rows, np.inf)
        if len(users):
            limit[users] = np.minimum.reduceat(avail, starts)
        cap = _capacity(t, cut_frac, duration, params.recovery_days, params.surge)
        wanted = np.divide(base + fin + extra - drawdown, xn, out=np.ones(n_rows), where=live)
        r = np.clip(np.minimum(np.minimum(cap, wanted), limit), 0.0, None)
        r[~live] = 1.0
        supply = r * xn + drawdown
        rho_use = _fill(supply, base)
        rho_refill = _fill(supply - base - fin, extra)
        delivered = rho_use[rows] * use_cols
        if gated:
            delivered *= open_line
        delivered[act] += rho_refill[act_rows] * act_refill
        r_cols = r[cols]
        stock += delivered - np.minimum(stock, r_cols)
        use, use_cols = r, r_cols
        refill = np.maximum(0.0, target - stock) / params.tau
        daily[t] = r
        if progress is not None and t % 30 == 0:
            progress("bottleneck", t / params.horizon)
        if (
            t >= duration + params.recovery_days
            and np.abs(r - 1.0).max() < 1e-9
            and (len(stock) == 0 or np.abs(stock - target).max() < 1e-9)
        ):
            break  # back to the steady state: the rest of the horizon is normal
    return daily


def _blocked_final(table: IOTable, blocked: Floats) -> Floats:
    """Final sales of each row blocked by ``blocked`` (n x regions), per year."""
    pos = {r: k for k, r in enumerate(table.region_list)}
    out = np.zeros(table.n)
    for f, region in enumerate(table.final_regions):
        if region in pos and table.final_kinds[f] != "import":
            out += np.maximum(table.Y[:, f], 0.0) * blocked[:, pos[region]]
    return np.minimum(out, np.maximum(table.yd, 0.0))


def bottleneck(
    table: IOTable,
    cut: Cut,
    *,
    inventory_days: float = 30.0,
    duration_days: float = 365.0,
    horizon_days: int | None = None,
    recovery_days: float = 0.0,
    tau: float = 10.0,
    surge: float = 0.25,
    threshold: float = 0.01,
    critical_sectors: Collection[str] | str | None = None,
    progress: Progress | None = None,
) -> ShockResult:
    """Run the bottleneck simulation (module docstring) with the cut cells' capacity at
    (1 - f) for ``duration_days``; losses over the horizon (default duration + recovery + 90
    days) in table units, with the daily output fractions in ``daily``."""
    params = Params.of(
        inventory_days=inventory_days,
        duration_days=duration_days,
        horizon_days=horizon_days,
        recovery_days=recovery_days,
        tau=tau,
        surge=surge,
        threshold=threshold,
        critical_sectors=critical_sectors,
    )
    daily = simulate(table, cut.full(table.n), params, progress=progress)
    return result("bottleneck", table, cut, daily, params)


def result(
    model: str, table: IOTable, cut: Cut, daily: Floats, params: Params, *notes: str
) -> ShockResult:
    """The ShockResult of a simulation: loss = Σ_t (1 - r(t)) x/365."""
    loss = ((1.0 - daily) * (table.x / 365.0)[None, :]).sum(0)
    return ShockResult(
        model,
        table,
        cut,
        loss,
        float(params.horizon),
        params.as_dict(table),
        (*params.assumptions(), *notes),
        daily=daily,
    )
