"""Documentation stays complete: every CLI command, setting and API route is documented."""

from __future__ import annotations

import re
from typing import Any

import typer.main

from econsec.api.app import create_app
from econsec.cli import app
from econsec.datasets.registry import REGISTRY
from econsec.settings import Settings
from tests.conftest import ROOT

CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


# Typer may bundle its own click, so groups are recognised by their ``commands`` attribute.
def _commands(command: Any, prefix: str) -> list[str]:
    if hasattr(command, "commands"):
        found = []
        for name, sub in command.commands.items():
            found += _commands(sub, f"{prefix} {name}")
        return found
    return [prefix]


def test_every_cli_command_is_documented() -> None:
    commands = _commands(typer.main.get_command(app), "econsec")
    assert len(commands) >= 10
    missing = [c for c in commands if f"### `{c}`" not in CLI_DOC]
    assert not missing, f"document these commands in docs/cli.md: {missing}"


def test_every_cli_option_is_documented() -> None:
    missing = []
    stack: list[Any] = [typer.main.get_command(app)]
    while stack:
        command = stack.pop()
        stack += getattr(command, "commands", {}).values()
        for param in command.params:
            for opt in getattr(param, "opts", []):
                documented = re.search(rf"{re.escape(opt)}(?![\w-])", CLI_DOC)
                if opt.startswith("--") and opt != "--help" and not documented:
                    missing.append(f"{command.name} {opt}")
    assert not missing, f"document these options in docs/cli.md: {missing}"


def test_every_setting_is_documented() -> None:
    missing = [
        f"ECONSEC_{name.upper()}"
        for name in Settings.model_fields
        if f"`ECONSEC_{name.upper()}`" not in CLI_DOC
    ]
    assert not missing, f"document these settings in docs/cli.md: {missing}"


def test_every_api_route_is_documented() -> None:
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    # From the OpenAPI description: FastAPI may keep included routers as nested objects.
    paths = create_app().openapi()["paths"]
    routes = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(routes) >= 30 and "POST /match/{dataset}" in routes
    missing = [r for r in routes if f"`{r}" not in doc]
    assert not missing, f"document these routes in docs/api.md: {missing}"


def test_every_dataset_is_in_the_data_sources_doc() -> None:
    doc = (ROOT / "docs" / "data-sources.md").read_text(encoding="utf-8")
    missing = [name for name in REGISTRY if f"`{name}`" not in doc]
    assert not missing, f"document these datasets in docs/data-sources.md: {missing}"
