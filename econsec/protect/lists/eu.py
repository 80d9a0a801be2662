"""EU financial sanctions: the official FSF XML, and a derived EU/UN/OFAC aggregate JSON.

**EU Financial Sanctions Files XML** (list ``eu-fsf``; root ``export``, version = its
``generationDate``): each ``sanctionEntity`` is a Person (``subjectType code="person"``) or an
Organization (``enterprise``), keyed by its ``logicalId``. The first strong ``nameAlias`` is the
``name``, other strong ones ``alias``, weak ones (``strong="false"``) ``weakAlias``; its
``firstName``/``middleName``/``lastName``, ``title``, ``function`` (``position``) and ``gender``
are kept. ``birthdate`` gives ``birthDate`` (full date, year/month/day parts or a year range) and
``birthPlace``; ``citizenship`` ``nationality``; ``identification`` passport, id, tax,
registration, SWIFT and IMO numbers by ``identificationTypeCode``; ``address`` an address string,
``country`` and its ``contactInfo`` phones, emails and websites; ``regulation`` the ``program``
(programme code) and the regulation's URL in ``sourceUrl``; ``remark`` and the
``euReferenceNumber`` go to ``notes``, ``designationDate`` to ``createdAt``.

**Aggregate JSON** (list ``eu-aggregate``): ``{"metadata": {"generated": ...}, "entities": [{name,
type, aliases, birthdates, identifiers, source, source_id}]}``, built by a third party
(``haverisenosku/pakote_data``, ``scripts/aggregate.py``) from the EU FSF XML, the UN list and
OFAC's consolidated list. It is *derived*: names, aliases, birth dates and identifiers only, no
addresses or regimes. Which lists named the party (``EU``, ``UN``, ``OFAC``) is its ``program``
and is said in ``notes``. Its known artefacts are dropped and counted in the publication's notes:
OFAC birth dates that are really record uids (``4696-01-01``) or flags (``true``), and untyped
copies of typed identifiers. Years of birth appear there as ``YYYY-01-01`` and are kept so.
The ``source_id`` is that of the first source (an EU logicalId, a UN reference or an OFAC uid).
"""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy

from econsec.errors import DataError
from econsec.protect.lists.base import (
    OFAC_RECORD_URL,
    SANCTION,
    UN_LIST_URL,
    ListFormat,
    Publication,
    Record,
    files,
    make,
)
from econsec.protect.lists.ofac_remarks import label_facts, parse_date, put
from econsec.protect.lists.xmlstream import XmlStream, iso_date, text

AGGREGATE, FSF = "eu-aggregate", "eu-fsf"
URL = (
    "https://data.europa.eu/data/datasets/"
    "consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions"
)
OFAC_URL = "https://sanctionssearch.ofac.treas.gov/"
_SCHEMAS = {"person": "Person", "enterprise": "Organization"}
_AGGREGATE_TYPES = {"individual": "Person", "entity": "Organization"}
#: identificationTypeCode → property (the aggregate uses the same codes for EU identifiers).
_ID_CODES = {"passport": "passportNumber", "regnumber": "registrationNumber"}
_ID_CODES |= {"fiscalcode": "taxNumber", "taxid": "taxNumber", "swiftbic": "swiftBic"}
_ID_CODES |= {"imo": "imoNumber", "ssn": "socialSecurityNumber"}
_CONTACTS = {"PHONE": "phone", "FAX": "phone", "EMAIL": "email", "WEB": "website"}
_GENDERS = {"M": "male", "F": "female"}


def read(paths: Sequence[Path]) -> Publication:
    """Read one EU FSF XML file or one aggregate JSON file (told apart by their first byte)."""
    found = files(paths, suffixes=(".xml", ".json"))
    if len(found) != 1:
        raise DataError("expected one EU file", path=paths[0], got=", ".join(p.name for p in found))
    path = found[0]
    with path.open("rb") as handle:
        head = handle.read(256).removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        return _read_aggregate(path)
    return _read_fsf(path)


# --- official FSF XML -------------------------------------------------------------------------


def _read_fsf(path: Path) -> Publication:
    stream = XmlStream(path)
    events = stream.events()
    _, root = next(events)
    if root.tag != "export":
        raise stream.error("not an EU FSF export", root, "root", got=root.tag)
    version = _date(stream, root, root.get("generationDate"), "generationDate")
    return Publication(FSF, version, _fsf_records(stream, events))


def _date(stream: XmlStream, elem: ET.Element, value: str | None, field: str) -> str | None:
    if not value:
        return None
    return iso_date(stream, elem, value, field)


def _fsf_records(stream: XmlStream, events: Iterator[tuple[str, ET.Element]]) -> Iterator[Record]:
    seen: set[str] = set()
    for event, elem in events:
        if event != "end" or elem.tag != "sanctionEntity":
            continue
        uid = elem.get("logicalId") or ""
        if not uid or uid in seen:
            raise stream.error("missing or repeated logicalId", elem, "logicalId", got=uid)
        seen.add(uid)
        yield Record(_fsf_entity(stream, elem, uid), uid)
        stream.release(elem)


def _fsf_entity(stream: XmlStream, elem: ET.Element, uid: str) -> EntityProxy:
    subject = elem.find("subjectType")
    code = "" if subject is None else subject.get("code", "")
    if code not in _SCHEMAS:
        raise stream.error("unknown subjectType", elem, "subjectType", got=code)
    entity = make(_SCHEMAS[code], FSF, uid)
    _names(stream, elem, entity)
    for node in elem.findall("birthdate"):
        entity.add("birthDate", _birth(stream, node))
        entity.add("birthPlace", _place(node, "city", "place", "region") or None)
        entity.add("birthCountry", _country(node), quiet=True)
    for node in elem.findall("citizenship"):
        entity.add("nationality", _country(node), quiet=True)
    for node in elem.findall("identification"):
        number = node.get("number") or node.get("latinNumber")
        prop = _ID_CODES.get(node.get("identificationTypeCode", ""), "idNumber")
        put(entity, prop, number)
    for node in elem.findall("address"):
        street = _place(node, "street", "poBox", "city", "place", "region", "zipCode")
        entity.add("address", street or None)
        entity.add("country", _country(node), quiet=True)
        for info in node.findall("contactInfo"):
            contact = _CONTACTS.get(info.get("key", ""))
            if contact is not None:
                entity.add(contact, info.get("value") or None, quiet=True)
    created = [_date(stream, elem, elem.get("designationDate"), "designationDate")]
    for node in elem.findall("regulation"):
        entity.add("program", node.get("programme") or None)
        entity.add("sourceUrl", text(node, "publicationUrl") or None)
        created.append(_date(stream, node, node.get("publicationDate"), "publicationDate"))
    dates = [d for d in created if d]
    entity.add("createdAt", min(dates) if dates else None)
    entity.add("notes", [text(r, ".") for r in elem.findall("remark") if text(r, ".")])
    for attr, label in (("euReferenceNumber", "EU reference"), ("unitedNationId", "UN reference")):
        if value := elem.get(attr):
            entity.add("notes", f"{label}: {value}")
    entity.add("topics", SANCTION)
    entity.add("sourceUrl", URL)
    return entity


def _names(stream: XmlStream, elem: ET.Element, entity: EntityProxy) -> None:
    person = entity.schema.is_a("Person")
    for node in elem.findall("nameAlias"):
        parts = [node.get(k) or "" for k in ("firstName", "middleName", "lastName")]
        whole = node.get("wholeName") or " ".join(p for p in parts if p)
        if not whole:
            continue
        strong = (node.get("strong") or "true").lower() != "false"
        prop = "weakAlias" if not strong else "alias" if entity.has("name") else "name"
        entity.add(prop, whole)
        if person:
            for key, value in zip(("firstName", "middleName", "lastName"), parts, strict=True):
                entity.add(key, value or None)
            entity.add("title", node.get("title") or None)
            entity.add("position", node.get("function") or None)
            entity.add("gender", _GENDERS.get(node.get("gender") or ""))
        else:
            entity.add("notes", node.get("function") or None)
    if not entity.has("name"):
        raise stream.error("sanctionEntity without a strong name", elem, "nameAlias")


def _birth(stream: XmlStream, node: ET.Element) -> list[str]:
    full = node.get("birthdate")
    if full:
        return [iso_date(stream, node, full, "birthdate")]
    year, low, high = node.get("year"), node.get("yearRangeFrom"), node.get("yearRangeTo")
    month = node.get("monthOfYear") or node.get("month")
    day = node.get("dayOfMonth") or node.get("day")
    try:
        if year and month and day:
            return [datetime.date(int(year), int(month), int(day)).isoformat()]
        if year and month:
            return [f"{int(year):04d}-{int(month):02d}"]
        if year or low or high:
            return parse_date(year or f"{low or high} to {high or low}")
    except ValueError:
        got = " ".join(f"{k}={v}" for k, v in node.attrib.items() if v)
        raise stream.error("unreadable birth date", node, "birthdate", got=got) from None
    return []


def _country(node: ET.Element) -> str | None:
    code = node.get("countryIso2Code") or ""
    if code and code != "00":
        return code
    description = node.get("countryDescription") or ""
    return description if description != "UNKNOWN" else None


def _place(node: ET.Element, *keys: str) -> str:
    values = [node.get(k) or "" for k in keys]
    description = node.get("countryDescription") or ""
    values.append("" if description == "UNKNOWN" else description)
    return ", ".join(v.strip() for v in values if v.strip())


# --- derived aggregate JSON -------------------------------------------------------------------


def _read_aggregate(path: Path) -> Publication:
    data = path.read_bytes()
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError("not UTF-8", path=path, line=line) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"malformed JSON: {exc.msg}", path=path, line=exc.lineno) from None
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    items = doc.get("entities") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or not isinstance(items, list):
        raise DataError("not an aggregate: no metadata or entities", path=path, line=1)
    generated = str(meta.get("generated") or "")
    try:
        version = datetime.date.fromisoformat(generated[:10])
    except ValueError:
        raise DataError(
            "not a date", path=path, field="metadata.generated", got=generated
        ) from None
    dropped: Counter[str] = Counter()
    records = [
        _aggregate_record(path, i, item, version, dropped) for i, item in enumerate(items, 1)
    ]
    ids = Counter(r.source_id for r in records)
    if repeated := [k for k, n in ids.items() if n > 1]:
        raise DataError("source_id repeated", path=path, field="source_id", got=repeated[0])
    aliases = sum(len(item.get("aliases") or []) for item in items)
    notes = [
        "derived third-party aggregate of EU FSF, UN and OFAC consolidated lists, not a "
        "publisher's file: names, aliases, birth dates and identifiers only",
        f"{len(records)} entities with {aliases} aliases as listed",
        *(f"dropped {n} {what}" for what, n in sorted(dropped.items())),
    ]
    return Publication(AGGREGATE, version.isoformat(), iter(records), notes)


def _aggregate_record(
    path: Path, row: int, item: Any, generated: datetime.date, dropped: Counter[str]
) -> Record:
    def fail(message: str, field: str, got: object = None) -> DataError:
        return DataError(
            message, path=path, row=row, field=field, got=None if got is None else str(got)
        )

    if not isinstance(item, dict):
        raise fail("not an object", "entities")
    name, kind, sources = item.get("name"), item.get("type"), item.get("source")
    source_id = str(item.get("source_id") or "")
    if not isinstance(name, str) or not name.strip():
        raise fail("no name", "name", name)
    if kind not in _AGGREGATE_TYPES:
        raise fail("unknown type", "type", kind)
    if not source_id:
        raise fail("no source_id", "source_id")
    if not isinstance(sources, list) or not sources:
        raise fail("no source", "source", sources)
    entity = make(_AGGREGATE_TYPES[kind], AGGREGATE, source_id)
    entity.add("name", name.strip())
    entity.add("alias", [a for a in item.get("aliases") or [] if isinstance(a, str)])
    for value in item.get("birthdates") or []:
        dates = _aggregate_date(str(value), generated)
        entity.add("birthDate", dates)
        dropped["unusable birth dates (uids, 'true')"] += not dates
    for ident in item.get("identifiers") or []:
        label, number = ident.get("type"), ident.get("number")
        if label is None:
            dropped["untyped copies of identifiers"] += 1
        elif number:
            _aggregate_id(entity, str(label), str(number))
    entity.add("program", [str(s) for s in sources])
    entity.add("notes", f"Listed by {', '.join(map(str, sources))} (derived aggregate)")
    ofac_url = OFAC_RECORD_URL.format(source_id) if sources[0] == "OFAC" else OFAC_URL
    urls = {"EU": URL, "UN": UN_LIST_URL, "OFAC": ofac_url}
    entity.add("sourceUrl", [urls[s] for s in sources if s in urls])
    entity.add("topics", SANCTION)
    return Record(entity, source_id)


def _aggregate_date(value: str, generated: datetime.date) -> list[str]:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        try:
            return parse_date(value)
        except ValueError:
            return []
    return [day.isoformat()] if day <= generated else []


def _aggregate_id(entity: EntityProxy, kind: str, number: str) -> None:
    if kind in _ID_CODES:
        put(entity, _ID_CODES[kind], number)
        return
    try:
        pairs = label_facts(kind, number)
    except ValueError:
        pairs = []
    lowered = kind.lower()
    if not pairs and any(w in lowered for w in ("passport", "passeport", "pasaporte")):
        pairs = [("passportNumber", number)]
    elif not pairs and (kind.islower() or "identification" in lowered):
        pairs = [("idNumber", number)]  # EU codes (id, other, birthcert...) and UN national ids
    added = [put(entity, prop, value) for prop, value in pairs]  # every pair, no short cut
    if not pairs or not all(added):
        entity.add("notes", f"{kind} {number}")


FORMAT = ListFormat(
    name="eu",
    title="EU Financial Sanctions Files (consolidated list)",
    publisher="European Commission (Financial Sanctions Files)",
    licence="Reuse with attribution (Commission Decision 2011/833/EU)",
    read=read,
    description=(
        "The official FSF XML export (list eu-fsf), or a derived third-party JSON aggregate of "
        "the EU, UN and OFAC consolidated lists (list eu-aggregate: names, aliases, birth dates "
        "and identifiers only; the listing sources are kept in program and notes)."
    ),
    sample=(
        "No official XML bundled (over the 4 MiB snapshot limit); tests use a synthetic FSF "
        "fixture and ../shared/data/screening/aggregate/eu_un_ofaccons_aggregate_2026-01-28.json"
    ),
)
