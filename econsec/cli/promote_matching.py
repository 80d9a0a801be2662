"""``econsec promote match``, ``match-multiuse`` and ``match-eval``: seeds-needs matching.

Seeds and needs are CSV or Parquet files with an ``id`` column and either ``text`` or
``title`` + ``abstract``/``description`` (:mod:`econsec.datasets.promote_texts`).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer

from econsec.cli.common import err_console, out_console, progress_bar, write_json, write_text
from econsec.cli.output import Format, write
from econsec.datasets.promote_texts import read_closed_topics, read_texts
from econsec.promote.matching import METHODS, NeedMatches, match_tables

Seeds = Annotated[Path, typer.Option("--seeds", help="Seeds: CSV or Parquet (id + texts).")]
Needs = Annotated[Path, typer.Option("--needs", help="Needs: CSV or Parquet (id + texts).")]
Top = Annotated[int, typer.Option("--top", "-k", min=1, max=1000, help="Seeds per need.")]
Method = Annotated[str, typer.Option("--method", "-m", help="bm25, semantic or hybrid.")]
SeedsId = Annotated[str, typer.Option("--seeds-id", help="The seeds' id column.")]
NeedsId = Annotated[str, typer.Option("--needs-id", help="The needs' id column.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
MinSectors = Annotated[
    int, typer.Option("--min-sectors", min=2, max=10, help="Sectors that make a seed multi-use.")
]


class MatchFormat(StrEnum):
    """Output formats of ``match``: JSON Lines is the contract for machines."""

    table = "table"
    jsonl = "jsonl"
    json = "json"
    csv = "csv"


def _method(method: str) -> str:
    if method not in METHODS:
        raise typer.BadParameter(f"choose one of {', '.join(METHODS)}", param_hint="--method")
    return method


def _run(
    seeds: Path, needs: Path, top: int, method: str, seeds_id: str, needs_id: str, min_sectors: int
) -> tuple[list[NeedMatches], list[Any]]:
    seed_table = read_texts(seeds, id_column=seeds_id)
    need_table = read_texts(needs, id_column=needs_id)
    err_console.print(
        f"matching {need_table.num_rows:,} needs against {seed_table.num_rows:,} seeds ({method})"
    )
    with progress_bar() as progress:
        return match_tables(
            seed_table,
            need_table,
            top=top,
            method=_method(method),
            min_sectors=min_sectors,
            progress=progress,
        )


def _rows(results: list[NeedMatches], passage: int | None) -> list[dict[str, Any]]:
    rows = []
    for result in results:
        for rank, match in enumerate(result.matches, start=1):
            text = match.passage or ""
            if passage is not None and len(text) > passage:
                text = text[: passage - 1] + "…"
            rows.append(
                {
                    "need": result.need,
                    "rank": rank,
                    "seed": match.seed,
                    "score": match.score,
                    "bm25": match.bm25,
                    "semantic": match.semantic,
                    "terms": ", ".join(match.terms[:6] if passage else match.terms),
                    "passage": text,
                    "sectors": ", ".join(match.sectors),
                }
            )
    return rows


def match(
    seeds: Seeds,
    needs: Needs,
    top: Top = 10,
    fmt: Annotated[
        MatchFormat, typer.Option("--format", "-f", help="table, jsonl, json or csv.")
    ] = MatchFormat.table,
    method: Method = "hybrid",
    seeds_id: SeedsId = "id",
    needs_id: NeedsId = "id",
    min_sectors: MinSectors = 2,
    out: Out = None,
) -> None:
    """The best seeds for every need, best first, with the matched terms and passage.

    --format jsonl prints one line per need: {"need": ID, "matches": [{"seed": ID, "score":
    float, "explanation": {"terms", "passage", "bm25", "semantic"}, "sectors": [...]}, ...]}.
    "sectors" lists the sectors of needs a multi-use seed serves (needs' sector or agency
    column).
    """
    results, _ = _run(seeds, needs, top, method, seeds_id, needs_id, min_sectors)
    if fmt is MatchFormat.jsonl:
        lines = (json.dumps(r.to_dict(), ensure_ascii=False) for r in results)
        write_text("".join(line + "\n" for line in lines), out)
    elif fmt is MatchFormat.json:
        write_json([r.to_dict() for r in results], out)
    else:
        rows = _rows(results, 90 if fmt is MatchFormat.table else None)
        table = (
            pa.Table.from_pylist(rows) if rows else pa.table({"need": pa.array([], pa.string())})
        )
        columns = ["need", "rank", "seed", "score", "terms", "passage"]
        shown = [c for c in columns if c in table.column_names]
        kind = Format.table if fmt is MatchFormat.table else Format.csv
        write(table, kind, out, columns=shown, title=f"Seeds for each need ({method})")


def match_multiuse(
    seeds: Seeds,
    needs: Needs,
    top: Top = 10,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")] = (
        Format.table
    ),
    method: Method = "hybrid",
    seeds_id: SeedsId = "id",
    needs_id: NeedsId = "id",
    min_sectors: MinSectors = 2,
    out: Out = None,
) -> None:
    """Multi-use seeds: those among the --top matches of needs from --min-sectors sectors or
    more (a need's sector column, else its agency: defence, space, health, energy,
    public_safety, civil)."""
    _, found = _run(seeds, needs, top, method, seeds_id, needs_id, min_sectors)
    rows = [
        {
            "seed": m.seed,
            "sector_count": len(m.sectors),
            "sectors": ", ".join(m.sectors),
            "needs": "; ".join(f"{s}: {', '.join(n)}" for s, n in m.sectors.items()),
        }
        for m in found
    ]
    if fmt is Format.json:
        write_json([m.to_dict() for m in found], out)
        return
    if not rows and fmt is Format.table:
        out_console.print("no seed matches needs of several sectors (needs without sector?)")
        return
    table = pa.Table.from_pylist(rows) if rows else pa.table({"seed": pa.array([], pa.string())})
    write(table, fmt, out, title="Multi-use seeds")


def match_eval(
    awards: Annotated[
        Path, typer.Option("--awards", help="sbir_awards_1983_2018.parquet (seeds, codes).")
    ],
    af_topics: Annotated[
        Path | None, typer.Option("--af-topics", help="dod_af_sbir_topics_2015.parquet.")
    ] = None,
    closed_topics: Annotated[
        Path | None,
        typer.Option("--closed-topics", help="sbir_closed_topics_fy2008_2018.parquet."),
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Cut-off of recall@k.")] = 10,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")] = (
        Format.table
    ),
    out: Out = None,
) -> None:
    """recall@k and MRR of bm25, semantic and hybrid against plain BM25 on the SBIR data:
    awards against the other awards of their topic code, and topic texts against the awards
    linked to them (by topic number, and by agency/year/title for the closed-topic list)."""
    from econsec.promote.matching import Matcher
    from econsec.promote.matching_eval import evaluate, sbir_sets

    table = read_texts(
        awards,
        id_column="sbir_award_id",
        keep=("agency", "solicit_topic_code", "award_year", "title"),
    )
    topics = read_texts(af_topics, id_column="topic_number") if af_topics else None
    closed = read_closed_topics(closed_topics) if closed_topics else None
    ids, texts = table["id"].to_pylist(), table["text"].to_pylist()
    with progress_bar() as progress:
        matcher = Matcher.build(ids, texts, progress=progress)
        plain = Matcher.build(ids, texts, methods=["bm25"], mode="plain")
        sets = sbir_sets(table, topics, closed)
        scores = evaluate(matcher, sets, baseline=plain, k=k, progress=progress)
    rows = [s.to_dict() for s in scores]
    if fmt is Format.json:
        write_json(rows, out)
        return
    if fmt is Format.table:  # four decimals: the shared table format shows one
        rows = [{c: f"{v:.4f}" if isinstance(v, float) else v for c, v in r.items()} for r in rows]
    title = f"Matching evaluation (recall@{k}, MRR@100)"
    write(pa.Table.from_pylist(rows), fmt, out, title=title)
