"""Yearly research credits by technology and country: the input of the landscape metrics.

Both sources become one shape, :class:`Records`:

- from OpenAlex **works** (:func:`from_works`): each work is put in its technology areas through
  the area map, flagged when it is among the **top 10 % most cited** of its area and publication
  year, then its country credits (whole: 1 per distinct country; fractional: the work's 1 split
  over authorships and their countries, see :mod:`econsec.datasets.openalex`) are summed by
  area, year and country; institutions likewise;
- from OpenAlex **group-by counts** (:func:`from_counts`): each concept is its own technology (two
  concepts of one area cannot be added: their works overlap), whole counts only, no citations.

Top 10 %: a work is in the top 10 % of its area and publication year when fewer than 10 % of the
works there with a citation count have more citations than it, and it has at least one citation.
Ties at the boundary are all in, so the set can exceed 10 % by the tied works (ASPI's exact tie
rule is not published; Waltman & Schreiber's fractional tie split is not implemented). Works
without ``cited_by_count`` are not ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from econsec.datasets.openalex import WorkSet
from econsec.datasets.openalex_tables import AreaRule
from econsec.promote.landscape_map import DEFAULT_RULES, assign_areas, concept_area

Progress = Callable[[str, float], None]
TOP_SHARE = 0.10

YEARLY = pa.schema(
    [
        ("technology", pa.string()),
        ("area", pa.string()),
        ("year", pa.int32()),
        ("country", pa.string()),
        ("whole", pa.int64()),
        ("fractional", pa.float64()),
        ("top10_whole", pa.int64()),
        ("top10_fractional", pa.float64()),
    ]
)
INSTITUTIONS = pa.schema(
    [
        ("technology", pa.string()),
        ("year", pa.int32()),
        ("institution_id", pa.string()),
        ("institution", pa.string()),
        ("country", pa.string()),
        ("whole", pa.int64()),
        ("fractional", pa.float64()),
        ("top10_whole", pa.int64()),
        ("top10_fractional", pa.float64()),
    ]
)


@dataclass(frozen=True, slots=True)
class Records:
    """Yearly credits (``yearly``, schema :data:`YEARLY`) and institution credits
    (``institutions``, :data:`INSTITUTIONS`; empty for counts). ``source`` is ``works`` or
    ``counts``; ``citations`` says whether top-10 % columns are filled; ``works`` counts the
    distinct works per (technology, year) where known."""

    yearly: pa.Table
    institutions: pa.Table
    source: str
    citations: bool
    works: dict[tuple[str, int], int]
    notes: tuple[str, ...] = ()

    @property
    def fractional(self) -> bool:
        """Whether fractional counts exist (works-level data only)."""
        return self.source == "works"

    @property
    def years(self) -> tuple[int, int]:
        """First and last year present."""
        years = self.yearly["year"]
        return int(pc.min(years).as_py()), int(pc.max(years).as_py())

    def technologies(self) -> list[str]:
        """The technologies present, sorted."""
        return sorted(set(self.yearly["technology"].to_pylist()))

    def area_of(self) -> dict[str, str | None]:
        """Technology -> area."""
        return dict(
            zip(self.yearly["technology"].to_pylist(), self.yearly["area"].to_pylist(), strict=True)
        )


def from_counts(counts: pa.Table, rules: Sequence[AreaRule] = DEFAULT_RULES) -> Records:
    """Records from group-by counts (``concept, concept_id, year, country, works_count``)."""
    n = counts.num_rows
    areas = {c: concept_area(c, rules) for c in set(counts["concept_id"].to_pylist())}
    yearly = pa.Table.from_pydict(
        {
            "technology": counts["concept"],
            "area": [areas[c] for c in counts["concept_id"].to_pylist()],
            "year": counts["year"].cast(pa.int32()),
            "country": counts["country"],
            "whole": counts["works_count"].cast(pa.int64()),
            "fractional": pa.nulls(n, pa.float64()),
            "top10_whole": pa.nulls(n, pa.int64()),
            "top10_fractional": pa.nulls(n, pa.float64()),
        },
        schema=YEARLY,
    )
    notes = (
        "group-by counts are whole counts: a work with authors in several countries counts for "
        "each, so shares are shares of country credits, not of works",
        "no citation counts: the top-10 % share (ASPI's metric) cannot be computed",
    )
    return Records(yearly, INSTITUTIONS.empty_table(), "counts", False, {}, notes)


def top_decile(cited: np.ndarray) -> np.ndarray:
    """Boolean mask of the works in the top 10 % of one area-year (see the module docstring).

    ``cited`` holds citation counts (NaN: no count). A work is in when ``#{more cited} <
    0.1 * n`` (``n`` works with a count) and it has at least one citation."""
    valid = ~np.isnan(cited)
    out = np.zeros(cited.shape, dtype=bool)
    if not valid.any():
        return out
    values = cited[valid]
    ordered = np.sort(values)
    more = values.size - np.searchsorted(ordered, values, side="right")
    out[valid] = (more < TOP_SHARE * values.size) & (values > 0)
    return out


def _flags(table: pa.Table) -> pa.Array:
    """Top-10 % flag per row of ``technology, work_id, year, cited_by_count`` (null: no count)."""
    n = table.num_rows
    tech = table["technology"].to_numpy(zero_copy_only=False).astype(str)
    year = table["year"].to_numpy(zero_copy_only=False)
    cited = table["cited_by_count"].cast(pa.float64()).fill_null(np.nan).to_numpy()
    flags = np.zeros(n, dtype=bool)
    if n:
        _, groups = np.unique(np.char.add(tech, year.astype(str)), return_inverse=True)
        order = np.argsort(groups, kind="stable")
        bounds = np.flatnonzero(np.diff(groups[order])) + 1
        for part in np.split(order, bounds):
            flags[part] = top_decile(cited[part])
    return pa.array(flags, mask=np.isnan(cited))


def from_works(
    works: WorkSet,
    rules: Sequence[AreaRule] = DEFAULT_RULES,
    *,
    min_score: float = 0.0,
    progress: Progress | None = None,
) -> Records:
    """Records from OpenAlex works: areas through ``rules``, top-10 % flags, summed credits."""
    report = progress or (lambda _stage, _done: None)
    report("areas", 0.0)
    areas = assign_areas(works.labels, rules, min_score)
    placed = areas.join(works.works, keys="work_id", join_type="inner")
    placed = placed.append_column("top10", _flags(placed))
    report("areas", 1.0)
    report("credits", 0.0)
    top = pc.fill_null(placed["top10"], False)
    placed = placed.set_column(placed.schema.get_field_index("top10"), "top10", top)
    countries = placed.join(works.countries, keys="work_id", join_type="inner")
    yearly = _sum(countries, ["technology", "year", "country"])
    yearly = yearly.add_column(1, "area", yearly["technology"]).select(YEARLY.names)
    institutions = placed.join(works.institutions, keys="work_id", join_type="inner")
    inst = _sum(institutions, ["technology", "year", "institution_id", "institution", "country"])
    report("credits", 1.0)
    per = placed.group_by(["technology", "year"], use_threads=False).aggregate(
        [("work_id", "count")]
    )
    counts = {
        (t, int(y)): int(c)
        for t, y, c in zip(
            per["technology"].to_pylist(),
            per["year"].to_pylist(),
            per["work_id_count"].to_pylist(),
            strict=True,
        )
    }
    notes = list(works.notes)
    unplaced = works.works.num_rows - len(set(areas["work_id"].to_pylist()))
    if unplaced:
        notes.append(f"{unplaced:,} of {works.works.num_rows:,} works match no area of the map")
    missing = works.works["cited_by_count"].null_count
    if missing and works.citations:
        notes.append(
            f"{missing:,} works have no citation count and are not ranked for the top 10 %"
        )
    if not works.citations:  # no counts at all: top-10 % is unknown, not zero
        yearly, inst = _unknown_top(yearly), _unknown_top(inst)
    return Records(
        yearly.cast(YEARLY),
        inst.select(INSTITUTIONS.names).cast(INSTITUTIONS),
        "works",
        works.citations,
        counts,
        tuple(notes),
    )


def _unknown_top(table: pa.Table) -> pa.Table:
    n = table.num_rows
    table = table.set_column(
        table.schema.get_field_index("top10_whole"), "top10_whole", pa.nulls(n, pa.int64())
    )
    return table.set_column(
        table.schema.get_field_index("top10_fractional"),
        "top10_fractional",
        pa.nulls(n, pa.float64()),
    )


def _sum(table: pa.Table, keys: list[str]) -> pa.Table:
    """Whole, fractional and top-10 % credits summed over ``keys``."""
    top = table["top10"]
    table = table.append_column("top10_int", pc.cast(top, pa.int64()))
    table = table.append_column("top10_frac", pc.if_else(top, table["fractional"], pa.scalar(0.0)))
    summed = table.group_by(keys, use_threads=False).aggregate(
        [
            ("work_id", "count"),
            ("fractional", "sum"),
            ("top10_int", "sum"),
            ("top10_frac", "sum"),
        ]
    )
    names = {
        "work_id_count": "whole",
        "fractional_sum": "fractional",
        "top10_int_sum": "top10_whole",
        "top10_frac_sum": "top10_fractional",
    }
    return pa.Table.from_pydict(
        {**{k: summed[k] for k in keys}, **{v: summed[k] for k, v in names.items()}}
    )
