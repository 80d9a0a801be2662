"""Readers of input-output tables into :class:`~econsec.know.io.table.IOTable`.

* :func:`read_wiod` — a WIOD 2013-release world table folder (``Z_YYYY.csv.gz``,
  ``Y_YYYY.csv.gz``, ``x_YYYY.csv``, ``sectors_wiod2013.csv``; see shared/data/supply/
  PROVENANCE.md §3): 41 regions x 35 industries, million USD, labels ``CTRY_cN``, final-use
  columns ``CTRY_{CONS_h,CONS_np,CONS_g,GFCF,INVEN}``. Cells are whole millions (rounded), so
  rows balance only to within half a unit per cell.
* :func:`read_japan_io` — Japan's MIC 2011 table in the matrix ("wider") form (PROVENANCE §4):
  rows ``industry/NN_name`` then ``valueadded/NN_name``; columns the industries, then
  ``finaldemand/``, ``export/`` and ``import/`` (negative: competitive-import type). Million
  yen. The ``_ja`` file's Japanese names are kept as given.
* :func:`read_io_csv` — the generic long form, i.e. :meth:`IOTable.to_arrow` written as CSV
  with the header ``block,row_region,row_sector,col_region,col_sector,value,text``; the blocks
  (meta, sector, row, final, Z, Y, x, v) are defined in :mod:`econsec.know.io.arrow`. A minimal
  file needs only ``row``, ``Z``, ``x`` (and ``final``/``Y`` if there is final demand) rows;
  ``v`` defaults to x minus the column sums of Z.

Every reader raises :class:`~econsec.errors.DataError` naming the file, the line (the header
is line 1) and the field of the first problem and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from econsec.datasets.tabular import decode, read_bytes
from econsec.errors import DataError, InvalidInput
from econsec.know.io.arrow import BLOCKS, IO_LONG, table_from_arrow
from econsec.know.io.table import IOTable

WIOD_LABEL = re.compile(r"([A-Za-z]{3})_(c\d{1,2})")
WIOD_FINAL = re.compile(r"([A-Za-z]{3})_(CONS_h|CONS_np|CONS_g|GFCF|INVEN)")
#: WIOD industries whose products are physical inputs (agriculture, mining, manufacturing,
#: electricity/gas/water): the bottleneck model's candidate critical inputs.
WIOD_GOODS = tuple(f"c{i}" for i in range(1, 18))
WIOD_SOURCE = (
    "World Input-Output Database, November 2013 release, world table {year} "
    "(Timmer, Dietzenbacher, Los, Stehrer & de Vries 2015, Rev. Int. Econ. 23:575-605); "
    "via bquast/wiod (R package, GPL-3) converted to CSV; free to use with citation; "
    "files {files}"
)
JAPAN_SOURCE = (
    "MIC/e-Stat 2011 Input-Output Tables for Japan, 13 sectors (e-Stat sid 0003119272), "
    "producer prices, competitive-import type; via UchidaMizuki/blog-ioanalysis-in-r; "
    "Japanese government statistics (e-Stat terms, CC BY 4.0 compatible); file {file}"
)


def _number(path: Path, line: int, field: str, cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise DataError(
            "invalid number", path=path, line=line, field=field, got=cell, expected="a number"
        ) from None
    if not np.isfinite(value):
        raise DataError("invalid number", path=path, line=line, field=field, got=cell)
    return value


def _scan(path: Path, header: list[str], rows: list[list[str]], first_col: str) -> None:
    """Find and raise the first bad cell (slow path, only after the fast parser failed)."""
    for k, row in enumerate(rows):
        line = k + 2
        if len(row) != len(header):
            raise DataError(
                f"row has {len(row)} fields", path=path, line=line, expected=f"{len(header)} fields"
            )
        for name, cell in zip(header[1:], row[1:], strict=True):
            _number(path, line, name, cell.strip())
    raise DataError("malformed matrix file", path=path, field=first_col)


def _matrix(path: Path, first_col: str = "row") -> tuple[list[str], list[str], np.ndarray]:
    """(column labels, row labels, values) of a labelled numeric matrix CSV (maybe gzip)."""
    text = decode(path, read_bytes(path))
    first_line = text.split("\n", 1)[0]
    header = next(csv.reader([first_line]))
    if not header or header[0].strip() != first_col:
        raise DataError(
            "unexpected header",
            path=path,
            line=1,
            field=header[0] if header else None,
            expected=f"first column {first_col!r}",
        )
    types = {name: pa.float64() for name in header[1:]}
    types[header[0]] = pa.string()
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode()),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
        values = np.column_stack(
            [table[name].to_numpy(zero_copy_only=False) for name in header[1:]]
        ).astype(np.float64)
        if np.isnan(values).any():
            raise ValueError("empty cell")
    except (pa.ArrowInvalid, ValueError):
        rows = list(csv.reader(io.StringIO(text)))[1:]
        _scan(path, header, [r for r in rows if r], first_col)
        raise
    labels = [str(s) for s in table[header[0]].to_pylist()]
    return [h.strip() for h in header[1:]], labels, values


def _wiod_labels(
    path: Path, labels: list[str], pattern: re.Pattern[str], in_header: bool
) -> list[tuple[str, str]]:
    """(region, code) of each label; row labels start on line 2, header labels are line 1."""
    out = []
    for k, label in enumerate(labels):
        match = pattern.fullmatch(label)
        if not match:
            raise DataError(
                "invalid label",
                path=path,
                line=1 if in_header else k + 2,
                field=label if in_header else "row",
                got=label,
                expected=f"a label like {'AUS_c1' if pattern is WIOD_LABEL else 'AUS_CONS_h'}",
            )
        out.append((match.group(1), match.group(2)))
    return out


def _first_difference(a: list[str], b: list[str]) -> int:
    """Index of the first position where two label lists differ (or the shorter length)."""
    return next(
        (i for i, (p, q) in enumerate(zip(a, b, strict=False)) if p != q), min(len(a), len(b))
    )


def read_wiod(folder: Path) -> IOTable:
    """The WIOD 2013-release world table in ``folder`` (see the module docstring)."""
    folder = Path(folder)
    found = sorted(folder.glob("Z_*.csv.gz"))
    if len(found) != 1:
        raise DataError(
            f"found {len(found)} Z_YYYY.csv.gz files", path=folder, expected="exactly one"
        )
    year_text = found[0].name[2:6]
    if not year_text.isdigit():
        raise DataError("cannot read the year", path=found[0], expected="Z_YYYY.csv.gz")
    year = int(year_text)
    z_path, y_path = found[0], folder / f"Y_{year}.csv.gz"
    x_path, s_path = folder / f"x_{year}.csv", folder / "sectors_wiod2013.csv"
    cols, rows, z = _matrix(z_path)
    labels = _wiod_labels(z_path, rows, WIOD_LABEL, in_header=False)
    if cols != rows:
        bad = _first_difference(cols, rows)
        raise DataError(
            "column labels differ from row labels",
            path=z_path,
            line=1,
            field=cols[bad] if bad < len(cols) else None,
            expected="the same (region, sector) labels in the same order",
        )
    if (z < 0).any():
        i, j = np.argwhere(z < 0)[0]
        raise DataError(
            "negative intermediate use",
            path=z_path,
            line=int(i) + 2,
            field=cols[j],
            got=str(z[i, j]),
            expected="≥ 0",
        )
    f_cols, y_rows, y = _matrix(y_path)
    if y_rows != rows:
        k = _first_difference(y_rows, rows)
        raise DataError(
            "row labels differ from Z's",
            path=y_path,
            line=k + 2,
            field="row",
            expected=f"{rows[k] if k < len(rows) else 'no more rows'}",
        )
    finals = _wiod_labels(y_path, f_cols, WIOD_FINAL, in_header=True)
    x = _wiod_output(x_path, rows)
    names = _wiod_sectors(s_path)
    unknown = sorted({s for _, s in labels} - set(names))
    if unknown:
        raise DataError(f"sector code(s) {unknown} are not in {s_path.name}", path=z_path, line=1)
    va = x - z.sum(0)
    if (va < -0.5 * len(rows)).any():
        j = int(np.argmin(va))
        raise DataError(
            "intermediate inputs exceed gross output",
            path=x_path,
            line=j + 2,
            field="gross_output",
            got=str(x[j]),
            expected=f"≥ {z[:, j].sum()} (column sum of Z)",
        )
    return IOTable(
        name=f"wiod2013_{year}",
        regions=tuple(r for r, _ in labels),
        sectors=tuple(s for _, s in labels),
        Z=z,
        Y=y,
        x=x,
        v=np.maximum(va, 0.0),
        final_labels=tuple(c for _, c in finals),
        final_regions=tuple(r for r, _ in finals),
        final_kinds=("domestic",) * len(finals),
        sector_names=names,
        goods=WIOD_GOODS,
        units="million USD (current prices, basic prices)",
        source=WIOD_SOURCE.format(year=year, files=f"{folder}/{{Z,Y,x}}_{year}*"),
        year=year,
    )


def _wiod_output(path: Path, rows: list[str]) -> np.ndarray:
    text = decode(path, read_bytes(path))
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if [h.strip() for h in header] != ["row", "gross_output"]:
        raise DataError("unexpected header", path=path, line=1, expected="row,gross_output")
    x = np.zeros(len(rows))
    k = -1
    for k, row in enumerate(r for r in reader if r):
        line = k + 2
        if len(row) != 2:
            raise DataError(f"row has {len(row)} fields", path=path, line=line, expected="2 fields")
        if k >= len(rows) or row[0] != rows[k]:
            raise DataError(
                "row label differs from Z's",
                path=path,
                line=line,
                field="row",
                got=row[0],
                expected=rows[k] if k < len(rows) else "no more rows",
            )
        x[k] = _number(path, line, "gross_output", row[1].strip())
        if x[k] < 0:
            raise DataError(
                "negative output", path=path, line=line, field="gross_output", got=row[1]
            )
    if k + 1 != len(rows):
        raise DataError(f"{k + 1} rows", path=path, line=k + 3, expected=f"{len(rows)} rows")
    return x


def _wiod_sectors(path: Path) -> dict[str, str]:
    text = decode(path, read_bytes(path))
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"code", "name"} <= set(reader.fieldnames):
        raise DataError("missing column(s) code, name", path=path, line=1, expected="code,...,name")
    names: dict[str, str] = {}
    for row in reader:
        if not row["code"] or not row["name"]:
            raise DataError("empty value", path=path, line=reader.line_num, field="code/name")
        names[row["code"]] = row["name"]
    return names


def read_japan_io(path: Path) -> IOTable:
    """Japan's national table in the MIC matrix ("wider") form (see the module docstring)."""
    path = Path(path)
    text = decode(path, read_bytes(path))
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    if not rows or rows[0][0].strip() != "input":
        raise DataError("unexpected header", path=path, line=1, expected="first column 'input'")
    header = [h.strip() for h in rows[0]]
    kinds = {"finaldemand": "domestic", "export": "export", "import": "import"}
    cols: list[tuple[str, str, str]] = []  # (type, code, name)
    for label in header[1:]:
        kind, _, rest = label.partition("/")
        code, _, name = rest.partition("_")
        if kind not in ("industry", *kinds) or not code or not name:
            raise DataError(
                "invalid column label",
                path=path,
                line=1,
                field=label,
                expected="industry/NN_name, finaldemand/NN_name, export/NN_name or import/NN_name",
            )
        if kind == "industry" and any(c[0] != "industry" for c in cols):
            raise DataError("industry column after final demand", path=path, line=1, field=label)
        cols.append((kind, code, name))
    industries = [c for c in cols if c[0] == "industry"]
    n, width = len(industries), len(header)
    z, y = np.zeros((n, n)), np.zeros((n, width - 1 - n))
    va = np.zeros(n)
    seen = 0
    for k, row in enumerate(rows[1:]):
        line = k + 2
        if len(row) != width:
            raise DataError(
                f"row has {len(row)} fields", path=path, line=line, expected=f"{width} fields"
            )
        kind, _, rest = row[0].strip().partition("/")
        if kind == "industry":
            if seen >= n or rest.partition("_")[0] != industries[seen][1]:
                raise DataError(
                    "industry rows differ from the industry columns",
                    path=path,
                    line=line,
                    field="input",
                    got=row[0],
                    expected=f"industry/{industries[seen][1]}_..."
                    if seen < n
                    else "a valueadded row",
                )
            vals = [
                _number(path, line, header[j + 1], row[j + 1].strip()) for j in range(width - 1)
            ]
            z[seen], y[seen] = vals[:n], vals[n:]
            seen += 1
        elif kind == "valueadded":
            va += [_number(path, line, header[j + 1], row[j + 1].strip()) for j in range(n)]
            extra = [c for c in row[n + 1 :] if c.strip()]
            if extra:
                raise DataError(
                    "value added in a final-demand column",
                    path=path,
                    line=line,
                    got=extra[0],
                    expected="empty",
                )
        else:
            raise DataError(
                "invalid row label",
                path=path,
                line=line,
                field="input",
                got=row[0],
                expected="industry/NN_name or valueadded/NN_name",
            )
    if seen != n:
        raise DataError(
            f"{seen} industry rows", path=path, expected=f"{n} (one per industry column)"
        )
    x = z.sum(1) + y.sum(1)
    gap = np.abs(x - (z.sum(0) + va))
    if (gap > 0.5 * width).any():
        j = int(np.argmax(gap))
        raise DataError(
            "row and column totals differ",
            path=path,
            field=header[j + 1],
            got=f"{x[j]:.0f} (row) vs {z[:, j].sum() + va[j]:.0f} (column)",
            expected="equal totals within rounding",
        )
    finals = cols[n:]
    goods = {"01", "02", "03", "05"}  # agriculture, mining, manufacturing, utilities
    return IOTable(
        name=path.stem.replace("iotable_", "japan_").replace("_wider", ""),
        regions=("JPN",) * n,
        sectors=tuple(c[1] for c in industries),
        Z=z,
        Y=y,
        x=x,
        v=va,
        final_labels=tuple(f"{c[1]}_{c[2]}" for c in finals),
        final_regions=("JPN",) * len(finals),
        final_kinds=tuple(kinds[c[0]] for c in finals),
        sector_names={c[1]: c[2] for c in industries},
        goods=tuple(s for s in (c[1] for c in industries) if s in goods) if n == 13 else (),
        units="million yen (producer prices)",
        source=JAPAN_SOURCE.format(file=path),
        year=2011,
    )


def read_io_csv(path: Path) -> IOTable:
    """The generic long form (module docstring); the inverse of writing ``to_arrow()`` as CSV."""
    path = Path(path)
    reader = csv.reader(io.StringIO(decode(path, read_bytes(path)), newline=""))
    names = [h.strip() for h in next(reader, [])]
    missing = [c for c in IO_LONG.names if c not in names]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}",
            path=path,
            line=1,
            expected=",".join(IO_LONG.names),
            got=",".join(names),
        )
    pick = [names.index(c) for c in IO_LONG.names]
    columns: list[list[str | None]] = [[] for _ in IO_LONG.names]
    values: list[float | None] = []
    rows_seen: set[tuple[str, str]] = set()
    finals_seen: set[tuple[str, str]] = set()
    try:
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(names):
                raise DataError(
                    f"row has {len(row)} fields", path=path, line=line, expected=f"{len(names)}"
                )
            block, rr, rs, cr, cs, value, text = (row[i].strip() for i in pick)
            _check_long(path, line, block, (rr, rs), (cr, cs), rows_seen, finals_seen)
            if block in ("Z", "Y", "x", "v"):
                if not value:
                    raise DataError("empty value", path=path, line=line, field="value")
                values.append(_number(path, line, "value", value))
            else:
                values.append(None)
            for k, cell in enumerate((block, rr, rs, cr, cs, None, text)):
                columns[k].append(cell or None)
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None
    columns[5] = values  # type: ignore[assignment]
    data = pa.table(dict(zip(IO_LONG.names, columns, strict=True)), schema=IO_LONG)
    try:
        return table_from_arrow(data)
    except InvalidInput as exc:
        raise DataError(exc.message, path=path) from None


def _check_long(
    path: Path,
    line: int,
    block: str,
    row_key: tuple[str, str],
    col_key: tuple[str, str],
    rows_seen: set[tuple[str, str]],
    finals_seen: set[tuple[str, str]],
) -> None:
    """One long-form line: a known block, and labels declared before they are used."""
    if block not in BLOCKS:
        raise DataError(
            "unknown block",
            path=path,
            line=line,
            field="block",
            got=block,
            expected="one of " + ", ".join(BLOCKS),
        )
    if block == "row":
        if not all(row_key):
            raise DataError("empty label", path=path, line=line, field="row_region/row_sector")
        rows_seen.add(row_key)
    elif block == "final":
        finals_seen.add(col_key)
    elif block in ("Z", "Y", "x", "v"):
        if row_key not in rows_seen:
            raise DataError(
                "row label not declared in a 'row' line above",
                path=path,
                line=line,
                field="row_region/row_sector",
                got=":".join(row_key),
            )
        known = rows_seen if block == "Z" else finals_seen
        if block in ("Z", "Y") and col_key not in known:
            raise DataError(
                f"column label not declared in a '{'row' if block == 'Z' else 'final'}' line above",
                path=path,
                line=line,
                field="col_region/col_sector",
                got=":".join(col_key),
            )
