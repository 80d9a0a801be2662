"""What is screened and what a screening returns.

A :class:`Query` is a party to check (names, schema, countries, birth dates, identifiers). An
:class:`Entry` is one listed entity as the matcher sees it, built from its FollowTheMoney entity
plus its list, list version and source record id. A :class:`Result` is one entry scored against
one query, with every contribution to the score spelled out (:class:`Explanation`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model, registry
from followthemoney.proxy import EntityProxy

from econsec.errors import InvalidInput

#: Name properties read as full names (weakAlias is read too, at a discount).
NAME_PROPS = ("name", "alias", "previousName", "abbreviation")
WEAK_PROPS = ("weakAlias",)
#: Person name parts joined into a name when an entity or query gives no full name.
PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
DATE_PROPS = ("birthDate", "incorporationDate", "buildDate")
#: Identifier properties that are not the party's own number.
NOT_IDENTIFIERS = frozenset({"programId", "wikidataId"})
MAX_NAME_LENGTH = 300
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_ID_CHARS = re.compile(r"[^0-9A-Z]")


def identifier_key(value: str) -> str:
    """An identifier compared without spaces, dashes or case ('IMO 9187629' -> 'IMO9187629',
    and the bare number '9187629' is also produced by :func:`identifier_keys`)."""
    return _ID_CHARS.sub("", value.upper())


def identifier_keys(values: Iterable[str]) -> frozenset[str]:
    """Comparable identifier keys: each value, and its digits alone when it has a prefix."""
    keys: set[str] = set()
    for value in values:
        key = identifier_key(value)
        if len(key) >= 4:
            keys.add(key)
            digits = re.sub(r"^[A-Z]+", "", key)
            if len(digits) >= 6 and digits != key:
                keys.add(digits)
    return frozenset(keys)


def _clean_date(value: str) -> str:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD ('1969-7-6' -> '1969-07-06')."""
    found = _DATE.match(value.strip())
    if found is None:
        raise InvalidInput(f"birth date must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year, month, day = found.groups()
    parts = [year] + [f"{int(p):02d}" for p in (month, day) if p]
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        raise InvalidInput(f"birth date out of range: {value!r}")
    return "-".join(parts)


def _names_from_parts(props: Mapping[str, Sequence[str]]) -> list[str]:
    parts = [props[p][0] for p in PART_PROPS if props.get(p)]
    return [" ".join(parts)] if parts else []


@dataclass(frozen=True, slots=True)
class Query:
    """A party to screen. ``schema`` is a FollowTheMoney schema name ('Thing' matches any)."""

    names: tuple[str, ...]
    schema: str = "Thing"
    countries: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if model.get(self.schema) is None:
            raise InvalidInput(
                f"unknown schema {self.schema!r} (try Person, Organization, Company, Vessel)"
            )
        names = tuple(n.strip() for n in self.names if n and n.strip())
        if not names:
            raise InvalidInput("a query needs a name")
        for name in names:
            if len(name) > MAX_NAME_LENGTH:
                raise InvalidInput(
                    f"name longer than {MAX_NAME_LENGTH} characters: {name[:40]!r}..."
                )
            if not any(c.isalnum() for c in name):
                raise InvalidInput(f"name has no letters or digits: {name!r}")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "birth_dates", tuple(_clean_date(d) for d in self.birth_dates))
        countries = []
        for country in self.countries:
            code = registry.country.clean(country)
            if code is None:
                raise InvalidInput(f"unknown country {country!r} (use an ISO code such as 'ru')")
            countries.append(code)
        object.__setattr__(self, "countries", tuple(countries))

    @classmethod
    def from_properties(cls, schema: str, properties: Mapping[str, Any]) -> Query:
        """A query in FollowTheMoney / yente shape: ``{"name": [...], "birthDate": [...]}``."""
        schema_obj = model.get(schema)
        if schema_obj is None:
            raise InvalidInput(f"unknown schema {schema!r}")
        props: dict[str, list[str]] = {}
        for key, value in properties.items():
            values = value if isinstance(value, list) else [value]
            props[key] = [str(v) for v in values if v is not None and str(v).strip()]
        names = [v for p in (*NAME_PROPS, *WEAK_PROPS) for v in props.get(p, [])]
        names += _names_from_parts(props)
        countries = [
            v
            for p in ("country", "nationality", "citizenship", "jurisdiction", "flag")
            for v in props.get(p, [])
        ]
        dates = [v for p in DATE_PROPS for v in props.get(p, [])]
        ids = [
            v
            for p, prop in schema_obj.properties.items()
            if prop.type == registry.identifier and p not in NOT_IDENTIFIERS
            for v in props.get(p, [])
        ]
        return cls(tuple(names), schema, tuple(countries), tuple(dates), tuple(ids))

    @property
    def is_person(self) -> bool:
        """Whether names should be read as a person's (initials; no legal forms)."""
        return self.schema == "Person"


@dataclass(slots=True)
class Entry:
    """One listed entity as the matcher sees it."""

    id: str
    schema: str
    caption: str
    list_name: str
    version: str
    source_id: str
    names: tuple[str, ...]
    weak_names: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    birth_dates: tuple[str, ...] = ()
    identifiers: frozenset[str] = frozenset()
    properties: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_entity(
        cls, entity: EntityProxy, *, list_name: str, version: str, source_id: str
    ) -> Entry:
        """An entry from a FollowTheMoney entity and its list metadata."""
        props = {p: list(vs) for p, vs in entity.to_dict()["properties"].items()}
        names = [v for p in NAME_PROPS for v in props.get(p, [])]
        if not names:
            names = _names_from_parts(props)
        weak = [v for p in WEAK_PROPS for v in props.get(p, [])]
        ids = [
            v
            for prop, v in entity.itervalues()
            if prop.type == registry.identifier and prop.name not in NOT_IDENTIFIERS
        ]
        return cls(
            id=str(entity.id),
            schema=entity.schema.name,
            caption=entity.caption,
            list_name=list_name,
            version=version,
            source_id=source_id,
            names=tuple(dict.fromkeys(names)),
            weak_names=tuple(dict.fromkeys(w for w in weak if w not in names)),
            countries=frozenset(entity.get_type_values(registry.country)),
            birth_dates=tuple(v for p in DATE_PROPS for v in props.get(p, [])),
            identifiers=identifier_keys(ids),
            properties=props,
        )

    @property
    def is_person(self) -> bool:
        """Whether the entry is a person."""
        return self.schema == "Person"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a result scored what it did: the best name pair and each feature's contribution."""

    query_name: str
    matched_name: str
    query_form: str
    matched_form: str
    method: str
    pairs: tuple[tuple[str, str, float], ...]
    unmatched_query: tuple[str, ...]
    unmatched_candidate: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "query_name": self.query_name,
            "matched_name": self.matched_name,
            "query_form": self.query_form,
            "matched_form": self.matched_form,
            "method": self.method,
            "token_pairs": [list(p) for p in self.pairs],
            "unmatched_query_tokens": list(self.unmatched_query),
            "unmatched_listed_tokens": list(self.unmatched_candidate),
        }


@dataclass(frozen=True, slots=True)
class Result:
    """One entry scored against one query."""

    entry: Entry
    score: float
    match: bool
    features: dict[str, float]
    explanation: Explanation

    def as_dict(self) -> dict[str, Any]:
        """The result as the CLI's JSON shows it."""
        return {
            "entity_id": self.entry.id,
            "list": self.entry.list_name,
            "list_version": self.entry.version,
            "source_id": self.entry.source_id,
            "schema": self.entry.schema,
            "caption": self.entry.caption,
            "score": round(self.score, 4),
            "match": self.match,
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "explanation": self.explanation.as_dict(),
        }
