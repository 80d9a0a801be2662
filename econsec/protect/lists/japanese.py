"""Japanese list text the METI and MOF readers share: bracketed groups and country names.

:func:`groups` and :func:`strip_groups` read the (NFKC, so ASCII) brackets Japanese lists put
around aliases, Chinese names and legal forms. :func:`countries_in` finds countries named in
Japanese (ICU's Japanese locale plus usual variants) or English.
"""

from __future__ import annotations

import re
from functools import cache

import icu
from followthemoney.types import registry

KATAKANA = "\u30a0-\u30ff"
LATIN = re.compile(r"[A-Za-z]")
EXTRA_COUNTRIES = {
    "北朝鮮": "kp", "朝鮮民主主義人民共和国": "kp", "大韓民国": "kr", "中華人民共和国": "cn",
    "香港": "hk", "英国": "gb", "米国": "us", "ロシア連邦": "ru", "クウェイト": "kw",
    "サウディ・アラビア": "sa", "シリア・アラブ共和国": "sy", "イラン・イスラム共和国": "ir",
    "パレスチナ": "ps", "グルジア": "ge", "コンゴ民主共和国": "cd", "ミャンマー": "mm",
}  # fmt: skip


def strip_groups(text: str) -> str:
    """The text without bracketed groups (nested ones too)."""
    while (stripped := re.sub(r"\([^()]*\)", "", text)) != text:
        text = stripped
    return text


def groups(text: str) -> list[str]:
    """The contents of the top-level bracketed groups of ``text``."""
    found, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth, start = depth + 1, (i + 1 if depth == 0 else start)
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                found.append(text[start:i])
    return found


@cache
def country_names() -> list[tuple[str, str]]:
    """Japanese country names (from ICU, plus usual variants), longest first."""
    locale, names = icu.Locale("ja"), dict[str, str]()
    for code in sorted(registry.country.names):
        if len(code) == 2:
            name = icu.Locale("", code.upper()).getDisplayCountry(locale)
            if name != code.upper():
                names.setdefault(name, code)
                names.setdefault(re.sub(r"\s*\(.*\)", "", name), code)
    names.update(EXTRA_COUNTRIES)
    return sorted(names.items(), key=lambda item: -len(item[0]))


def countries_in(text: str) -> list[str]:
    """Country codes named in a Japanese or English text (a katakana name must not be part of a
    longer katakana word: マリ is not in マリアル)."""
    found: list[str] = []
    for name, code in country_names():
        pattern = rf"(?<![{KATAKANA}]){re.escape(name)}(?![{KATAKANA}])"
        if re.search(pattern, text):
            found.append(code)
            text = re.sub(pattern, " ", text)
    for token in re.split(r"[,()\n、;]", text):
        latin = registry.country.clean(token.strip(" .")) if LATIN.search(token) else None
        found += [latin] if latin else []
    return list(dict.fromkeys(found))
