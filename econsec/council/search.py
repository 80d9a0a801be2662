"""Words of a document for the blind search index, and snippets of the matches.

Latin, Cyrillic and other spaced scripts are indexed by words (NFKC, case-folded, two letters
or more); Japanese and Chinese, written without spaces, by overlapping pairs of characters (a
query is found when every pair of it is in the document). Each term is stored only as a keyed
digest (:meth:`econsec.security.crypto.Keys.term`).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3]")
MAX_TERMS = 200_000


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def terms(text: str) -> set[str]:
    """The index terms of ``text``."""
    out: set[str] = set()
    for word in _WORD.findall(_normal(text)):
        run: list[str] = []
        for char in word + " ":
            if _CJK.match(char):
                run.append(char)
                continue
            if run:
                out.update(a + b for a, b in pairwise(run))
                if len(run) == 1:
                    out.add(run[0])
                run = []
        latin = _CJK.sub(" ", word).split()
        out.update(w for w in latin if len(w) >= 2)
        if len(out) > MAX_TERMS:
            break
    return out


def snippet(text: str, query: str, width: int = 80) -> str:
    """The text around the first place a word of ``query`` occurs (``width`` characters)."""
    haystack = _normal(text)
    words = sorted(_WORD.findall(_normal(query)), key=len, reverse=True)
    position = next((haystack.find(w) for w in words if haystack.find(w) >= 0), 0)
    start = max(0, position - width // 3)
    piece = " ".join(text[start : start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
