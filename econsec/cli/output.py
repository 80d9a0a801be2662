"""Writing Arrow results as a terminal table, CSV, JSON or Parquet (stdout or ``-o FILE``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from rich.table import Table

from econsec.cli.common import out_console, write_json, write_text
from econsec.errors import DataError
from econsec.reports.tables import cell as _cell
from econsec.reports.tables import csv_text, records


class Format(StrEnum):
    """Output formats of the analytics commands."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


_KEYS = frozenset({"importer", "exporter", "supplier", "product", "group", "year", "material"})


def _format(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if "share" in name:
            return f"{value:.1%}"
        if "hhi" in name or name in ("score",):
            return f"{value:.3f}"
        if "ratio" in name:
            return f"{value:,.2f}"
        return f"{value:,.1f}"
    if isinstance(value, int) and name not in ("year",):
        return f"{value:,}"
    return _cell(value)


def write(
    table: pa.Table,
    fmt: Format,
    out: Path | None,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    limit: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write ``table`` in ``fmt`` to ``out`` (stdout when None; Parquet needs a file)."""
    if fmt is Format.parquet:
        if out is None:
            raise DataError("Parquet output needs a file", field="-o", expected="-o FILE.parquet")
        pq.write_table(table, out)
        return
    if fmt is Format.json:
        write_json(records(table, extra), out)
        return
    if fmt is Format.csv:
        write_text(csv_text(table), out)
        return
    shown = table.select(list(columns)) if columns else table
    total = shown.num_rows
    if limit is not None:
        shown = shown.slice(0, limit)
    view = Table(title=title, show_lines=False)
    for name in shown.column_names:
        numeric = pa.types.is_integer(shown[name].type) or pa.types.is_floating(shown[name].type)
        if name in _KEYS:  # codes are never cut: shorten the numbers instead
            width = max([len(name), *(len(_cell(v)) for v in shown[name].to_pylist())])
            view.add_column(name, no_wrap=True, min_width=min(width, 24))
        else:
            view.add_column(name, justify="right" if numeric and name != "year" else "left")
    for row in shown.to_pylist():
        view.add_row(*[_format(k, v) for k, v in row.items()])
    if out is not None:
        with out.open("w", encoding="utf-8") as fh:
            from rich.console import Console

            Console(file=fh, width=200).print(view)
        return
    out_console.print(view)
    if limit is not None and total > limit:
        out_console.print(f"({total - limit:,} more rows: --limit N, or --format csv)")
