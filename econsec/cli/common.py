"""Shared CLI helpers: consoles, progress bars, JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from econsec.datasets.base import Progress as ProgressFn

# Messages carry file names and values from user data: no markup, and one line per message
# (soft wrap) so that errors stay greppable whatever the terminal width.
out_console = Console(highlight=False, markup=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


@dataclass
class State:
    """Options of the root command."""

    debug: bool = False


state = State()


@contextmanager
def progress_bar() -> Iterator[ProgressFn]:
    """A progress callback drawing one bar per stage on stderr (only on a terminal)."""
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def report(stage: str, fraction: float) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=1.0)
        bar.update(tasks[stage], completed=fraction)

    with bar:
        yield report


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON to stdout."""
    write_json(data)


def write_json(data: Any, out: Path | None = None) -> None:
    """``data`` as indented JSON (UTF-8, values JSON lacks as text) to stdout or ``out``."""
    write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", out)


def write_text(text: str, out: Path | None = None) -> None:
    """``text`` to stdout, or to the file ``out`` (UTF-8)."""
    if out is None:
        out_console.file.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def parse_date(value: str, option: str) -> date:
    """An option's ``YYYY-MM-DD`` value; InvalidInput naming the option otherwise."""
    from econsec.errors import InvalidInput

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} must be a date YYYY-MM-DD, got {value!r}") from None
