"""IPC symbols and the rules of the patent non-disclosure fields written with them.

A symbol is read at any level: section ``B``, class ``B63``, subclass ``B63C``, main group
``B63C 7`` (or ``B63C 7/00``) and subgroup ``B63C 7/26``; spaces and leading zeros do not
matter (``B63C7/26`` is ``B63C 7/26``). A rule symbol covers an application's symbol when the
application's symbol lies at or below it in the hierarchy:

* down to the main group, by prefix (``F41`` covers ``F41H 11/02``; ``B63G 8`` covers every
  ``B63G 8/...``);
* a subgroup covers itself and the subgroups indented under it. Where the IPC scheme
  (``ipc_scheme.csv``) lists the subgroup, its indentation decides; where it does not (the
  shipped scheme is the 2006 core level), a subgroup whose digits extend the rule's
  (``31/0352`` -> ``31/03529``) is taken as below it, and the match says so (``inferred``);
* a range ``G21C 19/42-19/48`` covers the subgroups of main group 19 from 42 to 48 (subgroup
  digits compare as decimal fractions: 19/421 lies between 19/42 and 19/44).

A field's rule, as the policy data writes it, is one or more terms joined by ``AND`` (every
term must be covered by one of the application's symbols); a term may offer alternatives
(``F41/F42``), and text in brackets or after ``--`` is a qualifier that a person must judge
(``B01D 59 (limited to uranium or plutonium)``), except ``(until IPC 2024.01)`` and ``(from IPC
2025.01 ...)``, which bound the IPC versions the term applies to.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from econsec.errors import DataError, InvalidInput

_SYMBOL = re.compile(
    r"^(?P<section>[A-H])(?:(?P<cls>\d{2})(?:(?P<subclass>[A-Z])"
    r"(?:(?P<group>\d{1,4})(?:/(?P<sub>\d{1,6}))?)?)?)?$"
)


@dataclass(frozen=True, slots=True, order=True)
class Symbol:
    """An IPC symbol at any level; ``subgroup`` keeps its digits as written (``"0352"``)."""

    section: str
    cls: str = ""
    subclass: str = ""
    group: int | None = None
    subgroup: str | None = None

    @classmethod
    def parse(cls, text: str) -> Symbol:
        """``"B63C 7/26"``, ``"B63C7/26"``, ``"F41"``, ``"B01D 59"``...; InvalidInput if not."""
        compact = re.sub(r"\s+", "", text.upper())
        match = _SYMBOL.match(compact)
        if match is None:
            raise InvalidInput(f"not an IPC symbol: {text!r}; expected e.g. 'B63C 7/26'")
        sub = match["sub"]
        subgroup = None if sub is None or set(sub) == {"0"} else sub  # "/00": the main group
        if sub is not None and len(sub) < 2:
            raise InvalidInput(f"not an IPC symbol: {text!r}; a subgroup has two digits or more")
        return cls(
            match["section"],
            match["cls"] or "",
            match["subclass"] or "",
            int(match["group"]) if match["group"] else None,
            subgroup,
        )

    @property
    def level(self) -> str:
        """section, class, subclass, main_group or subgroup."""
        if self.subgroup is not None:
            return "subgroup"
        if self.group is not None:
            return "main_group"
        return "subclass" if self.subclass else "class" if self.cls else "section"

    def fraction(self) -> float:
        """The subgroup's place within its main group (``26`` -> 0.26, ``0352`` -> 0.0352)."""
        return float("0." + (self.subgroup or "0"))

    def __str__(self) -> str:
        head = f"{self.section}{self.cls}{self.subclass}"
        if self.group is None:
            return head
        digits = self.subgroup if self.subgroup is not None else "00"
        return f"{head} {self.group}/{digits.ljust(2, '0')}"


@dataclass(frozen=True, slots=True)
class Scheme:
    """The subgroup hierarchy of the IPC scheme: for each listed subgroup, the subgroups
    indented under it (read from ``ipc_scheme.csv``: symbol, level, depth, ...)."""

    below: dict[Symbol, frozenset[Symbol]] = field(default_factory=dict)
    known: frozenset[Symbol] = frozenset()
    titles: dict[Symbol, str] = field(default_factory=dict)  # every level, as the scheme has

    def title(self, symbol: Symbol) -> str | None:
        """The English title of ``symbol``, or of the nearest level above it that has one
        (marked "in ..." then: the shipped scheme is the 2006 core level)."""
        if symbol in self.titles:
            return self.titles[symbol]
        group = Symbol(symbol.section, symbol.cls, symbol.subclass, symbol.group)
        for above in (group, Symbol(symbol.section, symbol.cls, symbol.subclass)):
            if above != symbol and above in self.titles:
                return f"in {above}: {self.titles[above]}"
        return None

    @classmethod
    def read(cls, path: Path) -> Scheme:
        """Read the scheme from its CSV file (rows of each main group in order, with their
        depth); DataError naming the file, line and field."""
        rows: list[tuple[Symbol, int]] = []
        titles: dict[Symbol, str] = {}
        try:
            with path.open(newline="", encoding="utf-8") as fh:
                for line, record in enumerate(csv.DictReader(fh), start=2):
                    try:
                        symbol = Symbol.parse(record["symbol"])
                        if record.get("level") in ("main_group", "subgroup"):
                            rows.append((symbol, int(record["depth"])))
                    except (InvalidInput, ValueError, KeyError) as exc:
                        raise DataError(str(exc), path=path, line=line, field="symbol") from None
                    if record.get("title"):
                        titles[symbol] = record["title"]
        except OSError as exc:
            raise DataError(f"cannot read: {exc.strerror}", path=path) from None
        return cls.of(rows, titles)

    @classmethod
    def loaded(cls, catalogue: Any) -> Scheme:
        """The scheme of the loaded ``ipc`` dataset (``econsec data load ipc ipc_scheme.csv``),
        in the IPC's order (within a main group, subgroups by their decimal fraction)."""
        relation = catalogue.relation("ipc")
        with catalogue.store.reader() as con:
            found = con.execute(f'SELECT symbol, level, depth, title FROM "{relation}"').fetchall()
        rows = [
            (Symbol.parse(symbol), int(depth))
            for symbol, level, depth, _ in found
            if level in ("main_group", "subgroup")
        ]
        rows.sort(key=lambda row: (_group_of(row[0]), row[0].fraction()))
        titles = {Symbol.parse(symbol): title for symbol, _, _, title in found if title}
        return cls.of(rows, titles)

    @classmethod
    def of(
        cls, rows: Iterable[tuple[Symbol, int]], titles: dict[Symbol, str] | None = None
    ) -> Scheme:
        """The tree of main groups and subgroups given in the scheme's order with their depth."""
        below: dict[Symbol, set[Symbol]] = {}
        known: set[Symbol] = set()
        open_: list[tuple[Symbol, int]] = []  # the chain of parents of the current row
        for symbol, depth in rows:
            known.add(symbol)
            group = _group_of(symbol)
            while open_ and (open_[-1][1] >= depth or _group_of(open_[-1][0]) != group):
                open_.pop()
            for parent, _ in open_:
                if parent.subgroup is not None:
                    below.setdefault(parent, set()).add(symbol)
            open_.append((symbol, depth))
        tree = {k: frozenset(v) for k, v in below.items()}
        return cls(tree, frozenset(known), dict(titles or {}))


def _group_of(symbol: Symbol) -> tuple[str, str, str, int | None]:
    return (symbol.section, symbol.cls, symbol.subclass, symbol.group)


@dataclass(frozen=True, slots=True)
class Covered:
    """How a rule symbol covers an application's symbol."""

    symbol: Symbol
    inferred: bool  # below a subgroup by its digits, not by the scheme


def covers(rule: Symbol, code: Symbol, scheme: Scheme | None = None) -> Covered | None:
    """Whether ``rule`` covers ``code`` (at or below it), and how; None if not."""
    if rule.section != code.section:
        return None
    for part in ("cls", "subclass"):
        wanted = getattr(rule, part)
        if wanted and wanted != getattr(code, part):
            return None
    if rule.group is None:
        return Covered(code, False)
    if rule.group != code.group:
        return None
    if rule.subgroup is None or rule.subgroup == code.subgroup:
        return Covered(code, False)
    if code.subgroup is None:
        return None
    if scheme is not None and rule in scheme.known:
        return Covered(code, False) if code in scheme.below.get(rule, ()) else None
    if code.subgroup.startswith(rule.subgroup):
        return Covered(code, True)
    return None


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a rule: any of ``symbols`` (or a subgroup range ``low``-``high``), with a
    qualifier to judge and the IPC versions it applies to."""

    symbols: tuple[Symbol, ...]
    low: Symbol | None = None
    high: Symbol | None = None
    qualifier: str | None = None
    from_version: str | None = None  # "2025.01": applies from this IPC version on
    until_version: str | None = None  # "2024.01": applies up to this IPC version

    def match(self, codes: Iterable[Symbol], scheme: Scheme | None) -> Covered | None:
        for code in codes:
            if self.low is not None and self.high is not None:
                within = self.low.fraction() <= code.fraction() <= self.high.fraction()
                if _group_of(self.low) == _group_of(code) and within:
                    return Covered(code, False)
                continue
            for symbol in self.symbols:
                found = covers(symbol, code, scheme)
                if found is not None:
                    return found
        return None

    def applies(self, version: str) -> bool:
        """Whether the term is in force under IPC ``version`` (``"2025.01"``)."""
        if self.from_version is not None and version < self.from_version:
            return False
        return not (self.until_version is not None and version > self.until_version)


@dataclass(frozen=True, slots=True)
class Rule:
    """A field's rule as written (``text``): terms that must all be covered."""

    text: str
    terms: tuple[Term, ...]

    @property
    def qualifiers(self) -> list[str]:
        return [t.qualifier for t in self.terms if t.qualifier]


_VERSION = re.compile(r"\b(until|from)\s+IPC\s+(\d{4}\.\d{2})", re.IGNORECASE)
_RANGE = re.compile(r"^(?P<head>[A-H]\d{2}[A-Z])\s*(?P<a>\d+/\d+)\s*-\s*(?P<b>\d+/\d+)$")


def parse_rule(text: str) -> Rule:
    """A rule as the policy data writes it: ``"B63C 7/26 AND F41 (draft Art.12 item 4)"``,
    ``"B64U (UAV) AND F41/F42 (weapons)"``, ``"G21C 19/42-19/48"``; InvalidInput naming the
    part that is not a symbol."""
    terms = []
    for part in re.split(r"\s+AND\s+", text.strip()):
        notes = [n.strip() for n in re.findall(r"\(([^)]*)\)", part)]
        code, _, trailing = re.sub(r"\([^)]*\)", " ", part).partition("--")
        if trailing.strip():
            notes.append(trailing.strip())
        from_version = until_version = None
        qualifiers = []
        for note in notes:
            version = _VERSION.search(note)
            if version is not None:
                if version.group(1).lower() == "from":
                    from_version = version.group(2)
                else:
                    until_version = version.group(2)
                note = (note[: version.start()] + note[version.end() :]).strip(" ;,")
            if note and not re.match(r"(?i)^draft Art", note):  # a source, not a qualifier
                qualifiers.append(note)
        code = code.strip()
        ranged = _RANGE.match(code)
        low: Symbol | None
        high: Symbol | None
        if ranged is not None:
            low = Symbol.parse(f"{ranged['head']} {ranged['a']}")
            high = Symbol.parse(f"{ranged['head']} {ranged['b']}")
            if low.group != high.group:
                raise InvalidInput(f"a range within one main group, not {code!r}")
            symbols: tuple[Symbol, ...] = (low,)
        else:
            low = high = None
            classes = re.fullmatch(r"[A-H]\d{2}(/[A-H]\d{2})+", code)  # F41/F42: either class
            alternatives = code.split("/") if classes else [code]
            symbols = tuple(Symbol.parse(a) for a in alternatives)
        terms.append(
            Term(
                symbols,
                low,
                high,
                "; ".join(qualifiers) or None,
                from_version,
                until_version,
            )
        )
    return Rule(text, tuple(terms))


def ipc_version(filed: date) -> str:
    """The IPC version in force on ``filed`` (versions start on 1 January: 2025.01 from
    2025-01-01)."""
    return f"{filed.year}.01"


def symbols(texts: Iterable[str]) -> Iterator[Symbol]:
    """Parse each symbol (InvalidInput for the first that is not one)."""
    for text in texts:
        yield Symbol.parse(text)
