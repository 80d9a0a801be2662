"""Graph forms of a :class:`SupplyNetwork` and the structure every analysis shares.

* :func:`flow_graph` - the directed flow graph (rustworkx) with a virtual super-source
  :func:`root` feeding every node without inputs (and every node of a cycle nothing feeds).
* :func:`undirected` - the simple undirected graph (reciprocal and parallel edges merged).
* :func:`levels` - a topological layering of the strongly connected components (Kahn's
  algorithm, vectorised by layer); nodes on a cycle share their component's layer and are
  flagged ``cyclic`` so that callers iterate them to a fixed point.
* :func:`supply_mask` / :func:`supply_weights` - which supply edges count at a provider level
  (``"firm"``: any provider but a country; ``"country"``: country providers; ``None``: all) and
  the effective share of each, the rule propagation and concentration share.
* :func:`downstream_products` - the finished products each node feeds (bitsets by layer).
* :func:`dominator_tree` / :func:`dominators` - immediate dominators on the flow graph and
  the nodes every supply path of a product passes through.

Conversions are cached per network object (the network is immutable), so the benchmarks can
time the analyses apart from building graphs.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import rustworkx as rx
from scipy import sparse
from scipy.sparse import csgraph

from econsec.errors import InvalidInput
from econsec.know.network.model import SUPPLY, Floats, Ints, SupplyNetwork

Level = Literal["firm", "country"]
Bools = npt.NDArray[np.bool_]
T = TypeVar("T")

_CACHE: weakref.WeakKeyDictionary[SupplyNetwork, dict[str, Any]] = weakref.WeakKeyDictionary()
_MEMORY = 64 * 2**20  # bytes a bitset chunk may take


def cached(network: SupplyNetwork, key: str, build: Callable[[], T]) -> T:
    """``build()`` once per network object and key."""
    slot = _CACHE.setdefault(network, {})
    if key not in slot:
        slot[key] = build()
    value: T = slot[key]
    return value


def root(network: SupplyNetwork) -> int:
    """Index of the virtual super-source in :func:`flow_graph` (one past the last node)."""
    return network.n_nodes


def unique(values: Ints) -> Ints:
    """Sorted distinct values (sort-based: numpy 2's hash-based ``np.unique`` is ~50x slower on
    a million int64 keys)."""
    ordered = np.sort(values)
    keep = np.ones(ordered.size, dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    out: Ints = ordered[keep]
    return out


def runs(ordered: Ints) -> tuple[Ints, Ints]:
    """``(values, starts)`` of the runs of equal values in an already sorted array."""
    start = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if ordered.size else ordered
    return ordered[start], start.astype(np.int64)


def _pairs(a: Ints, b: Ints) -> list[tuple[int, int]]:
    # A structured array's tolist() yields tuples in C, ~2x faster than zip on 1 M edges.
    pairs = np.empty(a.size, dtype=[("a", np.int64), ("b", np.int64)])
    pairs["a"], pairs["b"] = a, b
    out: list[tuple[int, int]] = pairs.tolist()
    return out


@dataclass(frozen=True, slots=True)
class Levels:
    """A topological layering: ``level[v]`` is the longest path (in components) into ``v``.

    ``order`` lists the nodes layer by layer and ``bounds[k]:bounds[k + 1]`` slices layer ``k``
    out of it; ``comp`` is each node's strongly connected component, ``cyclic`` marks nodes on a
    cycle (a component of two or more nodes) and ``sources`` the nodes nothing outside their
    component feeds."""

    level: Ints
    order: Ints
    bounds: Ints
    comp: Ints
    cyclic: Bools
    sources: Bools

    @property
    def n_levels(self) -> int:
        """Number of layers."""
        return int(self.bounds.size - 1)

    def layer(self, k: int) -> Ints:
        """Nodes of layer ``k``."""
        return self.order[self.bounds[k] : self.bounds[k + 1]]

    @property
    def has_cycles(self) -> bool:
        """Whether some node lies on a cycle."""
        return bool(self.cyclic.any())


def levels(network: SupplyNetwork) -> Levels:
    """The cached :class:`Levels` of ``network`` (all edge kinds)."""
    return cached(network, "levels", lambda: _levels(network))


def _levels(network: SupplyNetwork) -> Levels:
    n = network.n_nodes
    src, dst = network.src, network.dst
    adjacency = sparse.csr_matrix((np.ones(src.size, np.int8), (src, dst)), shape=(n, n))
    n_comp, comp = csgraph.connected_components(adjacency, directed=True, connection="strong")
    comp = comp.astype(np.int64)
    sizes = np.bincount(comp, minlength=n_comp)
    cross = comp[src] != comp[dst]
    csrc, cdst = comp[src][cross], comp[dst][cross]
    clevel = _kahn(n_comp, csrc, cdst)
    level = clevel[comp]
    order = np.argsort(level, kind="stable").astype(np.int64)
    bounds = np.searchsorted(level[order], np.arange(int(level.max(initial=-1)) + 2))
    fed = np.zeros(n_comp, dtype=bool)
    fed[cdst] = True
    return Levels(
        level=level,
        order=order,
        bounds=bounds.astype(np.int64),
        comp=comp,
        cyclic=sizes[comp] > 1,
        sources=~fed[comp],
    )


def _kahn(n: int, src: Ints, dst: Ints) -> Ints:
    """Longest-path layers of a DAG given by edge arrays (Kahn's algorithm, one layer a step)."""
    order = np.argsort(src, kind="stable")
    targets = dst[order]
    indptr = np.searchsorted(src[order], np.arange(n + 1))
    indeg = np.bincount(dst, minlength=n)
    level = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    k = 0
    while frontier.size:
        level[frontier] = k
        out = targets[_spans(indptr[frontier], indptr[frontier + 1])]
        hit, counts = np.unique(out, return_counts=True)
        indeg[hit] -= counts
        frontier = hit[indeg[hit] == 0]
        k += 1
    if np.any(level < 0):  # pragma: no cover - the condensation of a graph is acyclic
        raise InvalidInput(f"graph of {n} components is not acyclic")
    return level


def _spans(starts: Ints, ends: Ints) -> Ints:
    """Concatenated ``arange(s, e)`` for each pair, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(total, dtype=np.int64)


def flow_graph(network: SupplyNetwork) -> rx.PyDiGraph[Any, Any]:
    """The cached directed flow graph: node ``i`` is network node ``i``; node :func:`root` is
    a virtual super-source with an edge to every node of a component nothing feeds."""

    def build() -> rx.PyDiGraph[Any, Any]:
        graph: rx.PyDiGraph[Any, Any] = rx.PyDiGraph(multigraph=True)
        graph.add_nodes_from(range(network.n_nodes + 1))
        graph.extend_from_edge_list(_pairs(network.src, network.dst))
        starts = np.flatnonzero(levels(network).sources)
        graph.extend_from_edge_list(_pairs(np.full(starts.size, root(network)), starts))
        return graph

    return cached(network, "flow_graph", build)


def undirected_edges(network: SupplyNetwork) -> tuple[Ints, Ints]:
    """The cached simple undirected edge list ``(u, v)`` with ``u < v``."""

    def build() -> tuple[Ints, Ints]:
        n = max(network.n_nodes, 1)
        lo = np.minimum(network.src, network.dst)
        hi = np.maximum(network.src, network.dst)
        keys = unique(lo * n + hi)
        return keys // n, keys % n

    return cached(network, "undirected_edges", build)


def undirected(network: SupplyNetwork) -> rx.PyGraph[Any, Any]:
    """The cached simple undirected graph on the network's nodes."""

    def build() -> rx.PyGraph[Any, Any]:
        u, v = undirected_edges(network)
        graph: rx.PyGraph[Any, Any] = rx.PyGraph(multigraph=True)  # edges are unique already
        graph.add_nodes_from(range(network.n_nodes))
        graph.extend_from_edge_list(_pairs(u, v))
        return graph

    return cached(network, "undirected", build)


def is_country(network: SupplyNetwork) -> Bools:
    """Nodes of kind ``country`` (providers at the country level)."""
    return cached(
        network, "is_country", lambda: np.array([k == "country" for k in network.kinds], bool)
    )


def supply_mask(network: SupplyNetwork, level: Level | None) -> Bools:
    """Edges that count at provider ``level``: every bom and type edge, and the supply edges
    whose source is a country (``"country"``), is not (``"firm"``), or all (``None``)."""
    if level not in (None, "firm", "country"):
        raise InvalidInput(f"unknown provider level {level!r}", expected="firm or country")
    if level is None:
        return np.ones(network.n_edges, dtype=bool)
    supply = network.edge_kind == SUPPLY
    country = is_country(network)[network.src]
    out: Bools = ~supply | (country if level == "country" else ~country)
    return out


def supply_weights(network: SupplyNetwork, mask: Bools) -> tuple[Floats, Floats]:
    """Effective shares of the supply edges in ``mask`` and each node's unlisted remainder.

    For a target with known shares summing to ``K`` (edge shares, 0..1):

    * ``K > 1``: the known shares are divided by ``K``; providers of unknown share get 0;
    * otherwise the remainder ``r = 1 - K`` goes in equal parts to the providers of unknown
      share; with none, ``r`` is the *unlisted remainder* (providers the data does not name,
      which no listed failure touches).

    Returns ``(weight per edge, remainder per node)``; non-supply edges have weight 0 and
    targets without supply edges a remainder of 1. Weights plus remainder sum to 1.
    """
    n = network.n_nodes
    sel = mask & (network.edge_kind == SUPPLY)
    known = sel & ~np.isnan(network.share)
    unknown = sel & np.isnan(network.share)
    dst = network.dst
    total = np.bincount(dst[known], weights=network.share[known], minlength=n)
    n_unknown = np.bincount(dst[unknown], minlength=n)
    has_supply = np.bincount(dst[sel], minlength=n) > 0
    scale = np.where(total > 1, total, 1.0)
    left = np.clip(1 - total, 0, None)
    weight = np.zeros(network.n_edges)
    weight[known] = network.share[known] / scale[dst[known]]
    weight[unknown] = (left / np.maximum(n_unknown, 1))[dst[unknown]]
    remainder = np.where(n_unknown > 0, 0.0, left)
    remainder[~has_supply] = 1.0
    return weight, remainder


def downstream_products(
    network: SupplyNetwork, nodes: Sequence[int] | Ints, products: Ints | None = None
) -> list[Ints]:
    """For each of ``nodes``, the finished products (indices, ascending) it feeds through any
    directed path (itself included when it is one). ``products`` defaults to ``final``.

    Bitsets of the products are OR-ed from each component's successors, layer by layer from
    the last; work is O(edges x products / 64), in chunks of 64 MB."""
    lv = levels(network)
    prods = np.flatnonzero(network.final) if products is None else np.sort(products)
    query = np.asarray(nodes, dtype=np.int64)
    if prods.size == 0 or query.size == 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(query.size)]
    n_comp = int(lv.comp.max()) + 1
    cross = lv.comp[network.src] != lv.comp[network.dst]
    keys = unique(lv.comp[network.src][cross] * n_comp + lv.comp[network.dst][cross])
    csrc, cdst = keys // n_comp, keys % n_comp
    clevel = np.zeros(n_comp, dtype=np.int64)
    clevel[lv.comp] = lv.level
    by_level = np.argsort(clevel[csrc], kind="stable")
    csrc, cdst = csrc[by_level], cdst[by_level]
    cuts = np.searchsorted(clevel[csrc], np.arange(lv.n_levels + 1))
    words = (prods.size + 63) // 64
    widest = int(np.diff(cuts).max(initial=1))
    chunk = max(1, min(words, _MEMORY // (8 * max(n_comp, widest))))
    rows: list[Ints] = []
    cols: list[Ints] = []
    for w0 in range(0, words, chunk):
        wn = min(chunk, words - w0)
        part = prods[w0 * 64 : (w0 + wn) * 64]
        bits = np.zeros((n_comp, wn), dtype=np.uint64)
        col = np.arange(part.size)
        mask = np.left_shift(np.uint64(1), (col % 64).astype(np.uint64))
        np.bitwise_or.at(bits, (lv.comp[part], col // 64), mask)
        for k in range(lv.n_levels - 1, -1, -1):
            s, e = cuts[k], cuts[k + 1]
            if s == e:
                continue
            heads, starts = runs(csrc[s:e])
            bits[heads] |= np.bitwise_or.reduceat(bits[cdst[s:e]], starts, axis=0)
        found = np.unpackbits(bits[lv.comp[query]].view(np.uint8), axis=1, bitorder="little")
        r, c = np.nonzero(found[:, : part.size])
        rows.append(r.astype(np.int64))
        cols.append(part[c])
    row, prod = np.concatenate(rows), np.concatenate(cols)
    if len(rows) > 1:  # each chunk is sorted by (row, product) and products rise by chunk
        order = np.argsort(row, kind="stable")
        row, prod = row[order], prod[order]
    return np.split(prod, np.searchsorted(row, np.arange(1, query.size)))


# -- dominators -------------------------------------------------------------------------------


def dominator_tree(network: SupplyNetwork) -> Ints:
    """Immediate dominator of each node in :func:`flow_graph` (Cooper-Harvey-Kennedy, via
    rustworkx): ``idom[v]`` is the last node before ``v`` that every path from the virtual
    super-source to ``v`` passes through; :func:`root` when only the super-source does."""

    def build() -> Ints:
        start = root(network)
        found = rx.immediate_dominators(flow_graph(network), start)
        idom = np.full(network.n_nodes + 1, start, dtype=np.int64)
        keys = np.fromiter(found.keys(), np.int64, len(found))
        idom[keys] = np.fromiter(found.values(), np.int64, len(found))
        idom[start] = start
        return idom

    return cached(network, "dominator_tree", build)


def dominators(network: SupplyNetwork, products: Ints) -> tuple[Ints, Ints]:
    """Pairs ``(dominator, product)``: every node through which all supply paths of each of
    ``products`` pass, the product itself and the virtual super-source excluded. The chains
    of the dominator tree are climbed for all products at once (one step a round)."""
    idom = dominator_tree(network)
    top = root(network)
    prod = np.asarray(products, dtype=np.int64)
    cur = idom[prod]
    doms: list[Ints] = []
    owners: list[Ints] = []
    alive = cur != top
    while alive.any():
        cur, prod = cur[alive], prod[alive]
        doms.append(cur)
        owners.append(prod)
        cur = idom[cur]
        alive = cur != top
    if not doms:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(doms), np.concatenate(owners)
