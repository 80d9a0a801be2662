"""R&D vision scoring and fund allocation over HTTP (Promote): the JSON of ``econsec promote
allocate`` and ``econsec promote score``.

The problem or candidates travel in the request body in the file format of
``docs/promote-portfolio.md`` and are not stored, so, like ``POST /protect/compare``, these
routes need no sign-in. The ``/example`` routes work on the shipped real-based example
(``data/promote/rd_vision_example.yaml``: real technology names, illustrative figures).
``GET /promote/candidates`` starts a candidates file from a technology list of the taxonomy
(a read of reference data, open like the taxonomy routes).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from econsec.api.deps import CatalogueDep
from econsec.api.responses import finite_json
from econsec.datasets.promote_problem import (
    body_source,
    example_path,
    read_source,
    to_alternatives,
    to_problem,
)
from econsec.errors import InvalidInput, NotFound
from econsec.promote.allocate import Problem, allocate
from econsec.promote.portfolio import Alternatives, parse_weights, with_directions
from econsec.promote.portfolio_sensitivity import report
from econsec.store.landscapes import SHIPPED_NAME

router = APIRouter(prefix="/promote", tags=["promote: R&D vision and fund allocation"])

#: Requests larger than this are refused: the solver's work grows with them.
MAX_CANDIDATES = 5000
MAX_OPTIONS = 50_000

EXAMPLE_BODY = {
    "budget": 100,
    "candidates": [
        {"id": "a", "area": "x", "options": [{"cost": 40, "value": 50}, {"cost": 70, "value": 80}]},
        {"id": "b", "area": "y", "options": [{"cost": 30, "value": 45}]},
        {"id": "c", "area": "y", "options": [{"cost": 50, "value": 55}]},
    ],
    "area_limits": {"y": {"min": 30, "max": 60}},
}
SCORE_BODY = {
    "criteria": [
        {"id": "importance", "weight": 0.6},
        {"id": "cost", "direction": "cost", "weight": 0.4},
    ],
    "candidates": [
        {"id": "a", "criteria": {"importance": 5, "cost": 120}},
        {"id": "b", "criteria": {"importance": 3, "cost": 40}},
        {"id": "c", "criteria": {"importance": 4, "cost": 80}},
    ],
}

Pareto = Annotated[int, Query(ge=0, le=100, description="Points of the value-cost frontier")]
Gap = Annotated[float, Query(ge=0, lt=1, description="Relative gap HiGHS may stop at")]
TimeLimit = Annotated[float, Query(gt=0, le=120, description="Seconds for each solve")]
Explain = Annotated[bool, Query(description="Say why each candidate is in or out")]
Resolve = Annotated[int, Query(ge=0, le=200, description="Re-solves for explanations")]
ResolveGap = Annotated[float, Query(ge=0, lt=1, description="Gap of re-solves and frontier")]
Budget = Annotated[float | None, Query(ge=0, le=1e15, description="Replace the budget")]
Ids = Annotated[list[str] | None, Query(description="Candidate ids (repeatable)")]
Method = Annotated[Literal["weighted", "topsis", "promethee"], Query(description="Scoring method")]
Weights = Annotated[list[str] | None, Query(description="CRITERION=WEIGHT[,...]")]
Directions = Annotated[list[str] | None, Query(description="CRITERION=benefit|cost")]
Draws = Annotated[int, Query(ge=0, le=100_000, description="Perturbed weight vectors")]
Concentration = Annotated[float, Query(gt=0, le=1e6, description="Dirichlet concentration")]
Seed = Annotated[int, Query(ge=0, le=2**31, description="Random seed")]
TopK = Annotated[int, Query(ge=1, le=1000, description="Share in the top K")]
Tornado = Annotated[float, Query(ge=0, lt=100, description="Move each weight by +-PCT %")]


def within_limits(problem: Problem) -> Problem:
    """``problem``, or InvalidInput when it is larger than the API and the pages solve."""
    options = sum(len(c.options) for c in problem.candidates)
    if len(problem.candidates) > MAX_CANDIDATES or options > MAX_OPTIONS:
        raise InvalidInput(
            f"too large for the API: {len(problem.candidates)} candidates, {options} options",
            expected=f"at most {MAX_CANDIDATES} candidates and {MAX_OPTIONS} options "
            "(use the command line)",
        )
    return problem


def _solve(
    problem: Problem,
    budget: float | None,
    must_fund: list[str] | None,
    never_fund: list[str] | None,
    **options: Any,
) -> JSONResponse:
    spec = within_limits(problem).with_rules(
        budget=budget, must_fund=must_fund or (), never_fund=never_fund or ()
    )
    return finite_json(allocate(spec, **options).to_dict())


def _example() -> Any:
    path = example_path()
    if not path.exists():
        raise NotFound(f"the shipped example is not installed: {path}")
    return read_source(path)


def _allocation_options(
    pareto: Pareto = 0,
    gap: Gap = 0.0,
    time_limit: TimeLimit = 30.0,
    explain: Explain = True,
    resolve: Resolve = 20,
    resolve_gap: ResolveGap = 1e-4,
    budget: Budget = None,
    must_fund: Ids = None,
    never_fund: Ids = None,
) -> dict[str, Any]:
    """The query parameters of both allocation routes."""
    return {
        "pareto": pareto,
        "gap": gap,
        "time_limit": time_limit,
        "explain": explain,
        "resolve": resolve,
        "resolve_gap": resolve_gap,
        "budget": budget,
        "must_fund": must_fund,
        "never_fund": never_fund,
    }


AllocationOptions = Annotated[dict[str, Any], Depends(_allocation_options)]


@router.post("/allocate")
def allocate_problem(
    problem: Annotated[dict[str, Any], Body(examples=[EXAMPLE_BODY])],
    options: AllocationOptions,
) -> JSONResponse:
    """The optimal allocation of the problem in the body: objective, chosen {CANDIDATE_ID:
    OPTION_INDEX (0-based)}, total_cost, status, gap, bound, seconds, spending_by_area,
    spending_by_year, explanations and pareto (with ``pareto`` > 0)."""
    return _solve(to_problem(body_source(problem)), **options)


@router.get("/allocate/example")
def allocate_example(options: AllocationOptions) -> JSONResponse:
    """The allocation of the shipped example (the K Program's first R&D vision technologies,
    ¥500 bn, illustrative figures), with the same parameters as ``POST /promote/allocate``."""
    return _solve(to_problem(_example()), **options)


@router.get("/portfolio/example")
def example() -> JSONResponse:
    """The shipped example problem file as JSON (edit it and POST it to /promote/allocate)."""
    return finite_json(_example().data)


def _score(
    alts: Alternatives,
    method: str,
    weights: list[str] | None,
    direction: list[str] | None,
    **options: Any,
) -> JSONResponse:
    if len(alts.ids) > MAX_CANDIDATES:
        raise InvalidInput(f"too many candidates: {len(alts.ids)}", expected=f"{MAX_CANDIDATES}")
    turns = {}
    for item in direction or []:
        key, _, value = item.partition("=")
        turns[key.strip()] = value.strip()
    alts = with_directions(alts, turns)
    return finite_json(report(alts, method, parse_weights(weights or []), **options))


def _score_options(
    method: Method = "weighted",
    weights: Weights = None,
    direction: Directions = None,
    sensitivity: Draws = 0,
    concentration: Concentration = 100.0,
    seed: Seed = 0,
    top_k: TopK = 3,
    tornado: Tornado = 0.0,
) -> dict[str, Any]:
    """The query parameters of both scoring routes, as :func:`_score` takes them."""
    return {
        "method": method,
        "weights": weights,
        "direction": direction,
        "draws": sensitivity,
        "concentration": concentration,
        "seed": seed,
        "top_k": top_k,
        "swing": tornado / 100,
    }


ScoreOptions = Annotated[dict[str, Any], Depends(_score_options)]


@router.post("/score")
def score_candidates(
    candidates: Annotated[dict[str, Any], Body(examples=[SCORE_BODY])],
    options: ScoreOptions,
) -> JSONResponse:
    """Scores and ranks of the candidates in the body (the JSON of ``econsec promote score``):
    method, weights, criteria, candidates best first (with kept_rank_share, top_k_share,
    first_share, mean_rank, rank_p05, rank_p95 when ``sensitivity`` > 0), tornado."""
    return _score(to_alternatives(body_source(candidates)), **options)


@router.get("/score/example")
def score_example(options: ScoreOptions) -> JSONResponse:
    """Scores of the shipped example's candidates, with the parameters of POST /promote/score."""
    return _score(to_alternatives(_example()), **options)


@router.get("/candidates")
def candidates_file(
    request: Request,
    catalogue: CatalogueDep,
    list_name: Annotated[
        str,
        Query(alias="list", max_length=60, description="Technology list (id or short name)"),
    ] = "k_program_vision_1",
    dataset: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description="Landscape dataset"),
    ] = SHIPPED_NAME,
    landscape: Annotated[bool, Query(description="Measure jp_strength on the landscape")] = True,
    period: Annotated[int, Query(ge=1, le=50, description="Years per landscape window")] = 5,
    focus: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$", description="Country measured")] = "JP",
    only_derived: Annotated[
        bool, Query(description="Keep only the criteria every candidate has")
    ] = False,
    format: Annotated[Literal["json", "yaml"], Query(description="json or yaml")] = "json",
) -> Response:
    """A candidates file for ``/promote/score`` from a technology list (the JSON or YAML of
    ``econsec promote candidates``): criteria, candidates with their areas, other_lists and
    jp_strength, and meta.to_fill (the criteria left to the analyst)."""
    import yaml

    from econsec.promote.candidates import candidates_from
    from econsec.promote.crosswalk_store import load
    from econsec.promote.landscape import landscape as build
    from econsec.store.landscapes import Landscapes

    taxonomy = load(catalogue, request.app.state.app_store)[1]
    result = None
    if landscape and dataset:
        records = Landscapes(catalogue.store).records(dataset)
        result = build(records, period=period, focus=focus)
    doc = candidates_from(
        taxonomy,
        list_name,
        landscape=result,
        dataset=dataset,
        focus=focus,
        only_derived=only_derived,
    )
    if format == "yaml":
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
        return Response(text.encode("utf-8"), media_type="application/yaml; charset=utf-8")
    return finite_json(doc)
