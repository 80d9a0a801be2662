"""The ``econsec`` command line (Typer). Commands parse, call one library function, render.

Errors are printed as one line on stderr with a non-zero exit; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.text import Text

from econsec import __version__
from econsec.cli import cases, data, db, know, promote, protect, security, serve
from econsec.cli.common import err_console, state
from econsec.errors import EconsecError

app = typer.Typer(
    name="econsec",
    help="econsec: Japan's economic security system (Know / Protect / Promote) as software.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(cases.app, name="cases")
app.add_typer(data.app, name="data")
app.add_typer(db.app, name="db")
app.add_typer(know.app, name="know")
app.add_typer(promote.app, name="promote")
app.add_typer(protect.app, name="protect")
app.add_typer(security.users_app, name="users")
app.add_typer(security.council_app, name="council")
app.add_typer(security.audit_app, name="audit")
app.command("serve")(serve.serve)
app.command("settings")(serve.show_settings)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"econsec {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and debug logs on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """econsec: Japan's economic security system (Know / Protect / Promote) as software."""
    state.debug = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and turn errors into exit codes.

    Typer handles usage errors itself (exit 2 with usage) and Ctrl-C ("Aborted!", exit 1); an
    EconsecError becomes one line on stderr and exit 1, with a traceback only under --debug.
    """
    state.debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        app(args=argv, prog_name="econsec")
    except EconsecError as exc:
        if state.debug:
            raise
        err_console.print(Text("error: ", style="bold red") + Text(exc.message))
        sys.exit(1)
