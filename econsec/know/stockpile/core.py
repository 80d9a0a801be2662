"""The core of a reduced guaranteed-service problem as a linear programme over time levels,
solved with HiGHS (``scipy.optimize``).

Each service time is written in unary form: ``u_{k,t} = [S_k >= t]`` (t = 1..s_max_k) and
``v_{k,t} = [SI_k >= t]``, non-increasing in *t*. An arc ``i -> k`` (``SI_k >= S_i``) becomes
``u_{i,t} <= v_{k,t}`` for every *t*: these level-wise rows are what make the relaxation
strong, where the aggregated ``SI_k >= S_i`` of a piecewise-linear MIP is weak. Any function of
one service time is linear in its levels (``U(x) = U(0) + sum_t (U(t) - U(t-1)) [x >= t]``),
so a core stage linked to other core stages on one side only costs
``min_a P_k(a, b)`` (or ``min_b``) and keeps one set of levels. A stage linked on both sides
keeps its pair table ``P_k(a, b)`` through assignment variables ``x_{k,a,b}`` whose marginals
equal the level differences. With only one-sided stages the constraint matrix is totally
unimodular and the LP optimum is integral; on all 38 Willems chains it is integral anyway.
When it is not, the same model is solved as a MIP (binary levels) within the time limit and its
dual bound is the proven lower bound.

Pairs that cannot be needed are left out: ``(a, b)`` is dropped when a smaller ``b`` in the same
row, or a larger ``a`` in the same column, costs no more (a smaller ``S_k`` and a larger
``SI_k`` only loosen the arcs), so an optimal solution always remains.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from econsec.know.stockpile.problem import Derived, Floats, GSMProblem, Ints
from econsec.know.stockpile.reduce import Reduction

_INTEGRAL = 1e-6


@dataclass(frozen=True, slots=True)
class CoreResult:
    """Service times of the core stages (``-1`` elsewhere), the proven lower bound on the whole
    problem's cost ($), and how it was obtained."""

    s: Ints
    si: Ints
    lower_bound: float
    lp_integral: bool
    used_mip: bool
    finished: bool
    n_variables: int
    n_rows: int
    seconds: float


@dataclass(slots=True)
class _Model:
    cost: list[Floats]
    rows_ub: list[tuple[Ints, Ints, Floats]]
    rhs_ub: list[Floats]
    rows_eq: list[tuple[Ints, Ints, Floats]]
    rhs_eq: list[Floats]
    n_var: int = 0
    n_ub: int = 0
    n_eq: int = 0
    constant: float = 0.0

    def variables(self, cost: Floats) -> int:
        first = self.n_var
        self.cost.append(np.asarray(cost, dtype=np.float64))
        self.n_var += len(cost)
        return first

    def monotone(self, first: int, count: int) -> None:
        """``lvl_{t+1} - lvl_t <= 0`` for the ``count`` levels starting at ``first``."""
        if count < 2:
            return
        t = np.arange(count - 1)
        self.add_ub(
            np.r_[t, t],
            np.r_[first + t + 1, first + t],
            np.r_[np.ones(count - 1), -np.ones(count - 1)],
            np.zeros(count - 1),
        )

    def add_ub(self, rows: Ints, cols: Ints, vals: Floats, rhs: Floats) -> None:
        self.rows_ub.append((rows + self.n_ub, cols, vals))
        self.rhs_ub.append(rhs)
        self.n_ub += len(rhs)

    def add_eq(self, rows: Ints, cols: Ints, vals: Floats, rhs: Floats) -> None:
        self.rows_eq.append((rows + self.n_eq, cols, vals))
        self.rhs_eq.append(rhs)
        self.n_eq += len(rhs)

    def matrix(self, parts: list[tuple[Ints, Ints, Floats]], n_rows: int) -> sparse.csr_array:
        if not parts:
            return sparse.csr_array((0, self.n_var))
        r, c, v = (np.concatenate(x) for x in zip(*parts, strict=True))
        return sparse.csr_array((v, (r, c)), shape=(n_rows, self.n_var))


def solve_core(
    problem: GSMProblem,
    derived: Derived,
    reduction: Reduction,
    *,
    time_limit: float | None,
    gap: float,
) -> CoreResult:
    """Solve the core exactly (LP, then MIP if the LP optimum is fractional)."""
    started = time.perf_counter()
    model, u_at, v_at, tables, s, si = _build(problem, derived, reduction)
    lower, levels, lp_integral, used_mip, finished = _optimise(model, time_limit, gap)
    for k, table in tables.items():
        if u_at[k] >= 0:
            s[k] = _level_value(levels[u_at[k] : u_at[k] + derived.s_max[k]])
        if v_at[k] >= 0:
            si[k] = _level_value(levels[v_at[k] : v_at[k] + derived.si_max[k]])
        if u_at[k] >= 0 and v_at[k] < 0:  # the cheapest SI for this S
            si[k] = int(np.argmin(table[:, s[k]]))
        elif v_at[k] >= 0 and u_at[k] < 0:
            s[k] = int(np.argmin(table[si[k], :]))
    return CoreResult(
        s=s,
        si=si,
        lower_bound=lower,
        lp_integral=lp_integral,
        used_mip=used_mip,
        finished=finished,
        n_variables=model.n_var,
        n_rows=model.n_ub + model.n_eq,
        seconds=time.perf_counter() - started,
    )


def _build(
    problem: GSMProblem, derived: Derived, reduction: Reduction
) -> tuple[_Model, Ints, Ints, dict[int, Floats], Ints, Ints]:
    """The level model; returns it with the first level of each stage's S and SI (``-1`` when
    not in the model), the pair tables of the core stages, and S/SI of the tree roots."""
    n = problem.n_stages
    s = np.full(n, -1, dtype=np.int64)
    si = np.full(n, -1, dtype=np.int64)
    up = problem.upstream[reduction.core_arcs]
    down = problem.downstream[reduction.core_arcs]
    has_out = np.zeros(n, dtype=bool)
    has_out[up] = True
    has_in = np.zeros(n, dtype=bool)
    has_in[down] = True
    model = _Model([], [], [], [], [])
    u_at = np.full(n, -1, dtype=np.int64)
    v_at = np.full(n, -1, dtype=np.int64)
    tables: dict[int, Floats] = {}
    for k in np.flatnonzero(reduction.core).tolist():
        table = reduction.pair_table(problem, derived, k)
        tables[k] = table
        n_s, n_si = int(derived.s_max[k]), int(derived.si_max[k])
        if not has_out[k] and not has_in[k]:  # the root of a tree component
            a, b = np.unravel_index(int(np.argmin(table)), table.shape)
            si[k], s[k] = int(a), int(b)
            model.constant += float(table[a, b])
        elif not has_in[k]:  # only the outbound side is linked
            best = table.min(axis=0)
            model.constant += float(best[0])
            u_at[k] = model.variables(np.diff(best))
            model.monotone(int(u_at[k]), n_s)
        elif not has_out[k]:  # only the inbound side is linked
            best = table.min(axis=1)
            model.constant += float(best[0])
            v_at[k] = model.variables(np.diff(best))
            model.monotone(int(v_at[k]), n_si)
        else:
            u_at[k] = model.variables(np.zeros(n_s))
            v_at[k] = model.variables(np.zeros(n_si))
            aa, bb = np.nonzero(_useful_pairs(table))
            first = model.variables(table[aa, bb])
            _marginals(model, first + np.arange(len(aa)), aa, int(v_at[k]), n_si)
            _marginals(model, first + np.arange(len(bb)), bb, int(u_at[k]), n_s)
    # arcs i -> k of the core: u_{i,t} <= v_{k,t}, t = 1..s_max_i (s_max_i <= si_max_k)
    length = derived.s_max[up]
    if length.sum():
        arc = np.repeat(np.arange(len(up)), length)
        t = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
        rows = np.arange(len(arc))
        model.add_ub(
            np.r_[rows, rows],
            np.r_[u_at[up][arc] + t, v_at[down][arc] + t],
            np.r_[np.ones(len(arc)), -np.ones(len(arc))],
            np.zeros(len(arc)),
        )
    return model, u_at, v_at, tables, s, si


def _useful_pairs(table: Floats) -> npt.NDArray[np.bool_]:
    """Finite pairs that are strictly cheaper than every smaller ``b`` in their row and every
    larger ``a`` in their column."""
    inf = np.full((table.shape[0], 1), np.inf)
    left = np.minimum.accumulate(np.hstack([inf, table[:, :-1]]), axis=1)
    below = np.full((1, table.shape[1]), np.inf)
    rest = np.minimum.accumulate(np.vstack([table[1:], below])[::-1], axis=0)[::-1]
    return np.isfinite(table) & (table < left) & (table < rest)


def _marginals(model: _Model, x: Ints, value: Ints, first_level: int, count: int) -> None:
    """``sum_{x: value == c} x = lvl_c - lvl_{c+1}`` for c = 0..count (``lvl_0 = 1``)."""
    t = np.arange(1, count + 1)
    rows = np.r_[value, t, t - 1]
    cols = np.r_[x, first_level + t - 1, first_level + t - 1]
    vals = np.r_[np.ones(len(x)), -np.ones(count), np.ones(count)]
    rhs = np.zeros(count + 1)
    rhs[0] = 1.0
    model.add_eq(rows, cols, vals, rhs)


def _level_value(levels: Floats) -> int:
    """The service time encoded by (possibly fractional) levels: how many are >= 1/2."""
    return int(np.count_nonzero(levels >= 0.5))


def _optimise(
    model: _Model, time_limit: float | None, gap: float
) -> tuple[float, Floats, bool, bool, bool]:
    """(lower bound incl. constant, levels, LP integral, MIP used, solved to the end)."""
    if model.n_var == 0:
        return model.constant, np.zeros(0), True, False, True
    c = np.concatenate(model.cost)
    a_ub, a_eq = model.matrix(model.rows_ub, model.n_ub), model.matrix(model.rows_eq, model.n_eq)
    b_ub = np.concatenate(model.rhs_ub) if model.rhs_ub else np.zeros(0)
    b_eq = np.concatenate(model.rhs_eq) if model.rhs_eq else np.zeros(0)
    limit = math.inf if time_limit is None else max(time_limit, 1.0)
    started = time.perf_counter()
    lp = linprog(
        c,
        A_ub=a_ub if model.n_ub else None,
        b_ub=b_ub if model.n_ub else None,
        A_eq=a_eq if model.n_eq else None,
        b_eq=b_eq if model.n_eq else None,
        bounds=(0.0, 1.0),
        method="highs",
        options={"time_limit": limit} if math.isfinite(limit) else {},
    )
    if lp.status != 0 or lp.x is None:
        # no bound proven (time limit): the caller falls back to a feasible policy
        return 0.0, np.zeros(model.n_var), False, False, False
    levels = np.asarray(lp.x, dtype=np.float64)
    lower = float(lp.fun) + model.constant
    integral = bool(np.all(np.abs(levels - np.round(levels)) <= _INTEGRAL))
    if integral:
        return lower, levels, True, False, True
    remaining = limit - (time.perf_counter() - started)
    if remaining <= 0:
        return lower, levels, False, False, False
    integrality = np.ones(model.n_var)  # levels and pairs alike are 0/1
    constraints = []
    if model.n_ub:
        constraints.append(LinearConstraint(a_ub, -np.inf, b_ub))
    if model.n_eq:
        constraints.append(LinearConstraint(a_eq, b_eq, b_eq))
    options: dict[str, float | bool] = {"mip_rel_gap": gap}
    if math.isfinite(remaining):
        options["time_limit"] = remaining
    mip = milp(
        c,
        constraints=constraints,
        bounds=Bounds(0.0, 1.0),
        integrality=integrality,
        options=options,
    )
    bound = getattr(mip, "mip_dual_bound", None)
    if bound is not None and math.isfinite(bound):
        lower = max(lower, float(bound) + model.constant)
    if mip.x is None:
        return lower, levels, False, True, False
    return lower, np.asarray(mip.x, dtype=np.float64), False, True, mip.status == 0
