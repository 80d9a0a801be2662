"""Reading one BACI flow file with DuckDB: layout detection, the staging SELECT, CSV rejects,
Parquet type checks, and pointing at the line or row behind a failed check.

A CSV scan is parallel and unordered, which is what makes it fast; so line numbers are only
computed when a check has failed, by a second scan on one thread with order preserved
(``row_number() OVER ()`` then counts lines). Parquet rows carry ``file_row_number``.
"""

from __future__ import annotations

import gzip
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import duckdb

from econsec.errors import DataError


@dataclass(frozen=True, slots=True)
class Layout:
    """How one file layout's columns map onto the ``baci`` columns."""

    name: str
    columns: dict[str, str]  # baci column -> source column
    by_iso3: bool  # countries given as ISO alpha-3 (else BACI numeric codes)
    edition_column: str | None = None
    edition: str | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """A rule over staged rows (``condition`` is true for bad rows), reported on ``column``."""

    condition: str
    column: str
    message: str
    expected: str
    unknown: bool = False


_EXPECTED = {
    "year": "a year (whole number)",
    "exporter": "a country code",
    "importer": "a country code",
    "hs6": "an HS6 code",
    "value_kusd": "a value in thousand USD with at most 3 decimals",
    "qty_t": "a quantity in tonnes, or NA",
}
_TYPES = {"year": "SMALLINT", "hs6": "VARCHAR", "value_kusd": "DECIMAL(18,3)", "qty_t": "DOUBLE"}
_scans = itertools.count(1)


@dataclass
class FlowSource:
    """One source file, its layout, and the SQL that reads it."""

    con: duckdb.DuckDBPyConnection
    path: Path
    layout: Layout
    header: list[str]
    parquet: bool
    gzip: bool
    legacy_qty: bool = False  # quantities padded like '      NA' (older BACI releases)
    source_types: dict[str, str] = field(default_factory=dict)  # Parquet column -> DuckDB type
    rejects: str = field(default_factory=lambda: f"_rejects_{next(_scans)}")
    _located: bool = False

    @classmethod
    def open(
        cls, con: duckdb.DuckDBPyConnection, path: Path, layouts: tuple[Layout, ...]
    ) -> FlowSource:
        """Inspect ``path`` (Parquet or CSV, gzip or not) and pick the layout its columns fit."""
        with path.open("rb") as fh:
            magic = fh.read(4)
        parquet, gz = magic == b"PAR1", magic[:2] == b"\x1f\x8b"
        types = _parquet_columns(con, path) if parquet else {}
        header = list(types) if parquet else _csv_header(path, gz)
        present = set(header)
        layout = next((lay for lay in layouts if set(lay.columns.values()) <= present), None)
        if layout is None:
            raise DataError(
                "not a BACI flow file",
                path=path,
                line=None if parquet else 1,
                got=",".join(header),
                expected="columns t,i,j,k,v,q (or an extract layout: "
                + "; ".join(",".join(lay.columns.values()) for lay in layouts[1:])
                + ")",
            )
        return cls(con, path, layout, header, parquet, gz, source_types=types)

    # --- SQL ---------------------------------------------------------------------------------

    def _scan(self, rejects: str) -> str:
        quoted = _quote(str(self.path))
        if self.parquet:
            return f"read_parquet({quoted}, file_row_number = true)"
        c = self.layout.columns
        code = "VARCHAR" if self.layout.by_iso3 else "SMALLINT"
        types = {
            c["year"]: "SMALLINT",
            c["exporter"]: code,
            c["importer"]: code,
            c["hs6"]: "VARCHAR",
            c["value_kusd"]: "DECIMAL(18,3)",
            c["qty_t"]: "VARCHAR" if self.legacy_qty else "DOUBLE",
        }
        # Every header column in file order; the ones the layout does not use stay text.
        spec = ", ".join(f"{_quote(h)}: '{types.get(h, 'VARCHAR')}'" for h in self.header)
        return (
            f"read_csv({quoted}, header = true, columns = {{{spec}}}, nullstr = ['NA', ''], "
            f"store_rejects = true, rejects_table = '{rejects}', "
            f"rejects_scan = '{rejects}_scan', strict_mode = true, delim = ',', quote = '\"', "
            f"auto_detect = false, compression = '{'gzip' if self.gzip else 'none'}')"
        )

    def _value(self, target: str) -> str:
        """The SQL for one ``baci`` column, read from the scan ``src`` in its final type.

        CSV columns are typed by the scan itself (bad values became rejects); Parquet columns
        are used as they are when their type fits and cast otherwise (check_types has made sure
        the casts succeed). Casting a column that already has the type still costs time.
        """
        source = self.layout.columns[target]
        if self.parquet:
            return self._parquet_value(source, self._target_type(target), prefix="src.")
        if self.legacy_qty and target in ("qty_t", "hs6"):
            text = f'trim(src."{source}")'
            return (
                f"TRY_CAST(nullif(nullif({text}, ''), 'NA') AS DOUBLE)"
                if target == "qty_t"
                else text
            )
        return f'src."{source}"'

    def select(self, table: str, edition: str, *, located: bool = False) -> str:
        """``CREATE TABLE table AS`` the clean rows (with ``_row`` when ``located``)."""
        c = {k: f'src."{v}"' for k, v in self.layout.columns.items()}
        if self.layout.by_iso3:
            exporter = f"coalesce(ea.iso3, {c['exporter']})"
            importer = f"coalesce(ia.iso3, {c['importer']})"
            exporter_code, importer_code = "ea.code", "ia.code"
            join = (
                f"LEFT JOIN _alias ea ON ea.alias = {c['exporter']} "
                f"LEFT JOIN _alias ia ON ia.alias = {c['importer']}"
            )
        else:  # the baci view adds ISO codes; storing codes only keeps the load fast
            exporter = importer = "NULL::VARCHAR"
            exporter_code, importer_code = self._value("exporter"), self._value("importer")
            join = ""
        hs6, qty, extra = self._value("hs6"), self._value("qty_t"), ""
        if self.legacy_qty:
            text = f"nullif(nullif(trim({c['qty_t']}), ''), 'NA')"
            extra = f", {text} IS NOT NULL AND {qty} IS NULL AS _bad_qty"
        if located:
            row = "file_row_number + 1" if self.parquet else "row_number() OVER () + 1"
            extra += f", {row} AS _row"
        scan = self._scan(f"{self.rejects}_located" if located else self.rejects)
        return f"""
            CREATE {"TEMP " if located else ""}TABLE "{table}" AS SELECT
                {self._value("year")} AS year,
                '{edition}' AS hs_edition,
                {exporter} AS exporter,
                {importer} AS importer,
                {exporter_code} AS exporter_code,
                {importer_code} AS importer_code,
                CASE WHEN length({hs6}) = 5 THEN '0' || {hs6} ELSE {hs6} END AS hs6,
                {self._value("value_kusd")} AS value_kusd,
                {qty} AS qty_t
                {extra}
            FROM {scan} AS src {join}
        """

    def distinct(self, column: str) -> list[str]:
        """Up to three distinct values of a source column."""
        rows = self.con.execute(
            f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM {self._scan(self.rejects)} LIMIT 3'
        ).fetchall()
        return sorted(str(r[0]) for r in rows)

    # --- errors ------------------------------------------------------------------------------

    def check_types(self) -> None:
        """Parquet only: every used column must convert to its type (first bad row named)."""
        if not self.parquet:
            return
        checks: list[tuple[str, str, str]] = []
        for target, source in self.layout.columns.items():
            kind = self._target_type(target)
            if _fits(self.source_types[source], kind):
                continue
            value = self._parquet_value(source, kind)
            checks.append(
                (
                    target,
                    source,
                    f"min(file_row_number) FILTER (WHERE {value} IS NULL "
                    f"AND {self._parquet_text(source)} IS NOT NULL)",
                )
            )
        if not checks:
            return
        sql = ", ".join(c[2] for c in checks)
        rows = self.con.execute(f"SELECT {sql} FROM {self._scan('')}").fetchone()
        for (target, source, _), bad in zip(checks, rows or (), strict=True):
            if bad is not None:
                raise DataError(
                    "invalid value",
                    path=self.path,
                    row=int(bad) + 1,
                    field=source,
                    got=self.text(int(bad) + 1),
                    expected=_EXPECTED[target],
                )

    def _target_type(self, target: str) -> str:
        if target in ("exporter", "importer"):
            return "VARCHAR" if self.layout.by_iso3 else "SMALLINT"
        return _TYPES[target]

    def _parquet_text(self, source: str, prefix: str = "") -> str:
        """A Parquet column, with '', 'NA' and padding read as missing when it is text."""
        col = f'{prefix}"{source}"'
        if self.source_types[source] != "VARCHAR":
            return col
        return f"nullif(nullif(trim({col}), ''), 'NA')"

    def _parquet_value(self, source: str, kind: str, prefix: str = "") -> str:
        """A Parquet column read as ``kind``: as is when its type fits, else a TRY_CAST."""
        if _fits(self.source_types[source], kind):
            return f'{prefix}"{source}"'
        return f"TRY_CAST({self._parquet_text(source, prefix)} AS {kind})"

    def needs_legacy_qty(self) -> bool:
        """True when the only rejects are space-padded ``NA`` quantities (older releases)."""
        if self.parquet or self.legacy_qty:
            return False
        q = self.layout.columns["qty_t"]
        row = self.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE column_name = ? AND error_type = 'CAST' "
            "AND trim(split_part(csv_line, ',', CAST(column_idx AS BIGINT))) IN ('NA', '')) "
            f"FROM {self.rejects}",
            [q],
        ).fetchone()
        return bool(row and row[0] and row[0] == row[1])

    def raise_rejects(self) -> None:
        """Raise a DataError for the first line the CSV scan rejected, if any."""
        if self.parquet:
            return
        row = self.con.execute(
            f"SELECT line, column_name, error_type, csv_line, error_message, "
            f"(SELECT count(*) FROM {self.rejects}) FROM {self.rejects} ORDER BY line LIMIT 1"
        ).fetchone()
        if row is None:
            return
        line, column, kind, text, message, count = row
        more = f" ({count} problems in all)" if count > 1 else ""
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            raise DataError(
                f"{message}{more}",
                path=self.path,
                line=int(line),
                got=text,
                expected=f"{len(self.header)} fields",
            )
        if any(w in f"{kind} {message}".upper() for w in ("UNICODE", "UTF-8", "ENCOD")):
            raise DataError(
                f"invalid UTF-8 text{more}",
                path=self.path,
                line=int(line),
                field=column,
                expected="a UTF-8 encoded file",
            )
        target = next((k for k, v in self.layout.columns.items() if v == column), "")
        message = str(message).split(". ", 1)[-1]
        raise DataError(
            f"{message}{more}",
            path=self.path,
            line=int(line),
            field=column,
            got=text,
            expected=_EXPECTED.get(target, "a valid value"),
        )

    def located(self, edition: str) -> str:
        """A temp table of the file's rows with their line (CSV) or row (Parquet) number."""
        if not self._located:
            threads = self.con.execute("SELECT current_setting('threads')").fetchone()
            self.con.execute("SET threads = 1; SET preserve_insertion_order = true")
            try:
                self.con.execute(self.select("_located", edition, located=True))
            finally:
                self.con.execute(
                    f"SET threads = {int(threads[0]) if threads else 1}; "
                    "SET preserve_insertion_order = false"
                )
            self._located = True
        return "_located"

    def text(self, number: int) -> str | None:
        """The source text of a line (CSV) or the values of a row (Parquet)."""
        if self.parquet:
            got = self.con.execute(
                f"SELECT * EXCLUDE (file_row_number) FROM {self._scan('')} "
                "WHERE file_row_number = ?",
                [number - 1],
            ).fetchone()
            return None if got is None else ",".join("" if v is None else str(v) for v in got)
        with _open_text(self.path, self.gzip) as fh:
            for n, line in enumerate(fh, 1):
                if n == number:
                    return line.rstrip("\r\n")
        return None


def fail(
    source: FlowSource, edition: str, check: Check, message: str, occurrence: int = 1
) -> NoReturn:
    """Raise a DataError at the ``occurrence``-th source row failing ``check``."""
    located = source.located(edition)
    rows = source.con.execute(
        f"SELECT _row FROM {located} WHERE {check.condition} ORDER BY _row LIMIT ?",
        [occurrence],
    ).fetchall()
    if len(rows) < occurrence:
        raise DataError(message, path=source.path, field=check.column, expected=check.expected)
    number = int(rows[-1][0])
    where = {"row": number} if source.parquet else {"line": number}
    raise DataError(
        message,
        path=source.path,
        field=check.column,
        got=source.text(number),
        expected=check.expected,
        **where,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parquet_columns(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    try:
        rows = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataError(f"not a readable Parquet file ({first})", path=path) from None
    return {str(r[0]): str(r[1]) for r in rows}


_SMALL_INTS = frozenset({"TINYINT", "UTINYINT", "SMALLINT"})
_NUMBERS = frozenset(
    {
        "TINYINT",
        "UTINYINT",
        "SMALLINT",
        "USMALLINT",
        "INTEGER",
        "UINTEGER",
        "BIGINT",
        "UBIGINT",
        "FLOAT",
        "DOUBLE",
    }
)


def _fits(source: str, target: str) -> bool:
    """Whether every value of type ``source`` is already a valid ``target`` (no check needed)."""
    if source == target:
        return True
    if target == "SMALLINT":
        return source in _SMALL_INTS
    if target == "DOUBLE":
        return source in _NUMBERS or source.startswith("DECIMAL")
    return False


def _open_text(path: Path, gz: bool) -> io.TextIOWrapper:
    raw = gzip.open(path, "rb") if gz else path.open("rb")  # noqa: SIM115 - wrapper owns it
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _csv_header(path: Path, gz: bool) -> list[str]:
    try:
        with _open_text(path, gz) as fh:
            first = fh.readline()
    except (OSError, EOFError) as exc:
        raise DataError(f"cannot read file ({exc})", path=path) from None
    if not first.strip():
        raise DataError("file is empty", path=path, line=1, expected="header t,i,j,k,v,q")
    return [c.strip().strip('"') for c in first.strip().split(",")]
