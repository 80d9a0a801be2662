"""Evaluation of seeds-needs matching on SBIR awards and topics (recall@k and MRR).

Ground truth comes from the data, never from a matcher:

- ``award->award``: an award with a solicitation topic code (``solicit_topic_code``) asks for
  the *other* awards with the same agency and code, over the whole award corpus (itself left
  out). Codes shared by at most ``broad_over`` awards are *specific* topics (``N141-026``,
  ``A1.01``); larger groups are programme codes (NIH institutes such as ``NIAID``, NSF areas
  such as ``BM``) that name a field rather than a topic, reported apart. ``none`` and
  ``Non-DOD`` are not codes.
- ``topic->award (code)``: a topic text of the 2015 Air Force solicitation asks for the awards
  citing its ``topic_number``.
- ``topic->award (title)``: the closed-topic list has no codes, so a topic is linked to an
  award of the same agency whose title is the topic's name (RapidFuzz ``ratio`` >= 90 after
  lower-casing and stripping punctuation; award titles of at least 25 characters; award year
  from one year before to three years after the topic closed). Because the link is made on
  titles, the query is the topic *description only*; a second row adds the title.

Metrics per query, averaged over queries with at least one relevant award:
recall@k = |relevant in the top k| / |relevant|; reciprocal rank = 1 / rank of the first
relevant award within the top ``depth`` (0 beyond), whose mean is MRR@depth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from econsec.promote.matching import Matcher, ranking

Progress = Callable[[str, float], None]
NOT_CODES = frozenset({"none", "non-dod", "n/a"})


@dataclass(frozen=True, slots=True)
class Query:
    """One evaluation query: its text, the indices of the relevant seeds, seeds to skip."""

    name: str
    text: str
    relevant: frozenset[int]
    subset: str
    exclude: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Score:
    """recall@k and MRR of one method on one set of queries."""

    set: str
    subset: str
    method: str
    queries: int
    recall: float
    mrr: float
    k: int

    def to_dict(self) -> dict[str, Any]:
        """A flat row (``recall_at_k``, ``mrr``)."""
        return {
            "set": self.set,
            "subset": self.subset,
            "method": self.method,
            "queries": self.queries,
            f"recall_at_{self.k}": round(self.recall, 4),
            "mrr": round(self.mrr, 4),
        }


def award_queries(
    texts: Sequence[str],
    agencies: Sequence[str | None],
    codes: Sequence[str | None],
    *,
    broad_over: int = 10,
) -> list[Query]:
    """Each coded award against the other awards of its (agency, code)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (agency, code) in enumerate(zip(agencies, codes, strict=True)):
        if code and code.strip().lower() not in NOT_CODES:
            groups[(agency or "", code.strip())].append(i)
    out = []
    for (_, code), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        subset = "specific" if len(members) <= broad_over else "broad"
        for i in members:
            rest = frozenset(members) - {i}
            out.append(Query(f"{code}:{i}", texts[i], rest, subset, (i,)))
    return out


def code_topic_queries(
    numbers: Sequence[str], texts: Sequence[str], codes: Sequence[str | None]
) -> list[Query]:
    """Topics whose number an award cites, against those awards."""
    cited: dict[str, set[int]] = defaultdict(set)
    for i, code in enumerate(codes):
        if code:
            cited[code.strip()].add(i)
    return [
        Query(number, text, frozenset(cited[number]), "all")
        for number, text in zip(numbers, texts, strict=True)
        if number in cited
    ]


def title_topic_links(
    topic_names: Sequence[str],
    topic_agencies: Sequence[str | None],
    topic_years: Sequence[int | None],
    award_titles: Sequence[str],
    award_agencies: Sequence[str | None],
    award_years: Sequence[int | None],
    *,
    min_ratio: float = 90.0,
    min_title: int = 25,
) -> dict[int, set[int]]:
    """Topic index -> award indices linked by agency, year window and title (module doc)."""
    from rapidfuzz import fuzz, process, utils

    by_agency: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for j, (name, agency, year) in enumerate(
        zip(topic_names, topic_agencies, topic_years, strict=True)
    ):
        if name and agency and year:
            by_agency[agency].append((j, year, utils.default_process(name)))
    links: dict[int, set[int]] = defaultdict(set)
    for i, (title, agency, year) in enumerate(
        zip(award_titles, award_agencies, award_years, strict=True)
    ):
        if not agency or not year or len(title) < min_title:
            continue
        candidates = [c for c in by_agency.get(agency, ()) if c[1] - 1 <= year <= c[1] + 3]
        if not candidates:
            continue
        best = process.extractOne(
            utils.default_process(title),
            [c[2] for c in candidates],
            scorer=fuzz.ratio,
            score_cutoff=min_ratio,
        )
        if best is not None:
            links[candidates[best[2]][0]].add(i)
    return dict(links)


def evaluate(
    matcher: Matcher,
    sets: Mapping[str, Sequence[Query]],
    *,
    baseline: Matcher | None = None,
    k: int = 10,
    depth: int = 100,
    progress: Progress | None = None,
) -> list[Score]:
    """recall@k and MRR@depth of bm25, semantic and hybrid (and ``baseline``'s BM25 as
    ``plain-bm25``) on every set, per subset and over all of its queries."""
    methods: list[str] = [m for m in ("bm25", "semantic", "hybrid") if m in matcher.methods]
    total = sum(len(qs) for qs in sets.values())
    done = 0
    scores: list[Score] = []
    for name, queries in sets.items():
        per: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        for query in queries:
            if not query.relevant:
                continue
            ranked: dict[str, np.ndarray] = {}
            if baseline is not None:
                parts = baseline.scores(query.text, method="bm25")
                ranked["plain-bm25"] = ranking(parts, "bm25", depth, query.exclude)
            full = "hybrid" if "hybrid" in methods else methods[0]
            parts = matcher.scores(query.text, method=full)
            for method in methods:
                ranked[method] = ranking(parts, method, depth, query.exclude)
            for method, order in ranked.items():
                hit = _metrics(order, query.relevant, k)
                per[("all", method)].append(hit)
                if query.subset != "all":
                    per[(query.subset, method)].append(hit)
            done += 1
            if progress and done % 20 == 0:
                progress("evaluate", done / max(total, 1))
        subsets = sorted({s for s, _ in per}, key=lambda s: (s == "all", s))
        if len(subsets) == 2:  # one subset and "all": the same numbers twice
            subsets = ["all"]
        for subset in subsets:
            for method in ["plain-bm25", *methods]:
                values = per.get((subset, method))
                if values:
                    recall, rr = np.mean(np.array(values), axis=0).tolist()
                    scores.append(Score(name, subset, method, len(values), recall, rr, k))
    if progress:
        progress("evaluate", 1.0)
    return scores


def _metrics(order: np.ndarray, relevant: frozenset[int], k: int) -> tuple[float, float]:
    """(recall@k, reciprocal rank) of a ranking."""
    ranked = order.tolist()
    recall = len(relevant.intersection(ranked[:k])) / len(relevant)
    first = next((r for r, i in enumerate(ranked, start=1) if i in relevant), None)
    return recall, 0.0 if first is None else 1.0 / first


def sbir_sets(
    awards: pa.Table,
    af_topics: pa.Table | None = None,
    closed: pa.Table | None = None,
    *,
    broad_over: int = 10,
) -> dict[str, list[Query]]:
    """The evaluation sets of the module doc from the SBIR files as read by
    :mod:`econsec.datasets.promote_texts`: awards (``id``, ``text``, ``title``, ``agency``,
    ``solicit_topic_code``, ``award_year``), the Air Force topics (``id`` = topic number,
    ``text``) and the closed-topic list (``title``, ``description``, ``agency``, ``year``)."""
    texts = awards["text"].to_pylist()
    agencies = awards["agency"].to_pylist()
    codes = awards["solicit_topic_code"].to_pylist()
    sets = {"award->award": award_queries(texts, agencies, codes, broad_over=broad_over)}
    if af_topics is not None:
        numbers, topic_texts = af_topics["id"].to_pylist(), af_topics["text"].to_pylist()
        sets["topic->award (code)"] = code_topic_queries(numbers, topic_texts, codes)
    if closed is not None:
        years = [int(y) if y else None for y in awards["award_year"].to_pylist()]
        links = title_topic_links(
            closed["title"].to_pylist(),
            closed["agency"].to_pylist(),
            closed["year"].to_pylist(),
            awards["title"].to_pylist(),
            agencies,
            years,
        )
        ids, titles = closed["id"].to_pylist(), closed["title"].to_pylist()
        descriptions = closed["description"].to_pylist()
        linked = sorted(links.items())
        sets["topic->award (title): description"] = [
            Query(ids[j], descriptions[j], frozenset(found), "all")
            for j, found in linked
            if descriptions[j]
        ]
        sets["topic->award (title): title + description"] = [
            Query(ids[j], f"{titles[j]}\n{descriptions[j] or ''}", frozenset(found), "all")
            for j, found in linked
        ]
    return sets
