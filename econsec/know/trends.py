"""Trends and churn: indicators and dependency flags year by year, and the products that enter
or leave dependency between consecutive years.

Years loaded in different HS editions are read in one edition (the newest loaded unless told),
converted with the correlation tables (:mod:`econsec.know.editions`), so products are
comparable across years.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from econsec.engine.base import Engine
from econsec.errors import DataError
from econsec.know import flows
from econsec.know.dependencies import dependencies
from econsec.know.editions import _edition_year
from econsec.know.groups import Group

CHURN = pa.schema(
    [
        ("importer", pa.string()),
        ("year", pa.int16()),
        ("product", pa.string()),
        ("change", pa.string()),
        ("import_value", pa.float64()),
        ("hhi", pa.float64()),
        ("top_supplier", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class Trends:
    """The year-by-year series and the churn between consecutive years."""

    series: pa.Table
    churn: pa.Table


def trends(
    engine: Engine,
    *,
    importers: Sequence[str],
    years: Sequence[int] | None = None,
    method: str = "geodep",
    products: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    extra_groups: Sequence[str | Group] = (),
    concern: str | Sequence[str] | None = None,
    edition: str | None = None,
    dataset: str = "baci",
) -> Trends:
    """Dependencies of ``importers`` for each year (default: every loaded year)."""
    src = flows.source(dataset)
    parts = flows.available(engine.catalogue, src)
    loaded = sorted({y for y, _ in parts})
    wanted = sorted(set(years)) if years else loaded
    if not wanted:
        raise DataError("no years to compare", field="years")
    if src.edition and edition is None:
        editions = {e for y, e in parts if y in wanted and e}
        edition = max(editions, key=_edition_year) if editions else None
    series = dependencies(
        engine,
        years=wanted,
        importers=importers,
        method=method,
        thresholds=thresholds,
        extra_groups=extra_groups,
        concern=concern,
        edition=edition,
        dataset=dataset,
    )
    if products:
        series = series.filter(pc.is_in(series["product"], pa.array(list(products))))
    series = series.take(
        pc.sort_indices(
            series, [("importer", "ascending"), ("product", "ascending"), ("year", "ascending")]
        )
    )
    return Trends(series, churn(series))


def churn(series: pa.Table) -> pa.Table:
    """Products that entered dependency in a year (dependent now, not in the previous year of
    the series, imported or not) or left it (the reverse)."""
    rows: dict[tuple[str, int], dict[str, dict[str, object]]] = {}
    for row in series.select(
        ["importer", "year", "product", "dependent", "import_value", "hhi", "top_supplier"]
    ).to_pylist():
        rows.setdefault((row["importer"], row["year"]), {})[row["product"]] = row
    out = []
    fields = ("importer", "year", "product", "import_value", "hhi", "top_supplier")
    for importer in sorted({i for i, _ in rows}):
        years = sorted(y for i, y in rows if i == importer)
        for before, now in itertools.pairwise(years):
            old, new = rows[(importer, before)], rows[(importer, now)]
            was = {p for p, r in old.items() if r["dependent"]}
            is_ = {p for p, r in new.items() if r["dependent"]}
            for product in sorted(is_ - was):
                out.append({**{k: new[product][k] for k in fields}, "change": "entered"})
            for product in sorted(was - is_):
                base = new.get(product) or {**old[product], "year": now, "import_value": 0.0}
                out.append({**{k: base[k] for k in fields}, "change": "left"})
    table = pa.Table.from_pylist(out, schema=CHURN)
    return table.take(
        pc.sort_indices(
            table,
            [
                ("importer", "ascending"),
                ("year", "ascending"),
                ("change", "ascending"),
                ("import_value", "descending"),
            ],
        )
    )
