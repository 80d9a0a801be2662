"""Sectors of needs and multi-use seeds.

A need's sector is its own ``sector`` value or is read from its agency name (English or
Japanese) by :func:`sector_of`: ``defence``, ``space``, ``health``, ``energy``,
``public_safety`` or ``civil`` (science, commerce, agriculture, transport, environment,
education). The patterns are tried in that order, so the US Defense Health Program is defence
and NASA is space. A seed is *multi-use* (:func:`multi_use`) when it is among the top matches of
needs from at least ``min_sectors`` sectors: the policy's "multi-use" (civil, public and
defence) seeds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from econsec.promote.matching import NeedMatches

#: Sectors of needs, tried in this order (a DoD health programme is defence).
SECTORS: tuple[tuple[str, str], ...] = (
    (
        "defence",
        r"defen[cs]e|air force|navy|army|darpa|socom|special operations|threat reduction"
        r"|\bdod\b|\bmda\b|\bdtra\b|\batla\b|防衛|自衛隊|装備庁",
    ),
    ("space", r"\bnasa\b|aeronautics and space|\bjaxa\b|宇宙"),
    (
        "health",
        r"health|\bnih\b|\bhhs\b|national institutes? of|medic|\bcdc\b|\bfda\b|\bamed\b"
        r"|厚生|医療",
    ),
    ("energy", r"energy|\bdoe\b|\bnedo\b|エネルギー|資源"),
    ("public_safety", r"homeland|\bdhs\b|police|警察|消防|防災"),
    (
        "civil",
        r"science foundation|\bnsf\b|commerce|\bnist\b|\bnoaa\b|agricultur|\busda\b"
        r"|transportation|\bdot\b|environment|\bepa\b|education|\bjst\b|文部科学|経済産業|総務"
        r"|国土交通|農林|環境",
    ),
)
_SECTOR_RX = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in SECTORS]


def sector_of(agency: str | None) -> str | None:
    """The sector (``defence``, ``space``, ``health``, ``energy``, ``public_safety``, ``civil``)
    an agency name (English or Japanese) belongs to, or None when it is not recognised."""
    if not agency:
        return None
    for name, rx in _SECTOR_RX:
        if rx.search(agency):
            return name
    return None


@dataclass(slots=True)
class MultiUse:
    """A seed among the top matches of needs from several sectors."""

    seed: str
    sectors: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        """``{"seed", "sector_count", "sectors": {SECTOR: [NEED, ...]}}``."""
        return {"seed": self.seed, "sector_count": len(self.sectors), "sectors": self.sectors}


def multi_use(
    results: Sequence[NeedMatches], need_sectors: Mapping[str, str | None], *, min_sectors: int = 2
) -> list[MultiUse]:
    """Seeds matched by needs of at least ``min_sectors`` sectors, most sectors first; also
    writes each match's ``sectors`` (all sectors of its seed, when there are several)."""
    by_seed: dict[str, dict[str, list[str]]] = {}
    for result in results:
        sector = need_sectors.get(result.need)
        if sector is None:
            continue
        for match in result.matches:
            by_seed.setdefault(match.seed, {}).setdefault(sector, []).append(result.need)
    found = [
        MultiUse(s, dict(sorted(v.items()))) for s, v in by_seed.items() if len(v) >= min_sectors
    ]
    found.sort(key=lambda m: (-len(m.sectors), -sum(map(len, m.sectors.values())), m.seed))
    tags = {m.seed: list(m.sectors) for m in found}
    for result in results:
        for match in result.matches:
            match.sectors = tags.get(match.seed, [])
    return found


def need_sectors(
    ids: Sequence[str], sectors: Sequence[str | None] | None, agencies: Sequence[str | None] | None
) -> dict[str, str | None]:
    """Each need's sector: its own ``sector`` when given, else the one of its agency."""
    out: dict[str, str | None] = {}
    for n, need in enumerate(ids):
        given = sectors[n] if sectors is not None else None
        out[need] = given.strip().lower() if given else sector_of(agencies[n] if agencies else None)
    return out
