"""The guaranteed-service solver on the 38 real Willems (2008) chains (GSM form from snc).

What is checked, and against what:

* every policy is feasible (constraints re-checked here from the stage rows) and its cost is
  recomputed from the rows;
* snc's published costs (``meio/willems_dataset/exps/summary_notes.txt``, commit 158b05f) are
  reproduced to the cent when lead times are truncated as snc's reader does;
* the reference stock levels with mean lead times (``optimal_inventory_levels.csv``): total
  safety stock (stage stocks rounded to units) and total stock = safety + pipeline stock;
* the published costs (``reported_optimal_cost.txt``) are 0.35 x this cost basis on the chains
  with deterministic lead times (an annual holding rate of 35 % on the value of safety stock,
  by our reading); chains 18 and 19 are off by exactly x100 and x10, chain 27 by 0.40, and the
  chains with stochastic lead times are not comparable (PROVENANCE caveat), so they are only
  reported.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from econsec.datasets.willems import (
    Rounding,
    read_gsm_stages,
    read_reference_levels,
    read_reported_costs,
)
from econsec.know.stockpile import GSMProblem, GSMSolution, solve_gsm, violations
from econsec.know.stockpile.problem import derive
from tests.conftest import shared_file

#: snc's GSM-DAG costs (summary_notes.txt), lead times truncated to whole days.
SNC_COSTS = {
    2: 27188806.10,
    4: 139918.53,
    6: 1292.20,
    7: 10383011.22,
    14: 42414.30,
    15: 2790741.86,
    17: 3108718.36,
    22: 2314763.27,
    30: 2427192.68,
    31: 56811809.53,
}
#: Chains whose lead times are all deterministic (snc's topology notes).
DETERMINISTIC = (2, 4, 13, 17, 18, 19, 23, 25, 27, 34, 35)


def folder() -> Path:
    return shared_file("supply/willems2008")


def chain(n: int, rounding: Rounding = "none") -> GSMProblem:
    return read_gsm_stages(
        folder() / "gsm_stages" / f"willems_{n:02d}.csv", lead_time_rounding=rounding
    )


def check(problem: GSMProblem, sol: GSMSolution) -> None:
    """Feasibility and cost, re-derived from the stage rows."""
    rows = sol.to_arrow().to_pydict()
    s = np.asarray(rows["service_time"])
    si = np.asarray(rows["inbound_service_time"])
    assert np.all(si[problem.downstream] >= s[problem.upstream])
    assert np.all(si + problem.lead_time - s >= -1e-9)
    assert np.all(s <= problem.max_service_time)
    assert np.all((s >= 0) & (si >= 0))
    assert violations(problem, s, si) == []
    d = derive(problem)
    tau = np.asarray(rows["net_replenishment_time"])
    assert tau == pytest.approx(si + problem.lead_time - s, abs=1e-9)
    cost = problem.holding_rate * d.cumulative_cost * d.ss_coefficient * np.sqrt(tau)
    assert sol.total_safety_stock_cost == pytest.approx(cost.sum(), rel=1e-9)
    assert sum(rows["safety_stock_cost"]) == pytest.approx(cost.sum(), rel=1e-9)
    assert sol.lower_bound <= sol.total_safety_stock_cost * (1 + 1e-9)


@pytest.mark.parametrize("n", range(1, 16))
def test_small_chains_are_solved_optimally(n: int) -> None:
    problem = chain(n)
    sol = solve_gsm(problem)
    assert sol.status == "optimal"
    assert sol.gap <= 1e-6
    check(problem, sol)


@pytest.mark.parametrize("n", sorted(SNC_COSTS))
def test_snc_costs_are_reproduced_with_truncated_lead_times(n: int) -> None:
    sol = solve_gsm(chain(n, "floor"))
    assert sol.status == "optimal"
    assert sol.total_safety_stock_cost == pytest.approx(SNC_COSTS[n], abs=0.01)


def test_reference_stock_levels_with_mean_lead_times() -> None:
    levels = read_reference_levels(folder() / "optimal_inventory_levels.csv")
    mean = {r.chain: r for r in levels if r.lead_time == "mean"}
    assert sorted(mean) == [1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15]
    for n, ref in mean.items():
        # whole-day lead times, as in the reference's mean-lead-time runs
        sol = solve_gsm(chain(n, "round"))
        safety = float(np.round(sol.safety_stock).sum())
        total = safety + sol.total_pipeline_stock
        assert safety == pytest.approx(ref.safety_stock, rel=0.025), n
        assert total == pytest.approx(ref.total_stock, rel=0.015), n
    for n in (6, 10, 11, 15):  # to the unit (15: 511,250 against 511,227) with lead times as given
        sol = solve_gsm(chain(n))
        safety = float(np.round(sol.safety_stock).sum())
        assert safety == pytest.approx(mean[n].safety_stock, rel=1e-4)
        assert safety + sol.total_pipeline_stock == pytest.approx(mean[n].total_stock, rel=5e-4)


@functools.cache
def reported() -> dict[int, float]:
    """``reported_optimal_cost.txt`` by chain (read once)."""
    return read_reported_costs(folder() / "reported_optimal_cost.txt")


def reported_ratio(n: int, sol: GSMSolution) -> float:
    return reported()[n] / sol.total_safety_stock_cost


def test_reported_costs_are_035_of_this_basis_on_deterministic_chains() -> None:
    assert len(reported()) == 38
    for n in (2, 4, 13, 17, 23, 25):  # 34 and 35 (0.350, 0.349) in the slow test
        assert reported_ratio(n, solve_gsm(chain(n))) == pytest.approx(0.35, abs=0.002), n
    assert reported_ratio(18, solve_gsm(chain(18))) == pytest.approx(35.0, rel=0.005)  # x100
    assert reported_ratio(19, solve_gsm(chain(19))) == pytest.approx(3.5, rel=0.005)  # x10
    at_35 = read_gsm_stages(folder() / "gsm_stages" / "willems_23.csv", holding_rate=0.35)
    assert reported_ratio(23, solve_gsm(at_35)) == pytest.approx(1.0, abs=0.005)


@pytest.mark.slow
def test_all_38_chains_solve_to_proven_optimality() -> None:
    # Time is measured by benchmarks/willems_gsm.py, not here.
    for n in range(1, 39):
        problem = chain(n)
        sol = solve_gsm(problem)
        assert sol.status == "optimal", n
        check(problem, sol)
        if n in (34, 35):
            assert reported_ratio(n, sol) == pytest.approx(0.35, abs=0.002), n
        if n == 27:
            assert reported_ratio(n, sol) == pytest.approx(0.40, abs=0.002)  # unexplained
