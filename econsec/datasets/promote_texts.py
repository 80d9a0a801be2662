"""Seeds and needs for matching: CSV or Parquet files of texts with an id.

The contract (``econsec promote match``): an ``id`` column and either a ``text`` column or a
``title`` column with an ``abstract`` and/or ``description`` column. The text of a row is
``text``, or ``title``, ``objective``, ``abstract``, ``description`` and ``keywords`` (those
present; the DoD topic format has objective and keywords) joined by newlines, empty parts left
out. Optional ``sector`` and ``agency`` columns are kept (they tag needs for multi-use
seeds), and so are the columns named in ``keep``.

Every row needs a non-empty, unique id and some text; the first problem is a DataError naming
the file, the line (CSV, header = line 1) or row (Parquet, 1-based) and the field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from econsec.datasets.tabular import decode, read_bytes
from econsec.errors import DataError, InvalidInput

TEXT_PARTS = ("title", "objective", "abstract", "description", "keywords")
OPTIONAL = ("sector", "agency")
CONTRACT = "an id column and either text, or title with abstract and/or description"


def is_parquet(path: Path) -> bool:
    """Parquet by suffix or by its magic bytes ``PAR1``."""
    if path.suffix.lower() in (".parquet", ".pq"):
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def _columns(path: Path, names: Sequence[str], id_column: str, keep: Sequence[str]) -> list[str]:
    """The columns to read, or a DataError saying what the file lacks."""
    where: dict[str, Any] = {"path": path} if is_parquet(path) else {"path": path, "line": 1}
    missing = [c for c in (id_column, *keep) if c not in names]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}",
            **where,
            expected=CONTRACT.replace("an id", f"an {id_column}"),
            got=",".join(names),
        )
    if "text" in names:
        text = ["text"]
    elif "title" in names and ("abstract" in names or "description" in names):
        text = [c for c in TEXT_PARTS if c in names]
    else:
        raise DataError("no text columns", **where, expected=CONTRACT, got=",".join(names))
    optional = [c for c in OPTIONAL if c in names and c not in (id_column, *text)]
    return [id_column, *text, *dict.fromkeys([*optional, *keep])]


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    text = decode(path, read_bytes(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DataError("file is empty", path=path, expected="a header line") from None
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", path=path, line=1) from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise DataError(
                        f"row has {len(row)} fields",
                        path=path,
                        line=reader.line_num,
                        expected=f"{len(header)} fields",
                    )
                yield reader.line_num, dict(zip(header, row, strict=True))
        except csv.Error as exc:
            raise DataError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None

    return header, rows()


def _parquet_names(path: Path) -> list[str]:
    try:
        schema = pq.read_schema(path)
    except FileNotFoundError:
        raise DataError("file not found", path=path) from None
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"not a readable Parquet file ({exc})", path=path) from None
    return list(schema.names)


def read_texts(path: Path, *, id_column: str = "id", keep: Sequence[str] = ()) -> pa.Table:
    """The file as an Arrow table: ``id``, ``text``, then ``sector``/``agency``/``keep`` columns
    present in the file (strings; empty cells are null)."""
    parquet = is_parquet(path)
    if parquet:
        names = _parquet_names(path)
        columns = _columns(path, names, id_column, keep)
        table = pq.read_table(path, columns=columns)
        records: Iterator[tuple[int, dict[str, Any]]] = (
            (n, row) for n, row in enumerate(table.to_pylist(), start=1)
        )
    else:
        names, rows = _csv_rows(path)
        columns = _columns(path, names, id_column, keep)
        records = rows
    text_columns = list(dict.fromkeys(c for c in columns[1:] if c == "text" or c in TEXT_PARTS))
    extra = list(dict.fromkeys(c for c in columns[1:] if c not in text_columns or c in keep))
    out: dict[str, list[str | None]] = {"id": [], "text": [], **{c: [] for c in extra}}
    seen: dict[str, int] = {}
    for n, row in records:
        where: dict[str, Any] = {"path": path, ("row" if parquet else "line"): n}
        ident = _cell(row.get(id_column))
        if ident is None:
            raise DataError("empty id", field=id_column, expected="a non-empty id", **where)
        if ident in seen:
            raise DataError(
                f"duplicate id {ident!r} (first at {'row' if parquet else 'line'} {seen[ident]})",
                field=id_column,
                expected="unique ids",
                **where,
            )
        seen[ident] = n
        parts = [p for p in (_cell(row.get(c)) for c in text_columns) if p]
        if not parts:
            raise DataError(
                "no text", field="/".join(text_columns), expected="a non-empty text", **where
            )
        out["id"].append(ident)
        out["text"].append("\n".join(parts))
        for c in extra:
            out[c].append(_cell(row.get(c)))
    if not seen:
        raise DataError("no data rows", path=path, expected="at least one row")
    return pa.table({k: pa.array(v, pa.string()) for k, v in out.items()})


def read_closed_topics(path: Path) -> pa.Table:
    """SBIR.gov's closed-topic list (``sbir_closed_topics_fy2008_2018.parquet``): columns
    ``id`` (``row N``: the list has no topic numbers), ``text`` (name and description),
    ``title``, ``description``, ``agency`` (``agency_top``) and ``year`` (of ``close_date``, else of
    ``release_date``)."""
    names = _parquet_names(path) if is_parquet(path) else []
    need = ("topic_name", "description", "agency_top", "close_date", "release_date")
    missing = [c for c in need if c not in names]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}",
            path=path,
            expected="the SBIR.gov closed-topic list as Parquet (" + ", ".join(need) + ")",
            got=",".join(names),
        )
    rows = pq.read_table(path, columns=list(need)).to_pylist()
    out: dict[str, list[Any]] = {
        k: [] for k in ("id", "text", "title", "description", "agency", "year")
    }
    for n, row in enumerate(rows, start=1):
        title = _cell(row["topic_name"]) or ""
        date = row["close_date"] or row["release_date"]
        out["id"].append(f"row {n}")
        out["text"].append("\n".join(p for p in (title, _cell(row["description"])) if p))
        out["title"].append(title)
        out["description"].append(_cell(row["description"]))
        out["agency"].append(_cell(row["agency_top"]))
        out["year"].append(None if date is None else date.year)
    return pa.table(out)


def texts_from_records(records: Sequence[Mapping[str, Any]], what: str) -> pa.Table:
    """The table :func:`read_texts` gives, from JSON objects under the same contract (``id``,
    then ``text`` or ``title`` + ``abstract``/``description``, optional ``sector``/``agency``);
    InvalidInput names ``what`` (seeds, needs), the item's position and its field."""
    out: dict[str, list[str | None]] = {"id": [], "text": [], "sector": [], "agency": []}
    seen: dict[str, int] = {}
    for n, record in enumerate(records):
        ident = _cell(record.get("id"))
        if ident is None:
            raise InvalidInput(f"{what}[{n}]: empty id", field="id")
        if ident in seen:
            raise InvalidInput(f"{what}[{n}]: duplicate id {ident!r} (first at {seen[ident]})")
        seen[ident] = n
        text = _cell(record.get("text"))
        parts = [text] if text else [p for p in (_cell(record.get(c)) for c in TEXT_PARTS) if p]
        if not parts:
            raise InvalidInput(
                f"{what}[{n}] ({ident}): no text", expected=CONTRACT.replace("an id column", "id")
            )
        out["id"].append(ident)
        out["text"].append("\n".join(parts))
        out["sector"].append(_cell(record.get("sector")))
        out["agency"].append(_cell(record.get("agency")))
    if not seen:
        raise InvalidInput(f"no {what} given", expected=f"at least one item in {what}")
    return pa.table({k: pa.array(v, pa.string()) for k, v in out.items()})
