"""Guaranteed-service safety stock on general acyclic networks, solved with a proven gap.

The model (Graves & Willems 2000; Humair & Willems 2011 for general acyclic networks): each
stage *j* quotes an outbound service time ``S_j`` (days) and gets an inbound service time
``SI_j >= S_i`` from every upstream stage *i*; its net replenishment time
``tau_j = SI_j + T_j - S_j`` must be ``>= 0``, and ``S_j <= s_j`` where customers were promised
``s_j``. Service times are whole days. Minimise the holding cost of safety stock

    sum_j h * C_j * a_j * sqrt(tau_j)        ($; see :mod:`.problem` for C_j and a_j).

The objective is concave, so the problem is NP-hard on general networks. :func:`solve_gsm`
folds the pendant trees exactly by dynamic programming (:mod:`.reduce`), solves the remaining
core as a level LP with HiGHS (:mod:`.core`, a MIP if the LP optimum is fractional), restores
the folded stages, repairs the policy to feasibility and evaluates its true cost. The LP (or MIP
dual) bound is a proven lower bound, so every solution reports its gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa

from econsec.know.stockpile.core import solve_core
from econsec.know.stockpile.problem import Derived, Floats, GSMProblem, Ints, derive
from econsec.know.stockpile.reduce import reduce

Progress = Callable[[str, float], None]
METHOD = (
    "gsm-levels: pendant trees folded by dynamic programming (Graves-Willems), "
    "core as a time-level LP solved with HiGHS (MIP when the LP optimum is fractional)"
)
_TOL = 1e-9


@dataclass(frozen=True)
class GSMSolution:
    """A guaranteed-service policy, its cost and how far from optimal it is proven to be.

    Per stage: ``service_time`` S and ``inbound_service_time`` SI (days),
    ``net_replenishment_time`` tau (days), ``safety_stock`` (units), ``base_stock``
    (units: mean demand over tau plus safety stock), ``safety_stock_cost`` ($ in the
    problem's cost basis) and ``pipeline_stock`` (units in process: mean demand x lead time;
    safety plus pipeline stock is the expected total inventory). ``lower_bound`` is proven;
    ``gap = (cost - lower_bound) / cost``.
    """

    name: str
    stage_ids: tuple[str, ...]
    service_time: Ints
    inbound_service_time: Ints
    net_replenishment_time: Floats
    safety_stock: Floats
    base_stock: Floats
    safety_stock_cost: Floats
    pipeline_stock: Floats
    cumulative_cost: Floats
    demand_mean: Floats
    total_safety_stock_cost: float
    lower_bound: float
    gap: float
    status: str
    seconds: float
    method: str = METHOD
    assumptions: tuple[str, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def total_safety_stock(self) -> float:
        """Sum of safety stock over stages (units of different items; for comparisons)."""
        return float(self.safety_stock.sum())

    @property
    def total_base_stock(self) -> float:
        """Sum of base stock over stages (units)."""
        return float(self.base_stock.sum())

    @property
    def total_pipeline_stock(self) -> float:
        """Sum of pipeline (work-in-process) stock over stages (units)."""
        return float(self.pipeline_stock.sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the CLI's ``--format json``)."""
        return {
            "name": self.name,
            "total_safety_stock_cost": self.total_safety_stock_cost,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "status": self.status,
            "seconds": self.seconds,
            "method": self.method,
            "assumptions": list(self.assumptions),
            "total_safety_stock": self.total_safety_stock,
            "total_base_stock": self.total_base_stock,
            "total_pipeline_stock": self.total_pipeline_stock,
            "stats": dict(self.stats),
            "stages": self.to_arrow().to_pylist(),
        }

    def to_arrow(self) -> pa.Table:
        """One row per stage: stage, service_time (S), inbound_service_time (SI),
        net_replenishment_time, safety_stock, safety_stock_cost, base_stock, pipeline_stock,
        cumulative_cost, demand_mean."""
        return pa.table(
            {
                "stage": pa.array(self.stage_ids, pa.string()),
                "service_time": pa.array(self.service_time, pa.int64()),
                "inbound_service_time": pa.array(self.inbound_service_time, pa.int64()),
                "net_replenishment_time": pa.array(self.net_replenishment_time, pa.float64()),
                "safety_stock": pa.array(self.safety_stock, pa.float64()),
                "safety_stock_cost": pa.array(self.safety_stock_cost, pa.float64()),
                "base_stock": pa.array(self.base_stock, pa.float64()),
                "pipeline_stock": pa.array(self.pipeline_stock, pa.float64()),
                "cumulative_cost": pa.array(self.cumulative_cost, pa.float64()),
                "demand_mean": pa.array(self.demand_mean, pa.float64()),
            }
        )


def assumptions(problem: GSMProblem) -> tuple[str, ...]:
    """The cost basis in plain words."""
    return (
        "Service times are whole days; lead times may be fractional; the net replenishment "
        "time is tau = SI + T - S >= 0 and S <= the maximum service time at demand stages.",
        "Safety stock of a stage = a * sqrt(tau) units, a = (sum over demand stages k of "
        "(units of the stage per unit of k's demand * z_k * sigma_k) ** p) ** (1/p), "
        "p the stage's risk-pooling exponent (2: independent demands).",
        f"Holding cost = {problem.holding_rate:g} x cumulative cost x safety stock, the "
        "cumulative cost being the cost added at the stage plus the quantity-weighted "
        "cumulative costs of its inputs; with holding rate 1 this is the value of the safety "
        "stock in the cost unit of the data (the basis of snc's meio GSM).",
        "Base stock = mean daily demand x tau + safety stock; pipeline stock = mean daily "
        "demand x lead time (safety + pipeline = expected total inventory).",
    )


def solve_gsm(
    problem: GSMProblem,
    *,
    time_limit: float | None = None,
    gap: float = 1e-4,
    progress: Progress | None = None,
) -> GSMSolution:
    """The cheapest guaranteed-service policy, with a proven lower bound.

    ``time_limit`` (seconds) bounds the LP/MIP of the core; ``gap`` is the relative tolerance
    under which the status is ``"optimal"`` (else ``"feasible"``). ``progress`` receives
    ``(message, fraction done)``.
    """
    started = time.perf_counter()
    report = progress or (lambda _message, _fraction: None)
    report("propagating demand and costs", 0.0)
    derived = derive(problem)
    report("folding pendant trees", 0.1)
    reduction = reduce(problem, derived)
    core_size = int(reduction.core.sum())
    report(f"solving the core ({core_size} stages)", 0.3)
    remaining = None if time_limit is None else time_limit - (time.perf_counter() - started)
    result = solve_core(problem, derived, reduction, time_limit=remaining, gap=gap)
    report("restoring the policy", 0.9)
    s, si = result.s.copy(), result.si.copy()
    reduction.restore(s, si)
    # a fractional or timed-out core may leave broken arcs; repairing never raises the cost
    s, si = repair(problem, derived, s)
    solution = evaluate_policy(problem, s, si, derived=derived)
    cost = solution.total_safety_stock_cost
    lower = min(result.lower_bound, cost)  # the LP's tolerance may put it a hair above
    found_gap = 0.0 if cost <= _TOL else max(0.0, (cost - lower) / cost)
    report("done", 1.0)
    return replace(
        solution,
        lower_bound=lower,
        gap=found_gap,
        status="optimal" if found_gap <= gap else "feasible",
        seconds=time.perf_counter() - started,
        stats={
            "stages": problem.n_stages,
            "arcs": problem.n_arcs,
            "core_stages": core_size,
            "core_arcs": len(reduction.core_arcs),
            "lp_variables": result.n_variables,
            "lp_rows": result.n_rows,
            "lp_integral": result.lp_integral,
            "used_mip": result.used_mip,
            "core_finished": result.finished,
            "core_seconds": result.seconds,
        },
    )


def repair(problem: GSMProblem, derived: Derived, s: Ints) -> tuple[Ints, Ints]:
    """A feasible policy no costlier than ``s``: ``SI_j = max_i S_i`` (0 without inputs) and
    ``S_j`` capped at ``floor(SI_j + T_j)`` and ``s_j`` (and at least 0), upstream first.

    Lowering ``SI_j`` lowers ``tau_j``; capping ``S_j`` leaves ``tau_j`` at most its old value
    (``frac(T_j)`` <= any feasible tau) and only loosens the stages downstream."""
    s = np.maximum(s.astype(np.int64), 0)
    si = np.zeros(problem.n_stages, dtype=np.int64)
    for j in derived.order.tolist():
        arcs = derived.ups_arc[derived.ups_ptr[j] : derived.ups_ptr[j + 1]]
        if arcs.size:
            si[j] = s[problem.upstream[arcs]].max()
        cap = min(si[j] + problem.lead_time[j], problem.max_service_time[j])
        s[j] = min(s[j], math.floor(cap + _TOL))
    return s, si


def evaluate_policy(
    problem: GSMProblem,
    service_time: Ints | list[int],
    inbound_service_time: Ints | list[int] | None = None,
    *,
    derived: Derived | None = None,
) -> GSMSolution:
    """Evaluate a given policy (S and optionally SI by stage; SI defaults to the largest
    upstream S). Raises ``ValueError`` if it breaks a constraint (see :func:`violations`)."""
    derived = derived or derive(problem)
    s = np.asarray(service_time, dtype=np.int64)
    if inbound_service_time is None:
        si = np.zeros(problem.n_stages, dtype=np.int64)
        np.maximum.at(si, problem.downstream, s[problem.upstream])
    else:
        si = np.asarray(inbound_service_time, dtype=np.int64)
    broken = violations(problem, s, si)
    if broken:
        raise ValueError(f"infeasible policy: {broken[0]} ({len(broken)} violation(s))")
    tau = si + problem.lead_time - s
    tau = np.where(np.abs(tau) <= _TOL, 0.0, tau)
    safety = derived.ss_coefficient * np.sqrt(tau)
    cost = problem.holding_rate * derived.cumulative_cost * safety
    return GSMSolution(
        name=problem.name,
        stage_ids=problem.stage_ids,
        service_time=s,
        inbound_service_time=si,
        net_replenishment_time=tau,
        safety_stock=safety,
        base_stock=derived.mean * tau + safety,
        safety_stock_cost=cost,
        pipeline_stock=derived.mean * problem.lead_time,
        cumulative_cost=derived.cumulative_cost,
        demand_mean=derived.mean,
        total_safety_stock_cost=float(cost.sum()),
        lower_bound=math.nan,
        gap=math.nan,
        status="evaluated",
        seconds=0.0,
        assumptions=assumptions(problem),
    )


def violations(problem: GSMProblem, s: Ints, si: Ints) -> list[str]:
    """Every broken constraint of a policy, in words (empty when feasible)."""
    out: list[str] = []
    ids = problem.stage_ids
    for j in np.flatnonzero(s < 0).tolist() + np.flatnonzero(si < 0).tolist():
        out.append(f"stage {ids[j]!r}: negative service time")
    for j in np.flatnonzero(s > problem.max_service_time + _TOL).tolist():
        out.append(f"stage {ids[j]!r}: S={s[j]} above the maximum {problem.max_service_time[j]:g}")
    for j in np.flatnonzero(si + problem.lead_time - s < -_TOL).tolist():
        out.append(f"stage {ids[j]!r}: S={s[j]} > SI + T = {si[j] + problem.lead_time[j]:g}")
    late = np.flatnonzero(si[problem.downstream] < s[problem.upstream])
    for e in late.tolist():
        i, j = problem.upstream[e], problem.downstream[e]
        out.append(f"arc {ids[i]!r} -> {ids[j]!r}: SI={si[j]} < upstream S={s[i]}")
    return out
