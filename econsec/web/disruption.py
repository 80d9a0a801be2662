"""The disruption simulation of the network page: some nodes go down on day 0 for some days;
a line chart of the shortfall of the most affected finished products with its table view, time
to survive and time to recover per product, the assumptions, and CSV downloads
(:func:`econsec.know.network.simulation.simulate`, as ``GET /know/networks/{name}/simulate``).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from econsec.errors import EconsecError, InvalidInput, NotFound
from econsec.know.network.model import SupplyNetwork
from econsec.know.network.simulation import ProductOutcome, SimulationResult, days_or_none
from econsec.web.i18n import N_, Locale
from econsec.web.know import csv_download, number
from econsec.web.network_view import level_of, networks_of
from econsec.web.pages import current_actor, failure, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)

MAX_DAYS = 3650  # horizon, days down and inventory (ten years)
MAX_DISRUPTED = 50  # nodes down at once
CHARTED = 5  # products in the shortfall chart
SHOWN = 200  # products in the table (the CSV has all)
POINTS = 120  # days drawn at most (the CSV has every day)
DAYS_DOWN = 30  # of the form's first suggestion
HIT = 1e-9  # a shortfall below this is rounding, not a loss (the engine's threshold)
CHART_TITLE = N_("Shortfall of the most affected finished products, by day")
Y_LABEL = N_("% of normal output lost")
X_LABEL = N_("Day")
MESSAGES = (CHART_TITLE, Y_LABEL, X_LABEL)


def _simulation_form(
    disrupt: Annotated[list[str] | None, Query()] = None,
    horizon_days: str = "180",
    inventory_days: str = "",
) -> dict[str, str]:
    """The simulation form as entered: ``disrupt`` items (``NODE:DAYS``, repeated or separated
    by commas, semicolons or lines) joined by ", "."""
    items = [p.strip() for text in disrupt or [] for p in re.split(r"[,;\n]+", text) if p.strip()]
    return {
        "disrupt": ", ".join(items),
        "horizon_days": horizon_days.strip(),
        "inventory_days": inventory_days.strip(),
    }


SimulationForm = Annotated[dict[str, str], Depends(_simulation_form)]


def default_disruption(findings: list[dict[str, Any]]) -> str:
    """A first suggestion from the findings (``Finding.to_dict()``): the firm providing the
    first concentrated input (the loss a finding is about), else the first flagged node, down
    for :data:`DAYS_DOWN` days."""
    provider = next(
        (f["provider"] for f in findings if f["provider"] and f["level"] == "firm"), None
    )
    node = provider or (findings[0]["node"] if findings else "")
    return f"{node}:{DAYS_DOWN}" if node else ""


def _parse(
    network: SupplyNetwork, form: dict[str, str]
) -> tuple[dict[str, float], int, float | None]:
    """(node -> days down, horizon, inventory days or None) of the form, else InvalidInput or
    NotFound naming the field."""
    from econsec.know.networks import parse_disruptions

    items = [p.strip() for p in form["disrupt"].split(",") if p.strip()]
    if not items:
        raise InvalidInput("disrupt: name at least one node as NODE:DAYS", field="disrupt")
    if len(items) > MAX_DISRUPTED:
        raise InvalidInput(
            f"disrupt: {len(items)} nodes; at most {MAX_DISRUPTED} at once", field="disrupt"
        )
    down = parse_disruptions(items)
    for node, days in down.items():
        network.index(node)  # NotFound names the network and the node
        if not (0 <= days <= MAX_DAYS or days == math.inf):
            raise InvalidInput(
                f"disrupt: {node}: got {days:g} days; expected 0 to {MAX_DAYS}, or no number "
                "for a node down for good",
                field="disrupt",
            )
    horizon = int(number(form["horizon_days"], "horizon_days", 1, MAX_DAYS, whole=True))
    inventory = (
        number(form["inventory_days"], "inventory_days", 0, MAX_DAYS)
        if form["inventory_days"]
        else None
    )
    return down, horizon, inventory


def simulation(network: SupplyNetwork, form: dict[str, str], level: str) -> SimulationResult:
    """The simulation the form asks for."""
    from econsec.know.network.simulation import simulate

    down, horizon, inventory = _parse(network, form)
    return simulate(
        network,
        down,
        horizon_days=horizon,
        inventory_days=inventory,
        level="country" if level == "country" else "firm",
    )


def _affected(result: SimulationResult, product: str) -> list[ProductOutcome]:
    """The products that fall short, the page's product first, then by lost output share."""
    hit = [p for p in result.products if float(p.shortfall.max(initial=0.0)) > HIT]
    return sorted(hit, key=lambda p: (p.product != product, -p.lost_output_share, p.product))


def _days(horizon: int) -> list[int]:
    """The days drawn: all, or every n-th so that at most :data:`POINTS` are (and the last)."""
    step = max(1, math.ceil(horizon / POINTS))
    days = list(range(0, horizon, step))
    return days if days[-1] == horizon - 1 else [*days, horizon - 1]


def results(
    locale: Locale,
    network: SupplyNetwork,
    form: dict[str, str],
    product: int,
    level: str,
) -> dict[str, Any]:
    """The page's context for the simulation of ``form``: the result, the products that fall
    short (the first :data:`SHOWN`), the chart of the :data:`CHARTED` most affected with its
    table view."""
    from econsec.reports.charts import line_chart

    _ = locale.gettext
    result = simulation(network, form, level)
    affected = _affected(result, network.ids[product])
    charted = affected[:CHARTED]
    days = _days(result.horizon_days)
    title = _(CHART_TITLE)
    series = {
        network.label(network.index(p.product)): [100 * float(p.shortfall[d]) for d in days]
        for p in charted
    }
    return {
        "result": result,
        "affected": [
            {
                "product": p.product,
                "label": network.label(network.index(p.product)),
                "tts": days_or_none(p.time_to_survive_days),
                "ttr": days_or_none(p.time_to_recover_days),
                "lost": p.lost_output_share,
            }
            for p in affected[:SHOWN]
        ],
        "affected_count": len(affected),
        "charted": charted,
        "chart_days": days,
        "chart_series": series,
        "chart_title": title,
        "chart_svg": (
            line_chart(days, series, title=title, y_label=_(Y_LABEL), x_label=_(X_LABEL), digits=1)
            if charted
            else None
        ),
    }


@router.get("/know/networks/{name}/simulation.csv", response_model=None)
def simulation_csv(
    request: Request,
    name: str,
    form: SimulationForm,
    product: str = "",
    level: str = "firm",
    view: str = "products",
) -> Response:
    """The simulation as CSV: ``products`` (every finished product: time to survive and to
    recover in days, ``inf`` for never or not within the horizon, lost output share) or
    ``daily`` (the shortfall of the charted products on every day, 0 to 1)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    if view not in ("products", "daily"):
        return failure(request, actor, NotFound(f"no simulation table {view!r}"))
    try:
        network = networks_of(request).get(name)
        result = simulation(network, form, level_of(level))
    except EconsecError as error:
        return failure(request, actor, error)
    down = "; ".join(f"{n}:{d:g}" for n, d in result.disrupted.items())
    if view == "products":
        header = ["product", "name", "time_to_survive_days", "time_to_recover_days"]
        rows = [
            [
                down,
                p.product,
                p.name,
                p.time_to_survive_days,
                p.time_to_recover_days,
                p.lost_output_share,
            ]
            for p in result.products
        ]
        return csv_download(
            f"simulation-{name}.csv", ["disrupted", *header, "lost_output_share"], rows
        )
    charted = _affected(result, product)[:CHARTED]
    rows = [
        [down, p.product, p.name, day, float(p.shortfall[day])]
        for p in charted
        for day in range(result.horizon_days)
    ]
    return csv_download(
        f"simulation-daily-{name}.csv", ["disrupted", "product", "name", "day", "shortfall"], rows
    )
