"""Comparing the allied lists: which technologies appear on which lists, and where they differ.

**Per Japan area** (:func:`compare`): for each of Japan's 20 areas, the technologies of every
other list (K Program, US CET 2022 and 2024, EU, ASPI) mapped to it through the effective
crosswalk, whether each list covers it, and the areas covered by one list only or by none.

**Equivalent technologies** (:func:`relation`). Two technologies of different lists are taken to
be the same technology, or one to hold the other's name, when they share one of Japan's
areas (or neither maps to any) and their *key words* say so. Key words are the name's Latin
words, singular, without the words every list uses ("advanced", "technologies", "systems",
"and", ...; :data:`GENERIC`):

* ``same``: the same key words ("Artificial Intelligence" = "Artificial intelligence
  technologies");
* ``within`` / ``contains``: one name's key words are a strict part of the other's ("Quantum
  sensors" contains the key words of "Quantum technologies", which is within it). Names only:
  the longer name is often the narrower technology ("Quantum sensors") but sometimes the
  longer enumeration ("Highly Automated, Autonomous, and Uncrewed Systems (UxS), and
  Robotics" contains "Autonomous Systems and Robotics");
* ``similar``: rapidfuzz ``token_set_ratio`` of the key words >= 80 ("Renewable Energy
  Generation and Storage" ~ "Clean Energy Generation and Storage", 89).

A technology is **on one list only** when no technology of another list is related to it so.

**Changes between two editions** (:func:`list_changes`, US CET 2022 -> 2024): technologies are
paired one to one, same names first, then by relation and score (greedy); a pair whose names
differ is ``renamed``; the rest were ``removed`` or ``added``. For each removed technology the
areas it covered say which technologies of the new edition still cover them; ``areas_lost`` and
``areas_gained`` are areas no longer, or newly, covered by the list.

These are statements about names and the crosswalk, not about the lists' legal scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from rapidfuzz import fuzz

from econsec.errors import NotFound
from econsec.promote.taxonomy import JAPAN, Taxonomy, Technology, same_name, words

GENERIC = frozenset(
    {"advanced", "and", "the", "of", "for", "technology", "system", "enabling", "integrated"}
)
SIMILAR = 80.0
_RANK = {"same": 0, "within": 1, "contains": 1, "similar": 2}


@cache
def key_words(name: str) -> frozenset[str]:
    """The words of a name that say what it is (see the module docstring)."""
    return frozenset(w for w in words(name) if w not in GENERIC and w != "uxs")


@dataclass(frozen=True, slots=True)
class Related:
    """A technology of another list and how its name relates (``same``, ``within``: its key
    words are part of this one's, ``contains``, ``similar``) with a score (0-100)."""

    technology: Technology
    relation: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        t = self.technology
        return {"key": t.key, "name_en": t.name_en, "relation": self.relation, "score": self.score}


def relation(a: Technology, b: Technology) -> tuple[str, float] | None:
    """How ``b``'s name relates to ``a``'s (``within``: b's key words are part of a's), or
    None when they share no area or their names are unrelated."""
    if (a.areas or b.areas) and not any(x in b.areas for x in a.areas):
        return None
    ka, kb = key_words(a.name_en), key_words(b.name_en)
    if not ka or not kb:
        return None
    if ka == kb or same_name(a.name_en, b.name_en):
        return "same", 100.0
    if kb < ka:
        return "within", 100.0
    if ka < kb:
        return "contains", 100.0
    score = round(fuzz.token_set_ratio(" ".join(sorted(ka)), " ".join(sorted(kb))), 1)
    return ("similar", score) if score >= SIMILAR else None


def equivalents(taxonomy: Taxonomy, technology: Technology) -> list[Related]:
    """The technologies of the other lists (Japan's areas aside) related to ``technology``,
    closest first."""
    out = []
    for other in taxonomy.technologies:
        if other.list in (JAPAN, technology.list):
            continue
        found = relation(technology, other)
        if found is not None:
            out.append(Related(other, *found))
    return sorted(out, key=lambda r: (_RANK[r.relation], -r.score))


def _brief(t: Technology, area: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"key": t.key, "name_en": t.name_en, "areas": list(t.areas)}
    link = next((link for link in t.links if link.area == area), None)
    if link is not None:
        out.update(confidence=link.confidence, origin=link.origin)
    return out


def list_changes(taxonomy: Taxonomy, old: str, new: str, area: str | None = None) -> dict[str, Any]:
    """What changed from list ``old`` to list ``new`` (see the module docstring); ``area``
    keeps the entries that touch that Japan area."""
    old_id, new_id = taxonomy.list_id(old), taxonomy.list_id(new)
    before = [t for t in taxonomy.technologies if t.list == old_id]
    after = [t for t in taxonomy.technologies if t.list == new_id]
    pairs = []
    for i, a in enumerate(before):
        for j, b in enumerate(after):
            found = relation(a, b)
            if found is not None:
                pairs.append((_RANK[found[0]], -found[1], i, j, found))
    paired: dict[int, tuple[int, tuple[str, float]]] = {}
    taken: set[int] = set()
    for _, _, i, j, found in sorted(pairs):
        if i not in paired and j not in taken:
            paired[i] = (j, found)
            taken.add(j)
    kept: list[str] = []
    renamed: list[dict[str, Any]] = []
    for i, (j, (kind, score)) in sorted(paired.items()):
        a, b = before[i], after[j]
        if a.name_en == b.name_en:
            kept.append(a.name_en)
        else:
            renamed.append({"from": _brief(a), "to": _brief(b), "relation": kind, "score": score})
    covered_after = _covered(after)
    removed = []
    for i, a in enumerate(before):
        if i in paired:
            continue
        still = {x: [t.name_en for t in after if x in t.areas] for x in a.areas}
        removed.append({**_brief(a), "still_covered_by": still})
    added = [_brief(b) for j, b in enumerate(after) if j not in taken]
    out: dict[str, Any] = {
        "from": old_id,
        "to": new_id,
        "counts": {old_id: len(before), new_id: len(after)},
        "kept": kept,
        "renamed": renamed,
        "removed": removed,
        "added": added,
        "areas_lost": sorted(_covered(before) - covered_after),
        "areas_gained": sorted(covered_after - _covered(before)),
    }
    if area is not None:
        area_id = taxonomy.area(area).id
        for part in ("removed", "added"):
            out[part] = [e for e in out[part] if area_id in e["areas"]]
        out["renamed"] = [
            e for e in renamed if area_id in e["from"]["areas"] or area_id in e["to"]["areas"]
        ]
        out["kept"] = [
            a.name_en
            for i, a in enumerate(before)
            if a.name_en in kept and area_id in a.areas and i in paired
        ]
        out["areas_lost"] = [x for x in out["areas_lost"] if x == area_id]
        out["areas_gained"] = [x for x in out["areas_gained"] if x == area_id]
    return out


def _covered(technologies: list[Technology]) -> set[str]:
    return {area for t in technologies for area in t.areas}


def compare(taxonomy: Taxonomy, area: str | None = None) -> dict[str, Any]:
    """The ally comparison document (see the module docstring); ``area`` keeps one area."""
    lists = [name for name in taxonomy.lists if name != JAPAN]
    chosen = [taxonomy.area(area)] if area else list(taxonomy.areas.values())
    areas = []
    for a in chosen:
        members = taxonomy.members(a.id)
        present = {name: bool(members[name]) for name in lists}
        on = [name for name in lists if present[name]]
        areas.append(
            {
                "area": a.id,
                "name_en": a.name_en,
                "name_ja": a.name_ja,
                "present": present,
                "count": {name: len(members[name]) for name in lists},
                "lists_present": len(on),
                "only_on": on[0] if len(on) == 1 else None,
                "missing_from": [name for name in lists if not present[name]],
                "technologies": {name: [_brief(t, a.id) for t in members[name]] for name in lists},
            }
        )
    allied = [t for t in taxonomy.technologies if t.list != JAPAN]
    area_id = chosen[0].id if area else None
    single = [
        {**_brief(t), "list": t.list}
        for t in allied
        if (area_id is None or area_id in t.areas)
        and not any(o.list != t.list and relation(t, o) for o in allied)
    ]
    out: dict[str, Any] = {
        "lists": {name: taxonomy.lists[name].to_dict() for name in lists},
        "areas": areas,
        "summary": {
            "areas_on_every_list": [r["area"] for r in areas if r["lists_present"] == len(lists)],
            "areas_on_one_list": {r["area"]: r["only_on"] for r in areas if r["only_on"]},
            "areas_on_no_list": [r["area"] for r in areas if r["lists_present"] == 0],
        },
        "one_list_only": single,
        "unmapped": {
            name: [t.key for t in allied if t.list == name and not t.areas]
            for name in lists
            if area is None
        },
        "notes": notes(taxonomy),
    }
    if {"us_cet_2022", "us_cet_2024"} <= set(lists):
        out["us_2022_vs_2024"] = list_changes(taxonomy, "us_cet_2022", "us_cet_2024", area)
    return out


def notes(taxonomy: Taxonomy) -> list[str]:
    """What the reader of a comparison must know about the lists' completeness."""
    out = []
    for name, tl in taxonomy.lists.items():
        if name.startswith("k_program") and tl.stated != str(tl.count):
            out.append(
                f"{name}: the source file lists {tl.count} example technologies of the "
                f"{tl.stated} in the vision; areas it seems to miss may be covered by the rest"
            )
    aspi = taxonomy.lists.get("aspi_tracker")
    if aspi is not None:
        out.append(f"aspi_tracker: {aspi.count} technologies ({aspi.stated}, the 2025 additions)")
    out.append(
        "Links of origin 'file' and 'econsec' are low confidence except where the names are "
        "identical; see each link's confidence and origin"
    )
    return out


def describe(taxonomy: Taxonomy, ident: str) -> dict[str, Any]:
    """What ``show ID`` prints: the technologies ``ident`` names (``LIST:ID``, a bare id: every
    list's, or a Japan area's id or name), each with the related technologies of the other
    lists; for a Japan area, what each list maps to it."""
    try:
        area: Any = taxonomy.area(ident)
    except NotFound:
        area = None
    try:
        found = taxonomy.resolve(ident)
    except NotFound:
        if area is None:
            raise
        found = [t for t in taxonomy.technologies if t.list == JAPAN and t.id == area.id]
    technologies = []
    for t in found:
        related = [] if t.list == JAPAN else [r.to_dict() for r in equivalents(taxonomy, t)]
        technologies.append({**t.to_dict(), "related": related})
    out: dict[str, Any] = {"query": ident, "technologies": technologies, "area": None}
    if area is not None:
        members = taxonomy.members(area.id)
        out["area"] = {
            **area.to_dict(),
            "technologies": {
                name: [_brief(t, area.id) for t in found] for name, found in members.items()
            },
        }
    return out
