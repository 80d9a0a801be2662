"""The supply-network model: nodes, supply and bill-of-materials edges, and their attributes.

A :class:`SupplyNetwork` is columnar (numpy arrays indexed by node or edge number) so that a
network of a million edges loads, stores and analyses without a Python object per edge.

**Nodes** have an ``id`` (unique), a ``kind`` (:data:`NODE_KINDS`: firm, facility, stage,
country, product, input), a display ``name``, an optional ``country`` (ISO3; a firm's head
office, a facility's location), a free ``group`` label (a Willems stage's class, an ETO input's
type) and ``final`` (a finished product: what the analyses measure output losses on). Numeric
node attributes (:data:`NODE_ATTRIBUTES`) are NaN where unknown.

**Edges** point downstream, in the direction goods flow, and have one of three kinds:

* ``supply``: *source* provides *target* (a firm or country providing an input, a plant
  supplying a customer). A target's supply edges are **alternatives**: it keeps the share of its
  supply whose providers still deliver. ``share`` is the source's share of the target's supply
  (0..1; NaN when unknown, then the unknown providers split what the known shares leave).
* ``bom``: *source* is a required input of *target* (bill of materials or of process). A
  target's bom edges are **all needed**: it makes nothing once one of them is gone (unless it
  holds inventory). ``quantity`` is the units of source per unit of target.
* ``type``: *source* is a kind of *target* (a taxonomy link, e.g. "EUV lithography tools" is a
  kind of "Lithography tools"); a target with type edges stays available while any of its kinds
  is.

``lead_time`` (days) may sit on any edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from econsec.errors import InvalidInput, NotFound

NODE_KINDS = ("firm", "facility", "stage", "country", "product", "input")
EDGE_KINDS = ("supply", "bom", "type")
SUPPLY, BOM, TYPE = 0, 1, 2

#: Numeric node attributes, with their units.
NODE_ATTRIBUTES: dict[str, str] = {
    "lead_time": "days a stage takes to process (Willems stageTime)",
    "cost": "cost added at the node per unit (Willems stageCost, USD)",
    "demand_mean": "external demand per day, mean (units)",
    "demand_std": "external demand per day, standard deviation (units)",
    "max_service_time": "longest service time promised to customers (days)",
    "service_level": "target probability of no stock-out (0..1)",
    "inventory_days": "days of the node's own use held as stock of its inputs",
    "recovery_days": "days the node needs to recover after a disruption (time to recover)",
    "value": "output value of a finished product (any currency; weights output losses)",
    "capacity": "output capacity per day (units)",
}

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

NODES_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("country", pa.string()),
        ("group", pa.string()),
        ("final", pa.bool_()),
        *[(attr, pa.float64()) for attr in NODE_ATTRIBUTES],
    ]
)
EDGES_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("target", pa.string()),
        ("kind", pa.string()),
        ("share", pa.float64()),
        ("quantity", pa.float64()),
        ("lead_time", pa.float64()),
    ]
)


@dataclass(frozen=True, slots=True)
class NetworkSource:
    """Where a network came from: the loader, the files, the publisher and the licence."""

    loader: str
    path: str
    title: str = ""
    licence: str = ""
    citation: str = ""
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "loader": self.loader,
            "path": self.path,
            "title": self.title,
            "licence": self.licence,
            "citation": self.citation,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NetworkSource:
        """Inverse of :meth:`to_dict`."""
        return cls(
            loader=str(data.get("loader", "")),
            path=str(data.get("path", "")),
            title=str(data.get("title", "")),
            licence=str(data.get("licence", "")),
            citation=str(data.get("citation", "")),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )


@dataclass(frozen=True, eq=False)
class SupplyNetwork:
    """A supply network in columnar form (build it with :meth:`from_arrow` or :meth:`build`)."""

    name: str
    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    names: tuple[str, ...]
    countries: tuple[str | None, ...]
    groups: tuple[str | None, ...]
    final: npt.NDArray[np.bool_]
    attrs: dict[str, Floats]
    src: Ints
    dst: Ints
    edge_kind: npt.NDArray[np.int8]
    share: Floats
    quantity: Floats
    edge_lead_time: Floats
    source: NetworkSource
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_arrow(
        cls, name: str, nodes: pa.Table, edges: pa.Table, source: NetworkSource
    ) -> SupplyNetwork:
        """A network from a nodes and an edges table (columns of :data:`NODES_SCHEMA` and
        :data:`EDGES_SCHEMA`; missing optional columns are null). Edges may name nodes that
        the nodes table lacks: they are added as kind ``input`` with their id as name."""
        nodes = _conform(nodes, NODES_SCHEMA)
        edges = _conform(edges, EDGES_SCHEMA)
        ids = [str(v) for v in nodes.column("id").to_pylist()]
        index: dict[str, int] = {}
        for i, node_id in enumerate(ids):
            if node_id in index:
                raise InvalidInput(f"network {name!r}: node {node_id!r} is listed twice")
            index[node_id] = i
        sources = [str(v) for v in edges.column("source").to_pylist()]
        targets = [str(v) for v in edges.column("target").to_pylist()]
        extra = [n for n in dict.fromkeys([*sources, *targets]) if n not in index]
        for node_id in extra:
            index[node_id] = len(ids)
            ids.append(node_id)
        n_extra = len(extra)

        def text(column: str, default: str | None) -> list[str | None]:
            values = nodes.column(column).to_pylist()
            return [default if v in (None, "") else str(v) for v in values] + [default] * n_extra

        kinds = [k or "input" for k in text("kind", "input")]
        bad = sorted({k for k in kinds if k not in NODE_KINDS})
        if bad:
            raise InvalidInput(
                f"network {name!r}: unknown node kind {bad[0]!r}", expected=", ".join(NODE_KINDS)
            )
        names = text("name", None)
        names = [n if n is not None else ids[i] for i, n in enumerate(names)]
        edge_kinds = [str(k or "supply") for k in edges.column("kind").to_pylist()]
        unknown = sorted({k for k in edge_kinds if k not in EDGE_KINDS})
        if unknown:
            raise InvalidInput(
                f"network {name!r}: unknown edge kind {unknown[0]!r}",
                expected=", ".join(EDGE_KINDS),
            )
        lookup = {k: i for i, k in enumerate(EDGE_KINDS)}
        src = np.fromiter((index[s] for s in sources), dtype=np.int64, count=len(sources))
        dst = np.fromiter((index[t] for t in targets), dtype=np.int64, count=len(targets))
        final_given = nodes.column("final").to_pylist() + [None] * n_extra
        attrs = {a: _floats(nodes.column(a), n_extra) for a in NODE_ATTRIBUTES}
        network = cls(
            name=name,
            ids=tuple(ids),
            kinds=tuple(kinds),
            names=tuple(str(n) for n in names),
            countries=tuple(text("country", None)),
            groups=tuple(text("group", None)),
            final=np.zeros(len(ids), dtype=bool),
            attrs=attrs,
            src=src,
            dst=dst,
            edge_kind=np.fromiter((lookup[k] for k in edge_kinds), np.int8, len(edge_kinds)),
            share=_floats(edges.column("share")),
            quantity=_floats(edges.column("quantity")),
            edge_lead_time=_floats(edges.column("lead_time")),
            source=source,
            _index=index,
        )
        network._check()
        # Finished products: as given; where no node says, the nodes nothing is made from.
        if any(v is not None for v in final_given):
            network.final[:] = [bool(v) for v in final_given]
        else:
            network.final[:] = network.out_degree == 0
        return network

    @classmethod
    def build(
        cls,
        name: str,
        nodes: Iterable[Mapping[str, Any]],
        edges: Iterable[Mapping[str, Any]],
        source: NetworkSource | None = None,
    ) -> SupplyNetwork:
        """A network from rows (dicts with the column names of the two schemas)."""
        node_rows, edge_rows = list(nodes), list(edges)
        return cls.from_arrow(
            name,
            _table(node_rows, NODES_SCHEMA),
            _table(edge_rows, EDGES_SCHEMA),
            source or NetworkSource(loader="python", path=""),
        )

    def _check(self) -> None:
        share = self.share[~np.isnan(self.share)]
        if share.size and (share.min() < 0 or share.max() > 1 + 1e-9):
            raise InvalidInput(f"network {self.name!r}: an edge share is outside 0..1")
        if np.any(self.src == self.dst):
            i = int(np.flatnonzero(self.src == self.dst)[0])
            node = self.ids[self.src[i]]
            raise InvalidInput(f"network {self.name!r}: node {node!r} supplies itself")
        for attr, values in self.attrs.items():
            if np.any(values[~np.isnan(values)] < 0):
                raise InvalidInput(f"network {self.name!r}: attribute {attr!r} is negative")

    # -- sizes and look-ups ---------------------------------------------------------------

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.src.size)

    def index(self, node_id: str) -> int:
        """The number of node ``node_id``; :class:`NotFound` naming the network otherwise."""
        try:
            return self._index[node_id]
        except KeyError:
            raise NotFound(f"network {self.name!r} has no node {node_id!r}") from None

    def find(self, text: str) -> list[int]:
        """Nodes whose id equals ``text`` or whose name contains it (case-insensitive)."""
        if text in self._index:
            return [self._index[text]]
        needle = text.casefold()
        return [i for i, n in enumerate(self.names) if needle in n.casefold()]

    @cached_property
    def out_degree(self) -> Ints:
        """Edges leaving each node."""
        return np.bincount(self.src, minlength=self.n_nodes).astype(np.int64)

    @cached_property
    def in_degree(self) -> Ints:
        """Edges entering each node."""
        return np.bincount(self.dst, minlength=self.n_nodes).astype(np.int64)

    def attr(self, name: str) -> Floats:
        """Node attribute ``name`` (NaN where unknown)."""
        return self.attrs[name]

    def label(self, i: int) -> str:
        """``name (id)``, or the id alone when they are the same."""
        node_id, name = self.ids[i], self.names[i]
        return node_id if name == node_id else f"{name} ({node_id})"

    def summary(self) -> dict[str, Any]:
        """Counts by kind, for listings."""
        kinds: dict[str, int] = {}
        for k in self.kinds:
            kinds[k] = kinds.get(k, 0) + 1
        edges = np.bincount(self.edge_kind, minlength=len(EDGE_KINDS))
        return {
            "name": self.name,
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "node_kinds": kinds,
            "edge_kinds": {k: int(edges[i]) for i, k in enumerate(EDGE_KINDS)},
            "finished_products": int(self.final.sum()),
            "source": self.source.to_dict(),
        }

    # -- Arrow form -----------------------------------------------------------------------

    def nodes_table(self) -> pa.Table:
        """The nodes as an Arrow table with :data:`NODES_SCHEMA`."""
        columns: dict[str, Any] = {
            "id": list(self.ids),
            "kind": list(self.kinds),
            "name": list(self.names),
            "country": list(self.countries),
            "group": list(self.groups),
            "final": self.final,
        }
        columns.update(self.attrs)
        return pa.table(columns, schema=NODES_SCHEMA)

    def edges_table(self) -> pa.Table:
        """The edges as an Arrow table with :data:`EDGES_SCHEMA`."""
        ids = pa.array(self.ids, pa.string())
        kinds = pa.array(EDGE_KINDS, pa.string())
        return pa.table(
            {
                "source": ids.take(pa.array(self.src)),
                "target": ids.take(pa.array(self.dst)),
                "kind": kinds.take(pa.array(self.edge_kind.astype(np.int64))),
                "share": pa.array(self.share, pa.float64(), from_pandas=True),
                "quantity": pa.array(self.quantity, pa.float64(), from_pandas=True),
                "lead_time": pa.array(self.edge_lead_time, pa.float64(), from_pandas=True),
            },
            schema=EDGES_SCHEMA,
        )


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly ``schema``'s columns (absent ones null), cast to its types."""
    columns = []
    for fld in schema:
        if fld.name in table.column_names:
            column = table.column(fld.name)
            try:
                columns.append(column.cast(fld.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InvalidInput(
                    f"column {fld.name!r} cannot be read as {fld.type}: {exc}"
                ) from None
        else:
            columns.append(pa.nulls(table.num_rows, fld.type))
    if "id" in schema.names and table.num_rows and table.column("id").null_count:
        raise InvalidInput("a node has no id")
    for required in ("source", "target"):
        if required in schema.names and table.num_rows and table.column(required).null_count:
            raise InvalidInput(f"an edge has no {required}")
    return pa.table(columns, schema=schema)


def _floats(column: pa.ChunkedArray | pa.Array, pad: int = 0) -> Floats:
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    return np.concatenate([values, np.full(pad, np.nan)]) if pad else values


def _table(rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.table({f.name: [row.get(f.name) for row in rows] for f in schema}, schema=schema)
