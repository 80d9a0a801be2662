"""UN Comtrade as-reported annual trade: what each reporter declared, by partner, HS6 and flow.

Unlike BACI, which reconciles both sides of every flow into one FOB value, Comtrade keeps each
reporter's own declaration: imports are valued CIF, exports FOB (``primaryValue``), so the two
sides of one flow differ (see :mod:`econsec.know.mirror`). Two layouts are read, their columns
mapped explicitly:

* the critical-materials atlas extract (Parquet): ``year, reporter_m49, partner_m49, hs6, flow,
  value_usd, netwgt_kg`` (``n_raw_rows``, how many raw rows the extract collapsed, is ignored);
* the Comtrade API v1 / bulk layout (CSV, tab-separated text, gzip or not) as downloaded:
  ``refYear`` (or ``period``), ``reporterCode``, ``partnerCode``, ``cmdCode``, ``flowCode``,
  ``primaryValue``, ``netWgt``; other columns are ignored, except that ``freqCode`` must be A
  (annual) and rows breaking a total down (``customsCode`` other than C00, ``motCode`` or
  ``partner2Code`` other than 0) are dropped and counted, their total row being there.

Flows kept: M (imports), X (exports), RM (re-imports), RX (re-exports). Reporter and partner
codes are Comtrade's (= BACI's numeric codes) and become ISO alpha-3 through ``baci_countries``,
then :data:`TERRITORIES` (ISO territories BACI's list lacks). Partners that are not countries
are recognised from :data:`AREAS` and stored under a pseudo code. Other codes fail the load
unless ``keep_unknown`` is set; they are then kept with a NULL ISO code and counted.
"""

from __future__ import annotations

import gzip
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import duckdb

from econsec.datasets.base import Column, DatasetSpec, Option, StageContext, Staged
from econsec.errors import DataError

#: Comtrade partner codes that are not countries → (pseudo code stored as ``partner``, label).
#: Scheme: ``WLD`` for the World total, ``X_`` + the label in capitals for the others (an
#: underscore never occurs in ISO 3166-1 codes). Codes and labels from Comtrade's partner list,
#: ``partnerAreas.json`` (https://comtrade.un.org/Data/cache/partnerAreas.json, read in the copy
#: kept by github.com/sashakrasnov/uncomtrade); the current list,
#: https://comtradeapi.un.org/files/v1/app/reference/partnerAreas.json, has the same codes.
#: 490 "Other Asia, nes" (Taiwan), 697 "Europe EFTA, nes" and 849 "US Misc. Pacific Isds" are
#: in ``baci_countries`` (TWN, R20, PUS) and resolved there.
AREAS: dict[int, tuple[str, str]] = {
    0: ("WLD", "World"),
    129: ("X_CARIBBEAN_NES", "Caribbean, nes"),
    221: ("X_EASTERN_EUROPE_NES", "Eastern Europe, nes"),
    290: ("X_NORTHERN_AFRICA_NES", "Northern Africa, nes"),
    471: ("X_CACM_NES", "CACM, nes"),
    472: ("X_AFRICA_CAMEU_NES", "Africa CAMEU region, nes"),
    473: ("X_LAIA_NES", "LAIA, nes"),
    492: ("X_EUROPE_EU_NES", "Europe EU, nes"),
    527: ("X_OCEANIA_NES", "Oceania, nes"),
    536: ("X_NEUTRAL_ZONE", "Neutral Zone"),
    568: ("X_OTHER_EUROPE_NES", "Other Europe, nes"),
    577: ("X_OTHER_AFRICA_NES", "Other Africa, nes"),
    636: ("X_REST_OF_AMERICA_NES", "Rest of America, nes"),
    637: ("X_NORTH_CENTRAL_AMERICA_NES", "North America and Central America, nes"),
    837: ("X_BUNKERS", "Bunkers"),
    838: ("X_FREE_ZONES", "Free Zones"),
    839: ("X_SPECIAL_CATEGORIES", "Special Categories"),
    879: ("X_WESTERN_ASIA_NES", "Western Asia, nes"),
    899: ("X_AREAS_NES", "Areas, nes"),
}
#: Comtrade codes of ISO 3166-1 territories that BACI's country list leaves out (BACI counts
#: GUF, GLP, MTQ and REU in France and VIR in the USA); the code is their ISO numeric code.
TERRITORIES: dict[int, tuple[str, str]] = {
    10: ("ATA", "Antarctica"),
    74: ("BVT", "Bouvet Island"),
    234: ("FRO", "Faroe Islands"),
    239: ("SGS", "South Georgia and the South Sandwich Islands"),
    254: ("GUF", "French Guiana"),
    312: ("GLP", "Guadeloupe"),
    334: ("HMD", "Heard Island and McDonald Islands"),
    336: ("VAT", "Holy See"),
    474: ("MTQ", "Martinique"),
    581: ("UMI", "United States Minor Outlying Islands"),
    638: ("REU", "Réunion"),
    732: ("ESH", "Western Sahara"),
    850: ("VIR", "United States Virgin Islands"),
}
FLOWS = ("M", "X", "RM", "RX")
_UNKNOWN_HINT = (
    " (load with --keep-unknown to keep such rows; they are then counted in the version notes)"
)


#: Output column -> (type, the atlas extract's column, Comtrade API/bulk column(s) (the first
#: present; case ignored), what a value must be).
FIELDS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "year": ("SMALLINT", "year", ("refYear", "period"), "a year (annual data)"),
    "reporter_code": ("SMALLINT", "reporter_m49", ("reporterCode",), "a Comtrade country code"),
    "partner_code": ("SMALLINT", "partner_m49", ("partnerCode",), "a Comtrade country code"),
    "hs6": ("VARCHAR", "hs6", ("cmdCode",), "an HS6 code"),
    "flow": ("VARCHAR", "flow", ("flowCode",), "a flow code"),
    "value_usd": ("DECIMAL(18,3)", "value_usd", ("primaryValue",), "a value in USD below 10^15"),
    "netwgt_kg": ("DOUBLE", "netwgt_kg", ("netWgt",), "a weight in kg, or empty"),
}
#: API breakdown columns and the value that marks the total row.
TOTALS = {"customsCode": "C00", "motCode": "0", "partner2Code": "0"}


@dataclass
class _Source:
    """One file: its layout, the SQL reading it into a temp table, and finding a bad row in it.

    A CSV scan is parallel and unordered, so line numbers are computed only when a check fails,
    by a second scan on one thread. Parquet rows carry ``file_row_number``.
    """

    con: duckdb.DuckDBPyConnection
    path: Path
    parquet: bool
    fields: dict[str, str]  # output column -> source column
    header: list[str]
    extras: dict[str, str] = field(default_factory=dict)  # freqCode, TOTALS -> header name
    gz: bool = False
    delim: str = ","
    raw: str = field(default_factory=lambda: f"_comtrade_{uuid.uuid4().hex[:8]}")
    tables: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, con: duckdb.DuckDBPyConnection, path: Path) -> _Source:
        """Inspect ``path``: Parquet, or CSV / tab-separated text, gzip or not."""
        with path.open("rb") as fh:
            magic = fh.read(4)
        parquet, gz, delim = magic == b"PAR1", magic[:2] == b"\x1f\x8b", ","
        if parquet:
            try:
                rows = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)])
                header = [str(r[0]) for r in rows.fetchall()]
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0]
                raise DataError(f"not a readable Parquet file ({first})", path=path) from None
            names: dict[str, tuple[str, ...]] = {t: (f[1],) for t, f in FIELDS.items()}
        else:
            first = _first_line(path, gz)
            delim = "\t" if first.count("\t") > first.count(",") else ","
            header = [h.strip().strip('"') or f"col{i}" for i, h in enumerate(first.split(delim))]
            names = {t: f[2] for t, f in FIELDS.items()}
        lower = {h.lower(): h for h in reversed(header)}
        found = {t: [lower[n.lower()] for n in ns if n.lower() in lower] for t, ns in names.items()}
        missing = [" or ".join(names[t]) for t, cols in found.items() if not cols]
        if missing:
            raise DataError(
                f"missing column(s) {', '.join(missing)}",
                path=path,
                line=None if parquet else 1,
                got=",".join(header)[:300],
                expected="columns " + ", ".join(n[0] for n in names.values()),
            )
        extras = {n: lower[n.lower()] for n in ("freqCode", *TOTALS) if n.lower() in lower}
        fields = {t: cols[0] for t, cols in found.items()}
        return cls(con, path, parquet, fields, header, {} if parquet else extras, gz, delim)

    def read(self) -> None:
        """Read every row into ``raw``; a CSV line that does not parse fails with its number.

        Only the columns econsec uses are parsed, so names in another encoding (downloads from
        the Comtrade website are not always UTF-8) do not matter.
        """
        self._create(self.raw, located=False)
        if not self.parquet:
            self._raise_rejects()

    def fail(
        self, condition: str, message: str, column: str, expected: str, occurrence: int = 1
    ) -> NoReturn:
        """Raise a DataError at the ``occurrence``-th source row where ``condition`` holds."""
        table = self.raw
        if not self.parquet:
            table = f"{self.raw}_located"
            if table not in self.tables:  # one thread keeps the rows in file order
                setting = self.con.execute("SELECT current_setting('threads')").fetchone()
                self.con.execute("SET threads = 1; SET preserve_insertion_order = true")
                try:
                    self._create(table, located=True)
                finally:
                    threads = setting[0] if setting else 1
                    self.con.execute(
                        f"SET threads = {threads}; SET preserve_insertion_order = false"
                    )
        rows = self.con.execute(
            f"SELECT _row FROM {table} WHERE {condition} ORDER BY _row LIMIT {occurrence}"
        ).fetchall()
        if len(rows) < occurrence:
            raise DataError(message, path=self.path, field=column, expected=expected)
        n = int(rows[-1][0])
        where = {"row": n} if self.parquet else {"line": n}
        got = self._text(n)
        raise DataError(message, path=self.path, field=column, got=got, expected=expected, **where)

    def close(self) -> None:
        """Drop the temp tables this source made."""
        for table in self.tables:
            self.con.execute(f"DROP TABLE IF EXISTS {table}")

    def _scan(self, table: str) -> str:
        path = _quote(str(self.path))
        if self.parquet:
            return f"read_parquet({path}, file_row_number = true)"
        types = {self.fields[t]: f[0] for t, f in FIELDS.items()}
        spec = ", ".join(f"{_quote(h)}: '{types.get(h, 'VARCHAR')}'" for h in self.header)
        rejects = f"{table}_rejects"
        self.tables += [rejects, f"{rejects}_scan"]
        return (
            f"read_csv({path}, header = true, columns = {{{spec}}}, nullstr = [''], "
            f"delim = {_quote(self.delim)}, quote = '\"', auto_detect = false, strict_mode = true, "
            f"compression = '{'gzip' if self.gz else 'none'}', store_rejects = true, "
            f"rejects_table = '{rejects}', rejects_scan = '{rejects}_scan')"
        )

    def _create(self, table: str, *, located: bool) -> None:
        cols = {t: f'src."{s}"' for t, s in self.fields.items()}
        bad = "NULL"  # the first column whose Parquet value does not fit its type
        if self.parquet:
            cast = {t: f"TRY_CAST({c} AS {FIELDS[t][0]})" for t, c in cols.items()}
            cases = " ".join(
                f"WHEN {cols[t]} IS NOT NULL AND {c} IS NULL THEN '{t}'" for t, c in cast.items()
            )
            cols, bad = cast, f"CASE {cases} END"
        hs6 = f"trim(CAST({cols['hs6']} AS VARCHAR))"
        cols["hs6"] = f"CASE WHEN length({hs6}) = 5 THEN '0' || {hs6} ELSE {hs6} END"
        cols["flow"] = f"upper(trim({cols['flow']}))"
        freq = self.extras.get("freqCode")
        cols["_freq"] = f"coalesce(upper(trim(src.\"{freq}\")), 'A')" if freq else "'A'"
        totals = [
            f"coalesce(nullif(trim(src.\"{self.extras[n]}\"), ''), '{v}') = '{v}'"
            for n, v in TOTALS.items()
            if n in self.extras
        ]
        cols["_total"] = " AND ".join(totals) or "TRUE"
        cols["_bad"] = bad
        if self.parquet or located:
            cols["_row"] = "file_row_number + 1" if self.parquet else "row_number() OVER () + 1"
        body = ", ".join(f"{sql} AS {name}" for name, sql in cols.items())
        self.tables.append(table)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {body} FROM {self._scan(table)} AS src"
        )

    def _raise_rejects(self) -> None:
        rejects = f"{self.raw}_rejects"
        row = self.con.execute(
            f"SELECT line, column_name, error_type, csv_line, error_message, "
            f"(SELECT count(*) FROM {rejects}) FROM {rejects} ORDER BY line LIMIT 1"
        ).fetchone()
        if row is None:
            return
        line, column, kind, text, message, count = row
        target = next((t for t, s in self.fields.items() if s == column), None)
        expected = FIELDS[target][3] if target else None
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            column, expected = None, f"{len(self.header)} fields"
        more = f" ({count} problems in all)" if count > 1 else ""
        raise DataError(
            f"{str(message).split('. ', 1)[-1]}{more}",
            path=self.path,
            line=int(line),
            field=column,
            got=text,
            expected=expected,
        )

    def _text(self, number: int) -> str | None:
        """The text of a CSV line."""
        if self.parquet:
            return None
        with _open_text(self.path, self.gz) as fh:
            return next((line.rstrip("\r\n") for n, line in enumerate(fh, 1) if n == number), None)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _open_text(path: Path, gz: bool) -> io.TextIOWrapper:
    raw = gzip.open(path, "rb") if gz else path.open("rb")  # noqa: SIM115 - wrapper owns it
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _first_line(path: Path, gz: bool) -> str:
    try:
        with _open_text(path, gz) as fh:
            first = fh.readline().rstrip("\r\n")
    except (OSError, EOFError) as exc:
        raise DataError(f"cannot read file ({exc})", path=path) from None
    if not first.strip():
        raise DataError("file is empty", path=path, line=1, expected="a header line")
    return first


def _stage(ctx: StageContext) -> Staged:
    source = _Source.open(ctx.con, ctx.path)
    try:
        ctx.report("read", 0.0)
        source.read()
        ctx.report("validate", 0.0)
        notes = _check(source)
        _map(ctx, source.raw)
        notes += _unknowns(ctx, source)
        _duplicates(ctx, source)
        ctx.report("validate", 1.0)
    finally:
        source.close()
    return Staged(notes=notes)


_KEY = ("year", "reporter_code", "partner_code", "hs6", "flow")


def _check(source: _Source) -> list[str]:
    """Missing, malformed and negative values; breakdown rows without their total."""
    f = source.fields
    flows = ", ".join(f"'{x}'" for x in FLOWS)
    checks = [(f"_bad = '{t}'", f[t], "invalid value", FIELDS[t][3]) for t in FIELDS]
    checks += [
        ("year IS NULL", f["year"], "missing year", "a year"),
        ("year NOT BETWEEN 1962 AND 2100", f["year"], "implausible year", "a year in 1962..2100"),
        ("_freq <> 'A'", source.extras.get("freqCode", ""), "not annual data", "freqCode A"),
        ("reporter_code IS NULL", f["reporter_code"], "missing reporter", "a Comtrade code"),
        ("partner_code IS NULL", f["partner_code"], "missing partner", "a Comtrade code"),
        (
            "NOT regexp_full_match(coalesce(hs6, ''), '[0-9]{6}')",
            f["hs6"],
            "not an HS6 code",
            "6 digits",
        ),
        (f"flow IS NULL OR flow NOT IN ({flows})", f["flow"], "unknown flow", "M, X, RM or RX"),
        ("value_usd IS NULL", f["value_usd"], "missing value", "a value in USD"),
        ("value_usd < 0", f["value_usd"], "negative value", "a value >= 0"),
        ("netwgt_kg < 0", f["netwgt_kg"], "negative net weight", "a weight in kg >= 0, or empty"),
    ]
    counts_sql = ", ".join(f"count(*) FILTER (WHERE {c[0]})" for c in checks)
    counts = source.con.execute(f"SELECT {counts_sql} FROM {source.raw}").fetchone() or ()
    for (condition, column, message, expected), count in zip(checks, counts, strict=True):
        if count:
            source.fail(condition, f"{message}: {count} row(s)", column, expected)
    breakdowns = [source.extras[n] for n in TOTALS if n in source.extras]
    if not breakdowns:
        return []
    key = ", ".join(_KEY)
    orphan = source.con.execute(
        f"SELECT {key}, count(*) OVER () FROM {source.raw} ANTI JOIN "
        f"(SELECT {key} FROM {source.raw} WHERE _total) USING ({key}) WHERE NOT _total LIMIT 1"
    ).fetchone()
    if orphan:
        source.fail(
            _match(orphan[:5]),
            f"breakdown rows without their total row: {orphan[5]} row(s)",
            ",".join(breakdowns),
            "a total row (customsCode C00, motCode 0, partner2Code 0) for every key",
        )
    dropped = source.con.execute(f"SELECT count(*) FROM {source.raw} WHERE NOT _total").fetchone()
    if not dropped or not dropped[0]:
        return []
    return [f"dropped {dropped[0]} breakdown row(s) (by customs procedure, transport, partner2)"]


def _map(ctx: StageContext, raw: str) -> None:
    """Stage the total rows with ISO codes (countries, then territories; areas for partners)."""
    countries = ctx.resolve("baci_countries")
    territories = ", ".join(f"({c}, '{iso}')" for c, (iso, _) in TERRITORIES.items())
    areas = ", ".join(f"({c}, '{code}')" for c, (code, _) in AREAS.items())
    ctx.con.execute(f"""
        CREATE TABLE "{ctx.table}" AS
        WITH iso(code, iso3) AS (
            SELECT CAST(code AS SMALLINT), iso3 FROM {countries}
            UNION ALL SELECT * FROM (VALUES {territories}) AS t(code, iso3)
            WHERE code NOT IN (SELECT code FROM {countries})
        ), areas(code, pseudo) AS (VALUES {areas})
        SELECT r.year, rep.iso3 AS reporter, coalesce(a.pseudo, par.iso3) AS partner,
               r.reporter_code, r.partner_code, r.hs6, r.flow, r.value_usd, r.netwgt_kg
        FROM {raw} AS r
        LEFT JOIN iso AS rep ON rep.code = r.reporter_code
        LEFT JOIN iso AS par ON par.code = r.partner_code
        LEFT JOIN areas AS a ON a.code = r.partner_code
        WHERE r._total
    """)


def _unknowns(ctx: StageContext, source: _Source) -> list[str]:
    notes = []
    for role in ("reporter", "partner"):
        rows = ctx.con.execute(
            f'SELECT {role}_code, count(*) FROM "{ctx.table}" WHERE {role} IS NULL '
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
        if not rows:
            continue
        count = sum(int(r[1]) for r in rows)
        codes = ", ".join(f"{r[0]} ({r[1]} rows)" for r in rows)
        if not ctx.flag("keep_unknown"):
            listed = ", ".join(str(int(r[0])) for r in rows)
            areas = " or a Comtrade area (econsec.datasets.comtrade.AREAS)" * (role == "partner")
            source.fail(
                f"_total AND {role}_code IN ({listed})",
                f"unknown {role}: {count} row(s) with code {codes}{_UNKNOWN_HINT}",
                source.fields[f"{role}_code"],
                f"a code in baci_countries{areas}",
            )
        notes.append(f"kept {count} row(s) with unknown {role}: {codes}")
    return notes


def _duplicates(ctx: StageContext, source: _Source) -> None:
    key = ", ".join(_KEY)
    row = ctx.con.execute(
        f'SELECT {key}, count(*) FROM "{ctx.table}" GROUP BY ALL HAVING count(*) > 1 '
        "ORDER BY ALL LIMIT 1"
    ).fetchone()
    if row:
        source.fail(
            "_total AND " + _match(row[:5]),
            f"duplicate flow {' '.join(map(str, row[:5]))} ({row[5]} rows)",
            ",".join(source.fields[k] for k in _KEY),
            "one row per year, reporter, partner, HS6 code and flow",
            occurrence=2,
        )


def _match(values: tuple[object, ...]) -> str:
    """SQL condition: the key columns equal ``values``."""
    return " AND ".join(
        f"{k} = {v if isinstance(v, int) else _quote(str(v))}"
        for k, v in zip(_KEY, values, strict=True)
    )


COMTRADE = DatasetSpec(
    name="comtrade",
    area="trade",
    title="UN Comtrade as-reported annual trade (reporter, partner, HS6, flow)",
    publisher="UN Comtrade (as reported by each reporter)",
    licence="UN Comtrade terms of use (attribution; check before redistributing)",
    formats=("parquet", "csv", "csv.gz", "txt"),
    columns=(
        Column("year", "SMALLINT", "Reference year (refYear)"),
        Column("reporter", "VARCHAR", "Reporter, ISO 3166-1 alpha-3; NULL for unknown codes kept"),
        Column("partner", "VARCHAR", "Partner, ISO alpha-3; WLD World, X_... non-country areas"),
        Column("reporter_code", "SMALLINT", "Reporter, Comtrade numeric code (reporterCode)"),
        Column("partner_code", "SMALLINT", "Partner, Comtrade numeric code (partnerCode; 0 World)"),
        Column("hs6", "VARCHAR", "Product, HS6 code as reported (cmdCode; reporter's HS edition)"),
        Column("flow", "VARCHAR", "M import, X export, RM re-import, RX re-export (flowCode)"),
        Column("value_usd", "DECIMAL(18,3)", "Value, current USD: CIF for imports, FOB exports"),
        Column("netwgt_kg", "DOUBLE", "Net weight, kg (netWgt); NULL where not reported"),
    ),
    stage=_stage,
    key=_KEY,
    partition_by=("year",),
    requires=("baci_countries",),
    options=(Option("keep_unknown", "true: keep rows with unknown reporter/partner codes"),),
    source_url="https://comtradeplus.un.org/",
    cadence="continuous: reporters submit and revise data through the year",
    description=(
        "The critical-materials atlas extract (Parquet) or Comtrade API v1 / bulk files (CSV, "
        "tab-separated, gzip). Each file replaces the years it contains. Not redistributable "
        "without checking UN Comtrade's terms; not shipped in data/."
    ),
)

SPECS = (COMTRADE,)
