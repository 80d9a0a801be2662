"""Days of cover: how long a stockpile lasts under a disruption scenario.

A scenario leaves, day by day (``t = 0, 1, ...``), a consumption ``c_t`` (units/day; e.g. the
output fractions of a propagation model times the normal daily use) and optionally a supply
``r_t`` that still arrives (units/day). The stockpile must cover ``need_t = c_t - r_t``:

    drawn_t     = min(stock_t, need_t)
    shortfall_t = need_t - drawn_t                     (consumption not met, units)
    stock_{t+1} = stock_t - drawn_t  (+ surplus -need_t when refilling, up to a capacity)

The stock runs out during the first day *t* whose need exceeds what is left; the days of cover
are then ``t + stock_t / need_t`` (fractional), or ``inf`` when the stock lasts the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from econsec.errors import InvalidInput
from econsec.know.stockpile.problem import Floats

Series = float | Sequence[float] | Floats


@dataclass(frozen=True)
class Cover:
    """The path of a stockpile over a scenario (arrays by day, units)."""

    days: float
    initial_stock: float
    stock: Floats
    drawn: Floats
    shortfall: Floats

    @property
    def horizon(self) -> int:
        """Number of days simulated."""
        return len(self.stock)

    @property
    def runs_out(self) -> bool:
        """Whether the stock is exhausted within the horizon."""
        return math.isfinite(self.days)

    @property
    def total_shortfall(self) -> float:
        """Consumption not met over the horizon (units)."""
        return float(self.shortfall.sum())

    @property
    def first_shortfall_day(self) -> int | None:
        """The first day (0-based) with unmet consumption, or None."""
        days = np.flatnonzero(self.shortfall > 0)
        return int(days[0]) if days.size else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``days`` is null when the stock lasts the horizon)."""
        return {
            "days_of_cover": self.days if self.runs_out else None,
            "runs_out": self.runs_out,
            "initial_stock": self.initial_stock,
            "horizon_days": self.horizon,
            "total_shortfall": self.total_shortfall,
            "first_shortfall_day": self.first_shortfall_day,
            "stock": self.stock.tolist(),
            "drawn": self.drawn.tolist(),
            "shortfall": self.shortfall.tolist(),
        }


def days_of_cover(stock: float, consumption_per_day: Series, supply_per_day: Series = 0.0) -> float:
    """Days until ``stock`` runs out (fractional; ``inf`` if it lasts the horizon).

    A constant consumption (a number) has an unbounded horizon: ``stock / (c - r)``.
    """
    if np.ndim(consumption_per_day) == 0 and np.ndim(supply_per_day) == 0:
        _check_stock(stock)
        need = _nonnegative(consumption_per_day, "consumption_per_day")[0]
        need -= _nonnegative(supply_per_day, "supply_per_day")[0]
        return float(stock) / need if need > 0 else math.inf
    return stock_cover(stock, consumption_per_day, supply_per_day).days


def stock_cover(
    stock: float,
    consumption_per_day: Series,
    supply_per_day: Series = 0.0,
    *,
    horizon: int | None = None,
    refill: bool = False,
    capacity: float | None = None,
) -> Cover:
    """Simulate the stockpile day by day (see the module docstring).

    Series may be numbers (constant) when ``horizon`` (days) is given or the other series sets
    it. With ``refill``, days whose supply exceeds consumption put the surplus back, up to
    ``capacity`` (default: the initial stock).
    """
    _check_stock(stock)
    c = _nonnegative(consumption_per_day, "consumption_per_day")
    r = _nonnegative(supply_per_day, "supply_per_day")
    given = [len(x) for x, v in ((c, consumption_per_day), (r, supply_per_day)) if np.ndim(v)]
    if horizon is None and not given:
        raise InvalidInput("constant consumption needs a horizon (days)")
    days_total = horizon if horizon is not None else max(given)
    c, r = _stretch(c, days_total, "consumption_per_day"), _stretch(r, days_total, "supply_per_day")
    need = c - r
    cap = float(stock) if capacity is None else float(capacity)
    left = float(stock)
    level = np.empty(days_total)
    drawn = np.zeros(days_total)
    short = np.zeros(days_total)
    days = math.inf
    for t in range(days_total):
        if need[t] > 0:
            take = min(left, need[t])
            if need[t] >= left and not math.isfinite(days):
                days = t + left / need[t]  # the part of day t the stock still covers
            drawn[t] = take
            short[t] = need[t] - take
            left -= take
        elif refill:
            left = min(cap, left - need[t])
        level[t] = left
    return Cover(days=days, initial_stock=float(stock), stock=level, drawn=drawn, shortfall=short)


def _check_stock(stock: float) -> None:
    if not math.isfinite(stock) or stock < 0:
        raise InvalidInput(f"stock is {stock!r}; expected a finite number >= 0")


def _nonnegative(values: Series, label: str) -> Floats:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1:
        raise InvalidInput(f"{label}: expected a number or a series by day")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        raise InvalidInput(f"{label}[{int(bad[0])}] is {float(arr[bad[0]])!r}; expected >= 0")
    return arr


def _stretch(arr: Floats, days: int, label: str) -> Floats:
    if arr.shape == (1,):
        return np.full(days, arr[0])
    if len(arr) != days:
        raise InvalidInput(f"{label}: {len(arr)} days, expected {days}")
    return arr
