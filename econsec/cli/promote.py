"""``econsec promote``: the think tank's toolkit (pillar 3): the technology taxonomy and allied
crosswalk, the technology landscape, R&D vision scoring and fund allocation, and seeds-needs
matching."""

from __future__ import annotations

import typer

from econsec.cli import promote_landscape, promote_matching, promote_portfolio, promote_taxonomy

app = typer.Typer(
    help="Critical technologies: taxonomy, landscape, allocation, matching (Promote).",
    no_args_is_help=True,
)
app.add_typer(promote_taxonomy.app, name="taxonomy")
promote_landscape.register(app)
app.command("match")(promote_matching.match)
app.command("match-multiuse")(promote_matching.match_multiuse)
app.command("match-eval")(promote_matching.match_eval)
app.command("allocate")(promote_portfolio.allocate)
app.command("score")(promote_portfolio.score)
app.command("candidates")(promote_portfolio.candidates)
