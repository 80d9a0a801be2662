"""Mirror flows: what each Comtrade reporter declared against BACI's reconciled value.

For reporter *r*, partner *p*, product *k* and year *t*:

* imports: Comtrade's ``M`` row of *r* from *p* (reported by *r*, valued **CIF**) against BACI's
  flow *p* → *r* (**FOB**);
* exports: Comtrade's ``X`` row of *r* to *p* (**FOB**) against BACI's flow *r* → *p*.

``ratio = reported / BACI`` and ``gap_usd = reported - BACI``, in current USD (BACI's thousand
USD x 1000).

**CIF/FOB caveat.** A CIF import value includes freight and insurance to the importer's border,
so a reported import exceeds the FOB value of the same goods by the transport cost (larger for
heavy, cheap goods such as ores and coal). BACI estimates that margin before reconciling, yet
many of its flows equal the importer's CIF declaration to the dollar (29 % of Japan's 2024
import pairs in BACI V202601): import ratios of 1 and a little above are both expected. Ratios
far from 1 have other causes: goods in transit or re-exported attributed to another partner,
confidential partners (reported under "Areas, nes"), timing, and BACI's choice between the two
declarations. Exports are FOB on both sides.

Products are matched on the HS6 code. Comtrade gives each reporter's own HS edition (HS 2022 for
most reporters from 2022), BACI one edition per file, so codes whose scope changed between
editions (e.g. 811292, from which HS 2022 split hafnium into 811231) are not strictly comparable.
Comtrade partners that are not countries (World, "nes" areas, bunkers, free zones; see
:data:`econsec.datasets.comtrade.AREAS`) are left out of the pairs; :func:`reporting_totals`
compares each World row with the sum over partners instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from econsec.datasets.comtrade import AREAS
from econsec.engine.base import Engine
from econsec.errors import Conflict, NotFound

_FILTERS = """year = {year}
      AND reporter IS NOT NULL
      AND ({reporter} IS NULL OR reporter = {reporter})
      AND ({all_products} OR hs6 IN {products})"""

MIRROR_SQL = f"""
WITH reported AS (
    SELECT year, reporter, partner, hs6, flow, SUM(value_usd) AS reported_usd
    FROM comtrade
    WHERE {_FILTERS}
      AND flow IN ('M', 'X') AND partner IS NOT NULL AND partner_code NOT IN {{areas}}
    GROUP BY year, reporter, partner, hs6, flow
), scope AS (
    SELECT DISTINCT year, reporter, hs6, flow FROM comtrade
    WHERE {_FILTERS} AND flow IN ('M', 'X')
), flows AS (
    SELECT year, exporter, importer, hs6, SUM(value_kusd) AS value_kusd
    FROM baci
    WHERE year = {{year}} AND hs_edition = {{hs_edition}}
      AND exporter IS NOT NULL AND importer IS NOT NULL
    GROUP BY year, exporter, importer, hs6
), mirrored AS (
    SELECT s.year, s.reporter, f.exporter AS partner, s.hs6, s.flow, f.value_kusd
    FROM scope s JOIN flows f ON f.year = s.year AND f.hs6 = s.hs6 AND f.importer = s.reporter
    WHERE s.flow = 'M'
    UNION ALL
    SELECT s.year, s.reporter, f.importer AS partner, s.hs6, s.flow, f.value_kusd
    FROM scope s JOIN flows f ON f.year = s.year AND f.hs6 = s.hs6 AND f.exporter = s.reporter
    WHERE s.flow = 'X'
), pairs AS (
    SELECT
        COALESCE(r.year, m.year) AS year,
        COALESCE(r.reporter, m.reporter) AS reporter,
        COALESCE(r.partner, m.partner) AS partner,
        COALESCE(r.hs6, m.hs6) AS hs6,
        COALESCE(r.flow, m.flow) AS flow,
        r.reported_usd,
        m.value_kusd * 1000 AS baci_usd
    FROM reported r
    FULL OUTER JOIN mirrored m
      ON m.year = r.year AND m.reporter = r.reporter AND m.partner = r.partner
     AND m.hs6 = r.hs6 AND m.flow = r.flow
)
SELECT
    year, reporter, partner, hs6, flow, reported_usd, baci_usd,
    CAST(reported_usd AS DOUBLE) / NULLIF(CAST(baci_usd AS DOUBLE), 0) AS ratio,
    COALESCE(reported_usd, 0) - COALESCE(baci_usd, 0) AS gap_usd
FROM pairs
ORDER BY year, reporter, hs6, flow, partner
"""

MIRROR_SCHEMA = pa.schema(
    [
        ("year", pa.int16()),
        ("reporter", pa.string()),
        ("partner", pa.string()),
        ("hs6", pa.string()),
        ("flow", pa.string()),
        ("reported_usd", pa.decimal128(38, 3)),
        ("baci_usd", pa.decimal128(38, 3)),
        ("ratio", pa.float64()),
        ("gap_usd", pa.decimal128(38, 3)),
    ]
)

TOTALS_SQL = f"""
WITH sums AS (
    SELECT year, reporter, hs6, flow,
        SUM(CASE WHEN partner_code = 0 THEN value_usd END) AS world_usd,
        SUM(CASE WHEN partner_code <> 0 THEN value_usd END) AS partners_usd,
        SUM(CASE WHEN partner_code <> 0 AND partner_code IN {{areas}} THEN value_usd END)
            AS areas_usd,
        COUNT(CASE WHEN partner_code <> 0 THEN 1 END) AS partners
    FROM comtrade
    WHERE {_FILTERS}
    GROUP BY year, reporter, hs6, flow
)
SELECT
    year, reporter, hs6, flow, world_usd, partners_usd, areas_usd, partners,
    CAST(partners_usd AS DOUBLE) / NULLIF(CAST(world_usd AS DOUBLE), 0) AS ratio,
    world_usd - COALESCE(partners_usd, 0) AS gap_usd
FROM sums
ORDER BY year, reporter, hs6, flow
"""

TOTALS_SCHEMA = pa.schema(
    [
        ("year", pa.int16()),
        ("reporter", pa.string()),
        ("hs6", pa.string()),
        ("flow", pa.string()),
        ("world_usd", pa.decimal128(38, 3)),
        ("partners_usd", pa.decimal128(38, 3)),
        ("areas_usd", pa.decimal128(38, 3)),
        ("partners", pa.int64()),
        ("ratio", pa.float64()),
        ("gap_usd", pa.decimal128(38, 3)),
    ]
)


def _params(year: int, reporter: str | None, hs6: Sequence[str] | None) -> dict[str, object]:
    return {
        "year": year,
        "reporter": reporter,
        "all_products": hs6 is None,
        "products": list(hs6 or []),
        "areas": sorted(AREAS),
    }


def mirror_flows(
    engine: Engine,
    year: int,
    *,
    reporter: str | None = None,
    hs6: Sequence[str] | None = None,
    hs_edition: str | None = None,
) -> pa.Table:
    """Reported flows against BACI, one row per (reporter, partner, HS6, flow M or X).

    Columns: year, reporter, partner (ISO alpha-3), hs6, flow, reported_usd (Comtrade
    primaryValue, current USD; CIF for M, FOB for X), baci_usd (BACI value_kusd x 1000, FOB),
    ratio (reported / BACI; NULL when BACI is 0 or missing), gap_usd (reported - BACI, a missing
    side counted as 0). A pair appears when either side has it, within the (reporter, HS6, flow)
    combinations the reporter reported at all: reported_usd NULL means the reporter named other
    partners but not this one; baci_usd NULL means BACI has no such flow. ``reporter`` (ISO
    alpha-3) and ``hs6`` narrow the query; ``hs_edition`` picks the BACI edition when more than
    one is loaded for the year. See the module docstring for the CIF/FOB caveat.
    """
    editions = engine.query(
        "SELECT DISTINCT hs_edition FROM baci WHERE year = {year}", ["baci"], {"year": year}
    )["hs_edition"].to_pylist()
    if not editions or (hs_edition is not None and hs_edition not in editions):
        edition = "" if hs_edition is None else f" in {hs_edition}"
        raise NotFound(f"BACI has no flows for {year}{edition}; load a BACI file for that year")
    if hs_edition is None:
        if len(editions) > 1:
            listed = ", ".join(sorted(editions))
            raise Conflict(f"BACI has several HS editions for {year} ({listed}); pick hs_edition")
        hs_edition = editions[0]
    params = {**_params(year, reporter, hs6), "hs_edition": hs_edition}
    return engine.query(MIRROR_SQL, ["baci", "comtrade"], params, MIRROR_SCHEMA)


def reporting_totals(
    engine: Engine, year: int, *, reporter: str | None = None, hs6: Sequence[str] | None = None
) -> pa.Table:
    """Comtrade's internal consistency: each reporter's World row against its partner rows.

    One row per (year, reporter, HS6, flow), all four flows: world_usd (the partner-0 row),
    partners_usd (sum over every other partner, areas included), areas_usd (the part reported
    against non-country areas: "nes" regions, bunkers, free zones, special categories),
    partners (how many partner rows), ratio (partners_usd / world_usd) and gap_usd (world_usd -
    partners_usd), in current USD. A ratio of 1 means the partner detail adds up to the total.
    """
    return engine.query(TOTALS_SQL, ["comtrade"], _params(year, reporter, hs6), TOTALS_SCHEMA)
