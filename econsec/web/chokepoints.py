"""The Know pages' chokepoint list: world export concentration per product, the critical
exporters, or an importer's concentrated dependencies, for a year, with a CSV download (the
engine's functions behind ``GET /know/chokepoints``, through the API's cache)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from econsec.engine.base import Engine
from econsec.errors import EconsecError, InvalidInput
from econsec.know import flows
from econsec.web.know import (
    computed,
    csv_download,
    number,
    product_labels,
    sorted_rows,
    with_label,
)
from econsec.web.pages import current_actor, failure, render, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)


#: The columns of each view of the chokepoint list and how the pages write them: ``rank`` and
#: ``count`` whole numbers, ``value`` in the data's unit, ``share`` a percentage, ``index`` an
#: HHI or score (0-1), ``code`` a product code with its label, ``name`` a country.
CHOKE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "concentration": (
        ("rank", "rank"),
        ("product", "code"),
        ("world_export_value", "value"),
        ("n_exporters", "count"),
        ("world_export_hhi", "index"),
        ("top_exporter", "name"),
        ("top_exporter_share", "share"),
        ("top3_exporter_share", "share"),
    ),
    "exporters": (
        ("rank", "rank"),
        ("product", "code"),
        ("exporter", "name"),
        ("world_export_share", "share"),
        ("importers_cut", "count"),
        ("importers", "count"),
        ("value_at_risk", "value"),
    ),
    "ranking": (
        ("rank", "rank"),
        ("product", "code"),
        ("score", "index"),
        ("hhi", "index"),
        ("world_export_hhi", "index"),
        ("import_value", "value"),
        ("top_supplier", "name"),
        ("top_supplier_share", "share"),
        ("top_exporter", "name"),
        ("top_exporter_share", "share"),
    ),
}
VIEWS = tuple(CHOKE_COLUMNS)


def _choke_form(
    year: str = "",
    view: str = "concentration",
    importer: str = "JPN",
    min_share: str = "0.5",
    min_importers: str = "3",
    limit: str = "50",
) -> dict[str, str]:
    """The chokepoint form as entered (trimmed; an unknown view is the first); the page's and
    the CSV's query parameters."""
    return {
        "year": year.strip(),
        "view": view if view in VIEWS else VIEWS[0],
        "importer": importer.strip().upper(),
        "min_share": min_share.strip(),
        "min_importers": min_importers.strip(),
        "limit": limit.strip(),
    }


ChokeForm = Annotated[dict[str, str], Depends(_choke_form)]


def _choke_params(form: dict[str, str]) -> tuple[Any, ...]:
    """The parameters of the form's view: (min_share, min_importers) of the critical
    exporters, (importer,) of the ranking, none of the concentration."""
    if form["view"] == "exporters":
        share = number(form["min_share"], "min_share", 0, 1)
        return share, int(number(form["min_importers"], "min_importers", 1, 1000, whole=True))
    if form["view"] == "ranking":
        if not form["importer"]:
            raise InvalidInput("importer: the ranking needs an importer or group", field="importer")
        return (form["importer"],)
    return ()


def _choke_table(engine: Engine, view: str, year: int, params: tuple[Any, ...]) -> Any:
    """The engine's table of ``view`` (the same functions as ``GET /know/chokepoints``)."""
    from econsec.know import chokepoints as choke

    if view == "exporters":
        share, count = params
        return choke.critical_exporters(engine, year=year, min_share=share, min_importers=count)
    if view == "ranking":
        return choke.dependent_and_concentrated(engine, importer=params[0], year=year)
    return choke.concentration(engine, year=year)


def _choke_rows(
    request: Request, form: dict[str, str], sort: str, desc: bool
) -> tuple[list[dict[str, Any]], int]:
    """The rows of the chokepoint list (the first ``limit`` of the engine's order, numbered,
    with product labels, sorted by ``sort``) and how many the engine found."""
    year = int(number(form["year"], "year", 1900, 2100, whole=True))
    limit = int(number(form["limit"], "limit", 1, 1000, whole=True))
    view, params = form["view"], _choke_params(form)

    def compute(engine: Engine) -> tuple[Any, dict[str, str]]:
        table = _choke_table(engine, view, year, params)
        return table, product_labels(engine, year, table["product"].to_pylist())

    table, labels = computed(request, ("web-chokepoints", view, year, *params), compute)
    rows: list[dict[str, Any]] = table.slice(0, limit).to_pylist()
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
        row["label"] = labels.get(row["product"], "")
    columns = dict(CHOKE_COLUMNS[view])
    return sorted_rows(rows, sort if sort in columns else "rank", desc), table.num_rows


@router.get("/know/chokepoints", response_model=None)
def chokepoints_page(
    request: Request,
    form: ChokeForm,
    sort: str = "rank",
    desc: bool = False,
) -> Response:
    """The chokepoint list: world concentration per product, critical exporters, or the
    products an importer depends on whose world supply is concentrated."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    columns = CHOKE_COLUMNS[form["view"]]
    sort = sort if sort in dict(columns) else "rank"
    context: dict[str, Any] = {
        "form": form,
        "columns": columns,
        "sort": sort,
        "desc": desc,
        "query": urlencode(form),
        "rows": None,
        "unit": flows.source("baci").unit,
    }
    if form["year"]:
        try:
            context["rows"], context["total"] = _choke_rows(request, form, sort, desc)
        except EconsecError as error:
            context["error"] = error
    return render(request, "know_chokepoints.html", actor=actor, section="know", **context)


@router.get("/know/chokepoints.csv", response_model=None)
def chokepoints_csv(
    request: Request,
    form: ChokeForm,
    sort: str = "rank",
    desc: bool = False,
) -> Response:
    """The chokepoint list as CSV: the rows as shown on the page, with the data's unit."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        rows, _total = _choke_rows(request, form, sort, desc)
    except EconsecError as error:
        return failure(request, actor, error)
    lead = ["year", "importer"] if form["view"] == "ranking" else ["year"]
    header = [*lead, *with_label([name for name, _kind in CHOKE_COLUMNS[form["view"]]])]
    unit = flows.source("baci").unit
    return csv_download(
        f"chokepoints-{form['view']}-{form['year']}.csv",
        [*header, "unit"],
        [[r[c] for c in header] + [unit] for r in rows],
    )
