"""Patent applications and their first-stage screening against the specified technology fields
of the non-disclosure system (ESPA Art. 66; the fields in ``patent_secrecy_fields.yaml``).

An application is screened under the IPC version in force on its filing date (a term written
``until IPC 2024.01`` or ``from IPC 2025.01`` applies only then). A field matches when every term
of one of its rules is covered by one of the application's IPC symbols (:mod:`econsec.cases.ipc`).
The result needs a person's judgement (``needs_judgement``) when a matched field carries the
additional requirement (defence purpose or state-commissioned R&D, fields 16-25), when a matched
rule carries a restricting qualifier (``limited to uranium or plutonium``; text after ``--``),
or when a subgroup was taken as below another by its digits alone. Bracketed glosses that only
name the subject (``(UAV)``, ``(submarines)``) are shown but do not ask for judgement.

Deadlines come from the filing date as the Civil Code counts them: the patent office sends a
matched application to the Cabinet Office within 3 months (``referral_due``); without a security
designation, the foreign-filing ban ends 10 months after filing (``designation_due``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from econsec.cases.ipc import Rule, Scheme, Symbol, ipc_version, parse_rule
from econsec.cases.periods import Period, period_end
from econsec.errors import DataError, InvalidInput

REFERRAL = Period(3, "months")  # ESPA Art. 66(1): the JPO sends it within 3 months of filing
FOREIGN_BAN = Period(10, "months")  # ESPA Art. 78: the ban ends 10 months after filing
CSV_COLUMNS = ("id", "filing_date", "applicant", "inventors", "title", "abstract", "claims", "ipc")
_RESTRICTING = re.compile(r"(?i)^(limited to|only|relat|concerning|with |for |in the case|exact)")


@dataclass(frozen=True, slots=True)
class Inventor:
    name: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Application:
    """A patent application as the screening reads it."""

    id: str
    filing_date: date
    applicant: str
    inventors: tuple[Inventor, ...]
    title: str
    abstract: str
    claims: str
    ipc: tuple[Symbol, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "filing_date": self.filing_date.isoformat(),
            "applicant": self.applicant,
            "inventors": [{"name": i.name, "country": i.country} for i in self.inventors],
            "title": self.title,
            "abstract": self.abstract,
            "claims": self.claims,
            "ipc": [str(s) for s in self.ipc],
        }


def _application(item: Any, where: dict[str, Any]) -> Application:
    """One application from a JSON object or a CSV row (already split); DataError naming the
    file, the line or item, and the field."""
    if not isinstance(item, dict):
        raise DataError("an application must be an object", **where)
    for name in ("id", "filing_date", "ipc"):
        if item.get(name) in (None, "", []):
            raise DataError("missing", field=name, **where)
    try:
        filed = date.fromisoformat(str(item["filing_date"]))
    except ValueError:
        raise DataError(
            "not an ISO date", field="filing_date", got=str(item["filing_date"]), **where
        ) from None
    codes = item["ipc"]
    if not isinstance(codes, list):
        raise DataError("a list of IPC symbols", field="ipc", **where)
    try:
        symbols = tuple(Symbol.parse(str(c)) for c in codes)
    except InvalidInput as exc:
        raise DataError(exc.message, field="ipc", **where) from None
    inventors = item.get("inventors") or []
    if not isinstance(inventors, list) or not all(
        isinstance(i, dict) and i.get("name") for i in inventors
    ):
        raise DataError('a list of {"name", "country"}', field="inventors", **where)
    return Application(
        str(item["id"]),
        filed,
        str(item.get("applicant") or ""),
        tuple(Inventor(str(i["name"]), i.get("country") or None) for i in inventors),
        str(item.get("title") or ""),
        str(item.get("abstract") or ""),
        str(item.get("claims") or ""),
        symbols,
    )


_IPCR = re.compile(r"^\s*([A-H]\d{2}[A-Z])\s*(\d{1,4})\s*/\s*(\d{2,6})")


def _st36_ipc(text: str) -> str:
    """``B63C   7/26        20060101AFI...`` (an ST.36 ``classification-ipcr`` text) or a plain
    symbol, as ``B63C 7/26``."""
    match = _IPCR.match(text)
    return f"{match[1]} {match[2]}/{match[3]}" if match else " ".join(text.split())


def _words(text: str) -> str:
    return " ".join(text.split())


def _all_words(elem: Any) -> str:
    """The text of an element and its children, in one line (empty without the element)."""
    return _words("".join(elem.itertext())) if elem is not None else ""


def read_st36(path: Path) -> Iterator[Application]:
    """Applications from WIPO ST.36-style XML: one ``patent-document`` or many under any root,
    each with ``bibliographic-data`` (``application-reference/document-id`` with ``doc-number``
    and ``date`` (YYYYMMDD), ``classifications-ipcr/classification-ipcr/text`` or
    ``classification-ipc/main-classification`` and ``further-classification``,
    ``invention-title``, ``parties`` with ``applicants`` and ``inventors`` (``addressbook``
    with ``name`` or ``last-name``/``first-name`` and ``address/country``)), ``abstract`` and
    ``claims``. Namespaces are ignored; a file with a DOCTYPE is refused (no entities)."""
    from econsec.protect.lists.xmlstream import XmlStream

    with path.open("rb") as fh:
        head = fh.read(4096)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise DataError("ST.36 files with a DOCTYPE or entities are not read", path=path, line=1)
    stream = XmlStream(path)
    for event, elem in stream.events():
        if event != "end" or elem.tag != "patent-document":
            continue
        where = {"path": path, "line": stream.line(elem)}
        biblio = elem.find("bibliographic-data")
        source = biblio if biblio is not None else elem
        doc = source.find("application-reference/document-id")
        raw_date = _words(doc.findtext("date", "")) if doc is not None else ""
        filed = (
            f"{raw_date[:4]}-{raw_date[4:6]}-{raw_date[6:8]}"
            if len(raw_date) == 8 and raw_date.isdigit()
            else raw_date
        )
        codes = [
            _st36_ipc(t.text or "")
            for t in source.iter()
            if t.tag in ("text", "main-classification", "further-classification")
            and t.text
            and _IPCR.match(t.text)
        ]
        people = []
        for book in source.iterfind(".//inventor/addressbook"):
            name = book.findtext("name") or " ".join(
                filter(None, (book.findtext("first-name"), book.findtext("last-name")))
            )
            people.append({"name": _words(name), "country": book.findtext("address/country")})
        applicants = [
            _words(book.findtext("name") or book.findtext("orgname") or "")
            for book in source.iterfind(".//applicant/addressbook")
        ]
        item = {
            "id": _words(doc.findtext("doc-number", "")) if doc is not None else "",
            "filing_date": filed,
            "applicant": next(iter(applicants), ""),
            "inventors": [p for p in people if p["name"]],
            "title": _words(source.findtext("invention-title") or ""),
            "abstract": _all_words(elem.find("abstract")),
            "claims": _all_words(elem.find("claims")),
            "ipc": codes,
        }
        yield _application(item, where)
        stream.release(elem)


def read_applications(path: Path) -> Iterator[Application]:
    """Applications from a JSON file (a list of objects with ``id``, ``filing_date`` (ISO),
    ``applicant``, ``inventors`` ([{"name", "country"}]), ``title``, ``abstract``, ``claims``
    and ``ipc`` (a list of symbols)) or a CSV file with those columns (``inventors`` as
    ``name|CC; name|CC``, ``ipc`` as ``B63C 7/26; F41H 3/02``), or WIPO ST.36-style XML
    (``.xml``: :func:`read_st36`)."""
    if path.suffix.lower() == ".xml":
        yield from read_st36(path)
        return
    if path.suffix.lower() == ".json":
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise DataError(f"not a JSON file: {exc}", path=path, line=line) from None
        if not isinstance(items, list):
            raise DataError("expected a list of applications", path=path)
        for number, item in enumerate(items, start=1):
            yield _application(item, {"path": path, "row": number})
        return
    from econsec.protect.batch import read_rows

    for number, row in read_rows(path, ("id", "filing_date", "ipc")):
        record: dict[str, Any] = dict(row)
        record["ipc"] = [c.strip() for c in row.get("ipc", "").split(";") if c.strip()]
        inventors = []
        for person in row.get("inventors", "").split(";"):
            name, _, country = person.partition("|")
            if name.strip():
                inventors.append({"name": name.strip(), "country": country.strip() or None})
        record["inventors"] = inventors
        yield _application(record, {"path": path, "line": number})


@dataclass(frozen=True, slots=True)
class Field:
    """A specified technology field with its rules, source and confidence."""

    id: int
    name_ja: str
    name_en: str
    additional_requirement: bool
    rules: tuple[Rule, ...]
    confidence: str
    source: str


def read_fields(path: Path) -> list[Field]:
    """The fields of a ``patent_secrecy_fields.yaml`` file with their rules parsed (DataError
    naming the file and the field whose rule is not IPC)."""
    from econsec.datasets import policy_schemas as schema

    return _fields(schema.validate(schema.read_yaml(path), schema.PatentFieldsFile), path)


def loaded_fields(catalogue: Any) -> list[Field]:
    """The fields of the loaded ``patent_fields`` dataset (the policy file as last loaded)."""
    from econsec.datasets import policy_schemas as schema

    document = schema.PatentFieldsFile.model_validate(catalogue.document("patent_fields"))
    return _fields(document, None)


def _fields(document: Any, path: Path | None) -> list[Field]:
    fields = []
    for item in document.fields:
        rules = []
        for text in item.ipc:
            try:
                rules.append(parse_rule(text))
            except InvalidInput as exc:
                raise DataError(f"field {item.id}: {exc.message}", path=path, field="ipc") from None
        fields.append(
            Field(
                int(item.id),
                item.name_ja,
                item.name_en,
                item.additional_requirement,
                tuple(rules),
                item.ipc_confidence,
                item.source,
            )
        )
    return fields


@dataclass(frozen=True, slots=True)
class Match:
    """A field matched by one of its rules, with the application's symbols that did it."""

    field: int
    rule: str
    symbols: tuple[str, ...]
    qualifiers: tuple[str, ...]
    inferred: bool
    additional_requirement: bool
    confidence: str
    source: str
    titles: tuple[str | None, ...] = ()  # of ``symbols``, where the IPC scheme has them

    def needs_judgement(self) -> bool:
        notes = [n.strip() for q in self.qualifiers for n in q.split(";")]
        restricting = any(_RESTRICTING.match(n) for n in notes)
        return self.additional_requirement or restricting or self.inferred

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "rule": self.rule,
            "symbols": list(self.symbols),
            "titles": list(self.titles),
            "qualifiers": list(self.qualifiers),
            "inferred": self.inferred,
            "additional_requirement": self.additional_requirement,
            "needs_judgement": self.needs_judgement(),
            "confidence": self.confidence,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Screened:
    """The first-stage screening of one application."""

    id: str
    filing_date: date
    ipc_version: str
    matches: tuple[Match, ...] = field(default=())

    @property
    def fields(self) -> list[int]:
        return sorted({m.field for m in self.matches})

    @property
    def needs_judgement(self) -> bool:
        return any(m.needs_judgement() for m in self.matches)

    @property
    def referral_due(self) -> date:
        return period_end(self.filing_date, REFERRAL)

    @property
    def designation_due(self) -> date:
        return period_end(self.filing_date, FOREIGN_BAN)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fields": self.fields,
            "needs_judgement": self.needs_judgement,
            "referral_due": self.referral_due.isoformat(),
            "designation_due": self.designation_due.isoformat(),
            "filing_date": self.filing_date.isoformat(),
            "ipc_version": self.ipc_version,
            "matches": [m.as_dict() for m in self.matches],
        }


class FieldScreener:
    """First-stage screening against the fields; rules are indexed by the IPC classes their
    terms name, so an application is checked only against rules that can match it."""

    def __init__(self, fields: Iterable[Field], scheme: Scheme | None = None) -> None:
        self.fields = list(fields)
        self.scheme = scheme
        self._by_class: dict[str, list[tuple[Field, Rule]]] = {}
        for item in self.fields:
            for rule in item.rules:
                for key in {self._key(s) for t in rule.terms for s in t.symbols}:
                    self._by_class.setdefault(key, []).append((item, rule))

    @staticmethod
    def _key(symbol: Symbol) -> str:
        return symbol.section + symbol.cls

    def screen(self, application: Application) -> Screened:
        version = ipc_version(application.filing_date)
        candidates: dict[int, tuple[Field, Rule]] = {}
        keys = {self._key(s) for s in application.ipc}
        for key in keys | {s.section for s in application.ipc}:
            for item, rule in self._by_class.get(key, ()):
                candidates[id(rule)] = (item, rule)
        matches = []
        for item, rule in candidates.values():
            if not all(t.applies(version) for t in rule.terms):
                continue
            found = [t.match(application.ipc, self.scheme) for t in rule.terms]
            if any(f is None for f in found):
                continue
            covered = list(dict.fromkeys(f.symbol for f in found if f is not None))
            matches.append(
                Match(
                    item.id,
                    rule.text,
                    tuple(str(c) for c in covered),
                    tuple(rule.qualifiers),
                    any(f is not None and f.inferred for f in found),
                    item.additional_requirement,
                    item.confidence,
                    item.source,
                    tuple(self.scheme.title(c) if self.scheme else None for c in covered),
                )
            )
        matches.sort(key=lambda m: (m.field, m.rule))
        return Screened(application.id, application.filing_date, version, tuple(matches))


def screener_for(catalogue: Any, fields: Path | None = None) -> FieldScreener:
    """A screener over the loaded fields (or a fields file) and, when the ``ipc`` dataset is
    loaded, the IPC scheme's subgroup tree and titles. Built from the loaded data once per
    state of the store (a quarter of a second each time otherwise)."""
    from econsec.cases.ipc import Scheme
    from econsec.errors import Conflict

    def build() -> FieldScreener:
        chosen = read_fields(fields) if fields is not None else loaded_fields(catalogue)
        try:
            scheme: Scheme | None = Scheme.loaded(catalogue)
        except Conflict:  # not loaded
            scheme = None
        return FieldScreener(chosen, scheme)

    if fields is not None:
        return build()
    screener: FieldScreener = catalogue.memo("cases.field_screener", build)
    return screener


def open_cases(
    cases: Any,
    actor: Any,
    applications: Iterable[Application],
    screener: FieldScreener,
    *,
    workspace: str,
    level: str,
) -> list[dict[str, Any]]:
    """A patent case per application on its filing day, with its first-stage screening in the
    case's data (the CLI, the API and the web pages all come here): ``id``, ``reference`` and
    ``fields`` of each case opened."""
    opened = []
    for application in applications:
        screened = screener.screen(application)
        case = cases.open(
            actor,
            "patent",
            reference=application.id,
            title=application.title or application.id,
            workspace=workspace,
            level=level,
            data={**application.as_dict(), "screening": screened.as_dict()},
            on=application.filing_date,
        )
        opened.append({"id": case["id"], "reference": application.id, "fields": screened.fields})
    return opened
