"""``econsec know network``: load supply networks and find their single points of failure,
failure losses, country exposure and disruption timelines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import pyarrow as pa
import typer

from econsec.cli.common import err_console, out_console, print_json, progress_bar, write_json
from econsec.cli.output import Format, write
from econsec.know.networks import LOADERS, Networks, parse_disruptions

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


Level = Annotated[
    str, typer.Option("--level", help="Provider level whose shares count: firm or country.")
]


def _level(level: str) -> Literal["firm", "country"]:
    if level not in ("firm", "country"):
        raise typer.BadParameter("choose firm or country", param_hint="--level")
    return "firm" if level == "firm" else "country"


def _emit(
    rows: list[dict[str, Any]],
    fmt: Format,
    out: Path | None,
    title: str,
    columns: list[str],
    limit: int | None = None,
) -> None:
    """A list of objects: a JSON array as is; a table, CSV or Parquet of their columns."""
    if fmt is Format.json:
        write_json(rows, out)
        return
    flat = [
        {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}
        for row in rows
    ]
    table = pa.Table.from_pylist(flat) if flat else pa.table({c: [] for c in columns})
    write(
        table,
        fmt,
        out,
        title=title,
        columns=[c for c in columns if c in table.column_names],
        limit=limit if out is None else None,
    )


@app.command()
def spof(
    name: Name,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", help="Top provider share that makes an input concentrated (0..1)."
        ),
    ] = 0.8,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Only these kinds: dominator, articulation, single_source, "
            "concentrated_input, bridge (repeatable).",
        ),
    ] = None,
    product: Annotated[
        list[str] | None, typer.Option("--product", help="Only for these finished products.")
    ] = None,
    fmt: Fmt = Format.table,
    out: Out = None,
    limit: Limit = 30,
) -> None:
    """Single points of failure: dominators of each finished product, articulation points and
    bridges, single-source and concentrated inputs (JSON: node, kind, affects, share,
    explanation, ...)."""
    from econsec.know.network.spof import find_spofs

    network = networks().get(name)
    with progress_bar() as report:
        found = find_spofs(
            network,
            threshold=threshold,
            kinds=set(kind) if kind else None,
            products=product,
            progress=report,
        )
    rows = [f.to_dict() for f in found]
    if fmt is Format.table:
        for row in rows:
            row["affects"] = len(row["affects"])
    _emit(
        rows,
        fmt,
        out,
        f"Single points of failure in {name}",
        ["node", "name", "kind", "level", "share", "affects", "explanation"],
        limit,
    )


@app.command()
def hhi(
    name: Name, level: Level = "firm", fmt: Fmt = Format.table, out: Out = None, limit: Limit = 30
) -> None:
    """Provider concentration per input: providers, top provider and share, HHI (0..1)."""
    from econsec.know.network.concentration import hhi_by_input

    table = hhi_by_input(networks().get(name), _level(level))
    write(
        table,
        fmt,
        out,
        title=f"Provider concentration in {name} ({level} level)",
        limit=limit if out is None else None,
    )


@app.command()
def exposure(
    name: Name,
    product: Annotated[str, typer.Option("--product", help="Finished product (id).")],
    max_tier: Annotated[
        int | None, typer.Option("--max-tier", help="Only inputs up to this many tiers up.")
    ] = None,
    level: Level = "firm",
    fmt: Fmt = Format.table,
    out: Out = None,
    limit: Limit = 30,
) -> None:
    """Tier-n exposure of a product to each country: the share of its inputs, weighted
    1/(1+tier), provided from that country (firms counted by head office)."""
    from econsec.know.network.concentration import country_exposure

    network = networks().get(name)
    table = country_exposure(network, product, max_tier=max_tier, level=_level(level))
    write(
        table,
        fmt,
        out,
        title=f"Country exposure of {product}",
        limit=limit if out is None else None,
    )


@app.command()
def losses(
    name: Name,
    level: Level = "firm",
    node: Annotated[
        list[str] | None, typer.Option("--node", help="Only fail these nodes (repeatable).")
    ] = None,
    over: Annotated[
        float,
        typer.Option(
            "--over", help="Inoue-Todo: count nodes whose failure costs more than this % of output."
        ),
    ] = 10.0,
    top: Annotated[int | None, typer.Option("--top", help="Keep the N worst.")] = None,
    fmt: Fmt = Format.table,
    out: Out = None,
    limit: Limit = 30,
) -> None:
    """Output lost when each node fails alone, worst first, and the share of nodes whose
    single failure costs more than --over % of output (Inoue & Todo)."""
    from econsec.know.network.propagation import inoue_todo_share, single_failure_losses

    network = networks().get(name)
    with progress_bar() as report:
        result = single_failure_losses(network, nodes=node, level=_level(level), progress=report)
    ranking = result.ranking(top)
    share = inoue_todo_share(result, over)
    if fmt is Format.json:
        doc = {
            "network": name,
            "level": level,
            "nodes_failed": int(result.nodes.size),
            "over_percent": over,
            "share_of_nodes_over": share,
            "ranking": ranking.to_pylist(),
        }
        write_json(doc, out)
        return
    write(
        ranking.drop(["products"]) if fmt is Format.table else ranking,
        fmt,
        out,
        title=f"Output lost by single failures in {name}",
        limit=limit if out is None else None,
    )
    if fmt is Format.table:
        out_console.print(
            f"{share:.1%} of the {result.nodes.size:,} nodes failed one at a time cost more "
            f"than {over:g} % of output"
        )


@app.command()
def simulate(
    name: Name,
    disrupt: Annotated[
        list[str],
        typer.Option(
            "--disrupt",
            help="NODE:DAYS down from day 0 (repeatable; NODE alone: for the whole horizon).",
        ),
    ],
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Days to simulate.")] = 180,
    inventory_days: Annotated[
        float | None,
        typer.Option(
            "--inventory-days",
            help="Days of inputs every node holds (default: the "
            "nodes' own inventory_days, else none).",
        ),
    ] = None,
    level: Level = "firm",
    fmt: Fmt = Format.table,
    out: Out = None,
    limit: Limit = 30,
) -> None:
    """Day-by-day simulation of a disruption: shortfall of each finished product over time,
    its time to survive and time to recover."""
    from econsec.know.network.simulation import simulate as run

    network = networks().get(name)
    with progress_bar() as report:
        result = run(
            network,
            parse_disruptions(disrupt),
            horizon_days=horizon_days,
            inventory_days=inventory_days,
            level=_level(level),
            progress=report,
        )
    doc = result.to_dict()
    if fmt is Format.json:
        write_json(doc, out)
        return
    rows = [
        {k: v for k, v in p.items() if k != "shortfall"}
        | {"worst_shortfall": max(p["shortfall"], default=0.0)}
        for p in doc["products"]
    ]
    rows.sort(key=lambda r: -r["lost_output_share"])
    _emit(
        rows,
        fmt,
        out,
        f"Disruption of {', '.join(result.disrupted)} in {name}",
        [
            "product",
            "name",
            "time_to_survive_days",
            "time_to_recover_days",
            "lost_output_share",
            "worst_shortfall",
        ],
        limit,
    )
    if fmt is Format.table:
        out_console.print(f"output lost over {horizon_days} days: {doc['lost_output_share']:.2%}")


@app.command()
def survive(
    name: Name,
    node: Annotated[
        list[str] | None, typer.Option("--node", help="Only these nodes (repeatable).")
    ] = None,
    recovery_days: Annotated[
        float | None,
        typer.Option(
            "--recovery-days",
            help="Time to recover of every node (default: the nodes' own recovery_days).",
        ),
    ] = None,
    inventory_days: Annotated[
        float | None, typer.Option("--inventory-days", help="Days of inputs every node holds.")
    ] = None,
    horizon_days: Annotated[
        int | None, typer.Option("--horizon-days", help="Days to simulate (default: enough).")
    ] = None,
    level: Level = "firm",
    fmt: Fmt = Format.table,
    out: Out = None,
    limit: Limit = 30,
) -> None:
    """Time to survive and time to recover of each node (Simchi-Levi et al.): how long the
    finished products last when the node alone goes down, against how long it needs."""
    from econsec.know.network.simulation import time_to_survive

    network = networks().get(name)
    with progress_bar() as report:
        table = time_to_survive(
            network,
            nodes=node,
            recovery_days=recovery_days,
            inventory_days=inventory_days,
            horizon_days=horizon_days,
            level=_level(level),
            progress=report,
        )
    write(table, fmt, out, title=f"Time to survive in {name}", limit=limit if out is None else None)


@app.command()
def betweenness(
    name: Name,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples", help="Sampled sources (default: exact up to 2,000 nodes, else 512)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample.")] = 0,
    undirected: Annotated[
        bool, typer.Option("--undirected", help="Ignore the direction of flow.")
    ] = False,
    top: Annotated[int, typer.Option("--top", help="The N most central nodes.")] = 20,
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """Betweenness centrality (exact, or approximate from sampled sources)."""
    from econsec.know.network.centrality import betweenness as run

    network = networks().get(name)
    with progress_bar() as report:
        result = run(network, samples=samples, seed=seed, directed=not undirected, progress=report)
    write(
        result.top(top),
        fmt,
        out,
        title=f"Betweenness in {name}"
        + ("" if result.exact else f" (approximate: {result.samples} sampled sources)"),
    )
