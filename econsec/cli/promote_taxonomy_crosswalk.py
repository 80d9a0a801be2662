"""``econsec promote taxonomy crosswalk``: edit the crosswalk from the allied lists'
technologies to Japan's 20 areas (add, remove, reset), as the user named by ``--as`` (their
rights; audited under their name), and read the history of edits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from econsec.cli.common import err_console, out_console, print_json

app = typer.Typer(help="Edit the crosswalk to Japan's areas (audited).")
AsUser = Annotated[
    str, typer.Option("--as", envvar="ECONSEC_AS", help="Act as this user (audited as them).")
]
File = Annotated[
    Path | None,
    typer.Option("--file", help="A critical_technologies.yaml (default: the loaded dataset)."),
]


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


@contextmanager
def _security() -> Iterator[Any]:
    from econsec import open_security

    security = open_security()
    try:
        yield security
    finally:
        security.app.dispose()


def _edit(as_user: str, file: Path | None, tech: str, action: str, **options: Any) -> None:
    from econsec import open_catalogue
    from econsec.promote.crosswalk_store import CrosswalkEdits, load

    with _security() as security:
        actor = security.actor(as_user, "cli")
        shipped = load(open_catalogue(), None, file)[0]
        made = CrosswalkEdits(security).edit(actor, shipped, tech, action, **options)
    after = ", ".join(f"{k['area']} ({k['confidence']})" for k in made["after"]) or "no area"
    out_console.print(f"edit {made['id']}: {made['technology']} {action} -> {after}")


@app.command("edit")
def crosswalk_edit(
    tech: Annotated[str, typer.Argument(metavar="TECH", help="LIST:ID (or an id on one list).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the edit).")],
    as_user: AsUser,
    add: Annotated[str | None, typer.Option("--add", help="Map TECH to this area.")] = None,
    remove: Annotated[
        str | None, typer.Option("--remove", help="Stop mapping TECH to this area.")
    ] = None,
    confidence: Annotated[
        str | None,
        typer.Option("--confidence", help="low, medium or high (with --add; default medium)."),
    ] = None,
    file: File = None,
) -> None:
    """Add one of Japan's areas to a technology's crosswalk (or re-rate it with
    --confidence), or remove one; kept as an edit with who, when and why, and audited."""
    from econsec.errors import InvalidInput

    if (add is None) == (remove is None):
        raise InvalidInput("give exactly one of --add AREA or --remove AREA")
    action, area = ("add", add) if add is not None else ("remove", remove)
    _edit(as_user, file, tech, action, reason=reason, area=area, confidence=confidence)


@app.command("reset")
def crosswalk_reset(
    tech: Annotated[str, typer.Argument(metavar="TECH", help="LIST:ID (or an id on one list).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the edit).")],
    as_user: AsUser,
    file: File = None,
) -> None:
    """Give a technology its shipped links again (itself an edit, kept and audited)."""
    _edit(as_user, file, tech, "reset", reason=reason)


@app.command("history")
def crosswalk_history(
    tech: Annotated[
        str | None, typer.Argument(metavar="[TECH]", help="LIST:ID or an id (default: all).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="The newest N edits.")] = 1000,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="table or json.")] = (
        ShowFormat.table
    ),
    file: File = None,
) -> None:
    """The crosswalk edits (of one technology, or all), oldest first: who, when, why, and the
    links before and after."""
    from econsec import open_catalogue
    from econsec.promote.crosswalk_store import CrosswalkEdits, load

    with _security() as security:
        shipped = load(open_catalogue(), None, file)[0] if tech is not None else None
        edits = CrosswalkEdits(security).history(tech, shipped, limit)
    if fmt is ShowFormat.json:
        print_json(edits)
        return
    if not edits:
        err_console.print("no crosswalk edits yet")
        return
    table = Table("#", "at", "by", "technology", "edit", "reason", "after")
    for e in edits:
        change = e["action"] + (f" {e['area']}" if e["area"] else "")
        change += f" ({e['confidence']})" if e["confidence"] else ""
        after = ", ".join(k["area"] for k in e["after"]) or "-"
        table.add_row(
            str(e["id"]), e["at"][:16], e["actor"], e["technology"], change, e["reason"], after
        )
    table.columns[3].overflow = "fold"
    out_console.print(table)
