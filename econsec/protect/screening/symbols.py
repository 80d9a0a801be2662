"""What a name token stands for, from rigour's name data, looked up in a table shipped with econsec.

rigour (the name library under FollowTheMoney) links tokens to *symbols*: given-name groups and
nicknames from Wikidata for persons ('william' and 'bill', 'xi' and 'shi', 'mohammed' and
'muhammad'), and abbreviations for organisations ('intl' and 'international'). Its person-name
data takes about 6 s to load in each process, so econsec looks the symbols of every token of
the real lists up once, when the tables are rebuilt (``python -m
econsec.protect.screening.tables``), and ships them as ``token_symbols.json.gz``. Scores then
need no start-up time, and a score in an audit trail can be recomputed exactly.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

TABLE = "token_symbols.json.gz"
_EMPTY: frozenset[str] = frozenset()


def rigour_symbols(token: str, person: bool) -> list[str]:
    """The symbols rigour gives one token (slow the first time: loads rigour's name data)."""
    from rigour.names import NameTypeTag, SymbolCategory, analyze_names

    if len(token) < 2 or token.isdigit():
        return []
    tag = NameTypeTag.PER if person else NameTypeTag.ORG
    wanted = (SymbolCategory.NAME, SymbolCategory.NICK) if person else (SymbolCategory.SYMBOL,)
    found = {
        f"{str(span.symbol.category).rsplit('.', 1)[-1][0]}:{span.symbol.id}"
        for name in analyze_names(tag, [token], phonetics=False, numerics=False)
        for span in name.spans
        if span.symbol.category in wanted and len(span.parts) == 1
    }
    return sorted(found)


def build_table(tokens: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """Symbols of every token with any, for persons and for organisations."""
    table: dict[str, dict[str, list[str]]] = {"person": {}, "org": {}}
    for token in sorted(set(tokens)):
        for kind, person in (("person", True), ("org", False)):
            found = rigour_symbols(token, person)
            if found:
                table[kind][token] = found
    return table


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    source = resources.files("econsec.protect.screening").joinpath(TABLE)
    if not source.is_file():
        return {}, {}
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        table = json.load(fh)
    person = {t: frozenset(ids) for t, ids in table["person"].items()}
    org = {t: frozenset(ids) for t, ids in table["org"].items()}
    return person, org


def symbols(token: str, person: bool) -> frozenset[str]:
    """The symbols of ``token`` (empty for tokens the shipped table does not know)."""
    return _tables()[0 if person else 1].get(token, _EMPTY)
