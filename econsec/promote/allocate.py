"""R&D fund allocation as a mixed-integer programme, solved to proven optimality with HiGHS
(``scipy.optimize.milp``).

Problem (the issue's format, extended): candidates ``i`` with funding options ``k`` of cost
``c_ik`` and value ``v_ik`` (any consistent units: the example uses ¥ bn and value points).
With binary ``x_ik`` (option ``k`` of candidate ``i`` is funded)::

    maximise    sum_ik v_ik x_ik
    subject to  sum_k x_ik <= 1                        each candidate at most one option
                sum_k x_ik  = 1   (i must be funded)    must-fund
                x_ik = 0          (i never funded)      never-fund
                sum_ik c_ik x_ik <= B                  total budget
                m_a <= sum_{i in a, k} c_ik x_ik <= M_a  spending in each limited area a
                sum_ik y_ikt x_ik <= B_t               yearly phasing: cost y_ikt in fiscal
                                                         year t within that year's cap
                sum_{s<=t} sum_ik y_iks x_ik           the same with carry-over (a fund): what
                    <= sum_{s<=t} B_s                    a year leaves unspent stays available

``status`` is ``"optimal"`` when HiGHS proves the optimum within the requested relative gap
(default 0: proven optimal up to HiGHS's absolute tolerance of 1e-6), ``"time_limit"`` when it
stops with a feasible allocation. ``gap = (bound - objective) / max(|objective|, 1e-9)`` where
``bound`` is HiGHS's dual bound (no allocation can be worth more). An infeasible problem raises
:class:`~econsec.errors.InvalidInput` naming the constraint that cannot be met
(:mod:`econsec.promote.allocate_explain` finds it). Explanations and the value-cost Pareto
frontier are in :mod:`econsec.promote.allocate_explain`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from econsec.errors import InvalidInput
from econsec.promote.allocate_model import (
    SOLVER,
    Candidate,
    Floats,
    Limit,
    Model,
    Option,
    Problem,
    Progress,
    build,
    chosen_options,
    solve_model,
    tidy,
)

__all__ = ["Allocation", "Candidate", "Limit", "Option", "Problem", "allocate", "spending"]


@dataclass(slots=True)
class Allocation:
    """The optimal allocation with its proof (bound, gap) and the spending it implies."""

    problem: Problem
    status: str
    objective: float
    bound: float
    gap: float
    chosen: dict[str, int]
    total_cost: float
    seconds: float
    spending_by_area: list[dict[str, Any]]
    spending_by_year: list[dict[str, Any]]
    explanations: list[dict[str, Any]] | None = None
    pareto: list[dict[str, Any]] | None = None
    total_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``econsec promote allocate --format json``."""
        p = self.problem
        data: dict[str, Any] = {
            "objective": self.objective,
            "chosen": self.chosen,
            "total_cost": self.total_cost,
            "status": self.status,
            "gap": self.gap,
            "bound": self.bound,
            "seconds": self.seconds,
            "total_seconds": self.total_seconds,
            "budget": p.budget,
            "unit": p.unit,
            "candidates": len(p.candidates),
            "funded": len(self.chosen),
            "option_index": "0-based position in the candidate's options",
            "solver": SOLVER,
            "spending_by_area": self.spending_by_area,
        }
        if p.yearly_budget:
            data["spending_by_year"] = self.spending_by_year
        if self.explanations is not None:
            data["explanations"] = self.explanations
        if self.pareto is not None:
            data["pareto"] = self.pareto
        return data


def spending(model: Model, x: Floats) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Spending per area (limits, whether a limit binds) and per fiscal year (with caps)."""
    p = model.problem
    by_area: dict[str, float] = {}
    count: dict[str, int] = {}
    spent_by_year = np.zeros(len(p.years))
    for cid, k in chosen_options(model, x).items():
        cand = p.candidates[p.index(cid)]
        area = cand.area or ""
        by_area[area] = by_area.get(area, 0.0) + cand.options[k].cost
        count[area] = count.get(area, 0) + 1
        if cand.options[k].yearly:
            spent_by_year += np.asarray(cand.options[k].yearly)
    tol = 1e-9 * max(1.0, p.budget)
    areas = []
    for area in dict.fromkeys([*(c.area or "" for c in p.candidates), *p.area_limits]):
        spent = by_area.get(area, 0.0)
        row: dict[str, Any] = {
            "area": area or None,
            "spent": tidy(spent),
            "funded": count.get(area, 0),
            "min": None,
            "max": None,
        }
        limit = p.area_limits.get(area)
        if limit is not None:
            row["min"] = limit.min
            row["max"] = limit.max if math.isfinite(limit.max) else None
            row["at_min"] = limit.min > 0 and spent <= limit.min + tol
            row["at_max"] = math.isfinite(limit.max) and spent >= limit.max - tol
        areas.append(row)
    years: list[dict[str, Any]] = []
    for t, year in enumerate(p.years if p.yearly_budget else ()):
        row = {"year": year, "spent": tidy(spent_by_year[t]), "cap": p.yearly_budget[t]}
        if p.carry_over:
            row["cumulative_spent"] = tidy(spent_by_year[: t + 1].sum())
            row["cumulative_cap"] = tidy(sum(p.yearly_budget[: t + 1]))
        years.append(row)
    return areas, years


def allocate(
    problem: Problem,
    *,
    gap: float = 0.0,
    time_limit: float | None = 60.0,
    explain: bool = True,
    resolve: int | None = None,
    pareto: int = 0,
    resolve_gap: float = 1e-4,
    progress: Progress | None = None,
) -> Allocation:
    """Solve ``problem`` to the relative ``gap`` (0: proven optimal); with ``explain`` say why
    each candidate is in or out (re-solving with it forced for the ``resolve`` candidates
    nearest the margin, all when None), and with ``pareto > 0`` add that many points of the
    value-cost frontier up to the budget. The re-solves behind explanations and the frontier
    stop at ``resolve_gap`` (each reports what it proved); ``time_limit`` holds for each solve.
    """
    from econsec.promote import allocate_explain as ex

    for name, value in (("gap", gap), ("resolve_gap", resolve_gap)):
        if not 0 <= value < 1:
            raise InvalidInput(f"{name} must be in [0, 1), got {value}")
    begun = time.perf_counter()
    model = build(problem)
    if progress is not None:
        progress("solve", 0.0)
    solved = solve_model(model, gap=gap, time_limit=time_limit)
    if solved.x is None:
        if solved.status == "infeasible":
            raise ex.diagnose(model, time_limit=time_limit)
        raise InvalidInput(
            f"no feasible allocation found within the time limit of {time_limit} s; "
            "allow more time (--time-limit)"
        )
    if progress is not None:
        progress("solve", 1.0)
    areas, years = spending(model, solved.x)
    result = Allocation(
        problem=problem,
        status=solved.status,
        objective=tidy(solved.objective),
        bound=tidy(solved.bound),
        gap=solved.gap,
        chosen=chosen_options(model, solved.x),
        total_cost=tidy(float(model.cost @ solved.x)),
        seconds=solved.seconds,
        spending_by_area=areas,
        spending_by_year=years,
    )
    if explain:
        result.explanations = ex.explain(
            model,
            solved,
            resolve=resolve,
            gap=max(gap, resolve_gap),
            time_limit=time_limit,
            progress=progress,
        )
    if pareto > 0:
        result.pareto = ex.frontier(
            model,
            points=pareto,
            gap=max(gap, resolve_gap),
            time_limit=time_limit,
            progress=progress,
        )
    result.total_seconds = time.perf_counter() - begun
    return result
