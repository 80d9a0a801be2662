"""Arrow results as text: nested columns flattened for CSV, JSON-ready records."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv


def cell(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "test" in value[0]:
            return "; ".join(_test(t) for t in value)
        return ";".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _test(test: Mapping[str, Any]) -> str:
    verdict = "pass" if test["passed"] else "fail"
    return f"{test['test']}={test['value']:.4g}{test['op']}{test['threshold']:g} {verdict}"


def flat(table: pa.Table) -> pa.Table:
    """Nested columns (flags, tests) as text, for CSV and terminal tables."""
    columns = {}
    for name in table.column_names:
        column = table[name]
        if pa.types.is_list(column.type) or pa.types.is_struct(column.type):
            columns[name] = pa.array([cell(v) for v in column.to_pylist()], pa.string())
        else:
            columns[name] = column
    return pa.table(columns)


def finite(data: Any) -> Any:
    """``data`` with every infinite or NaN float as None, through dicts and lists: strict JSON
    (and Arrow tables) take it as it is."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [finite(v) for v in data]
    return data


def records(table: pa.Table, extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """JSON-ready objects, one per row (``extra`` keys added to each)."""
    rows = []
    for row in table.to_pylist():
        clean = {k: finite(v) for k, v in row.items()}
        rows.append({**clean, **(extra or {})})
    return rows


def csv_text(table: pa.Table) -> str:
    """The table as CSV (header line first), nested columns flattened."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(flat(table), sink)
    return str(sink.getvalue().to_pybytes().decode("utf-8"))
