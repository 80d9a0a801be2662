"""The in-process candidate index: which listed names could a query name be?

Every reading (:class:`~econsec.protect.screening.normalise.Form`) of every listed name is an
*item*. Items are indexed by their tokens and by each pair of adjacent tokens glued together
("abdul hai" is also found as "abdulhai"). A query token reaches the vocabulary through

* itself;
* its deletion neighbourhood: tokens one edit away share a spelling with one letter deleted
  (the symmetric-delete scheme), so single typos are found without scanning the vocabulary;
* its Metaphone code (``mohammed`` finds ``muhammad``);
* for loanword readings of katakana, its kana fold and skeleton (:func:`~.similarity.kana_fold`),
  matched against words and glued pairs (katakana writes "Alfa-Bank" as one word).

Each reached token adds its rarity weight, times how close the route was, to the items holding
it; the best items by that sum are the candidates that the scorer then compares in full. Sums
run in numpy (``bincount``) so a common token with thousands of items costs microseconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from econsec.protect.screening.normalise import Form
from econsec.protect.screening.similarity import kana_fold, kana_skeleton, phonetic

#: Route weights: how much a token reached indirectly counts against an exact hit.
DELETE_ROUTE = 0.85
PHONETIC_ROUTE = 0.7
KANA_ROUTE = 0.8
#: Phonetic or skeleton groups larger than this are too vague to follow.
MAX_GROUP = 60
MIN_DELETE_LENGTH = 4
#: Route sums are added over the hits alone below this many hits, over every item above.
SPARSE_LIMIT = 20_000
#: Items whose route sum is below this share of the best item's are not scored.
MIN_SHARE = 0.25

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Item:
    """One reading of one name of one entry."""

    entry: int  # index into the screener's entries
    name: str  # the name as listed
    form: Form
    weak: bool  # from a weak alias


def _index_tokens(tokens: Sequence[str]) -> set[str]:
    out = {t for t in tokens if len(t) > 1}
    out.update(a + b for a, b in pairwise(tokens))
    return out


def _deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


class Groups:
    """A read-only multimap str -> int ids, stored flat (one dict of keys, one offsets array and
    one id array) so that it pickles and loads fast."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.keys = {key: number for number, key in enumerate(groups)}
        sizes = np.fromiter((len(v) for v in groups.values()), dtype=np.int64, count=len(groups))
        self.offsets = np.zeros(len(groups) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.offsets[1:])
        self.flat = np.fromiter(
            (i for v in groups.values() for i in v), dtype=np.int32, count=int(self.offsets[-1])
        )

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def get(self, key: str) -> IntArray:
        """The ids under ``key`` (empty if none)."""
        number = self.keys.get(key)
        if number is None:
            return _EMPTY
        return self.flat[self.offsets[number] : self.offsets[number + 1]]


_EMPTY: IntArray = np.empty(0, dtype=np.int32)


class NameIndex:
    """Items with their token postings and the vocabulary's fuzzy routes."""

    def __init__(self, items: Sequence[Item], weights: dict[str, float]) -> None:
        self.items = list(items)
        self.weights = weights
        postings: dict[str, list[int]] = defaultdict(list)
        for item_id, item in enumerate(self.items):
            for token in _index_tokens(item.form.tokens):
                postings[token].append(item_id)
        self.postings = Groups(postings)
        self.vocabulary = list(postings)
        words = sorted({t for item in self.items for t in item.form.tokens if len(t) > 1})
        deletes: dict[str, list[int]] = defaultdict(list)
        phones: dict[str, list[int]] = defaultdict(list)
        skeletons: dict[str, list[int]] = defaultdict(list)
        for token in self.vocabulary:  # words and glued pairs: katakana glues compounds
            if token.isalpha():
                number = self.postings.keys[token]
                skeletons[kana_fold(token)].append(number)
                skeleton = kana_skeleton(token)
                if len(skeleton) >= 3 and skeleton != kana_fold(token):
                    skeletons[skeleton].append(number)
        for token in words:
            number = self.postings.keys[token]
            if len(token) >= MIN_DELETE_LENGTH:
                deletes[token].append(number)
                for variant in _deletions(token):
                    deletes[variant].append(number)
            code = phonetic(token)
            if code:
                phones[code].append(number)
        self.deletes = Groups(deletes)
        self.phones = Groups({c: ts for c, ts in phones.items() if len(ts) <= MAX_GROUP})
        self.skeletons = Groups({k: ts for k, ts in skeletons.items() if len(ts) <= MAX_GROUP})
        self._routes: dict[tuple[str, bool], tuple[IntArray, FloatArray]] = {}

    def __len__(self) -> int:
        return len(self.items)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_routes"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._routes = {}

    def expand(self, token: str, japanese: bool = False) -> dict[int, float]:
        """Vocabulary token numbers a query token reaches, with the route's weight."""
        out: dict[int, float] = {}
        if len(token) >= MIN_DELETE_LENGTH:
            for variant in (token, *_deletions(token)):
                for found in self.deletes.get(variant).tolist():
                    out[found] = DELETE_ROUTE
        code = phonetic(token)
        if code:
            for found in self.phones.get(code).tolist():
                out.setdefault(found, PHONETIC_ROUTE)
        if japanese and token.isalpha():
            for key in {kana_fold(token), kana_skeleton(token)}:
                for found in self.skeletons.get(key).tolist():
                    out[found] = max(out.get(found, 0.0), KANA_ROUTE)
        exact = self.postings.keys.get(token)
        if exact is not None:
            out[exact] = 1.0
        return out

    def _route(self, token: str, japanese: bool) -> tuple[IntArray, FloatArray]:
        key = (token, japanese)
        cached = self._routes.get(key)
        if cached is not None:
            return cached
        weight = self.weights.get(token, 1.0)
        ids: list[IntArray] = []
        scores: list[FloatArray] = []
        offsets, flat = self.postings.offsets, self.postings.flat
        for found, route in self.expand(token, japanese).items():
            posting = flat[offsets[found] : offsets[found + 1]]
            ids.append(posting)
            scores.append(np.full(len(posting), route * weight))
        if ids:
            result = (np.concatenate(ids), np.concatenate(scores))
        else:
            result = (_EMPTY, np.empty(0, dtype=np.float64))
        if len(self._routes) > 100_000:
            self._routes.clear()
        self._routes[key] = result
        return result

    def candidates(self, query_forms: Iterable[Form], limit: int) -> list[int]:
        """The ``limit`` items with the highest route sums for these query readings."""
        tokens: dict[tuple[str, bool], None] = {}
        for form in query_forms:
            japanese = form.script == "ja-loan"
            for token in _index_tokens(form.tokens):
                tokens[(token, japanese)] = None
        if not tokens or not self.items:
            return []
        routes = [self._route(token, japanese) for token, japanese in tokens]
        ids = np.concatenate([r[0] for r in routes])
        if not len(ids):
            return []
        weights = np.concatenate([r[1] for r in routes])
        if len(ids) < SPARSE_LIMIT:  # few hits: sum them sorted, not over every item
            hit, inverse = np.unique(ids, return_inverse=True)
            sums = np.bincount(inverse, weights=weights)
        else:
            dense = np.bincount(ids, weights=weights)
            hit = np.flatnonzero(dense)
            sums = dense[hit]
        if len(hit) > limit:
            best = np.argpartition(-sums, limit - 1)[:limit]
            hit, sums = hit[best], sums[best]
        order = np.argsort(-sums, kind="stable")
        keep = sums[order] >= MIN_SHARE * sums[order[0]]  # far behind the best: not worth scoring
        return [int(i) for i in hit[order[keep]]]
