"""UK financial sanctions: OFSI's Consolidated List of Financial Sanctions Targets (ConList.csv).

Layout (OFSI's "2022 format" CSV): a first line ``Last Updated,DD/MM/YYYY`` (the version), a
header row, then one row per *name* of a target: ``Name 6`` (surname, or the whole name of an
entity), ``Name 1``..``Name 5`` (given names), ``Title``, ``Name Non-Latin Script``, ``DOB``
(``DD/MM/YYYY``, unknown parts ``00``), ``Town of Birth``, ``Country of Birth``, ``Nationality``,
``Passport Number``, ``National Identification Number``, ``Position``, ``Address 1``..``6``,
``Post/Zip Code``, ``Country``, ``Other Information``, ``Group Type`` (``Individual``, ``Entity``,
``Ship``), ``Alias Type`` (``Primary name``, ``Primary name variation``, ``AKA``, ``FKA``),
``Alias Quality`` (``Good quality``, ``Low quality``), ``Regime``, ``Listed On``, ``UK Sanctions
List Date Designated``, ``Last Updated`` and ``Group ID``. Rows of one ``Group ID`` are one target;
as they need not be adjacent, the file is read whole before the targets are returned. Multiple
values in one cell are numbered ``(1) ... (2) ...``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from econsec.errors import DataError
from econsec.protect.lists.base import SANCTION, ListFormat, Publication, Record, files, make
from econsec.protect.lists.csvfile import check_width, csv_rows, header_of

LIST_NAME = "uk-ofsi"
SCHEMAS = {"individual": "Person", "entity": "LegalEntity", "ship": "Vessel"}
NAME_TYPES = {"primary name": "name", "primary name variation": "alias", "aka": "alias"}
NAME_TYPES |= {"fka": "previousName", "": "alias"}
REQUIRED = ("name 6", "group type", "group id")
PERSON = {
    "title": "title",
    "town of birth": "birthPlace",
    "position": "position",
    "passport number": "passportNumber",
    "national identification number": "idNumber",
}


def uk_date(text: str, where: dict[str, Any], field: str) -> str | None:
    """``DD/MM/YYYY`` with ``00`` for an unknown day or month, as YYYY[-MM[-DD]]."""
    if not text:
        return None
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text)
    if match is None:
        raise DataError("bad date", field=field, got=text, expected="DD/MM/YYYY", **where)
    day, month, year = (int(p) for p in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise DataError("bad date", field=field, got=text, **where) from exc
    parts = [f"{year:04d}"] + ([f"{month:02d}"] if month else [])
    return "-".join(parts + ([f"{day:02d}"] if day and month else []))


def numbered(text: str) -> list[str]:
    """Values numbered ``(1) a (2) b`` (or a single value)."""
    parts = [p.strip(" ,;") for p in re.split(r"\(\d+\)", text)]
    return [p for p in parts if p]


def apply(entity: EntityProxy, line: int, row: dict[str, str], path: Path) -> None:
    """Add one name row of a target to its entity."""
    where: dict[str, Any] = {"path": path, "line": line}
    names = [row.get(f"name {i}", "") for i in (1, 2, 3, 4, 5, 6)]
    full = " ".join(n for n in names if n)
    if not full:
        raise DataError("no name", field="Name 6", **where)
    kind = NAME_TYPES.get(row.get("alias type", "").lower(), "alias")
    if row.get("alias quality", "").lower().startswith("low"):
        kind = "weakAlias"
    entity.add(kind, full)
    if kind == "name" and entity.schema.is_a("Person"):
        entity.add("firstName", names[0] or None)
        entity.add("lastName", names[5] or None)
    entity.add("alias", row.get("name non-latin script") or None)
    entity.add("program", row.get("regime") or None)
    entity.add("createdAt", uk_date(row.get("listed on", ""), where, "Listed On"))
    entity.add("modifiedAt", uk_date(row.get("last updated", ""), where, "Last Updated"))
    address = [row.get(f"address {i}", "") for i in range(1, 7)] + [row.get("post/zip code", "")]
    entity.add("address", ", ".join(a for a in [*address, row.get("country", "")] if a) or None)
    entity.add("country", [registry.country.clean(c) for c in numbered(row.get("country", ""))])
    entity.add("notes", row.get("other information") or None)
    if entity.schema.is_a("Person"):
        entity.add("birthDate", uk_date(row.get("dob", ""), where, "DOB"))
        for column, prop in PERSON.items():
            entity.add(prop, numbered(row.get(column, "")))
        for column, prop in (("country of birth", "birthCountry"), ("nationality", "nationality")):
            codes = [registry.country.clean(c) for c in numbered(row.get(column, ""))]
            entity.add(prop, [c for c in codes if c])


def targets(
    path: Path, rows: Iterator[tuple[int, list[str]]]
) -> tuple[str | None, dict[str, EntityProxy]]:
    """The version (Last Updated) and the targets by Group ID."""
    first = next(rows, None)
    if first is None or not first[1][0].strip().lower().startswith("last updated"):
        raise DataError(
            "no 'Last Updated' line", path=path, line=1, expected="Last Updated,DD/MM/YYYY"
        )
    stamp = next((cell.strip() for cell in first[1][1:] if cell.strip()), "")
    version = uk_date(stamp, {"path": path, "line": first[0]}, "Last Updated")
    line, header = header_of(path, rows)
    for name in REQUIRED:
        if name not in header:
            raise DataError("missing column", path=path, line=line, field=name.title())
    groups: dict[str, EntityProxy] = {}
    for line, cells in rows:
        check_width(path, line, cells, header)
        row = {k: v.strip() for k, v in zip(header, cells, strict=True)}
        group, kind = row["group id"], row["group type"].lower()
        if not group or kind not in SCHEMAS:
            field, got = ("Group ID", group) if not group else ("Group Type", row["group type"])
            raise DataError("bad value", path=path, line=line, field=field, got=got)
        if group not in groups:
            groups[group] = make(SCHEMAS[kind], LIST_NAME, group)
            groups[group].add("topics", SANCTION)
        apply(groups[group], line, row, path)
    return version, groups


def read(paths: Sequence[Path]) -> Publication:
    """Read OFSI's ConList.csv: one entity per Group ID (the file is read whole)."""
    found = files(paths, suffixes=(".csv",))
    if len(found) != 1:
        raise DataError(f"one ConList.csv per load; got {len(found)} files", path=found[0])
    path = found[0]
    with closing(csv_rows(path)) as rows:
        version, groups = targets(path, rows)
    records = []
    for group, entity in groups.items():
        if not entity.has("name"):  # no row typed "Primary name": promote the first alias
            entity.add("name", entity.first("alias") or entity.first("weakAlias"))
        records.append(Record(entity, group))
    return Publication(LIST_NAME, version, iter(records), [f"{len(records)} targets"])


FORMAT = ListFormat(
    name="uk",
    title="UK OFSI Consolidated List of Financial Sanctions Targets",
    publisher="HM Treasury, Office of Financial Sanctions Implementation (OFSI)",
    licence="Open Government Licence v3.0",
    read=read,
    description="ConList.csv (2022 format) from https://www.gov.uk/government/publications/"
    "financial-sanctions-consolidated-list-of-targets",
    sample="tests/protect/fixtures/uk_conlist_synthetic.csv (synthetic: real file over 4 MiB)",
)
