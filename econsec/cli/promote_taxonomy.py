"""``econsec promote taxonomy``: Japan's 20 technology areas and the allied lists (K Program,
US CET 2022 and 2024, EU, ASPI) with the crosswalk to Japan's areas: browse, search in Japanese
and English, show, compare the lists, export, and edit the crosswalk (audited, as the user named
by ``--as``).

The lists come from the loaded ``critical_technologies`` dataset (``econsec data load
critical_technologies data/policy/critical_technologies.yaml``) or from ``--file``; the
crosswalk shown is the shipped one with the stored edits applied (``--shipped``: without)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.table import Table

from econsec.cli.common import err_console, out_console, print_json, write_json, write_text
from econsec.cli.output import Format, write
from econsec.cli.promote_taxonomy_crosswalk import app as crosswalk_app
from econsec.promote.taxonomy import Taxonomy, Technology

app = typer.Typer(
    help="Technology taxonomy: Japan's 20 areas, allied lists, crosswalk.", no_args_is_help=True
)
app.add_typer(crosswalk_app, name="crosswalk", no_args_is_help=True)

Fmt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
File = Annotated[
    Path | None,
    typer.Option("--file", help="A critical_technologies.yaml (default: the loaded dataset)."),
]
Shipped = Annotated[
    bool, typer.Option("--shipped", help="The shipped crosswalk, without the stored edits.")
]
ListName = Annotated[
    str | None,
    typer.Option("--list", help="One list: us_cet_2022 (us2022), us_cet_2024, eu_2023, aspi..."),
]
AreaId = Annotated[str | None, typer.Option("--area", help="One of Japan's areas (id or name).")]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    yaml = "yaml"


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


def _taxonomies(path: Path | None, shipped_only: bool = False) -> tuple[Taxonomy, Taxonomy]:
    """The shipped and the effective taxonomy (reading the edits needs no sign-in, and no
    migration: a store without the edits table has no edits)."""
    from econsec import get_settings, open_catalogue
    from econsec.promote.crosswalk_store import load
    from econsec.store.app import AppStore

    if shipped_only:
        return load(open_catalogue(), None, path)
    store = AppStore(get_settings().app_database_url)
    try:
        return load(open_catalogue(), store, path)
    finally:
        store.dispose()


def _links(t: Technology) -> str:
    return ", ".join(
        f"{k.area} ({k.confidence}{', edited' if k.origin == 'edit' else ''})" for k in t.links
    )


def _file(out: Path | None) -> Path | None:
    """``out``, or None (stdout) for ``-``."""
    return None if out is None or str(out) == "-" else out


def _technologies(found: list[Technology], fmt: Format, out: Path | None, title: str) -> None:
    if fmt is Format.json:
        write_json([t.to_dict() for t in found], _file(out))
        return
    from econsec.promote.taxonomy_export import COLUMNS, rows

    if fmt is Format.table and out is None:
        table = Table("key", "name", "crosswalk (confidence)", title=title)
        for t in found:
            name = t.name_en + (f" / {t.name_ja}" if t.name_ja else "")
            table.add_row(t.key, name, _links(t))
        table.columns[0].overflow = "fold"  # keys are what edits take: wrapped, never cut
        out_console.print(table)
        return
    write(pa.Table.from_pylist(rows(found), schema=_schema(COLUMNS)), fmt, out)


def _schema(columns: tuple[str, ...]) -> pa.Schema:
    return pa.schema([(c, pa.bool_() if c == "edited" else pa.string()) for c in columns])


@app.command("list")
def list_(
    list_name: ListName = None,
    area: AreaId = None,
    fmt: Fmt = Format.table,
    out: Out = None,
    file: File = None,
    shipped: Shipped = False,
) -> None:
    """Technologies of every list, of one list (--list) or mapped to one of Japan's areas
    (--area), in the order of the file, with their crosswalk and its confidence."""
    taxonomy = _taxonomies(file, shipped)[1]
    found = taxonomy.browse(list_name, area)
    _technologies(found, fmt, out, f"{len(found)} technologies")


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words in English or Japanese (kana or kanji).")],
    list_name: ListName = None,
    area: AreaId = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most N results.")] = 50,
    fmt: Fmt = Format.table,
    out: Out = None,
    file: File = None,
    shipped: Shipped = False,
) -> None:
    """Technologies whose names (or reading, id, ASPI domain, note) match TEXT, best first;
    the allied technologies mapped to a Japanese area that matches are found through it."""
    from econsec.promote.taxonomy_search import search as find

    taxonomy = _taxonomies(file, shipped)[1]
    hits = find(taxonomy, text, list_name=list_name, area=area, limit=limit)
    if fmt is Format.json:
        write_json([h.to_dict() for h in hits], _file(out))
        return
    rows: list[dict[str, Any]] = [
        {
            "score": round(h.score, 1),
            "key": h.technology.key,
            "name_en": h.technology.name_en,
            "name_ja": h.technology.name_ja,
            "matched": (f"via area {h.via}: " if h.via else f"{h.field}: ") + h.text,
            "crosswalk": ";".join(h.technology.areas),
        }
        for h in hits
    ]
    if fmt is Format.table and out is None:
        if not rows:
            err_console.print(f"nothing matches {text!r}")
            return
        table = Table("score", "key", "name", "matched", title=f"{len(rows)} technologies")
        for r in rows:
            name = r["name_en"] + (f" / {r['name_ja']}" if r["name_ja"] else "")
            table.add_row(f"{r['score']:.0f}", r["key"], name, r["matched"])
        table.columns[1].overflow = "fold"
        out_console.print(table)
        return
    write(pa.Table.from_pylist(rows), fmt, out)


@app.command("show")
def show(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="LIST:ID, an id, or one of Japan's areas.")
    ],
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="table or json.")] = (
        ShowFormat.table
    ),
    file: File = None,
    shipped: Shipped = False,
) -> None:
    """A technology (every list's, for a bare id) with its crosswalk, the related technologies
    of the other lists, and, for one of Japan's areas, what each list maps to it."""
    from econsec.promote.allies import describe

    doc = describe(_taxonomies(file, shipped)[1], ident)
    if fmt is ShowFormat.json:
        print_json(doc)
        return
    for t in doc["technologies"]:
        names = t["name_en"] + (f" / {t['name_ja']}" if t["name_ja"] else "")
        out_console.print(f"{t['key']}: {names}")
        out_console.print(f"  list {t['list']}; source {t['source']} ({t['confidence']})")
        links = Table("area", "confidence", "origin", "reason", title="crosswalk")
        for k in t["crosswalk"]:
            links.add_row(k["area"], k["confidence"], k["origin"], k["reason"] or "")
        out_console.print(links if t["crosswalk"] else "  crosswalk: maps to no Japan area")
        if t["related"]:
            related = Table("related technology", "relation", "score")
            for r in t["related"]:
                related.add_row(f"{r['key']} ({r['name_en']})", r["relation"], str(r["score"]))
            out_console.print(related)
    area = doc.get("area")
    if area:
        out_console.print(f"Japan area {area['id']}: {area['name_ja']} / {area['name_en']}")
        members = Table("list", "technologies")
        for name, found in area["technologies"].items():
            members.add_row(name, "; ".join(x["name_en"] for x in found) or "-")
        out_console.print(members)


@app.command("compare")
def compare(
    area: AreaId = None,
    fmt: Fmt = Format.table,
    out: Out = None,
    file: File = None,
    shipped: Shipped = False,
) -> None:
    """Which lists cover each of Japan's areas (how many technologies of each), the areas and
    technologies on one list only, the technologies mapped to no area, and what changed from
    the US CET list of 2022 to 2024. csv and parquet give the per-area table; json all."""
    from econsec.promote.allies import compare as compared

    doc = compared(_taxonomies(file, shipped)[1], area)
    if fmt is Format.json:
        write_json(doc, _file(out))
        return
    lists = list(doc["lists"])
    rows = [
        {
            "area": r["area"],
            "name_ja": r["name_ja"],
            **{name: r["count"][name] for name in lists},
            "lists_present": r["lists_present"],
            "missing_from": ";".join(r["missing_from"]),
        }
        for r in doc["areas"]
    ]
    if fmt is not Format.table or out is not None:
        write(pa.Table.from_pylist(rows), fmt, out)
        return
    table = Table("area", *(_SHORT.get(n, n) for n in lists), "lists", title=_MATRIX)
    for r in rows:
        counts = (str(r[n]) if r[n] else "-" for n in lists)
        table.add_row(f"{r['area']} {r['name_ja']}", *counts, str(r["lists_present"]))
    out_console.print(table)
    _print_differences(doc)


_MATRIX = "technologies of each list mapped to each of Japan's areas"
_SHORT = {
    "k_program_vision_1": "K1",
    "us_cet_2022": "US22",
    "us_cet_2024": "US24",
    "eu_2023": "EU",
    "aspi_tracker": "ASPI",
}


def _print_differences(doc: dict[str, Any]) -> None:
    summary = doc["summary"]
    for area_id, name in summary["areas_on_one_list"].items():
        out_console.print(f"area {area_id}: only on {name}")
    for area_id in summary["areas_on_no_list"]:
        out_console.print(f"area {area_id}: on no allied list")
    for name, keys in doc["unmapped"].items():
        if keys:
            out_console.print(f"{name}: mapped to no Japan area: {', '.join(keys)}")
    single: dict[str, list[str]] = {}
    for t in doc["one_list_only"]:
        single.setdefault(t["list"], []).append(t["name_en"])
    table = Table("list", "technologies on it only (no related name on another list)")
    for name, names in single.items():
        shown = "; ".join(names) if len(names) <= 8 else f"{len(names)} (--format json: all)"
        table.add_row(name, shown)
    if single:
        out_console.print(table)
    changes = doc.get("us_2022_vs_2024")
    if changes and any(changes[k] for k in ("renamed", "removed", "added")):
        table = Table("US CET 2022 -> 2024", "technology", "detail")
        for r in changes["renamed"]:
            table.add_row("renamed", r["from"]["name_en"], f"-> {r['to']['name_en']}")
        for r in changes["removed"]:
            still = "; ".join(
                f"{a}: {', '.join(n) or 'no longer'}" for a, n in r["still_covered_by"].items()
            )
            table.add_row("removed", r["name_en"], still)
        for r in changes["added"]:
            table.add_row("added", r["name_en"], ", ".join(r["areas"]))
        out_console.print(table)
        out_console.print(
            f"areas no longer covered: {', '.join(changes['areas_lost']) or '-'}; "
            f"newly covered: {', '.join(changes['areas_gained']) or '-'}"
        )
    for note in doc["notes"]:
        err_console.print(f"note: {note}")


@app.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, json or yaml.")],
    out: Out = None,
    list_name: ListName = None,
    file: File = None,
    shipped: Shipped = False,
) -> None:
    """The taxonomy with its effective crosswalk as CSV (one row per technology) or as one
    JSON or YAML document (areas, lists, technologies, each link's confidence and origin)."""
    from econsec.promote.taxonomy_export import export as exported

    taxonomy = _taxonomies(file, shipped)[1]
    target = _file(out)
    write_text(exported(taxonomy, fmt.value, list_name), target)
    if target is not None:
        err_console.print(f"{len(taxonomy.browse(list_name))} technologies written to {target}")
