"""OFAC's free-text facts: the ``Remarks`` of sdn.csv and the ``idType`` labels of sdnList XML.

OFAC writes one fact per ``;``-separated segment, ``[alt. ]LABEL VALUE[ (Country)][ issued ...]``:
``DOB 01 Jan 1970; POB Baghdad, Iraq; Passport A123 (Iraq); a.k.a. 'ABU X'``. The same labels
are the ``idType`` of the XML's ``idList`` (``Passport``, ``Tax ID No.``, ``Vessel Registration
Identification``...), so one table maps both onto FollowTheMoney properties. A label we do not
map (``Linked To``, ``Secondary sanctions risk``...) is no loss: readers keep the full text in
``notes``.

Dates come as ``01 Jan 1970``, ``Jan 1970``, ``1970``, ``circa 1970``, ``1970 to 1972``,
``circa 1979-1982``; :func:`parse_date` turns them into ISO prefixes and refuses anything else.
"""

from __future__ import annotations

import datetime
import re

from followthemoney.proxy import EntityProxy

#: Identifier labels → property. Longest labels are tried first, so ``NIT #`` wins over ``NIT``.
ID_LABELS: dict[str, str] = {
    **dict.fromkeys(["Passport", "Diplomatic Passport", "Passport No."], "passportNumber"),
    **dict.fromkeys(
        [
            "National ID No.",
            "Cedula No.",
            "D.N.I.",
            "Identification Number",
            "Personal ID Card",
            "Kenyan ID No.",
            "Birth Certificate Number",
            "Electoral Registry No.",
            "Driver's License No.",
            "Credencial electoral",
            "C.U.I.",
            "C.U.R.P.",
            "CURP #",
            "Numero de Identidad",
            "Residency Number",
            "Turkish Identification Number",
            "Travel Document Number",
            "Citizen's Card Number",
            "National Foreign ID Number",
            "LE Number",
            "Cartilla de Servicio Militar Nacional",
            "Public Security and Immigration No.",
            "SSN",
        ],
        "idNumber",
    ),
    **dict.fromkeys(
        [
            "Tax ID No.",
            "US FEIN",
            "C.U.I.T.",
            "RTN",
            "Italian Fiscal Code",
            "NIT #",
            "RUC #",
            "R.F.C.",
            "RIF #",
        ],
        "taxNumber",
    ),
    **dict.fromkeys(
        [
            "Registration Number",
            "Registration ID",
            "Business Registration Document #",
            "Business Registration Number",
            "Business Number",
            "Company Number",
            "UK Company Number",
            "Commercial Registry Number",
            "Certificate of Incorporation Number",
            "Public Registration Number",
            "Chamber of Commerce Number",
            "Trade License No.",
            "Enterprise Number",
            "Folio Mercantil No.",
            "Matricula Mercantil No",
            "Central Registration System Number",
            "Economic Register Number (CBLS)",
            "Government Gazette Number",
            "Branch Unit Number",
            "Istanbul Chamber of Comm. No.",
            "Dubai Chamber of Commerce Membership No.",
            "Registered Charity No.",
            "Permit Number",
            "License",
            "C.R. No.",
            "Chinese Commercial Code",
            "Aircraft Tail Number",
            "Previous Aircraft Tail Number",
        ],
        "registrationNumber",
    ),
    "V.A.T. Number": "vatCode",
    "Unified Social Credit Code (USCC)": "uscCode",
    "United Social Credit Code Certificate (USCCC)": "uscCode",
    "Legal Entity Number": "leiCode",
    "D-U-N-S Number": "dunsCode",
    "SWIFT/BIC": "swiftBic",
    "BIK (RU)": "bikCode",
    "ISIN": "isinCode",
    "Equity Ticker": "ticker",
    "MMSI": "mmsi",
    "Vessel Registration Identification": "imoNumber",
    "Aircraft Manufacturer's Serial Number (MSN)": "serialNumber",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "serialNumber",
}

#: Labels whose value is a date (see :func:`parse_date`).
DATE_LABELS: dict[str, str] = {
    "DOB": "birthDate",
    "Organization Established Date": "incorporationDate",
    "Vessel Year of Build": "buildDate",
    "Aircraft Manufacture Date": "buildDate",
}

#: Labels whose value is taken as it stands (FollowTheMoney cleans countries, genders, URLs).
TEXT_LABELS: dict[str, str] = {
    "POB": "birthPlace",
    "nationality": "nationality",
    "citizen": "citizenship",
    "Gender": "gender",
    "Email Address": "email",
    "Email": "email",
    "Website": "website",
    "Phone Number": "phone",
    "Telephone No.": "phone",
    "Telephone": "phone",
    "Fax": "phone",
    "Aircraft Model": "model",
    "Other Vessel Flag": "pastFlags",
    "Former Vessel Flag": "pastFlags",
    "Other Vessel Type": "pastTypes",
    "Other Vessel Call Sign": "callSign",
    "Nationality of Registration": "country",
}

#: Identifiers of the party itself (not ISIN or ticker, which name its securities).
_IDENTIFIERS = {p for p in ID_LABELS.values() if p not in ("isinCode", "ticker")} | {"imoNumber"}
_LABELS = sorted([*ID_LABELS, *DATE_LABELS, *TEXT_LABELS], key=len, reverse=True)
_ALIAS = {"a.k.a.": "weakAlias", "f.k.a.": "previousName", "n.k.a.": "weakAlias"}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2}) ([A-Za-z]{3})[a-z]*\.? (\d{4})")
_MONTH_YEAR = re.compile(r"([A-Za-z]{3})[a-z]*\.? (\d{4})")
_YEARS = re.compile(r"(\d{4}) ?(?:-|to) ?(\d{4})")
_ID_TAIL = re.compile(r"\s+(?:\(|issued\b|expires\b|expired\b|Expiration\b).*$")
#: OFAC cuts the legacy CSV's Remarks at this many characters (the rest is in sdn_comments.csv).
REMARKS_LIMIT = 1000


def parse_date(text: str) -> list[str]:
    """ISO dates (``1970-01-01``, ``1970-01`` or ``1970``) for one OFAC date; ValueError if odd.

    ``circa`` is dropped (the remarks, kept in notes, still say so); a range of years gives every
    year in it, up to 30, and a range of full dates gives both ends.
    """
    value = text.strip().removeprefix("circa").strip()
    if " to " in value and not _YEARS.fullmatch(value):
        start, _, end = value.partition(" to ")
        return parse_date(start) + parse_date(end)
    if years := _YEARS.fullmatch(value):
        first, last = int(years.group(1)), int(years.group(2))
        if not 0 <= last - first <= 30:
            raise ValueError(f"unlikely range of years {value!r}")
        return [str(year) for year in range(first, last + 1)]
    if value.isdigit() and len(value) == 4:
        return [value]
    if match := _DAY_MONTH_YEAR.fullmatch(value):
        day, month, year = match.groups()
        return [_iso(int(year), _month(month, value), int(day))]
    if match := _MONTH_YEAR.fullmatch(value):
        month, year = match.groups()
        return [f"{int(year):04d}-{_month(month, value):02d}"]
    raise ValueError(f"not an OFAC date: {text!r}")


def _month(name: str, value: str) -> int:
    if (month := _MONTHS.get(name.lower())) is None:
        raise ValueError(f"unknown month in {value!r}")
    return month


def _iso(year: int, month: int, day: int) -> str:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"no such day: {year:04d}-{month:02d}-{day:02d}") from None


def split_remarks(text: str) -> tuple[list[str], bool]:
    """The segments of a Remarks field and whether OFAC cut it (the last segment is then dropped).

    A quoted a.k.a. may itself hold a ``;``: segments are rejoined until its quote closes.
    """
    truncated = len(text) >= REMARKS_LIMIT
    text = text.strip().removesuffix(".")
    segments: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if segments and _open_quote(segments[-1]):
            segments[-1] += ";" + part
        elif part:
            segments.append(part)
    if truncated and segments:
        segments.pop()
    return segments, truncated


def _open_quote(segment: str) -> bool:
    body = _strip_alt(segment)
    rest = body[6:].strip()
    return body[:6] in _ALIAS and rest.startswith("'") and (rest == "'" or not rest.endswith("'"))


def _strip_alt(segment: str) -> str:
    for prefix in ("alt. ", "Alt. "):
        if segment.startswith(prefix):
            return segment[len(prefix) :].strip()
    return segment


def facts(segment: str) -> list[tuple[str, str]]:
    """``(property, value)`` pairs stated by one remarks segment; ValueError for a bad date."""
    body = _strip_alt(segment)
    if body[:6] in _ALIAS:
        name = body[6:].strip()
        name = name[1:] if name.startswith("'") else name  # one quote each side: 'ABD-AL-'IZ'
        name = (name[:-1] if name.endswith("'") else name).strip()
        return [(_ALIAS[body[:6]], name)] if name else []
    for label in _LABELS:
        if body.startswith(label) and body[len(label) : len(label) + 1] in (" ", ":"):
            return label_facts(label, body[len(label) :].lstrip(" :"))
    return []


def label_facts(label: str, value: str) -> list[tuple[str, str]]:
    """``(property, value)`` pairs for one labelled OFAC value (a remarks segment or an XML id)."""
    value = value.strip()
    if not value:
        return []
    if label in DATE_LABELS:
        return [(DATE_LABELS[label], date) for date in parse_date(value)]
    if label in TEXT_LABELS:
        return [(TEXT_LABELS[label], value)]
    if label in ID_LABELS:
        number = _ID_TAIL.sub("", value).strip()
        if number.startswith("IMO "):
            return [("imoNumber", number)]
        if label == "Vessel Registration Identification":
            return [("registrationNumber", number)]
        return [(ID_LABELS[label], number)] if number else []
    return []


def put(entity: EntityProxy, prop: str, value: str | None) -> bool:
    """Add a value; an identifier the schema lacks goes to ``idNumber`` or ``registrationNumber``.

    False when the schema has no place for it (an ISIN on an Organization). Values
    FollowTheMoney cannot clean (an unknown country, a phone without a country code) are
    dropped silently: readers keep the source text in ``notes``.
    """
    if not value:
        return True
    props = entity.schema.properties
    if prop not in props:
        fallback = next((p for p in ("idNumber", "registrationNumber") if p in props), None)
        if prop not in _IDENTIFIERS or fallback is None:
            return False
        prop = fallback
    entity.add(prop, value, quiet=True)
    return True
