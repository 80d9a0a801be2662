"""The technology taxonomy: Japan's 20 technology areas and the lists set beside them (the K
Program's R&D vision, the US CET lists of 2022 and 2024, the EU's 10 areas, ASPI's 64 + 10
technologies), with each technology's crosswalk to Japan's areas.

Lists keep the ids of the ``critical_technologies`` dataset: ``japan_20_areas``,
``k_program_vision_1``, ``us_cet_2022``, ``us_cet_2024``, ``eu_2023``, ``aspi_tracker``. A
technology's key is ``LIST:ID`` (``us_cet_2024:directed_energy``); its id is the dataset's
``tech_id`` (a slug of the English name; an area's own id for Japan's areas).

**Links and their confidence.** Each link from a technology to one of Japan's areas says where it
comes from (``origin``) and how sure it is:

* ``file``: the file's ``crosswalk_jp``. The file states that the mapping "is our judgement
  (confidence: low) except where a name is identical", so a link is ``high`` when the
  technology's name is the area's name (NFKC, case-folded, plurals folded: "Biotechnologies" is
  "Biotechnology") and ``low`` otherwise.
* ``econsec``: econsec's supplement for records the file maps to nothing
  (:data:`econsec.datasets.technologies.SUPPLEMENT`), by the same rule.
* ``identity``: each of Japan's areas maps to itself (``high``).
* ``edit``: a user's edit (:mod:`econsec.promote.crosswalk_store`), with its confidence and reason.

The shipped links are never changed in place: :func:`econsec.promote.crosswalk_store.apply_edits`
returns a new taxonomy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from econsec.datasets import policy_schemas as schema
from econsec.datasets.policy import technology_rows
from econsec.datasets.technologies import SUPPLEMENT
from econsec.errors import InvalidInput, NotFound

JAPAN = "japan_20_areas"
CONFIDENCE = ("low", "medium", "high")
#: Short names accepted wherever a list is named (``--list us2024``).
ALIASES = {
    "japan": JAPAN,
    "jp": JAPAN,
    "k": "k_program_vision_1",
    "k_program": "k_program_vision_1",
    "kprogram": "k_program_vision_1",
    "us2022": "us_cet_2022",
    "us2024": "us_cet_2024",
    "eu": "eu_2023",
    "aspi": "aspi_tracker",
}
_ALLY = {
    JAPAN: "Japan",
    "us_cet_2022": "United States",
    "us_cet_2024": "United States",
    "eu_2023": "European Union",
    "aspi_tracker": "ASPI (Australia)",
}


@dataclass(frozen=True, slots=True)
class Link:
    """A technology's link to one of Japan's areas."""

    area: str
    confidence: str  # low | medium | high
    origin: str  # file | econsec | identity | edit
    reason: str | None = None
    edit: int | None = None  # the edit that made it

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "area": self.area,
            "confidence": self.confidence,
            "origin": self.origin,
            "reason": self.reason,
            "edit": self.edit,
        }


@dataclass(frozen=True, slots=True)
class Technology:
    """One technology of one list with its (effective) crosswalk."""

    list: str
    id: str
    name_en: str
    name_ja: str | None
    domain: str | None  # ASPI's domain; the K Program's vision otherwise None
    note: str | None
    source: str
    confidence: str  # of the record (names), as the file states it
    links: tuple[Link, ...]
    added: str | None = None  # "2025" for ASPI's 2025 additions
    edited: bool = False

    @property
    def key(self) -> str:
        """``LIST:ID``."""
        return f"{self.list}:{self.id}"

    @property
    def areas(self) -> tuple[str, ...]:
        """Ids of the Japan areas it maps to."""
        return tuple(link.area for link in self.links)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "key": self.key,
            "list": self.list,
            "id": self.id,
            "name_en": self.name_en,
            "name_ja": self.name_ja,
            "domain": self.domain,
            "note": self.note,
            "added": self.added,
            "source": self.source,
            "confidence": self.confidence,
            "crosswalk": [link.to_dict() for link in self.links],
            "edited": self.edited,
        }


@dataclass(frozen=True, slots=True)
class TechList:
    """A list as the file describes it."""

    id: str
    ally: str
    title: str
    date: str | None
    count: int  # technologies listed
    stated: str  # the count as the file states it ("64 + 10")
    source: str
    confidence: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {f: getattr(self, f) for f in self.__slots__}


@dataclass(frozen=True, slots=True)
class Area:
    """One of Japan's 20 technology areas."""

    id: str
    name_en: str
    name_ja: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.id, "name_en": self.name_en, "name_ja": self.name_ja}


@dataclass(frozen=True)
class Taxonomy:
    """Japan's areas, the lists and their technologies (in file order)."""

    as_of: str
    areas: dict[str, Area]
    lists: dict[str, TechList]
    technologies: tuple[Technology, ...]
    provenance: dict[str, Any] = field(default_factory=dict)
    orphans: tuple[dict[str, Any], ...] = ()  # edits that name what no longer exists

    def list_id(self, name: str) -> str:
        """A list's id from its id or short name; NotFound naming the lists."""
        key = name.strip().casefold().replace("-", "_")
        key = ALIASES.get(key, key)
        if key not in self.lists:
            known = ", ".join([*self.lists, *ALIASES])
            raise NotFound(f"no technology list {name!r} (lists: {known})", list=name)
        return key

    def area(self, name: str) -> Area:
        """One of Japan's areas by id (or exact English or Japanese name)."""
        folded = fold(name)
        for area in self.areas.values():
            if folded in (area.id, fold(area.name_en), fold(area.name_ja)):
                return area
        raise NotFound(
            f"no Japan technology area {name!r} (areas: {', '.join(self.areas)})", area=name
        )

    def browse(self, list_name: str | None = None, area: str | None = None) -> list[Technology]:
        """The technologies of a list and/or mapped to one of Japan's areas, in file order."""
        wanted = self.list_id(list_name) if list_name else None
        area_id = self.area(area).id if area else None
        return [
            t
            for t in self.technologies
            if (wanted is None or t.list == wanted) and (area_id is None or area_id in t.areas)
        ]

    def members(self, area: str) -> dict[str, list[Technology]]:
        """Which technologies of each list (Japan's own excluded) map to ``area``."""
        area_id = self.area(area).id
        out: dict[str, list[Technology]] = {name: [] for name in self.lists if name != JAPAN}
        for t in self.technologies:
            if t.list != JAPAN and area_id in t.areas:
                out[t.list].append(t)
        return out

    def resolve(self, ident: str) -> list[Technology]:
        """``LIST:ID`` (list by id or short name), or a bare id: every technology with it."""
        if ":" in ident:
            list_name, _, tech = ident.partition(":")
            wanted = self.list_id(list_name)
            found = [t for t in self.technologies if t.list == wanted and t.id == tech.strip()]
        else:
            found = [t for t in self.technologies if t.id == ident.strip()]
        if not found:
            hint = ", ".join(t.key for t in self.similar(ident))
            raise NotFound(
                f"no technology {ident!r}" + (f" (did you mean: {hint})" if hint else ""),
                technology=ident,
            )
        return found

    def one(self, ident: str) -> Technology:
        """Exactly one technology; InvalidInput listing the keys when a bare id is ambiguous."""
        found = self.resolve(ident)
        if len(found) > 1:
            keys = ", ".join(t.key for t in found)
            raise InvalidInput(f"{ident!r} is on several lists; name one of: {keys}")
        return found[0]

    def similar(self, ident: str, limit: int = 3) -> list[Technology]:
        """The technologies whose key is closest to ``ident`` (for hints)."""
        from rapidfuzz import fuzz, process

        keys = [t.key for t in self.technologies]
        hits = process.extract(ident, keys, scorer=fuzz.partial_ratio, limit=limit)
        return [self.technologies[i] for _, score, i in hits if score >= 70]

    def counts(self) -> dict[str, int]:
        """Technologies listed per list."""
        return {name: tl.count for name, tl in self.lists.items()}


# -- names --------------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """NFKC, case-folded, hiragana as katakana, spaces collapsed: the form names compare in."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
    return " ".join(text.split())


@lru_cache(maxsize=16384)
def words(name: str) -> tuple[str, ...]:
    """The Latin words of a name, folded, plurals made singular ("technologies" ->
    "technology", "sensors" -> "sensor"; not "-ss", "-us", "-is")."""
    out = []
    for word in re.findall(r"[a-z0-9]+", fold(name)):
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        out.append(word)
    return tuple(out)


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same name (word for word, see :func:`words`)."""
    return bool(words(a)) and words(a) == words(b)


# -- building ------------------------------------------------------------------------------


def _lists(doc: schema.TechnologiesFile, counted: dict[str, int]) -> dict[str, TechList]:
    def made(name: str, block: Any, title: str, date: str | None, stated: str) -> TechList:
        return TechList(
            name,
            _ALLY.get(name, "Japan"),
            title,
            date,
            counted.get(name, 0),
            stated,
            block.source,
            block.confidence,
        )

    japan = doc.japan_20_areas
    lists = {
        JAPAN: made(JAPAN, japan, "Japan's 20 technology areas", None, str(japan.count)),
    }
    for v, vision in enumerate(doc.k_program.visions if doc.k_program else []):
        name = f"k_program_vision_{v + 1}"
        if name in counted:
            stated = str((vision.model_extra or {}).get("technology_count", "?"))
            lists[name] = made(name, vision, f"K Program: {vision.name_ja}", vision.date, stated)
    for name, block in (
        ("us_cet_2022", doc.us_cet_2022),
        ("us_cet_2024", doc.us_cet_2024),
        ("eu_2023", doc.eu_2023),
    ):
        date = (block.model_extra or {}).get("date")  # an extra key of the block
        lists[name] = made(name, block, block.name, date, str(block.count))
    aspi = doc.aspi_tracker
    launched = (aspi.model_extra or {}).get("launched")
    stated = f"{aspi.count_2024} + {aspi.count_2025 - aspi.count_2024}"
    lists["aspi_tracker"] = made("aspi_tracker", aspi, aspi.name, launched, stated)
    return lists


def build(doc: schema.TechnologiesFile, provenance: dict[str, Any] | None = None) -> Taxonomy:
    """The shipped taxonomy of a validated file: the file's links, econsec's supplement for
    records it leaves unmapped, Japan's areas mapped to themselves."""
    areas = {a.id: Area(a.id, a.name_en, a.name_ja) for a in doc.japan_20_areas.areas}
    technologies = []
    for key, row in technology_rows(doc):
        name, tech_id = row["list"], row["tech_id"]
        if name == JAPAN:
            links: tuple[Link, ...] = (Link(tech_id, "high", "identity"),)
        elif row["crosswalk_jp"]:
            links = _links(row["name_en"], row["crosswalk_jp"], "file", areas)
        else:
            links = _links(row["name_en"], SUPPLEMENT.get((name, tech_id), ()), "econsec", areas)
        technologies.append(
            Technology(
                list=name,
                id=tech_id,
                name_en=row["name_en"],
                name_ja=row["name_ja"],
                domain=row["domain"],
                note=row["note"],
                source=row["source"],
                confidence=row["confidence"],
                links=links,
                added="2025" if "added_2025" in key else None,
            )
        )
    counted: dict[str, int] = {}
    for t in technologies:
        counted[t.list] = counted.get(t.list, 0) + 1
    return Taxonomy(
        doc.as_of, areas, _lists(doc, counted), tuple(technologies), dict(provenance or {})
    )


def _links(name: str, ids: Iterable[str], origin: str, areas: dict[str, Area]) -> tuple[Link, ...]:
    return tuple(
        Link(a, "high" if same_name(name, areas[a].name_en) else "low", origin)
        for a in ids
        if a in areas
    )
