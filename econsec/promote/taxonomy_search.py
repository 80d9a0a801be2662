"""Searching the taxonomy in Japanese and English.

Texts and the query are compared in one folded form (:func:`econsec.promote.taxonomy.fold`:
NFKC, so full-width Latin and half-width katakana read as usual; case-folded; hiragana read as
katakana). Each technology is searched in its English and Japanese names, its id, ASPI domain and
note, and the katakana reading of its Japanese name (fugashi with the UniDic-lite dictionary), so
``りょうし`` finds 量子情報科学. A hit scores (0-100):

=====  ===============================================================================
100    the query is the whole text
90-99  the query is part of the text from the start of a word, or anywhere in Japanese
       (90 + 9 x query length / text length)
75-84  the query (4 letters or more) is inside a Latin word
85     every word of a query of several words is in the text, in any order
<= 80  fuzzy: 0.8 x rapidfuzz ``partial_ratio`` (typos, "quantom"), from 80 % similarity;
       for queries of 4 characters or more (``ratio`` when the text is the shorter)
=====  ===============================================================================

A match in a name or its reading counts fully, in the id x 0.95, the ASPI domain x 0.9 and the
note x 0.85, so that a technology named by the query comes before one whose domain it names.

A technology of another list mapped to one of Japan's areas that matched (through the
crosswalk) is a hit *via* that area at 0.7 x the area's score, which is how a Japanese query
finds the US, EU and ASPI technologies, whose names are English only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from econsec.errors import InvalidInput
from econsec.promote.matching_text import tagger
from econsec.promote.taxonomy import JAPAN, Taxonomy, Technology, fold, words

VIA_AREA = 0.7
#: Names count fully; a match in the id, the ASPI domain or the note a little less.
WEIGHT = {"id": 0.95, "domain": 0.9, "note": 0.85}
FUZZY_FROM = 80.0
MAX_QUERY = 200


@dataclass(frozen=True, slots=True)
class Hit:
    """A technology found, the field and text that matched, and the score (0-100)."""

    technology: Technology
    score: float
    field: str  # name_en | name_ja | reading | id | domain | note | area
    text: str  # the text that matched (the area's name for hits via an area)
    via: str | None = None  # the Japan area id of a hit through the crosswalk

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the technology's fields and the match."""
        return {
            **self.technology.to_dict(),
            "score": round(self.score, 1),
            "matched_field": self.field,
            "matched_text": self.text,
            "via_area": self.via,
        }


@cache
def _tagger() -> Any:
    """The morphological analyser of matching (None when fugashi cannot start)."""
    try:
        return tagger()
    except Exception:  # readings are a convenience: search works without them
        return None


@cache
def reading(text: str) -> str:
    """The katakana reading of a Japanese text (its surface where a word has none)."""
    tagger = _tagger()
    if tagger is None:
        return ""
    out = []
    for word in tagger(text):
        kana = getattr(word.feature, "kana", None)
        out.append(kana if kana and kana != "*" else word.surface)
    return "".join(out)


def _fields(t: Technology) -> list[tuple[str, str]]:
    fields = [("name_en", t.name_en), ("id", t.id.replace("_", " "))]
    if t.name_ja:
        fields += [("name_ja", t.name_ja), ("reading", reading(t.name_ja))]
    if t.domain:
        fields.append(("domain", t.domain))
    if t.note:
        fields.append(("note", t.note))
    return fields


def _boundary(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` is not inside a Latin word."""
    return at <= 0 or at >= len(text) or not (text[at].isascii() and text[at].isalnum())


def _part(query: str, folded: str) -> float:
    """Score of ``query`` found inside ``folded``: 90-99 at the start of a word (anywhere in
    Japanese, which has no spaces), 75-84 inside a Latin word; a Latin query of 1-3 letters
    only as a whole word ("ai" is no hit in "aircraft"); 0 when absent."""
    if query == folded:
        return 100.0
    short = len(query) <= 3 and query.isascii()
    pos = folded.find(query)
    while pos >= 0:
        starts = not query[0].isascii() or _boundary(folded, pos - 1)
        if starts and (not short or _boundary(folded, pos + len(query))):
            return 90.0 + 9.0 * len(query) / len(folded)
        pos = folded.find(query, pos + 1)
    if not short and query in folded:
        return 75.0 + 9.0 * len(query) / len(folded)
    return 0.0


def score(query: str, text: str) -> float:
    """How well the folded ``query`` matches ``text`` (0-100, see the module's table); Latin
    words also compare in the singular ("biotechnology" finds "Biotechnologies")."""
    from rapidfuzz import fuzz

    folded = fold(text)
    if not query or not folded:
        return 0.0
    found = _part(query, folded)
    singular_query, singular_text = " ".join(words(query)), " ".join(words(text))
    if singular_query and singular_text and folded.isascii():
        found = max(found, 0.99 * _part(singular_query, singular_text))
    if found:
        return found
    parts = query.split()
    if len(parts) > 1 and all(_part(p, folded) for p in parts):
        return 85.0
    if len(query) >= 4:
        # partial_ratio finds the query inside a longer text, never a short text in the query
        scorer = fuzz.partial_ratio if len(query) <= len(folded) else fuzz.ratio
        ratio = scorer(query, folded)
        if ratio >= FUZZY_FROM:
            return 0.8 * ratio
    return 0.0


def _best(query: str, t: Technology) -> tuple[float, str, str]:
    best = (0.0, "", "")
    for name, text in _fields(t):
        found = score(query, text) * WEIGHT.get(name, 1.0)
        if found > best[0]:
            best = (found, name, text)
    return best


def search(
    taxonomy: Taxonomy,
    text: str,
    *,
    list_name: str | None = None,
    area: str | None = None,
    limit: int = 50,
    min_score: float = 60.0,
) -> list[Hit]:
    """Technologies matching ``text``, best first (then in list order); ``list_name`` and
    ``area`` narrow the result as :meth:`Taxonomy.browse` does."""
    query = fold(text)
    if not query:
        raise InvalidInput("search text is empty")
    if len(query) > MAX_QUERY:
        raise InvalidInput(f"search text is longer than {MAX_QUERY} characters")
    direct: dict[str, Hit] = {}
    for t in taxonomy.technologies:
        found, name, matched = _best(query, t)
        if found >= min_score:
            direct[t.key] = Hit(t, found, name, matched)
    hits = dict(direct)
    areas = {h.technology.id: h for h in direct.values() if h.technology.list == JAPAN}
    for t in taxonomy.technologies:
        if t.list == JAPAN:
            continue
        for area_id in t.areas:
            area_hit = areas.get(area_id)
            if area_hit is None:
                continue
            via = VIA_AREA * area_hit.score
            if via >= min_score * VIA_AREA and via > (hits[t.key].score if t.key in hits else 0):
                hits[t.key] = Hit(t, via, "area", area_hit.text, area_id)
    wanted = {t.key for t in taxonomy.browse(list_name, area)}
    order = {t.key: i for i, t in enumerate(taxonomy.technologies)}
    found_hits = sorted(
        (h for h in hits.values() if h.technology.key in wanted),
        key=lambda h: (-h.score, order[h.technology.key]),
    )
    return found_hits[: max(limit, 0)]
