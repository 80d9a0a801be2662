"""OpenAlex works in the real OpenAlex JSON schema, read into Arrow tables for the landscape.

A file holds works as a JSON array, as JSON Lines (the snapshot's ``part_*.gz``), or as saved
API pages (``{"meta": ..., "results": [...]}``), plain or gzip-compressed; a folder is read file
by file (``*.json``, ``*.jsonl``, ``*.gz``, sorted by name). econsec never downloads: how a user
gets these files is in ``data/tech/PROVENANCE.md``. Fields read from each work:

- ``id`` (``https://openalex.org/W…``, kept as ``W…``), ``publication_year``, ``cited_by_count``
  (absent or null: the work has no citation count and is left out of top-10 % ranks);
- ``authorships[].institutions[]`` (``id``, ``display_name``, ``country_code``) and
  ``authorships[].countries`` (used when none of an authorship's institutions has a country);
- ``topics[]`` (``id``, ``display_name``, ``score``, ``subfield``/``field``/``domain``) and the
  legacy ``concepts[]`` (``id``, ``display_name``, ``level``, ``score``).

**Fractional counting.** Each work shares 1 equally among its authorships that have a country;
each such authorship shares its part equally among its distinct countries, so a work by authors
A (JP), B (JP, US) and C (no affiliation) gives JP 1/2 + 1/4 = 3/4 and US 1/4. Institutions are
credited the same way over the authorships that name an institution. Whole counts give every
distinct country (or institution) of a work 1.

A problem is a DataError naming the file, the line (JSON Lines) or the work's position (``row``,
1-based, in an array or page) and the field path, e.g.
``authorships[1].institutions[0].country_code``.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from econsec.datasets.openalex_build import Builder
from econsec.datasets.openalex_tables import (
    COUNTRIES,
    INSTITUTIONS,
    LABELS,
    WORKS,
    WorkSet,
    short_id,
)
from econsec.errors import DataError

__all__ = [
    "COUNTRIES",
    "INSTITUTIONS",
    "LABELS",
    "SUFFIXES",
    "WORKS",
    "WorkSet",
    "read_works",
    "short_id",
    "work_files",
]

Progress = Callable[[str, float], None]
SUFFIXES = (".json", ".jsonl", ".gz")


def work_files(path: Path) -> list[Path]:
    """``path`` itself, or the work files in the folder ``path`` (sorted by name)."""
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(SUFFIXES))
        if not found:
            raise DataError("no work files in folder", path=path, expected="*.json, *.jsonl, *.gz")
        return found
    if not path.exists():
        raise DataError("file not found", path=path)
    return [path]


def read_works(paths: list[Path] | Path, progress: Progress | None = None) -> WorkSet:
    """Read OpenAlex works from files or folders (see the module docstring)."""
    files = [f for p in ([paths] if isinstance(paths, Path) else paths) for f in work_files(p)]
    builder = Builder()
    for n, path in enumerate(files):
        for item, line, row, done in _documents(path):
            builder.add(item, path, line, row)
            if progress is not None and row is None and line is not None and line % 20_000 == 0:
                progress("read", (n + done) / len(files))
        if progress is not None:
            progress("read", (n + 1) / len(files))
    works = builder.build(tuple(str(f) for f in files))
    if works.works.num_rows == 0:
        raise DataError("no works found", path=files[0], expected="OpenAlex works")
    return works


def _documents(path: Path) -> Iterator[tuple[Any, int | None, int | None, float]]:
    """Each work in the file: (work, line or None, row or None, fraction of the file read)."""
    size = max(path.stat().st_size, 1)
    with path.open("rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        binary: Any = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        text = io.TextIOWrapper(binary, encoding="utf-8-sig")
        try:
            first = text.readline()
            while first and not first.strip():
                first = text.readline()
            if not first:
                raise DataError("file is empty", path=path, expected="OpenAlex works (JSON)")
            single = _try_json(first) if first.lstrip().startswith("{") else None
            if isinstance(single, dict) and "results" not in single and "id" in single:
                # JSON Lines: one work per line (the snapshot's format); stream it
                yield single, 1, None, 0.0
                for number, line in enumerate(text, start=2):
                    if line.strip():
                        yield _line(path, number, line), number, None, raw.tell() / size
                return
            whole = _parse(path, first + text.read())
        except UnicodeDecodeError as exc:
            raise DataError("invalid UTF-8", path=path, expected="UTF-8 JSON") from exc
        except (EOFError, OSError) as exc:
            raise DataError(f"gzip data is truncated or corrupt ({exc})", path=path) from None
    for index, work in enumerate(_works_of(path, whole)):
        yield work, None, index + 1, 1.0


def _try_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _line(path: Path, number: int, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON ({exc.msg})", path=path, line=number) from None


def _parse(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"invalid JSON ({exc.msg})", path=path, line=exc.lineno, expected="OpenAlex works"
        ) from None


def _works_of(path: Path, doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        return list(doc["results"])
    if isinstance(doc, dict) and "id" in doc:
        return [doc]
    raise DataError(
        "not OpenAlex works",
        path=path,
        line=1,
        expected='a JSON array of works, JSON Lines, or an API page {"results": [...]}',
    )
