"""World export totals and exporter shares per product (the first query on both engines).

For product *p* in year *t*: world exports :math:`X_{p,t} = \\sum_e x_{e,p,t}` and exporter
*e*'s share :math:`s_{e,p,t} = x_{e,p,t} / X_{p,t}`, with values in thousand current USD from
BACI. Sums are exact (DECIMAL); the share is the IEEE division of the two sums, so DuckDB and
Spark return identical results.
"""

from __future__ import annotations

import pyarrow as pa

from econsec.engine.base import Engine

EXPORT_SHARES_SQL = """
WITH flows AS (
    SELECT year, hs_edition, hs6, exporter, SUM(value_kusd) AS value_kusd
    FROM baci
    WHERE ({year} IS NULL OR year = {year})
      AND ({hs_edition} IS NULL OR hs_edition = {hs_edition})
    GROUP BY year, hs_edition, hs6, exporter
), totals AS (
    SELECT year, hs_edition, hs6, SUM(value_kusd) AS world_kusd, COUNT(*) AS exporters
    FROM flows
    GROUP BY year, hs_edition, hs6
)
SELECT
    f.year, f.hs_edition, f.hs6, f.exporter,
    f.value_kusd,
    t.world_kusd,
    t.exporters,
    CAST(f.value_kusd AS DOUBLE) / NULLIF(CAST(t.world_kusd AS DOUBLE), 0) AS share,
    RANK() OVER (
        PARTITION BY f.year, f.hs_edition, f.hs6 ORDER BY f.value_kusd DESC
    ) AS rank
FROM flows f
JOIN totals t
  ON f.year = t.year AND f.hs_edition = t.hs_edition AND f.hs6 = t.hs6
ORDER BY f.year, f.hs_edition, f.hs6, f.value_kusd DESC, f.exporter NULLS LAST
"""


EXPORT_SHARES_SCHEMA = pa.schema(
    [
        ("year", pa.int16()),
        ("hs_edition", pa.string()),
        ("hs6", pa.string()),
        ("exporter", pa.string()),
        ("value_kusd", pa.decimal128(38, 3)),
        ("world_kusd", pa.decimal128(38, 3)),
        ("exporters", pa.int64()),
        ("share", pa.float64()),
        ("rank", pa.int64()),
    ]
)


def world_export_shares(
    engine: Engine, *, year: int | None = None, hs_edition: str | None = None
) -> pa.Table:
    """Per (year, HS edition, HS6, exporter): exports, world exports (thousand USD), share.

    Columns: year, hs_edition, hs6, exporter (ISO alpha-3; NULL for unknown codes kept at load),
    value_kusd, world_kusd, exporters (number of exporters of the product), share (0-1), rank
    (1 = largest exporter). Optional filters by year and HS edition.
    """
    params = {"year": year, "hs_edition": hs_edition}
    return engine.query(EXPORT_SHARES_SQL, ["baci"], params, EXPORT_SHARES_SCHEMA)
