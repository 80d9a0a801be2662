"""``econsec know network``: load supply networks and find their single points of failure,
failure losses, country exposure and disruption timelines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer

from econsec.cli.common import err_console, out_console, print_json
from econsec.cli.output import Format, write
from econsec.know.networks import LOADERS, Networks

app = typer.Typer(
    help="Supply networks: load, single points of failure, propagation.", no_args_is_help=True
)

Name = Annotated[str, typer.Argument(help="Name of a stored network.")]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
Limit = Annotated[int, typer.Option("--limit", help="Rows in the terminal table.")]


def networks() -> Networks:
    """The configured store's networks."""
    from econsec import open_networks

    return open_networks()


@app.command()
def load(
    loader: Annotated[str, typer.Argument(help="willems, eto or csv.", metavar="LOADER")],
    path: Annotated[Path, typer.Argument(help="File or folder to read.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Name to store it under.")],
) -> None:
    """Read a supply network and store it under NAME (replacing one of that name).

    willems: one Willems (2008) chain, either form (raw_msom/NN.csv.gz or
    gsm_stages/willems_NN.csv). eto: the ETO semiconductor folder (CC BY-NC 4.0:
    non-commercial use only). csv: the generic format (edges CSV with an optional
    <stem>_nodes.csv beside it, a folder with nodes.csv and edges.csv, or a JSON file).
    """
    if loader not in LOADERS:
        raise typer.BadParameter(f"choose one of {', '.join(LOADERS)}", param_hint="LOADER")
    network = networks().load(loader, path, name)
    summary = network.summary()
    err_console.print(
        f"stored network {name!r}: {summary['nodes']:,} nodes, {summary['edges']:,} edges, "
        f"{summary['finished_products']:,} finished products ({network.source.title})"
    )
    if network.source.licence.startswith("CC BY-NC"):
        err_console.print(f"licence: {network.source.licence}")


@app.command("list")
def list_(fmt: Fmt = Format.table, out: Out = None) -> None:
    """The stored networks."""
    rows = [
        {
            "name": m.name,
            "nodes": m.meta.get("nodes"),
            "edges": m.meta.get("edges"),
            "finished_products": m.meta.get("finished_products"),
            "loader": m.meta.get("source", {}).get("loader"),
            "title": m.meta.get("source", {}).get("title"),
            "licence": m.meta.get("source", {}).get("licence"),
            "saved_at": m.saved_at.isoformat(timespec="seconds"),
        }
        for m in networks().list()
    ]
    if not rows and fmt is Format.table:
        out_console.print("no networks stored yet: econsec know network load ...")
        return
    write(
        pa.Table.from_pylist(rows),
        fmt,
        out,
        title="Supply networks",
        columns=["name", "nodes", "edges", "finished_products", "loader", "title"],
    )


@app.command()
def show(name: Name) -> None:
    """A network's summary: counts by kind, finished products, source and licence (JSON)."""
    print_json(networks().describe(name))


@app.command()
def delete(name: Name) -> None:
    """Remove a stored network."""
    networks().delete(name)
    err_console.print(f"deleted network {name!r}")
