"""``econsec data``: the dataset catalogue (list, load, show, remove, history)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from econsec import open_catalogue
from econsec.cli.common import err_console, out_console, print_json, progress_bar
from econsec.datasets.catalogue import LoadResult
from econsec.datasets.manifest import read_manifest
from econsec.errors import DataError

app = typer.Typer(help="List, load, inspect and remove datasets.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """Every known dataset: area, format, publisher, licence, version, loaded or not, rows."""
    statuses = open_catalogue().status()
    if as_json:
        print_json([s.to_dict() for s in statuses])
        return
    table = Table()
    table.add_column("name", no_wrap=True, min_width=22)
    for column in ("area", "format", "version", "loaded"):
        table.add_column(column)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("publisher", overflow="fold", ratio=1)
    table.add_column("licence", overflow="fold", ratio=1)
    for s in statuses:
        d = s.to_dict()
        loaded = "yes" if d["loaded"] else "no"
        table.add_row(
            d["name"],
            d["area"],
            d["format"],
            d["version"] or "",
            loaded,
            f"{d['rows']:,}",
            d["publisher"],
            d["licence"],
        )
    out_console.print(table)


def _options(pairs: list[str], keep_unknown: bool, hs_edition: str | None) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise DataError("invalid --option", got=pair, expected="KEY=VALUE")
        options[key.strip()] = value.strip()
    if keep_unknown:
        options["keep_unknown"] = "true"
    if hs_edition:
        options["hs_edition"] = hs_edition
    return options


def _report(result: LoadResult) -> None:
    v = result.version
    if not result.changed:
        out_console.print(
            f"{v.dataset}: unchanged - {v.source_name} is already loaded as {v.id} "
            f"({v.rows:,} rows)"
        )
        return
    replaced = f"; replaced {', '.join(result.retired)}" if result.retired else ""
    out_console.print(
        f"{v.dataset}: loaded {v.source_name} as {v.id} - {v.rows_loaded:,} rows in "
        f"{result.seconds:.1f}s{replaced}"
    )
    for note in v.notes:
        err_console.print(f"  note: {note}")


@app.command()
def load(
    name: Annotated[str, typer.Argument(help="Dataset name (see `econsec data list`).")],
    path: Annotated[Path, typer.Argument(help="Source file to load.")],
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="Loader option KEY=VALUE (see `data show`)."),
    ] = None,
    keep_unknown: Annotated[
        bool,
        typer.Option("--keep-unknown", help="Keep rows with unknown codes (counted in notes)."),
    ] = False,
    hs_edition: Annotated[
        str | None, typer.Option("--hs-edition", help="HS edition of the file, e.g. HS17.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate a whole file, then make it the dataset's active version (atomically)."""
    catalogue = open_catalogue()
    options = _options(option or [], keep_unknown, hs_edition)
    with progress_bar() as report:
        result = catalogue.load(name, path, options, progress=report)
    if as_json:
        print_json(
            {
                "changed": result.changed,
                "retired": result.retired,
                "seconds": round(result.seconds, 3),
                "version": result.version.to_dict(),
            }
        )
        return
    _report(result)


@app.command("load-manifest")
def load_manifest(
    manifest: Annotated[
        Path, typer.Argument(help="YAML file listing datasets and files (data/manifest.yaml).")
    ],
) -> None:
    """Load every file a manifest lists, in order (used by `make run` for the shipped data)."""
    catalogue = open_catalogue()
    for entry in read_manifest(manifest):
        with progress_bar() as report:
            result = catalogue.load(
                entry.name, manifest.parent / entry.file, entry.options, progress=report
            )
        _report(result)


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    rows: Annotated[int, typer.Option("--rows", "-n", help="Sample rows to show.")] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Provenance, schema, loaded versions and sample rows of one dataset."""
    catalogue = open_catalogue()
    status = catalogue.dataset(name)
    spec = status.spec
    sample = catalogue.sample(name, rows).to_pylist() if status.loaded else []
    info = {
        **status.to_dict(),
        "source_url": spec.source_url,
        "cadence": spec.cadence,
        "description": spec.description,
        "schema": [
            {"name": c.name, "type": c.type, "description": c.description} for c in spec.columns
        ],
        "options": [{"name": o.name, "description": o.description} for o in spec.options],
        "requires": list(spec.requires),
        "versions": [v.to_dict() for v in status.versions],
        "sample": sample,
    }
    if as_json:
        print_json(info)
        return
    out_console.print(Text(spec.name, style="bold") + Text(f" - {spec.title}"))
    for key in ("area", "publisher", "licence", "source_url", "cadence", "version", "rows"):
        out_console.print(f"  {key:<11} {'' if info[key] is None else info[key]}")
    if spec.description:
        out_console.print(f"  {'notes':<11} {spec.description}")
    schema = Table("column", "type", "meaning", title="schema")
    for c in spec.columns:
        schema.add_row(c.name, c.type, c.description)
    out_console.print(schema)
    if spec.options:
        out_console.print(
            "options: " + "; ".join(f"{o.name}: {o.description}" for o in spec.options)
        )
    for v in status.versions:
        out_console.print(
            f"version {v.id}: {v.source_name} sha256 {v.checksum[:12]}… loaded "
            f"{v.loaded_at:%Y-%m-%d %H:%M:%S} UTC, {v.rows:,} rows"
            + (f", release {v.release}" if v.release else "")
        )
        for note in v.notes:
            out_console.print(f"  note: {note}")
    if not status.loaded:
        out_console.print(f"not loaded: econsec data load {spec.name} FILE")
        return
    table = Table(*[str(k) for k in sample[0]] if sample else [], title="sample")
    for row in sample:
        table.add_row(*["" if v is None else str(v) for v in row.values()])
    out_console.print(table)


@app.command()
def history(
    name: Annotated[str, typer.Argument(help="Dataset name.")], as_json: JsonFlag = False
) -> None:
    """Every version of a dataset ever loaded, newest first."""
    versions = open_catalogue().history(name)
    if as_json:
        print_json([v.to_dict() for v in versions])
        return
    table = Table("version", "status", "file", "sha256", "loaded at (UTC)", "rows", "release")
    for v in versions:
        table.add_row(
            v.id,
            v.status,
            v.source_name,
            v.checksum[:12],
            f"{v.loaded_at:%Y-%m-%d %H:%M:%S}",
            f"{v.rows_loaded:,}",
            v.release or "",
        )
    out_console.print(table)


@app.command()
def remove(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a dataset's loaded data (its version history is kept)."""
    if not yes:
        typer.confirm(f"Remove all loaded data of {name}?", abort=True)
    count = open_catalogue().remove(name)
    out_console.print(f"{name}: removed {count} version(s)" if count else f"{name}: not loaded")
