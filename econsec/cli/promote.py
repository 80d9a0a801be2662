"""``econsec promote``: the think tank's toolkit (pillar 3): the technology taxonomy and allied
crosswalk, the technology landscape, R&D vision scoring and fund allocation, and seeds-needs
matching."""

from __future__ import annotations

import typer

from econsec.cli import promote_taxonomy

app = typer.Typer(
    help="Critical technologies: taxonomy, landscape, allocation, matching (Promote).",
    no_args_is_help=True,
)
app.add_typer(promote_taxonomy.app, name="taxonomy")
