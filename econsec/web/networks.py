"""The Know pages of the stored supply networks: the list, and a network's page around one
finished product with its network view (single points of failure highlighted, with a table
view), the product's single points of failure, the single-failure ranking and the Inoue-Todo
share, and the disruption simulation (:mod:`econsec.web.disruption`); each table as CSV.

The engines are those of ``GET /know/networks/...`` (:mod:`econsec.api.routers.supply`);
results are kept per loaded data in the API's cache, so a page and its CSV downloads compute
once. :data:`router` also carries the IO shock page (:mod:`econsec.web.shocks`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from econsec.api.routers.know import cached
from econsec.errors import EconsecError
from econsec.know.network.graph import Level
from econsec.know.network.model import SupplyNetwork
from econsec.know.network.propagation import FailureLosses
from econsec.know.network.spof import Finding
from econsec.reports.network_chart import ChartNode, ChartText, network_chart
from econsec.web import disruption, shocks
from econsec.web.i18n import N_, Locale
from econsec.web.know import csv_download, number
from econsec.web.network_view import (
    View,
    focus,
    level_of,
    networks_of,
    pick_product,
)
from econsec.web.pages import current_actor, failure, locale_of, render, sign_in_first

pages = APIRouter(prefix="/web", include_in_schema=False)
V = TypeVar("V")

RANKED = 20  # nodes in the single-failure chart and table
OVER = 10.0  # Inoue-Todo: share of nodes whose failure costs more than OVER % of output
#: Names of the finding kinds (:mod:`econsec.know.network.spof`), in the engine's order.
KINDS = {
    "single_source": N_("Single source"),
    "concentrated_input": N_("Concentrated input"),
    "dominator": N_("Every supply path passes through it"),
    "articulation": N_("Articulation point"),
    "bridge": N_("Bridge"),
    "country_exposure": N_("Country exposure"),
}
VIEW_TITLE = N_("Supply network of %(product)s")
RANKING_TITLE = N_("Output lost when each node fails alone: the %(count)s worst")
RANKING_UNIT = N_("% of total output lost")
CHART_TEXT = (
    N_("Left: furthest suppliers; right: the product."),
    N_("Solid: all inputs needed; dashed: alternative suppliers; dotted: a kind of."),
    N_("single point of failure"),
    N_("%(count)s more upstream nodes not drawn (the CSV lists them)"),
)
#: Messages the pages translate from Python (tests check each has a Japanese translation).
MESSAGES = (
    *KINDS.values(),
    VIEW_TITLE,
    RANKING_TITLE,
    RANKING_UNIT,
    *CHART_TEXT,
    *disruption.MESSAGES,
    *shocks.MESSAGES,
)


def _network_form(
    product: str = "",
    q: str = "",
    threshold: str = "0.8",
    level: str = "firm",
    nodes: str = "80",
) -> dict[str, str]:
    """The product form as entered (trimmed); the page's and the CSVs' query parameters."""
    return {
        "product": product.strip(),
        "q": q.strip(),
        "threshold": threshold.strip(),
        "level": level_of(level),
        "nodes": nodes.strip(),
    }


NetworkForm = Annotated[dict[str, str], Depends(_network_form)]


def _kept(request: Request, key: tuple[Any, ...], compute: Callable[[], V]) -> V:
    """``compute()``, kept per loaded data in the API's cache under ``key``."""
    return cached(request.app.state.catalogue, ("web-networks", *key), compute)


def _findings(
    request: Request, network: SupplyNetwork, product: int, threshold: float
) -> list[Finding]:
    """The single points of failure affecting ``product`` (the API's default kinds)."""
    from econsec.know.network.spof import find_spofs

    pid = network.ids[product]
    key = ("spof", network.name, pid, threshold)
    return _kept(request, key, lambda: find_spofs(network, threshold=threshold, products=[pid]))


def _losses(request: Request, network: SupplyNetwork, level: str) -> FailureLosses:
    """Output lost when each node fails alone, at provider ``level``."""
    from econsec.know.network.propagation import single_failure_losses

    chosen: Level = "country" if level == "country" else "firm"
    key = ("losses", network.name, chosen)
    return _kept(request, key, lambda: single_failure_losses(network, level=chosen))


def _chart(locale: Locale, network: SupplyNetwork, view: View, findings: list[Finding]) -> str:
    """The network view as SVG: flagged nodes carry their first finding in the tooltip."""
    _ = locale.gettext
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.node, f)
    position = {node: pos for pos, node in enumerate(view.nodes)}
    flagged = {
        position[network.index(node)]: f"{_(KINDS[f.kind])}: {f.explanation}"
        for node, f in first.items()
        if network.index(node) in position
    }
    nodes = [
        ChartNode(network.label(n), column, network.kinds[n])
        for n, column in zip(view.nodes, view.columns, strict=True)
    ]
    edges = [(position[a], position[b], kind) for a, b, kind in view.tree]
    direction, lines, flag = (_(text) for text in CHART_TEXT[:3])
    omitted = _(CHART_TEXT[3], count="{count}")  # the chart puts the number in
    return network_chart(
        nodes,
        edges,
        title=_(VIEW_TITLE, product=network.label(view.product)),
        flagged=flagged,
        omitted=view.omitted,
        text=ChartText(direction, lines, flag, omitted),
        rows=view.rows,
    )


def _view_rows(
    network: SupplyNetwork, view: View, findings: list[Finding], every: bool = False
) -> list[dict[str, Any]]:
    """The table view of the network view (``every``: all upstream nodes, for the CSV): node,
    tier, kind, the kinds of its findings and the drawn nodes it feeds."""
    kinds: dict[str, list[str]] = {}
    for f in findings:
        if f.kind not in kinds.setdefault(f.node, []):
            kinds[f.node].append(f.kind)
    drawn = set(view.nodes)
    feeds: dict[int, list[str]] = {}
    for a, b, _kind in view.edges:
        feeds.setdefault(a, []).append(network.ids[b])
    tiers = {view.product: 0, **view.upstream}
    rest = sorted(set(tiers) - drawn, key=lambda n: (tiers[n], network.ids[n])) if every else []
    nodes = [*view.nodes, *rest]  # the drawing's order: each customer before its suppliers
    return [
        {
            "node": network.ids[n],
            "name": network.names[n],
            "kind": network.kinds[n],
            "country": network.countries[n] or "",
            "tier": tiers[n],
            "drawn": n in drawn,
            "findings": kinds.get(network.ids[n], []),
            "feeds": feeds.get(n, []),
        }
        for n in nodes
    ]


def _ranking(
    losses: FailureLosses, network: SupplyNetwork, top: int | None
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = losses.ranking(top).drop_columns(["products"]).to_pylist()
    for row in rows:
        row["label"] = network.label(network.index(row["node"]))
    return rows


def _spof_rows(findings: list[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]


@pages.get("/know/networks", response_model=None)
def networks_page(request: Request) -> Response:
    """The stored supply networks, each linking to its page."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    listed = [m.to_dict() for m in networks_of(request).list()]
    return render(request, "know_networks.html", actor=actor, section="know", networks=listed)


def _analysis(
    request: Request, locale: Locale, network: SupplyNetwork, form: dict[str, str]
) -> dict[str, Any]:
    """The page's context for the product of ``form``: the picker, the network view, the
    single points of failure and the single-failure ranking."""
    from econsec.know.network.propagation import inoue_todo_share
    from econsec.reports.charts import bar_chart

    _ = locale.gettext
    product, listed, matching = pick_product(network, form["product"], form["q"])
    threshold = number(form["threshold"], "threshold", 0.01, 1)
    findings, view = _focused(request, network, product, threshold, form["nodes"])
    losses = _losses(request, network, form["level"])
    ranking = _ranking(losses, network, RANKED)
    ranking_title = _(RANKING_TITLE, count=locale.number(len(ranking)))
    return {
        "product": product,
        "listed": listed,
        "matching": matching,
        "findings": _spof_rows(findings),
        "view": view,
        "view_rows": _view_rows(network, view, findings),
        "view_svg": _chart(locale, network, view, findings),
        "view_title": _(VIEW_TITLE, product=network.label(product)),
        "ranking": ranking,
        "ranking_title": ranking_title,
        "ranking_svg": bar_chart(
            [(r["label"], 100 * r["share"]) for r in ranking],
            title=ranking_title,
            unit=_(RANKING_UNIT),
            digits=1,
        ),
        "failed": int(losses.nodes.size),
        "stoppers": int((losses.share >= 1 - 1e-9).sum()),
        "over": OVER,
        "over_share": inoue_todo_share(losses, OVER),
        "query": urlencode({**form, "product": network.ids[product]}),
    }


def _focused(
    request: Request, network: SupplyNetwork, product: int, threshold: float, nodes: str
) -> tuple[list[Finding], View]:
    """The product's single points of failure and the network view of at most ``nodes``."""
    findings = _findings(request, network, product, threshold)
    budget = int(number(nodes, "nodes", 10, 200, whole=True))
    key = ("view", network.name, network.ids[product], threshold, budget)
    return findings, _kept(
        request, key, lambda: focus(network, product, findings, max_nodes=budget)
    )


@pages.get("/know/networks/{name}", response_model=None)
def network_page(
    request: Request,
    name: str,
    form: NetworkForm,
    sim: disruption.SimulationForm,
) -> Response:
    """A network around one finished product: summary and source, the product picker, the
    network view, single points of failure, the single-failure ranking and the simulation."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        network = networks_of(request).get(name)
    except EconsecError as error:
        return failure(request, actor, error)
    from econsec.know.network.concentration import provider_levels

    locale = locale_of(request)
    levels = provider_levels(network)
    context: dict[str, Any] = {
        "network": network,
        "summary": networks_of(request).describe(name),
        "form": form,
        "levels": levels if len(levels) > 1 else [],
        "kinds": KINDS,
        "sim": sim,
        "result": None,
    }
    try:
        context.update(_analysis(request, locale, network, form))
    except EconsecError as error:
        context["error"] = error
        return render(request, "know_network.html", actor=actor, section="know", **context)
    product = context["product"]
    if not sim["disrupt"]:
        sim["disrupt"] = disruption.default_disruption(context["findings"])
    else:
        try:
            context.update(disruption.results(locale, network, sim, product, form["level"]))
        except EconsecError as error:
            context["sim_error"] = error
    context["sim_query"] = urlencode({**form, "product": network.ids[product], **sim})
    return render(request, "know_network.html", actor=actor, section="know", **context)


def _network_and_product(
    request: Request, name: str, form: dict[str, str]
) -> tuple[SupplyNetwork, int, float]:
    network = networks_of(request).get(name)
    product, _listed, _matching = pick_product(network, form["product"], form["q"])
    return network, product, number(form["threshold"], "threshold", 0.01, 1)


@pages.get("/know/networks/{name}/view.csv", response_model=None)
def view_csv(request: Request, name: str, form: NetworkForm) -> Response:
    """Every node upstream of the product with its tier, whether the view draws it, the kinds
    of its single points of failure and the drawn nodes it feeds."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        network, product, threshold = _network_and_product(request, name, form)
        findings, view = _focused(request, network, product, threshold, form["nodes"])
    except EconsecError as error:
        return failure(request, actor, error)
    header = ["product", "node", "name", "kind", "country", "tier", "drawn", "findings", "feeds"]
    rows = [
        [
            network.ids[product],
            *(r[c] for c in header[1:7]),
            *map(";".join, (r["findings"], r["feeds"])),
        ]
        for r in _view_rows(network, view, findings, every=True)
    ]
    return csv_download(f"network-{name}-{network.ids[product]}.csv", header, rows)


SPOF_COLUMNS = [
    "kind",
    "node",
    "name",
    "level",
    "share",
    "provider",
    "provider_name",
    "hhi",
    "providers",
    "target",
    "nodes_beyond",
    "explanation",
]


@pages.get("/know/networks/{name}/spof.csv", response_model=None)
def spof_csv(request: Request, name: str, form: NetworkForm) -> Response:
    """The product's single points of failure, in the page's order."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        network, product, threshold = _network_and_product(request, name, form)
    except EconsecError as error:
        return failure(request, actor, error)
    rows = _spof_rows(_findings(request, network, product, threshold))
    return csv_download(
        f"spof-{name}-{network.ids[product]}.csv",
        ["product", *SPOF_COLUMNS],
        [[network.ids[product], *(r.get(c) for c in SPOF_COLUMNS)] for r in rows],
    )


@pages.get("/know/networks/{name}/losses.csv", response_model=None)
def losses_csv(request: Request, name: str, level: str = "firm") -> Response:
    """Every single failure of the network, worst first (the page shows the first 20)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        network = networks_of(request).get(name)
    except EconsecError as error:
        return failure(request, actor, error)
    level = level_of(level)
    rows = _ranking(_losses(request, network, level), network, None)
    header = ["rank", "node", "name", "kind", "loss", "share", "products_hit"]
    return csv_download(
        f"losses-{name}-{level}.csv",
        ["level", *header],
        [[level, *(r[c] for c in header)] for r in rows],
    )


#: The pages of this module, the simulation's CSV and the IO shock page (one router for the app).
router = APIRouter()
router.include_router(pages)
router.include_router(disruption.router)
router.include_router(shocks.router)
