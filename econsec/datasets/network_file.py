"""The generic supply-network format: a user's own network (see ``docs/networks.md``).

Two CSV files (an edges file and a nodes file) or one JSON document ``{"nodes": [...],
"edges": [...]}`` with the columns of :data:`~econsec.know.network.model.NODES_SCHEMA` and
:data:`~econsec.know.network.model.EDGES_SCHEMA`. CSV files are read with Arrow and checked
column by column (a million edges in about a second); when a check fails, the file is read
again row by row to name the first bad line and field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from econsec.datasets.supply import build_network, dict_rows, number, open_text
from econsec.errors import DataError
from econsec.know.network.model import (
    EDGE_KINDS,
    EDGES_SCHEMA,
    NODE_ATTRIBUTES,
    NODE_KINDS,
    NODES_SCHEMA,
    NetworkSource,
    SupplyNetwork,
)

_NODE_TEXT = ("id", "kind", "name", "country", "group")
_EDGE_TEXT = ("source", "target", "kind")


def read_network_file(path: Path, name: str, *, nodes: Path | None = None) -> SupplyNetwork:
    """A user's network in the generic format: ``path`` is an edges CSV (with ``nodes`` an
    optional nodes CSV; by default ``<stem>_nodes.csv`` beside it when present), a folder with
    ``nodes.csv`` and ``edges.csv``, or a JSON file ``{"nodes": [...], "edges": [...]}``."""
    path = Path(path)
    if path.is_dir():
        nodes = path / "nodes.csv" if (path / "nodes.csv").is_file() else None
        edges_path = path / "edges.csv"
    elif path.suffix.lower() == ".json":
        return _read_network_json(path, name)
    else:
        edges_path = path
        beside = path.with_name(f"{path.stem}_nodes.csv")
        if nodes is None and beside.is_file():
            nodes = beside
    source = NetworkSource(
        loader="csv",
        path=str(edges_path) + (f" + {nodes}" if nodes else ""),
        title=f"network from {edges_path.name}",
    )
    fast = _fast_tables(edges_path, nodes)
    if fast is not None:
        return SupplyNetwork.from_arrow(name, fast[0], fast[1], source)
    # Something is wrong (or unusual): read row by row, which names the line and field.
    edge_rows = [
        _edge_row(row, edges_path, line)
        for line, row in dict_rows(edges_path, ("source", "target"))
    ]
    node_rows = (
        [_node_row(row, nodes, line) for line, row in dict_rows(nodes, ("id",))]
        if nodes is not None
        else []
    )
    return build_network(name, edges_path, node_rows, edge_rows, source)


_YES, _NO = ("true", "1", "yes"), ("false", "0", "no")


def _read_strings(path: Path) -> pa.Table | None:
    """Every column of a CSV file as strings (empty = null), or None if Arrow cannot read it."""
    try:
        header = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16)).schema
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in header.names},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError):
        return None


def _numbers(table: pa.Table, names: Sequence[str]) -> dict[str, pa.Array] | None:
    """Columns ``names`` (absent: null) as finite non-negative float64, or None."""
    out: dict[str, pa.Array] = {}
    for name in names:
        if name not in table.column_names:
            out[name] = pa.nulls(table.num_rows, pa.float64())
            continue
        try:
            values = pc.cast(pc.utf8_trim_whitespace(table.column(name)), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        arr = values.to_numpy(zero_copy_only=False)
        known = arr[~np.isnan(arr)]
        if known.size and (not np.all(np.isfinite(known)) or known.min() < 0):
            return None
        out[name] = values.combine_chunks()
    return out


def _text(table: pa.Table, name: str) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    return pc.utf8_trim_whitespace(table.column(name)).combine_chunks()


def _fast_tables(edges_path: Path, nodes: Path | None) -> tuple[pa.Table, pa.Table] | None:
    """The nodes and edges tables read column-wise, or None when any check fails."""
    edges = _read_strings(edges_path)
    if edges is None or not {"source", "target"} <= set(edges.column_names):
        return None
    src, dst = _text(edges, "source"), _text(edges, "target")
    kind = pc.fill_null(_text(edges, "kind"), "supply")
    numbers = _numbers(edges, ("share", "quantity", "lead_time"))
    if (
        numbers is None
        or src.null_count
        or dst.null_count
        or not pc.all(pc.is_in(kind, pa.array(EDGE_KINDS))).as_py()
        or pc.any(pc.equal(src, dst)).as_py()
        or pc.any(pc.greater(numbers["share"], 1.0)).as_py()
    ):
        return None
    edge_table = pa.table(
        {"source": src, "target": dst, "kind": kind, **numbers}, schema=EDGES_SCHEMA
    )
    if nodes is None:
        return NODES_SCHEMA.empty_table(), edge_table
    table = _read_strings(nodes)
    if table is None or "id" not in table.column_names:
        return None
    ids, node_kind = _text(table, "id"), _text(table, "kind")
    final = pc.utf8_lower(_text(table, "final"))
    attrs = _numbers(table, tuple(NODE_ATTRIBUTES))
    if (
        attrs is None
        or ids.null_count
        or not pc.all(
            pc.or_kleene(pc.is_null(node_kind), pc.is_in(node_kind, pa.array(NODE_KINDS)))
        ).as_py()
        or not pc.all(
            pc.or_kleene(pc.is_null(final), pc.is_in(final, pa.array(_YES + _NO)))
        ).as_py()
    ):
        return None
    node_table = pa.table(
        {
            "id": ids,
            "kind": node_kind,
            "name": _text(table, "name"),
            "country": _text(table, "country"),
            "group": _text(table, "group"),
            "final": pc.if_else(
                pc.is_null(final), pa.scalar(None, pa.bool_()), pc.is_in(final, pa.array(_YES))
            ),
            **attrs,
        },
        schema=NODES_SCHEMA,
    )
    return node_table, edge_table


def _read_network_json(path: Path, name: str) -> SupplyNetwork:
    with open_text(path) as fh:
        try:
            doc = json.load(fh)
        except json.JSONDecodeError as exc:
            raise DataError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("edges"), list):
        raise DataError("expected an object with an 'edges' list", path=path, field="edges")
    raw_nodes = doc.get("nodes", [])
    if not isinstance(raw_nodes, list):
        raise DataError("expected a list", path=path, field="nodes")

    def items(key: str, rows: list[Any], parse: Callable[..., dict[str, Any]]) -> list[Any]:
        out = []
        for position, item in enumerate(rows, 1):
            if not isinstance(item, dict):
                raise DataError(f"{key}[{position}] is not an object", path=path, field=key)
            text = {f: "" if v is None else str(v) for f, v in item.items()}
            out.append(parse(text, path, None, where=f"{key}[{position}]"))
        return out

    source = NetworkSource(loader="csv", path=str(path), title=f"network from {path.name}")
    return build_network(
        name,
        path,
        items("nodes", raw_nodes, _node_row),
        items("edges", doc["edges"], _edge_row),
        source,
    )


def _node_row(
    row: Mapping[str, str], path: Path, line: int | None, where: str = ""
) -> dict[str, Any]:
    out: dict[str, Any] = {k: (row.get(k) or "").strip() or None for k in _NODE_TEXT}
    if not out["id"]:
        raise DataError(f"{where} a node needs an id".strip(), path=path, line=line, field="id")
    if out["kind"] is not None and out["kind"] not in NODE_KINDS:
        raise DataError(
            f"{where} unknown node kind".strip(),
            path=path,
            line=line,
            field="kind",
            got=out["kind"],
            expected=", ".join(NODE_KINDS),
        )
    final = (row.get("final") or "").strip().lower()
    if final and final not in _YES + _NO:
        raise DataError(
            f"{where} not a yes/no value".strip(), path=path, line=line, field="final", got=final
        )
    out["final"] = None if not final else final in _YES
    for attr in NODE_ATTRIBUTES:
        out[attr] = number(row.get(attr), path, line, attr) if row.get(attr) else None
    return out


def _edge_row(
    row: Mapping[str, str], path: Path, line: int | None, where: str = ""
) -> dict[str, Any]:
    out: dict[str, Any] = {k: (row.get(k) or "").strip() or None for k in _EDGE_TEXT}
    for end in ("source", "target"):
        if not out[end]:
            raise DataError(
                f"{where} an edge needs a {end}".strip(), path=path, line=line, field=end
            )
    kind = out["kind"] or "supply"
    if kind not in EDGE_KINDS:
        raise DataError(
            f"{where} unknown edge kind".strip(),
            path=path,
            line=line,
            field="kind",
            got=kind,
            expected="supply, bom or type",
        )
    out["kind"] = kind
    for field in ("share", "quantity", "lead_time"):
        text = row.get(field) or ""
        out[field] = number(text, path, line, field) if text.strip() else None
    if out["share"] is not None and out["share"] > 1:
        raise DataError(
            f"{where} a share is a fraction between 0 and 1".strip(),
            path=path,
            line=line,
            field="share",
            got=row.get("share"),
        )
    if out["source"] == out["target"]:
        raise DataError(
            f"{where} an edge from a node to itself".strip(), path=path, line=line, field="target"
        )
    return out
