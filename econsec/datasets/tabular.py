"""Strict reading of small delimited files (code lists, nomenclatures, correlation tables).

The whole file is decoded and checked before anything is staged, and the first problem is
reported with file, line and field: bad encoding, a missing column, a short row, a value of the
wrong shape, a duplicate key. Files may be plain or gzip-compressed (detected from the bytes).
Large files (BACI flows) do not come here; they are read by DuckDB in ``baci.py``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from econsec.errors import DataError

Parser = Callable[[str], Any]


@dataclass(frozen=True, slots=True)
class Field:
    """A source column: header ``source`` becomes column ``name`` after ``parse``.

    ``parse`` raises ``ValueError(expected)`` for a bad value. An empty cell is ``None`` when
    the field is optional and an error when it is required.
    """

    source: str
    name: str
    parse: Parser
    required: bool = True


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip data; a broken archive is a DataError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", path=path) from None
    except IsADirectoryError:
        raise DataError("is a directory, expected a file", path=path) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise DataError(f"gzip data is truncated or corrupt ({exc})", path=path) from None
    return raw


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 text (a BOM is dropped); an invalid byte is reported with its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}", path=path, line=line, expected="UTF-8"
        ) from None


def iter_rows(path: Path, fields: Sequence[Field]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, parsed row)`` for every data row, checking every field."""
    text = decode(path, read_bytes(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError("file is empty", path=path, expected="a header line") from None
    names = [h.strip() for h in header]
    missing = [f.source for f in fields if f.source not in names]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}",
            path=path,
            line=1,
            expected="columns " + ",".join(f.source for f in fields),
            got=",".join(names),
        )
    index = [(f, names.index(f.source)) for f in fields]
    width = len(names)
    try:
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != width:
                raise DataError(
                    f"row has {len(row)} fields", path=path, line=line, expected=f"{width} fields"
                )
            out: dict[str, Any] = {}
            for f, i in index:
                cell = row[i].strip()
                if not cell:
                    if f.required:
                        raise DataError("empty value", path=path, line=line, field=f.source)
                    out[f.name] = None
                    continue
                try:
                    out[f.name] = f.parse(cell)
                except ValueError as exc:
                    raise DataError(
                        "invalid value",
                        path=path,
                        line=line,
                        field=f.source,
                        got=cell,
                        expected=str(exc),
                    ) from None
            yield line, out
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None


def read_table(
    path: Path,
    fields: Sequence[Field],
    schema: pa.Schema,
    *,
    key: Sequence[str] = (),
    check: Callable[[int, dict[str, Any]], None] | None = None,
) -> pa.Table:
    """Read and validate the whole file into an Arrow table with ``schema``.

    ``key`` names output columns that must be unique (a repeat names both lines); ``check`` may
    raise a DataError for cross-field rules.
    """
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    seen: dict[tuple[Any, ...], int] = {}
    for line, row in iter_rows(path, fields):
        if check is not None:
            check(line, row)
        if key:
            k = tuple(row[c] for c in key)
            if k in seen:
                raise DataError(
                    f"duplicate key {', '.join(map(str, k))} (first on line {seen[k]})",
                    path=path,
                    line=line,
                    field=",".join(key),
                    expected="unique " + ",".join(key),
                )
            seen[k] = line
        for name in schema.names:
            columns[name].append(row.get(name))
    if not columns[schema.names[0]]:
        raise DataError("file has a header but no data rows", path=path, line=2)
    return pa.table(columns, schema=schema)


def stage_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    """Create staging table ``table`` from an Arrow table."""
    con.register("_econsec_arrow", data)
    try:
        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM _econsec_arrow')
    finally:
        con.unregister("_econsec_arrow")


# --- value parsers: each raises ValueError(expected) ---------------------------------------

_DIGITS = re.compile(r"\d+")


def hs_code(lengths: tuple[int, ...] = (6,), pad: bool = False) -> Parser:
    """HS codes as digit strings of the given lengths; ``pad`` restores lost leading zeros."""

    def parse(cell: str) -> str:
        code = cell
        if not _DIGITS.fullmatch(code):
            raise ValueError(f"an HS code of {'/'.join(map(str, lengths))} digits")
        if pad and len(code) % 2 == 1 and len(code) + 1 in lengths:
            code = "0" + code
        if len(code) not in lengths:
            raise ValueError(f"an HS code of {'/'.join(map(str, lengths))} digits")
        return code

    return parse


def integer(low: int | None = None, high: int | None = None) -> Parser:
    """Whole numbers, optionally bounded."""

    def parse(cell: str) -> int:
        try:
            value = int(cell)
        except ValueError:
            raise ValueError("a whole number") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"a whole number in {low}..{high}")
        return value

    return parse


def text(cell: str) -> str:
    """Any non-empty text."""
    return cell


def pattern(regex: str, expected: str) -> Parser:
    """Text matching ``regex`` in full."""
    compiled = re.compile(regex)

    def parse(cell: str) -> str:
        if not compiled.fullmatch(cell):
            raise ValueError(expected)
        return cell

    return parse


def one_of(*values: str) -> Parser:
    """One of a fixed set of values."""

    def parse(cell: str) -> str:
        if cell not in values:
            raise ValueError("one of " + ", ".join(values))
        return cell

    return parse
