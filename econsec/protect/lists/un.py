"""The UN Security Council Consolidated List (``consolidated.xml``, root ``CONSOLIDATED_LIST``).

One file holds every UN sanctions committee's designations: ``INDIVIDUALS/INDIVIDUAL`` become
``Person`` and ``ENTITIES/ENTITY`` ``Organization`` entities, each keyed by its UN reference
number (``QDi.001``, ``KPe.033``). The publication date is the root's ``dateGenerated``.

Individuals: ``FIRST_NAME``..``FOURTH_NAME`` joined in order are the ``name`` (the parts go to
``firstName``, ``secondName`` and ``middleName``: UN name parts are not given/family names), and
``NAME_ORIGINAL_SCRIPT`` is a second ``name``. Aliases of quality ``Good`` or ``a.k.a.`` are
``alias``, ``Low`` is ``weakAlias``, ``f.k.a.`` is ``previousName``. Dates of birth come as a
``DATE``, a ``YEAR`` or a ``FROM_YEAR``/``TO_YEAR`` range (every year of it); documents whose type
names a passport are ``passportNumber``, the rest ``idNumber``. ``UN_LIST_TYPE`` is the
``program``, ``LISTED_ON`` ``createdAt``, ``LAST_DAY_UPDATED`` ``modifiedAt``, ``COMMENTS1``
``notes`` and ``DESIGNATION`` ``position``.

The file is streamed (:class:`~econsec.protect.lists.xmlstream.XmlStream`), so a malformed file
fails with the parser's line, and a record's problem with the line it starts on.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path

from followthemoney.proxy import EntityProxy

from econsec.errors import DataError
from econsec.protect.lists.base import (
    SANCTION,
    UN_LIST_URL,
    ListFormat,
    Publication,
    Record,
    files,
    make,
)
from econsec.protect.lists.ofac_remarks import parse_date
from econsec.protect.lists.xmlstream import XmlStream, iso_date, text

LIST = "un-sc"
_QUALITY = {"good": "alias", "a.k.a.": "alias", "": "alias", "low": "weakAlias"}
_QUALITY |= {"f.k.a.": "previousName"}
_DATE_TYPES = {"", "EXACT", "APPROXIMATELY", "BETWEEN"}


def read(paths: Sequence[Path]) -> Publication:
    """Read one UN consolidated list XML file."""
    found = files(paths, suffixes=(".xml",))
    if len(found) != 1:
        raise DataError(
            "expected one UN consolidated list XML file",
            path=paths[0],
            got=", ".join(p.name for p in found),
        )
    stream = XmlStream(found[0])
    events = stream.events()
    _, root = next(events)
    if root.tag != "CONSOLIDATED_LIST":
        raise stream.error("not a UN consolidated list", root, "root", got=root.tag)
    generated = root.get("dateGenerated") or ""
    version = iso_date(stream, root, generated, "dateGenerated")
    return Publication(LIST, version, _records(stream, events))


def _records(stream: XmlStream, events: Iterator[tuple[str, ET.Element]]) -> Iterator[Record]:
    seen: set[str] = set()
    for event, elem in events:
        if event != "end" or elem.tag not in ("INDIVIDUAL", "ENTITY"):
            continue
        ref = text(elem, "REFERENCE_NUMBER")
        if not ref:
            raise stream.error("record without a reference number", elem, "REFERENCE_NUMBER")
        if ref in seen:
            raise stream.error("reference number listed twice", elem, "REFERENCE_NUMBER", ref)
        seen.add(ref)
        if elem.tag == "INDIVIDUAL":
            entity = _individual(stream, elem, ref)
        else:
            entity = _organization(stream, elem, ref)
        _common(stream, elem, entity)
        stream.release(elem)
        yield Record(entity, ref)


def _individual(stream: XmlStream, elem: ET.Element, ref: str) -> EntityProxy:
    parts = [text(elem, f"{n}_NAME") for n in ("FIRST", "SECOND", "THIRD", "FOURTH")]
    name = " ".join(p for p in parts if p)
    if not name:
        raise stream.error("individual without a name", elem, "FIRST_NAME")
    entity = make("Person", LIST, ref)
    entity.add("name", name)
    entity.add("firstName", parts[0] or None)
    entity.add("secondName", parts[1] or None)
    entity.add("middleName", [p for p in parts[2:] if p])
    entity.add("title", _values(elem, "TITLE"))
    entity.add("position", _values(elem, "DESIGNATION"))
    entity.add("nationality", _values(elem, "NATIONALITY"), quiet=True)
    entity.add("gender", text(elem, "GENDER") or None, quiet=True)
    for alias in elem.findall("INDIVIDUAL_ALIAS"):
        _alias(stream, alias, entity)
        if birth := text(alias, "DATE_OF_BIRTH"):
            at = _child(alias, "DATE_OF_BIRTH")
            entity.add("birthDate", _birth_value(stream, at, birth, "DATE_OF_BIRTH"))
        place = _join(alias, "CITY_OF_BIRTH", "COUNTRY_OF_BIRTH")
        entity.add("birthPlace", place or None)
    for node in elem.findall("INDIVIDUAL_ADDRESS"):
        _address(node, entity)
    for node in elem.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        entity.add("birthDate", _birth_dates(stream, node))
    for node in elem.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
        entity.add("birthPlace", _join(node, "STREET", "CITY", "STATE_PROVINCE", "COUNTRY") or None)
        entity.add("birthCountry", text(node, "COUNTRY") or None, quiet=True)
    for node in elem.findall("INDIVIDUAL_DOCUMENT"):
        number = text(node, "NUMBER")
        kind = f"{text(node, 'TYPE_OF_DOCUMENT')} {text(node, 'TYPE_OF_DOCUMENT2')}".lower()
        is_passport = any(w in kind for w in ("passport", "passeport", "pasaporte"))
        entity.add("passportNumber" if is_passport else "idNumber", number or None)
    return entity


def _organization(stream: XmlStream, elem: ET.Element, ref: str) -> EntityProxy:
    name = text(elem, "FIRST_NAME")
    if not name:
        raise stream.error("entity without a name", elem, "FIRST_NAME")
    entity = make("Organization", LIST, ref)
    entity.add("name", name)
    for alias in elem.findall("ENTITY_ALIAS"):
        _alias(stream, alias, entity)
    for node in elem.findall("ENTITY_ADDRESS"):
        _address(node, entity)
    return entity


def _common(stream: XmlStream, elem: ET.Element, entity: EntityProxy) -> None:
    entity.add("name", text(elem, "NAME_ORIGINAL_SCRIPT") or None)
    entity.add("program", text(elem, "UN_LIST_TYPE") or None)
    entity.add("notes", text(elem, "COMMENTS1") or None)
    entity.add("topics", SANCTION)
    entity.add("sourceUrl", UN_LIST_URL)
    if listed := text(elem, "LISTED_ON"):
        entity.add("createdAt", iso_date(stream, _child(elem, "LISTED_ON"), listed, "LISTED_ON"))
    at = _child(elem, "LAST_DAY_UPDATED")
    updated = [
        iso_date(stream, at, v, "LAST_DAY_UPDATED") for v in _values(elem, "LAST_DAY_UPDATED")
    ]
    if updated:
        entity.add("modifiedAt", max(updated))


def _alias(stream: XmlStream, node: ET.Element, entity: EntityProxy) -> None:
    name = text(node, "ALIAS_NAME")
    quality = text(node, "QUALITY")
    prop = _QUALITY.get(quality.lower())
    if prop is None:
        raise stream.error("unknown alias quality", node, "QUALITY", got=quality)
    entity.add(prop, name or None)


def _address(node: ET.Element, entity: EntityProxy) -> None:
    entity.add(
        "address", _join(node, "STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY") or None
    )
    entity.add("country", text(node, "COUNTRY") or None, quiet=True)


def _birth_dates(stream: XmlStream, node: ET.Element) -> list[str]:
    kind = text(node, "TYPE_OF_DATE")
    if kind not in _DATE_TYPES:
        raise stream.error("unknown type of date", node, "TYPE_OF_DATE", got=kind)
    if date := text(node, "DATE"):
        return [iso_date(stream, _child(node, "DATE"), date, "DATE")]
    if year := text(node, "YEAR"):
        return _birth_value(stream, _child(node, "YEAR"), year, "YEAR")
    first, last = text(node, "FROM_YEAR"), text(node, "TO_YEAR")
    if first or last:
        span = f"{first or last} to {last or first}"
        return _birth_value(stream, _child(node, "FROM_YEAR"), span, "FROM_YEAR")
    try:  # only a note, e.g. "Nov. 1973"
        return parse_date(text(node, "NOTE"))
    except ValueError:
        return []


def _birth_value(stream: XmlStream, node: ET.Element, value: str, field: str) -> list[str]:
    if value[:4].isdigit() and value[4:5] == "-" and len(value) >= 10:
        return [iso_date(stream, node, value, field)]
    try:
        return parse_date(value)
    except ValueError:
        raise stream.error("not a date or year", node, field, got=value) from None


def _child(node: ET.Element, tag: str) -> ET.Element:
    """The child (for its line in errors), else the node itself."""
    child = node.find(tag)
    return node if child is None else child


def _values(elem: ET.Element, tag: str) -> list[str]:
    """The ``VALUE`` children of every ``tag`` child (``NATIONALITY/VALUE``...)."""
    values = (
        " ".join((v.text or "").split()) for n in elem.findall(tag) for v in n.findall("VALUE")
    )
    return [v for v in values if v]


def _join(node: ET.Element, *tags: str) -> str:
    return ", ".join(v for v in (text(node, t) for t in tags) if v)


FORMAT = ListFormat(
    name="un",
    title="UN Security Council Consolidated List",
    publisher="United Nations Security Council (sanctions committees)",
    licence="UN publication, free for public use; UN terms of use apply (no open licence)",
    read=read,
    description=(
        "The consolidated.xml from scsanctions.un.org: INDIVIDUALS become Person and ENTITIES "
        "Organization entities, keyed by the UN reference number (e.g. QDi.001); list 'un-sc', "
        "version = dateGenerated."
    ),
    sample="../shared/data/screening/un/consolidated_2026-01-28.xml (and 2025-11-29)",
)
