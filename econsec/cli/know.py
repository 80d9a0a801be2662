"""``econsec know``: trade dependencies, chokepoints, export-stop scenarios, rollups, trends and
the HTML report (the Know pillar)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from econsec.cli import io, network, stockpile
from econsec.cli.common import err_console, out_console
from econsec.cli.output import Format, write
from econsec.engine import get_engine
from econsec.engine.base import Engine
from econsec.errors import DataError
from econsec.know.methods import parse_thresholds
from econsec.settings import get_settings

app = typer.Typer(help="Trade dependencies and chokepoints (Know).", no_args_is_help=True)
app.add_typer(network.app, name="network")
app.add_typer(io.app, name="io")
app.command("stockpile")(stockpile.stockpile)
app.command("cover")(stockpile.cover)

Year = Annotated[int, typer.Option("--year", "-y", help="Year, e.g. 2024.")]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
Edition = Annotated[
    str | None, typer.Option("--edition", help="HS edition to read the data in (e.g. HS17).")
]
Groups = Annotated[
    list[str] | None,
    typer.Option("--group", help="Define a country group NAME=ISO3,ISO3,... (repeatable)."),
]
Method = Annotated[str, typer.Option("--method", "-m", help="eu2021 or geodep.")]
Thresholds = Annotated[
    list[str] | None,
    typer.Option("--threshold", "-t", help="Override a method threshold NAME=VALUE."),
]
Dataset = Annotated[
    str, typer.Option("--dataset", help="Flows: baci (HS6) or baci_materials (materials).")
]
Limit = Annotated[int, typer.Option("--limit", help="Rows in the terminal table.")]

DEPENDENCY_COLUMNS = [
    "importer",
    "year",
    "product",
    "import_value",
    "n_suppliers",
    "hhi",
    "top_supplier",
    "top_supplier_share",
    "world_export_hhi",
    "top_exporter",
    "top_exporter_share",
    "dependent",
    "flags",
]


def _engine() -> Engine:
    from econsec import open_catalogue

    settings = get_settings()
    return get_engine(open_catalogue(settings), settings)


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


@app.command()
def dependencies(
    year: Year,
    importer: Annotated[
        list[str] | None,
        typer.Option("--importer", "-i", help="ISO3 code or group (repeatable; default: all)."),
    ] = None,
    method: Method = "geodep",
    group: Groups = None,
    concern: Annotated[
        str | None,
        typer.Option("--concern", help="Countries whose share to report: a group or ISO3,..."),
    ] = None,
    threshold: Thresholds = None,
    dependent_only: Annotated[
        bool, typer.Option("--dependent-only", help="Only the dependent products.")
    ] = False,
    edition: Edition = None,
    dataset: Dataset = "baci",
    fmt: Fmt = Format.table,
    output: Out = None,
    limit: Limit = 30,
) -> None:
    """Dependency indicators and tests per importer and product (eu2021 or geodep)."""
    from econsec.know.dependencies import dependencies as run
    from econsec.know.flows import source

    table = run(
        _engine(),
        year=year,
        importers=importer,
        method=method,
        thresholds=parse_thresholds(threshold),
        extra_groups=group or [],
        concern=_codes(concern) if concern and "," in concern else concern,
        edition=edition,
        dataset=dataset,
    )
    if dependent_only:
        table = table.filter(table["dependent"])
    write(
        table,
        fmt,
        output,
        columns=DEPENDENCY_COLUMNS,
        limit=limit,
        title=f"Dependencies ({method}), values in {source(dataset).unit}",
        extra={"unit": source(dataset).unit},
    )


@app.command()
def chokepoints(
    year: Year,
    view: Annotated[
        str,
        typer.Option("--view", help="concentration, exporters or ranking (needs --importer)."),
    ] = "concentration",
    products: Annotated[
        str | None, typer.Option("--products", "-p", help="HS6 codes, comma-separated.")
    ] = None,
    min_share: Annotated[
        float, typer.Option("--min-share", help="Exporter share of an importer's supply.")
    ] = 0.5,
    min_importers: Annotated[
        int, typer.Option("--min-importers", help="Importers cut by at least --min-share.")
    ] = 3,
    importer: Annotated[
        str | None, typer.Option("--importer", "-i", help="For --view ranking.")
    ] = None,
    method: Method = "geodep",
    edition: Edition = None,
    dataset: Dataset = "baci",
    fmt: Fmt = Format.table,
    output: Out = None,
    limit: Limit = 30,
) -> None:
    """Concentrated world supply: products, critical exporters, a country's ranking."""
    from econsec.know import chokepoints as c

    engine = _engine()
    codes = _codes(products) or None
    if view == "concentration":
        table = c.concentration(engine, year=year, products=codes, edition=edition, dataset=dataset)
    elif view == "exporters":
        table = c.critical_exporters(
            engine,
            year=year,
            min_share=min_share,
            min_importers=min_importers,
            products=codes,
            edition=edition,
            dataset=dataset,
        )
    elif view == "ranking":
        if not importer:
            raise DataError("--view ranking needs --importer", field="importer")
        table = c.dependent_and_concentrated(
            engine, importer=importer, year=year, method=method, edition=edition, dataset=dataset
        )
    else:
        raise DataError("unknown --view", got=view, expected="concentration, exporters or ranking")
    columns = [*DEPENDENCY_COLUMNS[:-2], "score"] if view == "ranking" else None
    write(table, fmt, output, columns=columns, limit=limit, title=f"Chokepoints: {view}")


@app.command()
def scenario(
    exporter: Annotated[str, typer.Option("--exporter", "-e", help="ISO3 code or group.")],
    products: Annotated[str, typer.Option("--products", "-p", help="HS6 codes, comma-separated.")],
    year: Year,
    importers: Annotated[
        str | None, typer.Option("--importers", help="Only these importers (ISO3,...).")
    ] = None,
    max_divert: Annotated[
        float, typer.Option("--max-divert", help="Share of third-country shipments divertible.")
    ] = 1.0,
    view: Annotated[
        str, typer.Option("--view", help="losses, importers or alternatives (csv/parquet).")
    ] = "losses",
    edition: Edition = None,
    dataset: Dataset = "baci",
    fmt: Fmt = Format.table,
    output: Out = None,
    limit: Limit = 20,
) -> None:
    """What if EXPORTER stops supplying PRODUCTS: losses, alternatives, re-routed estimate."""
    from econsec.know.scenarios import export_stop

    result = export_stop(
        _engine(),
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
    if fmt is Format.json:
        doc = {
            "exporter": result.exporter,
            "products": list(result.products),
            "year": result.year,
            "unit": result.unit,
            "assumption": result.assumption,
            **{k: json.loads(json.dumps(t.to_pylist(), default=str)) for k, t in tables.items()},
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            out_console.file.write(text + "\n")
        return
    if fmt in (Format.csv, Format.parquet):
        if view not in tables:
            raise DataError("unknown --view", got=view, expected=", ".join(tables))
        write(tables[view], fmt, output)
        err_console.print(result.assumption)
        return
    out_console.print(
        f"{result.exporter} stops supplying {', '.join(result.products)} in "
        f"{result.year} (values in {result.unit})"
    )
    write(result.importers, fmt, None, title="Most exposed importers", limit=limit)
    write(result.losses, fmt, None, title="Losses per importer and product", limit=limit)
    write(result.alternatives, fmt, None, title="Alternative suppliers", limit=limit)
    out_console.print(result.assumption)


@app.command()
def rollup(
    year: Year,
    importer: Annotated[str, typer.Option("--importer", "-i", help="ISO3 code or group.")],
    level: Annotated[
        str, typer.Option("--level", help="hs2, hs4, section, bec or critical_product.")
    ] = "critical_product",
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Your own critical-product mapping (CSV or YAML)."),
    ] = None,
    method: Method = "geodep",
    group: Groups = None,
    edition: Edition = None,
    fmt: Fmt = Format.table,
    output: Out = None,
    limit: Limit = 40,
) -> None:
    """Dependencies rolled up to HS chapters, headings, sections, BEC end use or the
    specified critical products."""
    from econsec.know.dependencies import dependencies as run
    from econsec.know.rollups import read_mapping
    from econsec.know.rollups import rollup as roll

    engine = _engine()
    deps = run(
        engine,
        year=year,
        importers=[importer],
        method=method,
        extra_groups=group or [],
        edition=edition,
    )
    table = roll(
        engine,
        deps,
        level=level,
        mapping=read_mapping(mapping) if mapping else None,
        edition=edition,
        extra_groups=group or [],
    )
    write(table, fmt, output, limit=limit, title=f"{importer} {year} by {level}")


@app.command()
def trends(
    importer: Annotated[str, typer.Option("--importer", "-i", help="ISO3 code or group.")],
    first: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    last: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    products: Annotated[
        str | None, typer.Option("--products", "-p", help="Only these products.")
    ] = None,
    churn: Annotated[bool, typer.Option("--churn", help="Show entries and exits only.")] = False,
    method: Method = "geodep",
    group: Groups = None,
    edition: Edition = None,
    dataset: Dataset = "baci",
    fmt: Fmt = Format.table,
    output: Out = None,
    limit: Limit = 40,
) -> None:
    """Indicators year by year, and products entering or leaving dependency."""
    from econsec.know.flows import available, source
    from econsec.know.trends import trends as run

    engine = _engine()
    years = sorted(
        {
            y
            for y, _ in available(engine.catalogue, source(dataset))
            if (first is None or y >= first) and (last is None or y <= last)
        }
    )
    result = run(
        engine,
        importers=[importer],
        years=years or None,
        method=method,
        products=_codes(products) or None,
        extra_groups=group or [],
        edition=edition,
        dataset=dataset,
    )
    if churn:
        write(result.churn, fmt, output, limit=limit, title="Entered or left dependency")
        return
    write(
        result.series,
        fmt,
        output,
        limit=limit,
        columns=DEPENDENCY_COLUMNS,
        title=f"{importer}: indicators by year",
    )


@app.command()
def report(
    importer: Annotated[str, typer.Option("--importer", "-i", help="ISO3 code or group.")],
    year: Year,
    output: Annotated[Path, typer.Option("--output", "-o", help="report.html or .pdf")],
    method: Method = "geodep",
    group: Groups = None,
    concern: Annotated[
        str | None, typer.Option("--concern", help="Countries whose share to report.")
    ] = None,
    edition: Edition = None,
) -> None:
    """An HTML report (PDF with WeasyPrint) of an importer's dependencies, with charts."""
    from econsec.reports.dependency_report import gather
    from econsec.reports.dependency_report import write as write_report

    data = gather(
        _engine(),
        importer=importer,
        year=year,
        method=method,
        extra_groups=group or [],
        concern=concern,
        edition=edition,
    )
    path = write_report(data, output)
    out_console.print(f"report written to {path}")


@app.command()
def mirror(
    year: Year,
    reporter: Annotated[
        str | None, typer.Option("--reporter", "-r", help="Comtrade reporter (ISO3).")
    ] = None,
    products: Annotated[
        str | None, typer.Option("--products", "-p", help="HS6 codes, comma-separated.")
    ] = None,
    totals: Annotated[
        bool, typer.Option("--totals", help="Reporters' World rows against their partner rows.")
    ] = False,
    edition: Edition = None,
    fmt: Fmt = Format.table,
    output: Out = None,
    limit: Limit = 30,
) -> None:
    """Comtrade's reported flows against BACI's (mirror comparison; CIF imports vs FOB)."""
    from econsec.know.mirror import mirror_flows, reporting_totals

    engine = _engine()
    codes = _codes(products) or None
    if totals:
        table = reporting_totals(engine, year, reporter=reporter, hs6=codes)
    else:
        table = mirror_flows(engine, year, reporter=reporter, hs6=codes, hs_edition=edition)
    write(table, fmt, output, limit=limit, title="Comtrade reports vs BACI (current USD)")
