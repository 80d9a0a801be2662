"""The allocation MIP against brute-force enumeration (small problems, synthetic and labelled
so), infeasibility messages, explanations, the Pareto frontier, and the real-based example."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from econsec.datasets.promote_problem import example_path, read_problem
from econsec.errors import InvalidInput
from econsec.promote.allocate import Candidate, Limit, Option, Problem, allocate

Choice = tuple[int, ...]  # option index per candidate, -1 = not funded


def feasible(p: Problem, combo: Choice) -> bool:
    picked = [(c, c.options[k]) for c, k in zip(p.candidates, combo, strict=True) if k >= 0]
    if sum(o.cost for _, o in picked) > p.budget + 1e-9:
        return False
    for area, limit in p.area_limits.items():
        spent = sum(o.cost for c, o in picked if c.area == area)
        if not limit.min - 1e-9 <= spent <= limit.max + 1e-9:
            return False
    funded = {c.id for c, _ in picked}
    if not p.must_fund <= funded or p.never_fund & funded:
        return False
    if p.yearly_budget:
        spent_t = np.sum([o.yearly for _, o in picked], axis=0) if picked else np.zeros(1)
        caps = np.asarray(p.yearly_budget)
        if p.carry_over:
            spent_t, caps = np.cumsum(spent_t), np.cumsum(caps)
        if np.any(spent_t > caps + 1e-9):
            return False
    return True


def brute(p: Problem) -> tuple[float, Choice | None]:
    """The best value over every combination of options (and the combination)."""
    best, arg = -math.inf, None
    ranges = [range(-1, len(c.options)) for c in p.candidates]
    for combo in itertools.product(*ranges):
        if feasible(p, combo):
            value = sum(
                c.options[k].value for c, k in zip(p.candidates, combo, strict=True) if k >= 0
            )
            if value > best + 1e-12:
                best, arg = value, combo
    return best, arg


def synthetic(seed: int, n: int = 6, years: int = 0, carry: bool = False) -> Problem:
    """SYNTHETIC: a seeded random problem with two areas and three options per candidate."""
    rng = np.random.default_rng(seed)
    cands = []
    for i in range(n):
        costs = np.sort(rng.integers(1, 12, 3)).astype(float)
        values = np.sort(rng.integers(1, 25, 3)).astype(float)
        options = []
        for c, v in zip(costs, values, strict=True):
            yearly: tuple[float, ...] = ()
            if years:
                share = rng.dirichlet(np.ones(years))
                yearly = tuple(float(x) for x in share * c)
            options.append(Option(float(c), float(v), yearly=yearly))
        cands.append(Candidate(f"c{i}", tuple(options), area="xy"[i % 2]))
    return Problem(
        budget=25.0,
        candidates=tuple(cands),
        area_limits={"x": Limit(3.0, 14.0), "y": Limit(0.0, 16.0)},
        years=tuple(f"FY{t}" for t in range(years)),
        yearly_budget=tuple([9.0] * years),
        carry_over=carry,
    )


def _check(p: Problem, chosen: dict[str, int]) -> Choice:
    combo = tuple(chosen.get(c.id, -1) for c in p.candidates)
    assert feasible(p, combo)
    return combo


@pytest.mark.parametrize("seed", range(8))
def test_optimum_equals_brute_force(seed: int) -> None:
    p = synthetic(seed)
    result = allocate(p, explain=False)
    best, _ = brute(p)
    assert result.status == "optimal" and result.gap <= 1e-9
    assert result.objective == pytest.approx(best)
    combo = _check(p, result.chosen)
    cost = sum(c.options[k].cost for c, k in zip(p.candidates, combo, strict=True) if k >= 0)
    assert result.total_cost == pytest.approx(cost)


@pytest.mark.parametrize(("seed", "carry"), [(1, False), (2, False), (3, True), (4, True)])
def test_yearly_caps_equal_brute_force(seed: int, carry: bool) -> None:
    p = synthetic(seed, years=3, carry=carry)
    result = allocate(p, explain=False)
    assert result.objective == pytest.approx(brute(p)[0])
    _check(p, result.chosen)
    years = result.to_dict()["spending_by_year"]
    assert [y["year"] for y in years] == ["FY0", "FY1", "FY2"]
    assert sum(y["spent"] for y in years) == pytest.approx(result.total_cost)


def test_must_and_never_fund_are_kept() -> None:
    base = synthetic(5)
    free = allocate(base, explain=False)
    out = next(iter(free.chosen))
    absent = next(c.id for c in base.candidates if c.id not in free.chosen)
    p = base.with_rules(must_fund=[absent], never_fund=[out])
    result = allocate(p, explain=False)
    assert absent in result.chosen and out not in result.chosen
    assert result.objective == pytest.approx(brute(p)[0]) and result.objective <= free.objective


def test_explanations_match_forced_brute_force() -> None:
    p = synthetic(6)
    result = allocate(p, resolve_gap=0.0)
    assert result.explanations is not None
    for row in result.explanations:
        funded = row["id"] in result.chosen
        assert row["funded"] is funded and row["option"] == result.chosen.get(row["id"])
        ids = [row["id"]]
        forced = p.with_rules(never_fund=ids) if funded else p.with_rules(must_fund=ids)
        best, _ = brute(forced)
        if math.isinf(best):
            assert row["loss_if_forced"] is None and row["blocked_by"]
        else:
            assert row["objective_if_forced"] == pytest.approx(best)
            assert row["loss_at_least"] == pytest.approx(row["loss_if_forced"])
            assert row["loss_if_forced"] == pytest.approx(result.objective - best)
        assert row["reason"].startswith("funded" if funded else "not funded")


def test_pareto_frontier_equals_brute_force_at_each_budget() -> None:
    p = synthetic(7)
    result = allocate(p, explain=False, pareto=5, resolve_gap=0.0)
    assert result.pareto is not None and len(result.pareto) == 5
    assert result.pareto[-1]["budget"] == p.budget
    assert result.pareto[-1]["objective"] == pytest.approx(result.objective)
    values = [q["objective"] for q in result.pareto]
    assert values == sorted(values)
    for q in result.pareto:
        assert q["objective"] == pytest.approx(brute(p.with_rules(budget=q["budget"]))[0])
        assert q["total_cost"] <= q["budget"] + 1e-9


def _tiny(**rules: Any) -> Problem:
    a = Candidate("a", (Option(60, 10),), area="x")
    b = Candidate("b", (Option(60, 12),), area="y")
    c = Candidate("c", (Option(10, 3), Option(30, 5)), area="y")
    return replace(Problem(budget=100.0, candidates=(a, b, c)), **rules)


def test_infeasible_problems_say_which_rules_conflict() -> None:
    with pytest.raises(InvalidInput, match="must-fund candidates cost at least 120"):
        allocate(_tiny(must_fund=frozenset({"a", "b"})))
    with pytest.raises(InvalidInput, match="area 'x' must get at least 70"):
        allocate(_tiny(area_limits={"x": Limit(70.0)}))
    with pytest.raises(InvalidInput, match="both must-fund and never-fund: a"):
        allocate(_tiny(must_fund=frozenset({"a"}), never_fund=frozenset({"a"})))
    # each minimum alone can be met and they add up to less than the budget, but the only
    # options that meet them cost 60 + 60: the solver's infeasibility is traced to three rules
    with pytest.raises(InvalidInput) as exc:
        allocate(_tiny(area_limits={"x": Limit(50.0), "y": Limit(45.0)}))
    assert "budget <= 100" in exc.value.message
    assert "area x minimum 50" in exc.value.message and "area y minimum 45" in exc.value.message
    assert exc.value.detail["conflict"] == [
        "budget <= 100",
        "area x minimum 50",
        "area y minimum 45",
    ]


def test_bad_numbers_are_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="budget"):
        allocate(_tiny(budget=math.inf))
    with pytest.raises(InvalidInput, match="no candidate 'zz'"):
        _tiny().with_rules(must_fund=["zz"])
    with pytest.raises(InvalidInput, match="gap"):
        allocate(_tiny(), gap=1.5)


# --- the shipped example on the real R&D vision technologies -----------------------------------


def test_example_allocation_is_optimal_and_explained() -> None:
    p = read_problem(example_path())
    assert p.budget == 500 and p.unit == "JPY bn" and len(p.candidates) == 7
    result = allocate(p, pareto=4)
    data = result.to_dict()
    assert data["status"] == "optimal" and data["gap"] <= 1e-9
    assert result.objective == pytest.approx(brute(p)[0])
    assert data["total_cost"] <= 500
    _check(p, result.chosen)
    spent = {r["area"]: r["spent"] for r in data["spending_by_area"]}
    assert set(spent) == {"maritime", "space_aerospace", "cross_cutting_cyber"}
    assert sum(spent.values()) == pytest.approx(data["total_cost"])
    year_rows = data["spending_by_year"]
    assert [y["year"] for y in year_rows] == ["FY2023", "FY2024", "FY2025", "FY2026", "FY2027"]
    assert all(y["cumulative_spent"] <= y["cumulative_cap"] + 1e-9 for y in year_rows)
    assert len(data["explanations"]) == 7 and all(e["reason"] for e in data["explanations"])
    assert [q["status"] for q in data["pareto"]] == ["optimal"] * 4


def test_rules_that_decide_alone_are_named() -> None:
    big = Candidate("d", (Option(30, 100),), area="z")
    p = replace(_tiny(), candidates=(*_tiny().candidates, big), area_limits={"z": Limit(0, 20)})
    result = allocate(p, resolve_gap=0.0)
    assert result.explanations is not None
    row = next(r for r in result.explanations if r["id"] == "d")
    assert not row["funded"] and row["blocked_by"] == ["area z maximum 20"]
    assert row["reason"] == "not funded: cannot be funded under area z maximum 20"
    kept = replace(p, area_limits={"y": Limit(60.0, 100.0)})
    result = allocate(kept, resolve_gap=0.0)
    assert result.explanations is not None
    b = next(r for r in result.explanations if r["id"] == "b")
    assert b["funded"] and "required by area y minimum 60" in b["reason"]
