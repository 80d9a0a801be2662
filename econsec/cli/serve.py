"""``econsec serve`` and ``econsec settings``."""

from __future__ import annotations

from typing import Annotated

import typer

from econsec.cli.common import print_json
from econsec.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (ECONSEC_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (ECONSEC_PORT).")] = None,
) -> None:
    """Start the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from econsec.api.app import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


def show_settings() -> None:
    """Print the effective settings (from ECONSEC_* environment variables) as JSON."""
    settings = get_settings()
    data = settings.model_dump(mode="json")
    data["analytics_file"] = str(settings.analytics_file)
    data["app_database_url"] = settings.app_database_url
    print_json(data)
