"""Scoring algorithms, registered by name with their documented defaults.

An algorithm turns (query, listed entry, the entry's candidate readings) into a score in [0, 1],
the features that made it, and an explanation. ``econsec-v1`` is the default; ``name-fuzzy`` is a
plain baseline (rapidfuzz token-sort ratio on the best pair of readings, no other evidence),
kept to show what the full algorithm adds.

``econsec-v1`` features (added to the name score, then clipped to [0, 1]):

========================  =======  ==================================================
feature                   default  when
========================  =======  ==================================================
``name``                  0..1     best token alignment of any query and listed reading
``weak_alias``            -0.05    the best name is a weak alias (OFAC "weak a.k.a.")
``schema_mismatch``       -0.5     e.g. a Person query against a Vessel
``country_mismatch``      -0.1     both sides give countries and none is shared
``dob_match``             +0.05    a birth date agrees (to the precision both give)
``dob_day_mismatch``      -0.1     same year, different month or day
``dob_year_near``         -0.1     birth years one apart (lists often estimate the year)
``dob_year_mismatch``     -0.2     birth years further apart
``identifier_match``      +0.3     a registration, IMO, passport or tax number is shared
``number_mismatch``       -0.3     the names carry different numbers ('Fund I', 'Bong 5')
``legal_form_mismatch``   -0.15    legal forms of different kinds (AG / GmbH; see
                                   ``LEGAL_GROUPS``)
========================  =======  ==================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from followthemoney import model
from rapidfuzz import fuzz

from econsec.errors import InvalidInput
from econsec.protect.screening.model import Entry, Explanation, Query, identifier_keys
from econsec.protect.screening.normalise import Form
from econsec.protect.screening.similarity import Alignment, align, comparable

#: Legal form codes (normalise.LEGAL_FORMS) by kind; forms of one kind are interchangeable
#: (a Russian AO is a Japanese 株式会社 in METI's translation).
LEGAL_GROUPS: dict[str, str] = {
    **dict.fromkeys(("jsc", "kk", "ag", "sa", "plc", "spa", "nv", "ab", "oy", "se"), "stock"),
    **dict.fromkeys(
        ("ltd", "llc", "gmbh", "yk", "gk", "sarl", "srl", "sl", "bv", "sdn", "bhd", "llp"),
        "limited",
    ),
    "spzoo": "limited",
    "tbk": "stock",
    "ano": "non-profit",
    **dict.fromkeys(("fzco", "fze", "fzc"), "free-zone"),
    **dict.fromkeys(("fsue", "sue"), "unitary"),
}
QueryForms = Mapping[bool, Sequence[tuple[str, Form]]]  # org flag -> (name, reading)
Candidate = tuple[str, Form, bool]  # (listed name, reading, weak)


@dataclass(frozen=True, slots=True)
class Scored:
    """An algorithm's verdict on one entry."""

    score: float
    features: dict[str, float]
    explanation: Explanation


Scorer = Callable[
    ["Algorithm", Query, QueryForms, Entry, Sequence[Candidate], dict[str, float]], Scored
]


@dataclass(frozen=True, slots=True)
class Algorithm:
    """A registered scoring algorithm and its defaults."""

    name: str
    description: str
    threshold: float
    score: Scorer
    weights: dict[str, float] = field(default_factory=dict)

    def check_threshold(self, threshold: float | None) -> float:
        """The threshold to use: the given one (validated) or the default."""
        if threshold is None:
            return self.threshold
        if not 0.0 < threshold <= 1.0:
            raise InvalidInput(f"threshold must be in (0, 1], got {threshold}")
        return threshold


def schemata_compatible(query_schema: str, entry_schema: str) -> bool:
    """Whether a query of one schema can denote an entity of the other (either may be broader)."""
    q, e = model.get(query_schema), model.get(entry_schema)
    if q is None or e is None:
        return True
    return q.is_a(e) or e.is_a(q)


def _date_feature(query: Sequence[str], listed: Sequence[str]) -> str | None:
    if not query or not listed:
        return None
    for q in query:
        for e in listed:
            if q.startswith(e) or e.startswith(q):
                return "dob_match"
    query_years = {int(d[:4]) for d in query}
    listed_years = {int(d[:4]) for d in listed}
    if query_years & listed_years:
        return "dob_day_mismatch"
    if any(abs(q - e) <= 1 for q in query_years for e in listed_years):
        return "dob_year_near"
    return "dob_year_mismatch"


def _best_alignment(
    query_forms: QueryForms,
    entry: Entry,
    candidates: Sequence[Candidate],
    weights: dict[str, float],
    person: bool,
) -> tuple[Alignment, str, str, Form, Form, bool] | None:
    best: tuple[Alignment, str, str, Form, Form, bool] | None = None
    own = query_forms[not entry.is_person]
    for listed_name, listed_form, weak in candidates:
        for query_name, query_form in own:
            if not comparable(query_form.script, listed_form.script):
                continue
            alignment = align(query_form, listed_form, weights, person=person)
            score = alignment.score - (0.05 if weak else 0.0)
            if best is None or score > best[0].score - (0.05 if best[5] else 0.0):
                best = (alignment, query_name, listed_name, query_form, listed_form, weak)
    return best


def _explanation(
    alignment: Alignment, query_name: str, listed_name: str, q: Form, c: Form
) -> Explanation:
    return Explanation(
        query_name=query_name,
        matched_name=listed_name,
        query_form=q.text,
        matched_form=c.text,
        method=alignment.method
        if q.script == c.script
        else f"{alignment.method} ({q.script}>{c.script})",
        pairs=alignment.pairs,
        unmatched_query=alignment.unmatched_query,
        unmatched_candidate=alignment.unmatched_candidate,
    )


def _econsec_v1(
    algorithm: Algorithm,
    query: Query,
    query_forms: QueryForms,
    entry: Entry,
    candidates: Sequence[Candidate],
    weights: dict[str, float],
) -> Scored:
    person = query.is_person or entry.is_person
    best = _best_alignment(query_forms, entry, candidates, weights, person)
    if best is None:
        empty = Explanation("", "", "", "", "none", (), (), ())
        return Scored(0.0, {"name": 0.0}, empty)
    alignment, query_name, listed_name, q_form, c_form, weak = best
    w = algorithm.weights
    features: dict[str, float] = {"name": round(alignment.score, 4)}
    if weak:
        features["weak_alias"] = w["weak_alias"]
    q_numbers = sorted(t for t in q_form.tokens if t.isdigit())
    c_numbers = sorted(t for t in c_form.tokens if t.isdigit())
    if q_numbers != c_numbers:
        features["number_mismatch"] = w["number_mismatch"]
    q_legal, c_legal = LEGAL_GROUPS.get(q_form.legal), LEGAL_GROUPS.get(c_form.legal)
    if q_legal and c_legal and q_legal != c_legal:
        features["legal_form_mismatch"] = w["legal_form_mismatch"]
    if not schemata_compatible(query.schema, entry.schema):
        features["schema_mismatch"] = w["schema_mismatch"]
    if query.countries and entry.countries and not set(query.countries) & entry.countries:
        features["country_mismatch"] = w["country_mismatch"]
    date = _date_feature(query.birth_dates, entry.birth_dates)
    if date is not None:
        features[date] = w[date]
    if query.identifiers and identifier_keys(query.identifiers) & entry.identifiers:
        features["identifier_match"] = w["identifier_match"]
    score = max(0.0, min(1.0, sum(features.values())))
    return Scored(score, features, _explanation(alignment, query_name, listed_name, q_form, c_form))


def _name_fuzzy(
    algorithm: Algorithm,
    query: Query,
    query_forms: QueryForms,
    entry: Entry,
    candidates: Sequence[Candidate],
    weights: dict[str, float],
) -> Scored:
    best: tuple[float, str, str, Form, Form] | None = None
    for listed_name, listed_form, _weak in candidates:
        for query_name, query_form in query_forms[not entry.is_person]:
            ratio = fuzz.token_sort_ratio(query_form.text, listed_form.text) / 100.0
            if best is None or ratio > best[0]:
                best = (ratio, query_name, listed_name, query_form, listed_form)
    if best is None:
        return Scored(0.0, {"name": 0.0}, Explanation("", "", "", "", "none", (), (), ()))
    ratio, query_name, listed_name, q, c = best
    explanation = Explanation(
        query_name, listed_name, q.text, c.text, "token-sort-ratio", (), (), ()
    )
    return Scored(ratio, {"name": round(ratio, 4)}, explanation)


ECONSEC_V1 = Algorithm(
    name="econsec-v1",
    description=(
        "Weighted token alignment over every Latin reading of both names (transliteration, "
        "Japanese readings, legal forms, initials, phonetics, glued spellings), then schema, "
        "country, birth date and identifier evidence."
    ),
    threshold=0.8,
    score=_econsec_v1,
    weights={
        "weak_alias": -0.05,
        "schema_mismatch": -0.5,
        "country_mismatch": -0.1,
        "dob_match": 0.05,
        "dob_day_mismatch": -0.1,
        "dob_year_near": -0.1,
        "dob_year_mismatch": -0.2,
        "identifier_match": 0.3,
        "number_mismatch": -0.3,
        "legal_form_mismatch": -0.15,
    },
)
NAME_FUZZY = Algorithm(
    name="name-fuzzy",
    description="Baseline: rapidfuzz token-sort ratio of the best pair of readings; names only.",
    threshold=0.9,
    score=_name_fuzzy,
)
ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in (ECONSEC_V1, NAME_FUZZY)}
DEFAULT_ALGORITHM = ECONSEC_V1.name


def get_algorithm(name: str | None) -> Algorithm:
    """A registered algorithm by name (the default for ``None``)."""
    algorithm = ALGORITHMS.get(name or DEFAULT_ALGORITHM)
    if algorithm is None:
        known = ", ".join(sorted(ALGORITHMS))
        raise InvalidInput(f"unknown algorithm {name!r} (known: {known})")
    return algorithm
