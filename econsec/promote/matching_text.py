"""Text analysis for seeds-needs matching: language, retrieval terms, passages.

Texts are cut at whitespace into *chunks*; each distinct chunk is analysed once and cached, so
an 85,000-abstract corpus costs one analysis per distinct chunk (about 10 % of the chunks).

- English chunks (no Japanese script): NFKC, lower case, ``[a-z0-9]+`` words, the Snowball
  English stop list, the Snowball (Porter 2) English stemmer from PyStemmer. Numbers and
  single letters are kept: on the SBIR evaluation dropping them lost 3 points of recall@10
  (topic calls state figures such as "10 kV" that the awards answering them repeat).
- Japanese chunks: MeCab through fugashi with the UniDic-lite dictionary (both registry
  packages, nothing downloaded). Content words are kept (nouns, verbs, adjectives, adjectival
  nouns, prefixes; no numerals, no auxiliaries or light verbs such as する), as their UniDic
  lemma: the lemma unifies spelling variants (コンピュータ and コンピューター are both
  ``コンピューター``). For katakana loanwords UniDic gives the English source word
  (``コンピューター-computer``); it is added as a stemmed English term, which lets a Japanese
  need reach an English seed on loanwords (コンピュータ → ``comput``). Latin words inside
  Japanese text go through the English analysis.
- ``plain`` mode (the evaluation baseline): lower-case ``\\w+`` words, no stop list, no
  stemming, no lemmas.

The language of a whole text is the majority script (:func:`detect_language`); chunks are
analysed by their own script, so mixed texts (Japanese with English acronyms) work.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

Mode = Literal["full", "plain"]

#: Stripped from both ends of a chunk (ASCII punctuation and typographic quotes).
PUNCTUATION = string.punctuation + "\u201c\u201d\u2018\u2019\u2026"

_JA_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")
_EN_WORD = re.compile(r"[a-z0-9]+")
_PLAIN_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|(?<=[。\uff01\uff1f])|\n\s*\n|\n(?=\s*[-•*])"
)

#: The Snowball English stop list (snowballstem.org/algorithms/english/stop.txt).
STOP_EN = frozenset(
    str.split(
        """a about above after again against all am an and any are as at be because been before
    being below between both but by can cannot could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself let me more most my myself no nor not of off on once only or other ought
    our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself
    yourselves"""
    )
)

#: UniDic lemmas that carry no topic (light verbs, formal nouns, demonstratives).
STOP_JA = frozenset(
    str.split(
        "為る 有る 居る 成る 出来る 言う 思う 見る 行く 来る 事 物 為 様 此れ 其れ 所 方 等 時 中 "
        "上 下 後 前 他 毎 的 化 性 者 度 際 つ 又 及び 並び"
    )
)

#: UniDic parts of speech kept as content words.
_JA_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接頭辞"})


def normalise(chunk: str) -> str:
    """A chunk as the index keys it: lower case, without punctuation at either end."""
    return chunk.lower().strip(PUNCTUATION)


def detect_language(text: str) -> Literal["en", "ja"]:
    """``ja`` when Japanese characters (kana, kanji) are at least 20 % of the letters, else ``en``.

    Kanji alone cannot tell Japanese from Chinese; this project's non-English texts are Japanese.
    """
    ja = len(_JA_CHAR.findall(text))
    latin = len(_LATIN.findall(text))
    return "ja" if ja and ja >= 0.2 * (ja + latin) else "en"


@lru_cache(maxsize=1)
def tagger() -> Any:
    """The process's one MeCab tagger with UniDic-lite (about 0.2 s to open; matching and the
    taxonomy search share it)."""
    import fugashi

    return fugashi.Tagger()


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[list[str]], list[str]]:
    import Stemmer  # type: ignore[import-not-found,unused-ignore]  # PyStemmer has no stubs

    stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords  # type: ignore[no-any-return]


class Analyzer:
    """Turns a whitespace chunk into retrieval terms, caching every chunk it has seen.

    ``display`` keeps, for each term, the first word it came from (to show matched terms).
    """

    def __init__(self, mode: Mode = "full") -> None:
        self.mode: Mode = mode
        self.display: dict[str, str] = {}
        self._cache: dict[str, list[str]] = {}

    def chunks(self, chunks: list[str]) -> list[list[str]]:
        """The terms of each chunk (English chunks are stemmed in one batch)."""
        out: list[list[str] | None] = [self._cache.get(c) for c in chunks]
        todo = [i for i, terms in enumerate(out) if terms is None]
        if self.mode == "plain":
            for i in todo:
                out[i] = self._plain(chunks[i])
        else:
            english: list[tuple[int, list[str]]] = []
            for i in todo:
                chunk = unicodedata.normalize("NFKC", chunks[i])
                if _JA_CHAR.search(chunk):
                    out[i] = self._japanese(chunk)
                else:
                    english.append((i, self._english_words(chunk)))
            self._stem_into(english, out)
        result: list[list[str]] = []
        for chunk, terms in zip(chunks, out, strict=True):
            assert terms is not None
            self._cache[chunk] = terms
            result.append(terms)
        return result

    def text(self, text: str) -> list[str]:
        """All terms of a text, in order."""
        return [t for terms in self.chunks([normalise(c) for c in text.split()]) for t in terms]

    def _plain(self, chunk: str) -> list[str]:
        words = _PLAIN_WORD.findall(unicodedata.normalize("NFKC", chunk).lower())
        if _JA_CHAR.search(chunk):
            words = [w.surface for w in tagger()(chunk) if _PLAIN_WORD.match(w.surface)]
        for word in words:
            self.display.setdefault(word, word)
        return list(words)

    @staticmethod
    def _english_words(chunk: str) -> list[str]:
        return [w for w in _EN_WORD.findall(chunk.lower()) if w not in STOP_EN]

    def _stem_into(self, english: list[tuple[int, list[str]]], out: list[list[str] | None]) -> None:
        words = sorted({w for _, ws in english for w in ws})
        stems = dict(zip(words, _stemmer()(words), strict=True))
        for word in words:
            self.display.setdefault(stems[word], word)
        for i, ws in english:
            out[i] = [stems[w] for w in ws]

    def _japanese(self, chunk: str) -> list[str]:
        terms: list[str] = []
        for word in tagger()(chunk):
            surface = word.surface
            if not _JA_CHAR.search(surface):
                for term in self._english(surface):
                    terms.append(term)
                continue
            feature = word.feature
            if feature.pos1 not in _JA_POS or feature.pos2 in ("数詞", "非自立可能"):
                continue
            lemma = feature.lemma or surface
            lemma, _, gloss = lemma.partition("-")
            if lemma in STOP_JA:
                continue
            self.display.setdefault(lemma, surface)
            terms.append(lemma)
            if gloss and gloss.isascii():
                terms.extend(self._english(gloss))
        return terms

    def _english(self, chunk: str) -> list[str]:
        words = self._english_words(chunk)
        stems = _stemmer()(words) if words else []
        for word, stem in zip(words, stems, strict=True):
            self.display.setdefault(stem, word)
        return list(stems)


def passages(text: str, *, max_words: int = 60, window: int = 40) -> list[str]:
    """The text cut into sentences; a "sentence" longer than ``max_words`` words (text whose
    punctuation was stripped, as in many scraped SBIR abstracts) into ``window``-word pieces."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        words = sentence.split(" ")
        if len(words) <= max_words:
            out.append(sentence)
            continue
        out.extend(" ".join(words[i : i + window]) for i in range(0, len(words), window))
    return out
