"""``econsec know io``: input-output tables and disruption shocks (Leontief, Ghosh,
hypothetical extraction, IIM, DIIM, bottleneck)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer

from econsec.cli.common import err_console, out_console, print_json, progress_bar, write_json
from econsec.cli.output import Format, write
from econsec.errors import InvalidInput
from econsec.know.io import MODELS
from econsec.know.iotables import LOADERS, IOTables

app = typer.Typer(help="Input-output tables and disruption shocks.", no_args_is_help=True)

Fmt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]


def tables() -> IOTables:
    """The configured store's IO tables."""
    from econsec import open_io_tables

    return open_io_tables()


@app.command()
def load(
    loader: Annotated[str, typer.Argument(help="wiod, japan or csv.", metavar="LOADER")],
    path: Annotated[Path, typer.Argument(help="File or folder to read.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Name to store it under.")],
) -> None:
    """Read an input-output table and store it under NAME (replacing one of that name).

    wiod: the WIOD 2013-release folder (Z_YYYY.csv.gz, Y_YYYY.csv.gz, x_YYYY.csv,
    sectors_wiod2013.csv). japan: the MIC 13-sector table (..._wider.csv or ..._wider_ja.csv).
    csv: the long form written by `econsec know io export`.
    """
    if loader not in LOADERS:
        raise typer.BadParameter(f"choose one of {', '.join(LOADERS)}", param_hint="LOADER")
    table = tables().load(loader, path, name)
    err_console.print(
        f"stored IO table {name!r}: {len(table.region_list)} regions x "
        f"{len(table.sector_list)} sectors ({table.n:,} rows), {table.units}"
    )


@app.command("list")
def list_(fmt: Fmt = Format.table, out: Out = None) -> None:
    """The stored input-output tables."""
    rows = [
        {
            "name": m.name,
            "regions": m.meta.get("regions"),
            "sectors": m.meta.get("sectors"),
            "rows": m.meta.get("rows"),
            "year": m.meta.get("year"),
            "units": m.meta.get("units"),
            "loader": m.meta.get("loader"),
            "saved_at": m.saved_at.isoformat(timespec="seconds"),
        }
        for m in tables().list()
    ]
    if not rows and fmt is Format.table:
        out_console.print("no IO tables stored yet: econsec know io load ...")
        return
    write(pa.Table.from_pylist(rows), fmt, out, title="Input-output tables")


@app.command()
def show(name: Annotated[str, typer.Argument(help="Name of a stored table.")]) -> None:
    """A table's summary (JSON): size, year, units, totals, source and licence."""
    print_json(tables().describe(name))


@app.command()
def sectors(
    name: Annotated[str, typer.Argument(help="Name of a stored table.")],
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """The table's regions and sectors (the codes --extract takes)."""
    table = tables().get(name)
    rows = [
        {"sector": s, "name": table.sector_names.get(s, s), "regions": len(table.region_list)}
        for s in table.sector_list
    ]
    write(pa.Table.from_pylist(rows), fmt, out, title=f"Sectors of {name}")
    if fmt is Format.table:
        out_console.print("regions: " + " ".join(table.region_list))


@app.command()
def export(
    name: Annotated[str, typer.Argument(help="Name of a stored table.")],
    out: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")],
) -> None:
    """Write a stored table in the long CSV form (`econsec know io load csv` reads it back)."""
    from econsec.reports.tables import csv_text

    out.write_text(csv_text(tables().get(name).to_arrow()), encoding="utf-8")
    err_console.print(f"wrote {out}")


@app.command()
def delete(name: Annotated[str, typer.Argument(help="Name of a stored table.")]) -> None:
    """Remove a stored table."""
    tables().delete(name)
    err_console.print(f"deleted IO table {name!r}")


def _params(pairs: list[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--param takes NAME=VALUE, got {pair!r}")
        text = value.strip()
        try:
            params[key.strip()] = json.loads(text)
        except json.JSONDecodeError:
            params[key.strip()] = [s for s in text.split(",") if s] if "," in text else text
    return params


def given(**options: Any) -> dict[str, Any]:
    """The model parameters given on the command line (those not None)."""
    return {key: value for key, value in options.items() if value is not None}


@app.command("shock")
def shock_(
    table: Annotated[str, typer.Option("--table", "-t", help="Name of a stored IO table.")],
    extract: Annotated[
        list[str],
        typer.Option(
            "--extract",
            "-e",
            help="REGION:SECTOR[:FRACTION] cut (repeatable; '*' matches all), e.g. TWN:c14.",
        ),
    ],
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="leontief, ghosh, extraction, iim, diim or bottleneck."),
    ] = "leontief",
    inventory_days: Annotated[
        float | None,
        typer.Option("--inventory-days", help="bottleneck: days of inputs held in stock."),
    ] = None,
    duration_days: Annotated[
        float | None, typer.Option("--duration-days", help="Days the cut lasts (default 365).")
    ] = None,
    recovery_days: Annotated[
        float | None, typer.Option("--recovery-days", help="diim, bottleneck: recovery days.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Another model parameter NAME=VALUE (repeatable)."),
    ] = None,
    view: Annotated[
        str, typer.Option("--view", help="table/csv/parquet rows: regions, sectors or cells.")
    ] = "regions",
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """Cut cells of an IO table and compute the output lost with a model.

    JSON gives everything: world_output_loss_share, world_value_added_loss_share, losses by
    region and sector, the top cells, direct and indirect losses, and the assumptions.
    """
    if model not in MODELS:
        raise typer.BadParameter(f"choose one of {', '.join(MODELS)}", param_hint="--model")
    params = _params(param) | given(
        inventory_days=inventory_days, duration_days=duration_days, recovery_days=recovery_days
    )
    with progress_bar() as report:
        result = tables().shock(table, extract, model, progress=report, **params)
    data = result.to_dict()
    if fmt is Format.json:
        write_json(data, out)
        return
    if view == "cells":
        rows = result.to_arrow()
    elif view in ("regions", "sectors"):
        rows = pa.Table.from_pylist(data["losses_by_" + view.removesuffix("s")])
    else:
        raise typer.BadParameter("choose regions, sectors or cells", param_hint="--view")
    write(rows, fmt, out, title=f"{model}: output lost", limit=20 if out is None else None)
    if fmt is Format.table:
        out_console.print(
            f"world output lost: {data['world_output_loss_share']:.3%} "
            f"(value added {data['world_value_added_loss_share']:.3%}) over "
            f"{data['period_days']:g} days"
        )
        for line in data["assumptions"]:
            out_console.print(f"- {line}")


@app.command("trade-shock")
def trade_shock_(
    table: Annotated[str, typer.Option("--table", "-t", help="Name of a stored IO table.")],
    exporter: Annotated[str, typer.Option("--exporter", help="ISO3 code that stops supplying.")],
    products: Annotated[str, typer.Option("--products", "-p", help="HS6 codes, comma-separated.")],
    year: Annotated[int, typer.Option("--year", "-y", help="Trade year, e.g. 2024.")],
    importers: Annotated[
        str | None, typer.Option("--importers", help="Only to these importers (ISO3,...).")
    ] = None,
    max_divert: Annotated[
        float, typer.Option("--max-divert", help="Scenario re-routing limit (0..1).")
    ] = 1.0,
    model: Annotated[str, typer.Option("--model", "-m", help="bottleneck or leontief.")] = (
        "bottleneck"
    ),
    inventory_days: Annotated[
        float | None,
        typer.Option("--inventory-days", help="bottleneck: days of inputs held in stock."),
    ] = None,
    duration_days: Annotated[
        float | None, typer.Option("--duration-days", help="Days the stop lasts (default 365).")
    ] = None,
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """An export stop (the trade scenario of `econsec know scenario`) fed into the IO table:
    what re-routing cannot replace cuts the exporter's supply lines to the importers."""
    from econsec.cli.know import _codes, _engine
    from econsec.know.scenarios import export_stop

    scenario = export_stop(
        _engine(),
        exporter=exporter,
        products=_codes(products),
        year=year,
        importers=_codes(importers) or None,
        max_divert=max_divert,
    )
    params = given(inventory_days=inventory_days, duration_days=duration_days)
    with progress_bar() as report:
        result = tables().trade_shock(
            table, scenario.losses, scenario.exporter, model, progress=report, **params
        )
    data = result.to_dict()
    data["scenario"] = {
        "exporter": scenario.exporter,
        "products": list(scenario.products),
        "year": scenario.year,
        "unit": scenario.unit,
        "assumption": scenario.assumption,
    }
    if fmt is Format.json:
        write_json(data, out)
        return
    write(
        pa.Table.from_pylist(data["losses_by_region"]),
        fmt,
        out,
        title=f"{model}: output lost when {exporter} stops",
        limit=20 if out is None else None,
    )
    if fmt is Format.table:
        out_console.print(f"world output lost: {data['world_output_loss_share']:.4%}")
        for line in [scenario.assumption, *data["assumptions"]]:
            out_console.print(f"- {line}")
