"""The guaranteed-service problem: stages, arcs and demand as plain arrays.

Notation (Graves & Willems 2000; Humair & Willems 2011), per stage *j*:

* ``T_j`` lead time (days, may be fractional, e.g. the mean of a stochastic lead time);
* ``c_j`` cost added at the stage ($ per unit); the **cumulative cost**
  ``C_j = c_j + sum_i q_ij C_i`` over upstream stages *i* (``q_ij`` units of *i* per unit of *j*);
* ``s_j`` the longest outbound service time promised to external customers (days; ``inf``
  where none);
* external demand per day with mean ``mu_j`` and standard deviation ``sigma_j`` (units/day) and
  a safety factor ``z_j`` (1.645 for a 95 % service level);
* ``p_j`` the risk-pooling exponent of the stage (2: demands independent).

Demand propagates upstream through the quantities: ``phi_jk`` units of *j* per unit of demand at
stage *k* (the sum over paths of products of ``q``). The safety stock of *j* covering a net
replenishment time ``tau_j`` (days) is

    SS_j(tau) = a_j * sqrt(tau),   a_j = (sum_k (phi_jk * z_k * sigma_k) ** p_j) ** (1 / p_j)

(units), the base stock ``B_j = mu_j * tau + SS_j`` with ``mu_j = sum_k phi_jk mu_k``, and its
holding cost ``h * C_j * SS_j`` where ``h`` is the holding rate (``1.0`` gives the value of the
safety stock in $, the basis of snc's ``meio`` code and of this module's defaults).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from econsec.errors import InvalidInput

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Longest integer service-time grid the solver accepts (days); beyond it the pair tables of
#: the reduction grow as the square of the grid.
MAX_GRID = 5000
#: Largest dense demand-propagation matrix (stages x demand stages) built.
MAX_PHI_CELLS = 60_000_000
_EPS = 1e-9


@dataclass(frozen=True, eq=False)
class GSMProblem:
    """A guaranteed-service model instance (build it with :meth:`build`).

    Arrays are indexed by stage number; ``upstream[e] -> downstream[e]`` is arc *e* with
    ``quantity[e]`` units of the upstream stage per unit of the downstream one.
    """

    stage_ids: tuple[str, ...]
    lead_time: Floats
    added_cost: Floats
    max_service_time: Floats
    demand_mean: Floats
    demand_std: Floats
    z: Floats
    risk_pool: Floats
    upstream: Ints
    downstream: Ints
    quantity: Floats
    holding_rate: float = 1.0
    name: str = ""

    @classmethod
    def build(
        cls,
        stage_ids: Sequence[str],
        lead_time: Sequence[float] | Floats,
        added_cost: Sequence[float] | Floats,
        upstream: Sequence[str | int] | Ints,
        downstream: Sequence[str | int] | Ints,
        quantity: Sequence[float] | Floats | None = None,
        *,
        demand_mean: Sequence[float] | Floats | None = None,
        demand_std: Sequence[float] | Floats | None = None,
        max_service_time: Sequence[float] | Floats | None = None,
        z: float | Sequence[float] | Floats | None = None,
        service_level: float | Sequence[float] | Floats | None = None,
        risk_pool: float | Sequence[float] | Floats = 2.0,
        holding_rate: float = 1.0,
        name: str = "",
    ) -> GSMProblem:
        """A problem from plain arrays. Arcs name stages by id or by index; missing quantities
        are 1. ``NaN`` demand means "no external demand" and ``NaN``/``inf`` maximum service
        time "no promise". Give the safety factor either as ``z`` or as ``service_level``
        (probability of no stock-out, ``z = Phi^-1(level)``); the default is ``z = 1.645``."""
        ids = tuple(str(s) for s in stage_ids)
        n = len(ids)
        index: dict[str, int] = {}
        for i, stage in enumerate(ids):
            if stage in index:
                raise InvalidInput(f"stage {stage!r} is listed twice")
            index[stage] = i

        def column(values: object, label: str, default: float) -> Floats:
            if values is None:
                return np.full(n, default)
            arr = np.asarray(values, dtype=np.float64)
            if arr.ndim == 0:
                return np.full(n, float(arr))
            if arr.shape != (n,):
                raise InvalidInput(f"{label}: {arr.shape[0]} values for {n} stages")
            return np.where(np.isnan(arr), default, arr)

        def ends(values: Sequence[str | int] | Ints, label: str) -> Ints:
            if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
                return values.astype(np.int64)  # indices already
            out = np.empty(len(values), dtype=np.int64)
            for e, v in enumerate(values):
                if isinstance(v, str):
                    if v not in index:
                        raise InvalidInput(f"arc {e}: unknown {label} stage {v!r}")
                    out[e] = index[v]
                else:
                    out[e] = int(v)
            return out

        up, down = ends(upstream, "upstream"), ends(downstream, "downstream")
        if service_level is not None:
            if z is not None:
                raise InvalidInput("give either z or service_level, not both")
            level = column(service_level, "service_level", 0.95)
            if np.any((level <= 0) | (level >= 1)):
                raise InvalidInput("service_level must lie strictly between 0 and 1")
            z_arr = ndtri(level)
        else:
            z_arr = column(z, "z", 1.645)
        problem = cls(
            stage_ids=ids,
            lead_time=column(lead_time, "lead_time", math.nan),
            added_cost=column(added_cost, "added_cost", math.nan),
            max_service_time=column(max_service_time, "max_service_time", math.inf),
            demand_mean=column(demand_mean, "demand_mean", 0.0),
            demand_std=column(demand_std, "demand_std", 0.0),
            z=np.asarray(z_arr, dtype=np.float64),
            risk_pool=column(risk_pool, "risk_pool", 2.0),
            upstream=up,
            downstream=down,
            quantity=np.ones(len(up)) if quantity is None else column_arcs(quantity, len(up)),
            holding_rate=float(holding_rate),
            name=name,
        )
        problem.check()
        return problem

    @property
    def n_stages(self) -> int:
        """Number of stages."""
        return len(self.stage_ids)

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return len(self.upstream)

    @property
    def has_demand(self) -> npt.NDArray[np.bool_]:
        """Stages with external demand (a positive mean or standard deviation)."""
        return (self.demand_mean > 0) | (self.demand_std > 0)

    def check(self) -> None:
        """Raise :class:`InvalidInput` naming the first stage or arc that is out of range."""
        n, m = self.n_stages, self.n_arcs
        columns = (
            ("lead_time", self.lead_time, 0.0),
            ("added_cost", self.added_cost, 0.0),
            ("max_service_time", self.max_service_time, 0.0),
            ("demand_mean", self.demand_mean, 0.0),
            ("demand_std", self.demand_std, 0.0),
            ("z", self.z, 0.0),
            ("risk_pool", self.risk_pool, 1.0),
        )
        for label, arr, lowest in columns:
            if arr.shape != (n,):
                raise InvalidInput(f"{label}: {arr.shape} values for {n} stages")
            finite = np.isfinite(arr) | (label == "max_service_time") & (arr == np.inf)
            bad = np.flatnonzero(~finite | ~(arr >= lowest))
            if bad.size:
                j = int(bad[0])
                raise InvalidInput(
                    f"stage {self.stage_ids[j]!r}: {label} is {float(arr[j])!r}; "
                    f"expected a finite number >= {lowest:g}"
                )
        for label, ends in (("upstream", self.upstream), ("downstream", self.downstream)):
            if ends.shape != (m,):
                raise InvalidInput(f"{label}: {ends.shape} values for {m} arcs")
            if m and (ends.min() < 0 or ends.max() >= n):
                raise InvalidInput(f"an arc names a {label} stage index out of range 0..{n - 1}")
        if self.quantity.shape != (m,) or np.any(
            ~np.isfinite(self.quantity) | (self.quantity <= 0)
        ):
            raise InvalidInput("arc quantities must be finite and > 0, one per arc")
        loops = np.flatnonzero(self.upstream == self.downstream)
        if loops.size:
            raise InvalidInput(f"stage {self.stage_ids[self.upstream[loops[0]]]!r} supplies itself")
        if len(np.unique(self.upstream * n + self.downstream)) != m:
            raise InvalidInput("an arc (upstream, downstream) is listed twice")
        if not math.isfinite(self.holding_rate) or self.holding_rate < 0:
            raise InvalidInput(f"holding_rate is {self.holding_rate!r}; expected a number >= 0")
        topological_order(self)

    def csr(self) -> tuple[Ints, Ints, Ints, Ints]:
        """Arc numbers by stage: ``(ups_ptr, ups_arc, downs_ptr, downs_arc)``; the inputs of
        stage *j* are arcs ``ups_arc[ups_ptr[j]:ups_ptr[j + 1]]``, its outputs likewise."""
        n = self.n_stages
        ups_arc = np.argsort(self.downstream, kind="stable").astype(np.int64)
        ups_ptr = np.searchsorted(self.downstream[ups_arc], np.arange(n + 1)).astype(np.int64)
        downs_arc = np.argsort(self.upstream, kind="stable").astype(np.int64)
        downs_ptr = np.searchsorted(self.upstream[downs_arc], np.arange(n + 1)).astype(np.int64)
        return ups_ptr, ups_arc, downs_ptr, downs_arc


def column_arcs(values: Sequence[float] | Floats, m: int) -> Floats:
    """Arc quantities as a float array of length ``m`` (1 where NaN)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (m,):
        raise InvalidInput(f"quantity: {arr.size} values for {m} arcs")
    return np.where(np.isnan(arr), 1.0, arr)


@dataclass(frozen=True, slots=True)
class Derived:
    """What the solver needs, computed once from a :class:`GSMProblem`.

    ``order`` is a topological order (upstream first); ``ups``/``downs`` list arc numbers by
    stage (CSR: ``ups_ptr``, ``ups_arc``); ``s_max``/``si_max`` are the integer bounds of the
    outbound and inbound service times (days).
    """

    order: Ints
    ups_ptr: Ints
    ups_arc: Ints
    downs_ptr: Ints
    downs_arc: Ints
    cumulative_cost: Floats
    mean: Floats
    ss_coefficient: Floats
    weight: Floats
    s_max: Ints
    si_max: Ints


def derive(problem: GSMProblem) -> Derived:
    """Topological order, cumulative costs, propagated demand and service-time bounds.

    Raises :class:`InvalidInput` when the arcs contain a cycle or the grid is too long.
    """
    n = problem.n_stages
    up, down, q = problem.upstream, problem.downstream, problem.quantity
    ups_ptr, ups_arc, downs_ptr, downs_arc = problem.csr()
    order = topological_order(problem)

    cum = problem.added_cost.copy()
    s_max = np.zeros(n, dtype=np.int64)
    si_max = np.zeros(n, dtype=np.int64)
    for j in order:
        arcs = ups_arc[ups_ptr[j] : ups_ptr[j + 1]]
        if arcs.size:
            cum[j] += float(q[arcs] @ cum[up[arcs]])
            si_max[j] = s_max[up[arcs]].max()
        # S_j <= SI_j + T_j and S_j <= s_j, in whole days
        cap = min(si_max[j] + problem.lead_time[j], problem.max_service_time[j])
        if cap > MAX_GRID:
            raise InvalidInput(
                f"stage {problem.stage_ids[j]!r}: service times reach {cap:g} days; expected at "
                f"most {MAX_GRID} (express lead times in coarser units)"
            )
        s_max[j] = max(0, math.floor(cap + _EPS))

    demand = np.flatnonzero(problem.has_demand)
    if n * max(len(demand), 1) > MAX_PHI_CELLS:
        raise InvalidInput(
            f"{n} stages x {len(demand)} demand stages is too large for demand propagation"
        )
    phi = np.zeros((n, len(demand)))
    phi[demand, np.arange(len(demand))] = 1.0
    for j in order[::-1]:
        arcs = downs_arc[downs_ptr[j] : downs_ptr[j + 1]]
        if arcs.size:
            phi[j] += q[arcs] @ phi[down[arcs]]
    mean = phi @ problem.demand_mean[demand]
    spread = phi * (problem.z[demand] * problem.demand_std[demand])[None, :]
    p = problem.risk_pool[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = np.sum(spread**p, axis=1) ** (1.0 / problem.risk_pool)
    coef = np.nan_to_num(coef)
    weight = problem.holding_rate * cum * coef
    return Derived(
        order=order,
        ups_ptr=ups_ptr,
        ups_arc=ups_arc,
        downs_ptr=downs_ptr,
        downs_arc=downs_arc,
        cumulative_cost=cum,
        mean=mean,
        ss_coefficient=coef,
        weight=weight,
        s_max=s_max,
        si_max=si_max,
    )


def topological_order(problem: GSMProblem) -> Ints:
    """Stages upstream first (Kahn's algorithm); a cycle raises :class:`InvalidInput` naming a
    stage on it."""
    n = problem.n_stages
    ups_ptr, ups_arc, downs_ptr, downs_arc = problem.csr()
    indeg = np.diff(ups_ptr)
    order = np.flatnonzero(indeg == 0).tolist()
    down = problem.downstream.tolist()
    head = 0
    while head < len(order):
        i = order[head]
        head += 1
        for e in downs_arc[downs_ptr[i] : downs_ptr[i + 1]].tolist():
            j = down[e]
            indeg[j] -= 1
            if indeg[j] == 0:
                order.append(j)
    if len(order) < n:
        # walk upstream among the stages left over until one repeats: it lies on a cycle
        stuck, seen = int(np.flatnonzero(indeg > 0)[0]), set()
        while stuck not in seen:
            seen.add(stuck)
            arcs = ups_arc[ups_ptr[stuck] : ups_ptr[stuck + 1]]
            stuck = int(next(i for i in problem.upstream[arcs] if indeg[i] > 0))
        raise InvalidInput(
            f"the arcs contain a cycle through stage {problem.stage_ids[stuck]!r}; "
            "the guaranteed-service model needs an acyclic network"
        )
    return np.asarray(order, dtype=np.int64)
