"""Know over HTTP: dependencies, chokepoints, scenarios, rollups, trends (JSON or CSV) and the
HTML report. Parameters mirror ``econsec know ...``; errors are JSON like every route."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any, Generic, Literal, TypeVar, cast

import pyarrow as pa
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from econsec.api.deps import CatalogueDep, SettingsDep
from econsec.engine import get_engine
from econsec.engine.base import Engine
from econsec.errors import DataError
from econsec.know import chokepoints as choke
from econsec.know.dependencies import dependencies as run_dependencies
from econsec.know.flows import source
from econsec.know.methods import parse_thresholds
from econsec.know.rollups import rollup as run_rollup
from econsec.know.scenarios import export_stop
from econsec.know.trends import trends as run_trends
from econsec.reports.tables import csv_text, records

router = APIRouter(prefix="/know", tags=["know"])

Fmt = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
Codes = Annotated[str | None, Query(description="Comma-separated codes")]
Groups = Annotated[list[str] | None, Query(description="NAME=ISO3,ISO3,... (repeatable)")]


def _engine(request: Request, catalogue: Any, settings: Any) -> Engine:
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        engine = get_engine(catalogue, settings)
        request.app.state.engine = engine
    return engine


V = TypeVar("V")


class Recent(Generic[V]):
    """The ``size`` most recently used values by key (shared by request threads)."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._values: OrderedDict[tuple[Any, ...], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: V) -> None:
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)


#: Results and whole answers per (analytics store generation, route, parameters): the same
#: question on the same loaded data has the same answer, so repeated requests skip the
#: computation. A load changes the generation, which retires every cached result.
_RESULTS: Recent[Any] = Recent()
_ANSWERS: Recent[tuple[bytes, str, dict[str, str]]] = Recent()
_RESULTS_MAX_ROWS = 200_000
_ANSWER_MAX_BYTES = 4 * 2**20


def cached(catalogue: Any, key: tuple[Any, ...], compute: Callable[[], V]) -> V:
    """``compute()``'s result, from the cache when the same key was computed on the same data
    (tables over ``_RESULTS_MAX_ROWS`` rows are not kept)."""
    full = (catalogue.store.generation(), *key)
    hit = _RESULTS.get(full)
    if hit is not None:
        return cast(V, hit)
    value = compute()
    if getattr(value, "num_rows", 0) <= _RESULTS_MAX_ROWS:
        _RESULTS.put(full, value)
    return value


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _respond(
    table: pa.Table,
    fmt: str,
    name: str,
    extra: dict[str, Any] | None = None,
    limit: int | None = None,
) -> Response:
    if limit is not None:  # at most the rows there are (a huge limit overflowed Arrow: a 500)
        table = table.slice(0, min(max(0, limit), table.num_rows))
    if fmt == "csv":
        return Response(
            csv_text(table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return JSONResponse(json.loads(json.dumps(records(table, extra), default=str)))


@router.get("/dependencies")
async def dependencies(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    year: int,
    importer: Annotated[list[str] | None, Query(description="ISO3 or group; default all")] = None,
    method: Literal["geodep", "eu2021"] = "geodep",
    group: Groups = None,
    concern: Codes = None,
    threshold: Annotated[list[str] | None, Query(description="NAME=VALUE")] = None,
    dependent_only: bool = False,
    edition: str | None = None,
    dataset: Literal["baci", "baci_materials"] = "baci",
    format: Fmt = "json",
    limit: int | None = None,
) -> Response:
    """Indicators and dependency tests per (importer, year, product); objects carry ``unit``."""
    concern_arg: str | list[str] | None = concern
    if concern and "," in concern:
        concern_arg = _codes(concern)
    key = (
        "dependencies",
        year,
        tuple(importer or ()),
        method,
        tuple(threshold or ()),
        tuple(group or ()),
        concern,
        edition,
        dataset,
    )
    answer_key = (catalogue.store.generation(), *key, dependent_only, format, limit)
    stored = _ANSWERS.get(answer_key)
    if stored is not None:  # the same answer on the same data: no computing, no serialising,
        # and answered on the event loop (no thread to wake under the GIL)
        return Response(stored[0], media_type=stored[1], headers=stored[2])

    def compute() -> Response:
        table = cached(
            catalogue,
            key,
            lambda: run_dependencies(
                _engine(request, catalogue, settings),
                year=year,
                importers=importer,
                method=method,
                thresholds=parse_thresholds(threshold),
                extra_groups=group or [],
                concern=concern_arg,
                edition=edition,
                dataset=dataset,
            ),
        )
        if dependent_only:
            table = table.filter(table["dependent"])
        return _respond(table, format, "dependencies", {"unit": source(dataset).unit}, limit)

    answer = await run_in_threadpool(compute)
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
    if len(answer.body) <= _ANSWER_MAX_BYTES:
        _ANSWERS.put(answer_key, (bytes(answer.body), answer.media_type or "", headers))
    return answer


@router.get("/chokepoints")
def chokepoints(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    year: int,
    view: Literal["concentration", "exporters", "ranking"] = "concentration",
    products: Codes = None,
    min_share: float = 0.5,
    min_importers: int = 3,
    importer: str | None = None,
    method: Literal["geodep", "eu2021"] = "geodep",
    edition: str | None = None,
    dataset: Literal["baci", "baci_materials"] = "baci",
    format: Fmt = "json",
    limit: int | None = None,
) -> Response:
    """World concentration per product, critical exporters, or a country's ranking."""
    engine = _engine(request, catalogue, settings)
    codes = _codes(products) or None
    if view == "concentration":
        table = choke.concentration(
            engine, year=year, products=codes, edition=edition, dataset=dataset
        )
    elif view == "exporters":
        table = choke.critical_exporters(
            engine,
            year=year,
            min_share=min_share,
            min_importers=min_importers,
            products=codes,
            edition=edition,
            dataset=dataset,
        )
    else:
        if not importer:
            raise DataError("view=ranking needs importer", field="importer")
        table = choke.dependent_and_concentrated(
            engine, importer=importer, year=year, method=method, edition=edition, dataset=dataset
        )
    return _respond(table, format, f"chokepoints-{view}", limit=limit)


@router.get("/scenario")
def scenario(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    exporter: str,
    products: str,
    year: int,
    importers: Codes = None,
    max_divert: float = 1.0,
    view: Literal["losses", "importers", "alternatives"] = "losses",
    edition: str | None = None,
    dataset: Literal["baci", "baci_materials"] = "baci",
    format: Fmt = "json",
) -> Response:
    """Export stop: losses, most exposed importers, alternatives; CSV gives one ``view``."""
    result = export_stop(
        _engine(request, catalogue, settings),
        exporter=exporter,
        products=_codes(products),
        year=year,
        importers=_codes(importers) or None,
        max_divert=max_divert,
        edition=edition,
        dataset=dataset,
    )
    tables = {
        "losses": result.losses,
        "importers": result.importers,
        "alternatives": result.alternatives,
    }
    if format == "csv":
        return _respond(tables[view], "csv", f"scenario-{view}")
    body = {
        "exporter": result.exporter,
        "products": list(result.products),
        "year": result.year,
        "unit": result.unit,
        "assumption": result.assumption,
        **{k: records(t) for k, t in tables.items()},
    }
    return JSONResponse(json.loads(json.dumps(body, default=str)))


@router.get("/rollup")
def rollup(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    year: int,
    importer: str,
    level: Literal["hs2", "hs4", "section", "bec", "critical_product"] = "critical_product",
    method: Literal["geodep", "eu2021"] = "geodep",
    edition: str | None = None,
    format: Fmt = "json",
) -> Response:
    """Dependencies rolled up to a level (critical products by default)."""
    engine = _engine(request, catalogue, settings)
    deps = run_dependencies(engine, year=year, importers=[importer], method=method, edition=edition)
    return _respond(
        run_rollup(engine, deps, level=level, edition=edition), format, f"rollup-{level}"
    )


@router.get("/trends")
def trends(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    importer: str,
    churn: bool = False,
    method: Literal["geodep", "eu2021"] = "geodep",
    products: Codes = None,
    edition: str | None = None,
    dataset: Literal["baci", "baci_materials"] = "baci",
    format: Fmt = "json",
) -> Response:
    """Indicators year by year (or, with churn, products entering and leaving dependency)."""
    result = run_trends(
        _engine(request, catalogue, settings),
        importers=[importer],
        method=method,
        products=_codes(products) or None,
        edition=edition,
        dataset=dataset,
    )
    return _respond(result.churn if churn else result.series, format, "trends")


@router.get("/report", response_class=HTMLResponse)
def report(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    importer: str,
    year: int,
    method: Literal["geodep", "eu2021"] = "geodep",
    concern: Codes = None,
    edition: str | None = None,
) -> HTMLResponse:
    """The dependency report of an importer as one self-contained HTML page."""
    from econsec.reports import html
    from econsec.reports.dependency_report import gather

    data = gather(
        _engine(request, catalogue, settings),
        importer=importer,
        year=year,
        method=method,
        concern=_codes(concern) or None,
        edition=edition,
    )
    return HTMLResponse(html.render(data))


@router.get("/mirror")
def mirror(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    year: int,
    reporter: str | None = None,
    products: Codes = None,
    totals: bool = False,
    edition: str | None = None,
    format: Fmt = "json",
    limit: int | None = None,
) -> Response:
    """Comtrade reports against BACI per (reporter, partner, product, flow), or with ``totals``
    each reporter's World row against its partner rows (current USD)."""
    from econsec.know.mirror import mirror_flows, reporting_totals

    engine = _engine(request, catalogue, settings)
    codes = _codes(products) or None
    table = (
        reporting_totals(engine, year, reporter=reporter, hs6=codes)
        if totals
        else mirror_flows(engine, year, reporter=reporter, hs6=codes, hs_edition=edition)
    )
    return _respond(table, format, "mirror", limit=limit)
