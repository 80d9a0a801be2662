"""The taxonomy as flat rows (CSV, Parquet, terminal tables) and as one document (JSON, YAML).

**Rows** (:func:`rows`): one per technology, columns :data:`COLUMNS`. The crosswalk columns hold
one entry per link, in the same order, separated by ``;``: ``crosswalk_jp`` the area ids,
``crosswalk_confidence`` each link's confidence, ``crosswalk_origin`` where it comes from
(``file``, ``econsec``, ``identity``, ``edit``).

**Document** (:func:`document`)::

    schema: econsec.promote.taxonomy/1
    as_of: 2025-01                  # the month the file describes
    provenance: {dataset, version, file, checksum, loaded_at, as_of}
    edited: 3                       # technologies whose links differ from the shipped ones
    areas: [{id, name_en, name_ja}]
    lists: [{id, ally, title, date, count, stated, source, confidence,
             technologies: [{key, id, name_en, name_ja, domain, note, added, source,
                             confidence, edited, crosswalk: [{area, confidence, origin,
                                                              reason, edit}]}]}]
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import yaml

from econsec.errors import InvalidInput
from econsec.promote.taxonomy import Taxonomy, Technology

SCHEMA = "econsec.promote.taxonomy/1"
FORMATS = ("csv", "json", "yaml")
COLUMNS = (
    "list",
    "id",
    "name_en",
    "name_ja",
    "domain",
    "crosswalk_jp",
    "crosswalk_confidence",
    "crosswalk_origin",
    "edited",
    "added",
    "note",
    "confidence",
    "source",
)


def row(t: Technology) -> dict[str, Any]:
    """One technology as a flat row (see the module docstring)."""
    return {
        "list": t.list,
        "id": t.id,
        "name_en": t.name_en,
        "name_ja": t.name_ja,
        "domain": t.domain,
        "crosswalk_jp": ";".join(link.area for link in t.links),
        "crosswalk_confidence": ";".join(link.confidence for link in t.links),
        "crosswalk_origin": ";".join(link.origin for link in t.links),
        "edited": t.edited,
        "added": t.added,
        "note": t.note,
        "confidence": t.confidence,
        "source": t.source,
    }


def rows(technologies: Sequence[Technology]) -> list[dict[str, Any]]:
    """The technologies as flat rows, in order."""
    return [row(t) for t in technologies]


def document(taxonomy: Taxonomy, list_name: str | None = None) -> dict[str, Any]:
    """The taxonomy as one document (see the module docstring); ``list_name`` keeps one list
    (Japan's areas are always there, as the crosswalk's reference)."""
    wanted = taxonomy.list_id(list_name) if list_name else None
    lists = []
    for name, tl in taxonomy.lists.items():
        if wanted is not None and name != wanted:
            continue
        members = [t.to_dict() for t in taxonomy.technologies if t.list == name]
        for member in members:
            del member["list"]
        lists.append({**tl.to_dict(), "technologies": members})
    return {
        "schema": SCHEMA,
        "as_of": taxonomy.as_of,
        "provenance": taxonomy.provenance,
        "edited": sum(1 for t in taxonomy.technologies if t.edited),
        "orphan_edits": list(taxonomy.orphans),
        "areas": [a.to_dict() for a in taxonomy.areas.values()],
        "lists": lists,
    }


def export(taxonomy: Taxonomy, fmt: str, list_name: str | None = None) -> str:
    """The taxonomy as CSV (one row per technology), JSON or YAML text (UTF-8, Japanese kept
    as written)."""
    if fmt == "csv":
        chosen = taxonomy.browse(list_name)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows(chosen))
        return out.getvalue()
    doc = document(taxonomy, list_name)
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return str(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100))
    raise InvalidInput(f"unknown export format {fmt!r}", expected=", ".join(FORMATS))
