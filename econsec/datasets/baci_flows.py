"""The BACI trade-flow loader: official ``t,i,j,k,v,q`` files (CSV, gzip CSV or Parquet, any HS
edition) and Parquet extracts whose columns differ, mapped explicitly in :data:`LAYOUTS`.

DuckDB reads the file into a staging table in one streaming pass under the store's memory limit.
Rows a CSV scan cannot parse are collected (``store_rejects``) instead of stopping it; Parquet
columns are type-checked by one query first. One aggregate query then checks what typing cannot
(missing values, implausible years, negative amounts, years that disagree with the file name),
the distinct country and HS codes are compared with the reference lists, and a grouped query
finds duplicate keys. The first problem is reported with its line (CSV) or row (Parquet);
finding that line costs one more, ordered read, paid only when there is an error (see
:mod:`econsec.datasets.baci_source`). Unknown codes are kept with the ``keep_unknown`` option and
then counted in the version's notes.

Flows loaded from numeric codes store the codes only; the ``baci`` view adds ISO alpha-3 codes
from ``baci_countries`` (a join at query time is cheaper than one at load time, and keeps a
single mapping). Extracts that give ISO codes keep them, normalised (S19 → TWN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from econsec.datasets.baci import (
    CEPII,
    ETALAB,
    PRODUCT_CODE,
    PSEUDO_ALIASES,
    edition_of,
    release_of,
)
from econsec.datasets.baci_source import Check, FlowSource, Layout, fail
from econsec.datasets.base import Column, DatasetSpec, Option, StageContext, Staged
from econsec.errors import Conflict, DataError
from econsec.store.analytics import run_with_progress

LAYOUTS = (
    Layout(
        "baci",
        {
            "year": "t",
            "exporter": "i",
            "importer": "j",
            "hs6": "k",
            "value_kusd": "v",
            "qty_t": "q",
        },
        by_iso3=False,
    ),
    # ARTIS (Seafood Globalization Lab) standardised BACI: ISO3 countries, HS edition column.
    Layout(
        "artis",
        {
            "year": "year",
            "exporter": "exporter_iso3c",
            "importer": "importer_iso3c",
            "hs6": "hs6",
            "value_kusd": "total_v",
            "qty_t": "total_q",
        },
        by_iso3=True,
        edition_column="hs_version",
    ),
    # critical-materials-atlas extract: ISO3 countries (BACI's S19 for Taiwan), names, material.
    Layout(
        "atlas",
        {
            "year": "year",
            "exporter": "exporter_iso3",
            "importer": "importer_iso3",
            "hs6": "hs6",
            "value_kusd": "value_kusd",
            "qty_t": "qty_t",
        },
        by_iso3=True,
    ),
    # R-IO-PS example data: BACI numeric codes, HS 1992 codes in column hs92_6.
    Layout(
        "rio",
        {
            "year": "year",
            "exporter": "exporter_baci",
            "importer": "importer_baci",
            "hs6": "hs92_6",
            "value_kusd": "value_kusd",
            "qty_t": "qty_t",
        },
        by_iso3=False,
        edition="HS92",
    ),
)

_YEAR_IN_NAME = re.compile(r"_Y((?:19|20)\d\d)")
_UNKNOWN_HINT = (
    " (load with --keep-unknown to keep such rows; they are then counted in the version notes)"
)


def stage_flows(ctx: StageContext) -> Staged:
    """Stage one BACI flow file (see the module docstring)."""
    return _FlowLoad(ctx).run()


@dataclass(frozen=True, slots=True)
class _Unknown:
    """Codes of one kind that the reference lists do not know."""

    check: Check
    codes: list[str]


class _FlowLoad:
    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx
        self.con = ctx.con
        self.source = FlowSource.open(ctx.con, ctx.path, LAYOUTS)
        self.layout = self.source.layout
        self.edition = self._edition()

    def _edition(self) -> str:
        edition = self.layout.edition or edition_of(self.source.path, dict(self.ctx.options))
        column = self.layout.edition_column
        if column:
            found = self.source.distinct(column)
            if len(found) != 1 or not re.fullmatch(r"HS\d\d", found[0]):
                raise DataError(
                    "the file mixes or lacks HS editions",
                    path=self.source.path,
                    field=column,
                    got=",".join(found),
                    expected="one edition such as HS12",
                )
            if edition and edition != found[0]:
                raise DataError(
                    f"the file says {found[0]} but the load asked for {edition}",
                    path=self.source.path,
                    field=column,
                )
            edition = found[0]
        if edition is None:
            raise DataError(
                "cannot tell the HS edition",
                path=self.source.path,
                expected="a file name containing HS92/HS96/HS02/HS07/HS12/HS17/HS22 "
                "or --option hs_edition=HS17",
            )
        return edition

    def run(self) -> Staged:
        ctx = self.ctx
        self._aliases(ctx.resolve("baci_countries"))
        self.source.check_types()
        ctx.report("read", 0.0)
        listener = None if ctx.progress is None else (lambda f: ctx.report("read", f))
        run_with_progress(self.con, self.source.select(ctx.table, self.edition), listener)
        if self.source.needs_legacy_qty():  # older releases pad NA: read q as text instead
            self.con.execute(f'DROP TABLE "{ctx.table}"')
            self.source.legacy_qty = True
            self.source.rejects += "_legacy"
            run_with_progress(self.con, self.source.select(ctx.table, self.edition), listener)
        self.source.raise_rejects()
        ctx.report("validate", 0.0)
        notes = self._validate()
        if self.source.legacy_qty:
            self.con.execute(f'ALTER TABLE "{ctx.table}" DROP COLUMN _bad_qty')
        ctx.report("validate", 1.0)
        return Staged(release=release_of(self.source.path, dict(ctx.options)), notes=notes)

    def _aliases(self, countries: str) -> None:
        """``_alias``: every spelling of a country in extracts -> (iso3, BACI code).

        An ISO code means itself first; BACI's own or pseudo codes (S19 for Taiwan) come next.
        Where one ISO code has several BACI codes (SDN: 729 and former 736), the code is NULL.
        """
        pseudo = ", ".join(f"('{alias}', {code})" for code, alias in PSEUDO_ALIASES.items())
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _alias AS
            WITH spellings AS (
                SELECT iso3 AS alias, iso3, code, 1 AS rank FROM {countries}
                UNION ALL SELECT baci_iso3, iso3, code, 2 FROM {countries}
                    WHERE baci_iso3 IS NOT NULL
                UNION ALL SELECT p.alias, c.iso3, c.code, 2
                    FROM (VALUES {pseudo}) AS p(alias, code) JOIN {countries} c USING (code)
            ), best AS (
                SELECT * FROM spellings QUALIFY rank = min(rank) OVER (PARTITION BY alias)
            )
            SELECT alias, min(iso3) AS iso3,
                   CASE WHEN count(DISTINCT code) = 1 THEN min(code) END AS code
            FROM best GROUP BY alias
        """)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _codes AS SELECT code FROM {countries}")

    @cached_property
    def _products(self) -> str | None:
        try:
            products = self.ctx.resolve("baci_products")
        except Conflict:
            return None
        row = self.con.execute(
            f"SELECT count(*) FROM {products} WHERE hs_edition = ?", [self.edition]
        ).fetchone()
        return products if row and row[0] else None

    def _checks(self) -> list[Check]:
        c = self.layout.columns
        checks = [
            Check("year IS NULL", c["year"], "missing year", "a year"),
            Check(
                "year NOT BETWEEN 1962 AND 2100",
                c["year"],
                "implausible year",
                "a year in 1962..2100",
            ),
            Check(
                "exporter_code IS NULL AND exporter IS NULL",
                c["exporter"],
                "missing exporter",
                "a country",
            ),
            Check(
                "importer_code IS NULL AND importer IS NULL",
                c["importer"],
                "missing importer",
                "a country",
            ),
            Check(
                f"NOT regexp_full_match(hs6, '{PRODUCT_CODE}')",
                c["hs6"],
                "not an HS6 code",
                "6 digits (a lost leading zero is restored) or 9999AA",
            ),
            Check(
                "value_kusd IS NULL", c["value_kusd"], "missing value", "a value in thousand USD"
            ),
            Check("value_kusd < 0", c["value_kusd"], "negative value", "a value >= 0"),
            Check("qty_t < 0", c["qty_t"], "negative quantity", "a quantity >= 0"),
        ]
        if self.source.legacy_qty:
            checks.append(
                Check("_bad_qty", c["qty_t"], "not a quantity", "a number of tonnes, or NA")
            )
        match = _YEAR_IN_NAME.search(self.source.path.name)
        if match:
            checks.append(
                Check(
                    f"year <> {int(match.group(1))}",
                    c["year"],
                    "year differs from the file name",
                    match.group(1),
                )
            )
        return checks

    def _validate(self) -> list[str]:
        table = self.ctx.table
        checks = self._checks()
        counts_sql = ", ".join(f"count(*) FILTER (WHERE {ch.condition})" for ch in checks)
        counts = self.con.execute(f'SELECT {counts_sql} FROM "{table}"').fetchone() or ()
        for check, count in zip(checks, counts, strict=True):
            if count:
                fail(self.source, self.edition, check, f"{check.message}: {count} row(s)")
        notes = []
        if self._products is None:
            notes.append(
                f"HS6 codes checked for shape only: no {self.edition} product list "
                "(baci_products) is loaded"
            )
        keep = self.ctx.flag("keep_unknown")
        for unknown in self._unknowns():
            count_row = self.con.execute(
                f'SELECT count(*) FROM "{table}" WHERE {unknown.check.condition}'
            ).fetchone()
            count = int(count_row[0]) if count_row else 0
            if not keep:
                fail(
                    self.source,
                    self.edition,
                    unknown.check,
                    f"{unknown.check.message}: {count} row(s){_UNKNOWN_HINT}",
                )
            notes.append(self._unknown_note(unknown, count))
        self._check_duplicates()
        return notes

    def _unknowns(self) -> list[_Unknown]:
        """Unknown codes, found among the distinct values (cheap: a few thousand at most)."""
        found: list[_Unknown | None] = []
        for role in ("exporter", "importer"):
            if self.layout.by_iso3:
                column, known = role, "SELECT alias FROM _alias UNION SELECT iso3 FROM _alias"
            else:
                column, known = f"{role}_code", "SELECT code FROM _codes"
            found.append(
                self._unknown(
                    column, known, [], role, f"unknown {role}", "a country listed in baci_countries"
                )
            )
        if self._products is not None:
            known = f"SELECT hs6 FROM {self._products} WHERE hs_edition = ?"
            found.append(
                self._unknown(
                    "hs6",
                    known,
                    [self.edition],
                    "hs6",
                    "unknown HS6 code",
                    f"a code listed in baci_products for {self.edition}",
                )
            )
        return [u for u in found if u is not None]

    def _unknown(
        self, column: str, known: str, params: list[object], role: str, message: str, expected: str
    ) -> _Unknown | None:
        """The distinct values of ``column`` that ``known`` (a SELECT) does not list."""
        codes = [
            r[0]
            for r in self.con.execute(
                f'SELECT DISTINCT {column} FROM "{self.ctx.table}" WHERE {column} IS NOT NULL '
                f"AND {column} NOT IN ({known}) ORDER BY 1",
                params,
            ).fetchall()
        ]
        if not codes:
            return None
        listed = ", ".join(_sql_literal(x) for x in codes)
        check = Check(
            f"{column} IN ({listed})", self.layout.columns[role], message, expected, unknown=True
        )
        return _Unknown(check, [str(x) for x in codes])

    def _unknown_note(self, unknown: _Unknown, count: int) -> str:
        shown = ", ".join(unknown.codes[:10]) + (" ..." if len(unknown.codes) > 10 else "")
        return f"kept {count} row(s) with {unknown.check.message} ({shown})"

    def _check_duplicates(self) -> None:
        key = (
            ("year", "exporter", "importer", "hs6")
            if self.layout.by_iso3
            else ("year", "exporter_code", "importer_code", "hs6")
        )
        if self.layout.by_iso3:  # extracts: small, a text key is fine
            grouped = " || '|' || ".join(f"coalesce(CAST({k} AS VARCHAR), '')" for k in key)
        else:  # one integer key hashes much faster than four columns (11 M rows: 1.1 s)
            grouped = (
                "((year::BIGINT * 1000 + exporter_code) * 1000 + importer_code) "
                "* 1000000 + TRY_CAST(hs6 AS BIGINT)"
            )
        row = self.con.execute(
            f'SELECT {grouped} AS k FROM "{self.ctx.table}" GROUP BY k HAVING count(*) > 1 LIMIT 1'
        ).fetchone()
        if row is None:
            return
        first = self.con.execute(
            f'SELECT {", ".join(key)}, count(*) OVER () FROM "{self.ctx.table}" '
            f"WHERE {grouped} IS NOT DISTINCT FROM ? LIMIT 1",
            [row[0]],
        ).fetchone()
        assert first is not None
        values = first[:4]
        condition = " AND ".join(
            f"{k} = {_sql_literal(v)}" for k, v in zip(key, values, strict=True)
        )
        fields = ",".join(self.layout.columns[k] for k in ("year", "exporter", "importer", "hs6"))
        check = Check(
            condition, fields, "duplicate flow", "one row per year, exporter, importer and product"
        )
        fail(
            self.source,
            self.edition,
            check,
            f"duplicate flow {' '.join(map(str, values))} ({first[4]} rows)",
            occurrence=2,
        )


def _sql_literal(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def baci_view(table: str) -> str:
    """The ``baci`` view over one version table: ISO codes filled in from baci_countries."""
    return (
        "SELECT t.year, t.hs_edition, coalesce(t.exporter, e.iso3) AS exporter, "
        "coalesce(t.importer, i.iso3) AS importer, t.exporter_code, t.importer_code, t.hs6, "
        f't.value_kusd, t.qty_t FROM "{table}" AS t '
        "LEFT JOIN baci_countries AS e ON e.code = t.exporter_code "
        "LEFT JOIN baci_countries AS i ON i.code = t.importer_code"
    )


BACI = DatasetSpec(
    name="baci",
    area="trade",
    title="BACI bilateral trade flows (HS6, all countries)",
    publisher=CEPII,
    licence=ETALAB,
    formats=("csv", "csv.gz", "parquet"),
    columns=(
        Column("year", "SMALLINT", "Year (t)"),
        Column("hs_edition", "VARCHAR", "HS edition of hs6: HS92 ... HS22"),
        Column("exporter", "VARCHAR", "Exporter, ISO 3166-1 alpha-3"),
        Column("importer", "VARCHAR", "Importer, ISO 3166-1 alpha-3"),
        Column("exporter_code", "SMALLINT", "Exporter, BACI numeric code (i)"),
        Column("importer_code", "SMALLINT", "Importer, BACI numeric code (j)"),
        Column("hs6", "VARCHAR", "Product, HS6 code in hs_edition (k)"),
        Column("value_kusd", "DECIMAL(18,3)", "Value, thousand current USD, FOB (v)"),
        Column("qty_t", "DOUBLE", "Quantity, metric tonnes; NULL where BACI has none (q)"),
    ),
    stage=stage_flows,
    key=("hs_edition", "year", "exporter_code", "importer_code", "hs6"),
    partition_by=("hs_edition", "year"),
    requires=("baci_countries",),
    view=baci_view,
    options=(
        Option("hs_edition", "HS edition (default: from the file name or its data)"),
        Option("release", "BACI release label, e.g. V202401 (default: from the file name)"),
        Option("keep_unknown", "true: keep rows with unknown country or HS codes, counted"),
    ),
    source_url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    cadence="yearly (January); one CSV per year and HS edition, about 350 MB each",
    description=(
        "Official BACI_HSxx_Yyyyy_Vyyyymm.csv files (t,i,j,k,v,q) or Parquet with the same "
        "columns, plus the extract layouts in econsec.datasets.baci_flows.LAYOUTS. Each file "
        "replaces the HS edition and years it contains."
    ),
)
