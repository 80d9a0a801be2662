"""How much a shared token says: rare tokens weigh 1, the most common down to 0.25.

The weights come from a token frequency table shipped with econsec (``token_df.json.gz``):
for each token of the names on the OFAC SDN, UN Security Council, EU, METI and MOF lists, the
number of names it appears in (tokens in fewer than three names are left out; they weigh 1). A
fixed table keeps scores stable: ``compare`` gives the same score whatever lists happen to be
loaded, and a score in an audit trail can be recomputed. The table is rebuilt with
``python -m econsec.protect.screening.tables`` from the loaded lists
(:func:`build_table`), when the lists' vocabulary has moved.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from econsec.protect.screening.normalise import forms

TABLE = "token_df.json.gz"
#: Tokens in fewer names than this are not stored (they weigh 1).
MIN_DF = 3
#: Weight of a token found in every name.
FLOOR = 0.25


def weight(df: int, names: int) -> float:
    """The weight of a token found in ``df`` of ``names`` names."""
    if df < MIN_DF or names <= MIN_DF:
        return 1.0
    rarity = math.log(names / df) / math.log(names / MIN_DF)
    return round(FLOOR + (1 - FLOOR) * min(1.0, max(0.0, rarity)), 4)


def build_table(names: Iterable[tuple[str, bool]]) -> dict[str, object]:
    """The frequency table of ``(name, is_organisation)`` pairs: every token of every reading of
    each name counted once per name."""
    counts: Counter[str] = Counter()
    total = 0
    for name, org in names:
        tokens = {t for form in forms(name, org) for t in form.tokens}
        if tokens:
            total += 1
            counts.update(tokens)
    return {
        "names": total,
        "df": {t: n for t, n in sorted(counts.items()) if n >= MIN_DF},
    }


@lru_cache(maxsize=1)
def token_weights() -> dict[str, float]:
    """Token -> weight from the shipped table (tokens not in it weigh 1)."""
    source = resources.files("econsec.protect.screening").joinpath(TABLE)
    if not source.is_file():
        return {}
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        table = json.load(fh)
    names = int(table["names"])
    return {token: weight(int(df), names) for token, df in table["df"].items()}


def write_table(table: dict[str, object], path: Path) -> None:
    """Write a table as gzipped JSON (deterministic bytes: sorted keys, no timestamp)."""
    data = json.dumps(table, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)
