"""The yente HTTP shapes, so that existing yente clients work against econsec unchanged.

``POST /match/{dataset}`` takes ``{"queries": {KEY: {"schema": ..., "properties": {...}}}}``
and answers ``{"responses": {KEY: {"status": 200, "results": [...], "total": {...},
"query": {...}}}, "matcher": {...}, "limit": N}``; each result is a listed entity in
FollowTheMoney form (``id, caption, schema, properties, datasets``) with ``score``, ``match``
and ``features`` (feature -> contribution) plus ``explanations`` (yente's newer per-feature
detail). ``GET /search/{dataset}?q=`` answers ``{"results", "total", "limit", "offset"}``.

A *dataset* is ``default`` (every active list), one list name (``un-sc``), or several joined by
commas. econsec adds ``list_version``, ``source_id`` and ``explanation`` to each result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from econsec.errors import InvalidInput, NotFound
from econsec.protect.screening.algorithms import ALGORITHMS, DEFAULT_ALGORITHM, get_algorithm
from econsec.protect.screening.model import Query, Result
from econsec.protect.screening.screener import Screener

DEFAULT_DATASETS = ("default", "all")
MAX_QUERIES = 100
MAX_LIMIT = 500
#: Results scoring below this are left out of /match answers (yente's default cutoff).
DEFAULT_CUTOFF = 0.5


def datasets(screener: Screener, dataset: str) -> list[str] | None:
    """The list names a dataset path selects (None: all of them)."""
    if dataset in DEFAULT_DATASETS:
        return None
    wanted = [d for d in dataset.split(",") if d]
    unknown = sorted(set(wanted) - screener.lists)
    if unknown:
        known = ", ".join(sorted(screener.lists)) or "none loaded"
        raise NotFound(f"unknown dataset {', '.join(unknown)} (lists: default, {known})")
    return wanted


def entity(result: Result) -> dict[str, Any]:
    """A result as a yente scored entity."""
    entry = result.entry
    explanation = result.explanation.as_dict()
    return {
        "id": entry.id,
        "caption": entry.caption,
        "schema": entry.schema,
        "properties": entry.properties,
        "datasets": [entry.list_name],
        "referents": [],
        "target": True,
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
        "score": round(result.score, 4),
        "match": result.match,
        "features": {k: round(v, 4) for k, v in result.features.items()},
        "explanations": {
            name: {
                "score": round(value, 4),
                "detail": _detail(name, explanation),
                "query": explanation["query_name"] if name == "name" else None,
                "candidate": explanation["matched_name"] if name == "name" else None,
                "weight": 1.0,
            }
            for name, value in result.features.items()
        },
        "list_version": entry.version,
        "source_id": entry.source_id,
        "explanation": explanation,
    }


def _detail(name: str, explanation: Mapping[str, Any]) -> str | None:
    if name != "name":
        return None
    return (
        f"{explanation['query_form']!r} ~ {explanation['matched_form']!r} ({explanation['method']})"
    )


def _queries(body: Mapping[str, Any]) -> dict[str, Query]:
    queries = body.get("queries")
    if not isinstance(queries, Mapping) or not queries:
        raise InvalidInput('the body needs "queries": {KEY: {"schema": ..., "properties": ...}}')
    if len(queries) > MAX_QUERIES:
        raise InvalidInput(f"at most {MAX_QUERIES} queries per request, got {len(queries)}")
    out: dict[str, Query] = {}
    for key, item in queries.items():
        if not isinstance(item, Mapping):
            raise InvalidInput(f"query {key!r} must be an object with schema and properties")
        properties = item.get("properties")
        if not isinstance(properties, Mapping):
            raise InvalidInput(f"query {key!r} has no properties object")
        try:
            out[str(key)] = Query.from_properties(str(item.get("schema") or "Thing"), properties)
        except InvalidInput as exc:
            raise InvalidInput(f"query {key!r}: {exc.message}") from None
    return out


def match(
    screener: Screener,
    dataset: str,
    body: Mapping[str, Any],
    *,
    limit: int = 5,
    threshold: float | None = None,
    cutoff: float = DEFAULT_CUTOFF,
    algorithm: str | None = None,
    exclude_entity_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """Answer a /match request."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    algo = get_algorithm(algorithm if algorithm not in (None, "best") else None)
    cutoff_threshold = algo.check_threshold(threshold)
    lists = datasets(screener, dataset)
    excluded = set(exclude_entity_ids)
    responses: dict[str, Any] = {}
    for key, query in _queries(body).items():
        results = screener.screen(
            query,
            algorithm=algo.name,
            threshold=cutoff_threshold,
            limit=limit + len(excluded),
            lists=lists,
        )
        kept = [r for r in results if r.score >= cutoff and r.entry.id not in excluded][:limit]
        responses[key] = {
            "status": 200,
            "results": [entity(r) for r in kept],
            "total": {"value": len(kept), "relation": "eq"},
            "query": body["queries"][key],
        }
    return {
        "responses": responses,
        "matcher": {
            "name": algo.name,
            "description": algo.description,
            "threshold": cutoff_threshold,
        },
        "limit": limit,
    }


def search(
    screener: Screener,
    dataset: str,
    q: str,
    *,
    schema: str = "Thing",
    limit: int = 10,
    offset: int = 0,
) -> dict[str, Any]:
    """Answer a /search request: the entities whose names are nearest to ``q``."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, offset at least 0")
    results = screener.screen(
        Query((q,), schema), limit=offset + limit, lists=datasets(screener, dataset)
    )
    kept = [r for r in results if r.score >= DEFAULT_CUTOFF]
    page = kept[offset : offset + limit]
    items = []
    for result in page:
        item = entity(result)
        for key in ("match", "features", "explanations"):
            item.pop(key)
        items.append(item)
    return {
        "results": items,
        "facets": {},
        "total": {"value": len(kept), "relation": "eq" if len(kept) < offset + limit else "gte"},
        "limit": limit,
        "offset": offset,
    }


def algorithms() -> dict[str, Any]:
    """Answer GET /algorithms."""
    return {
        "algorithms": [
            {
                "name": a.name,
                "description": a.description,
                "docs": {"threshold": a.threshold, "features": a.weights},
            }
            for a in ALGORITHMS.values()
        ],
        "default": DEFAULT_ALGORITHM,
        "best": DEFAULT_ALGORITHM,
    }
