"""The Know page of input-output shocks: cut some cells (``REGION:SECTOR[:FRACTION]``) of a
stored table and run a model; the world output and value-added loss shares, a bar chart of the
regions losing the largest share of their output with its table, the losses by sector, the
daily world output of the dynamic models, the assumptions, and CSV downloads
(:meth:`econsec.know.iotables.IOTables.shock`, as ``GET /know/io/shock``).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, cast
from urllib.parse import urlencode

import pyarrow as pa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from econsec.api.routers.know import cached
from econsec.errors import EconsecError, InvalidInput, NotFound
from econsec.know.iotables import IOTables
from econsec.store.analytics import AnalyticsStore
from econsec.web.i18n import N_
from econsec.web.know import csv_download, number
from econsec.web.pages import current_actor, failure, locale_of, render, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)

#: The models (:data:`econsec.know.io.MODELS`) with their names on the page, in its order.
MODELS = {
    "leontief": N_("Leontief: the cut cells stop buying inputs (demand side)"),
    "ghosh": N_("Ghosh: the cut cells' customers lose supply (supply side)"),
    "extraction": N_("Hypothetical extraction"),
    "iim": N_("Inoperability input-output model (IIM)"),
    "diim": N_("Dynamic IIM with recovery (daily)"),
    "bottleneck": N_("Critical inputs with inventories (daily)"),
}
DYNAMIC = ("diim", "bottleneck")
#: The form's parameters: (lowest, highest) days; recovery of the DIIM from 1 day (its rate
#: divides by it). A year at most: the table is one year's flows, and a longer daily run of
#: the bottleneck model takes seconds.
LIMITS = {
    "duration_days": (1.0, 365.0),
    "recovery_days": (0.0, 365.0),
    "inventory_days": (0.0, 365.0),
}
MAX_CELLS = 100  # items of the extract field
REGIONS = 15  # in the chart
POINTS = 120  # days drawn at most (the CSV has every day)
REGIONS_TITLE = N_("Output lost by the %(count)s regions losing the largest share of their output")
REGIONS_UNIT = N_("% of the region's output")
DAILY_TITLE = N_("World output lost by day")
DAILY_Y = N_("% of normal output lost")
WORLD = N_("World")
DAY = N_("Day")
MESSAGES = (*MODELS.values(), REGIONS_TITLE, REGIONS_UNIT, DAILY_TITLE, DAILY_Y, WORLD, DAY)
VIEWS = ("regions", "sectors", "daily", "cells")


def _io_form(
    table: str = "",
    extract: Annotated[list[str] | None, Query()] = None,
    model: str = "leontief",
    duration_days: str = "",
    recovery_days: str = "",
    inventory_days: str = "",
) -> dict[str, str]:
    """The shock form as entered: cells separated by commas, semicolons or spaces, joined by
    ", "; an unknown model is the first."""
    cells = [c for text in extract or [] for c in re.split(r"[\s,;]+", text) if c]
    return {
        "table": table.strip(),
        "extract": ", ".join(cells),
        "model": model if model in MODELS else next(iter(MODELS)),
        "duration_days": duration_days.strip(),
        "recovery_days": recovery_days.strip(),
        "inventory_days": inventory_days.strip(),
    }


ShockForm = Annotated[dict[str, str], Depends(_io_form)]


def tables_of(request: Request) -> IOTables:
    return IOTables(cast(AnalyticsStore, request.app.state.catalogue.store))


def _params(form: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The model's parameters given in the form, and the fields it does not take (ignored)."""
    from econsec.know.io import MODELS as ENGINE_MODELS

    accepted = ENGINE_MODELS[form["model"]].params()
    params: dict[str, Any] = {}
    ignored = []
    for field, (low, high) in LIMITS.items():
        if not form[field]:
            continue
        if field not in accepted:
            ignored.append(field)
            continue
        if field == "recovery_days" and form["model"] == "diim":
            low = 1.0
        params[field] = number(form[field], field, low, high)
    return params, ignored


def shock(request: Request, form: dict[str, str]) -> tuple[dict[str, Any], pa.Table, list[str]]:
    """The result of the form's shock (``ShockResult.to_dict()`` and its rows per cell), kept
    per loaded data in the API's cache, and the parameters the model ignored."""
    cells = [c for c in form["extract"].split(", ") if c]
    if not cells:
        raise InvalidInput("extract: name at least one cell as REGION:SECTOR[:FRACTION]")
    if len(cells) > MAX_CELLS:
        raise InvalidInput(f"extract: {len(cells)} cells; at most {MAX_CELLS}", field="extract")
    params, ignored = _params(form)
    tables = tables_of(request)

    def compute() -> tuple[dict[str, Any], pa.Table]:
        result = tables.shock(form["table"], cells, form["model"], **params)
        return result.to_dict(), result.to_arrow()

    key = ("web-io", form["table"], tuple(cells), form["model"], tuple(sorted(params.items())))
    summary, rows = cached(request.app.state.catalogue, key, compute)
    return summary, rows, ignored


def _days(count: int) -> list[int]:
    step = max(1, math.ceil(count / POINTS))
    days = list(range(0, count, step))
    return days if days[-1] == count - 1 else [*days, count - 1]


def _charts(request: Request, summary: dict[str, Any]) -> dict[str, Any]:
    """The regions' bar chart and the daily line chart (dynamic models) with their data."""
    from econsec.reports.charts import bar_chart, line_chart

    _ = locale_of(request).gettext
    regions = sorted(summary["losses_by_region"], key=lambda r: -r["output_loss_share"])
    regions = regions[:REGIONS]
    title = _(REGIONS_TITLE, count=len(regions))
    out: dict[str, Any] = {
        "regions": regions,
        "regions_title": title,
        "regions_svg": bar_chart(
            [(r["region"], 100 * r["output_loss_share"]) for r in regions],
            title=title,
            unit=_(REGIONS_UNIT),
            digits=2,
        ),
        "daily_svg": None,
    }
    daily = summary.get("daily_world_output_share")
    if daily:
        days = _days(len(daily))
        points = [(d, 100 * (1 - daily[d])) for d in days]
        out.update(
            daily=points,
            daily_title=_(DAILY_TITLE),
            daily_svg=line_chart(
                days,
                {_(WORLD): [v for _d, v in points]},
                title=_(DAILY_TITLE),
                y_label=_(DAILY_Y),
                x_label=_(DAY),
                digits=2,
            ),
        )
    return out


@router.get("/know/io", response_model=None)
def io_page(request: Request, form: ShockForm) -> Response:
    """The IO shock page: the form, then the result of the shock it describes."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    stored = [m.to_dict() for m in tables_of(request).list()]
    if not form["table"] and stored:
        form["table"] = stored[0]["name"]
    context: dict[str, Any] = {"form": form, "stored": stored, "models": MODELS, "result": None}
    try:
        table = tables_of(request).get(form["table"]) if form["table"] else None
        if table is not None:
            context["regions_list"] = table.region_list
            context["sectors_list"] = [(s, table.sector_names.get(s, s)) for s in table.sector_list]
        if form["extract"]:
            summary, _rows, ignored = shock(request, form)
            context.update(_charts(request, summary), result=summary, ignored=ignored)
            context["query"] = urlencode(form)
    except EconsecError as error:
        context["error"] = error
    return render(request, "know_io.html", actor=actor, section="know", **context)


@router.get("/know/io/shock.csv", response_model=None)
def io_csv(request: Request, form: ShockForm, view: str = "regions") -> Response:
    """A table of the shock as CSV: ``regions`` or ``sectors`` (losses, table units over the
    period, and shares of annual output), ``daily`` (world output per day, share of normal;
    dynamic models) or ``cells`` (every region and sector)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    if view not in VIEWS:
        return failure(request, actor, NotFound(f"no shock table {view!r}"))
    try:
        summary, rows, _ignored = shock(request, form)
    except EconsecError as error:
        return failure(request, actor, error)
    name = f"io-{view}-{form['table']}-{form['model']}.csv"
    lead = [form["table"], form["model"], summary["units"]]
    if view == "cells":
        header = rows.column_names
        body = [lead + [r[c] for c in header] for r in rows.to_pylist()]
    elif view == "daily":
        header = ["day", "world_output_share"]
        body = [[*lead, d, v] for d, v in enumerate(summary.get("daily_world_output_share") or [])]
    else:
        found = summary[f"losses_by_{'region' if view == 'regions' else 'sector'}"]
        header = list(found[0]) if found else []
        body = [lead + [r[c] for c in header] for r in found]
    return csv_download(name, ["table", "model", "units", *header], body)
