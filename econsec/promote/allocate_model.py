"""The allocation problem's types and its mixed-integer programme in matrix form, solved with
HiGHS through ``scipy.optimize.milp`` (the formulation is in :mod:`econsec.promote.allocate`).

Variables are the binaries ``x_ik`` of every option of every candidate, in problem order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from econsec.errors import EconsecError, InvalidInput

Progress = Callable[[str, float], None]
Floats = npt.NDArray[np.float64]
SOLVER = "HiGHS (scipy.optimize.milp)"
_CHOSEN = 0.5  # a binary above this is 1 (HiGHS returns values within 1e-6 of 0 or 1)
#: Largest cost, value or budget accepted: HiGHS reads 1e20 as infinity and loses precision
#: long before (amounts are in budget units such as ¥ bn, far below this).
LARGEST = 1e15


@dataclass(frozen=True, slots=True)
class Option:
    """One funding level of a candidate: its cost (budget units), value (value units), an
    optional label, and its cost in each fiscal year of :attr:`Problem.years` (sums to cost)."""

    cost: float
    value: float
    label: str | None = None
    yearly: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A technology that may be funded at one of its options; ``criteria`` feed the scoring."""

    id: str
    options: tuple[Option, ...]
    area: str | None = None
    name: str | None = None
    name_ja: str | None = None
    criteria: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Limit:
    """Spending bounds of one area, in budget units (``max`` may be infinite)."""

    min: float = 0.0
    max: float = math.inf


@dataclass(frozen=True, slots=True)
class Problem:
    """An allocation problem: budget ``B``, candidates, area limits, must/never-fund sets and
    optional yearly caps (``yearly_budget[t]`` for ``years[t]``; empty means no caps). With
    ``carry_over`` money a year leaves unspent may be spent later (a fund): the caps hold for
    the cumulative spending, ``sum_{s<=t} spent_s <= sum_{s<=t} B_s``."""

    budget: float
    candidates: tuple[Candidate, ...]
    area_limits: Mapping[str, Limit] = field(default_factory=dict)
    must_fund: frozenset[str] = frozenset()
    never_fund: frozenset[str] = frozenset()
    years: tuple[str, ...] = ()
    yearly_budget: tuple[float, ...] = ()
    carry_over: bool = False
    unit: str | None = None

    def index(self, candidate_id: str) -> int:
        """Position of a candidate; InvalidInput naming the unknown id otherwise."""
        for i, c in enumerate(self.candidates):
            if c.id == candidate_id:
                return i
        raise InvalidInput(f"no candidate {candidate_id!r} in the problem")

    def with_rules(
        self,
        *,
        budget: float | None = None,
        must_fund: Sequence[str] = (),
        never_fund: Sequence[str] = (),
    ) -> Problem:
        """The problem with another total budget (yearly caps unchanged) and more must-fund and
        never-fund ids."""
        for cid in (*must_fund, *never_fund):
            self.index(cid)
        return replace(
            self,
            budget=self.budget if budget is None else budget,
            must_fund=self.must_fund | frozenset(must_fund),
            never_fund=self.never_fund | frozenset(never_fund),
        )


@dataclass(slots=True)
class Model:
    """The MIP of a problem in incremental form: ``lo <= A z <= hi``, ``lb <= z <= ub``.

    Each candidate's options are sorted by cost; ``z_j = 1`` means candidate ``owner[j]`` is
    funded at least at the option of rank ``j - first[owner[j]]``, whose index in the file is
    ``option[j]``. Costs, values and yearly costs of ``z_j`` are the increments over the rank
    below, and ``z_j <= z_{j-1}`` within a candidate, so the funded option is the highest rank
    with ``z = 1``. This is the choice model (``x_ik = z_ik - z_i,k+1``) with the same LP bound;
    HiGHS branches on "fund at least this level", which halves the time to prove optimality on
    the benchmark. Rows: the budget, one per limited area, one per capped fiscal year, then the
    order rows ``z_j - z_{j-1} <= 0``."""

    problem: Problem
    value: Floats
    cost: Floats
    a: sparse.csr_array
    lo: Floats
    hi: Floats
    lb: Floats
    ub: Floats
    owner: npt.NDArray[np.int64]
    option: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    areas: tuple[str, ...]
    budget_row: int = 0

    @property
    def n(self) -> int:
        return len(self.problem.candidates)

    @property
    def rule_rows(self) -> int:
        """Rows that are rules of the problem (budget, areas, years); order rows follow."""
        return 1 + len(self.areas) + len(self.problem.yearly_budget)

    def option_var(self, i: int, k: int) -> int:
        """The variable of option ``k`` (file order) of candidate ``i``."""
        j = int(self.first[i])
        while self.option[j] != k:
            j += 1
        return j

    def area_row(self, area: str) -> int:
        return self.budget_row + 1 + self.areas.index(area)

    def year_row(self, t: int) -> int:
        return self.budget_row + 1 + len(self.areas) + t

    def copy(self) -> Model:
        return replace(
            self, lo=self.lo.copy(), hi=self.hi.copy(), lb=self.lb.copy(), ub=self.ub.copy()
        )

    def force(self, i: int, funded: bool) -> Model:
        """A copy where candidate ``i`` must be funded (any option) or may not be."""
        out = self.copy()
        mine = self.owner == i
        if funded:
            out.lb[self.first[i]], out.ub[mine] = 1.0, 1.0
        else:
            out.lb[mine], out.ub[mine] = 0.0, 0.0
        return out

    def rebudget(self, budget: float) -> Model:
        """A copy with total budget ``budget`` (the yearly caps stay)."""
        out = self.copy()
        out.hi[self.budget_row] = budget
        return out


def build(problem: Problem) -> Model:
    """The matrix form of ``problem`` (see :class:`Model`)."""
    check(problem)
    owner: list[int] = []
    option: list[int] = []
    value: list[float] = []
    cost: list[float] = []
    yearly: list[Floats] = []
    first: list[int] = []
    years = len(problem.yearly_budget)
    for i, cand in enumerate(problem.candidates):
        first.append(len(owner))
        below = (0.0, 0.0, np.zeros(years))
        for k in sorted(range(len(cand.options)), key=lambda k: cand.options[k].cost):
            opt = cand.options[k]
            spend = np.asarray(opt.yearly if years else np.zeros(0), dtype=np.float64)
            if problem.carry_over:
                spend = np.cumsum(spend)
            owner.append(i)
            option.append(k)
            cost.append(opt.cost - below[0])
            value.append(opt.value - below[1])
            yearly.append(spend - below[2])
            below = (opt.cost, opt.value, spend)
    nvar = len(owner)
    areas = tuple(problem.area_limits)
    area_row = {a: 1 + r for r, a in enumerate(areas)}
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    order = 1 + len(areas) + years
    for j, i in enumerate(owner):
        rows.append(0)
        cols.append(j)
        data.append(cost[j])
        area = problem.candidates[i].area
        if area is not None and area in area_row:
            rows.append(area_row[area])
            cols.append(j)
            data.append(cost[j])
        for t in np.flatnonzero(yearly[j]):
            rows.append(1 + len(areas) + int(t))
            cols.append(j)
            data.append(float(yearly[j][t]))
        if j != first[i]:  # z_j <= z_{j-1}
            rows += [order, order]
            cols += [j, j - 1]
            data += [1.0, -1.0]
            order += 1
    a = sparse.csr_array(
        sparse.coo_array((data, (rows, cols)), shape=(order, nvar)), dtype=np.float64
    )
    caps = problem.yearly_budget
    if problem.carry_over:
        caps = tuple(float(c) for c in np.cumsum(caps))
    n_order = order - 1 - len(areas) - years
    lo = np.array(
        [0.0, *(problem.area_limits[x].min for x in areas), *([0.0] * years)] + [-np.inf] * n_order,
        dtype=np.float64,
    )
    hi = np.array(
        [problem.budget, *(problem.area_limits[x].max for x in areas), *caps] + [0.0] * n_order,
        dtype=np.float64,
    )
    lb = np.zeros(nvar)
    ub = np.ones(nvar)
    for i, cand in enumerate(problem.candidates):
        if cand.id in problem.must_fund:
            lb[first[i]] = 1.0
        if cand.id in problem.never_fund:
            ub[np.asarray(owner) == i] = 0.0
    return Model(
        problem=problem,
        value=np.asarray(value, dtype=np.float64),
        cost=np.asarray(cost, dtype=np.float64),
        a=a,
        lo=lo,
        hi=hi,
        lb=lb,
        ub=ub,
        owner=np.asarray(owner, dtype=np.int64),
        option=np.asarray(option, dtype=np.int64),
        first=np.asarray(first, dtype=np.int64),
        areas=areas,
    )


def check(problem: Problem) -> None:
    """Refuse a problem no allocation can satisfy for a reason visible without solving."""
    ids = [c.id for c in problem.candidates]
    if not ids:
        raise InvalidInput("the problem has no candidates")
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"candidate ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    for cid in sorted(problem.must_fund | problem.never_fund):
        problem.index(cid)
    both = sorted(problem.must_fund & problem.never_fund)
    if both:
        raise InvalidInput(f"candidates both must-fund and never-fund: {', '.join(both)}")
    if not 0 <= problem.budget <= LARGEST:
        raise InvalidInput(f"budget must be a number in [0, {LARGEST:g}], got {problem.budget}")
    if any(not 0 <= b <= LARGEST for b in problem.yearly_budget):
        raise InvalidInput(f"yearly caps must be numbers in [0, {LARGEST:g}]")
    if problem.yearly_budget and len(problem.yearly_budget) != len(problem.years):
        raise InvalidInput("yearly_budget needs one cap per year of 'years'")
    for c in problem.candidates:
        if not c.options:
            raise InvalidInput(f"candidate {c.id!r} has no funding options")
        for k, o in enumerate(c.options):
            if not (0 <= o.cost <= LARGEST and abs(o.value) <= LARGEST):
                raise InvalidInput(
                    f"candidate {c.id!r} option {k}: cost must be in [0, {LARGEST:g}] and "
                    f"|value| <= {LARGEST:g}, got cost {o.cost}, value {o.value}"
                )
            if problem.yearly_budget and len(o.yearly) != len(problem.years):
                raise InvalidInput(
                    f"candidate {c.id!r} option {k}: needs a cost for each of the "
                    f"{len(problem.years)} years, got {len(o.yearly)}"
                )
    _check_bounds(problem)


def _check_bounds(problem: Problem) -> None:
    must = [c for c in problem.candidates if c.id in problem.must_fund]
    floor = sum(min(o.cost for o in c.options) for c in must)
    if floor > problem.budget:
        raise InvalidInput(
            f"infeasible: the must-fund candidates cost at least {floor:,.6g} with their "
            f"cheapest options, over the budget of {problem.budget:,.6g}"
        )
    minima = 0.0
    for area, limit in problem.area_limits.items():
        if not (0 <= limit.min <= LARGEST and (limit.max == math.inf or 0 <= limit.max <= LARGEST)):
            raise InvalidInput(f"area {area!r}: limits must be numbers in [0, {LARGEST:g}]")
        if limit.min > limit.max:
            raise InvalidInput(f"area {area!r}: min {limit.min:,.6g} > max {limit.max:,.6g}")
        members = [
            c for c in problem.candidates if c.area == area and c.id not in problem.never_fund
        ]
        most = sum(max(o.cost for o in c.options) for c in members)
        if limit.min > most:
            raise InvalidInput(
                f"infeasible: area {area!r} must get at least {limit.min:,.6g} but its "
                f"{len(members)} fundable candidates cost at most {most:,.6g} together"
            )
        least = sum(min(o.cost for o in c.options) for c in members if c.id in problem.must_fund)
        if least > limit.max:
            raise InvalidInput(
                f"infeasible: area {area!r} may get at most {limit.max:,.6g} but its must-fund "
                f"candidates cost at least {least:,.6g}"
            )
        minima += limit.min
    if minima > problem.budget:
        raise InvalidInput(
            f"infeasible: the area minima add up to {minima:,.6g}, over the budget of "
            f"{problem.budget:,.6g}"
        )


@dataclass(slots=True)
class Solved:
    """One MIP solve: HiGHS's status, the 0/1 vector, objective and dual bound."""

    status: str
    x: Floats | None
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        if self.x is None:
            return math.inf
        return max(0.0, self.bound - self.objective) / max(abs(self.objective), 1e-9)


def solve_model(
    model: Model,
    *,
    gap: float = 0.0,
    time_limit: float | None = None,
    minimise_cost: bool = False,
    feasible_only: bool = False,
) -> Solved:
    """Solve the MIP (``minimise_cost``: the cheapest feasible allocation instead;
    ``feasible_only``: any feasible allocation, the first HiGHS finds)."""
    c = model.cost if minimise_cost else -model.value
    if feasible_only:
        c = np.zeros_like(model.value)
    options: dict[str, float | bool] = {"mip_rel_gap": gap}
    if time_limit is not None:
        options["time_limit"] = time_limit
    started = time.perf_counter()
    res = milp(
        c,
        constraints=LinearConstraint(model.a, model.lo, model.hi),
        integrality=np.ones(c.size),
        bounds=Bounds(model.lb, model.ub),
        options=options,
    )
    seconds = time.perf_counter() - started
    sign = 1.0 if minimise_cost else -1.0
    if res.status == 2:
        return Solved("infeasible", None, math.nan, math.nan, seconds)
    if res.x is None:
        if res.status == 1:
            return Solved("time_limit", None, math.nan, math.nan, seconds)
        raise EconsecError(f"HiGHS failed on the allocation problem: {res.message}")
    x = np.where(np.asarray(res.x, dtype=np.float64) > _CHOSEN, 1.0, 0.0)
    objective = sign * float(c @ x)
    dual = getattr(res, "mip_dual_bound", None)
    bound = objective if dual is None or not math.isfinite(dual) else sign * float(dual)
    bound = min(bound, objective) if minimise_cost else max(bound, objective)
    status = "optimal" if res.status == 0 else "time_limit"
    return Solved(status, x, objective, bound, seconds)


def tidy(value: float) -> float:
    """A sum of decimals without its binary noise (``307.40000000000003`` -> ``307.4``)."""
    return float(f"{float(value):.12g}")


def chosen_options(model: Model, x: Floats) -> dict[str, int]:
    """``{candidate id: 0-based option index}`` of the funded candidates, in problem order."""
    out: dict[str, int] = {}
    for j in np.flatnonzero(x > _CHOSEN):  # the last level set within a candidate wins
        out[model.problem.candidates[int(model.owner[j])].id] = int(model.option[j])
    return out
