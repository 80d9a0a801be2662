"""CSV plumbing the CSV readers share (own watchlist, US CSL, UK OFSI).

:func:`csv_rows` streams rows with the line each starts on, so a problem names its line;
:func:`header_of` and :func:`check_width` read and enforce the header; :func:`split` reads the
``;``-separated values of a cell.
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator
from pathlib import Path

from econsec.errors import DataError


def csv_rows(path: Path, skip: int = 0) -> Generator[tuple[int, list[str]], None, None]:
    """Rows of a CSV file with the line each starts on (1-based; quoted fields may span lines),
    after ``skip`` lines; blank rows and a trailing end-of-file mark (0x1A) are left out."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for _ in range(skip):
                handle.readline()
            reader = csv.reader(handle)
            line = skip + 1
            for row in reader:
                if any(cell.strip() not in ("", "\x1a") for cell in row):
                    yield line, row
                line = skip + reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise DataError("not UTF-8 text", path=path, got=str(exc)) from exc
    except csv.Error as exc:
        raise DataError("malformed CSV", path=path, got=str(exc)) from exc


def header_of(path: Path, rows: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The header row (lower case, trimmed)."""
    first = next(rows, None)
    if first is None:
        raise DataError("empty file: no header row", path=path, line=1)
    return first[0], [cell.strip().lower() for cell in first[1]]


def check_width(path: Path, line: int, row: list[str], header: list[str]) -> None:
    """A row has as many fields as the header."""
    if len(row) != len(header):
        raise DataError(
            "wrong number of fields",
            path=path,
            line=line,
            got=str(len(row)),
            expected=f"{len(header)} (as in the header)",
        )


def split(text: str) -> list[str]:
    """';'-separated values, trimmed, empties dropped."""
    return [value.strip() for value in text.split(";") if value.strip()]
