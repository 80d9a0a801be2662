"""Output tables of the technology landscape: their columns (Arrow types) and the ranking of
institutions per technology and window.

Institutions are ranked by their fractional credit in the top 10 % most-cited works when
citations are present, else in all works (an institution's part of a work is its authors' part:
see :mod:`econsec.datasets.openalex`); ``share`` is the institution's part of the technology's
fractional output in the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from econsec.promote.landscape_records import Records
from econsec.reports.tables import finite

if TYPE_CHECKING:
    from econsec.promote.landscape import Window


SHARE_COLUMNS = {
    "technology": pa.string(),
    "area": pa.string(),
    "period": pa.string(),
    "start": pa.int32(),
    "end": pa.int32(),
    "country": pa.string(),
    "output_whole": pa.int64(),
    "output_fractional": pa.float64(),
    "share": pa.float64(),
    "top10_whole": pa.int64(),
    "top10_fractional": pa.float64(),
    "top10_share": pa.float64(),
    "growth": pa.float64(),
    "rank": pa.int32(),
}
LEADER_COLUMNS = {
    "technology": pa.string(),
    "area": pa.string(),
    "period": pa.string(),
    "start": pa.int32(),
    "end": pa.int32(),
    "metric": pa.string(),
    "leader": pa.string(),
    "leader_share": pa.float64(),
    "second": pa.string(),
    "second_share": pa.float64(),
    "ratio": pa.float64(),
    "risk": pa.string(),
    "countries": pa.int32(),
    "lead_institutions": pa.int32(),
    "focus": pa.string(),
    "focus_share": pa.float64(),
    "focus_rank": pa.int32(),
}
INSTITUTION_COLUMNS = {
    "technology": pa.string(),
    "period": pa.string(),
    "start": pa.int32(),
    "end": pa.int32(),
    "rank": pa.int32(),
    "institution_id": pa.string(),
    "institution": pa.string(),
    "country": pa.string(),
    "output_whole": pa.int64(),
    "output_fractional": pa.float64(),
    "share": pa.float64(),
    "top10_whole": pa.int64(),
    "top10_fractional": pa.float64(),
}


def to_table(rows: list[dict[str, Any]], columns: dict[str, pa.DataType]) -> pa.Table:
    schema = pa.schema(list(columns.items()))
    return pa.Table.from_pylist([finite(r) for r in rows], schema=schema)


def top_institutions(
    records: Records, spans: list[Window], chosen: list[str], by_top: bool, top: int
) -> dict[tuple[str, Window], list[dict[str, Any]]]:
    """The ``top`` institutions per technology and window, by top-10 % or all output
    (fractional credit either way: an institution's share of a work is its authors' share)."""
    table = records.institutions
    if table.num_rows == 0 or top <= 0:
        return {}
    table = table.filter(pc.is_in(table["technology"], pa.array(chosen, pa.string())))
    keys = ["technology", "institution_id", "institution", "country"]
    sums = [(c, "sum") for c in ("whole", "fractional", "top10_whole", "top10_fractional")]
    found: dict[tuple[str, Window], list[dict[str, Any]]] = {}
    for w in spans:
        years = pc.and_(
            pc.greater_equal(table["year"], w.start), pc.less_equal(table["year"], w.end)
        )
        summed = table.filter(years).group_by(keys, use_threads=False).aggregate(sums)
        rank_by = "top10_fractional_sum" if by_top else "fractional_sum"
        for tech in chosen:
            # rank in Arrow: a technology can have hundreds of thousands of institutions
            group = summed.filter(pc.equal(summed["technology"], tech))
            if group.num_rows == 0:
                continue
            total = pc.sum(group["fractional_sum"]).as_py() or 1.0
            order = pc.sort_indices(
                group, sort_keys=[(rank_by, "descending"), ("institution", "ascending")]
            )
            best = group.take(order[:top]).to_pylist()
            found[(tech, w)] = [
                {
                    "technology": tech,
                    "period": w.label,
                    "start": w.start,
                    "end": w.end,
                    "rank": rank,
                    "institution_id": r["institution_id"],
                    "institution": r["institution"],
                    "country": r["country"],
                    "output_whole": int(r["whole_sum"]),
                    "output_fractional": r["fractional_sum"],
                    "share": r["fractional_sum"] / total,
                    "top10_whole": r["top10_whole_sum"] if records.citations else None,
                    "top10_fractional": r["top10_fractional_sum"] if records.citations else None,
                }
                for rank, r in enumerate(best, start=1)
            ]
    return found
