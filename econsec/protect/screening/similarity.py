"""How alike two name forms are: token alignment, joined spellings, initials, phonetics.

Everything here works on :class:`~econsec.protect.screening.normalise.Form` tokens (lower-case
ASCII). Token similarity is the best of:

* edit similarity (``1 - distance / longer length``, with transpositions as one edit), for
  typos and spelling variants, within a typo budget that grows with the token's length
  (:func:`max_edits`);
* a phonetic floor when both tokens share a Metaphone code (``mohammed`` / ``muhammad``);
* for Japanese readings, the similarity of *kana skeletons* (:func:`kana_skeleton`): katakana
  loses the l/r and b/v contrasts and adds vowels, so ロステック ("rosutekku") and "Rostec" are
  compared as ``rstk`` and ``rstk``.

A name's score aligns its tokens one-to-one with the other name's (best pairs first), weighting
each token by how rare it is on the lists (:mod:`~econsec.protect.screening.weights`), so that a
shared "Mohammed" counts less than a shared "Shihata". Tokens of the query left unmatched count
fully against the score; tokens of the listed name left unmatched count less (a listed middle name
or patronymic a user did not type is normal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rapidfuzz.distance import OSA, Levenshtein
from rigour.text import metaphone

from econsec.protect.screening.normalise import Form
from econsec.protect.screening.symbols import symbols

#: Below this a token pair is not aligned at all.
MIN_TOKEN_SIMILARITY = 0.7
#: Similarity given to two tokens with the same Metaphone code (when spelling alone says less).
PHONETIC_FLOOR = 0.8
#: Similarity of two tokens that differ only by doubled letters.
DOUBLED_SIMILARITY = 0.9
#: Similarity of two tokens that rigour's name data says stand for the same name or word.
SYMBOL_SIMILARITY = 0.85
#: Score of an organisation's acronym against its full name.
ACRONYM_SIMILARITY = 0.85
#: Similarity of a single-letter initial to a token starting with it (persons only).
INITIAL_SIMILARITY = 0.85
#: Weight of a single-letter initial (a full token weighs between 0.25 and 1).
INITIAL_WEIGHT = 0.3
#: How much an unmatched token of the listed name weighs, against 1 for a query token.
UNMATCHED_CANDIDATE_WEIGHT = 0.5
#: Joined-spelling similarity (tokens glued, in order or sorted) below this is not used.
MIN_JOINED_SIMILARITY = 0.9

#: Latin spellings folded the way katakana merges them (vowels kept): the l/r and b/v contrasts,
#: digraphs, and the syllables Japanese spells one way (di/zi -> ji, si -> shi, hu -> fu).
_KANA_FOLDS = (
    (re.compile(r"^vl"), "ur"),  # Vladimir -> ウラジーミル "urajimiru"
    (re.compile(r"v$"), "f"),  # Bogdanov -> ボグダノフ "bogudanofu"
    (re.compile(r"tch"), "ch"),
    (re.compile(r"chi$"), "ch"),  # ミロシェヴィッチ "miroshevitchi" is Milosevic
    (re.compile(r"ic$"), "ich"),
    (re.compile(r"chi"), "ti"),  # プーチン "puchin" is Putin
    (re.compile(r"ph"), "f"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"(?<=[aeiou])y"), "i"),  # Sayed -> サイード "saido"
    (re.compile(r"n(?=[mbp])"), "m"),  # ムハンマド "muhanmado" is Muhammad
    (re.compile(r"ng"), "n"),  # ジョン "jon" is the Korean Jong
    (re.compile(r"zh"), "j"),
    (re.compile(r"ck|q|c(?![eiyh])"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"th"), "t"),
    (re.compile(r"l"), "r"),
    (re.compile(r"[vw]"), "b"),  # ワ writes Russian "va": Uralvagonzavod
    (re.compile(r"sh"), "s"),
    (re.compile(r"[dz]i"), "ji"),
    (re.compile(r"(?<![cgkpstz])hu"), "fu"),
    (re.compile(r"ey$|ay$"), "ei"),
)
_VOWELS_AFTER_FIRST = re.compile(r"(?<=.)[aeiou]")
_DOUBLES = re.compile(r"(.)\1+")
_LATIN_SIDE = frozenset({"latin"})
_KANA_SCRIPTS = frozenset({"ja", "ja-loan"})  # readings of text with kana
_HAN_READINGS = frozenset({"zh", "ja-han"})
_STRICT = frozenset({"ar", "ko", "zh"})
_INITIAL_SCRIPTS = frozenset({"latin", "translit"})


@lru_cache(maxsize=200_000)
def kana_fold(token: str) -> str:
    """A token as katakana would blur it, vowels kept: 'alfabank' and 'arufabanku' (devowelled
    'arfabank') -> 'arfabank'; 'vladimir' -> 'urajimir'; doubled letters single."""
    word = token
    for pattern, new in _KANA_FOLDS:
        word = pattern.sub(new, word)
    return _DOUBLES.sub(r"\1", word)


@lru_cache(maxsize=200_000)
def kana_skeleton(token: str) -> str:
    """:func:`kana_fold` without the vowels after the first letter: 'almaz' and 'arumazu' ->
    'armz' (katakana adds vowels after consonants)."""
    return _DOUBLES.sub(r"\1", _VOWELS_AFTER_FIRST.sub("", kana_fold(token)))


@lru_cache(maxsize=200_000)
def single_letters(token: str) -> str:
    """The token with doubled letters single ('mohammad' -> 'mohamad')."""
    return _DOUBLES.sub(r"\1", token)


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """The token's Metaphone code ('' for tokens too short to have a useful one)."""
    if len(token) < 3 or token.isdigit():
        return ""
    code = str(metaphone(token))
    return code if len(code) >= 2 else ""


def max_edits(length: int) -> int:
    """Typos tolerated in a token of ``length`` letters: none up to 3, one up to 5, two up to 8,
    three beyond (more and two different names look alike: 'jennifer' / 'janvier')."""
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    return 2 if length <= 8 else 3


@lru_cache(maxsize=500_000)
def token_similarity(a: str, b: str, mode: str = "", person: bool = True) -> float:
    """How alike two tokens are, in [0, 1] (see the module notes). ``mode`` "ja" adds the kana
    skeleton comparison; "strict" halves the typo budget, for Arabic readings (consonants only,
    so 'mhmd' / 'mhmdy' are Mohammad / Mohammadi) and Korean and Chinese ones (a syllable per
    token, so 'jong' / 'yong' are two different names); it also drops the phonetic floor."""
    if a == b:
        return 1.0
    if len(a) < 2 or len(b) < 2 or a.isdigit() or b.isdigit():
        return 0.0
    longer = max(len(a), len(b))
    budget = max_edits(longer) // 2 if mode == "strict" else max_edits(longer)
    distance = OSA.distance(a, b, score_cutoff=budget + 1)
    sim = 1.0 - distance / longer if distance <= budget else 0.0
    if sim < DOUBLED_SIMILARITY and single_letters(a) == single_letters(b):
        sim = DOUBLED_SIMILARITY  # 'yyu' / 'yu', 'mohammad' / 'mohamad'
    elif not sim and longer == 3 and distance == 1 and sorted(a) == sorted(b):
        sim = 1.0 - 1.0 / longer  # a swap in a short token: 'sko' / 'sok'
    phonetic_ok = mode != "strict" and distance <= budget and min(len(a), len(b)) >= 4
    if sim < PHONETIC_FLOOR and phonetic_ok and phonetic(a) == phonetic(b) != "":
        sim = PHONETIC_FLOOR
    if sim < SYMBOL_SIMILARITY and mode != "strict" and symbols(a, person) & symbols(b, person):
        sim = SYMBOL_SIMILARITY
    if mode == "ja":
        fa, fb = kana_fold(a), kana_fold(b)
        if fa == fb:  # as alike as katakana can tell
            return 1.0
        longest = max(len(fa), len(fb))
        folded = OSA.distance(fa, fb, score_cutoff=max_edits(longest) + 1)
        if folded <= max_edits(longest):
            sim = max(sim, 1.0 - folded / longest)
        ska, skb = kana_skeleton(a), kana_skeleton(b)
        if len(ska) >= 3 and len(skb) >= 3:
            skeleton = Levenshtein.normalized_similarity(ska, skb)
            if ska == skb:
                sim = max(sim, 0.9)
            elif skeleton >= 0.75 and min(len(ska), len(skb)) >= 4:
                sim = max(sim, 0.8 * skeleton)
    return sim


def comparable(a: str, b: str) -> bool:
    """Whether readings of these scripts should be compared. Two names written in Han are
    compared by their characters (simplified), not their readings: pinyin without tones makes
    different names alike (晨/陈 are both "chen"), and a Japanese reading of a Chinese name aligns
    strangers on shared on'yomi syllables. Two names in the same non-Latin script compare
    through the same transliteration; a Latin name compares with every reading."""
    if a == "han" or b == "han":
        return a == b
    if a in _HAN_READINGS and b in _HAN_READINGS:
        return False
    return a in _LATIN_SIDE or b in _LATIN_SIDE or a == b


@dataclass(frozen=True, slots=True)
class Alignment:
    """How one name form lines up with another."""

    score: float
    pairs: tuple[tuple[str, str, float], ...]  # (query token, listed token, similarity)
    unmatched_query: tuple[str, ...]
    unmatched_candidate: tuple[str, ...]
    method: str  # "tokens", "joined" or "sorted-joined"


def _weight(weights: dict[str, float], token: str) -> float:
    return weights.get(token, 1.0)


def align(
    query: Form,
    candidate: Form,
    weights: dict[str, float],
    *,
    person: bool,
) -> Alignment:
    """The weighted one-to-one token alignment of ``query`` with ``candidate``, or the glued
    spelling comparison when that is better (``"abdul hai"`` vs ``"abdulhai"``)."""
    if query.tokens == candidate.tokens:  # the same reading: nothing to align
        same = tuple((t, t, 1.0) for t in query.tokens)
        return Alignment(1.0, same, (), (), "tokens")
    scripts = (query.script, candidate.script)
    mode = "ja" if _KANA_SCRIPTS.intersection(scripts) else ""
    if not mode and _STRICT.intersection(scripts):
        mode = "strict"
    merge_key = _merge_key if mode == "ja" else _same
    q_tokens = _merge(query.tokens, candidate.tokens, merge_key)
    c_tokens = _merge(candidate.tokens, q_tokens, merge_key)
    initials = person and _INITIAL_SCRIPTS.issuperset(scripts)
    options: list[tuple[float, int, int]] = []
    for i, qt in enumerate(q_tokens):
        for j, ct in enumerate(c_tokens):
            if initials and (len(qt) == 1 or len(ct) == 1):
                initial = len(qt) != len(ct) and qt[0] == ct[0]
                sim = INITIAL_SIMILARITY if initial else (1.0 if qt == ct else 0.0)
            else:
                sim = token_similarity(qt, ct, mode, person)
            if sim >= MIN_TOKEN_SIMILARITY:
                options.append((sim, i, j))
    options.sort(key=lambda o: (-o[0], o[1], o[2]))
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[tuple[str, str, float]] = []
    matched = denominator = 0.0
    for sim, i, j in options:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        qt, ct = q_tokens[i], c_tokens[j]
        if initials and (len(qt) == 1 or len(ct) == 1):
            pair_weight = 2 * INITIAL_WEIGHT  # an initial says little
        else:
            pair_weight = _weight(weights, qt) + _weight(weights, ct)
        matched += sim * pair_weight
        denominator += pair_weight
        pairs.append((qt, ct, round(sim, 3)))
    left_q = tuple(t for i, t in enumerate(q_tokens) if i not in used_q)
    left_c = tuple(t for j, t in enumerate(c_tokens) if j not in used_c)
    # An initial left over weighs little, unless the other name has a different word there
    # ('William G. Frost' / 'William W. Frost', 'Hans O. Friedrich' / 'Hans Joachim Friedrich').
    conflict = initials and bool(left_q) and bool(left_c)
    light = initials and not conflict
    denominator += sum(_token_weight(weights, t, light) for t in left_q)
    denominator += UNMATCHED_CANDIDATE_WEIGHT * sum(
        _token_weight(weights, t, light) for t in left_c
    )
    score = matched / denominator if denominator > 0 else 0.0
    if initials and pairs and all(len(q) == 1 or len(c) == 1 for q, c, _s in pairs):
        score = min(score, 0.5)  # initials alone never make a match ('N.N.')
    best = Alignment(min(1.0, score), tuple(pairs), left_q, left_c, "tokens")
    if best.score < 1.0 and not person:
        acronym = _acronym(query, candidate)
        if acronym is not None and acronym.score > best.score:
            best = acronym
    has_initials = initials and any(len(t) == 1 for t in (*q_tokens, *c_tokens))
    left_over = bool(left_q or left_c)
    if left_over and not has_initials:  # glued, 'w' and 'g' would look alike
        minimum = 1.0 if mode == "strict" else MIN_JOINED_SIMILARITY
        joined = _joined(query, candidate, minimum, kana_fold if mode == "ja" else _same)
        if joined is not None and joined.score > best.score:
            return joined
    return best


def _same(token: str) -> str:
    return token


def _merge_key(token: str) -> str:
    # Katakana glues syllables and blurs vowels: キム・ムンチョル "munchoru" is Mun Chol.
    skeleton = kana_skeleton(token)
    return skeleton if len(skeleton) >= 3 else kana_fold(token)


def _merge(
    tokens: tuple[str, ...], others: tuple[str, ...], key: Callable[[str], str]
) -> tuple[str, ...]:
    """Glue two adjacent tokens when the other name has them as one word and neither stands
    alone there: 'patr ushev' / 'patrushev', 'pol pot' / 'polpot', 'alfa bank' / アルファバンク
    (compared through ``key``: the kana fold for Japanese readings)."""
    if len(tokens) < 2 or not others:
        return tokens
    shortest_pair = min(len(a) + len(b) for a, b in pairwise(tokens))
    if max(len(t) for t in others) < shortest_pair - 2:  # no word there is long enough
        return tokens
    other = {key(t) for t in others}
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens):
            first, second = tokens[i], tokens[i + 1]
            glued = key(first + second) in other
            if glued and key(first) not in other and key(second) not in other:
                out.append(first + second)
                i += 2
                continue
        out.append(tokens[i])
        i += 1
    return tuple(out)


def _token_weight(weights: dict[str, float], token: str, person: bool) -> float:
    return INITIAL_WEIGHT if person and len(token) == 1 else _weight(weights, token)


def _acronym(query: Form, candidate: Form) -> Alignment | None:
    """An organisation named by its initials: 'PLA' / 'People's Liberation Army'."""
    for short, long in ((query, candidate), (candidate, query)):
        if len(short.tokens) == 1 and len(long.tokens) >= 2:
            letters = "".join(t[0] for t in long.tokens if not t.isdigit())
            if short.tokens[0] == letters:
                pair = ((query.text, candidate.text, ACRONYM_SIMILARITY),)
                return Alignment(ACRONYM_SIMILARITY, pair, (), (), "acronym")
    return None


def _joined(
    query: Form, candidate: Form, minimum: float, key: Callable[[str], str]
) -> Alignment | None:
    """Compare the names glued together, in order and sorted (spacing and order ignored)."""
    q_in, c_in = key("".join(query.tokens)), key("".join(candidate.tokens))
    if min(len(q_in), len(c_in)) < 8:
        return None
    in_order = Levenshtein.normalized_similarity(q_in, c_in)
    q_sorted = key("".join(sorted(query.tokens)))
    sorted_sim = Levenshtein.normalized_similarity(q_sorted, key("".join(sorted(candidate.tokens))))
    sim, method = (in_order, "joined") if in_order >= sorted_sim else (sorted_sim, "sorted-joined")
    if sim < minimum:
        return None
    return Alignment(sim, ((query.text, candidate.text, round(sim, 3)),), (), (), method)
