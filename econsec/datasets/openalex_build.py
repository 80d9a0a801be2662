"""Turning OpenAlex work objects into the rows of a :class:`WorkSet`: validation with field
paths, fractional credits of countries and institutions, labels (the rules are in
:mod:`econsec.datasets.openalex`, whose :func:`~econsec.datasets.openalex.read_works` uses this).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pyarrow as pa

from econsec.datasets.openalex_tables import (
    _PREFIX,
    COUNTRIES,
    INSTITUTIONS,
    LABELS,
    WORKS,
    WorkSet,
    short_id,
)
from econsec.errors import DataError

Fail = Callable[..., NoReturn]
_COUNTRY = re.compile(r"[A-Z]{2}")
_CHUNK = 20_000  # works gathered as Python objects before they move into Arrow
_SCHEMAS = {"works": WORKS, "countries": COUNTRIES, "institutions": INSTITUTIONS, "labels": LABELS}


def _fast_id(value: Any, kind: str) -> str:
    """:func:`short_id` with a fast path for the usual ``https://openalex.org/X123`` form."""
    if type(value) is str and value.startswith(_PREFIX):
        text = value[21:]
        if text and text[0].isupper() and "/" not in text and " " not in text:
            return text
    return short_id(kind, value)


def _is_code(value: Any) -> bool:
    return (
        type(value) is str
        and len(value) == 2
        and value.isascii()
        and value.isalpha()
        and value.isupper()
    )


class Builder:
    """Accumulates the columns of the four tables, one work at a time.

    Field paths for error messages are only built when something is wrong: formatting them for
    every institution of every work would cost more than reading the work."""

    def __init__(self) -> None:
        self.cols: dict[str, dict[str, list[Any]]] = {
            table: {n: [] for n in schema.names} for table, schema in _SCHEMAS.items()
        }
        self.seen: set[str] = set()
        self.duplicates = 0
        self.where: tuple[Path, int | None, int | None] = (Path(), None, None)
        self.chunks: dict[str, list[pa.Table]] = {name: [] for name in self.cols}

    def fail(
        self, message: str, at: str | None, got: Any = None, expected: str | None = None
    ) -> NoReturn:
        path, line, row = self.where
        raise DataError(
            message,
            path=path,
            line=line,
            row=row,
            field=at,
            got=None if got is None else str(got)[:80],
            expected=expected,
        )

    def add(self, item: Any, path: Path, line: int | None, row: int | None) -> None:
        self.where = (path, line, row)
        fail = self.fail
        if not isinstance(item, dict):
            fail("a work is not a JSON object", None, type(item).__name__, "an OpenAlex work")
        try:
            work = _fast_id(item.get("id"), "work")
        except ValueError as exc:
            fail("missing or invalid work id", "id", item.get("id"), str(exc))
        year = item.get("publication_year")
        if type(year) is not int or not 1000 <= year <= 2100:
            fail("invalid publication year", "publication_year", year, "a year such as 2020")
        cited = item.get("cited_by_count")
        if cited is not None and (type(cited) is not int or cited < 0):
            fail("invalid citation count", "cited_by_count", cited, "a whole number >= 0 or null")
        if work in self.seen:
            self.duplicates += 1  # overlapping API pages or snapshot parts: count each work once
            return
        self.seen.add(work)
        w = self.cols["works"]
        if len(w["work_id"]) >= _CHUNK:
            self.flush()
        w["work_id"].append(work)
        w["year"].append(year)
        w["cited_by_count"].append(cited)
        self._authorships(work, _items(item, "authorships", fail))
        self._labels(work, item)

    def _place(self, inst: Any, i: int, j: int) -> tuple[str | None, str | None, str | None]:
        """(institution key, display name, country code) of one institution."""
        at = f"authorships[{i}].institutions[{j}]"
        if not isinstance(inst, dict):
            self.fail("an institution is not a JSON object", at)
        code = inst.get("country_code")
        if code is not None and not _is_code(code):
            code = _country(code, f"{at}.country_code", self.fail)
        name = inst.get("display_name")
        name = name if isinstance(name, str) else None
        raw = inst.get("id")
        if raw is not None:
            try:
                return _fast_id(raw, "institution"), name, code
            except ValueError as exc:
                self.fail("invalid institution id", f"{at}.id", raw, str(exc))
        key = name.strip() if name and name.strip() else None
        return key, name, code

    def _authorships(self, work: str, authorships: list[Any]) -> None:
        by_country: list[set[str]] = []
        by_institution: list[dict[str, tuple[str, str | None]]] = []
        for i, authorship in enumerate(authorships):
            if not isinstance(authorship, dict):
                self.fail("an authorship is not a JSON object", f"authorships[{i}]")
            places: dict[str, tuple[str, str | None]] = {}
            codes: set[str] = set()
            for j, inst in enumerate(_items(authorship, "institutions", self.fail, i)):
                # the common, well-formed case inline; anything else through _place's checks
                raw = inst.get("id") if type(inst) is dict else None
                code = inst.get("country_code") if raw is not None else None
                name = inst.get("display_name") if raw is not None else None
                if (
                    type(raw) is str
                    and raw.startswith(_PREFIX)
                    and type(name) is str
                    and (code is None or _is_code(code))
                    and raw[21:22].isupper()
                    and "/" not in raw[21:]
                ):
                    key: str | None = raw[21:]
                else:
                    key, name, code = self._place(inst, i, j)
                if key is not None:
                    places[key] = (name or key, code)
                if code is not None:
                    codes.add(code)
            if not codes:  # no institution has a country: OpenAlex's own per-author list
                for k, raw in enumerate(_items(authorship, "countries", self.fail, i)):
                    code = (
                        raw
                        if _is_code(raw)
                        else _country(raw, f"authorships[{i}].countries[{k}]", self.fail)
                    )
                    if code is not None:
                        codes.add(code)
            if codes:
                by_country.append(codes)
            if places:
                by_institution.append(places)
        c = self.cols["countries"]
        credit: dict[str, float] = {}
        for codes in by_country:
            share = 1.0 / (len(by_country) * len(codes))
            for code in codes:
                credit[code] = credit.get(code, 0.0) + share
        for code in sorted(credit):
            c["work_id"].append(work)
            c["country"].append(code)
            c["fractional"].append(credit[code])
        found: dict[str, list[Any]] = {}
        for places in by_institution:
            share = 1.0 / (len(by_institution) * len(places))
            for key, (name, code) in places.items():
                if key in found:
                    found[key][2] += share
                else:
                    found[key] = [name, code, share]
        cols = self.cols["institutions"]
        for key in sorted(found):
            name, code, share = found[key]
            cols["work_id"].append(work)
            cols["institution_id"].append(key)
            cols["institution"].append(name)
            cols["country"].append(code)
            cols["fractional"].append(share)

    def _labels(self, work: str, item: dict[str, Any]) -> None:
        found: dict[tuple[str, str], tuple[str | None, float | None]] = {}

        def put(kind: str, raw: Any, at: str, score: Any) -> None:
            if not isinstance(raw, dict) or raw.get("id") is None:
                return
            try:
                key = (kind, short_id(kind, raw["id"]))
            except ValueError as exc:
                self.fail(f"invalid {kind} id", f"{at}.id", raw["id"], str(exc))
            if score is not None and (
                isinstance(score, bool) or not isinstance(score, int | float)
            ):
                self.fail("invalid score", at + ".score", score, "a number")
            value = None if score is None else float(score)
            old = found.get(key)
            if old is None or (value is not None and (old[1] is None or value > old[1])):
                name = raw.get("display_name")
                found[key] = (name if isinstance(name, str) else None, value)

        for i, topic in enumerate(_items(item, "topics", self.fail)):
            score = topic.get("score") if isinstance(topic, dict) else None
            put("topic", topic, f"topics[{i}]", score)
            if isinstance(topic, dict):
                for level in ("subfield", "field", "domain"):
                    put(level, topic.get(level), f"topics[{i}].{level}", score)
        for i, concept in enumerate(_items(item, "concepts", self.fail)):
            score = concept.get("score") if isinstance(concept, dict) else None
            put("concept", concept, f"concepts[{i}]", score)
        cols = self.cols["labels"]
        for (kind, label), (name, score) in found.items():
            cols["work_id"].append(work)
            cols["kind"].append(kind)
            cols["label_id"].append(label)
            cols["name"].append(name)
            cols["score"].append(score)

    def flush(self) -> None:
        """Move the rows gathered so far into Arrow (far smaller than Python objects)."""
        for name, cols in self.cols.items():
            # from_pydict, not pa.table: the latter probes for a pandas DataFrame first
            self.chunks[name].append(pa.Table.from_pydict(cols, schema=_SCHEMAS[name]))
            for values in cols.values():
                values.clear()

    def build(self, files: tuple[str, ...]) -> WorkSet:
        self.flush()
        tables = {
            name: pa.concat_tables(parts).combine_chunks() for name, parts in self.chunks.items()
        }
        notes = []
        if self.duplicates:
            notes.append(f"{self.duplicates:,} repeated works (same id) were counted once")
        return WorkSet(**tables, files=files, notes=tuple(notes))


def _items(item: dict[str, Any], key: str, fail: Fail, authorship: int | None = None) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        at = key if authorship is None else f"authorships[{authorship}].{key}"
        fail(f"'{key}' is not a list", at, type(value).__name__)
    return value


def _country(value: Any, at: str, fail: Fail) -> str | None:
    if value is None or value == "":
        return None
    code = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(code, str) or not _COUNTRY.fullmatch(code):
        fail("invalid country code", at, value, "an ISO 3166-1 alpha-2 code such as JP")
    return str(code)
