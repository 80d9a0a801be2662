"""The Promote pages (pillar 3, the think tank's toolkit): the technology lists side by side
with search, the technology landscape by country, the R&D portfolio
(:mod:`econsec.web.portfolio`) and seeds-needs matching (:mod:`econsec.web.matching`).

The engines are those of ``/promote/...`` in the HTTP API; the pages add nothing to the
figures, only charts, tables in both languages and CSV downloads. Landscapes are kept per
loaded data in the API's cache, so a page and its CSV compute once.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from econsec.api.routers.know import cached
from econsec.errors import EconsecError
from econsec.promote.landscape import Landscape, landscape
from econsec.promote.taxonomy import JAPAN, Taxonomy
from econsec.store.landscapes import SHIPPED_NAME, Landscapes
from econsec.web import matching, portfolio
from econsec.web.i18n import N_, Locale
from econsec.web.know import csv_download, number
from econsec.web.pages import current_actor, failure, locale_of, render, sign_in_first

pages = APIRouter(prefix="/web", include_in_schema=False)

#: The technology lists' short names in the comparison table (ids of the policy file).
LIST_NAMES = {
    "japan_20_areas": N_("Japan's 20 areas"),
    "k_program_vision_1": N_("K Program vision"),
    "us_cet_2022": N_("US CET 2022"),
    "us_cet_2024": N_("US CET 2024"),
    "eu_2023": N_("EU 2023"),
    "aspi_tracker": N_("ASPI tracker"),
}
RISKS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
COUNTINGS = {"whole": N_("whole counts"), "fractional": N_("fractional counts")}
METRICS = {
    "share": N_("share of all output"),
    "top10_share": N_("share of the top 10 % most-cited output"),
}
LINES_TITLE = N_("%(technology)s by country, year by year: %(metric)s")
BARS_TITLE = N_("%(technology)s by country, %(period)s: %(metric)s")
SHARE_UNIT = N_("%(metric)s (%%)")
YEAR_AXIS = N_("Year")
NO_OUTPUT = N_("No output for this technology.")
#: Messages the pages translate from Python (tests check each has a Japanese translation).
MESSAGES = (
    *LIST_NAMES.values(),
    *RISKS.values(),
    *COUNTINGS.values(),
    *METRICS.values(),
    LINES_TITLE,
    BARS_TITLE,
    SHARE_UNIT,
    YEAR_AXIS,
    NO_OUTPUT,
    *portfolio.MESSAGES,
    *matching.MESSAGES,
)
SEARCH_LIMIT = 50


def _taxonomy(request: Request) -> Taxonomy:
    """The technology lists with the effective crosswalk (the shipped one plus stored edits)."""
    from econsec.promote.crosswalk_store import load

    return load(request.app.state.catalogue, request.app.state.app_store)[1]


def area_name(locale: Locale, area: Any) -> str:
    """An area's name in the page's language (its English name where no Japanese is given)."""
    return str(area.name_ja if locale.language == "ja" and area.name_ja else area.name_en)


@pages.get("/promote", response_model=None)
def promote_page(
    request: Request, q: str = "", list_name: Annotated[str, Query(alias="list")] = ""
) -> Response:
    """Japan's 20 technology areas against the allies' lists (which list names what under
    each area), and search in English or Japanese over every list."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    from econsec.promote.allies import compare
    from econsec.promote.taxonomy_search import search

    locale = locale_of(request)
    q, chosen = q.strip()[:200], list_name.strip()[:60]
    context: dict[str, Any] = {"q": q, "chosen": chosen, "list_names": LIST_NAMES, "hits": None}
    try:
        taxonomy = _taxonomy(request)
        comparison = compare(taxonomy)
        if q:
            found = search(taxonomy, q, list_name=chosen or None, limit=SEARCH_LIMIT)
            context["hits"] = [_hit(locale, taxonomy, h.to_dict()) for h in found]
    except EconsecError as error:
        return failure(request, actor, error)
    lists = [name for name in taxonomy.lists if name != JAPAN]
    areas = [
        {**row, "name": area_name(locale, taxonomy.areas[row["area"]])}
        for row in comparison["areas"]
    ]
    context |= {
        "taxonomy": taxonomy,
        "lists": [taxonomy.lists[name] for name in lists],
        "searchable": list(taxonomy.lists.values()),
        "areas": areas,
        "us_change": comparison.get("us_2022_vs_2024", {}),
        "one_list_only": comparison.get("one_list_only", []),
    }
    return render(request, "promote.html", actor=actor, section="promote", **context)


def _hit(locale: Locale, taxonomy: Taxonomy, hit: dict[str, Any]) -> dict[str, Any]:
    """A search hit with its name in the page's language and the names of its areas."""
    areas = [
        {**link, "name": area_name(locale, taxonomy.areas[link["area"]])}
        for link in hit["crosswalk"]
        if link["area"] in taxonomy.areas
    ]
    name = hit["name_ja"] if locale.language == "ja" and hit["name_ja"] else hit["name_en"]
    return {**hit, "name": name, "areas": areas}


# -- the landscape ---------------------------------------------------------------------------------


def _landscape_form(
    dataset: str = SHIPPED_NAME,
    technology: str = "",
    period: str = "5",
    top: str = "10",
    focus: str = "JP",
) -> dict[str, str]:
    """The landscape form as entered (trimmed); the page's and the CSV's query parameters."""
    return {
        "dataset": dataset.strip()[:64],
        "technology": technology.strip()[:200],
        "period": period.strip(),
        "top": top.strip(),
        "focus": focus.strip().upper()[:2],
    }


LandscapeForm = Annotated[dict[str, str], Depends(_landscape_form)]


def _built(request: Request, dataset: str, period: int, focus: str) -> Landscape:
    """The landscape of ``dataset`` in windows of ``period`` years, kept per loaded data."""
    catalogue = request.app.state.catalogue

    def build() -> Landscape:
        records = Landscapes(catalogue.store).records(dataset)
        return landscape(records, period=period, focus=focus)

    return cached(catalogue, ("web-landscape", dataset, period, focus), build)


def _landscape(request: Request, form: dict[str, str], period: int | None = None) -> Landscape:
    """The landscape of the form's dataset in windows of the form's years (or ``period``)."""
    years = period or int(number(form["period"], "period", 1, 20, whole=True))
    focus = form["focus"] if form["focus"].isalpha() and len(form["focus"]) == 2 else "JP"
    return _built(request, form["dataset"], years, focus)


def _technologies(result: Landscape) -> list[str]:
    """The technologies of the landscape, in its order."""
    return list(dict.fromkeys(r["technology"] for r in result.leaders.to_pylist()))


def _technology(result: Landscape, form: dict[str, str]) -> str:
    """The form's technology, or the first of the data when it names none of them."""
    techs = _technologies(result)
    return form["technology"] if form["technology"] in techs else (techs[0] if techs else "")


@pages.get("/promote/landscape", response_model=None)
def landscape_page(request: Request, form: LandscapeForm) -> Response:
    """Country strength in one technology: shares year by year and in the latest window, who
    leads each window and the monopoly risk, the focus country's place, the leading
    countries' output and growth, and the comparison with ASPI's published headline."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    from econsec.reports.landscape_charts import share_bars, share_lines

    locale = locale_of(request)
    _ = locale.gettext
    context: dict[str, Any] = {
        "form": form,
        "risks": RISKS,
        "countings": COUNTINGS,
        "metrics": METRICS,
        "result": None,
    }
    try:
        datasets = Landscapes(request.app.state.catalogue.store).list()
    except EconsecError as error:
        return failure(request, actor, error)
    context["datasets"] = datasets
    try:
        windowed = _landscape(request, form)
        annual = _landscape(request, form, period=1)
        tech = _technology(windowed, form)
        top = int(number(form["top"], "top", 1, 50, whole=True))
    except EconsecError as error:
        context["error"] = error
        return render(request, "promote_landscape.html", actor=actor, section="promote", **context)
    latest = windowed.windows[-1].label if windowed.windows else ""
    leaders = [r for r in windowed.leaders.to_pylist() if r["technology"] == tech]
    rows = [r for r in windowed.rows(top) if r["technology"] == tech and r["period"] == latest]
    metric = _(METRICS.get(windowed.metric, windowed.metric))
    lines_title = _(LINES_TITLE, technology=tech, metric=metric)
    bars_title = _(BARS_TITLE, technology=tech, period=latest, metric=metric)
    unit = _(SHARE_UNIT, metric=metric)
    context |= {
        "result": windowed,
        "technology": tech,
        "technologies": _technologies(windowed),
        "latest": latest,
        "leaders": leaders,
        "rows": rows,
        "institutions": [r for r in windowed.institutions.to_pylist() if r["technology"] == tech],
        "lines_title": lines_title,
        "lines_svg": share_lines(
            annual,
            tech,
            top=min(top, 7),
            title=lines_title,
            y_label=unit,
            x_label=_(YEAR_AXIS),
            empty=_(NO_OUTPUT),
        ),
        "bars_title": bars_title,
        "bars_svg": share_bars(
            windowed, tech, top=top, title=bars_title, unit=unit, empty=_(NO_OUTPUT)
        ),
        "aspi": cached(
            request.app.state.catalogue,
            ("web-landscape-aspi", *form.values(), tech),
            lambda: _aspi(windowed, tech),
        ),
        "query": urlencode({**form, "technology": tech}),
    }
    return render(request, "promote_landscape.html", actor=actor, section="promote", **context)


def _aspi(result: Landscape, technology: str) -> dict[str, Any]:
    """ASPI's headline beside ours, and ASPI's technologies paired with ``technology``."""
    from econsec.promote.landscape_compare import compare_with_files

    doc = compare_with_files(result)
    doc["technologies"] = [r for r in doc["technologies"] if r["technology"] == technology]
    return doc


SHARE_COLUMNS = [
    "technology",
    "area",
    "period",
    "country",
    "rank",
    "output_whole",
    "output_fractional",
    "share",
    "top10_share",
    "growth",
]


@pages.get("/promote/landscape.csv", response_model=None)
def landscape_csv(request: Request, form: LandscapeForm) -> Response:
    """Every country's output, share, rank and growth in every window of the technology."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        windowed = _landscape(request, form)
        tech = _technology(windowed, form)
    except EconsecError as error:
        return failure(request, actor, error)
    rows = [r for r in windowed.rows(None) if r["technology"] == tech]
    return csv_download(
        f"landscape-{form['dataset']}-{tech.replace(' ', '_')}.csv",
        ["dataset", "counting", "metric", *SHARE_COLUMNS],
        [
            [form["dataset"], windowed.counting, windowed.metric, *(r[c] for c in SHARE_COLUMNS)]
            for r in rows
        ],
    )


#: The pages of this module and of the portfolio and matching pages (one router for the app).
router = APIRouter()
router.include_router(pages)
router.include_router(portfolio.router)
router.include_router(matching.router)
