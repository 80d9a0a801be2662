"""BACI aggregated to critical materials: the 2002-2024 bilateral panel of the critical-materials
atlas (``baci_critical_materials_bilateral_2002_2024.parquet``).

The atlas summed BACI's HS6 flows (HS02 edition for 2002-2016, HS17 for 2017-2024) into 32
material labels and gave countries as ISO alpha-2 codes and values in USD. Its columns are mapped
explicitly: ``year``, ``baci_edition`` ("HS17 V202601"), ``material``, ``exporter_iso2``,
``importer_iso2``, ``value_usd`` (→ ``value_kusd``, thousand USD like BACI) and ``qty_t``.
Countries become ISO alpha-3 through ``baci_countries``; ``CS`` is Czechoslovakia up to 1992 and
Serbia and Montenegro after. Codes not in ``baci_countries`` (e.g. ``TF``, French Southern
Territories) fail the load unless ``keep_unknown`` is set, and are then kept as given and counted.
"""

from __future__ import annotations

import duckdb

from econsec.datasets.baci import CEPII, ETALAB
from econsec.datasets.base import Column, DatasetSpec, Option, StageContext, Staged
from econsec.errors import DataError

SOURCE = {
    "year": "BIGINT",
    "baci_edition": "VARCHAR",
    "material": "VARCHAR",
    "exporter_iso2": "VARCHAR",
    "importer_iso2": "VARCHAR",
    "value_usd": "DOUBLE",
    "qty_t": "DOUBLE",
}
#: Alpha-2 codes that meant different countries over time: (iso2, iso3, first year, last year).
HISTORY = (("CS", "CSK", 1900, 1992), ("CS", "SCG", 1993, 2006))


def _stage(ctx: StageContext) -> Staged:
    con, path = ctx.con, ctx.path
    with path.open("rb") as fh:
        if fh.read(4) != b"PAR1":
            raise DataError("not a Parquet file", path=path, expected="Parquet (PAR1)")
    scan = "read_parquet(?, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {scan}", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise DataError(
            f"not a readable Parquet file ({str(exc).splitlines()[0]})", path=path
        ) from None
    columns = [str(r[0]) for r in described]
    missing = [c for c in SOURCE if c not in columns]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}",
            path=path,
            got=",".join(columns),
            expected=",".join(SOURCE),
        )
    checks = {
        col: f"min(file_row_number) FILTER (WHERE {col} IS NOT NULL AND "
        f"TRY_CAST({col} AS {kind}) IS NULL)"
        for col, kind in SOURCE.items()
    }
    checks |= {
        "missing": "min(file_row_number) FILTER (WHERE year IS NULL OR material IS NULL OR "
        "exporter_iso2 IS NULL OR importer_iso2 IS NULL OR value_usd IS NULL)",
        "negative": "min(file_row_number) FILTER (WHERE TRY_CAST(value_usd AS DOUBLE) < 0 OR "
        "TRY_CAST(qty_t AS DOUBLE) < 0)",
    }
    found = (
        con.execute(f"SELECT {', '.join(checks.values())} FROM {scan}", [str(path)]).fetchone()
        or ()
    )
    for (name, _), bad in zip(checks.items(), found, strict=True):
        if bad is not None:
            field = name if name in SOURCE else None
            what = {"missing": "missing value", "negative": "negative amount"}.get(
                name, "invalid value"
            )
            raise DataError(
                what,
                path=path,
                row=int(bad) + 1,
                field=field,
                expected=SOURCE.get(name, "a complete, non-negative row"),
            )
    countries = ctx.resolve("baci_countries")
    history = ", ".join(f"('{a}', '{b}', {lo}, {hi})" for a, b, lo, hi in HISTORY)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _iso2 AS
        WITH history(iso2, iso3, first, last) AS (VALUES {history})
        SELECT DISTINCT iso2, iso3, 1900 AS first, 2100 AS last FROM {countries}
        WHERE iso2 IS NOT NULL AND iso2 NOT IN (SELECT h.iso2 FROM history h)
        UNION ALL SELECT * FROM history
    """)
    con.execute(f"""
        CREATE TABLE "{ctx.table}" AS SELECT
            CAST(s.year AS SMALLINT) AS year,
            s.baci_edition,
            split_part(s.baci_edition, ' ', 1) AS hs_edition,
            s.material,
            coalesce(e.iso3, s.exporter_iso2) AS exporter,
            coalesce(i.iso3, s.importer_iso2) AS importer,
            CAST(s.value_usd / 1000 AS DECIMAL(18,3)) AS value_kusd,
            CAST(s.qty_t AS DOUBLE) AS qty_t,
            e.iso3 IS NULL AS _unknown_exporter,
            i.iso3 IS NULL AS _unknown_importer,
            s.file_row_number + 1 AS _row
        FROM {scan.replace("?", "'" + str(path).replace("'", "''") + "'")} AS s
        LEFT JOIN _iso2 e ON e.iso2 = s.exporter_iso2 AND s.year BETWEEN e.first AND e.last
        LEFT JOIN _iso2 i ON i.iso2 = s.importer_iso2 AND s.year BETWEEN i.first AND i.last
    """)
    notes = _unknowns(ctx)
    duplicate = con.execute(
        f'SELECT year, material, exporter, importer, max(_row) FROM "{ctx.table}" '
        "GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 1"
    ).fetchone()
    if duplicate:
        raise DataError(
            f"duplicate flow {' '.join(map(str, duplicate[:4]))}",
            path=path,
            row=int(duplicate[4]),
            field="year,material,exporter_iso2,importer_iso2",
            expected="one row per year, material, exporter and importer",
        )
    con.execute(
        f'ALTER TABLE "{ctx.table}" DROP COLUMN _unknown_exporter; '
        f'ALTER TABLE "{ctx.table}" DROP COLUMN _unknown_importer; '
        f'ALTER TABLE "{ctx.table}" DROP COLUMN _row'
    )
    release = con.execute(
        f"SELECT string_agg(DISTINCT split_part(baci_edition, ' ', 2), ', ') FROM \"{ctx.table}\""
    ).fetchone()
    return Staged(release=release[0] if release else None, notes=notes)


def _unknowns(ctx: StageContext) -> list[str]:
    notes = []
    for role in ("exporter", "importer"):
        rows = ctx.con.execute(
            f'SELECT {role}, count(*), min(_row) FROM "{ctx.table}" WHERE _unknown_{role} '
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
        if not rows:
            continue
        count = sum(r[1] for r in rows)
        codes = ", ".join(f"{r[0]} ({r[1]} rows)" for r in rows)
        if not ctx.flag("keep_unknown"):
            raise DataError(
                f"unknown {role}: {count} row(s) with {codes} (load with --keep-unknown to keep "
                "them; they are then counted in the version notes)",
                path=ctx.path,
                row=min(r[2] for r in rows),
                field=f"{role}_iso2",
                expected="an ISO alpha-2 code listed in baci_countries",
            )
        notes.append(f"kept {count} row(s) with unknown {role}: {codes}")
    return notes


BACI_MATERIALS = DatasetSpec(
    name="baci_materials",
    area="trade",
    title="BACI bilateral trade in critical materials, 2002-2024 (32 materials)",
    publisher="CEPII (BACI V202601), aggregated to materials by the critical-materials atlas",
    licence=ETALAB,
    formats=("parquet",),
    columns=(
        Column("year", "SMALLINT", "Year"),
        Column("baci_edition", "VARCHAR", "BACI edition and release, e.g. 'HS17 V202601'"),
        Column("hs_edition", "VARCHAR", "HS edition the material was summed in (HS02, HS17)"),
        Column("material", "VARCHAR", "Material label (the atlas's HS6 groups)"),
        Column("exporter", "VARCHAR", "Exporter, ISO 3166-1 alpha-3"),
        Column("importer", "VARCHAR", "Importer, ISO 3166-1 alpha-3"),
        Column("value_kusd", "DECIMAL(18,3)", "Value, thousand current USD (source: USD)"),
        Column("qty_t", "DOUBLE", "Quantity, metric tonnes (2024 only)"),
    ),
    stage=_stage,
    key=("year", "material", "exporter", "importer"),
    partition_by=("year",),
    requires=("baci_countries",),
    options=(Option("keep_unknown", "true: keep rows with unknown country codes, counted"),),
    source_url="https://github.com/Varcolacus/critical-materials-atlas",
    cadence="with each BACI release",
    description=(
        f"{CEPII} flows summed to 32 critical materials; see ../shared/data/trade/PROVENANCE.md. "
        "Each file replaces the years it contains."
    ),
)

SPECS = (BACI_MATERIALS,)
