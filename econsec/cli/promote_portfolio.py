"""``econsec promote allocate`` (fund allocation, proven optimal) and ``econsec promote score``
(multi-criteria scoring of R&D candidates with sensitivity analysis)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer

from econsec.cli.common import err_console, progress_bar, write_json, write_text
from econsec.cli.output import Format, write
from econsec.errors import InvalidInput
from econsec.reports.tables import finite

Fmt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
Limit = Annotated[int, typer.Option("--limit", help="Rows in the terminal table.")]
CANDIDATE_COLUMNS = ["id", "area", "funded", "option", "label", "cost", "value", "reason"]


def allocate(
    problem: Annotated[Path, typer.Argument(help="Problem file (YAML or JSON).")],
    budget: Annotated[
        float | None, typer.Option("--budget", help="Replace the total budget (yearly caps stay).")
    ] = None,
    must_fund: Annotated[
        list[str] | None, typer.Option("--must-fund", help="Fund this candidate (repeatable).")
    ] = None,
    never_fund: Annotated[
        list[str] | None, typer.Option("--never-fund", help="Never fund it (repeatable).")
    ] = None,
    pareto: Annotated[
        int, typer.Option("--pareto", help="Add N points of the value-cost frontier.")
    ] = 0,
    gap: Annotated[
        float, typer.Option("--gap", help="Relative gap at which HiGHS may stop (0: proven).")
    ] = 0.0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for each solve.")
    ] = 60.0,
    explain: Annotated[
        bool, typer.Option("--explain/--no-explain", help="Say why each candidate is in or out.")
    ] = True,
    resolve: Annotated[
        int,
        typer.Option("--resolve", help="Re-solve forcing the N candidates nearest the margin."),
    ] = 20,
    resolve_gap: Annotated[
        float,
        typer.Option("--resolve-gap", help="Relative gap of those re-solves and the frontier."),
    ] = 1e-4,
    fmt: Fmt = Format.table,
    out: Out = None,
    limit: Limit = 50,
) -> None:
    """Choose at most one funding option per candidate to maximise total value within the
    budget, area limits, must/never-fund rules and yearly caps (MIP solved by HiGHS, proven
    optimal with the gap reported).

    JSON: objective, chosen {CANDIDATE_ID: OPTION_INDEX} (0-based position in the candidate's
    options; unfunded candidates are absent), total_cost, status, gap, bound, seconds,
    spending_by_area, spending_by_year (with yearly caps), explanations, and pareto with
    --pareto N. CSV and Parquet give one row per candidate with its explanation. The
    re-solves behind explanations (--resolve, nearest the margin first) and the frontier stop
    at --resolve-gap and report what they proved.
    """
    from econsec.datasets.promote_problem import read_problem
    from econsec.promote.allocate import allocate as solve

    if pareto < 0 or resolve < 0 or time_limit <= 0:
        raise InvalidInput("--pareto and --resolve must be >= 0 and --time-limit above 0")
    spec = read_problem(problem).with_rules(
        budget=budget, must_fund=must_fund or (), never_fund=never_fund or ()
    )
    with progress_bar() as report:
        result = solve(
            spec,
            gap=gap,
            time_limit=time_limit,
            explain=explain,
            resolve=resolve,
            pareto=pareto,
            resolve_gap=resolve_gap,
            progress=report,
        )
    data = result.to_dict()
    data["problem"] = str(problem)
    if fmt is Format.json:
        write_json(finite(data), out)
        return
    rows = data.get("explanations") or [
        {"id": c.id, "area": c.area, "funded": c.id in result.chosen, "option": k}
        for c in spec.candidates
        for k in [result.chosen.get(c.id)]
    ]
    for row in rows:
        row.pop("blocked_by", None)
    table = pa.Table.from_pylist(finite(rows))
    columns = [c for c in CANDIDATE_COLUMNS if c in table.column_names]
    if fmt is not Format.table:
        write(table, fmt, out)
        return
    unit = f" {spec.unit}" if spec.unit else ""
    title = (
        f"Allocation of {problem.name}: value {data['objective']:,.6g} for "
        f"{data['total_cost']:,.6g} of {spec.budget:,.6g}{unit} ({data['status']}, gap "
        f"{data['gap']:.1e}, {data['seconds']:.2f} s)"
    )
    write(table, fmt, out, title=title, columns=columns, limit=limit if out is None else None)
    if out is None:
        _summaries(data)


def _summaries(data: dict[str, Any]) -> None:
    """The area, year and frontier tables under the candidates table."""
    areas = pa.Table.from_pylist(finite(data["spending_by_area"]))
    write(areas, Format.table, None, title="Spending by area")
    if data.get("spending_by_year"):
        table = pa.Table.from_pylist(finite(data["spending_by_year"]))
        write(table, Format.table, None, title="Spending by fiscal year")
    if data.get("pareto"):
        points = [{k: v for k, v in p.items() if k != "chosen"} for p in data["pareto"]]
        write(pa.Table.from_pylist(finite(points)), Format.table, None, title="Value-cost frontier")


def _directions(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"bad --direction {item!r}", expected="CRITERION=benefit|cost")
        out[key.strip()] = value.strip()
    return out


def score(
    candidates: Annotated[
        Path, typer.Argument(help="Candidates with criteria: YAML/JSON problem file or CSV.")
    ],
    method: Annotated[
        str, typer.Option("--method", "-m", help="weighted, topsis or promethee.")
    ] = "weighted",
    weights: Annotated[
        list[str] | None,
        typer.Option("--weights", "-w", help="CRITERION=WEIGHT[,...] (repeatable; normalised)."),
    ] = None,
    direction: Annotated[
        list[str] | None,
        typer.Option("--direction", help="CRITERION=benefit|cost (repeatable)."),
    ] = None,
    sensitivity: Annotated[
        int, typer.Option("--sensitivity", help="Draw N perturbed weight vectors (0: none).")
    ] = 0,
    concentration: Annotated[
        float, typer.Option("--concentration", help="Dirichlet concentration (higher: closer).")
    ] = 100.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the draws.")] = 0,
    top_k: Annotated[int, typer.Option("--top-k", help="Report the share in the top K.")] = 3,
    tornado: Annotated[
        float, typer.Option("--tornado", help="Move each weight by +-PCT % (0: none).")
    ] = 0.0,
    fmt: Fmt = Format.table,
    out: Out = None,
    limit: Limit = 50,
) -> None:
    """Score and rank candidates on their criteria (weighted sum, TOPSIS or PROMETHEE II)
    with the file's weights or --weights; --sensitivity N reports how often each keeps its
    rank under random weight perturbations, --tornado PCT the scores when each weight moves.

    JSON: method, weights, criteria, candidates (rank, id, name, area, score, criteria values,
    and kept_rank_share, top_k_share, first_share, mean_rank, rank_p05, rank_p95 with
    --sensitivity), sensitivity (its settings) and tornado (rows with --tornado).
    """
    from econsec.datasets.promote_problem import read_candidates
    from econsec.promote.portfolio import parse_weights, with_directions
    from econsec.promote.portfolio_sensitivity import report

    alts = with_directions(read_candidates(candidates), _directions(direction or []))
    with progress_bar() as bar:
        data = report(
            alts,
            method,
            parse_weights(weights or []),
            draws=sensitivity,
            concentration=concentration,
            seed=seed,
            top_k=top_k,
            swing=tornado / 100,
            progress=bar,
        )
    rows = data["candidates"]
    if fmt is Format.json:
        write_json(finite(data), out)
        return
    table = pa.Table.from_pylist(rows)
    if fmt is not Format.table:
        write(table, fmt, out)
        return
    stats = ["kept_rank_share", "top_k_share", "first_share", "mean_rank", "rank_p05", "rank_p95"]
    criteria = [c["id"] for c in data["criteria"]]
    shown = ["rank", "id", "area", "score", *(stats if sensitivity else criteria)]
    write(
        table,
        fmt,
        out,
        title=f"{candidates.name} scored by {data['method']}",
        columns=[c for c in shown if c in table.column_names],
        limit=limit if out is None else None,
    )
    if tornado and out is None:
        first = rows[0]["id"]
        bars = [
            {
                "criterion": r["criterion"],
                "weight": f"{r['weight']:.3f} ({r['weight_low']:.3f}-{r['weight_high']:.3f})",
                "score_low": f"{r['score_low']:.4f}",
                "score_high": f"{r['score_high']:.4f}",
                "ranks": f"{r['rank_low']}-{r['rank_high']}",
                "swing": f"{r['swing']:.4f}",
            }
            for r in data["tornado"]
            if r["id"] == first
        ]
        title = f"Tornado for {first}: score {rows[0]['score']:.4f}, each weight +-{tornado:g} %"
        write(pa.Table.from_pylist(bars), Format.table, None, title=title)


class CandidatesFormat(StrEnum):
    yaml = "yaml"
    json = "json"


def candidates(
    list_name: Annotated[
        str,
        typer.Option("--list", help="Technology list: k_program_vision_1 (k), us_cet_2024..."),
    ] = "k_program_vision_1",
    taxonomy_file: Annotated[
        Path | None,
        typer.Option("--file", help="Read this critical_technologies.yaml, not the loaded one."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Landscape dataset for jp_strength (default: shipped)."),
    ] = None,
    counts: Annotated[
        Path | None, typer.Option("--counts", help="OpenAlex group-by counts CSV instead.")
    ] = None,
    no_landscape: Annotated[
        bool, typer.Option("--no-landscape", help="Leave jp_strength out.")
    ] = False,
    period: Annotated[int, typer.Option("--period", min=1, help="Years per window.")] = 5,
    focus: Annotated[
        str, typer.Option("--focus", help="Country whose strength is measured.")
    ] = "JP",
    only_derived: Annotated[
        bool,
        typer.Option(
            "--only-derived", help="Keep only the criteria every candidate has (scores as is)."
        ),
    ] = False,
    fmt: Annotated[
        CandidatesFormat, typer.Option("--format", "-f", help="yaml or json.")
    ] = CandidatesFormat.yaml,
    out: Out = None,
) -> None:
    """A candidates file for `econsec promote score` from a technology list of the taxonomy:
    each technology with its names and Japan's areas (the effective crosswalk), other_lists
    (how many other governments' or bodies' lists name its areas) and jp_strength (Japan's
    research share over the leader's in its areas, from the landscape, where the data covers
    them). The criteria the data cannot give are declared and left to fill (meta.to_fill)."""
    import yaml

    from econsec.cli.promote_landscape import load_records
    from econsec.cli.promote_taxonomy import _taxonomies
    from econsec.promote.candidates import candidates_from
    from econsec.promote.landscape import landscape

    taxonomy = _taxonomies(taxonomy_file)[1]
    result = None
    if not no_landscape:
        records = load_records(counts, None, dataset, None, 0.0)
        result = landscape(records, period=period, focus=focus)
    doc = candidates_from(
        taxonomy,
        list_name,
        landscape=result,
        dataset=dataset or (str(counts) if counts else "openalex_ai_dl"),
        focus=focus,
        only_derived=only_derived,
    )
    if fmt is CandidatesFormat.json:
        write_json(doc, out)
    else:
        write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), out)
    missing = doc["meta"]["to_fill"]
    if missing:
        err_console.print(
            f"{len(doc['candidates'])} candidates; to fill before scoring: {', '.join(missing)}"
        )
