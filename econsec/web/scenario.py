"""The Know pages' export-stop scenario: an exporter stops supplying some products; the
assumption, a chart of the most exposed importers' losses with its table, and the tables of
losses and alternatives, each as CSV (``export_stop`` behind ``GET /know/scenario``, through the
API's cache)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from econsec.engine.base import Engine
from econsec.errors import DataError, EconsecError, InvalidInput, NotFound
from econsec.know.scenarios import Scenario
from econsec.web.i18n import N_
from econsec.web.know import (
    HS6,
    codes,
    computed,
    csv_download,
    number,
    product_labels,
    with_label,
)
from econsec.web.pages import current_actor, failure, locale_of, render, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)


#: The tables of a scenario result (:class:`econsec.know.scenarios.Scenario`), as the chokepoint
#: columns.
SCENARIO_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "importers": (
        ("importer", "name"),
        ("products", "count"),
        ("lost_value", "value"),
        ("import_value", "value"),
        ("lost_share", "share"),
        ("gap_value", "value"),
    ),
    "losses": (
        ("importer", "name"),
        ("product", "code"),
        ("import_value", "value"),
        ("lost_value", "value"),
        ("lost_share", "share"),
        ("hhi_before", "index"),
        ("rerouted_value", "value"),
        ("gap_value", "value"),
        ("gap_share", "share"),
        ("hhi_after", "index"),
        ("top_supplier_after", "name"),
    ),
    "alternatives": (
        ("product", "code"),
        ("supplier", "name"),
        ("world_exports", "value"),
        ("exports_to_affected", "value"),
        ("exports_to_others", "value"),
        ("rerouted_value", "value"),
    ),
}
EXPOSED = 12  # importers in the chart
#: The chart's title, translated here rather than in a template (tests check its translation).
EXPOSED_TITLE = N_("Supply lost by the most exposed importers if %(exporter)s stops, %(year)s")
SHOWN = 200  # rows of a scenario table on the page (the CSV has all)


def _scenario_form(
    exporter: str = "",
    products: str = "",
    year: str = "",
    importers: str = "",
    max_divert: str = "1",
) -> dict[str, str]:
    """The scenario form as entered (codes upper-cased, in order, without repeats); the page's
    and the CSVs' query parameters."""
    return {
        "exporter": exporter.strip().upper(),
        "products": ", ".join(codes(products)),
        "year": year.strip(),
        "importers": ", ".join(codes(importers)),
        "max_divert": max_divert.strip(),
    }


ScenarioForm = Annotated[dict[str, str], Depends(_scenario_form)]


def _places(engine: Engine, field: str, names: Sequence[str]) -> None:
    """InvalidInput unless each name is a group or a country of the trade data (the engine
    answers an unknown country with no losses, which would read as "no exposure")."""
    from econsec.know.flows import Keys
    from econsec.know.groups import groups, members

    known = groups()
    countries = set(Keys.load(engine).iso3.values())
    for name in names:
        try:
            isos = next(iter(members([name], known).values()))
        except DataError:
            isos = ()
        if not any(iso in countries for iso in isos):
            raise InvalidInput(
                f"{field}: {name!r} is neither a country of the trade data nor a group; "
                "expected an ISO 3166-1 alpha-3 code such as CHN, or a group: "
                + ", ".join(sorted(known)),
                field=field,
            )


def _scenario(request: Request, form: dict[str, str]) -> tuple[Scenario, dict[str, str], float]:
    """The export-stop result of the form (see :func:`econsec.know.scenarios.export_stop`),
    the labels of its products and the diverted share used."""
    from econsec.know.scenarios import export_stop

    if not form["exporter"]:
        raise InvalidInput("exporter: enter a country code such as CHN, or a group")
    products = codes(form["products"])
    wrong = [c for c in products if not HS6.fullmatch(c)]
    if wrong:
        raise InvalidInput(
            f"products: {', '.join(wrong)}: expected six-digit HS codes such as 810530"
        )
    year = int(number(form["year"], "year", 1900, 2100, whole=True))
    divert = number(form["max_divert"], "max_divert", 0, 1)
    importers = codes(form["importers"])

    def compute(engine: Engine) -> tuple[Scenario, dict[str, str]]:
        _places(engine, "exporter", [form["exporter"]])
        _places(engine, "importers", importers)
        result = export_stop(
            engine,
            exporter=form["exporter"],
            products=products,
            year=year,
            importers=importers or None,
            max_divert=divert,
        )
        return result, product_labels(engine, year, products)

    key = ("web-scenario", form["exporter"], tuple(products), year, tuple(importers), divert)
    result, labels = computed(request, key, compute)
    return result, labels, divert


def _scenario_rows(table: Any, labels: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        if "product" in row:
            row["label"] = labels.get(row["product"], "")
    return rows


@router.get("/know/scenario", response_model=None)
def scenario_page(
    request: Request,
    form: ScenarioForm,
) -> Response:
    """The export-stop scenario: the form, the assumption, a chart of the most exposed
    importers' losses with its table, and the tables of losses and alternatives."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    from econsec.reports.charts import bar_chart

    _ = locale_of(request).gettext
    context: dict[str, Any] = {"form": form, "columns": SCENARIO_COLUMNS}
    if not any(form[k] for k in ("exporter", "products", "year")):
        return render(
            request, "know_scenario.html", actor=actor, section="know", result=None, **context
        )
    try:
        result, labels, divert = _scenario(request, form)
    except EconsecError as error:
        return render(
            request,
            "know_scenario.html",
            actor=actor,
            section="know",
            result=None,
            error=error,
            **context,
        )
    tables = {
        "importers": _scenario_rows(result.importers, labels),
        "losses": _scenario_rows(result.losses, labels),
        "alternatives": _scenario_rows(result.alternatives, labels),
    }
    traded = {r["product"] for r in tables["losses"] + tables["alternatives"]}
    chart_title = _(EXPOSED_TITLE, exporter=result.exporter, year=result.year)
    exposed = [(r["importer"], r["lost_value"] or 0.0) for r in tables["importers"][:EXPOSED]]
    return render(
        request,
        "know_scenario.html",
        actor=actor,
        section="know",
        result=result,
        labels=labels,
        divert=divert,
        tables={name: rows[:SHOWN] for name, rows in tables.items()},
        counts={name: len(rows) for name, rows in tables.items()},
        totals={
            name: sum(r[name] or 0.0 for r in tables["losses"])
            for name in ("lost_value", "rerouted_value", "gap_value")
        },
        untraded=[p for p in result.products if p not in traded],
        chart_svg=bar_chart(exposed, title=chart_title, unit=result.unit) if exposed else None,
        chart_title=chart_title,
        charted=len(exposed),
        query=urlencode(form),
        **context,
    )


@router.get("/know/scenario.csv", response_model=None)
def scenario_csv(
    request: Request,
    form: ScenarioForm,
    view: str = "losses",
) -> Response:
    """A table of the scenario as CSV (``view``: losses, importers or alternatives), every row,
    with the exporter, the year and the data's unit."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    if view not in SCENARIO_COLUMNS:
        return failure(request, actor, NotFound(f"no scenario table {view!r}"))
    try:
        result, labels, _divert = _scenario(request, form)
    except EconsecError as error:
        return failure(request, actor, error)
    columns = with_label([name for name, _kind in SCENARIO_COLUMNS[view]])
    rows = _scenario_rows(getattr(result, view), labels)
    return csv_download(
        f"scenario-{view}-{result.exporter}-{result.year}.csv",
        ["exporter", "year", *columns, "unit"],
        [[result.exporter, result.year, *(r[c] for c in columns), result.unit] for r in rows],
    )
