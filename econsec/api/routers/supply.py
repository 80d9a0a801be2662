"""Supply networks and input-output tables over HTTP (Know): list, upload, and analyse them.

Parameters mirror ``econsec know network ...`` and ``econsec know io ...``; results are the
same JSON documents. Reading needs no sign-in (like the other Know routes); uploading or
deleting needs a signed-in user who may write, and is audited.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from econsec.api.deps import CatalogueDep
from econsec.api.responses import finite_json
from econsec.api.routers.council import ActorDep
from econsec.api.uploads import uploaded
from econsec.errors import InvalidInput
from econsec.know.iotables import LOADERS as IO_LOADERS
from econsec.know.iotables import IOTables
from econsec.know.network.model import SupplyNetwork
from econsec.know.networks import Networks, parse_disruptions

router = APIRouter(prefix="/know", tags=["know: networks and IO"])

Level = Annotated[Literal["firm", "country"], Query(description="Provider level: firm or country")]
UPLOAD_LOADERS = ("willems", "csv")  # one-file formats (the ETO folder loads from the CLI)


def _networks(catalogue: Any) -> Networks:
    return Networks(catalogue.store)


def _tables(catalogue: Any) -> IOTables:
    return IOTables(catalogue.store)


def _given(**params: float | None) -> dict[str, Any]:
    """The optional model parameters the request sets (the others keep the model's default)."""
    return {key: value for key, value in params.items() if value is not None}


@router.get("/networks")
def list_networks(catalogue: CatalogueDep) -> list[dict[str, Any]]:
    """The stored supply networks with their counts, source and licence."""
    return [m.to_dict() for m in _networks(catalogue).list()]


@router.get("/networks/{name}")
def show_network(name: str, catalogue: CatalogueDep) -> dict[str, Any]:
    """One network's summary."""
    return _networks(catalogue).describe(name)


@router.post("/networks/{name}")
def load_network(
    request: Request,
    name: str,
    actor: ActorDep,
    catalogue: CatalogueDep,
    file: Annotated[UploadFile, File(description="One Willems chain or a generic CSV/JSON")],
    loader: Annotated[str, Form(description="willems or csv")] = "csv",
) -> dict[str, Any]:
    """Upload a network file and store it as ``name`` (signed-in users who may write)."""
    if loader not in UPLOAD_LOADERS:
        raise InvalidInput(f"unknown loader {loader!r}", expected=", ".join(UPLOAD_LOADERS))
    request.app.state.security.require(actor, "write", "know.network.load", "load a Know model")
    with uploaded(file, default="upload.csv") as (path,):
        network = _networks(catalogue).load(loader, path, name)
    request.app.state.security.record(
        actor.name, "api", "know.network.load", target=f"network:{name}", file=file.filename
    )
    return network.summary()


@router.delete("/networks/{name}")
def delete_network(
    request: Request, name: str, actor: ActorDep, catalogue: CatalogueDep
) -> dict[str, str]:
    """Remove a stored network (signed-in users who may write)."""
    request.app.state.security.require(actor, "write", "know.network.delete", "delete a network")
    _networks(catalogue).delete(name)
    request.app.state.security.record(
        actor.name, "api", "know.network.delete", target=f"network:{name}"
    )
    return {"deleted": name}


def _network(catalogue: Any, name: str) -> SupplyNetwork:
    return _networks(catalogue).get(name)


@router.get("/networks/{name}/spof")
def network_spof(
    name: str,
    catalogue: CatalogueDep,
    threshold: Annotated[
        float, Query(ge=0, le=1, description="Concentrated from this share")
    ] = 0.8,
    kind: Annotated[list[str] | None, Query(description="Only these kinds")] = None,
    product: Annotated[list[str] | None, Query(description="Only these products")] = None,
) -> JSONResponse:
    """Single points of failure: objects with node, kind, affects, share, explanation..."""
    from econsec.know.network.spof import find_spofs

    found = find_spofs(
        _network(catalogue, name),
        threshold=threshold,
        kinds=set(kind) if kind else None,
        products=product,
    )
    return finite_json([f.to_dict() for f in found])


@router.get("/networks/{name}/losses")
def network_losses(
    name: str,
    catalogue: CatalogueDep,
    level: Level = "firm",
    over: Annotated[float, Query(ge=0, le=100, description="Inoue-Todo threshold, %")] = 10.0,
    top: Annotated[int, Query(ge=1, le=10_000, description="The N worst failures")] = 100,
) -> JSONResponse:
    """Output lost when each node fails alone, worst first, and the Inoue-Todo share."""
    from econsec.know.network.propagation import single_failure_losses

    result = single_failure_losses(_network(catalogue, name), level=level)
    return finite_json(result.to_dict(over, top))


@router.get("/networks/{name}/exposure")
def network_exposure(
    name: str,
    catalogue: CatalogueDep,
    product: str,
    level: Level = "firm",
    max_tier: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> JSONResponse:
    """Tier-n exposure of a finished product to each country."""
    from econsec.know.network.concentration import country_exposure

    table = country_exposure(_network(catalogue, name), product, max_tier=max_tier, level=level)
    return finite_json(table.to_pylist())


@router.get("/networks/{name}/simulate")
def network_simulate(
    name: str,
    catalogue: CatalogueDep,
    disrupt: Annotated[list[str], Query(description="NODE:DAYS down from day 0")],
    horizon_days: Annotated[int, Query(ge=1, le=3650)] = 180,
    inventory_days: Annotated[float | None, Query(ge=0, le=3650)] = None,
    level: Level = "firm",
) -> JSONResponse:
    """Day-by-day shortfall of each finished product, with time to survive and to recover."""
    from econsec.know.network.simulation import simulate

    result = simulate(
        _network(catalogue, name),
        parse_disruptions(disrupt),
        horizon_days=horizon_days,
        inventory_days=inventory_days,
        level=level,
    )
    return finite_json(result.to_dict())


@router.get("/networks/{name}/betweenness")
def network_betweenness(
    name: str,
    catalogue: CatalogueDep,
    samples: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
    undirected: bool = False,
    top: Annotated[int, Query(ge=1, le=10_000)] = 20,
) -> JSONResponse:
    """The most central nodes (exact, or from sampled sources)."""
    from econsec.know.network.centrality import betweenness

    result = betweenness(
        _network(catalogue, name), samples=samples, seed=seed, directed=not undirected
    )
    return finite_json(
        {"exact": result.exact, "samples": result.samples, "nodes": result.top(top).to_pylist()}
    )


@router.get("/io/tables")
def list_io_tables(catalogue: CatalogueDep) -> list[dict[str, Any]]:
    """The stored input-output tables."""
    return [m.to_dict() for m in _tables(catalogue).list()]


@router.get("/io/tables/{name}")
def show_io_table(name: str, catalogue: CatalogueDep) -> dict[str, Any]:
    """One table's summary, with its regions and sectors."""
    tables = _tables(catalogue)
    table = tables.get(name)
    return {
        **tables.describe(name),
        "region_list": list(table.region_list),
        "sector_list": [
            {"sector": s, "name": table.sector_names.get(s, s)} for s in table.sector_list
        ],
    }


@router.post("/io/tables/{name}")
def load_io_table(
    request: Request,
    name: str,
    actor: ActorDep,
    catalogue: CatalogueDep,
    file: Annotated[UploadFile, File(description="A Japan 13-sector table or the long CSV")],
    loader: Annotated[str, Form(description="japan or csv")] = "csv",
) -> dict[str, Any]:
    """Upload an IO table file and store it as ``name`` (signed-in users who may write)."""
    if loader not in IO_LOADERS or loader == "wiod":
        raise InvalidInput(f"unknown loader {loader!r} for one file", expected="japan, csv")
    request.app.state.security.require(actor, "write", "know.io.load", "load a Know model")
    with uploaded(file, default="upload.csv") as (path,):
        _tables(catalogue).load(loader, path, name)
    request.app.state.security.record(
        actor.name, "api", "know.io.load", target=f"io:{name}", file=file.filename
    )
    return _tables(catalogue).describe(name)


@router.delete("/io/tables/{name}")
def delete_io_table(
    request: Request, name: str, actor: ActorDep, catalogue: CatalogueDep
) -> dict[str, str]:
    """Remove a stored IO table (signed-in users who may write)."""
    request.app.state.security.require(actor, "write", "know.io.delete", "delete an IO table")
    _tables(catalogue).delete(name)
    request.app.state.security.record(actor.name, "api", "know.io.delete", target=f"io:{name}")
    return {"deleted": name}


@router.get("/io/shock")
def io_shock(
    catalogue: CatalogueDep,
    table: str,
    extract: Annotated[list[str], Query(description="REGION:SECTOR[:FRACTION] (repeatable)")],
    model: Annotated[
        Literal["leontief", "ghosh", "extraction", "iim", "diim", "bottleneck"], Query()
    ] = "leontief",
    inventory_days: Annotated[float | None, Query(ge=0, le=3650)] = None,
    duration_days: Annotated[float | None, Query(gt=0, le=3650)] = None,
    recovery_days: Annotated[float | None, Query(ge=0, le=3650)] = None,
) -> JSONResponse:
    """Cut cells of a table and compute the output lost (the JSON of ``econsec know io
    shock --format json``: world_output_loss_share, losses by region and sector, ...)."""
    params = _given(
        inventory_days=inventory_days, duration_days=duration_days, recovery_days=recovery_days
    )
    result = _tables(catalogue).shock(table, extract, model, **params)
    return finite_json(result.to_dict())


@router.get("/networks/{name}/stockpile")
def network_stockpile(
    name: str,
    catalogue: CatalogueDep,
    method: Literal["gsm"] = "gsm",
    service_level: Annotated[float | None, Query(ge=0.5, lt=1)] = None,
    holding_rate: Annotated[float, Query(gt=0, le=100)] = 1.0,
    time_limit: Annotated[float | None, Query(gt=0, le=600)] = 60.0,
) -> JSONResponse:
    """Safety stock at least cost (the JSON of ``econsec know stockpile --format json``)."""
    from econsec.know.stockpile import solve_gsm
    from econsec.know.stockpile.from_network import gsm_problem

    problem = gsm_problem(
        _network(catalogue, name), service_level=service_level, holding_rate=holding_rate
    )
    data = solve_gsm(problem, time_limit=time_limit).to_dict()
    return finite_json({**data, "network": name, "method": f"{method}: {data.get('method', '')}"})


@router.get("/io/cover")
def io_cover(
    catalogue: CatalogueDep,
    table: str,
    extract: Annotated[list[str], Query(description="REGION:SECTOR[:FRACTION] (repeatable)")],
    holder: str,
    stock_days: Annotated[float, Query(ge=0, le=3650)],
    model: Annotated[
        Literal["leontief", "ghosh", "extraction", "iim", "diim", "bottleneck"], Query()
    ] = "bottleneck",
    inventory_days: Annotated[float | None, Query(ge=0, le=3650)] = None,
    duration_days: Annotated[float | None, Query(gt=0, le=3650)] = None,
) -> JSONResponse:
    """Days a stockpile of the cut product lasts for ``holder`` (``econsec know cover``)."""
    from econsec.know.iotables import stockpile_cover

    params = _given(inventory_days=inventory_days, duration_days=duration_days)
    result = _tables(catalogue).shock(table, extract, model, **params)
    cover = stockpile_cover(result, holder, stock_days)
    return finite_json({"table": table, "extract": extract, "model": model, **cover})
