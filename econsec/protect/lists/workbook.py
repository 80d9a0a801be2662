"""Excel workbooks read whole, shared by the METI End User List and MOF asset-freeze readers.

Kept apart from the CSV plumbing so that only the workbook readers import openpyxl.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import openpyxl

from econsec.errors import DataError


def load_book(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet of a workbook as rows of cell values (formulas as written)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl: print areas, styles
            book = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        raise DataError("not an Excel workbook", path=path, got=str(exc)) from exc
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()
