"""The Know pages' dependency explorer (indicators and tests per product, sortable and
filterable; supplier-share and trend charts with table views; CSV and report downloads), and
the helpers the other Know pages share (:mod:`econsec.web.chokepoints`,
:mod:`econsec.web.scenario`). Results come from the Know engine through the API's cache, so a
page and its CSV downloads compute once per loaded data."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from econsec.datasets.catalogue import Catalogue
from econsec.engine.base import Engine
from econsec.errors import EconsecError, InvalidInput, NotFound
from econsec.know import flows
from econsec.web.pages import current_actor, failure, locale_of, render, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)

KNOW_COLUMNS = (
    "product",
    "import_value",
    "n_suppliers",
    "hhi",
    "top_supplier",
    "top_supplier_share",
    "world_export_hhi",
    "dependent",
)


V = TypeVar("V")


def computed(request: Request, key: tuple[Any, ...], compute: Callable[[Engine], V]) -> V:
    """``compute(engine)``, once per loaded data for ``key`` (the API's answer cache)."""
    from econsec.api.routers.know import _engine, cached

    catalogue = cast(Catalogue, request.app.state.catalogue)
    return cached(
        catalogue,
        key,
        lambda: compute(_engine(request, catalogue, request.app.state.settings)),
    )


def _know_data(request: Request, importer: str, year: int, method: str) -> Any:
    """The report data of ``importer`` in ``year`` (dependencies, supplier shares, trend),
    computed once per loaded data for the page and its CSV downloads (the API's cache)."""
    from econsec.reports.dependency_report import gather

    importer = importer.upper()
    return computed(
        request,
        ("report", importer, year, method),
        lambda engine: gather(engine, importer=importer, year=year, method=method),
    )


def _know_rows(
    data: Any, q: str, dependent_only: bool, sort: str, desc: bool
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data.dependencies.to_pylist()
    for row in rows:
        row["label"] = data.products.get(row["product"], "")
    if dependent_only:
        rows = [r for r in rows if r["dependent"]]
    if q.strip():
        needle = q.strip().casefold()
        rows = [r for r in rows if needle in r["product"] or needle in r["label"].casefold()]
    key = sort if sort in KNOW_COLUMNS else "import_value"
    rows.sort(key=lambda r: (r[key] is None, r[key] if r[key] is not None else 0), reverse=desc)
    return rows


METHODS = ("geodep", "eu2021")
CHARTED = 8  # products in the supplier-share chart


def _share_rows(data: Any) -> list[tuple[str, str, str, float | None, float | None]]:
    """(product, label, supplier, share, value) of the charted products: the largest
    dependencies by import value (or the largest imports when none is dependent)."""
    every = data.dependencies.to_pylist()
    shown = [r for r in every if r["dependent"]] or every
    top = {r["product"] for r in sorted(shown, key=lambda r: -(r["import_value"] or 0))[:CHARTED]}
    return [
        (r["product"], data.products.get(r["product"], ""), r["supplier"], r["share"], r["value"])
        for r in data.supplier_shares.to_pylist()
        if r["product"] in top
    ]


def _trend_rows(data: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data.trend.to_pylist() if data.trend is not None else []
    return sorted(rows, key=lambda r: r["year"])


@router.get("/know", response_model=None)
def know_page(
    request: Request,
    importer: str = "JPN",
    year: int | None = None,
    method: str = "geodep",
    q: str = "",
    dependent: bool = False,
    sort: str = "import_value",
    desc: bool = True,
) -> Response:
    """The dependency explorer: indicators and tests per product, supplier shares and trend."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    from econsec.reports.charts import line_chart, shares_chart

    locale = locale_of(request)
    _ = locale.gettext
    method = method if method in METHODS else "geodep"
    form = {"importer": importer.upper(), "year": year, "method": method, "q": q}
    context: dict[str, Any] = {"form": form, "dependent": dependent, "sort": sort, "desc": desc}
    if year is None:
        return render(request, "know.html", actor=actor, section="know", data=None, **context)
    try:
        data = _know_data(request, importer, year, method)
    except EconsecError as error:
        return render(
            request, "know.html", actor=actor, section="know", data=None, error=error, **context
        )
    rows = _know_rows(data, q, dependent, sort, desc)
    bars: dict[str, list[tuple[str, float]]] = {}
    share_rows = []
    for product, name, supplier, share, value in _share_rows(data):
        label = f"{product} {name}".strip()
        bars.setdefault(label, []).append((supplier, share or 0.0))
        share_rows.append((label, supplier, share, value))
    shares_title = _(
        "Supplier shares of import value, %(importer)s %(year)s", importer=data.importer, year=year
    )
    shares_svg = shares_chart(
        [(label, sorted(v, key=lambda s: -s[1])) for label, v in bars.items()], title=shares_title
    )
    trend = _trend_rows(data)
    trend_title = _("Products imported and dependent, by year")
    trend_svg = (
        line_chart(
            [int(r["year"]) for r in trend],
            {
                _("Products imported"): [r["products"] for r in trend],
                _("Dependent products"): [r["dependent_products"] for r in trend],
            },
            title=trend_title,
            y_label=_("products"),
        )
        if len(trend) > 1
        else None
    )
    return render(
        request,
        "know.html",
        actor=actor,
        section="know",
        data=data,
        rows=rows,
        columns=KNOW_COLUMNS,
        shares_svg=shares_svg,
        shares_title=shares_title,
        share_rows=share_rows,
        trend_svg=trend_svg,
        trend_title=trend_title,
        trend=trend,
        query=urlencode({"importer": form["importer"], "year": year, "method": method}),
        **context,
    )


@router.get("/know.csv", response_model=None)
def know_csv(
    request: Request,
    importer: str,
    year: int,
    method: str = "geodep",
    q: str = "",
    dependent: bool = False,
    sort: str = "import_value",
    desc: bool = True,
) -> Response:
    """The explorer's table as CSV (the rows as filtered and sorted on the page)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        data = _know_data(request, importer, year, method if method in METHODS else "geodep")
    except EconsecError as error:
        return failure(request, actor, error)
    rows = [
        [data.importer, year, r["label"], *(r[c] for c in KNOW_COLUMNS), data.unit]
        for r in _know_rows(data, q, dependent, sort, desc)
    ]
    header = ["importer", "year", "label", *KNOW_COLUMNS, "unit"]
    return csv_download(f"dependencies-{data.importer}-{year}.csv", header, rows)


def csv_download(name: str, header: list[str], rows: list[list[Any]]) -> Response:
    """``rows`` under ``header`` as a CSV file download named ``name``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- form fields, labels, sorting ------------------------------------------------------------------

HS6 = re.compile(r"\d{6}")


def number(text: str, field: str, low: float, high: float, *, whole: bool = False) -> float:
    """A form field as a number from ``low`` to ``high``, else InvalidInput naming the field."""
    try:
        value: float = int(text) if whole else float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # NaN fails too
        kind = "a whole number" if whole else "a number"
        raise InvalidInput(
            f"{field}: got {text.strip()[:40]!r}; expected {kind} from {low:g} to {high:g}",
            field=field,
        )
    return value


def codes(text: str) -> list[str]:
    """Codes separated by commas or spaces, upper-cased, in order, without repeats."""
    return list(dict.fromkeys(c.upper() for c in re.split(r"[\s,;]+", text) if c))


def product_labels(engine: Engine, year: int, products: Iterable[str]) -> dict[str, str]:
    """English descriptions of HS6 ``products`` in the HS edition of ``year`` (as the
    explorer and the report show them)."""
    from econsec.reports.dependency_report import _descriptions

    parts = flows.available(engine.catalogue, flows.source("baci"))
    edition = next((e for y, e in parts if y == year), None)
    return _descriptions(engine, sorted(set(products)), edition)


def sorted_rows(rows: list[dict[str, Any]], key: str, desc: bool) -> list[dict[str, Any]]:
    """``rows`` by ``key`` (missing values last either way)."""
    known = sorted((r for r in rows if r[key] is not None), key=lambda r: r[key], reverse=desc)
    return known + [r for r in rows if r[key] is None]


def with_label(names: Sequence[str]) -> list[str]:
    """CSV columns: ``label`` right after ``product``."""
    return [n for name in names for n in ((name, "label") if name == "product" else (name,))]


@router.get("/know/{chart}.csv", response_model=None)
def know_chart_csv(
    request: Request, chart: str, importer: str, year: int, method: str = "geodep"
) -> Response:
    """The data of a chart of the explorer as CSV: ``shares`` (supplier shares of the
    products charted) or ``trend`` (products imported and dependent, by year)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    if chart not in ("shares", "trend"):
        return failure(request, actor, NotFound(f"no chart {chart!r}"))
    try:
        data = _know_data(request, importer, year, method if method in METHODS else "geodep")
    except EconsecError as error:
        return failure(request, actor, error)
    name = f"{chart}-{data.importer}-{year}.csv"
    if chart == "shares":
        header = ["importer", "year", "product", "label", "supplier", "share", "value", "unit"]
        rows = [[data.importer, year, *r, data.unit] for r in _share_rows(data)]
    else:
        header = ["importer", "year", "products", "dependent_products"]
        rows = [
            [data.importer, r["year"], r["products"], r["dependent_products"]]
            for r in _trend_rows(data)
        ]
    return csv_download(name, header, rows)
