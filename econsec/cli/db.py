"""``econsec db``: the app store (SQLite or PostgreSQL) and its migrations."""

from __future__ import annotations

import typer

from econsec.cli.common import out_console
from econsec.settings import get_settings
from econsec.store import app as app_store

app = typer.Typer(
    help="App store (users, cases, jobs): migrations and status.", no_args_is_help=True
)


@app.command()
def upgrade() -> None:
    """Create or migrate the app store to the newest schema."""
    url = get_settings().app_database_url
    revision = app_store.upgrade(url)
    out_console.print(f"app store {app_store.safe_url(url)} at revision {revision}")


@app.command()
def status() -> None:
    """Show the app store's URL and schema revision (without creating it)."""
    url = get_settings().app_database_url
    path = app_store.sqlite_file(url)
    revision = None if path is not None and not path.exists() else app_store.current_revision(url)
    shown = revision or "none (run econsec db upgrade)"
    out_console.print(f"app store {app_store.safe_url(url)} at revision {shown}")
