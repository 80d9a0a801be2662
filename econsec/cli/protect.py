"""``econsec protect``: sanctions and export-control lists, screening, comparison, decisions."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from econsec.cli.common import err_console, out_console, print_json

if TYPE_CHECKING:
    from econsec.protect.screening.model import Result
    from econsec.protect.service import ProtectService, RunReport

app = typer.Typer(
    help="Screen parties against sanctions and export-control lists.", no_args_is_help=True
)
lists_app = typer.Typer(help="Load, list and compare list versions.", no_args_is_help=True)
parties_app = typer.Typer(
    help="Stored counterparties, rescreened on new lists.", no_args_is_help=True
)
app.add_typer(lists_app, name="lists")
app.add_typer(parties_app, name="parties")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Algorithm = Annotated[
    str | None,
    typer.Option("--algorithm", help="Scoring algorithm (see `protect algorithms`)."),
]
Threshold = Annotated[
    float | None,
    typer.Option("--threshold", help="Score at or above which a result is a match."),
]


class ScreenFormat(StrEnum):
    table = "table"
    json = "json"


class FileFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _service() -> ProtectService:
    from econsec import open_protect

    return open_protect()


def _policy(algorithm: str | None, threshold: float | None) -> tuple[str, float | None]:
    from econsec.protect.service import policy
    from econsec.settings import get_settings

    return policy(get_settings(), algorithm, threshold)


class _Counter:
    """A progress bar counting rows (on a terminal only)."""

    def __init__(self, label: str, total: int | None) -> None:
        self.bar = Progress(
            TextColumn(f"{label:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not err_console.is_terminal,
        )
        self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> _Counter:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def __call__(self, done: int) -> None:
        self.bar.advance(self.task, done)


# -- lists -------------------------------------------------------------------------------


@lists_app.command("load")
def lists_load(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT", help="ofac|un|eu|meti|meti-eul|mof|ftm|csv (also csl, uk)."
        ),
    ],
    paths: Annotated[
        list[Path],
        typer.Argument(help="List file(s); for ofac, the folder with sdn/alt/add or the files."),
    ],
    version: Annotated[
        str | None,
        typer.Option("--version", help="Publication date YYYY-MM-DD (if the files lack one)."),
    ] = None,
    rescreen: Annotated[
        bool,
        typer.Option("--rescreen/--no-rescreen", help="Rescreen stored parties afterwards."),
    ] = True,
    skip_unchanged: Annotated[
        bool,
        typer.Option("--skip-unchanged", help="Exit 0 if this content is already loaded."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Read a list publication and store it as a new list version (all or nothing); the
    previous version stays active if anything is wrong. Stored parties are then rescreened."""
    from econsec.protect.store import AlreadyLoaded

    service = _service()
    try:
        with _Counter("reading", None) as counter:
            loaded = service.load(fmt, paths, version=version, progress=counter)
    except AlreadyLoaded as exc:
        if not skip_unchanged:
            raise
        out_console.print(f"unchanged: {exc.message}")
        return
    report = _rescreen(service, f"{loaded.name} {loaded.version} loaded") if rescreen else None
    if as_json:
        print_json({"loaded": loaded.as_dict(), "rescreen": report.as_dict() if report else None})
        return
    out_console.print(
        f"{loaded.name} version {loaded.version} loaded: {loaded.entity_count:,} entities "
        f"(list version id {loaded.id})"
    )
    for note in loaded.notes[:10]:
        out_console.print(f"  note: {note}")
    if report is not None:
        _print_run(report)


def _rescreen(service: ProtectService, reason: str) -> RunReport | None:
    parties = len(service.store.parties())
    if not parties:
        return None
    with _Counter("rescreen", parties) as counter:
        return service.rescreen(reason, progress=counter)


def _print_run(report: RunReport) -> None:
    run = report.run
    out_console.print(
        f"rescreened {run.parties:,} parties (run {run.id}): {run.hits:,} hits, "
        f"{len(report.new):,} new, {run.suppressed:,} suppressed as decided false positives"
    )
    for hit in report.new[:50]:
        out_console.print(
            f"  NEW {hit.party_id} -> {hit.caption} [{hit.list_name} {hit.entity_id}] "
            f"score {hit.score:.2f} ({hit.status})"
        )


@lists_app.command("list")
def lists_list(
    all_versions: Annotated[
        bool, typer.Option("--all", help="Every loaded version, not only the active ones.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """The active version of each list (or every version), with entity counts."""
    service = _service()
    active = {v.id for v in service.store.active()}
    versions = service.store.versions() if all_versions else service.store.active()
    if as_json:
        print_json([v.as_dict(active=v.id in active) for v in versions])
        return
    table = Table()
    for column in ("id", "list", "version", "format", "entities", "active", "loaded at"):
        table.add_column(column, justify="right" if column in ("id", "entities") else "left")
    for v in versions:
        table.add_row(
            str(v.id),
            v.name,
            v.version,
            v.format,
            f"{v.entity_count:,}",
            "yes" if v.id in active else "no",
            v.loaded_at.strftime("%Y-%m-%d %H:%M"),
        )
    out_console.print(table)


@lists_app.command("formats")
def lists_formats(as_json: JsonFlag = False) -> None:
    """The list formats econsec reads, with their publisher, licence and a sample's location."""
    from econsec.protect.lists import formats

    items = [
        {
            "format": f.name,
            "title": f.title,
            "publisher": f.publisher,
            "licence": f.licence,
            "sample": f.sample,
        }
        for f in formats()
    ]
    if as_json:
        print_json(items)
        return
    table = Table()
    for column in ("format", "title", "publisher", "licence"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(item["format"], item["title"], item["publisher"], item["licence"])
    out_console.print(table)


@lists_app.command("diff")
def lists_diff(
    name: Annotated[str, typer.Argument(help="List name, e.g. un-sc (see `lists list`).")],
    from_id: Annotated[
        int | None, typer.Option("--from", help="Older list version id (default: previous).")
    ] = None,
    to_id: Annotated[
        int | None, typer.Option("--to", help="Newer list version id (default: active).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Entities added, removed and changed between two versions of a list."""
    diff = _service().store.diff(name, from_id, to_id)
    if as_json:
        print_json(diff.as_dict())
        return
    out_console.print(
        f"{name}: version {diff.old.version} (id {diff.old.id}) -> {diff.new.version} "
        f"(id {diff.new.id}): {len(diff.added)} added, {len(diff.removed)} removed, "
        f"{len(diff.changed)} changed"
    )
    for label, items in (("+", diff.added), ("-", diff.removed), ("~", diff.changed)):
        for item in items:
            changes = ", ".join(item.get("changes", {}))
            suffix = f"  ({changes})" if changes else ""
            out_console.print(f"{label} {item['source_id']}  {item['caption']}{suffix}")


# -- screening ---------------------------------------------------------------------------


def _query(
    name: str, schema: str, country: str | None, birth_date: str | None, ident: str | None
) -> Any:
    from econsec.protect.screening.model import Query

    return Query(
        (name,),
        schema,
        (country,) if country else (),
        (birth_date,) if birth_date else (),
        (ident,) if ident else (),
    )


def _results_table(results: list[Result]) -> Table:
    table = Table()
    for column in ("score", "match", "list", "source id", "schema", "caption", "matched name"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(
            f"{r.score:.3f}",
            "MATCH" if r.match else "",
            r.entry.list_name,
            r.entry.source_id,
            r.entry.schema,
            r.entry.caption,
            r.explanation.matched_name,
        )
    return table


@app.command()
def screen(
    name: Annotated[str, typer.Argument(help="The party's name, in any script.")],
    schema: Annotated[
        str, typer.Option("--schema", help="Person, Organization, Company, Vessel (default: any).")
    ] = "Thing",
    country: Annotated[str | None, typer.Option("--country", help="ISO country code.")] = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    identifier: Annotated[
        str | None, typer.Option("--id", help="Registration, IMO, passport or tax number.")
    ] = None,
    list_name: Annotated[
        list[str] | None, typer.Option("--list", help="Only this list (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Results to show.", min=1)] = 5,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also show the best results below the threshold.")
    ] = False,
    algorithm: Algorithm = None,
    threshold: Threshold = None,
    fmt: Annotated[ScreenFormat, typer.Option("--format", help="table or json.")] = (
        ScreenFormat.table
    ),
) -> None:
    """Screen one party against the active lists; every result explains its score."""
    query = _query(name, schema, country, birth_date, identifier)
    results = _service().screen(
        query,
        algorithm=algorithm,
        threshold=threshold,
        limit=limit,
        lists=list_name,
        matches_only=not show_all,
    )
    if fmt == ScreenFormat.json:
        print_json({"query": name, "results": [r.as_dict() for r in results]})
        return
    if not results:
        out_console.print(f"no match for {name!r} on the active lists")
        return
    out_console.print(_results_table(results))


@app.command("screen-file")
def screen_file(
    path: Annotated[Path, typer.Argument(help="CSV with id,name[,schema,country,birth_date].")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
    fmt: Annotated[FileFormat, typer.Option("--format", help="csv or jsonl.")] = FileFormat.csv,
    limit: Annotated[int, typer.Option("--limit", help="Results per party.", min=1)] = 5,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also write the best results below the threshold.")
    ] = False,
    save: Annotated[
        bool, typer.Option("--save", help="Also store the parties, to be rescreened later.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes (default: up to 2).", min=1)
    ] = None,
    algorithm: Algorithm = None,
    threshold: Threshold = None,
) -> None:
    """Screen every party of a CSV file (streamed, in worker processes), writing hits as CSV
    (one row per hit) or JSON lines (one line per party, in input order)."""
    import csv

    from econsec.protect import batch

    service = _service()
    service.screener()  # build the index before the bar starts
    total = batch.count_rows(path)
    options: dict[str, Any] = {
        "algorithm": algorithm,
        "threshold": threshold,
        "limit": limit,
        "matches_only": not show_all,
        "workers": workers,
    }
    saved: list[dict[str, str | None]] = []
    matched = 0
    with batch.output(out) as fh, _Counter("screening", total) as counter:
        writer = csv.writer(fh) if fmt == FileFormat.csv else None
        if writer is not None:
            writer.writerow(batch.CSV_COLUMNS)
        for party_id, query, results in batch.screen_parties(
            service, path, progress=counter, **options
        ):
            matched += any(r.match for r in results)
            if writer is not None:
                writer.writerows(batch.csv_rows(party_id, query, results))
            else:
                results_json = [batch.result_json(r) for r in results]
                fh.write(batch.json_line({"id": party_id, "results": results_json}))
            if save:
                saved.append(batch.party_record(party_id, query))
    if save:
        service.store.save_parties(saved)
    err_console.print(f"{total:,} parties screened, {matched:,} with a match")


@app.command()
def compare(
    name1: Annotated[str, typer.Argument(help="First name (the party).")],
    name2: Annotated[str, typer.Argument(help="Second name (e.g. the listed one).")],
    schema: Annotated[
        str, typer.Option("--schema", help="Person, Organization, Company, Vessel, ...")
    ] = "Thing",
    algorithm: Algorithm = None,
    threshold: Threshold = None,
    fmt: Annotated[ScreenFormat, typer.Option("--format", help="table or json.")] = (
        ScreenFormat.table
    ),
) -> None:
    """Whether two names denote the same party: score, verdict and the features behind it."""
    from econsec.protect.screening.screener import compare as run_compare

    algorithm, threshold = _policy(algorithm, threshold)
    result = run_compare(name1, name2, schema=schema, algorithm=algorithm, threshold=threshold)
    if fmt == ScreenFormat.json:
        print_json(result.as_dict())
        return
    verdict = "MATCH" if result.match else "no match"
    out_console.print(f"{verdict}: score {result.score:.3f}")
    for feature, value in result.features.items():
        out_console.print(f"  {feature:<20} {value:+.3f}")
    explanation = result.explanation
    out_console.print(
        f"  readings: {explanation['query_form']!r} ~ {explanation['matched_form']!r} "
        f"({explanation['method']})"
    )


@app.command("compare-file")
def compare_file(
    path: Annotated[Path, typer.Argument(help="CSV with name1,name2[,schema].")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
    fmt: Annotated[FileFormat, typer.Option("--format", help="jsonl or csv.")] = (FileFormat.jsonl),
    algorithm: Algorithm = None,
    threshold: Threshold = None,
) -> None:
    """Compare many name pairs: one result per pair, in input order."""
    import csv

    from econsec.protect import batch
    from econsec.protect.screening.screener import compare as run_compare

    algorithm, threshold = _policy(algorithm, threshold)
    total = batch.count_rows(path)
    with batch.output(out) as fh, _Counter("comparing", total) as counter:
        writer = csv.writer(fh) if fmt == FileFormat.csv else None
        if writer is not None:
            writer.writerow(["name1", "name2", "schema", "score", "match", "features"])
        for _line, name1, name2, schema in batch.read_pairs(path):
            result = run_compare(
                name1, name2, schema=schema, algorithm=algorithm, threshold=threshold
            )
            if writer is not None:
                features = json.dumps(result.features, separators=(",", ":"))
                row = [name1, name2, schema, f"{result.score:.4f}", str(result.match).lower()]
                writer.writerow([*row, features])
            else:
                data = {"name1": name1, "name2": name2, "schema": schema, **result.as_dict()}
                fh.write(batch.json_line(data))
            counter(1)


@app.command()
def algorithms(as_json: JsonFlag = False) -> None:
    """The registered scoring algorithms, their default thresholds and feature weights."""
    from econsec.protect.screening.algorithms import ALGORITHMS, DEFAULT_ALGORITHM

    items: list[dict[str, Any]] = [
        {
            "name": a.name,
            "default": a.name == DEFAULT_ALGORITHM,
            "threshold": a.threshold,
            "description": a.description,
            "weights": a.weights,
        }
        for a in ALGORITHMS.values()
    ]
    if as_json:
        print_json(items)
        return
    for item in items:
        default = " (default)" if item["default"] else ""
        out_console.print(f"{item['name']}{default}: threshold {item['threshold']}")
        out_console.print(f"  {item['description']}")
        for feature, weight in item["weights"].items():
            out_console.print(f"  {feature:<20} {weight:+.2f}")


# -- parties, rescreening, decisions ------------------------------------------------------


@parties_app.command("import")
def parties_import(
    path: Annotated[Path, typer.Argument(help="CSV with id,name[,schema,country,birth_date].")],
    rescreen: Annotated[
        bool, typer.Option("--rescreen/--no-rescreen", help="Screen them now.")
    ] = True,
) -> None:
    """Store (or update) counterparties; they are rescreened whenever a list version changes."""
    from econsec.protect import batch

    parties = [batch.party_record(i, query) for i, query in batch.read_parties(path)]
    service = _service()
    count = service.store.save_parties(parties)
    out_console.print(f"{count:,} parties stored")
    if rescreen:
        report = _rescreen(service, f"parties imported from {path.name}")
        if report is not None:
            _print_run(report)


@parties_app.command("list")
def parties_list(as_json: JsonFlag = False) -> None:
    """The stored counterparties."""
    parties = _service().store.parties()
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "schema": p.schema,
            "country": p.country,
            "birth_date": p.birth_date,
        }
        for p in parties
    ]
    if as_json:
        print_json(rows)
        return
    table = Table()
    for column in ("id", "name", "schema", "country", "birth_date"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            *[str(row[c] or "") for c in ("id", "name", "schema", "country", "birth_date")]
        )
    out_console.print(table)


@app.command()
def rescreen(
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the run).")] = "manual",
    as_json: JsonFlag = False,
) -> None:
    """Rescreen every stored party against the active lists now and report new hits."""
    service = _service()
    report = _rescreen(service, reason)
    if report is None:
        raise typer.BadParameter("no stored parties: import some with `protect parties import`")
    if as_json:
        print_json(report.as_dict())
        return
    _print_run(report)


@app.command()
def hits(
    run: Annotated[int | None, typer.Option("--run", help="One run (default: the last).")] = None,
    party: Annotated[str | None, typer.Option("--party", help="One party, all runs.")] = None,
    new_only: Annotated[bool, typer.Option("--new", help="Only new or changed hits.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Hits recorded by rescreening, with their status (new, repeat, changed, suppressed,
    confirmed)."""
    store = _service().store
    if run is None and party is None:
        last = store.last_run()
        run = last.id if last else -1
    found = store.hits(run_id=run, party_id=party)
    if new_only:
        found = [h for h in found if h.status in ("new", "changed")]
    if as_json:
        print_json([h.as_dict() for h in found])
        return
    table = Table()
    for column in ("run", "party", "status", "score", "list", "entity", "caption"):
        table.add_column(column, overflow="fold")
    for h in found:
        table.add_row(
            str(h.run_id),
            h.party_id,
            h.status,
            f"{h.score:.3f}",
            h.list_name,
            h.entity_id,
            h.caption,
        )
    out_console.print(table)


@app.command()
def decide(
    party_id: Annotated[str, typer.Argument(help="The party's id.")],
    entity_id: Annotated[str, typer.Argument(help="The listed entity's id (see `hits`).")],
    verdict: Annotated[str, typer.Option("--verdict", help="true_positive or false_positive.")],
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the audit trail.")],
    analyst: Annotated[str, typer.Option("--analyst", help="Who decides.")],
    as_json: JsonFlag = False,
) -> None:
    """Record a decision on a hit. Decisions are never changed: a new one is added, and the
    newest counts. A false positive is suppressed on rescreens until the listed record changes."""
    decision = _service().store.decide(party_id, entity_id, verdict, reason, analyst)
    if as_json:
        print_json(decision.as_dict())
        return
    out_console.print(
        f"decision {decision.id}: {party_id} / {entity_id} is a {verdict.replace('_', ' ')}"
    )


@app.command()
def decisions(
    party: Annotated[str | None, typer.Option("--party", help="One party.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every decision, oldest first (the full history)."""
    found = _service().store.decisions(party)
    if as_json:
        print_json([d.as_dict() for d in found])
        return
    table = Table()
    for column in ("id", "decided at", "party", "entity", "verdict", "analyst", "reason"):
        table.add_column(column, overflow="fold")
    for d in found:
        table.add_row(
            str(d.id),
            d.decided_at.strftime("%Y-%m-%d %H:%M"),
            d.party_id,
            d.entity_id,
            d.verdict,
            d.analyst,
            d.reason,
        )
    out_console.print(table)


@app.command()
def audit(
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Export the audit trail as JSON lines: list versions, runs, hits and decisions."""
    from econsec.protect import batch

    with batch.output(out) as fh:
        for record in _service().audit_trail():
            fh.write(batch.json_line(record))
