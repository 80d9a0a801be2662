"""Chokepoints: where the world relies on one or two exporters.

* :func:`concentration` - per product: world exports, world-export HHI, top exporter, top-1 and
  top-3 shares, number of exporters.
* :func:`critical_exporters` - per product, the exporters whose removal would cut at least
  ``min_share`` of the supply of at least ``min_importers`` importers (each importer's share
  bought from that exporter, in value).
* :func:`dependent_and_concentrated` - for one importer: the products that are dependencies
  (a method's tests) *and* concentrated at world level, ranked by
  ``score = sqrt(importer HHI x world-export HHI)`` (both 0-1), then by import value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from econsec.engine.base import Engine, literal
from econsec.know import editions, flows
from econsec.know.dependencies import dependencies
from econsec.know.flows import Keys, decode_sql, pack_sql, unpack_key_sql
from econsec.know.indicators import flows_sql, world_tables

CONCENTRATION = pa.schema(
    [
        ("year", pa.int16()),
        ("product", pa.string()),
        ("world_export_value", pa.float64()),
        ("n_exporters", pa.int64()),
        ("world_export_hhi", pa.float64()),
        ("top_exporter", pa.string()),
        ("top_exporter_share", pa.float64()),
        ("top3_exporter_share", pa.float64()),
    ]
)
CRITICAL = pa.schema(
    [
        ("year", pa.int16()),
        ("product", pa.string()),
        ("exporter", pa.string()),
        ("world_export_share", pa.float64()),
        ("importers_cut", pa.int64()),
        ("importers", pa.int64()),
        ("value_at_risk", pa.float64()),
    ]
)


def _products_filter(products: Sequence[str] | None, column: str = "product") -> str:
    return "" if not products else f"AND {column} IN {literal(tuple(products))}"


def _prepare(
    engine: Engine, year: int, edition: str | None, dataset: str
) -> tuple[flows.Source, editions.Plan, Keys, tuple[str, str]]:
    """The source, reading plan, country keys and cached world totals of one year."""
    src = flows.source(dataset)
    plan = editions.plan(engine, src, [year], edition)
    keys = Keys.load(engine)
    return src, plan, keys, world_tables(engine, src, keys, plan)


def concentration(
    engine: Engine,
    *,
    year: int,
    products: Sequence[str] | None = None,
    edition: str | None = None,
    dataset: str = "baci",
) -> pa.Table:
    """World export concentration per product, most concentrated first."""
    src, plan, keys, (exporters, _) = _prepare(engine, year, edition, dataset)
    sql = f"""
        WITH c AS (
            SELECT year, product, ROUND(SUM(x), 3) AS world_export_value, COUNT(*) AS n_exporters,
                   SUM(x * x) / (SUM(x) * SUM(x)) AS world_export_hhi,
                   MAX({pack_sql("x", "e")}) AS packed, MAX(x) / SUM(x) AS top_exporter_share,
                   {engine.top_sum("x", 3)} / SUM(x) AS top3_exporter_share
            FROM {exporters} w WHERE year = {year} {_products_filter(products)}
            GROUP BY year, product
        )
        SELECT CAST(c.year AS SMALLINT) AS year, c.product, c.world_export_value, c.n_exporters,
               c.world_export_hhi, {decode_sql(unpack_key_sql("c.packed"), "k")} AS top_exporter,
               c.top_exporter_share, c.top3_exporter_share
        FROM c LEFT JOIN {keys.values_sql()} AS k(key, iso3)
            ON k.key = {unpack_key_sql("c.packed")}
        ORDER BY world_export_hhi DESC, product
    """
    return engine.query(
        sql, [*editions.datasets(src, plan), "baci_countries"], schema=CONCENTRATION
    )


def critical_exporters(
    engine: Engine,
    *,
    year: int,
    min_share: float = 0.5,
    min_importers: int = 3,
    products: Sequence[str] | None = None,
    edition: str | None = None,
    dataset: str = "baci",
) -> pa.Table:
    """Exporters whose loss would cut >= ``min_share`` of supply to >= ``min_importers``."""
    src, plan, keys, (exporters, world) = _prepare(engine, year, edition, dataset)
    sql = f"""
        WITH f AS (
            SELECT product, i, e, v, v / SUM(v) OVER (PARTITION BY product, i) AS share
            FROM ({flows_sql(src, keys, plan)}) x
            WHERE 1 = 1 {_products_filter(products)}
        ), hit AS (
            SELECT product, e, COUNT(*) AS importers,
                   SUM(CASE WHEN share >= {float(min_share)} THEN 1 ELSE 0 END) AS importers_cut,
                   SUM(CASE WHEN share >= {float(min_share)} THEN v ELSE 0 END) AS value_at_risk
            FROM f GROUP BY product, e
        )
        SELECT CAST({year} AS SMALLINT) AS year, hit.product,
               {decode_sql("hit.e", "k")} AS exporter, ex.x / w.world_value AS world_export_share,
               hit.importers_cut, hit.importers, ROUND(hit.value_at_risk, 3) AS value_at_risk
        FROM hit
        JOIN {exporters} ex ON ex.year = {year} AND ex.product = hit.product AND ex.e = hit.e
        JOIN {world} w ON w.year = {year} AND w.product = hit.product
        LEFT JOIN {keys.values_sql()} AS k(key, iso3) ON k.key = hit.e
        WHERE hit.importers_cut >= {int(min_importers)}
        ORDER BY hit.importers_cut DESC, value_at_risk DESC, hit.product, exporter
    """
    return engine.query(sql, [*editions.datasets(src, plan), "baci_countries"], schema=CRITICAL)


def dependent_and_concentrated(
    engine: Engine,
    *,
    importer: str,
    year: int,
    method: str = "geodep",
    world_hhi: float = 0.4,
    thresholds: Mapping[str, float] | None = None,
    edition: str | None = None,
    dataset: str = "baci",
) -> pa.Table:
    """The importer's dependencies whose world supply is concentrated, ranked by ``score``."""
    table = dependencies(
        engine,
        year=year,
        importers=[importer],
        method=method,
        thresholds=thresholds,
        edition=edition,
        dataset=dataset,
    )
    keep = pc.and_(table["dependent"], pc.greater(table["world_export_hhi"], world_hhi))
    table = table.filter(keep)
    score = pc.sqrt(pc.multiply(table["hhi"], table["world_export_hhi"]))
    table = table.append_column("score", score)
    order = pc.sort_indices(table, [("score", "descending"), ("import_value", "descending")])
    return table.take(order)
