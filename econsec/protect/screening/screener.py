"""Screen parties against listed entries: the matcher's Python API.

    screener = Screener(entries)                       # builds the in-process index
    results = screener.screen(Query(("Rosneft",), "Company"))
    compare("ロステック", "Rostec", schema="Company")   # two names, no lists needed

:meth:`Screener.screen_many` scores a stream of queries in worker processes (forked, so the index
is shared, not copied) and yields the results in input order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from econsec.errors import NotFound
from econsec.protect.screening.algorithms import Algorithm, Candidate, QueryForms, get_algorithm
from econsec.protect.screening.index import Item, NameIndex
from econsec.protect.screening.model import Entry, Query, Result, identifier_keys
from econsec.protect.screening.normalise import Form, forms
from econsec.protect.screening.weights import token_weights

#: Readings scored in full per query (the index ranks them first).
CANDIDATES = 50


def query_forms(query: Query) -> QueryForms:
    """The query's readings, as a person's names (False) and as an organisation's (True). A
    name with a legal form (Co., Ltd., 株式会社...) is an organisation's: it gets no person
    reading unless the query says Person."""
    out: dict[bool, list[tuple[str, Form]]] = {False: [], True: []}
    for name in query.names:
        as_org = forms(name, True)
        if query.is_person:
            out[False].extend((name, form) for form in forms(name, False))
            continue
        out[True].extend((name, form) for form in as_org)
        if not any(form.legal for form in as_org):
            out[False].extend((name, form) for form in forms(name, False))
    if query.is_person:
        out[True] = out[False]
    return out


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two names compared: the score, the verdict and the features."""

    score: float
    match: bool
    features: dict[str, float]
    explanation: dict[str, object]

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``econsec protect compare``."""
        return {
            "score": round(self.score, 4),
            "match": self.match,
            "features": self.features,
            "explanation": self.explanation,
        }


class Screener:
    """Listed entries and their name index."""

    def __init__(self, entries: Sequence[Entry], weights: dict[str, float] | None = None) -> None:
        self.entries = list(entries)
        self.weights = token_weights() if weights is None else weights
        items: list[Item] = []
        for number, entry in enumerate(self.entries):
            org = not entry.is_person
            for names, weak in ((entry.names, False), (entry.weak_names, True)):
                for name in names:
                    items.extend(Item(number, name, form, weak) for form in forms(name, org))
        self.index = NameIndex(items, self.weights)
        self._lists = frozenset(e.list_name for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def lists(self) -> frozenset[str]:
        """The names of the lists screened."""
        return self._lists

    def screen(
        self,
        query: Query,
        *,
        algorithm: str | None = None,
        threshold: float | None = None,
        limit: int = 5,
        lists: Iterable[str] | None = None,
        matches_only: bool = False,
    ) -> list[Result]:
        """The ``limit`` best-scoring entries for ``query`` (all of them if ``matches_only``
        is false, else only those at or above the threshold), best first."""
        algo = get_algorithm(algorithm)
        cutoff = algo.check_threshold(threshold)
        wanted = set(lists) if lists is not None else None
        if wanted is not None and not wanted <= self.lists:
            unknown = ", ".join(sorted(wanted - self.lists))
            loaded = ", ".join(sorted(self.lists)) or "none"
            raise NotFound(f"unknown list {unknown} (loaded: {loaded})")
        qforms = query_forms(query)
        all_forms = [f for _name, f in qforms[False]] + [f for _name, f in qforms[True]]
        per_entry: dict[int, list[Candidate]] = {}
        pool = CANDIDATES * (3 if wanted is not None else 1)
        for item_id in self.index.candidates(all_forms, pool):
            item = self.index.items[item_id]
            if wanted is not None and self.entries[item.entry].list_name not in wanted:
                continue
            per_entry.setdefault(item.entry, []).append((item.name, item.form, item.weak))
        results = [
            self._result(algo, cutoff, query, qforms, self.entries[n], c)
            for n, c in per_entry.items()
        ]
        if matches_only:
            results = [r for r in results if r.match]
        results.sort(key=lambda r: (-r.score, r.entry.id))
        return results[:limit]

    def _result(
        self,
        algo: Algorithm,
        cutoff: float,
        query: Query,
        qforms: QueryForms,
        entry: Entry,
        candidates: Sequence[Candidate],
    ) -> Result:
        scored = algo.score(algo, query, qforms, entry, candidates, self.weights)
        return Result(
            entry, scored.score, scored.score >= cutoff, scored.features, scored.explanation
        )

    def screen_many(
        self,
        queries: Iterable[Query],
        *,
        workers: int | None = None,
        chunk: int = 256,
        progress: Callable[[int], None] | None = None,
        **options: object,
    ) -> Iterator[list[Result]]:
        """Screen a stream of queries (in input order). ``workers`` > 1 forks that many
        processes; the stream is read in chunks, so huge batches run in constant memory."""
        workers = workers or min(2, os.cpu_count() or 1)
        iterator = iter(queries)
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for query in iterator:
                yield self.screen(query, **options)  # type: ignore[arg-type]
                if progress:
                    progress(1)
            return
        global _SHARED
        _SHARED = (self, options)  # inherited by the forked workers
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                while batch := list(islice(iterator, chunk * workers)):
                    yield from pool.imap(_screen_shared, batch, chunksize=max(1, chunk // 4))
                    if progress:
                        progress(len(batch))
        finally:
            _SHARED = None


_SHARED: tuple[Screener, dict[str, object]] | None = None


def _screen_shared(query: Query) -> list[Result]:
    assert _SHARED is not None
    screener, options = _SHARED
    return screener.screen(query, **options)  # type: ignore[arg-type]


def compare(
    name1: str,
    name2: str,
    *,
    schema: str = "Thing",
    algorithm: str | None = None,
    threshold: float | None = None,
) -> Comparison:
    """Whether two names denote the same party (the second is treated as the listed one)."""
    algo = get_algorithm(algorithm)
    cutoff = algo.check_threshold(threshold)
    query = Query((name1,), schema)
    other = Query((name2,), schema)  # validates name2 the same way
    entry = Entry(
        id="compare",
        schema=schema if schema != "Thing" else "LegalEntity",
        caption=name2,
        list_name="",
        version="",
        source_id="",
        names=other.names,
    )
    qforms = query_forms(query)
    org = not entry.is_person
    candidates: list[Candidate] = [(name2, f, False) for f in forms(name2, org)]
    scored = algo.score(algo, query, qforms, entry, candidates, token_weights())
    return Comparison(
        scored.score, scored.score >= cutoff, scored.features, scored.explanation.as_dict()
    )


def compare_entities(
    schema: str,
    query: dict[str, Any],
    candidate: dict[str, Any],
    *,
    algorithm: str | None = None,
    threshold: float | None = None,
) -> Comparison:
    """Whether two parties given as FollowTheMoney properties are the same (the second is
    treated as the listed one): names, birth dates, countries and identifiers all count."""
    algo = get_algorithm(algorithm)
    cutoff = algo.check_threshold(threshold)
    q = Query.from_properties(schema, query)
    c = Query.from_properties(schema, candidate)
    entry = Entry(
        id="compare",
        schema=schema if schema != "Thing" else "LegalEntity",
        caption=c.names[0],
        list_name="",
        version="",
        source_id="",
        names=c.names,
        countries=frozenset(c.countries),
        birth_dates=c.birth_dates,
        identifiers=identifier_keys(c.identifiers),
    )
    org = not entry.is_person
    candidates: list[Candidate] = [(n, f, False) for n in c.names for f in forms(n, org)]
    scored = algo.score(algo, q, query_forms(q), entry, candidates, token_weights())
    return Comparison(
        scored.score, scored.score >= cutoff, scored.features, scored.explanation.as_dict()
    )
