"""Seeds-needs matching: which research seeds (award, project, paper or patent texts) answer
which needs (topic calls), in English and Japanese, with explanations and multi-use tags.

Methods (:data:`METHODS`):

- ``bm25``: Okapi BM25 over language-aware terms (:mod:`matching_text`, :mod:`matching_bm25`).
- ``semantic``: cosine of static embeddings from a model inside the wordllama wheel
  (:mod:`matching_semantic`).
- ``hybrid`` (default): a convex mix of the two scores,

      score(s) = alpha · bm25(s) / max_s' bm25(s') + (1 - alpha) · cos(s),   alpha = 0.9,

  where cos is the cosine of the embeddings after removing the seeds' mean embedding (the
  common direction of all texts; it lifted semantic recall@10 from 0.18 to 0.20 on SBIR),
  shrunk by n / (n + 10) for n seeds so that a handful of seeds keeps its vectors.
  alpha was chosen on the award-to-award SBIR evaluation (0.5, 0.7, 0.8, 0.9 tried; reciprocal-
  rank fusion with k = 60 was tried too and lost 2 points of recall@10, because the semantic
  ranking is much weaker than BM25 on these texts) and then reported on the topic-to-award
  set. A need sharing no term with any seed is ranked by the semantic side alone; a seed
  sharing no term with the need is listed only from a cosine of :data:`MIN_SEMANTIC` (0.25).

Each match is explained by the query terms the seed holds (largest BM25 share first) and the
seed's passage (sentence) that shares the most query-term weight (Σ idf of distinct shared
terms; ties and the semantic method use the passage's cosine to the need).

A seed is *multi-use* when it is among the top matches of needs from two or more sectors
(:mod:`matching_sectors`); the sector of a need is its ``sector`` or is read from its agency
(:func:`sector_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from econsec.errors import InvalidInput
from econsec.promote.matching_bm25 import BM25Index, chunk_matrix
from econsec.promote.matching_sectors import MultiUse, multi_use, need_sectors
from econsec.promote.matching_semantic import StaticEmbedder
from econsec.promote.matching_text import Analyzer, Mode, detect_language, passages

Method = Literal["bm25", "semantic", "hybrid"]
Progress = Callable[[str, float], None]

METHODS: dict[str, str] = {
    "bm25": "Okapi BM25 (k1 = 1.2, b = 0.75) over stemmed English words and Japanese lemmas "
    "(MeCab/UniDic-lite), stop words removed.",
    "semantic": "Cosine of WordLlama l2_supercat_256 static embeddings (average of token "
    "vectors; the model is inside the wordllama wheel).",
    "hybrid": "0.9 x BM25 / best BM25 of the need + 0.1 x semantic cosine (centred).",
}
ALPHA = 0.9
#: Centred cosine from which a seed sharing no term with a need may still match it in hybrid
#: (related synthetic pairs scored 0.27-0.72, unrelated ones below 0.1).
MIN_SEMANTIC = 0.25


@dataclass(slots=True)
class Match:
    """One seed matched to a need; ``score`` is the method's score (the mix for hybrid)."""

    seed: str
    index: int
    score: float
    bm25: float | None = None
    semantic: float | None = None
    terms: list[str] = field(default_factory=list)
    passage: str | None = None
    sectors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"seed", "score", "explanation": {terms, passage, bm25, semantic}, "sectors"}``."""
        return {
            "seed": self.seed,
            "score": round(self.score, 6),
            "explanation": {
                "terms": self.terms,
                "passage": self.passage,
                "bm25": None if self.bm25 is None else round(self.bm25, 4),
                "semantic": None if self.semantic is None else round(self.semantic, 4),
            },
            "sectors": self.sectors,
        }


@dataclass(slots=True)
class NeedMatches:
    """The best seeds for one need, best first."""

    need: str
    language: str
    matches: list[Match]

    def to_dict(self) -> dict[str, Any]:
        """The JSONL line of ``econsec promote match``: ``{"need": ID, "matches": [...]}``."""
        return {
            "need": self.need,
            "language": self.language,
            "matches": [m.to_dict() for m in self.matches],
        }


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: np.ndarray = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return out


def _top(scores: np.ndarray, k: int, exclude: Iterable[int] = ()) -> np.ndarray:
    """Indices of the k largest scores, largest first (ties: lower index first)."""
    scores = scores.copy()
    for i in exclude:
        scores[i] = -np.inf
    k = min(k, scores.size)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    ranked: np.ndarray = part[np.lexsort((part, -scores[part]))]
    kept: np.ndarray = ranked[np.isfinite(scores[ranked])]
    return kept


def ranking(
    parts: Mapping[str, Any], method: str, depth: int, exclude: Iterable[int] = ()
) -> np.ndarray:
    """The best ``depth`` seeds under ``method``, from :meth:`Matcher.scores` of that method (or
    of ``hybrid``, which holds all three). A seed is left out when it has no evidence: BM25 and
    semantic rank only seeds with a positive score; hybrid only seeds sharing a term with the
    need or with a cosine of at least :data:`MIN_SEMANTIC`."""
    order = _top(parts[method], depth, exclude)
    if method in ("bm25", "semantic"):
        keep: np.ndarray = parts[method][order] > 0
    else:
        keep = (parts["bm25"][order] > 0) | (parts["semantic"][order] >= MIN_SEMANTIC)
    kept: np.ndarray = order[keep]
    return kept


@dataclass(slots=True)
class Matcher:
    """An index over seeds; :meth:`search` ranks them for one need, :meth:`match` for many."""

    ids: list[str]
    texts: list[str]
    bm25: BM25Index | None
    embedder: StaticEmbedder | None
    vectors: np.ndarray | None
    mean: np.ndarray | None = None
    alpha: float = ALPHA

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        *,
        methods: Iterable[str] = ("bm25", "semantic"),
        mode: Mode = "full",
        embedder: StaticEmbedder | None = None,
        progress: Progress | None = None,
    ) -> Matcher:
        """Index seeds (``methods``: which sides to build; ``mode`` ``plain`` is the baseline)."""
        wanted = set(methods)
        if "hybrid" in wanted:
            wanted |= {"bm25", "semantic"}
        if len(ids) != len(texts) or not ids:
            raise InvalidInput("seeds need as many ids as texts, and at least one seed")
        if progress:
            progress("split", 0.0)
        chunked = chunk_matrix(texts)
        if progress:
            progress("split", 1.0)
        bm25 = None
        if "bm25" in wanted:
            bm25 = BM25Index.build(
                texts, analyzer=Analyzer(mode), chunked=chunked, progress=progress
            )
        vectors = None
        if "semantic" in wanted:
            embedder = embedder or StaticEmbedder.bundled()
            vectors = embedder.embed_chunked(chunked[0], chunked[1], progress=progress)
            # Shrunk towards 0 for small corpora, where the mean is mostly the seeds themselves
            # (one seed minus its own mean would be a zero vector).
            mean = vectors.mean(axis=0) * (len(ids) / (len(ids) + 10))
            vectors = _unit(vectors - mean)
        else:
            embedder, mean = None, None
        return cls(list(ids), list(texts), bm25, embedder, vectors, mean)

    @property
    def methods(self) -> list[str]:
        """The methods this index can serve."""
        out = ["bm25"] if self.bm25 is not None else []
        if self.vectors is not None:
            out.append("semantic")
        return [*out, "hybrid"] if len(out) == 2 else out

    def _check(self, method: str) -> None:
        if method not in METHODS:
            raise InvalidInput(f"unknown method {method!r}", expected=", ".join(METHODS))
        if method not in self.methods:
            raise InvalidInput(f"this index was built without {method}", expected="bm25 or hybrid")

    def scores(
        self, text: str, *, method: str = "hybrid", vector: np.ndarray | None = None
    ) -> dict[str, Any]:
        """Every seed's score under ``method`` (keys ``score`` and ``method``), with the parts it
        came from: ``bm25`` and ``semantic`` (arrays over seeds), ``cols``/``qtf`` (the query's
        terms) and ``vector`` (its centred embedding; ``vector`` given: the text's embedding,
        already computed in a batch)."""
        self._check(method)
        parts: dict[str, Any] = {}
        if method in ("bm25", "hybrid"):
            assert self.bm25 is not None
            cols, qtf = self.bm25.query(text)
            parts.update(cols=cols, qtf=qtf, bm25=self.bm25.scores(cols, qtf))
        if method in ("semantic", "hybrid"):
            assert self.embedder is not None
            assert self.vectors is not None
            if vector is None:
                vector = self.embedder.embed([text])[0]
            if np.any(vector):
                vector = _unit((vector - self.mean)[None, :])[0]
            parts.update(vector=vector, semantic=self.vectors @ vector)
        if method == "hybrid":
            best = float(parts["bm25"].max()) if parts["bm25"].size else 0.0
            lexical = parts["bm25"] / best if best > 0 else parts["bm25"]
            parts["hybrid"] = self.alpha * lexical + (1.0 - self.alpha) * parts["semantic"]
        parts["score"] = parts[method]
        return parts

    def rank(
        self,
        text: str,
        *,
        method: str = "hybrid",
        depth: int = 100,
        exclude: Iterable[int] = (),
        vector: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """The best ``depth`` seed indices (:func:`ranking`), their scores, and :meth:`scores`."""
        parts = self.scores(text, method=method, vector=vector)
        order = ranking(parts, method, depth, exclude)
        return order, parts[method][order], parts

    def search(
        self,
        text: str,
        *,
        top: int = 10,
        method: str = "hybrid",
        explain: bool = True,
        exclude: Iterable[int] = (),
        vector: np.ndarray | None = None,
    ) -> list[Match]:
        """The ``top`` seeds for a need text, best first, with explanations."""
        if top < 1:
            raise InvalidInput("top must be at least 1", got=str(top))
        order, scores, query = self.rank(
            text, method=method, depth=top, exclude=exclude, vector=vector
        )
        matches = [
            Match(
                seed=self.ids[i],
                index=i,
                score=float(s),
                bm25=float(query["bm25"][i]) if "bm25" in query else None,
                semantic=float(query["semantic"][i]) if "semantic" in query else None,
            )
            for i, s in zip(order.tolist(), scores.tolist(), strict=True)
        ]
        if explain and matches:
            if self.bm25 is not None and "cols" not in query:  # semantic: terms still explain
                query["cols"], query["qtf"] = self.bm25.query(text)
            self._explain(matches, query)
        return matches

    def _explain(self, matches: list[Match], query: dict[str, Any]) -> None:
        terms: list[list[tuple[str, float]]] = [[] for _ in matches]
        wanted: dict[str, float] = {}
        if self.bm25 is not None and "cols" in query:
            bm25 = self.bm25
            terms = bm25.explain([m.index for m in matches], query["cols"], query["qtf"])
            wanted = {bm25.terms[c]: float(bm25.idf[c]) for c in query["cols"].tolist()}
        pieces = [passages(self.texts[m.index]) for m in matches]
        lexical = [self._lexical(p, wanted) for p in pieces]
        # Ties on shared-term weight (all zero for a purely semantic match) are broken by the
        # passages' cosine to the need, embedded in one batch for all matches.
        tied = [[i for i, v in enumerate(lex) if v == max(lex)] if lex else [] for lex in lexical]
        cosine = self._cosines(
            [pieces[n][i] for n, t in enumerate(tied) if len(t) > 1 for i in t], query
        )
        for n, (match, found) in enumerate(zip(matches, terms, strict=True)):
            match.terms = [word for word, _ in found[:12]]
            if not tied[n]:
                continue
            best = tied[n][0]
            if len(tied[n]) > 1 and cosine:
                scored = [cosine.pop(0) for _ in tied[n]]
                best = tied[n][max(range(len(scored)), key=lambda i: (scored[i], -i))]
            match.passage = pieces[n][best]

    def _lexical(self, pieces: list[str], wanted: Mapping[str, float]) -> list[float]:
        """Sum of idf of the distinct query terms in each passage."""
        if not wanted or self.bm25 is None:
            return [0.0] * len(pieces)
        analyzer = self.bm25.analyzer
        return [sum(wanted.get(t, 0.0) for t in set(analyzer.text(p))) for p in pieces]

    def _cosines(self, pieces: list[str], query: Mapping[str, Any]) -> list[float]:
        """Centred cosines of passages to the query's vector ([] without a semantic side)."""
        vector = query.get("vector")
        if not pieces or vector is None or self.embedder is None or self.mean is None:
            return []
        vectors = _unit(self.embedder.embed(pieces) - self.mean)
        cosines: list[float] = (vectors @ vector).tolist()
        return cosines

    def match(
        self,
        need_ids: Sequence[str],
        need_texts: Sequence[str],
        *,
        top: int = 10,
        method: str = "hybrid",
        explain: bool = True,
        progress: Progress | None = None,
    ) -> list[NeedMatches]:
        """The ``top`` seeds of every need, in the needs' order."""
        self._check(method)
        out: list[NeedMatches] = []
        vectors = None
        if method != "bm25" and self.embedder is not None:  # one batch for all needs
            vectors = self.embedder.embed(need_texts)
        for n, (need, text) in enumerate(zip(need_ids, need_texts, strict=True)):
            vector = None if vectors is None else vectors[n]
            found = self.search(text, top=top, method=method, explain=explain, vector=vector)
            out.append(NeedMatches(need, detect_language(text), found))
            if progress and (n % 50 == 0 or n == len(need_ids) - 1):
                progress("match", (n + 1) / len(need_ids))
        return out


def match_tables(
    seeds: pa.Table,
    needs: pa.Table,
    *,
    top: int = 10,
    method: str = "hybrid",
    min_sectors: int = 2,
    progress: Progress | None = None,
) -> tuple[list[NeedMatches], list[MultiUse]]:
    """Match tables of ``id``, ``text`` (and optional ``sector``/``agency`` on needs): every
    need's best ``top`` seeds, then the seeds that serve ``min_sectors`` sectors or more."""
    if method not in METHODS:
        raise InvalidInput(f"unknown method {method!r}", expected=", ".join(METHODS))
    matcher = Matcher.build(  # BM25 always: its terms explain semantic matches too
        seeds["id"].to_pylist(),
        seeds["text"].to_pylist(),
        methods=[method, "bm25"],
        progress=progress,
    )
    ids = needs["id"].to_pylist()
    results = matcher.match(
        ids, needs["text"].to_pylist(), top=top, method=method, progress=progress
    )
    column = {
        name: needs[name].to_pylist() for name in ("sector", "agency") if name in needs.column_names
    }
    sectors = need_sectors(ids, column.get("sector"), column.get("agency"))
    return results, multi_use(results, sectors, min_sectors=min_sectors)
