"""The guaranteed-service solver on small networks: serial, assembly, distribution and diamond
networks checked by hand and by brute-force enumeration of every policy, random DAGs checked
by brute force (hypothesis), and the MIP fallback on an odd cycle whose LP is fractional."""

from __future__ import annotations

import itertools
import json
import math
from functools import cache

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import econsec.know.stockpile.core as core_module
from econsec.know.stockpile import GSMProblem, GSMSolution, evaluate_policy, solve_gsm, violations

STAGE_KEYS = {
    "stage",
    "service_time",
    "inbound_service_time",
    "net_replenishment_time",
    "safety_stock",
    "safety_stock_cost",
    "base_stock",
}


def reference_weights(p: GSMProblem) -> list[float]:
    """h * cumulative cost * pooled demand spread, computed by plain recursion (independent of
    the engine's matrix code)."""
    ups = {
        j: [
            (int(p.upstream[e]), float(p.quantity[e]))
            for e in range(p.n_arcs)
            if p.downstream[e] == j
        ]
        for j in range(p.n_stages)
    }
    downs = {
        i: [
            (int(p.downstream[e]), float(p.quantity[e]))
            for e in range(p.n_arcs)
            if p.upstream[e] == i
        ]
        for i in range(p.n_stages)
    }

    @cache
    def cumulative(j: int) -> float:
        return float(p.added_cost[j]) + sum(q * cumulative(i) for i, q in ups[j])

    @cache
    def units(j: int, k: int) -> float:  # units of j per unit of demand at k
        own = 1.0 if j == k else 0.0
        return own + sum(q * units(d, k) for d, q in downs[j])

    demand = [k for k in range(p.n_stages) if p.demand_mean[k] > 0 or p.demand_std[k] > 0]
    out = []
    for j in range(p.n_stages):
        pool = float(p.risk_pool[j])
        spread = sum((units(j, k) * p.z[k] * p.demand_std[k]) ** pool for k in demand)
        out.append(p.holding_rate * cumulative(j) * spread ** (1 / pool))
    return out


def brute_force(p: GSMProblem) -> tuple[float, tuple[int, ...]]:
    """Least cost over every integer policy S (SI = the largest upstream S)."""
    weights = reference_weights(p)
    longest = [0.0] * p.n_stages
    for j in range(p.n_stages):  # stages are listed upstream first in these tests
        inputs = [longest[int(p.upstream[e])] for e in range(p.n_arcs) if p.downstream[e] == j]
        longest[j] = max(inputs, default=0.0) + float(p.lead_time[j])
    ranges = [range(int(min(longest[j], p.max_service_time[j])) + 1) for j in range(p.n_stages)]
    best: float = math.inf
    arg: tuple[int, ...] = ()
    for s in itertools.product(*ranges):
        si = [0] * p.n_stages
        for e in range(p.n_arcs):
            j = int(p.downstream[e])
            si[j] = max(si[j], s[int(p.upstream[e])])
        tau = [si[j] + p.lead_time[j] - s[j] for j in range(p.n_stages)]
        if min(tau) < -1e-9:
            continue
        cost = sum(w * math.sqrt(max(t, 0.0)) for w, t in zip(weights, tau, strict=True))
        if cost < best - 1e-12:
            best, arg = cost, s
    return best, arg


def check_solution(p: GSMProblem, sol_cost: float, s: np.ndarray, si: np.ndarray) -> None:
    """Constraints re-checked here, and the cost recomputed from the policy."""
    for e in range(p.n_arcs):
        assert si[p.downstream[e]] >= s[p.upstream[e]]
    tau = si + p.lead_time - s
    assert np.all(tau >= -1e-9)
    assert np.all(s <= p.max_service_time)
    assert np.all(s >= 0)
    weights = reference_weights(p)
    assert sol_cost == pytest.approx(
        sum(w * math.sqrt(max(t, 0)) for w, t in zip(weights, tau, strict=True)), rel=1e-9, abs=1e-9
    )


def solve_and_check(p: GSMProblem) -> GSMSolution:
    """Solve ``p``, check the solution against brute force and the constraints, return it."""
    sol = solve_gsm(p)
    best, _ = brute_force(p)
    assert sol.status == "optimal"
    assert sol.total_safety_stock_cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert sol.lower_bound <= sol.total_safety_stock_cost + 1e-9
    assert sol.gap <= 1e-4
    check_solution(p, sol.total_safety_stock_cost, sol.service_time, sol.inbound_service_time)
    return sol


def serial() -> GSMProblem:
    """A -> B -> C, C sells with service time 0; sigma 10, z 1: a = 10 at every stage."""
    return GSMProblem.build(
        ["A", "B", "C"],
        [2, 3, 1],
        [1, 1, 1],
        ["A", "B"],
        ["B", "C"],
        demand_mean=[math.nan, math.nan, 100],
        demand_std=[math.nan, math.nan, 10],
        max_service_time=[math.inf, math.inf, 0],
        z=1.0,
    )


def test_serial_three_stages_holds_everything_at_the_end() -> None:
    # weights 10, 20, 30 ($/sqrt(day)); candidates: stock at all three 10*sqrt2 + 20*sqrt3 + 30
    # = 78.8, at A and C 10*sqrt2 + 30*2 = 74.1, at B and C 20*sqrt5 + 30 = 74.7, only at C
    # 30*sqrt6 = 73.5 (the optimum)
    p = serial()
    assert reference_weights(p) == pytest.approx([10, 20, 30])
    sol = solve_and_check(p)
    assert sol.total_safety_stock_cost == pytest.approx(30 * math.sqrt(6))
    assert sol.service_time.tolist() == [2, 5, 0]
    assert sol.net_replenishment_time.tolist() == [0, 0, 6]
    assert sol.safety_stock.tolist() == pytest.approx([0, 0, 10 * math.sqrt(6)])
    assert sol.base_stock[2] == pytest.approx(100 * 6 + 10 * math.sqrt(6))
    assert sol.pipeline_stock.tolist() == pytest.approx([200, 300, 100])


def test_assembly() -> None:
    # P1, P2 -> M; M's cumulative cost 2 + 1 + 1 = 4, spread z*sigma = 10 everywhere
    p = GSMProblem.build(
        ["P1", "P2", "M"],
        [3, 1, 2],
        [1, 1, 2],
        ["P1", "P2"],
        ["M", "M"],
        demand_mean=[0, 0, 20],
        demand_std=[0, 0, 5],
        max_service_time=[math.inf, math.inf, 0],
        z=2.0,
    )
    assert reference_weights(p) == pytest.approx([10, 10, 40])
    # by hand: both parts quote 1 day (P1 holds 2 days of stock, P2 none), M holds 3 days:
    # 10*sqrt2 + 40*sqrt3 = 83.42; M waiting for both (SI 3) costs 40*sqrt5 = 89.44, parts
    # quoting 0 cost 10*sqrt3 + 10*1 + 40*sqrt2 = 83.89
    sol = solve_and_check(p)
    assert sol.total_safety_stock_cost == pytest.approx(10 * math.sqrt(2) + 40 * math.sqrt(3))
    assert sol.service_time.tolist() == [1, 1, 0]


def test_distribution_pools_risk() -> None:
    # W -> R1, R2: sigma 3 and 4 pool to 5 at W with p = 2, to 7 with p = 1
    for pool, spread in ((2.0, 5.0), (1.0, 7.0)):
        p = GSMProblem.build(
            ["W", "R1", "R2"],
            [4, 1, 1],
            [1, 0, 0],
            ["W", "W"],
            ["R1", "R2"],
            demand_mean=[0, 30, 40],
            demand_std=[0, 3, 4],
            max_service_time=[math.inf, 0, 0],
            z=1.0,
            risk_pool=pool,
        )
        assert reference_weights(p) == pytest.approx([spread, 3, 4])
        assert solve_and_check(p).demand_mean.tolist() == pytest.approx([70, 30, 40])


def test_diamond_dag() -> None:
    p = GSMProblem.build(
        ["S", "A", "B", "D"],
        [2, 1, 3, 1],
        [1, 2, 1, 1],
        ["S", "S", "A", "B"],
        ["A", "B", "D", "D"],
        [1, 2, 1, 1],
        demand_mean=[0, 0, 0, 10],
        demand_std=[0, 0, 0, 4],
        max_service_time=[9, 9, 9, 1],
        service_level=[0.5, 0.5, 0.5, 0.95],
    )
    # S feeds D along two paths, one with 2 units: 3 units of S per unit sold
    assert reference_weights(p)[0] == pytest.approx(1 * 3 * 1.6448536 * 4, rel=1e-6)
    solve_and_check(p)


def test_fractional_lead_times_and_quantities() -> None:
    p = GSMProblem.build(
        ["a", "b", "c", "d"],
        [1.5, 2.25, 0.5, 1.0],
        [2, 1, 1, 3],
        ["a", "a", "b", "c"],
        ["b", "c", "d", "d"],
        [2, 1, 1, 3],
        demand_mean=[0, 0, 0, 5],
        demand_std=[0, 0, 0, 2],
        max_service_time=[9, 9, 9, 1],
    )
    solve_and_check(p)


def triangle(z: float | None = None) -> GSMProblem:
    """0 -> 1 -> 2 and 0 -> 2, an odd cycle of the undirected stage graph."""
    return GSMProblem.build(
        ["0", "1", "2"],
        [1, 2, 1],
        [2, 2, 3],
        ["0", "0", "1"],
        ["1", "2", "2"],
        demand_mean=[0, 0, 1],
        demand_std=[0, 0, 1],
        max_service_time=[math.inf, math.inf, 0],
        z=z,
    )


def test_odd_cycle_needs_the_mip() -> None:
    # the triangle's level LP is fractional; the MIP finds 9 * sqrt(4)
    sol = solve_and_check(triangle(z=1.0))
    assert sol.stats["lp_integral"] is False
    assert sol.stats["used_mip"] is True
    assert sol.total_safety_stock_cost == pytest.approx(18.0)


def test_lp_time_out_still_returns_a_feasible_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    class TimedOut:
        status, x, fun = 1, None, math.nan

    monkeypatch.setattr(core_module, "linprog", lambda *a, **k: TimedOut())
    p = triangle()
    sol = solve_gsm(p, time_limit=1.0)
    assert sol.status == "feasible"
    assert sol.lower_bound == 0.0
    assert sol.gap == pytest.approx(1.0)
    assert violations(p, sol.service_time, sol.inbound_service_time) == []


@st.composite
def dags(draw: st.DrawFn) -> GSMProblem:
    n = draw(st.integers(2, 6))
    arcs = [(i, j) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())]
    sinks = [j for j in range(n) if all(a != j for a, _ in arcs)]
    lead = [draw(st.sampled_from([0, 0.5, 1, 1.3, 2, 3, 4])) for _ in range(n)]
    cost = [draw(st.integers(0, 5)) for _ in range(n)]
    std = [float(draw(st.integers(1, 4))) if j in sinks else 0.0 for j in range(n)]
    promise = [float(draw(st.integers(0, 3))) if j in sinks else math.inf for j in range(n)]
    return GSMProblem.build(
        [f"s{j}" for j in range(n)],
        lead,
        cost,
        [a for a, _ in arcs],
        [b for _, b in arcs],
        [draw(st.sampled_from([1.0, 2.0])) for _ in arcs],
        demand_mean=[5.0 if j in sinks else 0.0 for j in range(n)],
        demand_std=std,
        max_service_time=promise,
        z=draw(st.sampled_from([1.0, 1.645])),
        risk_pool=draw(st.sampled_from([1.0, 2.0, 3.0])),
    )


@settings(max_examples=60, deadline=None)
@given(dags())
def test_random_dags_match_brute_force(p: GSMProblem) -> None:
    solve_and_check(p)


def test_outputs_keep_the_contract() -> None:
    sol = solve_gsm(serial())
    data = json.loads(json.dumps(sol.to_dict()))
    for key in (
        "total_safety_stock_cost",
        "lower_bound",
        "gap",
        "status",
        "seconds",
        "method",
        "assumptions",
        "stages",
    ):
        assert key in data
    assert set(data["stages"][0]) >= STAGE_KEYS
    assert [row["stage"] for row in data["stages"]] == ["A", "B", "C"]
    table = sol.to_arrow()
    assert isinstance(table, pa.Table)
    assert table.num_rows == 3
    assert set(table.column_names) >= STAGE_KEYS
    assert any("cumulative cost" in line for line in data["assumptions"])


def test_evaluate_policy_rejects_infeasible_policies() -> None:
    p = serial()
    cost = evaluate_policy(p, [0, 0, 0]).total_safety_stock_cost
    assert cost == pytest.approx(10 * math.sqrt(2) + 20 * math.sqrt(3) + 30)
    assert violations(p, np.array([3, 0, 0]), np.array([0, 3, 0]))  # A: S > SI + T
    with pytest.raises(ValueError, match="infeasible"):
        evaluate_policy(p, [0, 0, 1])  # C promised 0 days
    progress: list[tuple[str, float]] = []
    solve_gsm(p, progress=lambda m, f: progress.append((m, f)))
    assert progress[0][1] == 0.0
    assert progress[-1] == ("done", 1.0)
