"""Benchmark of R&D fund allocation and scoring (issue 9, part 3). Prints figures; asserts none.

    .venv/bin/python benchmarks/promote_portfolio.py [--runs 5] [--seed 7]

Instances:

* SYNTHETIC (seeded, labelled so): 200 candidates x 5 funding options in 20 areas, each area
  with a minimum and a maximum (the issue's target: proven optimal in <= 2 s). Option costs
  grow with the level, values with diminishing returns (``value ~ cost^0.5..0.9``); the budget
  is 30 % of the cost of funding every candidate fully; each area must get at least 5 % and at
  most 40 % of what its candidates would cost fully funded. A variant adds 5 fiscal years with
  yearly caps (a random phasing per option).
* REAL-BASED: ``data/promote/rd_vision_example.yaml`` (the K Program's first R&D vision
  technologies, illustrative figures).

Baselines: HiGHS stopping at its default 1e-4 relative gap instead of proving optimality, and a
greedy heuristic (fund the best incremental value/cost upgrade that still fits the budget and
the area maxima, until none fits) whose value is compared with the proven optimum.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from econsec.datasets.promote_problem import example_path, read_candidates, read_problem
from econsec.promote.allocate import Candidate, Limit, Option, Problem, allocate
from econsec.promote.portfolio import Alternatives, Criterion, score
from econsec.promote.portfolio_sensitivity import rank_stability, tornado

T = TypeVar("T")


def synthetic(seed: int, n: int = 200, k: int = 5, areas: int = 20, years: int = 0) -> Problem:
    """SYNTHETIC allocation problem (see the module docstring)."""
    rng = np.random.default_rng(seed)
    area_of = rng.integers(0, areas, n)
    cands = []
    for i in range(n):
        base = rng.uniform(1, 10)
        levels = np.cumsum(np.sort(rng.uniform(0.3, 1.0, k)))
        costs = base * levels
        values = rng.uniform(0.5, 2.0) * base * levels ** rng.uniform(0.5, 0.9)
        options = []
        for c, v in zip(costs, values, strict=True):
            yearly = tuple(float(x) for x in rng.dirichlet(np.ones(years)) * c) if years else ()
            options.append(Option(round(float(c), 3), round(float(v), 3), yearly=yearly))
        cands.append(Candidate(f"t{i:03d}", tuple(options), area=f"area{area_of[i]:02d}"))
    full = {f"area{a:02d}": 0.0 for a in range(areas)}
    for c in cands:
        full[c.area or ""] += c.options[-1].cost
    budget = 0.3 * sum(full.values())
    return Problem(
        budget=budget,
        candidates=tuple(cands),
        area_limits={a: Limit(0.05 * f, 0.4 * f) for a, f in full.items()},
        years=tuple(f"FY{2025 + t}" for t in range(years)),
        yearly_budget=tuple([budget / years * 1.1] * years) if years else (),
    )


def greedy(p: Problem) -> float:
    """Value of the greedy baseline: best incremental ratio first, within budget and maxima."""
    level = {c.id: -1 for c in p.candidates}
    spent, by_area, value = 0.0, dict.fromkeys(p.area_limits, 0.0), 0.0
    while True:
        best = None
        for c in p.candidates:
            k = level[c.id]
            now = c.options[k] if k >= 0 else Option(0.0, 0.0)
            for up in range(k + 1, len(c.options)):
                dc, dv = c.options[up].cost - now.cost, c.options[up].value - now.value
                room = p.area_limits[c.area or ""].max - by_area[c.area or ""]
                if dc <= 0 or dv <= 0 or spent + dc > p.budget or dc > room:
                    continue
                if best is None or dv / dc > best[0]:
                    best = (dv / dc, c, up, dc, dv)
        if best is None:
            return value
        _, c, up, dc, dv = best
        level[c.id], spent, value = up, spent + dc, value + dv
        by_area[c.area or ""] += dc


def choice_solve(p: Problem) -> tuple[float, float]:
    """Baseline formulation: one binary per option with "at most one option per candidate"
    rows (the textbook multiple-choice knapsack); (objective, seconds) proven optimal."""
    owner = [i for i, c in enumerate(p.candidates) for _ in c.options]
    opts = [o for c in p.candidates for o in c.options]
    areas = list(p.area_limits)
    n, m = len(p.candidates), len(opts)
    rows, cols, data = [], [], []
    for j, (i, o) in enumerate(zip(owner, opts, strict=True)):
        rows += [i, n, n + 1 + areas.index(p.candidates[i].area or "")]
        cols += [j, j, j]
        data += [1.0, o.cost, o.cost]
    a = sparse.coo_array((data, (rows, cols)), shape=(n + 1 + len(areas), m)).tocsr()
    lo = [0.0] * n + [0.0] + [p.area_limits[x].min for x in areas]
    hi = [1.0] * n + [p.budget] + [p.area_limits[x].max for x in areas]
    started = time.perf_counter()
    res = milp(
        -np.array([o.value for o in opts]),
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    return -float(res.fun), time.perf_counter() - started


def timed(runs: int, fn: Callable[[], T]) -> tuple[float, T]:
    """Median seconds of ``runs`` calls, and the last result."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"# promote portfolio benchmark (runs={args.runs}, seed={args.seed})")

    for years in (0, 5):
        p = synthetic(args.seed, years=years)
        label = "with 5 yearly caps" if years else "no yearly caps"
        sec, res = timed(args.runs, partial(allocate, p, explain=False))
        print(
            f"SYNTHETIC 200x5, 20 area limits, {label}: proven {res.status} in {sec:.3f} s "
            f"(median of {args.runs}, build + solve), objective "
            f"{res.objective:,.3f}, gap {res.gap:.1e}, funded {len(res.chosen)}"
        )
        sec4, fast = timed(args.runs, partial(allocate, p, explain=False, gap=1e-4))
        print(f"  baseline HiGHS default gap 1e-4: {sec4:.3f} s, objective {fast.objective:,.3f}")
        if not years:
            sec_c, (obj_c, _) = timed(args.runs, partial(choice_solve, p))
            print(f"  baseline choice formulation, proven: {sec_c:.3f} s, objective {obj_c:,.3f}")
            g = greedy(p)
            print(f"  baseline greedy: objective {g:,.3f} ({g / res.objective:.2%} of optimum)")
    seeds, proven = [], 0
    for seed in range(1, 11):
        sec, res = timed(1, partial(allocate, synthetic(seed), explain=False))
        seeds.append(sec)
        proven += res.status == "optimal" and res.gap <= 1e-9
    print(
        f"  seeds 1-10, no yearly caps: {proven}/10 proven optimal, median "
        f"{statistics.median(seeds):.2f} s, max {max(seeds):.2f} s"
    )
    p = synthetic(args.seed)
    sec, res = timed(1, lambda: allocate(p, explain=True, resolve=20))
    print(f"  with explanations (20 re-solves at gap 1e-4, the CLI default): {sec:.2f} s")
    sec, res = timed(1, lambda: allocate(p, explain=False, pareto=10))
    print(f"  with a 10-point Pareto frontier: {sec:.2f} s")

    example = read_problem(example_path())
    sec, res = timed(args.runs, lambda: allocate(example, explain=False))
    print(
        f"REAL-BASED example (7 vision technologies, 3 options, 5 years): {sec * 1000:.1f} ms, "
        f"objective {res.objective} for {res.total_cost} of 500 JPY bn"
    )
    sec, _ = timed(args.runs, lambda: allocate(example, explain=True, pareto=20))
    print(f"  with explanations (7 re-solves) and 20 frontier points: {sec:.2f} s")

    rng = np.random.default_rng(args.seed)
    criteria = tuple(Criterion(f"c{j}", "cost" if j == 5 else "benefit") for j in range(6))
    alts = Alternatives(tuple(f"t{i}" for i in range(200)), criteria, rng.uniform(1, 5, (200, 6)))
    for method in ("weighted", "topsis", "promethee"):
        sec, _ = timed(args.runs, partial(score, alts, method))
        stab_sec, _ = timed(1, partial(rank_stability, alts, method, draws=10_000, seed=1))
        torn_sec, _ = timed(1, partial(tornado, alts, method, swing=0.2))
        print(
            f"SYNTHETIC scoring 200x6 {method}: score {sec * 1000:.1f} ms, 10,000 Dirichlet "
            f"draws {stab_sec:.2f} s, tornado +-20 % {torn_sec * 1000:.1f} ms"
        )
    vision = read_candidates(example_path())
    sec, _ = timed(1, lambda: rank_stability(vision, "promethee", draws=10_000, seed=1))
    print(f"REAL-BASED example scoring, PROMETHEE II, 10,000 draws: {sec:.2f} s")


if __name__ == "__main__":
    main()
