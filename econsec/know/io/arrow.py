"""The long (Arrow / CSV / DuckDB) form of an :class:`~econsec.know.io.table.IOTable`.

One row per fact, columns :data:`IO_LONG` = ``block, row_region, row_sector, col_region,
col_sector, value, text``. Blocks, in this order:

=========  ===============================================================================
block      meaning of the row
=========  ===============================================================================
``meta``   ``row_sector`` = key (``name``, ``units``, ``source``, ``year``, ``goods``), ``text``
           = its value (``goods``: comma-separated sector codes)
``sector`` ``row_sector`` = sector code, ``text`` = sector name
``row``    the table's rows (= columns) in order: ``row_region``, ``row_sector``
``final``  the final-demand columns in order: ``col_region``, ``col_sector`` = category label,
           ``text`` = kind (domestic, export, import)
``Z``      intermediate use: supplier (row_*) → user (col_*), ``value``; non-zero cells only
``Y``      final use: supplier (row_*) → final column (col_region, col_sector = label), ``value``;
           non-zero cells only
``x``      gross output of (row_region, row_sector), ``value``; every row
``v``      value added of (row_region, row_sector), ``value``; every row
=========  ===============================================================================

Values are float64 and unchanged, so ``from_arrow(to_arrow(t))`` is exact. Empty strings and
nulls are the same thing (CSV cannot tell them apart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from econsec.errors import InvalidInput

if TYPE_CHECKING:
    from econsec.know.io.table import IOTable

IO_LONG = pa.schema(
    [
        ("block", pa.string()),
        ("row_region", pa.string()),
        ("row_sector", pa.string()),
        ("col_region", pa.string()),
        ("col_sector", pa.string()),
        ("value", pa.float64()),
        ("text", pa.string()),
    ]
)
BLOCKS = ("meta", "sector", "row", "final", "Z", "Y", "x", "v")
_SEP = "\x1f"


def _labels(codes: np.ndarray, dictionary: list[str]) -> pa.Array:
    """Strings from integer codes (built as a dictionary array: fast for 10^6 cells)."""
    indices = pa.array(np.asarray(codes, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array(dictionary, pa.string())).cast(
        pa.string()
    )


def _block(name: str, size: int, **cols: pa.Array) -> pa.Table:
    data = {
        key: cols.get(key, pa.nulls(size, IO_LONG.field(key).type)) for key in IO_LONG.names[1:]
    }
    return pa.table({"block": pa.array([name] * size, pa.string()), **data}, schema=IO_LONG)


def table_to_arrow(t: IOTable) -> pa.Table:
    """The long form of ``t`` (see the module docstring)."""
    regions, sectors = list(t.region_list), list(t.sector_list)
    meta = {
        "name": t.name,
        "units": t.units,
        "source": t.source,
        "year": "" if t.year is None else str(t.year),
        "goods": ",".join(t.goods),
    }
    parts = [
        _block(
            "meta", len(meta), row_sector=pa.array(list(meta)), text=pa.array(list(meta.values()))
        ),
        _block(
            "sector",
            len(sectors),
            row_sector=pa.array(sectors),
            text=pa.array([t.sector_names.get(s, "") for s in sectors]),
        ),
        _block("row", t.n, row_region=pa.array(t.regions), row_sector=pa.array(t.sectors)),
        _block(
            "final",
            len(t.final_labels),
            col_region=pa.array(t.final_regions),
            col_sector=pa.array(t.final_labels),
            text=pa.array(t.final_kinds),
        ),
    ]
    ri, ci = np.nonzero(t.Z)
    parts.append(
        _block(
            "Z",
            len(ri),
            row_region=_labels(t.region_of[ri], regions),
            row_sector=_labels(t.sector_of[ri], sectors),
            col_region=_labels(t.region_of[ci], regions),
            col_sector=_labels(t.sector_of[ci], sectors),
            value=pa.array(t.Z[ri, ci]),
        )
    )
    ri, fi = np.nonzero(t.Y)
    parts.append(
        _block(
            "Y",
            len(ri),
            row_region=_labels(t.region_of[ri], regions),
            row_sector=_labels(t.sector_of[ri], sectors),
            col_region=_labels(fi, list(t.final_regions)),
            col_sector=_labels(fi, list(t.final_labels)),
            value=pa.array(t.Y[ri, fi]),
        )
    )
    for name, vec in (("x", t.x), ("v", t.v)):
        parts.append(
            _block(
                name,
                t.n,
                row_region=pa.array(t.regions),
                row_sector=pa.array(t.sectors),
                value=pa.array(vec),
            )
        )
    return pa.concat_tables(parts)


def _text(col: pa.ChunkedArray | pa.Array) -> list[str]:
    return ["" if s is None else str(s) for s in col.to_pylist()]


def _keys(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(
        pc.fill_null(a, ""), pc.fill_null(b, ""), _SEP, null_handling="replace"
    )


def _positions(
    part: pa.Table, key_cols: tuple[str, str], known: list[str], what: str
) -> np.ndarray:
    keys = _keys(part[key_cols[0]], part[key_cols[1]])
    pos = pc.index_in(keys, value_set=pa.array(known, pa.string()))
    if pos.null_count:
        bad = keys.filter(pc.is_null(pos))[0].as_py().replace(_SEP, ":")
        raise InvalidInput(f"{what} {bad!r} is not declared in the 'row'/'final' block")
    return np.asarray(pos.to_numpy(zero_copy_only=False), dtype=np.int64)


def table_from_arrow(data: pa.Table) -> IOTable:
    """Rebuild the table from its long form (the inverse of :func:`table_to_arrow`)."""
    from econsec.know.io.table import IOTable

    missing = [c for c in IO_LONG.names if c not in data.column_names]
    if missing:
        raise InvalidInput(f"long-form IO table lacks column(s) {', '.join(missing)}")
    data = data.select(IO_LONG.names).cast(IO_LONG)
    block = data["block"]
    parts = {name: data.filter(pc.equal(block, name)) for name in BLOCKS}
    unknown = pc.unique(data.filter(pc.invert(pc.is_in(block, pa.array(BLOCKS)))).column("block"))
    if len(unknown):
        raise InvalidInput(f"unknown block(s) {unknown.to_pylist()}; expected {list(BLOCKS)}")
    meta = dict(zip(_text(parts["meta"]["row_sector"]), _text(parts["meta"]["text"]), strict=True))
    rows = parts["row"]
    if rows.num_rows == 0:
        raise InvalidInput("long-form IO table has no 'row' block")
    regions, sectors = _text(rows["row_region"]), _text(rows["row_sector"])
    row_keys = [f"{r}{_SEP}{s}" for r, s in zip(regions, sectors, strict=True)]
    final = parts["final"]
    f_regions, f_labels = _text(final["col_region"]), _text(final["col_sector"])
    final_keys = [f"{r}{_SEP}{c}" for r, c in zip(f_regions, f_labels, strict=True)]
    n, f = len(row_keys), len(final_keys)
    z = np.zeros((n, n))
    zp = parts["Z"]
    z[
        _positions(zp, ("row_region", "row_sector"), row_keys, "Z row"),
        _positions(zp, ("col_region", "col_sector"), row_keys, "Z column"),
    ] = zp["value"].to_numpy()
    y = np.zeros((n, f))
    yp = parts["Y"]
    y[
        _positions(yp, ("row_region", "row_sector"), row_keys, "Y row"),
        _positions(yp, ("col_region", "col_sector"), final_keys, "final-demand column"),
    ] = yp["value"].to_numpy()
    vectors: dict[str, np.ndarray] = {}
    for name in ("x", "v"):
        part = parts[name]
        if name == "v" and part.num_rows == 0:
            vectors["v"] = vectors["x"] - z.sum(0)  # not given: x minus intermediate inputs
            continue
        vec = np.full(n, np.nan)
        vec[_positions(part, ("row_region", "row_sector"), row_keys, f"{name} row")] = part[
            "value"
        ].to_numpy()
        if np.isnan(vec).any():
            raise InvalidInput(f"block {name!r} does not give every row a value")
        vectors[name] = vec
    names = dict(
        zip(_text(parts["sector"]["row_sector"]), _text(parts["sector"]["text"]), strict=True)
    )
    year = meta.get("year", "")
    return IOTable(
        name=meta.get("name", ""),
        regions=tuple(regions),
        sectors=tuple(sectors),
        Z=z,
        Y=y,
        x=vectors["x"],
        v=vectors["v"],
        final_labels=tuple(f_labels),
        final_regions=tuple(f_regions),
        final_kinds=tuple(_text(final["text"])),
        sector_names={k: v for k, v in names.items() if v},
        goods=tuple(g for g in meta.get("goods", "").split(",") if g),
        units=meta.get("units", ""),
        source=meta.get("source", ""),
        year=int(year) if year else None,
    )
