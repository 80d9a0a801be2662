"""Who supplies an importer (or group) with each product, and with what share of its imports."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from econsec.engine.base import Engine, literal
from econsec.know import editions, flows
from econsec.know.dependencies import entities
from econsec.know.flows import Keys, decode_sql
from econsec.know.groups import Group
from econsec.know.indicators import flows_sql

SCHEMA = pa.schema(
    [
        ("importer", pa.string()),
        ("year", pa.int16()),
        ("product", pa.string()),
        ("supplier", pa.string()),
        ("value", pa.float64()),
        ("share", pa.float64()),
        ("rank", pa.int64()),
    ]
)


def supplier_shares(
    engine: Engine,
    *,
    importer: str,
    year: int,
    products: Sequence[str] | None = None,
    extra_groups: Sequence[str | Group] = (),
    edition: str | None = None,
    dataset: str = "baci",
) -> pa.Table:
    """One row per (product, supplier): value (the data's unit) and share of the importer's
    imports; a group's suppliers are countries outside it. Largest supplier first."""
    src = flows.source(dataset)
    plan = editions.plan(engine, src, [year], edition)
    keys = Keys.load(engine)
    wanted = entities([importer], extra_groups) or {}
    ((name, members),) = wanted.items()
    member_keys = tuple(k for iso in members for k in keys.keys_of(iso))
    only = "" if not products else f"AND product IN {literal(tuple(products))}"
    sql = f"""
        WITH f AS (
            SELECT product, e, SUM(v) AS v
            FROM ({flows_sql(src, keys, plan, where=keys.raw_filter(src, "importer", members))}) x
            WHERE i IN {literal(member_keys)} AND e NOT IN {literal(member_keys)} {only}
            GROUP BY product, e
        )
        SELECT {literal(name)} AS importer, CAST({int(year)} AS SMALLINT) AS year, f.product,
               {decode_sql("f.e", "k")} AS supplier, ROUND(f.v, 3) AS value,
               f.v / SUM(f.v) OVER (PARTITION BY f.product) AS share,
               ROW_NUMBER() OVER (PARTITION BY f.product ORDER BY f.v DESC, f.e) AS rank
        FROM f LEFT JOIN {keys.values_sql()} AS k(key, iso3) ON k.key = f.e
        ORDER BY f.product, rank
    """
    return engine.query(sql, [*editions.datasets(src, plan), "baci_countries"], schema=SCHEMA)
