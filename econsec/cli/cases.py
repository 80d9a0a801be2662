"""``econsec cases``: the Act's review processes as cases (issue 7). Today: the first-stage
screening of patent applications against the non-disclosure fields."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from econsec.cli.common import err_console, out_console, print_json

app = typer.Typer(help="Case workflows: patent non-disclosure screening (more to come).")
patents_app = typer.Typer(help="Patent applications and the non-disclosure fields (pillar 4).")
app.add_typer(patents_app, name="patents")


class ScreenFormat(StrEnum):
    table = "table"
    json = "json"


@patents_app.command("screen")
def patents_screen(
    path: Annotated[Path, typer.Argument(help="Applications: a JSON list or a CSV file.")],
    fmt: Annotated[
        ScreenFormat, typer.Option("--format", help="table, or json: one object per application.")
    ] = ScreenFormat.table,
    fields: Annotated[
        Path | None,
        typer.Option(
            "--fields",
            help="A patent_secrecy_fields.yaml (default: the loaded patent_fields dataset).",
        ),
    ] = None,
    scheme: Annotated[
        Path | None,
        typer.Option(
            "--scheme",
            help="IPC scheme CSV for the subgroup tree (default: the loaded ipc dataset, if any).",
        ),
    ] = None,
) -> None:
    """First-stage screening: the specified fields each application falls in, whether a person
    must judge it, and its deadlines (referral 3 months, foreign-filing ban 10 months after
    filing). JSON: a list of objects with id, fields, needs_judgement, referral_due,
    designation_due, and the matches that explain them."""
    from econsec import open_catalogue
    from econsec.cases.ipc import Scheme
    from econsec.cases.patents import FieldScreener, loaded_fields, read_applications, read_fields
    from econsec.errors import Conflict

    catalogue = open_catalogue()
    field_list = read_fields(fields) if fields is not None else loaded_fields(catalogue)
    tree: Scheme | None = Scheme.read(scheme) if scheme is not None else None
    if tree is None:
        try:  # the loaded IPC scheme, if any
            tree = Scheme.loaded(catalogue)
        except Conflict:
            tree = None
    screener = FieldScreener(field_list, tree)
    results = [screener.screen(a) for a in read_applications(path)]
    if fmt == ScreenFormat.json:
        print_json([r.as_dict() for r in results])
        return
    table = Table("id", "filed", "fields", "judge", "referral due", "ban ends")
    for r in results:
        table.add_row(
            r.id,
            r.filing_date.isoformat(),
            ", ".join(map(str, r.fields)),
            "yes" if r.needs_judgement else "",
            r.referral_due.isoformat(),
            r.designation_due.isoformat(),
        )
    out_console.print(table)
    matched = sum(1 for r in results if r.fields)
    err_console.print(f"{len(results):,} applications screened, {matched:,} in a specified field")
