"""``econsec serve`` and ``econsec settings``."""

from __future__ import annotations

from typing import Annotated

import typer

from econsec.cli.common import print_json
from econsec.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (ECONSEC_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (ECONSEC_PORT).")] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes (each holds the screening index, read from its disk cache).",
        ),
    ] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="Log every request (costs time under load).")
    ] = False,
) -> None:
    """Start the web pages and the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from econsec.api.app import create_app

    settings = get_settings()
    if workers > 1:  # each worker builds its app from the same ECONSEC_* environment
        uvicorn.run(
            "econsec.api.app:create_app",
            factory=True,
            workers=workers,
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
            access_log=access_log,
        )
        return
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        access_log=access_log,
    )


def show_settings() -> None:
    """Print the effective settings (from ECONSEC_* environment variables) as JSON."""
    settings = get_settings()
    data = settings.model_dump(mode="json")
    data["analytics_file"] = str(settings.analytics_file)
    data["app_database_url"] = settings.app_database_url
    print_json(data)
