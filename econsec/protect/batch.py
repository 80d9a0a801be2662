"""Batch files: parties to screen and name pairs to compare (CSV in, CSV or JSON lines out).

* parties: header ``id,name`` plus optional ``schema,country,birth_date`` (and ``identifier``);
* pairs: header ``name1,name2`` plus optional ``schema``.

Rows are read as a stream, so a file of millions of rows runs in constant memory; a bad row
stops the run with a :class:`~econsec.errors.DataError` naming the file, line and field. Output
goes to a temporary file renamed into place at the end, so a failed run leaves no half-written
result.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from econsec.errors import DataError, InvalidInput
from econsec.protect.screening.model import Query, Result

PARTY_COLUMNS = ("id", "name")
OPTIONAL_PARTY_COLUMNS = ("schema", "country", "birth_date", "identifier")
PAIR_COLUMNS = ("name1", "name2")
CSV_COLUMNS = (
    "id",
    "name",
    "entity_id",
    "list",
    "list_version",
    "source_id",
    "schema",
    "caption",
    "score",
    "match",
    "matched_name",
)


def count_rows(path: Path) -> int:
    """Data rows in a CSV file (lines minus the header; for the progress bar)."""
    with path.open("rb") as fh:
        return max(0, sum(1 for _ in fh) - 1)


def read_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a UTF-8 CSV file with a header holding ``required``, values stripped;
    DataError naming the file and line for an unreadable file, a missing column or a row with
    more fields than the header."""
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", path=path) from None
    with fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"not a UTF-8 CSV file: {exc}", path=path, line=1) from None
        if not header:
            raise DataError("empty file: expected a header row", path=path, line=1)
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError(
                f"missing column(s) {', '.join(missing)}; the header is {','.join(header)}",
                path=path,
                line=1,
                expected=",".join(required),
            )
        try:
            for row in reader:
                if None in row:
                    raise DataError(
                        f"{len(header) + len(row[None])} fields, the header has {len(header)}",
                        path=path,
                        line=reader.line_num,
                    )
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"unreadable CSV: {exc}", path=path, line=reader.line_num) from None


def read_parties(path: Path) -> Iterator[tuple[str, Query]]:
    """(party id, query) for every row of a parties file."""
    for line, row in read_rows(path, PARTY_COLUMNS):
        if not row["id"]:
            raise DataError("empty id", path=path, line=line, field="id")
        try:
            query = Query(
                (row["name"],),
                row.get("schema") or "Thing",
                (row["country"],) if row.get("country") else (),
                (row["birth_date"],) if row.get("birth_date") else (),
                (row["identifier"],) if row.get("identifier") else (),
            )
        except InvalidInput as exc:
            raise DataError(exc.message, path=path, line=line, field=_field(exc.message)) from None
        yield row["id"], query


def screen_parties(
    service: Any, path: Path, *, progress: Callable[[int], None] | None = None, **options: Any
) -> Iterator[tuple[str, Query, list[Result]]]:
    """Each party of the file at ``path`` with its results, in input order, screened by
    ``service`` (``ProtectService.screen_many``: workers, algorithm, threshold, limit...);
    the stream is read as it is screened, so memory stays bounded by the workers' chunk."""
    pending: deque[tuple[str, Query]] = deque()  # read, not yet answered

    def stream() -> Iterator[Query]:
        for party_id, query in read_parties(path):
            pending.append((party_id, query))
            yield query

    for results in service.screen_many(stream(), progress=progress, **options):
        party_id, query = pending.popleft()
        yield party_id, query, results


def party_record(party_id: str, query: Query) -> dict[str, str | None]:
    """A parties-file row as the store keeps it (``ScreeningStore.save_parties``)."""
    return {
        "id": party_id,
        "name": query.names[0],
        "schema": query.schema,
        "country": query.countries[0] if query.countries else None,
        "birth_date": query.birth_dates[0] if query.birth_dates else None,
    }


def _field(message: str) -> str:
    for name in ("schema", "country", "birth date", "name"):
        if name in message:
            return name.replace(" ", "_")
    return "name"


def read_pairs(path: Path) -> Iterator[tuple[int, str, str, str]]:
    """(line, name1, name2, schema) for every row of a pairs file."""
    for line, row in read_rows(path, PAIR_COLUMNS):
        for column in PAIR_COLUMNS:
            if not row[column]:
                raise DataError("empty name", path=path, line=line, field=column)
        yield line, row["name1"], row["name2"], row.get("schema") or "Thing"


def result_json(result: Result) -> dict[str, Any]:
    """One result in the ``screen-file --format jsonl`` shape."""
    entry = result.entry
    return {
        "entity_id": entry.id,
        "list": entry.list_name,
        "list_version": entry.version,
        "source_id": entry.source_id,
        "schema": entry.schema,
        "caption": entry.caption,
        "score": round(result.score, 4),
        "match": result.match,
        "matched_name": result.explanation.matched_name,
        "features": {k: round(v, 4) for k, v in result.features.items()},
    }


def csv_rows(party_id: str, query: Query, results: list[Result]) -> list[list[str]]:
    """CSV rows (``CSV_COLUMNS``) of one party's results."""
    out = []
    for result in results:
        data = result_json(result)
        out.append(
            [
                party_id,
                query.names[0],
                data["entity_id"],
                data["list"],
                data["list_version"],
                data["source_id"],
                data["schema"],
                data["caption"],
                f"{data['score']:.4f}",
                "true" if data["match"] else "false",
                data["matched_name"],
            ]
        )
    return out


@contextmanager
def output(path: Path | None) -> Iterator[IO[str]]:
    """Write to ``path`` atomically (temp file renamed on success), or to stdout."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", newline="", encoding="utf-8") as fh:
            yield fh
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def json_line(data: dict[str, Any]) -> str:
    """One compact JSON line."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
