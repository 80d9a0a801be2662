"""``econsec promote landscape``: country strength per technology area from OpenAlex data
(output, shares, growth, top-10 % share, top institutions, who leads, monopoly risk), the ASPI
comparison, and the stored publication datasets.

Commands (registered on ``econsec promote`` by :func:`register`): ``landscape``,
``landscape-compare``, ``landscape-load``, ``landscape-datasets``, ``landscape-delete``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pyarrow as pa
import typer

from econsec.cli.common import err_console, progress_bar, write_json
from econsec.cli.output import Format, write
from econsec.errors import InvalidInput
from econsec.promote.landscape import Landscape
from econsec.promote.landscape import landscape as build
from econsec.promote.landscape_records import Records

if TYPE_CHECKING:
    from econsec.store.landscapes import Kind, Landscapes

Fmt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
Counts = Annotated[
    Path | None, typer.Option("--counts", help="OpenAlex group-by counts CSV.", metavar="FILE")
]
Works = Annotated[
    list[Path] | None,
    typer.Option(
        "--works",
        help="OpenAlex works: JSON, JSON Lines, API pages or a folder (repeatable).",
        metavar="FILE",
    ),
]
Dataset = Annotated[
    str | None,
    typer.Option(
        "--dataset", help="A stored dataset (default: openalex_ai_dl, the shipped counts)."
    ),
]
MapFile = Annotated[
    Path | None,
    typer.Option("--map", help="Area-map CSV (kind,id,area,name) replacing the shipped map."),
]
MinScore = Annotated[
    float, typer.Option("--min-score", min=0, max=1, help="Least OpenAlex label score.")
]
Period = Annotated[int, typer.Option("--period", min=1, help="Years per window.")]
First = Annotated[int | None, typer.Option("--from", help="First year (default: the data's).")]
Last = Annotated[int | None, typer.Option("--to", help="Last year (default: the data's).")]


class Counting(StrEnum):
    """How a multi-country work is credited."""

    whole = "whole"
    fractional = "fractional"


class LeadBy(StrEnum):
    """What decides who leads."""

    top10 = "top10"
    output = "output"


class View(StrEnum):
    """Which table ``landscape`` prints."""

    shares = "shares"
    leaders = "leaders"
    institutions = "institutions"


def _landscapes() -> Landscapes:
    from econsec.settings import get_settings
    from econsec.store.analytics import AnalyticsStore
    from econsec.store.landscapes import Landscapes

    return Landscapes(AnalyticsStore.from_settings(get_settings()))


def load_records(
    counts: Path | None,
    works: list[Path] | None,
    dataset: str | None,
    area_map: Path | None,
    min_score: float,
) -> Records:
    """Records from exactly one of ``--counts``, ``--works`` or ``--dataset`` (default: the
    shipped dataset), with the shipped or given area map."""
    from econsec.datasets import openalex_tables
    from econsec.promote.landscape_map import DEFAULT_RULES
    from econsec.promote.landscape_records import from_counts, from_works

    given = [o for o, v in (("--counts", counts), ("--works", works), ("--dataset", dataset)) if v]
    if len(given) > 1:
        raise InvalidInput(f"give one of --counts, --works or --dataset, not {' and '.join(given)}")
    rules = openalex_tables.read_area_map(area_map) if area_map else DEFAULT_RULES
    with progress_bar() as progress:
        if counts is not None:
            return from_counts(openalex_tables.read_counts(counts), rules)
        if works:
            from econsec.datasets.openalex import read_works

            data = read_works(works, progress)
            return from_works(data, rules, min_score=min_score, progress=progress)
        from econsec.store.landscapes import SHIPPED_NAME

        return _landscapes().records(dataset or SHIPPED_NAME, rules, min_score, progress)


def _notes(notes: list[str] | tuple[str, ...]) -> None:
    for note in notes:
        err_console.print(f"note: {note}")


def _charts(result: Landscape, path: Path, countries: list[str] | None, top: int) -> None:
    from econsec.reports.landscape_charts import share_lines

    techs = sorted({r["technology"] for r in result.leaders.to_pylist()})
    for tech in techs:
        slug = re.sub(r"[^a-z0-9]+", "_", tech.lower()).strip("_")
        target = path if len(techs) == 1 else path.with_name(f"{path.stem}-{slug}{path.suffix}")
        target.write_text(share_lines(result, tech, countries=countries, top=min(top, 7)), "utf-8")
        err_console.print(f"wrote {target}")


def landscape(
    counts: Counts = None,
    works: Works = None,
    dataset: Dataset = None,
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="Only this area or technology (repeatable), e.g. ai_ml."),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option("--country", help="Show only these countries (ISO alpha-2, repeatable)."),
    ] = None,
    period: Period = 5,
    step: Annotated[
        int | None, typer.Option("--step", min=1, help="Years between windows (default: period).")
    ] = None,
    first: First = None,
    last: Last = None,
    counting: Annotated[
        Counting | None,
        typer.Option("--counting", help="whole or fractional (default: fractional for works)."),
    ] = None,
    lead_by: Annotated[
        LeadBy | None,
        typer.Option("--lead-by", help="top10 or output (default: top10 when cited)."),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Countries per area and window.")] = 10,
    view: Annotated[
        View, typer.Option("--view", help="shares, leaders or institutions (not for json).")
    ] = View.shares,
    area_map: MapFile = None,
    min_score: MinScore = 0.0,
    high: Annotated[float, typer.Option("--high", help="Risk high from this lead ratio.")] = 3.0,
    medium: Annotated[
        float, typer.Option("--medium", help="Risk medium from this lead ratio.")
    ] = 2.0,
    focus: Annotated[str, typer.Option("--focus", help="Country reported beside leaders.")] = "JP",
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also write a share-over-time SVG (one per technology)."),
    ] = None,
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """Country strength per technology area and window: output (whole and fractional), share,
    growth, top-10 %-cited share, top institutions, who leads and the monopoly risk.

    Reads OpenAlex group-by counts (--counts), OpenAlex works (--works) or a stored dataset
    (--dataset; default the shipped AI / deep-learning counts). --format json prints the whole
    result (rows, leaders, institutions, notes); the other formats print the --view table.
    """
    records = load_records(counts, works, dataset, area_map, min_score)
    result = build(
        records,
        period=period,
        step=step,
        first=first,
        last=last,
        counting=None if counting is None else counting.value,
        lead_by=None if lead_by is None else lead_by.value,
        technologies=area,
        high=high,
        medium=medium,
        focus=focus,
        institutions=top,
    )
    if chart is not None:
        _charts(result, chart, country, top)
    if fmt is Format.json:
        write_json(result.to_dict(top, country), out)
        return
    metric = "top-10 % share" if result.metric == "top10_share" else "share of all output"
    if view is View.leaders:
        table, title = result.leaders, f"Who leads (by {metric}) and the monopoly risk"
        columns = ["technology", "period", "leader", "leader_share", "second", "second_share"]
        columns += ["ratio", "risk", "focus_share", "focus_rank"]
        if records.source == "works":
            columns.append("lead_institutions")
    elif view is View.institutions:
        if records.source == "counts":
            raise InvalidInput("group-by counts name no institutions", expected="--works")
        table, title = result.institutions, "Top institutions (fractional credit)"
        columns = ["technology", "period", "rank", "institution", "country", "output_fractional"]
        columns += ["share", "top10_fractional"] if records.citations else ["share"]
    else:
        table = pa.Table.from_pylist(result.rows(top, country), schema=result.shares.schema)
        title = f"Research output by country ({result.counting} counting; rank by {metric})"
        columns = ["technology", "period", "country", "output_whole"]
        columns += ["output_fractional"] if records.fractional else []
        columns += ["share", "top10_share"] if records.citations else ["share"]
        columns += ["growth", "rank"]
        if fmt is Format.table:  # a rate per year reads best as a signed percentage
            growth = [_rate(g) for g in table["growth"].to_pylist()]
            table = table.set_column(
                table.schema.get_field_index("growth"), "growth", pa.array(growth, pa.string())
            )
    # files and pipes get every column; the terminal the ones that fit
    write(table, fmt, out, title=title, columns=columns if fmt is Format.table else None)
    if fmt is Format.table:
        _notes(result.notes)


def _rate(value: float | None) -> str | None:
    return None if value is None else f"{value:+.1%}/yr"


def compare(
    counts: Counts = None,
    works: Works = None,
    dataset: Dataset = None,
    aspi: Annotated[
        Path | None,
        typer.Option("--aspi", help="aspi_tracker_results.yaml (default: the shipped one)."),
    ] = None,
    technologies: Annotated[
        Path | None,
        typer.Option(
            "--technologies", help="critical_technologies.yaml (default: the shipped one)."
        ),
    ] = None,
    period: Period = 5,
    first: First = None,
    last: Last = None,
    area_map: MapFile = None,
    min_score: MinScore = 0.0,
    fmt: Fmt = Format.table,
    out: Out = None,
) -> None:
    """Our landscape beside ASPI's published Critical Technology Tracker headline: who leads
    in the window nearest to each ASPI window, and ASPI's AI-related technologies next to ours.

    --format json prints the whole comparison; table, csv and parquet the per-technology rows
    (table also the headline).
    """
    from econsec.promote.landscape_compare import compare_with_files

    records = load_records(counts, works, dataset, area_map, min_score)
    result = build(records, period=period, first=first, last=last)
    doc = compare_with_files(result, aspi, technologies)
    if fmt is Format.json:
        write_json(doc, out)
        return
    rows = doc["technologies"]
    if fmt is Format.table:
        heads = [
            {
                "aspi_window": h["aspi_window"],
                "aspi": _aspi_words(h),
                "our_window": h["ours"]["window"] if h["ours"] else None,
                "ours": _our_words(h["ours"]),
                "metric": "same" if h["same_metric"] else f"differs (ours: {doc['our_metric']})",
            }
            for h in doc["headline"]
        ]
        write(pa.Table.from_pylist(heads), fmt, None, title="ASPI headline and ours")
    columns = ["aspi_technology", "aspi_leader", "technology", "period", "leader"]
    columns += ["leader_share", "ratio", "risk", "agree"]
    table = pa.Table.from_pylist(rows) if rows else pa.table({c: [] for c in columns})
    write(table, fmt, out, title="ASPI technologies (2019-2023) and ours", columns=columns)
    if fmt is Format.table:
        _notes(doc["caveats"])


def _aspi_words(head: dict[str, Any]) -> str:
    parts = []
    if head["aspi_china_leads"] is not None:
        parts.append(f"China leads {head['aspi_china_leads']} of {head['aspi_technologies']}")
    if head["aspi_us_leads"] is not None:
        parts.append(f"US {head['aspi_us_leads']}")
    if head["aspi_note"]:
        parts.append(head["aspi_note"])
    return "; ".join(parts)


def _our_words(ours: dict[str, Any] | None) -> str:
    if not ours:
        return "no overlapping years"
    leads = ", ".join(f"{c} {n}" for c, n in ours["leads"].items())
    return f"{leads} of {ours['technologies']} ({ours['overlap_years']} years in common)"


def load(
    paths: Annotated[list[Path], typer.Argument(help="Works files or folders, or a counts CSV.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Name to store it under.")],
    kind: Annotated[
        str | None, typer.Option("--kind", help="works or counts (default: counts for *.csv).")
    ] = None,
) -> None:
    """Read OpenAlex works or group-by counts and store them under NAME for the API and pages
    (replacing a dataset of that name)."""
    if kind not in (None, "works", "counts"):
        raise typer.BadParameter("choose works or counts", param_hint="--kind")
    chosen: Kind | None = "works" if kind == "works" else "counts" if kind else None
    with progress_bar() as progress:
        meta = _landscapes().load(paths, name, chosen, progress)
    size = f"{meta['works']:,} works" if "works" in meta else f"{meta['rows']:,} rows"
    err_console.print(
        f"stored landscape dataset {name!r}: {size}, {meta['countries']} countries, "
        f"{meta['years'][0]}-{meta['years'][1]}, citations: {'yes' if meta['citations'] else 'no'}"
    )
    _notes(meta["notes"])


def datasets(fmt: Fmt = Format.table, out: Out = None) -> None:
    """The publication datasets the landscape can read (stored, and the shipped one)."""
    rows = [
        {
            "name": m["name"],
            "source": m.get("source"),
            "size": m.get("works", m.get("rows")),
            "countries": m.get("countries"),
            "years": "-".join(map(str, m.get("years", []))),
            "citations": m.get("citations"),
            "files": ", ".join(m.get("files", [])),
            "saved_at": m.get("saved_at", "shipped"),
        }
        for m in _landscapes().list()
    ]
    write(pa.Table.from_pylist(rows), fmt, out, title="Landscape datasets")


def delete(name: Annotated[str, typer.Argument(help="Name of a stored dataset.")]) -> None:
    """Remove a stored landscape dataset (the shipped file is never touched)."""
    _landscapes().delete(name)
    err_console.print(f"deleted landscape dataset {name!r}")


def register(app: typer.Typer) -> None:
    """Add the landscape commands to ``econsec promote``."""
    app.command("landscape")(landscape)
    app.command("landscape-compare")(compare)
    app.command("landscape-load")(load)
    app.command("landscape-datasets")(datasets)
    app.command("landscape-delete")(delete)
