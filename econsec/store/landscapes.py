"""Named publication datasets for the technology landscape, kept in the analytics store.

A dataset is either OpenAlex works (the four tables of
:class:`~econsec.datasets.openalex.WorkSet`) or OpenAlex group-by counts, saved under a name by
``econsec promote landscape-load`` or an upload to ``POST /promote/landscape/datasets/{name}``;
the CLI, the HTTP API and the pages read them back by name. The name ``openalex_ai_dl``, when
nothing is stored under it, is the counts file shipped in ``data/tech`` (CC0), so the landscape
works on real data before anything is loaded. Reading back is cached per process by the time the
dataset was saved.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from econsec.datasets import openalex
from econsec.datasets.openalex import WorkSet
from econsec.datasets.openalex_tables import COUNTS, COUNTS_FILE, AreaRule, read_counts, shipped
from econsec.errors import InvalidInput, NotFound
from econsec.promote.landscape_map import DEFAULT_RULES
from econsec.promote.landscape_records import Progress, Records, from_counts, from_works
from econsec.store.analytics import AnalyticsStore
from econsec.store.models import ModelStore, StoredModel, check_name

SHIPPED_NAME = "openalex_ai_dl"
PARTS = ("works", "countries", "institutions", "labels", "counts")
Kind = Literal["works", "counts"]
_SCHEMAS = {
    "works": openalex.WORKS,
    "countries": openalex.COUNTRIES,
    "institutions": openalex.INSTITUTIONS,
    "labels": openalex.LABELS,
    "counts": COUNTS,
}
#: Records by (store, name, rules, min_score): building them joins every work again.
_records: dict[tuple[str, str, tuple[AreaRule, ...], float], tuple[object, Records]] = {}
_RECORDS_KEPT = 16
_lock = threading.Lock()


def guess_kind(path: Path) -> Kind:
    """``counts`` for a CSV file, ``works`` for anything else (JSON, JSON Lines, folders)."""
    name = path.name.lower()
    return "counts" if name.endswith((".csv", ".csv.gz")) else "works"


def summary(data: WorkSet | pa.Table, kind: Kind, files: Sequence[str]) -> dict[str, Any]:
    """What a dataset holds, as stored with it and listed."""
    if isinstance(data, WorkSet):
        years = data.works["year"].to_pylist()
        return {
            "source": kind,
            "files": [Path(f).name for f in files],
            "works": data.works.num_rows,
            "countries": len(set(data.countries["country"].to_pylist())),
            "institutions": len(set(data.institutions["institution_id"].to_pylist())),
            "years": [min(years), max(years)],
            "citations": data.citations,
            "notes": list(data.notes),
            "publisher": "OpenAlex (CC0)",
        }
    years = data["year"].to_pylist()
    return {
        "source": kind,
        "files": [Path(f).name for f in files],
        "rows": data.num_rows,
        "concepts": sorted(set(data["concept"].to_pylist())),
        "countries": len(set(data["country"].to_pylist())),
        "years": [min(years), max(years)],
        "citations": False,
        "notes": [],
        "publisher": "OpenAlex (CC0)",
    }


class Landscapes:
    """Publication datasets by name in the analytics store."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.models = ModelStore(store, "landscape", PARTS)

    def load(
        self,
        paths: Sequence[Path],
        name: str,
        kind: Kind | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Read files and store them as ``name`` (replacing a dataset of that name)."""
        check_name(name)
        if not paths:
            raise InvalidInput("no file given")
        kind = kind or guess_kind(paths[0])
        if kind == "counts":
            if len(paths) != 1:
                raise InvalidInput("group-by counts load from one CSV file")
            data: WorkSet | pa.Table = read_counts(paths[0])
        else:
            data = openalex.read_works(list(paths), progress)
        meta = summary(data, kind, [str(p) for p in paths])
        parts = {p: _SCHEMAS[p].empty_table() for p in PARTS}
        if isinstance(data, WorkSet):
            parts.update(
                works=data.works,
                countries=data.countries,
                institutions=data.institutions,
                labels=data.labels,
            )
        else:
            parts["counts"] = data
        self.models.save(name, meta, parts)
        return {"name": name, **meta}

    def list(self) -> list[dict[str, Any]]:
        """Every stored dataset's summary; the shipped one too when not replaced."""
        found = [m.to_dict() for m in self.models.list()]
        if all(m["name"] != SHIPPED_NAME for m in found):
            try:
                path = shipped(COUNTS_FILE)
            except NotFound:
                return found
            found.append(
                {
                    "name": SHIPPED_NAME,
                    "kind": "landscape",
                    "shipped": str(path),
                    **self._shipped_meta(),
                }
            )
        return sorted(found, key=lambda m: m["name"])

    def _shipped_meta(self) -> dict[str, Any]:
        path = shipped(COUNTS_FILE)
        return summary(self._data(SHIPPED_NAME)[1], "counts", [str(path)])

    def describe(self, name: str) -> dict[str, Any]:
        """A dataset's summary (NotFound listing the known names)."""
        for m in self.list():
            if m["name"] == name:
                return m
        names = ", ".join(m["name"] for m in self.list()) or "none yet"
        raise NotFound(f"no landscape dataset named {name!r} (known: {names})", name=name)

    def _data(self, name: str) -> tuple[object, WorkSet | pa.Table]:
        """The dataset and a stamp that changes when it is saved again (stored datasets are
        kept per process by :meth:`ModelStore.cached`, the shipped file by its mtime)."""
        stored: StoredModel | None = next((m for m in self.models.list() if m.name == name), None)
        if stored is not None:
            return stored.saved_at, self.models.cached(name, _from_parts)
        if name != SHIPPED_NAME:
            self.describe(name)  # raises NotFound with the known names
        path = shipped(COUNTS_FILE)
        stamp = path.stat().st_mtime_ns
        return stamp, _shipped_counts(str(path), stamp)

    def records(
        self,
        name: str,
        rules: Sequence[AreaRule] = DEFAULT_RULES,
        min_score: float = 0.0,
        progress: Progress | None = None,
    ) -> Records:
        """The dataset as landscape records (areas through ``rules``), cached per process."""
        stamp, data = self._data(name)
        key = (str(self.models.store.path.resolve()), name, tuple(rules), min_score)
        with _lock:
            hit = _records.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        if isinstance(data, WorkSet):
            records = from_works(data, rules, min_score=min_score, progress=progress)
        else:
            records = from_counts(data, rules)
        with _lock:
            while len(_records) >= _RECORDS_KEPT:
                _records.pop(next(iter(_records)))
            _records[key] = (stamp, records)
        return records

    def delete(self, name: str) -> None:
        """Remove a stored dataset (the shipped file itself is never touched)."""
        self.models.delete(name)


def _from_parts(stored: StoredModel, parts: dict[str, pa.Table]) -> WorkSet | pa.Table:
    """A stored dataset from its tables: the counts, or the works with their countries,
    institutions and labels."""
    if stored.meta.get("source") == "counts":
        return parts["counts"].cast(COUNTS)
    return WorkSet(
        works=parts["works"].cast(openalex.WORKS),
        countries=parts["countries"].cast(openalex.COUNTRIES),
        institutions=parts["institutions"].cast(openalex.INSTITUTIONS),
        labels=parts["labels"].cast(openalex.LABELS),
        files=tuple(stored.meta.get("files", [])),
        notes=tuple(stored.meta.get("notes", [])),
    )


@lru_cache(maxsize=2)
def _shipped_counts(path: str, stamp: int) -> pa.Table:
    """The shipped counts file, read once per change (``stamp``: its mtime)."""
    return read_counts(Path(path))
