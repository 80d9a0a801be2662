"""FollowTheMoney entities as JSON lines, as OpenSanctions publishes them (``entities.ftm.json``).

Each line is one entity: ``{"id", "schema", "properties": {prop: [values]}, ...}`` with, in
OpenSanctions exports, ``caption``, ``datasets``, ``referents``, ``first_seen``, ``last_seen`` and
``target`` (true for the listed parties). Screening needs the parties, so lines with ``"target":
false``, and lines of schemas one cannot screen (Sanction, Address, Ownership...) are skipped and
counted. Properties that point at other entities are dropped: entity ids are rewritten to
``<list>-<source id>``. Values are cleaned by FollowTheMoney; unknown properties are dropped and
counted. Entities without topics get ``sanction``.

The list is named by ``list_name``, else by the ``datasets`` of the first entity (when it names
one), else by the file (``us_ofac_sdn.ftm.json``; for ``entities.ftm.json`` its folder). The
version is ``version``, else the date in the file name. Lines are streamed; ``.gz`` files too.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import IO, Any

from followthemoney import model
from followthemoney.types import registry

from econsec.errors import DataError
from econsec.protect.lists.base import (
    SANCTION,
    ListFormat,
    Publication,
    Record,
    files,
    make,
    slug,
    version_of,
)


def open_text(path: Path) -> IO[str]:
    """The file as text, gunzipped when it ends in .gz."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8-sig")


def lines(path: Path) -> Generator[tuple[int, dict[str, Any]], None, None]:
    """(line number, JSON object) for each non-blank line."""
    try:
        with open_text(path) as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise DataError("malformed JSON", path=path, line=number, got=exc.msg) from exc
                if not isinstance(data, dict):
                    raise DataError("not a JSON object", path=path, line=number, got=text[:40])
                yield number, data
    except (UnicodeDecodeError, OSError) as exc:
        raise DataError("unreadable file", path=path, got=str(exc)) from exc


def records(path: Path, list_name: str, skipped: Counter[str]) -> Iterator[Record]:
    """The screenable entities of the file; ``skipped`` counts what was left out, and why."""
    for number, data in lines(path):
        where: dict[str, Any] = {"path": path, "line": number}
        source_id, schema_name = data.get("id"), data.get("schema")
        if not isinstance(source_id, str) or not source_id:
            raise DataError("no entity id", field="id", got=repr(source_id), **where)
        schema = model.get(schema_name) if isinstance(schema_name, str) else None
        if schema is None:
            raise DataError("unknown schema", field="schema", got=repr(schema_name), **where)
        properties = data.get("properties", {})
        if not isinstance(properties, dict):
            raise DataError("properties is not an object", field="properties", **where)
        if data.get("target") is False or not schema.matchable or schema.is_a("Address"):
            skipped[f"{schema.name} (not a screening target)"] += 1
            continue
        entity = make(schema.name, list_name, source_id)
        for name, values in properties.items():
            prop = schema.get(name)
            if prop is None or prop.type == registry.entity:
                skipped["unknown property" if prop is None else "entity reference"] += 1
                continue
            if not isinstance(values, list):
                raise DataError("property values are not a list", field=name, **where)
            entity.add(prop, [v for v in values if isinstance(v, str)])
        if not entity.get("topics"):
            entity.add("topics", SANCTION)
        if not entity.get_type_values(registry.name):
            raise DataError("entity without a name", field="properties.name", **where)
        yield Record(entity, source_id)


def list_name_of(path: Path) -> str:
    """The dataset of the first entity, else the file name (its folder for entities.ftm.json)."""
    with closing(lines(path)) as stream:
        first = next(stream, None)
    datasets = first[1].get("datasets") if first else None
    if isinstance(datasets, list) and len(datasets) == 1 and isinstance(datasets[0], str):
        return slug(datasets[0])
    stem = re.sub(r"(\.ftm)?\.json(l)?(\.gz)?$", "", path.name)
    return slug(path.parent.name if stem in ("entities", "targets") else stem)


def read(
    paths: Sequence[Path], *, list_name: str | None = None, version: str | None = None
) -> Publication:
    """Read one FollowTheMoney JSON-lines file (streamed)."""
    found = files(paths)
    if len(found) != 1:
        raise DataError(f"one entities file per load; got {len(found)} files", path=found[0])
    path = found[0]
    name = list_name or list_name_of(path)
    skipped: Counter[str] = Counter()
    notes: list[str] = []

    def stream() -> Iterator[Record]:
        yield from records(path, name, skipped)
        notes.extend(f"skipped {n}: {why}" for why, n in sorted(skipped.items()))

    return Publication(name, version or version_of(path), stream(), notes)


FORMAT = ListFormat(
    name="ftm",
    title="FollowTheMoney entities (JSON lines, OpenSanctions)",
    publisher="OpenSanctions or any FollowTheMoney producer",
    licence="as the dataset's (OpenSanctions: CC BY-NC 4.0 for non-commercial use)",
    read=read,
    description="One entity per line: {id, schema, properties, ...}; targets only.",
    sample="tests/protect/fixtures/ftm_synthetic.ftm.json",
)
