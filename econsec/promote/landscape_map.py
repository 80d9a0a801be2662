"""Which OpenAlex labels count towards which technology area: the shipped map and its use.

Areas are Japan's 20 technology areas of ``critical_technologies.yaml`` (``japan_20_areas``), by
id. The shipped map is deliberately small: only labels whose OpenAlex id was checked against
OpenAlex records and whose meaning plainly falls inside one area. Users extend or replace it with
a CSV (:func:`econsec.datasets.openalex_tables.read_area_map`).

OpenAlex labels used (``kind``):

- ``concept``: legacy concepts (``C…``), the classification the real group-by counts file uses;
- ``subfield``/``field``/``domain``: the topic hierarchy (ASJC-based since 2024), carried by each
  of a work's ``topics``; ``topic`` (``T…``) for finer rules in a user map.

A work belongs to an area when any of its labels has a rule for the area and a score of at least
``min_score`` (a label without a score passes). A work counts once per area however many of its
labels match, so "AI" and "deep learning" together never double-count a work in ``ai_ml``. The
group-by counts cannot be deduplicated like that: there each concept stays its own technology.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from econsec.datasets.openalex_tables import AreaRule

_CHECKED = "id and name as in OpenAlex records (checked 2025)"
_COUNTS = "concept of the real group-by counts file (openalex_ai_dl_works_by_country_year)"

#: The shipped concept/topic-to-area map.
DEFAULT_RULES: tuple[AreaRule, ...] = (
    AreaRule("concept", "C154945302", "ai_ml", "Artificial intelligence", _COUNTS),
    AreaRule("concept", "C108583219", "ai_ml", "Deep learning", _COUNTS),
    AreaRule("concept", "C119857082", "ai_ml", "Machine learning", _CHECKED),
    AreaRule("concept", "C204321447", "ai_ml", "Natural language processing", _CHECKED),
    AreaRule("concept", "C31972630", "ai_ml", "Computer vision", _CHECKED),
    AreaRule("subfield", "1702", "ai_ml", "Artificial Intelligence", _CHECKED),
    AreaRule("subfield", "1707", "ai_ml", "Computer Vision and Pattern Recognition", _CHECKED),
    AreaRule("concept", "C58053490", "quantum", "Quantum computer", _CHECKED),
    AreaRule("concept", "C90509273", "robotics", "Robot", _CHECKED),
    AreaRule("concept", "C34413123", "robotics", "Robotics", _CHECKED),
    AreaRule("concept", "C38652104", "cybersecurity", "Computer security", _CHECKED),
    AreaRule("concept", "C2522767166", "data_science", "Data science", _CHECKED),
    AreaRule("subfield", "1705", "ict_network", "Computer Networks and Communications", _CHECKED),
)

#: Names of the areas the shipped map covers (from critical_technologies.yaml japan_20_areas).
AREA_NAMES: dict[str, tuple[str, str]] = {
    "ai_ml": ("AI and machine learning", "人工知能・機械学習技術"),
    "quantum": ("Quantum information science", "量子情報科学"),
    "robotics": ("Robotics", "ロボット工学"),
    "cybersecurity": ("Cybersecurity", "サイバーセキュリティ技術"),
    "data_science": (
        "Data science, analytics, storage and management",
        "データ科学・分析・蓄積・運用技術",
    ),
    "ict_network": ("Advanced ICT and networks", "高度情報通信・ネットワーク技術"),
}


def rules_table(rules: Sequence[AreaRule]) -> pa.Table:
    """The rules as a table ``kind, label_id, area`` (one row per distinct rule)."""
    seen = sorted({(r.kind, r.label_id, r.area) for r in rules})
    return pa.Table.from_pydict(
        {
            "kind": [k for k, _, _ in seen],
            "label_id": [i for _, i, _ in seen],
            "area": [a for _, _, a in seen],
        },
        schema=pa.schema([("kind", pa.string()), ("label_id", pa.string()), ("area", pa.string())]),
    )


def assign_areas(labels: pa.Table, rules: Sequence[AreaRule], min_score: float = 0.0) -> pa.Table:
    """``work_id, technology``: each work's areas (distinct), from its ``labels`` table
    (``work_id, kind, label_id, name, score``)."""
    matched = labels.join(rules_table(rules), keys=["kind", "label_id"], join_type="inner")
    if min_score > 0:
        keep = pc.or_kleene(
            pc.is_null(matched["score"]), pc.greater_equal(matched["score"], min_score)
        )
        matched = matched.filter(pc.fill_null(keep, True))
    pairs = matched.group_by(["work_id", "area"], use_threads=False).aggregate([])
    return pa.Table.from_pydict({"work_id": pairs["work_id"], "technology": pairs["area"]})


def concept_area(concept_id: str, rules: Sequence[AreaRule]) -> str | None:
    """The area a concept feeds (the first rule's), or None when no rule names it."""
    return next((r.area for r in rules if r.kind == "concept" and r.label_id == concept_id), None)
