"""Why each candidate is in or out of an optimal allocation, why a problem is infeasible, and
the value-cost Pareto frontier (:mod:`econsec.promote.allocate` builds and solves the MIP).

**Marginal prices.** The LP relaxation of the MIP (HiGHS) gives a price per unit of budget
``lambda_B``, per unit spent in an area at its maximum ``lambda_a`` (or its minimum, negative)
and per unit of each capped year. ``marginal_ratio = lambda_B + lambda_a(i)`` is the value one
unit of cost buys at the margin of candidate ``i``'s area: a funded option's value/cost ratio
is usually above it and an unfunded candidate's best ratio below it (the MIP's discreteness
makes exceptions, which the re-solve below exposes).

**Forcing.** The decisive figure is what the objective would lose if the decision were
reversed: the MIP is re-solved with a funded candidate forced out (never-fund) or an unfunded
one forced in (must-fund, any option). ``loss_if_forced = objective - objective_if_forced``
(>= 0; 0 means an equally good allocation makes the other choice). The re-solve stops at a
relative gap (``resolve_gap``, default 1e-4), so the true loss lies between ``loss_at_least``
(from the re-solve's bound) and ``loss_if_forced``; they are equal when it proved optimality.
A forced re-solve that is infeasible means the rules decide alone (a candidate that cannot be
funded, or one without which an area minimum fails), and the conflicting rules are named.

**Infeasibility.** :func:`diagnose` runs a deletion filter over the rules (budget, each area's
minimum and maximum, each yearly cap, each must-fund): starting from all of them it drops every
rule whose removal leaves the problem infeasible, so what remains is an irreducible set of rules
that cannot hold together (Chinneck & Dravnieks 1991), named in the InvalidInput.

**Frontier.** :func:`frontier` solves the MIP for total budgets evenly spaced above the cheapest
feasible allocation's cost up to the budget (the yearly caps and area limits stay as they are);
points that cost more for no more value are flagged ``efficient: false``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import linprog

from econsec.errors import InvalidInput
from econsec.promote.allocate_model import (
    Floats,
    Model,
    Solved,
    chosen_options,
    solve_model,
    tidy,
)

Progress = Callable[[str, float], None]
_TOL = 1e-7
_CHEAP_SECONDS = 1.0


def prices(model: Model) -> Floats:
    """Shadow price of each row of ``model`` in its LP relaxation (value per unit of the row;
    0 for slack rows; negative for a binding minimum)."""
    upper = np.flatnonzero(np.isfinite(model.hi))
    lower = np.flatnonzero(model.lo > 0)
    a_ub = model.a[upper, :]
    if lower.size:
        from scipy import sparse

        a_ub = sparse.vstack([a_ub, -model.a[lower, :]]).tocsr()
    b_ub = np.concatenate([model.hi[upper], -model.lo[lower]])
    res = linprog(
        -model.value,
        A_ub=a_ub,
        b_ub=b_ub,
        bounds=np.column_stack([np.zeros(model.ub.size), model.ub]),
        method="highs",
    )
    out = np.zeros(model.lo.size)
    if res.status != 0:
        return out
    marg = -np.asarray(res.ineqlin.marginals, dtype=np.float64)
    out[upper] += marg[: upper.size]
    out[lower] -= marg[upper.size :]
    return out


def _ratio(cost: float, value: float) -> float | None:
    return value / cost if cost > 0 else None


def explain(
    model: Model,
    solved: Solved,
    *,
    resolve: int | None = None,
    gap: float = 0.0,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """One explanation per candidate, in problem order (see the module docstring)."""
    assert solved.x is not None
    p, x = model.problem, solved.x
    price = prices(model)
    price[model.rule_rows :] = 0.0  # order rows tie levels together: they cost nothing
    step = price @ model.a  # value forgone, at marginal prices, by each level's increment
    chosen = chosen_options(model, x)
    left = model.hi - model.a @ x  # headroom of each row
    rows: list[dict[str, Any]] = []
    for i, cand in enumerate(p.candidates):
        k = chosen.get(cand.id)
        opts = cand.options
        best = max(range(len(opts)), key=lambda o: _ratio(opts[o].cost, opts[o].value) or 0.0)
        pick = k if k is not None else best
        cost = opts[pick].cost
        rows.append(
            {
                "id": cand.id,
                "name": cand.name,
                "area": cand.area,
                "funded": k is not None,
                "option": k,
                "label": opts[k].label if k is not None else None,
                "cost": opts[k].cost if k is not None else None,
                "value": opts[k].value if k is not None else None,
                "ratio": _ratio(cost, opts[pick].value),
                "marginal_ratio": _opportunity(model, step, i, pick) / cost if cost else 0.0,
                "must_fund": cand.id in p.must_fund,
                "never_fund": cand.id in p.never_fund,
                "objective_if_forced": None,
                "loss_if_forced": None,
                "loss_at_least": None,
                "blocked_by": _blocked(model, i, left) if k is None else [],
            }
        )
    order = _nearest_margin(rows)
    todo = [i for i in order if not (rows[i]["must_fund"] or rows[i]["never_fund"])]
    if resolve is not None:
        todo = todo[:resolve]
    for done, i in enumerate(todo):
        forced = solve_model(model.force(i, not rows[i]["funded"]), gap=gap, time_limit=time_limit)
        if forced.x is not None:
            rows[i]["objective_if_forced"] = tidy(forced.objective)
            rows[i]["loss_if_forced"] = tidy(max(0.0, solved.objective - forced.objective))
            # the forced re-solve proves no allocation reaches above its bound
            rows[i]["loss_at_least"] = tidy(max(0.0, solved.objective - forced.bound))
        elif forced.status == "infeasible":
            found = _conflict(model.force(i, not rows[i]["funded"]), time_limit)
            forcing = f"must-fund {p.candidates[i].id}"  # the reversal itself, not a reason
            rows[i]["blocked_by"] = [f for f in found if f != forcing] or ["the rules"]
        if progress is not None:
            progress("explain", (done + 1) / len(todo))
    for row in rows:
        row["reason"] = _reason(row, solved.objective)
    return rows


def _opportunity(model: Model, step: Floats, i: int, k: int) -> float:
    """Value forgone at marginal prices by funding option ``k`` of candidate ``i``."""
    j = model.option_var(i, k)
    return float(step[model.first[i] : j + 1].sum())


def _nearest_margin(rows: list[dict[str, Any]]) -> list[int]:
    """Candidates ordered by how close their value/cost ratio is to the marginal one."""

    def distance(i: int) -> float:
        ratio = rows[i]["ratio"]
        if ratio is None:
            return math.inf
        return abs(math.log(max(ratio, 1e-12) / max(rows[i]["marginal_ratio"], 1e-12)))

    return sorted(range(len(rows)), key=distance)


def _blocked(model: Model, i: int, left: Floats) -> list[str]:
    """Rules the candidate's cheapest option does not fit into as the allocation stands."""
    p = model.problem
    cand = p.candidates[i]
    cheap = min(range(len(cand.options)), key=lambda k: cand.options[k].cost)
    option = cand.options[cheap]
    out = []
    if option.cost > left[model.budget_row] + _TOL:
        out.append(f"budget (left {left[model.budget_row]:,.6g})")
    if cand.area in model.areas:
        room = left[model.area_row(cand.area)]
        if option.cost > room + _TOL:
            out.append(f"area {cand.area} maximum (left {room:,.6g})")
    # with carry-over the year rows hold cumulative spending
    spend = np.cumsum(option.yearly) if p.carry_over else np.asarray(option.yearly)
    for t, year in enumerate(p.years if p.yearly_budget else ()):
        room = left[model.year_row(t)]
        if spend[t] > room + _TOL:
            out.append(f"{year} cap (left {room:,.6g})")
    return out


def _reason(row: dict[str, Any], objective: float) -> str:
    ratio, margin, loss = row["ratio"], row["marginal_ratio"], row["loss_if_forced"]
    if row["must_fund"]:
        return f"funded: must-fund (option {row['option']})"
    if row["never_fund"]:
        return "not funded: never-fund"
    tie = loss is not None and loss <= _TOL * max(1.0, abs(objective))
    blocked = row["blocked_by"]
    if row["funded"] and blocked:
        return f"funded at option {row['option']}: required by " + "; ".join(blocked)
    if row["funded"]:
        parts = [f"funded at option {row['option']}"]
        if ratio is not None:
            parts.append(
                f"value/cost {ratio:.3g} >= {margin:.3g} at the margin"
                if ratio >= margin - _TOL
                else f"value/cost {ratio:.3g} is below {margin:.3g} at the margin, but it uses "
                "budget that better ratios cannot fill"
            )
        if loss is not None:
            share = loss / abs(objective) if objective else 0.0
            parts.append(
                "an equally good allocation leaves it out"
                if tie
                else f"leaving it out loses {loss:,.6g} of value ({share:.1%})"
            )
        return "; ".join(parts)
    if loss is None and blocked and not any("left" in b for b in blocked):
        # the forced re-solve was infeasible: these rules exclude the candidate outright
        return "not funded: cannot be funded under " + "; ".join(blocked)
    parts = ["not funded"]
    if ratio is not None:
        parts.append(
            f"best value/cost {ratio:.3g} < {margin:.3g} at the margin"
            if ratio < margin - _TOL
            else f"best value/cost {ratio:.3g} reaches {margin:.3g} at the margin, but"
        )
    if blocked:
        parts.append("its cheapest option does not fit: " + ", ".join(blocked))
    if loss is not None:
        parts.append(
            "an equally good allocation includes it"
            if tie
            else f"funding it would lose {loss:,.6g} of value"
        )
    return "; ".join(parts).replace("but;", "but")


# --- infeasibility ----------------------------------------------------------------------------

Rule = tuple[str, int, str]  # ("lo" | "hi", row, description) or ("lb", variable, ...)


def _rules(model: Model) -> list[Rule]:
    p = model.problem
    out: list[Rule] = [("hi", model.budget_row, f"budget <= {p.budget:,.6g}")]
    for area in model.areas:
        row, limit = model.area_row(area), p.area_limits[area]
        if limit.min > 0:
            out.append(("lo", row, f"area {area} minimum {limit.min:,.6g}"))
        if math.isfinite(limit.max):
            out.append(("hi", row, f"area {area} maximum {limit.max:,.6g}"))
    for t, year in enumerate(p.years if p.yearly_budget else ()):
        out.append(("hi", model.year_row(t), f"{year} cap {model.hi[model.year_row(t)]:,.6g}"))
    for i in range(model.n):
        if model.lb[model.first[i]] > 0:
            out.append(("lb", int(model.first[i]), f"must-fund {p.candidates[i].id}"))
    return out


def _feasible(model: Model, rules: list[Rule], keep: set[int], time_limit: float | None) -> bool:
    trial = model.copy()
    for r, (side, row, _) in enumerate(rules):
        if r not in keep:
            if side == "lb":
                trial.lb[row] = 0.0
            elif side == "lo":
                trial.lo[row] = 0.0
            else:
                trial.hi[row] = math.inf
    solved = solve_model(trial, time_limit=time_limit, feasible_only=True)
    # a time-out proves nothing: count it as infeasible so that the rule stays in the set
    return solved.x is not None


def _conflict(model: Model, time_limit: float | None) -> list[str]:
    """An irreducible set of rules that cannot hold together (deletion filter)."""
    rules = _rules(model)
    keep = set(range(len(rules)))
    if _feasible(model, rules, keep, time_limit):
        return []
    for r in range(len(rules)):
        if not _feasible(model, rules, keep - {r}, time_limit):
            keep.discard(r)
    return [rules[r][2] for r in sorted(keep)]


def diagnose(model: Model, *, time_limit: float | None = None) -> InvalidInput:
    """The InvalidInput for an infeasible problem, naming rules that conflict."""
    found = _conflict(model, time_limit)
    if not found:
        return InvalidInput("infeasible: no allocation satisfies the problem's rules")
    return InvalidInput(
        "infeasible: no allocation satisfies these rules together: "
        + "; ".join(found)
        + " (relax one of them)",
        conflict=found,
    )


# --- frontier ---------------------------------------------------------------------------------


def frontier(
    model: Model,
    *,
    points: int = 20,
    gap: float = 0.0,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Best value for ``points`` budgets evenly spaced above the cheapest feasible cost up to
    the budget (at exactly the cheapest cost only the cheapest allocations fit, a needle the
    solver may take long to thread, so the grid starts one step above it)."""
    p = model.problem
    # a near-cheapest allocation is enough to place the grid, and the exact minimum cost can
    # be a hard subset-sum problem (meeting area minima with the fewest yen)
    limit = _CHEAP_SECONDS if time_limit is None else min(time_limit, _CHEAP_SECONDS)
    cheapest = solve_model(model, gap=0.05, time_limit=limit, minimise_cost=True)
    low = cheapest.objective if cheapest.x is not None else 0.0
    budgets = list(np.linspace(low, p.budget, points + 1)[1:])
    out: list[dict[str, Any]] = []
    for step, budget in enumerate(budgets):
        solved = solve_model(model.rebudget(float(budget)), gap=gap, time_limit=time_limit)
        point: dict[str, Any] = {
            "budget": tidy(float(budget)),
            "status": solved.status,
            "cheapest_cost": tidy(low),
        }
        if solved.x is not None:
            point |= {
                "objective": tidy(solved.objective),
                "total_cost": tidy(float(model.cost @ solved.x)),
                "gap": solved.gap,
                "funded": len(chosen := chosen_options(model, solved.x)),
                "chosen": chosen,
            }
        out.append(point)
        if progress is not None:
            progress("frontier", (step + 1) / len(budgets))
    solved_points = [q for q in out if "objective" in q]
    for q in solved_points:
        q["efficient"] = not any(
            r is not q
            and r["total_cost"] <= q["total_cost"] + _TOL
            and r["objective"] >= q["objective"] - _TOL
            and (r["total_cost"] < q["total_cost"] - _TOL or r["objective"] > q["objective"] + _TOL)
            for r in solved_points
        )
    return out
