"""OFAC's lists: the legacy SDN CSV files and the ``sdnList`` XML (SDN or consolidated non-SDN).

**Legacy CSV** (list ``ofac-sdn``): ``sdn.csv`` with optional ``alt.csv`` and ``add.csv``, no
header, ``-0-`` for empty, a 0x1A byte at the end. Which file is which is read from its column count
(12, 5, 6), so ``sdn_2024-07-02.csv`` or a folder of them works too. ``SDN_Type`` picks the schema
(``individual`` Person, ``vessel`` Vessel, ``aircraft`` Airplane, blank Organization); the name is
kept as listed (``LAST, First``) with ``lastName``/``firstName`` split off, so matching does not
depend on the order; programs ``[IRAN] [SDGT]`` become ``program``; ``Title`` is a person's
``position``; vessel columns fill ``callSign``, ``type``, ``tonnage``, ``grossRegisteredTonnage``
and ``flag``. ``Remarks`` are kept whole in ``notes`` and parsed (:mod:`.ofac_remarks`): DOB, POB,
nationality, citizenship, gender, passport and other numbers, IMO, MMSI, website, email and
the weak ``a.k.a.``\\s. ``alt.csv`` adds ``alias`` (aka, nka), ``previousName`` (fka) or
``weakAlias`` (when alt_remarks says weak); ``add.csv`` adds ``address`` and ``country``. Alias
and address rows whose ``ent_num`` is not in sdn.csv (files of different dates) are counted in
the publication's notes. The version is the date in sdn.csv's name, unless given.

**XML** ``sdnList`` (``publshInformation/Publish_Date`` is the version): each ``sdnEntry`` is
read the same way from its elements. OFAC publishes the SDN list and the consolidated non-SDN
list in this one format and namespace, so the list is told by the file name (``SDN.XML``,
``CONSOLIDATED.XML``) or, failing that, by content: non-SDN entries carry non-SDN programs
(NS-PLC, CMIC, 561...) or directive determinations, which only a few SDN entries do.

Entity ids are ``ofac-sdn-<ent_num>`` / ``ofac-consolidated-<uid>``; ``sourceUrl`` is the
record's page in OFAC's Sanctions List Search.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from followthemoney.proxy import EntityProxy

from econsec.errors import DataError
from econsec.protect.lists.base import (
    OFAC_RECORD_URL,
    SANCTION,
    ListFormat,
    Publication,
    Record,
    files,
    make,
)
from econsec.protect.lists.ofac_remarks import REMARKS_LIMIT, facts, label_facts, put, split_remarks
from econsec.protect.lists.xmlstream import XmlStream, text

SDN, CONSOLIDATED = "ofac-sdn", "ofac-consolidated"
_KINDS = {12: "sdn", 5: "alt", 6: "add"}
_CSV_TYPES = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_CSV_TYPES |= {"": "Organization"}
_XML_TYPES = {"Individual": "Person", "Entity": "Organization", "Vessel": "Vessel"}
_XML_TYPES |= {"Aircraft": "Airplane"}
_ALT_TYPES = {"aka": "alias", "nka": "alias", "fka": "previousName"}
_AKA_TYPES = {"a.k.a.": "alias", "n.k.a.": "alias", "f.k.a.": "previousName"}
_DATED = re.compile(r"\d{4}-\d{2}-\d{2}")
_NON_SDN_PROGRAMS = ("NS-", "CMIC-", "FSE-", "561-", "CAPTA", "SSI")
_NON_SDN_IDS: tuple[str, ...] = (
    "Directive Determination",
    "Directive Information",
    "(CMIC)",
    "CAATSA Section",
)
_NON_SDN_IDS += ("Executive Order 14059 information",)
_SAMPLE = 500
Rows = list[tuple[int, list[str]]]


def read(
    paths: Sequence[Path], *, version: str | None = None, list_name: str | None = None
) -> Publication:
    """Read one OFAC publication: sdn.csv (+ alt.csv, add.csv) or one sdnList XML file.

    ``version`` (YYYY-MM-DD) overrides the date found; ``list_name`` (``ofac-sdn`` or
    ``ofac-consolidated``) overrides the list told from the file.
    """
    if list_name not in (None, SDN, CONSOLIDATED):
        raise ValueError(f"list_name must be {SDN!r} or {CONSOLIDATED!r}, not {list_name!r}")
    found = files(paths, suffixes=(".csv", ".xml"))
    xml = [p for p in found if _is_xml(p)]
    if xml and len(found) > 1:
        raise DataError(
            "give one OFAC publication: one XML file, or sdn.csv with its alt.csv and add.csv",
            path=xml[0],
            got=", ".join(p.name for p in found),
        )
    if xml:
        return _read_xml(xml[0], version, list_name)
    return _read_csv(found, version, list_name or SDN)


def _is_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(256)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


# --- legacy CSV -------------------------------------------------------------------------------


def _read_csv(paths: list[Path], version: str | None, list_name: str) -> Publication:
    tables: dict[str, list[tuple[Path, Rows]]] = defaultdict(list)
    for path in paths:
        kind, rows = _csv(path)
        tables[kind].append((path, rows))
    if len(tables["sdn"]) != 1:
        raise DataError(
            "expected exactly one sdn.csv (12 columns)",
            path=paths[0],
            got=", ".join(p.name for p, _ in tables["sdn"]) or "none",
        )
    sdn_path, sdn_rows = tables["sdn"][0]
    known = {row[0] for _, row in sdn_rows}
    notes: list[str] = []
    joined: dict[str, dict[str, Rows]] = {}
    for kind, what in (("alt", "alias"), ("add", "address")):
        joined[kind] = defaultdict(list)
        for path, rows in tables[kind]:
            missing = 0
            for line, row in rows:
                if kind == "alt" and row[2].lower() not in _ALT_TYPES:
                    raise DataError(
                        "unknown alt_type", path=path, line=line, field="alt_type", got=row[2]
                    )
                if row[0] in known:
                    joined[kind][row[0]].append((line, row))
                else:
                    missing += 1
            notes.append(
                f"{path.name}: {missing} of {len(rows)} {what} rows name an ent_num missing "
                f"from {sdn_path.name}"
            )
            if _dated(path) != _dated(sdn_path):
                notes.append(f"{path.name} and {sdn_path.name} are of different dates")
    cut = sum(len(row[11]) >= REMARKS_LIMIT for _, row in sdn_rows)
    if cut:
        notes.append(f"{cut} Remarks stop at OFAC's 1,000-character cut; last segment not parsed")
    records = _csv_records(sdn_path, sdn_rows, joined, list_name)
    return Publication(list_name, version or _dated(sdn_path), records, notes)


def _dated(path: Path) -> str | None:
    found = _DATED.search(path.name)
    return found.group(0) if found else None


def _csv(path: Path) -> tuple[str, Rows]:
    """The file's kind (sdn, alt, add) and its rows as ``(line, cells)``, ``-0-`` made empty."""
    data = path.read_bytes()
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        got = data[exc.start : exc.start + 4]
        raise DataError("not UTF-8", path=path, line=line, got=repr(got)) from None
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    rows: Rows = []
    width = 0
    try:
        for cells in reader:
            if not cells or cells == ["\x1a"]:  # blank line, or the DOS end-of-file byte
                continue
            width = width or len(cells)
            if len(cells) != width or width not in _KINDS:
                raise DataError(
                    "wrong number of columns",
                    path=path,
                    line=reader.line_num,
                    expected=f"{width} as in the first row" if width in _KINDS else "12, 5 or 6",
                    got=str(len(cells)),
                )
            values = [c.strip() for c in cells]
            if width == 12 and len(cells[11]) >= REMARKS_LIMIT:
                values[11] = cells[11]  # keep OFAC's cut visible (it may end in a space)
            rows.append((reader.line_num, ["" if v == "-0-" else v for v in values]))
    except csv.Error as exc:
        raise DataError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    if not rows:
        raise DataError("no rows", path=path)
    return _KINDS[width], rows


def _csv_records(
    path: Path, rows: Rows, joined: dict[str, dict[str, Rows]], list_name: str
) -> Iterator[Record]:
    seen: set[str] = set()
    for line, row in rows:
        ent_num, name, sdn_type, programs, title = row[:5]
        if not ent_num.isdigit() or ent_num in seen:
            raise DataError("bad or repeated ent_num", path=path, line=line, field="ent_num")
        seen.add(ent_num)
        if sdn_type not in _CSV_TYPES:
            raise DataError(
                "unknown SDN_Type", path=path, line=line, field="SDN_Type", got=sdn_type
            )
        if not name:
            raise DataError("no name", path=path, line=line, field="SDN_Name")
        entity = make(_CSV_TYPES[sdn_type], list_name, ent_num)
        _name(entity, name, name.split(", ", 2))
        entity.add("program", [p.strip("[] ") for p in programs.split("] [") if p.strip("[] ")])
        _title(entity, title)
        _vessel(entity, *row[5:11])
        _remarks(entity, row[11], path, line)
        for _, alt in joined["alt"].get(ent_num, []):
            prop = "weakAlias" if "weak" in alt[4].lower() else _ALT_TYPES[alt[2].lower()]
            entity.add(prop, alt[3] or None)
        for _, add in joined["add"].get(ent_num, []):
            entity.add("address", ", ".join(v for v in add[2:5] if v) or None)
            entity.add("country", add[4] or None, quiet=True)
            entity.add("notes", add[5] or None)
        _finish(entity, ent_num)
        yield Record(entity, ent_num)


def _remarks(entity: EntityProxy, remarks: str, path: Path, line: int | None) -> None:
    if not remarks:
        return
    entity.add("notes", remarks)
    for segment in split_remarks(remarks)[0]:
        try:
            pairs = facts(segment)
        except ValueError as exc:
            raise DataError(str(exc), path=path, line=line, field="Remarks", got=segment) from None
        for prop, value in pairs:
            put(entity, prop, value)


# --- shared by both formats -------------------------------------------------------------------


def _name(entity: EntityProxy, listed: str, parts: Sequence[str]) -> None:
    """The name as OFAC lists it (``LAST, First``) plus its parts for people."""
    entity.add("name", listed)
    if entity.schema.is_a("Person") and len(parts) > 1:
        entity.add("lastName", parts[0] or None)
        entity.add("firstName", parts[1] or None)
        entity.add("nameSuffix", parts[2] if len(parts) > 2 else None)


def _title(entity: EntityProxy, title: str) -> None:
    if title:
        entity.add("position" if entity.schema.is_a("Person") else "notes", title)


def _vessel(
    entity: EntityProxy, call_sign: str, kind: str, tons: str, grt: str, flag: str, owner: str
) -> None:
    if not entity.schema.is_a("Vessel"):
        return
    entity.add("callSign", call_sign or None)
    entity.add("type", kind or None)
    entity.add("tonnage", tons.replace(",", "") or None)
    entity.add("grossRegisteredTonnage", grt.replace(",", "") or None)
    entity.add("flag", flag or None, quiet=True)
    entity.add("notes", f"Vessel owner: {owner}" if owner else None)


def _finish(entity: EntityProxy, uid: str) -> None:
    entity.add("topics", SANCTION)
    entity.add("sourceUrl", OFAC_RECORD_URL.format(uid))


# --- sdnList XML ------------------------------------------------------------------------------


def _read_xml(path: Path, version: str | None, list_name: str | None) -> Publication:
    notes: list[str] = []
    if list_name is None:
        list_name, reason = _which_list(path)
        notes.append(f"list {list_name}: {reason}")
    stream = XmlStream(path)
    events = stream.events()
    _, root = next(events)
    if root.tag != "sdnList":
        raise stream.error("not an OFAC sdnList", root, "root", got=root.tag)
    published = None
    for event, elem in events:
        if event == "end" and elem.tag == "Publish_Date":
            try:
                day = datetime.datetime.strptime(text(elem, "."), "%m/%d/%Y").date()
            except ValueError:
                raise stream.error("not a MM/DD/YYYY date", elem, "Publish_Date") from None
            published = day.isoformat()
        if (event == "end" and elem.tag == "publshInformation") or elem.tag == "sdnEntry":
            break
    return Publication(
        list_name, version or published, _xml_records(stream, events, list_name), notes
    )


def _which_list(path: Path) -> tuple[str, str]:
    """``(list name, why)``: from the file name, else from a sample of the entries."""
    stem = path.stem.lower().replace("-", "_")
    if "cons" in stem or "non_sdn" in stem or "nonsdn" in stem:
        return CONSOLIDATED, f"the file name {path.name}"
    if stem.startswith("sdn"):
        return SDN, f"the file name {path.name}"
    stream, entries, marked = XmlStream(path), 0, 0
    for event, elem in stream.events():
        if event == "end" and elem.tag == "sdnEntry":
            programs = [p.text or "" for p in elem.iter("program")]
            kinds = [i.text or "" for i in elem.iter("idType")]
            entries += 1
            marked += any(p.startswith(_NON_SDN_PROGRAMS) for p in programs) or any(
                m in k for k in kinds for m in _NON_SDN_IDS
            )
            stream.release(elem)
            if entries == _SAMPLE:
                break
    share = f"{marked} of the first {entries} entries carry non-SDN programs or directives"
    return (CONSOLIDATED if entries and marked * 2 >= entries else SDN), share


def _xml_records(
    stream: XmlStream, events: Iterator[tuple[str, ET.Element]], list_name: str
) -> Iterator[Record]:
    seen: set[str] = set()
    for event, elem in events:
        if event != "end" or elem.tag != "sdnEntry":
            continue
        uid = text(elem, "uid")
        if not uid.isdigit() or uid in seen:
            raise stream.error("bad or repeated uid", elem, "uid", got=uid)
        seen.add(uid)
        entity = _xml_entity(stream, elem, list_name, uid)
        _finish(entity, uid)
        stream.release(elem)
        yield Record(entity, uid)


def _xml_id(
    stream: XmlStream, item: ET.Element, entity: EntityProxy, label: str, field: str
) -> None:
    """One labelled value (an ``id``, a date of birth); what has no property goes to notes."""
    value = text(item, field)
    try:
        pairs = label_facts(label, value)
    except ValueError as exc:
        at = item.find(field)
        raise stream.error(str(exc), item if at is None else at, field, got=value) from None
    added = [put(entity, p, v) for p, v in pairs]  # every pair, no short cut
    if value and (not pairs or not all(added)):
        entity.add("notes", f"{label} {value}")


def _xml_entity(stream: XmlStream, elem: ET.Element, list_name: str, uid: str) -> EntityProxy:
    kind = text(elem, "sdnType")
    if kind not in _XML_TYPES:
        raise stream.error("unknown sdnType", elem, "sdnType", got=kind)
    last, first = text(elem, "lastName"), text(elem, "firstName")
    if not last:
        raise stream.error("entry without a lastName", elem, "lastName")
    entity = make(_XML_TYPES[kind], list_name, uid)
    _name(entity, f"{last}, {first}" if first else last, [last, first])
    entity.add("program", [p.text.strip() for p in elem.iter("program") if p.text])
    _title(entity, text(elem, "title"))
    entity.add("notes", text(elem, "remarks") or None)
    for aka in elem.iter("aka"):
        name = ", ".join(v for v in (text(aka, "lastName"), text(aka, "firstName")) if v)
        prop = _AKA_TYPES.get(text(aka, "type"))
        if prop is None:
            raise stream.error("unknown aka type", aka, "type", got=text(aka, "type"))
        weak = text(aka, "category") == "weak" and prop == "alias"
        entity.add("weakAlias" if weak else prop, name or None)
    for address in elem.iter("address"):
        parts = ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode")
        place = [text(address, t) for t in (*parts, "country")]
        entity.add("address", ", ".join(v for v in place if v) or None)
        entity.add("country", text(address, "country") or None, quiet=True)
    for item in elem.iter("id"):
        _xml_id(stream, item, entity, text(item, "idType"), "idNumber")
    for item in elem.iter("dateOfBirthItem"):
        _xml_id(stream, item, entity, "DOB", "dateOfBirth")
    for item in elem.iter("placeOfBirthItem"):
        put(entity, "birthPlace", text(item, "placeOfBirth"))
    for tag, prop in (("nationality", "nationality"), ("citizenship", "citizenship")):
        for node in elem.iter(tag):
            put(entity, prop, text(node, "country"))
    for info in elem.iter("vesselInfo"):
        kinds = ("callSign", "vesselType", "tonnage", "grossRegisteredTonnage", "vesselFlag")
        _vessel(entity, *(text(info, k) for k in (*kinds, "vesselOwner")))
    return entity


FORMAT = ListFormat(
    name="ofac",
    title="OFAC Specially Designated Nationals (SDN) and Consolidated (non-SDN) lists",
    publisher="US Department of the Treasury, Office of Foreign Assets Control (OFAC)",
    licence="Public domain in the US (US Government work, 17 U.S.C. 105)",
    read=read,
    description=(
        "Legacy sdn.csv with alt.csv and add.csv (list ofac-sdn), or the sdnList XML of the SDN "
        "list (ofac-sdn) or of the consolidated non-SDN list (ofac-consolidated). Remarks are "
        "parsed for DOB, POB, nationality, identifiers and weak aliases and kept in notes."
    ),
    sample=(
        "../shared/data/screening/ofac/: sdn_2024-07-02.csv, alt_2026-06-02.csv, "
        "add_2026-06-02.csv (a later snapshot), consolidated_non_sdn_2026-01-08.xml"
    ),
)
