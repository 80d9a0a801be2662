"""The R&D portfolio page (Promote): candidates scored under the user's weights with their rank
stability and a tornado chart, and the fund allocation with the value-cost Pareto frontier and
why each candidate is in or out.

It opens on the shipped example (``data/promote/rd_vision_example.yaml``: the first R&D
vision's technology names, illustrative figures, labelled as such); a signed-in user may upload
a problem file of their own (the format of ``docs/promote-portfolio.md``), which is read,
solved and shown, never stored. The engines and limits are those of ``/promote/allocate`` and
``/promote/score``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from econsec.api.routers.know import cached
from econsec.api.uploads import uploaded
from econsec.datasets.policy_schemas import Source
from econsec.errors import EconsecError, InvalidInput
from econsec.web import guard
from econsec.web.i18n import N_, Locale
from econsec.web.know import csv_download, number
from econsec.web.pages import current_actor, failure, locale_of, render, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)

METHODS = {
    "weighted": N_("Weighted sum"),
    "topsis": N_("TOPSIS (closeness to the ideal)"),
    "promethee": N_("PROMETHEE II (outranking)"),
}
TORNADO_TITLE = N_("%(candidate)s: score when each weight moves by ±%(swing)s %%")
TORNADO_UNIT = N_("score")
WEIGHT_DOWN = N_("weight -%(swing)s %%")
WEIGHT_UP = N_("weight +%(swing)s %%")
PARETO_TITLE = N_("Most value for each budget (value-cost frontier)")
COST_AXIS = N_("cost (%(unit)s)")
VALUE_AXIS = N_("value")
CHOSEN = N_("chosen")
BUDGET = N_("budget")
#: Technology lists a candidates file may start from (``GET /promote/candidates``).
CANDIDATE_LISTS = {
    "k_program_vision_1": N_("K Program vision"),
    "us_cet_2024": N_("US CET 2024"),
    "eu_2023": N_("EU 2023"),
    "aspi_tracker": N_("ASPI tracker"),
}
#: Messages translated from Python (tests check each has a Japanese translation).
MESSAGES = (
    *METHODS.values(),
    *CANDIDATE_LISTS.values(),
    TORNADO_TITLE,
    TORNADO_UNIT,
    WEIGHT_DOWN,
    WEIGHT_UP,
    PARETO_TITLE,
    COST_AXIS,
    VALUE_AXIS,
    CHOSEN,
    BUDGET,
)
MAX_UPLOAD = 5 * 1024 * 1024  # bytes of a problem file


def _portfolio_form(
    method: str = "topsis",
    weights: str = "",
    budget: str = "",
    draws: str = "200",
    swing: str = "20",
    candidate: str = "",
    pareto: str = "8",
) -> dict[str, str]:
    """The page's settings as entered (trimmed); the page's and the CSVs' query parameters."""
    return {
        "method": method.strip() if method.strip() in METHODS else "topsis",
        "weights": weights.strip()[:500],
        "budget": budget.strip()[:30],
        "draws": draws.strip(),
        "swing": swing.strip(),
        "candidate": candidate.strip()[:200],
        "pareto": pareto.strip(),
    }


PortfolioForm = Annotated[dict[str, str], Depends(_portfolio_form)]


def _example() -> Source:
    from econsec.datasets.promote_problem import example_path, read_source

    return read_source(example_path())


def _weights(text: str) -> dict[str, float]:
    from econsec.promote.portfolio import parse_weights

    return parse_weights([text]) if text else {}


def _scores(source: Source, form: dict[str, str]) -> dict[str, Any] | None:
    """The scoring report (ranks, rank stability, tornado rows), None when the file has no
    criteria to score on."""
    from econsec.datasets.promote_problem import to_alternatives
    from econsec.promote.portfolio_sensitivity import report

    if not source.data.get("criteria"):
        return None
    alts = to_alternatives(source)
    draws = int(number(form["draws"], "draws", 0, 5000, whole=True))
    swing = number(form["swing"], "swing", 1, 90)
    return report(alts, form["method"], _weights(form["weights"]), draws=draws, swing=swing / 100)


def _allocation(source: Source, form: dict[str, str]) -> dict[str, Any] | None:
    """The optimal allocation with explanations and the frontier, as ``/promote/allocate``;
    None for a candidates file without funding options (scores only)."""
    from econsec.api.routers.promote_portfolio import within_limits
    from econsec.datasets.promote_problem import to_problem
    from econsec.promote.allocate import allocate

    candidates = source.data.get("candidates") or []
    if not any(isinstance(c, dict) and c.get("options") for c in candidates):
        return None
    problem = within_limits(to_problem(source))
    if form["budget"]:
        budget = number(form["budget"], "budget", 0, 1e15)
        problem = problem.with_rules(budget=budget)
    points = int(number(form["pareto"], "pareto", 0, 30, whole=True))
    return allocate(problem, pareto=points, resolve=20, time_limit=30.0).to_dict()


def _named(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{**r, "shown": names.get(r["id"], r["id"])} for r in rows]


def _names(locale: Locale, source: Source) -> dict[str, str]:
    """Candidate id -> its name in the page's language (Japanese where the file gives it)."""
    found: dict[str, str] = {}
    for c in source.data.get("candidates") or []:
        if isinstance(c, dict) and "id" in c:
            name = c.get("name_ja") if locale.language == "ja" and c.get("name_ja") else None
            found[str(c["id"])] = str(name or c.get("name") or c["id"])
    return found


def _results(locale: Locale, source: Source, form: dict[str, str]) -> dict[str, Any]:
    """The page's context for one problem: scores with their tornado, the allocation and its
    frontier, each chart as SVG."""
    from econsec.reports.portfolio_charts import pareto_chart, tornado_chart

    _ = locale.gettext
    names = _names(locale, source)
    scores = _scores(source, form)
    allocation = _allocation(source, form)
    context: dict[str, Any] = {"names": names, "scores": None, "allocation": allocation}
    if scores is not None:
        ranked = _named(scores["candidates"], names)
        chosen = form["candidate"] if form["candidate"] in names else ranked[0]["id"]
        rows = [r for r in scores.get("tornado", []) if r["id"] == chosen]
        swing = locale.number(number(form["swing"], "swing", 1, 90))
        title = _(TORNADO_TITLE, candidate=names.get(chosen, chosen), swing=swing)
        context |= {
            "scores": {**scores, "candidates": ranked},
            "tornado_for": chosen,
            "tornado_rows": rows,
            "tornado_title": title,
            "tornado_svg": tornado_chart(
                [{**r, "criterion": _criterion(scores, r["criterion"])} for r in rows],
                title=title,
                unit=_(TORNADO_UNIT),
                base=rows[0]["score"] if rows else None,
                low_label=_(WEIGHT_DOWN, swing=swing),
                high_label=_(WEIGHT_UP, swing=swing),
            ),
        }
    if allocation is None:
        return context
    unit = allocation.get("unit") or ""
    context |= {
        "explanations": _named(allocation.get("explanations") or [], names),
        "pareto_svg": pareto_chart(
            allocation.get("pareto") or [],
            chosen=(allocation["total_cost"], allocation["objective"]),
            budget=allocation["budget"],
            title=_(PARETO_TITLE),
            x_label=_(COST_AXIS, unit=unit) if unit else _(COST_AXIS, unit="-"),
            y_label=_(VALUE_AXIS),
            chosen_label=_(CHOSEN),
            budget_label=_(BUDGET),
            digits=1,
        ),
    }
    return context


def _criterion(scores: dict[str, Any], ident: str) -> str:
    return next(
        (str(c.get("name") or ident) for c in scores["criteria"] if c["id"] == ident), ident
    )


def _about(source: Source) -> dict[str, Any]:
    """What the file says of itself: title, unit, note, source and its assumptions."""
    data = source.data
    assumptions = data.get("assumptions") or []
    if isinstance(assumptions, str):
        assumptions = [assumptions]
    return {
        "title": data.get("title"),
        "note": data.get("note"),
        "source": data.get("source"),
        "unit": data.get("unit"),
        "assumptions": [str(a) for a in assumptions],
    }


def _kept(
    request: Request, locale: Locale, source: Source, form: dict[str, str], example: bool
) -> dict[str, Any]:
    """:func:`_results`, kept in the API's cache for the shipped example (per language and
    settings), so the page and its CSVs solve once; an uploaded file is solved each time."""
    if not example:
        return _results(locale, source, form)
    stamp = source.path.stat().st_mtime_ns
    key = ("web-portfolio", str(source.path), stamp, locale.language, *form.values())
    return cached(request.app.state.catalogue, key, lambda: _results(locale, source, form))


def _page(
    request: Request,
    actor: Any,
    form: dict[str, str],
    source: Source | None,
    example: bool,
    error: EconsecError | None = None,
) -> Response:
    """The page on ``source`` (scored and allocated), or with ``error`` when it could not be
    read."""
    locale = locale_of(request)
    context: dict[str, Any] = {
        "form": form,
        "methods": METHODS,
        "example": example,
        "candidate_lists": CANDIDATE_LISTS,
        "error": error,
    }
    if source is not None:
        context["about"] = _about(source)
        context["file"] = source.path.name
        try:
            context |= _kept(request, locale, source, form, example)
        except EconsecError as error:
            context["error"] = error
    context["query"] = urlencode(form)
    return render(request, "promote_portfolio.html", actor=actor, section="promote", **context)


@router.get("/promote/portfolio", response_model=None)
def portfolio_page(request: Request, form: PortfolioForm) -> Response:
    """The shipped example scored and allocated under the page's settings."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        source = _example()
    except EconsecError as error:
        return failure(request, actor, error)
    return _page(request, actor, form, source, example=True)


@router.post("/promote/portfolio", response_model=None)
def portfolio_upload(
    request: Request,
    csrf: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    method: Annotated[str, Form()] = "topsis",
    weights: Annotated[str, Form()] = "",
    budget: Annotated[str, Form()] = "",
    draws: Annotated[str, Form()] = "200",
    swing: Annotated[str, Form()] = "20",
    pareto: Annotated[str, Form()] = "8",
) -> Response:
    """A problem file of the user's, read, scored and allocated (nothing is stored)."""
    from econsec.datasets.promote_problem import read_source

    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    form = _portfolio_form(method, weights, budget, draws, swing, "", pareto)
    try:
        guard.check_csrf(request, csrf)
    except EconsecError as error:
        return failure(request, actor, error)
    try:
        with uploaded(file, default="problem.yaml") as (target,):
            if target.stat().st_size > MAX_UPLOAD:
                limit = MAX_UPLOAD // 1024 // 1024
                raise InvalidInput(f"{target.name}: larger than {limit} MB")
            source = read_source(target)
    except EconsecError as error:
        return _page(request, actor, form, None, example=False, error=error)
    return _page(request, actor, form, source, example=False)


SCORE_COLUMNS = ["rank", "id", "shown", "area", "score", "kept_rank_share", "top_k_share"]
SCORE_COLUMNS += ["first_share", "mean_rank", "rank_p05", "rank_p95"]
ALLOCATION_COLUMNS = ["id", "shown", "area", "funded", "option", "label", "cost", "value", "reason"]
PARETO_COLUMNS = ["budget", "status", "objective", "total_cost", "gap", "funded", "efficient"]


@router.get("/promote/portfolio.csv", response_model=None)
def portfolio_csv(request: Request, form: PortfolioForm, view: str = "allocation") -> Response:
    """The example's scores (``view=scores``), allocation (``allocation``, the default) or
    frontier (``pareto``) under the page's settings."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        source = _example()
        results = _kept(request, locale_of(request), source, form, example=True)
    except EconsecError as error:
        return failure(request, actor, error)
    if view == "scores" and results["scores"] is not None:
        rows = results["scores"]["candidates"]
        criteria = [c["id"] for c in results["scores"]["criteria"]]
        header = ["method", *SCORE_COLUMNS, *criteria]
        body = [[form["method"], *(r.get(c) for c in header[1:])] for r in rows]
        return csv_download("portfolio-scores.csv", header, body)
    if view == "pareto":
        rows = (results["allocation"] or {}).get("pareto") or []
        return csv_download(
            "portfolio-pareto.csv",
            PARETO_COLUMNS,
            [[r.get(c) for c in PARETO_COLUMNS] for r in rows],
        )
    rows = results.get("explanations", [])
    return csv_download(
        "portfolio-allocation.csv",
        ALLOCATION_COLUMNS,
        [[r.get(c) for c in ALLOCATION_COLUMNS] for r in rows],
    )
