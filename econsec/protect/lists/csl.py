"""US Consolidated Screening List (trade.gov ``consolidated.csv``): Commerce, State, Treasury.

The CSV has a header row and one row per listed party; the columns used are ``_id`` (the
record id; OFAC rows also carry ``entity_number``), ``source`` (the list: ``Entity List (EL) -
Bureau of Industry and Security``, ``Specially Designated Nationals (SDN) - Treasury
Department``...), ``type`` (``Individual``, ``Entity``, ``Vessel``, ``Aircraft``; blank on the
Commerce lists), ``programs``, ``name``, ``title``, ``addresses`` (each ending in a country code),
``alt_names``, ``citizenships``, ``nationalities``, ``dates_of_birth``, ``places_of_birth``,
``ids`` (``CH, X0906223, Passport`` or ``7706061801, Tax ID No.``), ``start_date``, ``end_date``,
``federal_register_notice``, ``license_requirement``, ``license_policy``, ``remarks``, the vessel
columns and ``source_information_url``. Multiple values are separated by ``'; '``.

Treasury lists and the State Department's nonproliferation sanctions carry the topic
``sanction``, the Commerce and ITAR lists ``export.control``. The version is the date in the file
name (the file states none). Rows are streamed; a row's problem names its line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from followthemoney.types import registry

from econsec.errors import DataError
from econsec.protect.lists.base import (
    EXPORT_CONTROL,
    SANCTION,
    ListFormat,
    Publication,
    Record,
    files,
    make,
    version_of,
)
from econsec.protect.lists.csvfile import check_width, csv_rows, header_of, split

LIST_NAME = "us-csl"
SCHEMAS = {"individual": "Person", "entity": "LegalEntity", "vessel": "Vessel"}
SCHEMAS |= {"aircraft": "Airplane", "": "LegalEntity"}
REQUIRED = ("_id", "source", "type", "name")
#: ``ids`` type (lower case, start) -> property, for the schemas that have it.
IDS = (
    ("passport", "passportNumber"),
    ("swift", "swiftBic"),
    ("website", "website"),
    ("email", "email"),
    ("registration", "registrationNumber"),
    ("tax id", "taxNumber"),
    ("imo", "imoNumber"),
)
IDENTIFIER = re.compile(r"\b(?:id|no|number|cedula|bik|registration|identification)\b")
DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%b %Y", "%B %Y", "%Y")


def parse_dates(text: str, where: dict[str, Any]) -> list[str]:
    """Birth dates: ``1966-02-13``, ``14 Mar 1968``, ``1951``, ``circa 1960``, ``1955 to 1958``."""
    out = []
    for item in split(text):
        for part in re.split(r"\s+to\s+", re.sub(r"(?i)^circa\s+", "", item)):
            for fmt in DATE_FORMATS:
                try:
                    parsed = dt.datetime.strptime(part.strip(), fmt)
                except ValueError:
                    continue
                precision = 10 if "%d" in fmt else 7 if "%b" in fmt or "%B" in fmt else 4
                out.append(parsed.date().isoformat()[:precision])
                break
            else:
                raise DataError("bad date", field="dates_of_birth", got=item, **where)
    return out


def add_ids(entity: Any, text: str) -> list[str]:
    """Identifiers of ``ids`` to their properties; the rest (``Target Type``, directives) are
    returned as notes."""
    notes = []
    for item in split(text):
        parts = [p.strip() for p in item.split(", ")]
        if len(parts) >= 3 and registry.country.clean(parts[0]):
            parts = parts[1:]  # "CH, X0906223, Passport": the issuing country first
        number, kind = (parts[0], ", ".join(parts[1:]).lower()) if len(parts) > 1 else ("", "")
        prop = next((p for k, p in IDS if kind.startswith(k)), None)
        if prop is None and IDENTIFIER.search(kind):
            prop = "idNumber"  # Registration ID, National ID No., Cedula No., BIK (RU)...
        if number and prop in entity.schema.properties:
            entity.add(prop, number)
        else:
            notes.append(item)
    return notes


def record(line: int, row: dict[str, str], path: Path) -> Record:
    """One CSV row as an entity."""
    where: dict[str, Any] = {"path": path, "line": line}
    source_id = row["_id"] or row.get("entity_number", "")
    if not source_id:
        raise DataError("no record id", field="_id", **where)
    if not row["name"]:
        raise DataError("empty name", field="name", **where)
    schema = SCHEMAS.get(row["type"].lower())
    if schema is None:
        raise DataError("unknown type", field="type", got=row["type"], **where)
    entity = make(schema, LIST_NAME, source_id)
    entity.add("name", row["name"])
    entity.add("alias", split(row.get("alt_names", "")))
    for address in split(row.get("addresses", "")):
        entity.add("address", address)
        entity.add("country", registry.country.clean(address.rsplit(",", 1)[-1].strip()))
    entity.add("program", split(row.get("programs", "")))
    source = row["source"]
    entity.add(
        "topics", SANCTION if re.search(r"Treasury|Nonproliferation", source) else EXPORT_CONTROL
    )
    entity.add("createdAt", row.get("start_date") or None)
    entity.add("sourceUrl", row.get("source_information_url") or None)
    notes = [source, *add_ids(entity, row.get("ids", ""))]
    for key in ("remarks", "federal_register_notice", "license_requirement", "license_policy"):
        notes += [f"{key.replace('_', ' ')}: {row[key]}"] if row.get(key) else []
    notes += [f"end date: {row['end_date']}"] if row.get("end_date") else []
    if entity.schema.is_a("Person"):
        entity.add("position", row.get("title") or None)
        entity.add("birthDate", parse_dates(row.get("dates_of_birth", ""), where))
        entity.add("birthPlace", split(row.get("places_of_birth", "")))
        for key in ("nationalities", "citizenships"):
            entity.add("nationality", split(row.get(key, "")))
    elif entity.schema.is_a("Vessel"):
        for key, prop in (
            ("call_sign", "callSign"),
            ("vessel_type", "type"),
            ("vessel_flag", "flag"),
        ):
            entity.add(prop, row.get(key) or None)
        entity.add("tonnage", row.get("gross_tonnage") or None)
        entity.add("grossRegisteredTonnage", row.get("gross_registered_tonnage") or None)
        notes += [f"owner: {row['vessel_owner']}"] if row.get("vessel_owner") else []
    entity.add("notes", notes)
    return Record(entity, source_id)


def records(path: Path) -> Iterator[Record]:
    """The rows of the CSV as entities."""
    rows = csv_rows(path)
    _, header = header_of(path, rows)
    for line, row in rows:
        check_width(path, line, row, header)
        yield record(line, {k: v.strip() for k, v in zip(header, row, strict=True)}, path)


def read(paths: Sequence[Path]) -> Publication:
    """Read trade.gov's consolidated.csv (streamed)."""
    found = files(paths, suffixes=(".csv",))
    if len(found) != 1:
        raise DataError(f"one consolidated.csv per load; got {len(found)} files", path=found[0])
    path = found[0]
    with closing(csv_rows(path)) as rows:
        line, header = header_of(path, rows)
    for name in REQUIRED:
        if name not in header:
            raise DataError(
                "missing column", path=path, line=line, field=name, expected="the trade.gov header"
            )
    version = version_of(path)
    notes = [] if version else ["no date in the file name: version unknown"]
    return Publication(LIST_NAME, version, records(path), notes)


FORMAT = ListFormat(
    name="csl",
    title="US Consolidated Screening List (trade.gov)",
    publisher="US International Trade Administration, for Commerce, State and Treasury",
    licence="US Government work, public domain (17 U.S.C. 105)",
    read=read,
    description="consolidated.csv from https://www.trade.gov/consolidated-screening-list",
    sample="tests/protect/fixtures/csl_synthetic.csv (synthetic: no real copy under 4 MiB)",
)
