"""Export-stop scenario: exporter E stops supplying products P (optionally only to importers Q).

For each importer *i* and product *p* that E supplied, with x(k→i) the flows and M the imports:

* **direct loss** L = x(E→i) and its share of supply L / M;
* **alternative suppliers** k ≠ E, with their world exports and their exports to the importers
  E no longer supplies ("affected") and to everyone else;
* **re-routed estimate**. ASSUMPTION (stated in every result): per product, the other
  exporters k divert part of their shipments to third countries (countries E still supplies or
  never supplied), t_k, to the affected importers, up to ``max_divert``·t_k (default 1: at most
  all of them). The cover C = min(Σ L, max_divert·Σ t_k) is shared among the affected importers
  in proportion to their losses and drawn from each k in proportion to t_k; what is not covered
  is the gap. Each affected importer's supplier mix after re-routing gives a new HHI. Prices,
  capacity and stocks are not modelled: the estimate shows who could replace E, not that they
  would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from econsec.engine.base import Engine, literal
from econsec.errors import DataError
from econsec.know import editions, flows
from econsec.know.flows import Keys, decode_sql
from econsec.know.groups import groups, members
from econsec.know.indicators import flows_sql, world_tables

LOSSES = pa.schema(
    [
        ("importer", pa.string()),
        ("product", pa.string()),
        ("import_value", pa.float64()),
        ("lost_value", pa.float64()),
        ("lost_share", pa.float64()),
        ("hhi_before", pa.float64()),
        ("rerouted_value", pa.float64()),
        ("gap_value", pa.float64()),
        ("gap_share", pa.float64()),
        ("hhi_after", pa.float64()),
        ("top_supplier_after", pa.string()),
    ]
)
ALTERNATIVES = pa.schema(
    [
        ("product", pa.string()),
        ("supplier", pa.string()),
        ("world_exports", pa.float64()),
        ("exports_to_affected", pa.float64()),
        ("exports_to_others", pa.float64()),
        ("rerouted_value", pa.float64()),
    ]
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Results of an export-stop scenario (values in the data's unit)."""

    exporter: str
    products: tuple[str, ...]
    year: int
    losses: pa.Table
    importers: pa.Table
    alternatives: pa.Table
    assumption: str
    unit: str


def assumption(max_divert: float) -> str:
    """The re-routing assumption in words."""
    return (
        f"Re-routed estimate: other exporters divert up to {max_divert:.0%} of their shipments "
        "to third countries (those not affected) to the affected importers, in proportion to "
        "those shipments; the cover is shared among the affected importers in proportion to "
        "their losses. Prices, capacity and stocks are not modelled."
    )


def export_stop(
    engine: Engine,
    *,
    exporter: str,
    products: Sequence[str],
    year: int,
    importers: Sequence[str] | None = None,
    max_divert: float = 1.0,
    edition: str | None = None,
    dataset: str = "baci",
) -> Scenario:
    """Run the scenario (see the module docstring)."""
    if not products:
        raise DataError("no products given", field="products", expected="one or more codes")
    if not 0 <= max_divert <= 1:
        raise DataError(
            "invalid max_divert",
            field="max_divert",
            got=str(max_divert),
            expected="a share between 0 and 1",
        )
    src = flows.source(dataset)
    plan = editions.plan(engine, src, [year], edition)
    keys = Keys.load(engine)
    exporters, _ = world_tables(engine, src, keys, plan)
    ((name, countries),) = members([exporter], groups()).items()
    stopped = [k for iso in countries for k in keys.keys_of(iso)]
    target = ""
    if importers:
        # Groups (EU27, ...) stand for their members; anything else must be an ISO3 code.
        chosen = members(importers, groups()).values()
        wanted = [k for isos in chosen for iso in isos for k in keys.keys_of(iso)]
        target = f"AND f.i IN {literal(tuple(wanted))}"
    divert = repr(float(max_divert))
    base = f"""
        WITH f AS (
            SELECT * FROM ({flows_sql(src, keys, plan)}) x
            WHERE product IN {literal(tuple(products))}
        ), hit AS (
            SELECT f.i, f.product, SUM(f.v) AS lost
            FROM f WHERE f.e IN {literal(tuple(stopped))} {target} GROUP BY f.i, f.product
        ), supply AS (
            SELECT f.i, f.product, f.e, f.v FROM f JOIN hit ON hit.i = f.i
                AND hit.product = f.product
        ), affected AS (
            SELECT s.product, s.e, SUM(s.v) AS v FROM supply s GROUP BY s.product, s.e
        ), third AS (
            SELECT w.product, w.e, w.x - COALESCE(a.v, 0) AS t
            FROM {exporters} w LEFT JOIN affected a ON a.product = w.product AND a.e = w.e
            WHERE w.year = {year} AND w.product IN {literal(tuple(products))}
              AND w.e NOT IN {literal(tuple(stopped))} AND w.x - COALESCE(a.v, 0) > 0
        ), pool AS (
            SELECT l.product, l.lost, COALESCE(t.total, 0) AS total,
                   LEAST(l.lost, {divert} * COALESCE(t.total, 0)) AS covered
            FROM (SELECT product, SUM(lost) AS lost FROM hit GROUP BY product) l
            LEFT JOIN (SELECT product, SUM(t) AS total FROM third GROUP BY product) t
                ON t.product = l.product
        ), alloc AS (
            SELECT h.i, h.product, t.e, h.lost * p.covered / p.lost * t.t / p.total AS add_v
            FROM hit h JOIN pool p ON p.product = h.product
            JOIN third t ON t.product = h.product
        ), after AS (
            SELECT COALESCE(s.i, a.i) AS i, COALESCE(s.product, a.product) AS product,
                   COALESCE(s.e, a.e) AS e,
                   COALESCE(CASE WHEN s.e IN {literal(tuple(stopped))} THEN 0 ELSE s.v END, 0)
                       + COALESCE(a.add_v, 0) AS v
            FROM supply s FULL OUTER JOIN alloc a
                ON a.i = s.i AND a.product = s.product AND a.e = s.e
        )
    """
    losses = engine.query(
        base
        + f"""
        , before AS (
            SELECT i, product, SUM(v) AS m, SUM(v * v) AS sq FROM supply GROUP BY i, product
        ), post AS (
            SELECT i, product, SUM(v) AS m2, SUM(v * v) AS sq2, MAX(v) AS top FROM after
            WHERE v > 0 GROUP BY i, product
        ), top_after AS (
            SELECT a.i, a.product, MAX(a.e) AS e FROM after a JOIN post p
                ON p.i = a.i AND p.product = a.product AND a.v = p.top GROUP BY a.i, a.product
        )
        SELECT {decode_sql("b.i", "ki")} AS importer, b.product, ROUND(b.m, 3) AS import_value,
               ROUND(h.lost, 3) AS lost_value, h.lost / b.m AS lost_share,
               b.sq / (b.m * b.m) AS hhi_before,
               ROUND(COALESCE(p.m2, 0) - (b.m - h.lost), 3) AS rerouted_value,
               ROUND(b.m - COALESCE(p.m2, 0), 3) AS gap_value,
               (b.m - COALESCE(p.m2, 0)) / b.m AS gap_share,
               p.sq2 / (p.m2 * p.m2) AS hhi_after,
               {decode_sql("ta.e", "kt")} AS top_supplier_after
        FROM before b JOIN hit h ON h.i = b.i AND h.product = b.product
        LEFT JOIN post p ON p.i = b.i AND p.product = b.product
        LEFT JOIN top_after ta ON ta.i = b.i AND ta.product = b.product
        LEFT JOIN {keys.values_sql()} AS ki(key, iso3) ON ki.key = b.i
        LEFT JOIN {keys.values_sql()} AS kt(key, iso3) ON kt.key = ta.e
        ORDER BY lost_value DESC, importer, b.product
    """,
        [*editions.datasets(src, plan), "baci_countries"],
        schema=LOSSES,
    )
    alternatives = engine.query(
        base
        + f"""
        , rerouted AS (
            SELECT product, e, SUM(add_v) AS v FROM alloc GROUP BY product, e
        )
        SELECT w.product, {decode_sql("w.e", "k")} AS supplier, ROUND(w.x, 3) AS world_exports,
               ROUND(COALESCE(a.v, 0), 3) AS exports_to_affected,
               ROUND(w.x - COALESCE(a.v, 0), 3) AS exports_to_others,
               ROUND(COALESCE(r.v, 0), 3) AS rerouted_value
        FROM {exporters} w
        LEFT JOIN affected a ON a.product = w.product AND a.e = w.e
        LEFT JOIN rerouted r ON r.product = w.product AND r.e = w.e
        LEFT JOIN {keys.values_sql()} AS k(key, iso3) ON k.key = w.e
        WHERE w.year = {year} AND w.product IN {literal(tuple(products))}
          AND w.e NOT IN {literal(tuple(stopped))}
        ORDER BY w.product, rerouted_value DESC, world_exports DESC, supplier
    """,
        [*editions.datasets(src, plan), "baci_countries"],
        schema=ALTERNATIVES,
    )
    by_importer = losses.group_by("importer").aggregate(
        [("lost_value", "sum"), ("import_value", "sum"), ("gap_value", "sum"), ("product", "count")]
    )
    by_importer = pa.table(
        {
            "importer": by_importer["importer"],
            "products": by_importer["product_count"],
            "lost_value": pc.round(by_importer["lost_value_sum"], 3),
            "import_value": pc.round(by_importer["import_value_sum"], 3),
            "lost_share": pc.divide(by_importer["lost_value_sum"], by_importer["import_value_sum"]),
            "gap_value": pc.round(by_importer["gap_value_sum"], 3),
        }
    )
    by_importer = by_importer.sort_by([("lost_value", "descending"), ("importer", "ascending")])
    return Scenario(
        name,
        tuple(products),
        year,
        losses,
        by_importer,
        alternatives,
        assumption(max_divert),
        src.unit,
    )
