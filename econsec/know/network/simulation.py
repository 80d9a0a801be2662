"""Time-stepped disruption simulation: shortfall per day, time to survive, time to recover.

**Model** (daily steps ``t = 0 .. horizon - 1``; quantities in days of a node's normal output,
so the normal state is 1 everywhere):

* a node disrupted for ``d`` days makes nothing on days ``t < d`` (a fraction on the day it
  comes back when ``d`` is fractional), then runs at its normal rate again;
* each node holds, per *input line*, a stock of ``inventory_days`` of its normal use. The lines
  are each bill-of-materials edge, the node's supply edges together (delivery = unlisted
  remainder + sum of effective share x provider output) and its type edges together
  (delivery = best kind). Deliveries of an edge with ``lead_time`` L (when ``lead_times``)
  arrive L days after the provider's output (before day 0, as normal);
* output ``y_v(t) = min(capacity_v(t), min over lines (delivery + stock), 1)``; each line's
  stock becomes ``min(delivery + stock - y_v(t), inventory_days)``;
* finished product ``p`` falls short by ``1 - y_p(t)`` on day ``t``.

Per finished product: **time to survive** (TTS) is the first day it falls short (inf when it
never does); **time to recover** (TTR) the last day of shortfall + 1 (0 when never short, inf
when still short at the horizon); the lost output share is the mean shortfall over the horizon.

:func:`time_to_survive` is the TTS/TTR analysis of Simchi-Levi, Schmidt, Wei et al. (2015),
"Identifying risks and mitigating disruptions in the automotive supply chain", *Interfaces*
45(5):375-390 (and Simchi-Levi, Schmidt, Wei 2014, *Harvard Business Review*): for each node,
TTS when it is down indefinitely, and the performance impact (output lost) when it is down for
its TTR; ``exposed`` when TTS < TTR, and the risk exposure index ``REI = impact / largest
impact``. **Where this differs from their LP**: their TTS is the optimum of a linear programme
that re-allocates inventory and spare capacity and re-routes supply across the whole network;
here flows are fixed (each provider keeps its share, alternatives do not ramp up, stock is not
moved between nodes), sales are lost rather than back-ordered and there is no surge capacity, so
our TTS is a lower bound of theirs and our impact an upper bound on the same data."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from econsec.errors import InvalidInput
from econsec.know.network import graph
from econsec.know.network import propagation as prop
from econsec.know.network.graph import Level
from econsec.know.network.model import Floats, Ints, SupplyNetwork

Progress = Callable[[str, float], None]
_MEMORY = 256 * 2**20

ASSUMPTIONS = (
    "daily steps; quantities in days of each node's normal output",
    "a disrupted node makes nothing until it recovers, then runs at its normal rate",
    "each input line holds inventory_days of normal use; stock refills only from spare "
    "deliveries (no surge capacity)",
    "supply alternatives deliver their share of normal supply; they do not ramp up",
    "lost sales: no back-orders; output never exceeds the normal rate",
)

SURVIVAL_SCHEMA = pa.schema(
    [
        ("node", pa.string()),
        ("name", pa.string()),
        ("kind", pa.string()),
        ("tts_days", pa.float64()),
        ("ttr_days", pa.float64()),
        ("exposed", pa.bool_()),
        ("lost_output", pa.float64()),
        ("rei", pa.float64()),
        ("products_hit", pa.int64()),
    ]
)


@dataclass(frozen=True, slots=True)
class ProductOutcome:
    """One finished product's path through a disruption."""

    product: str
    name: str
    shortfall: Floats
    time_to_survive_days: float
    time_to_recover_days: float
    lost_output_share: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form (inf is written as null)."""
        return {
            "product": self.product,
            "name": self.name,
            "shortfall": [round(float(x), 9) for x in self.shortfall],
            "time_to_survive_days": days_or_none(self.time_to_survive_days),
            "time_to_recover_days": days_or_none(self.time_to_recover_days),
            "lost_output_share": self.lost_output_share,
        }


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """The outcome of :func:`simulate`: per finished product, and weighted over products."""

    network: str
    horizon_days: int
    disrupted: dict[str, float]
    products: tuple[ProductOutcome, ...]
    lost_output_share: float
    assumptions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "network": self.network,
            "horizon_days": self.horizon_days,
            "disrupted": self.disrupted,
            "lost_output_share": self.lost_output_share,
            "products": [p.to_dict() for p in self.products],
            "assumptions": list(self.assumptions),
        }


def days_or_none(x: float) -> float | None:
    """A number of days, None for never (infinite): JSON and tables take it as it is."""
    return None if math.isinf(x) else float(x)


@dataclass(frozen=True, slots=True)
class _Setup:
    plan: prop.Plan
    inventory: Floats
    lags: Ints
    max_lag: int


def _setup(
    network: SupplyNetwork,
    inventory_days: float | Floats | None,
    level: Level | None,
    lead_times: bool,
) -> _Setup:
    p = prop.plan(network, level)
    if any(p.cyclic):
        raise InvalidInput(
            f"network {network.name!r} has a cycle; the simulation needs an acyclic network"
        )
    if inventory_days is None:
        inv = np.nan_to_num(network.attrs["inventory_days"], nan=0.0)
    else:
        inv = np.broadcast_to(np.asarray(inventory_days, dtype=np.float64), (network.n_nodes,))
        if np.any(np.isnan(inv)) or np.any(inv < 0):
            raise InvalidInput("inventory_days must be >= 0 for every node")
    lead = network.edge_lead_time if lead_times else np.zeros(network.n_edges)
    lags = np.rint(np.nan_to_num(lead, nan=0.0)).astype(np.int64)
    return _Setup(p, np.array(inv, dtype=np.float64), lags, int(lags.max(initial=0)))


def _line_targets(g: prop.Group, code: int) -> Ints:
    """The node each input line of group ``g`` feeds: one line per bom edge, else per node."""
    if code != 0:
        return g.heads
    out: Ints = np.repeat(g.heads, np.diff(np.r_[g.starts, g.src.size]))
    return out


def _run(
    s: _Setup, nodes: Ints, cols: Ints, days: Floats, n_cols: int, horizon: int, watch: Ints
) -> Floats:
    """Output of ``watch`` nodes (axis 1) per day (axis 0) per scenario (axis 2), when node
    ``nodes[i]`` is down for ``days[i]`` days in scenario ``cols[i]``."""
    p, inv = s.plan, s.inventory
    ring = s.max_lag + 1
    hist = np.ones((ring, p.n, n_cols))
    stocks: list[list[Floats | None]] = [
        [
            None if g is None else np.repeat(inv[_line_targets(g, c)][:, None], n_cols, axis=1)
            for c, g in enumerate(groups)
        ]
        for groups in p.groups
    ]
    out = np.empty((horizon, watch.size, n_cols))
    for t in range(horizon):
        y = hist[t % ring]
        y[:] = 1.0
        y[nodes, cols] = np.clip(t + 1 - days, 0.0, 1.0)
        for k, groups in enumerate(p.groups):
            lines: list[Floats | None] = [None, None, None]
            for code, g in enumerate(groups):
                st = stocks[k][code]
                if g is None or st is None:
                    continue
                got = _delivered(s, hist, y, g, t, ring)
                if code == 1:
                    got = np.add.reduceat(got * g.weight[:, None], g.starts)
                    got += p.remainder[g.heads][:, None]
                elif code == 2:
                    got = np.maximum.reduceat(got, g.starts, axis=0)
                line = got + st
                lines[code] = line
                best = np.minimum.reduceat(line, g.starts) if code == 0 else line
                y[g.heads] = np.minimum(y[g.heads], best)
            for code, g in enumerate(groups):
                done = lines[code]
                if g is None or done is None:
                    continue
                dst = _line_targets(g, code)
                stocks[k][code] = np.minimum(done - y[dst], inv[dst][:, None])
        out[t] = y[watch]
    return out


def _delivered(s: _Setup, hist: Floats, y: Floats, g: prop.Group, t: int, ring: int) -> Floats:
    """Provider output reaching each edge of ``g`` on day ``t`` (edge lead times)."""
    if s.max_lag == 0:
        out: Floats = y[g.src]
        return out
    lag = s.lags[g.edges]
    got: Floats = hist[(t - lag) % ring, g.src]
    got[t - lag < 0] = 1.0
    return got


def _outcomes(short: Floats) -> tuple[Floats, Floats]:
    """TTS and TTR (days) of each series in ``short`` (days on axis 0)."""
    horizon = short.shape[0]
    falls = short > prop.HIT
    any_short = falls.any(axis=0)
    first = np.where(any_short, falls.argmax(axis=0), np.inf)
    last = horizon - 1 - falls[::-1].argmax(axis=0)
    ttr = np.where(any_short, last + 1.0, 0.0)
    ttr = np.where(any_short & falls[-1], np.inf, ttr)
    return first.astype(np.float64), ttr.astype(np.float64)


def simulate(
    network: SupplyNetwork,
    disrupted: Mapping[str, float],
    *,
    horizon_days: int,
    inventory_days: float | Floats | None = None,
    level: Level | None = "firm",
    lead_times: bool = True,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate ``horizon_days`` days after the nodes of ``disrupted`` (id -> days down) go down
    on day 0 (module docstring for the model).

    ``inventory_days``: None takes the node attribute (NaN: none); a number or an array by node
    replaces it. ``level``: the provider level whose supply edges count."""
    if horizon_days < 1:
        raise InvalidInput(f"horizon_days must be at least 1, got {horizon_days}")
    nodes = np.array([network.index(k) for k in disrupted], dtype=np.int64)
    days = np.array([float(v) for v in disrupted.values()], dtype=np.float64)
    if np.any(np.isnan(days)) or np.any(days < 0):
        raise InvalidInput("days disrupted must be >= 0")
    s = _setup(network, inventory_days, level, lead_times)
    prods = np.flatnonzero(network.final)
    if progress:
        progress("simulation", 0.0)
    y = _run(s, nodes, np.zeros(nodes.size, np.int64), days, 1, horizon_days, prods)[:, :, 0]
    short = 1.0 - y
    tts, ttr = _outcomes(short)
    q = prop.product_weights(network)
    outcomes = tuple(
        ProductOutcome(
            product=network.ids[p],
            name=network.names[p],
            shortfall=short[:, j],
            time_to_survive_days=float(tts[j]),
            time_to_recover_days=float(ttr[j]),
            lost_output_share=float(short[:, j].mean()),
        )
        for j, p in enumerate(prods.tolist())
    )
    if progress:
        progress("simulation", 1.0)
    return SimulationResult(
        network=network.name,
        horizon_days=horizon_days,
        disrupted={network.ids[i]: float(d) for i, d in zip(nodes, days, strict=True)},
        products=outcomes,
        lost_output_share=float(q @ short.mean(axis=0) / q.sum()) if prods.size else 0.0,
        assumptions=ASSUMPTIONS,
    )


def time_to_survive(
    network: SupplyNetwork,
    *,
    nodes: Sequence[str] | None = None,
    recovery_days: float | Mapping[str, float] | None = None,
    inventory_days: float | Floats | None = None,
    horizon_days: int | None = None,
    level: Level | None = "firm",
    lead_times: bool = True,
    progress: Progress | None = None,
) -> pa.Table:
    """TTS/TTR per node (Simchi-Levi et al.; module docstring) as :data:`SURVIVAL_SCHEMA`.

    For each of ``nodes`` (default: every node that feeds a finished product), alone:
    ``tts_days`` is the first day a finished product falls short while the node is down for
    good; ``ttr_days`` its recovery time (``recovery_days``: a number, a mapping id -> days,
    or None for the node attribute; NaN leaves impact and REI null); ``lost_output`` the
    value-weighted product-days lost (in days of total normal output) when it is down for its
    TTR; ``rei`` that over the largest; ``exposed`` is TTS < TTR. ``tts_days`` is inf when no
    product falls short within the horizon (default: twice the stock and lead times along the
    longest path, plus the longest TTR)."""
    s = _setup(network, inventory_days, level, lead_times)
    if nodes is None:
        scen = prop.default_scenarios(network, level)
        feeds = graph.downstream_products(network, scen)
        scen = scen[np.array([f.size > 0 for f in feeds], dtype=bool)]
    else:
        scen = np.array([network.index(n) for n in nodes], dtype=np.int64)
    ttr = _recovery(network, scen, recovery_days)
    if horizon_days is None:
        # Stock along a path, drawn down at the full rate, plus lead times; twice that so that
        # stock drawn down more slowly (a partial loss) shows too.
        lags = s.max_lag * len(s.plan.layers)
        bound = sum(float(s.inventory[layer].max(initial=0)) for layer in s.plan.layers)
        longest = float(np.nanmax(ttr, initial=0.0)) if scen.size else 0.0
        horizon_days = math.ceil(2 * bound + longest + 2 * lags) + 2
    prods = np.flatnonzero(network.final)
    q = prop.product_weights(network)
    width = 8 * (s.plan.n * (s.max_lag + 2) + 3 * s.plan.widest + prods.size * horizon_days)
    batch = max(1, _MEMORY // (2 * width))
    tts = np.full(scen.size, np.inf)
    lost = np.full(scen.size, np.nan)
    hit = np.zeros(scen.size, np.int64)
    for b0 in range(0, scen.size, batch):
        rows = np.arange(b0, min(b0 + batch, scen.size))
        m = rows.size
        known = ~np.isnan(ttr[rows])
        down = np.r_[np.full(m, np.inf), ttr[rows][known]]
        cols = np.r_[np.arange(m), m + np.arange(int(known.sum()))]
        nodes_b = np.r_[scen[rows], scen[rows][known]]
        y = _run(s, nodes_b, cols, down, int(cols.size), horizon_days, prods)
        short = 1.0 - y  # (days, products, scenarios)
        falls = (short[:, :, :m] > prop.HIT).any(axis=1)
        tts[rows] = np.where(falls.any(axis=0), falls.argmax(axis=0), np.inf)
        impact = np.einsum("p,dps->s", q, short[:, :, m:]) / q.sum()
        lost[rows[known]] = impact
        hit[rows[known]] = (short[:, :, m:] > prop.HIT).any(axis=0).sum(axis=0)
        if progress:
            progress("time to survive", (b0 + m) / scen.size)
    top = np.nanmax(lost, initial=0.0) if np.any(~np.isnan(lost)) else np.nan
    ids, names, kinds = network.ids, network.names, network.kinds
    rows_i = scen.tolist()
    return pa.table(
        {
            "node": [ids[i] for i in rows_i],
            "name": [names[i] for i in rows_i],
            "kind": [kinds[i] for i in rows_i],
            "tts_days": tts,
            "ttr_days": pa.array(ttr, pa.float64(), from_pandas=True),
            "exposed": pa.array(tts < ttr, pa.bool_(), mask=np.isnan(ttr)),
            "lost_output": pa.array(lost, pa.float64(), from_pandas=True),
            "rei": pa.array(
                lost / top if top and top > 0 else lost * 0, pa.float64(), from_pandas=True
            ),
            "products_hit": hit,
        },
        schema=SURVIVAL_SCHEMA,
    )


def _recovery(
    network: SupplyNetwork, scen: Ints, recovery_days: float | Mapping[str, float] | None
) -> Floats:
    if recovery_days is None:
        out: Floats = network.attrs["recovery_days"][scen].astype(np.float64)
    elif isinstance(recovery_days, Mapping):
        out = np.array([float(recovery_days.get(network.ids[i], np.nan)) for i in scen])
    else:
        out = np.full(scen.size, float(recovery_days))
    if np.any(out[~np.isnan(out)] < 0):
        raise InvalidInput("recovery_days must be >= 0")
    return out
