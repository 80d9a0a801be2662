"""A user's own watchlist as CSV (format ``csv``).

Columns: ``id`` and ``name`` (required), then optionally ``schema`` (a FollowTheMoney schema:
``Person``, ``Organization``, ``Company``, ``Vessel``...; default ``LegalEntity``, or ``Person``
when a birth date is given), ``country`` (names or ISO codes, ';'-separated), ``birth_date``
(``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), ``aliases`` (';'-separated) and ``topics``
(FollowTheMoney topics, ';'-separated; default ``sanction``). Other columns are ignored. The list
is named after the file (``blocked_parties.csv`` is ``blocked-parties``); its version is the date
in the file name, else the file's modification date. Rows are streamed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.types import registry

from econsec.errors import DataError
from econsec.protect.lists.base import (
    SANCTION,
    ListFormat,
    Publication,
    Record,
    files,
    make,
    slug,
    version_of,
)
from econsec.protect.lists.csvfile import check_width, csv_rows, header_of, split

REQUIRED = ("id", "name")
OPTIONAL = ("schema", "country", "birth_date", "aliases", "topics")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def valid_date(text: str) -> bool:
    """Whether ``text`` is YYYY, YYYY-MM or YYYY-MM-DD and a real date."""
    if not DATE.match(text):
        return False
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], *[*parts[1:], 1, 1][:2])
    except ValueError:
        return False
    return True


def records(path: Path, list_name: str, topic: str) -> Iterator[Record]:
    """The watchlist's rows as entities."""
    rows = csv_rows(path)
    _, header = header_of(path, rows)
    column = {name: header.index(name) for name in REQUIRED + OPTIONAL if name in header}
    seen: set[str] = set()
    for line, row in rows:
        check_width(path, line, row, header)
        value = {key: row[i].strip() for key, i in column.items()}
        where: dict[str, Any] = {"path": path, "line": line}
        source_id, name = value["id"], value["name"]
        if not source_id or source_id in seen:
            problem = "duplicate id" if source_id else "empty id"
            raise DataError(problem, field="id", got=source_id, **where)
        seen.add(source_id)
        if not name:
            raise DataError("empty name", field="name", **where)
        birth = value.get("birth_date", "")
        schema = model.get(value.get("schema") or ("Person" if birth else "LegalEntity"))
        if schema is None or not schema.matchable or schema.is_a("Address"):
            raise DataError("unknown schema", field="schema", got=value.get("schema"), **where)
        entity = make(schema.name, list_name, source_id)
        entity.add("name", name)
        entity.add("alias", split(value.get("aliases", "")))
        for country in split(value.get("country", "")):
            code = registry.country.clean(country)
            if code is None:
                raise DataError("unknown country", field="country", got=country, **where)
            entity.add("country", code)
        if birth:
            if not valid_date(birth):
                raise DataError(
                    "bad date", field="birth_date", got=birth, expected="YYYY[-MM[-DD]]", **where
                )
            if not schema.is_a("Person"):
                raise DataError(f"a {schema.name} has no birth date", field="birth_date", **where)
            entity.add("birthDate", birth)
        entity.add("topics", split(value.get("topics", "")) or [topic])
        yield Record(entity, source_id)


def read(paths: Sequence[Path], *, topic: str = SANCTION) -> Publication:
    """Read a watchlist CSV (``id,name[,schema,country,birth_date,aliases,topics]``)."""
    found = files(paths, suffixes=(".csv",))
    if len(found) != 1:
        raise DataError(f"one watchlist per load; got {len(found)} files", path=found[0])
    path = found[0]
    with closing(csv_rows(path)) as rows:
        line, header = header_of(path, rows)
    for name in REQUIRED:
        if name not in header:
            raise DataError(
                "missing column", path=path, line=line, field=name, got=",".join(header)
            )
    notes = [f"ignored columns: {', '.join(c for c in header if c not in REQUIRED + OPTIONAL)}"]
    notes = notes if any(c not in REQUIRED + OPTIONAL for c in header) else []
    version = version_of(path)
    if version is None:
        version = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
        notes.append("no date in the file name: version is the file's modification date")
    name = slug(re.sub(r"[_ ]?(20\d{2}-?\d{2}-?\d{2})", "", path.stem))
    return Publication(name, version, records(path, name, topic), notes)


FORMAT = ListFormat(
    name="csv",
    title="Own watchlist (CSV)",
    publisher="the user",
    licence="the user's own data",
    read=read,
    description="id,name[,schema,country,birth_date,aliases,topics]; ';' separates values.",
    sample="tests/protect/fixtures/watchlist_synthetic.csv",
)
