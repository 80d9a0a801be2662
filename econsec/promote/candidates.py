"""Candidate technologies for R&D vision scoring, built from one list of the taxonomy.

The result is a problem document in the format of ``docs/promote-portfolio.md`` (read back by
:mod:`econsec.datasets.promote_problem`): one candidate per technology of the list, with its
names, its areas among Japan's 20 (the crosswalk's) and the criteria the data can give:

* ``other_lists`` (benefit): how many lists of *other* governments or bodies (not the
  candidate's own list nor a list of the same ally) name a technology in one of the candidate's
  areas, through the crosswalk: 0 to 4 for a K Program technology (US CET 2022, US CET 2024,
  the EU's areas, ASPI's tracker). A sign of shared concern, not of importance as such.
* ``jp_strength`` (benefit, with a landscape): Japan's (the ``focus`` country's) share of the
  research output of the candidate's areas divided by the leading country's, in the latest
  window, 1 where Japan leads; the best of the candidate's areas. Measured on what the
  landscape's data covers only (the shipped counts: AI and deep learning), so most candidates
  have no value.

The criteria the data cannot give (importance for security, chokepoint leverage, breadth of
civil / public / defence use, maturity, cost) are declared with their scales and left for the
analyst to fill; ``meta.to_fill`` lists what is missing where. Scoring a file with gaps fails
naming the candidate and the criterion. With ``only_derived`` the file keeps the derived
criteria that every candidate has, so it scores as it is.
"""

from __future__ import annotations

from typing import Any

from econsec.errors import InvalidInput
from econsec.promote.landscape import Landscape
from econsec.promote.taxonomy import JAPAN, Taxonomy, Technology

#: Criteria left for the analyst: (id, name, direction, scale).
TO_FILL = (
    ("importance", "Importance for security", "benefit", "1-5"),
    ("chokepoint", "Indispensability / chokepoint leverage", "benefit", "1-5"),
    ("breadth", "Breadth of civil / public / defence use", "benefit", "1-5"),
    ("maturity", "Maturity (TRL)", "benefit", "1-9"),
    ("cost", "Full programme cost", "cost", "the problem's unit, e.g. JPY bn"),
)


def _other_lists(taxonomy: Taxonomy, own: str) -> list[str]:
    """Lists that are neither Japan's areas, nor ``own``, nor of ``own``'s ally."""
    ally = taxonomy.lists[own].ally
    return [n for n, tl in taxonomy.lists.items() if n not in (JAPAN, own) and tl.ally != ally]


def _strength(landscape: Landscape, focus: str) -> dict[str, dict[str, Any]]:
    """Per area of Japan's 20: the best ratio of ``focus``'s share to the leader's among the
    area's technologies in the landscape's latest window, with where it comes from."""
    if not landscape.windows:
        return {}
    latest = landscape.windows[-1].label
    best: dict[str, dict[str, Any]] = {}
    for row in landscape.leaders.to_pylist():
        area, lead = row["area"], row["leader_share"]
        if row["period"] != latest or not area or not lead:
            continue
        ratio = 1.0 if row["leader"] == focus else (row["focus_share"] or 0.0) / lead
        if area not in best or ratio > best[area]["value"]:
            best[area] = {
                "value": round(ratio, 4),
                "technology": row["technology"],
                "period": latest,
                "leader": row["leader"],
            }
    return best


def _candidate(
    t: Technology,
    present: dict[str, dict[str, bool]],
    others: list[str],
    strength: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    areas = list(dict.fromkeys(link.area for link in t.links))
    named = [n for n in others if any(present.get(a, {}).get(n) for a in areas)]
    criteria: dict[str, float] = {"other_lists": float(len(named))}
    notes = [f"other lists naming its areas: {', '.join(named) or 'none'}"]
    found = [strength[a] | {"area": a} for a in areas if a in strength]
    if found:
        top = max(found, key=lambda s: s["value"])
        criteria["jp_strength"] = top["value"]
        notes.append(
            f"jp_strength from {top['technology']} ({top['area']}), {top['period']}, "
            f"leader {top['leader']}"
        )
    out: dict[str, Any] = {"id": t.id, "name": t.name_en}
    if t.name_ja:
        out["name_ja"] = t.name_ja
    if areas:
        out |= {"area": areas[0], "jp_areas": areas}
    return out | {"criteria": criteria, "note": "; ".join(notes), "source": t.source}


def candidates_from(
    taxonomy: Taxonomy,
    list_name: str,
    *,
    landscape: Landscape | None = None,
    dataset: str | None = None,
    focus: str = "JP",
    only_derived: bool = False,
) -> dict[str, Any]:
    """The candidates file of the technologies of ``list_name`` (module docstring); ``dataset``
    names the landscape's data in the file's source."""
    own = taxonomy.list_id(list_name)
    if own == JAPAN:
        raise InvalidInput(
            "Japan's 20 areas are the map, not candidate technologies",
            expected="a list of technologies, e.g. k_program_vision_1, us_cet_2024, aspi_tracker",
        )
    focus = focus.strip().upper()
    others = _other_lists(taxonomy, own)
    present = {
        area: {name: bool(found) for name, found in taxonomy.members(area).items()}
        for area in taxonomy.areas
    }
    strength = _strength(landscape, focus) if landscape is not None else {}
    techs = [t for t in taxonomy.technologies if t.list == own]
    candidates = [_candidate(t, present, others, strength) for t in techs]
    derived = [("other_lists", "Other lists naming its areas", "count of lists")]
    if strength:
        derived.append(
            ("jp_strength", f"{focus}'s research share / the leader's", "0-1 (1: it leads)")
        )
    lacking = {
        cid: [c["id"] for c in candidates if cid not in c["criteria"]] for cid, _n, _s in derived
    }
    if only_derived:
        derived = [d for d in derived if not lacking[d[0]]]
        keep = {d[0] for d in derived}
        for c in candidates:
            c["criteria"] = {k: v for k, v in c["criteria"].items() if k in keep}
    criteria = [
        {"id": cid, "name": name, "direction": "benefit", "weight": 1.0, "scale": scale}
        for cid, name, scale in derived
    ]
    to_fill: dict[str, list[str] | str] = {
        k: v for k, v in lacking.items() if v and any(d[0] == k for d in derived)
    }
    if not only_derived:
        criteria += [
            {"id": cid, "name": name, "direction": way, "weight": 1.0, "scale": scale}
            for cid, name, way, scale in TO_FILL
        ]
        to_fill |= {cid: "every candidate" for cid, *_ in TO_FILL}
    tl = taxonomy.lists[own]
    source = f"{tl.title} ({tl.source}); crosswalk of critical_technologies.yaml as of "
    source += taxonomy.as_of
    if landscape is not None:
        source += f"; landscape {dataset or landscape.source} ({landscape.metric})"
    return {
        "title": f"Candidates: {tl.title}",
        "source": source,
        "note": "Built by econsec promote candidates: other_lists from the crosswalk"
        + (f", jp_strength from the landscape ({focus})" if strength else "")
        + ". The other criteria are to be filled by the analyst (meta.to_fill); options "
        "(cost, value) are needed for allocation.",
        "meta": {"list": own, "focus": focus, "to_fill": to_fill},
        "criteria": criteria,
        "candidates": candidates,
    }
