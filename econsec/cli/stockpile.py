"""``econsec know stockpile`` (safety stock by the guaranteed-service model) and ``econsec know
cover`` (days a stockpile lasts under an IO disruption)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
import typer

from econsec.cli.common import out_console, progress_bar, write_json
from econsec.cli.io import given
from econsec.cli.output import Format, write

Fmt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
METHODS = ("gsm",)


def stockpile(
    name: Annotated[str, typer.Argument(help="Name of a stored (bill-of-materials) network.")],
    method: Annotated[str, typer.Option("--method", help="gsm: guaranteed-service model.")] = (
        "gsm"
    ),
    service_level: Annotated[
        float | None,
        typer.Option("--service-level", help="Replace the stages' service levels (e.g. 0.95)."),
    ] = None,
    holding_rate: Annotated[
        float, typer.Option("--holding-rate", help="Holding cost per $ of stock (1: its value).")
    ] = 1.0,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the solver (default none).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows in the terminal table.")] = 20,
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """Where to hold safety stock in a network, at least cost (guaranteed-service model on
    general acyclic networks, solved with a proven gap).

    JSON: total_safety_stock_cost, lower_bound, gap, status, seconds, assumptions and, per
    stage, service_time, inbound_service_time, net_replenishment_time, safety_stock,
    safety_stock_cost, base_stock. CSV and Parquet give the stages.
    """
    from econsec import open_networks
    from econsec.know.stockpile import solve_gsm
    from econsec.know.stockpile.from_network import gsm_problem

    if method not in METHODS:
        raise typer.BadParameter(f"choose one of {', '.join(METHODS)}", param_hint="--method")
    network = open_networks().get(name)
    problem = gsm_problem(network, service_level=service_level, holding_rate=holding_rate)
    with progress_bar() as report:
        solution = solve_gsm(problem, time_limit=time_limit, progress=report)
    data = solution.to_dict()
    data["network"] = name
    data["method"] = f"gsm: {data.get('method', '')}".rstrip(": ")
    if fmt is Format.json:
        write_json(data, out)
        return
    stages = solution.to_arrow()
    if fmt is Format.table:
        order = pc.sort_indices(stages, [("safety_stock_cost", "descending")])
        stages = stages.take(order)
    write(stages, fmt, out, title=f"Safety stock in {name}", limit=limit if out is None else None)
    if fmt is Format.table:
        out_console.print(
            f"total safety-stock cost {data['total_safety_stock_cost']:,.2f} ({data['status']}, "
            f"gap {data['gap']:.1e}, {data['seconds']:.2f} s)"
        )
        for line in data.get("assumptions", []):
            out_console.print(f"- {line}")


def cover(
    table: Annotated[str, typer.Option("--table", "-t", help="Name of a stored IO table.")],
    extract: Annotated[
        list[str], typer.Option("--extract", "-e", help="REGION:SECTOR[:FRACTION] cut.")
    ],
    holder: Annotated[str, typer.Option("--holder", help="Region holding the stockpile.")],
    stock_days: Annotated[
        float, typer.Option("--stock-days", help="Stockpile in days of the holder's normal use.")
    ],
    model: Annotated[
        str, typer.Option("--model", "-m", help="bottleneck, diim or a static model.")
    ] = "bottleneck",
    inventory_days: Annotated[
        float | None, typer.Option("--inventory-days", help="bottleneck: days of input stock.")
    ] = None,
    duration_days: Annotated[
        float | None, typer.Option("--duration-days", help="Days the cut lasts (default 365).")
    ] = None,
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """Days a stockpile of the cut product lasts for the holder region, with the consumption
    the disruption leaves (the IO model's day-by-day output of the holder's industries)."""
    from econsec import open_io_tables
    from econsec.know.iotables import stockpile_cover

    params = given(inventory_days=inventory_days, duration_days=duration_days)
    with progress_bar() as report:
        result = open_io_tables().shock(table, extract, model, progress=report, **params)
    data = {
        "table": table,
        "extract": extract,
        "model": model,
        **stockpile_cover(result, holder, stock_days),
    }
    if fmt is Format.json:
        write_json(data, out)
        return
    rows = pa.table(
        {
            "day": list(range(len(data["consumption_share"]))),
            "consumption_share": data["consumption_share"],
            "supply_share": data["supply_share"],
            "stock_days_left": data["stock_share"],
        }
    )
    write(rows, fmt, out, title=f"Stockpile of {holder}", limit=10 if out is None else None)
    if fmt is Format.table:
        days = data["days_of_cover"]
        out_console.print(
            f"{stock_days:g} days of stock last "
            + (f"{days:.1f} days" if days is not None else "the whole horizon")
        )
        for line in data["assumptions"]:
            out_console.print(f"- {line}")
