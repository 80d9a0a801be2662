"""Failure propagation: the output lost when a node fails, for every node at once.

**Availability** ``a_v`` in 0..1 is the share of node ``v``'s normal output it can still make.
A failed node has ``a = 0``; a node without inputs has ``a = 1``; otherwise, over the groups of
in-edges the node has (each group a constraint, the tightest wins)::

    a_v = min( min_{u in bom(v)} a_u,                    bill of materials: all needed,
                                                         no substitution (Leontief-like)
               r_v + sum_{u in supply(v)} w_uv a_u,       alternatives: the shares still
                                                         delivered (graph.supply_weights:
                                                         unknown shares split what is left,
                                                         shares above 1 in total are scaled
                                                         down, r_v the unlisted remainder)
               max_{u in type(v)} a_u )                  "is a kind of": available while any
                                                         kind is

Supply edges count at one provider level (``"firm"`` or ``"country"``, never both: in the ETO
data the same market is given at both levels). Nodes are evaluated layer by layer in
topological order with numpy over the scenario axis; nodes on a cycle are iterated, from all
ones, to the greatest fixed point (tolerance 1e-9, at most 10,000 rounds).

**Output lost** in a scenario ``= sum_p q_p (1 - a_p)`` over finished products ``p`` with
weights ``q_p = value`` (the mean known value where NaN; 1 when no product has one); its
**share** is that over ``sum_p q_p``.

:func:`inoue_todo_share` is the share of nodes whose single failure costs more than X % of
output: Inoue & Todo (2019), "Propagation of negative shocks across nation-wide firm
networks", PLoS ONE 14(3): e0213648, report 9.7 % of Japanese firms above 10 % in their
dynamic model (with inventories and substitution, which this static measure has not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from econsec.errors import InvalidInput
from econsec.know.network import graph
from econsec.know.network.graph import Bools, Level
from econsec.know.network.model import BOM, SUPPLY, TYPE, Floats, Ints, SupplyNetwork

Progress = Callable[[str, float], None]
HIT = 1e-9  # a product is hit when its availability drops below 1 - HIT
_MEMORY = 256 * 2**20  # bytes the scenario batch may take
_ROUNDS, _TOL = 10_000, 1e-9

LOSSES_SCHEMA = pa.schema(
    [
        ("rank", pa.int64()),
        ("node", pa.string()),
        ("name", pa.string()),
        ("kind", pa.string()),
        ("loss", pa.float64()),
        ("share", pa.float64()),
        ("products_hit", pa.int64()),
        ("products", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True, slots=True)
class Group:
    """In-edges of one kind into one layer, sorted by target: ``heads[i]`` takes the reduction
    of ``src[starts[i]:starts[i + 1]]``."""

    edges: Ints
    src: Ints
    weight: Floats
    heads: Ints
    starts: Ints


@dataclass(frozen=True, slots=True)
class Plan:
    """The layered evaluation order of a network at one provider level."""

    n: int
    layers: tuple[Ints, ...]
    groups: tuple[tuple[Group | None, Group | None, Group | None], ...]
    cyclic: tuple[bool, ...]
    remainder: Floats
    level_of: Ints
    widest: int


def plan(network: SupplyNetwork, level: Level | None = "firm") -> Plan:
    """The cached :class:`Plan` at provider ``level``."""
    return graph.cached(network, f"plan:{level}", lambda: _plan(network, level))


def _plan(network: SupplyNetwork, level: Level | None) -> Plan:
    lv = graph.levels(network)
    mask = graph.supply_mask(network, level)
    weight, remainder = graph.supply_weights(network, mask)
    edges = np.flatnonzero(mask)
    dst_level = lv.level[network.dst[edges]]
    order = np.lexsort((network.dst[edges], network.edge_kind[edges], dst_level))
    edges = edges[order]
    kind, dst, lvl = network.edge_kind[edges], network.dst[edges], dst_level[order]
    cuts = np.searchsorted(lvl, np.arange(lv.n_levels + 1))
    groups = []
    cyclic = []
    widest = 0
    for k in range(lv.n_levels):
        s, e = int(cuts[k]), int(cuts[k + 1])
        widest = max(widest, e - s)
        per_kind: list[Group | None] = []
        for code in (BOM, SUPPLY, TYPE):
            a, b = s + np.searchsorted(kind[s:e], [code, code + 1])
            if a == b:
                per_kind.append(None)
                continue
            heads, starts = graph.runs(dst[a:b])
            ids = edges[a:b]
            per_kind.append(Group(ids, network.src[ids], weight[ids], heads, starts))
        groups.append((per_kind[0], per_kind[1], per_kind[2]))
        cyclic.append(bool(lv.cyclic[lv.layer(k)].any()))
    return Plan(
        n=network.n_nodes,
        layers=tuple(lv.layer(k) for k in range(lv.n_levels)),
        groups=tuple(groups),
        cyclic=tuple(cyclic),
        remainder=remainder,
        level_of=lv.level,
        widest=widest,
    )


def availability(p: Plan, failed: Ints) -> Floats:
    """Availability of every node (rows) in each scenario (columns); scenario ``j`` fails
    node ``failed[j]`` alone (``-1``: nothing fails).

    Only nodes downstream of a failed node can change, so each acyclic layer evaluates just
    the targets some failed node reaches (a boolean pass over the layer's edges first)."""
    a = np.ones((p.n, failed.size))
    cols = np.arange(failed.size)
    real = failed >= 0
    fail_level = np.where(real, p.level_of[np.maximum(failed, 0)], -1)
    touched = np.zeros(p.n, dtype=bool)
    touched[failed[real]] = True
    for k, groups in enumerate(p.groups):
        hit = fail_level == k
        if p.cyclic[k]:
            _cyclic_layer(p, k, groups, a, failed[hit], cols[hit])
            touched[p.layers[k]] = True
            continue
        for g in groups:
            if g is not None:
                touched[g.heads] |= np.logical_or.reduceat(touched[g.src], g.starts)
        bom, supply, kinds = (None if g is None else _restrict(g, touched) for g in groups)
        _update(p, a, bom, supply, kinds)
        a[failed[hit], cols[hit]] = 0.0
    return a


def _restrict(g: Group, keep: Bools) -> Group | None:
    """The part of ``g`` whose targets are in ``keep`` (None when empty)."""
    chosen = keep[g.heads]
    if chosen.all():
        return g
    if not chosen.any():
        return None
    sizes = np.diff(np.r_[g.starts, g.src.size])
    edges = np.repeat(chosen, sizes)
    starts = np.r_[0, np.cumsum(sizes[chosen])[:-1]].astype(np.int64)
    return Group(g.edges[edges], g.src[edges], g.weight[edges], g.heads[chosen], starts)


def _update(
    p: Plan, a: Floats, bom: Group | None, supply: Group | None, kinds: Group | None
) -> None:
    """One evaluation of a layer's targets (module docstring: the min of the groups)."""
    if bom is not None:
        term = np.minimum.reduceat(a[bom.src], bom.starts, axis=0)
        a[bom.heads] = np.minimum(a[bom.heads], term)
    if supply is not None:
        term = np.add.reduceat(a[supply.src] * supply.weight[:, None], supply.starts)
        term += p.remainder[supply.heads][:, None]
        a[supply.heads] = np.minimum(a[supply.heads], np.minimum(term, 1.0))
    if kinds is not None:
        term = np.maximum.reduceat(a[kinds.src], kinds.starts, axis=0)
        a[kinds.heads] = np.minimum(a[kinds.heads], term)


def _cyclic_layer(
    p: Plan, k: int, groups: tuple[Group | None, ...], a: Floats, failed: Ints, cols: Ints
) -> None:
    """Iterate a layer holding a cycle from all ones to its greatest fixed point."""
    layer = p.layers[k]
    for _ in range(_ROUNDS):
        before = a[layer]
        _update(p, a, *groups)
        a[failed, cols] = 0.0
        if np.abs(a[layer] - before).max(initial=0) <= _TOL:
            return
    raise InvalidInput(f"availability on a cycle of layer {k} did not converge")


def product_weights(network: SupplyNetwork) -> Floats:
    """Weight ``q_p`` of each finished product (``value``; NaN: mean known value, else 1)."""
    value = network.attrs["value"][network.final]
    known = value[~np.isnan(value)]
    fill = float(known.mean()) if known.size else 1.0
    out: Floats = np.where(np.isnan(value), fill, value)
    return out


@dataclass(frozen=True, slots=True)
class FailureLosses:
    """Output lost when each of ``nodes`` fails alone (arrays by scenario).

    ``loss`` in product-weight units (value, or products when no value is known), ``share``
    of total output (0..1), ``products_hit`` the number of finished products whose
    availability drops, ``hit_products`` their indices (CSR: ``hit_ptr``)."""

    network: SupplyNetwork
    level: str | None
    nodes: Ints
    loss: Floats
    share: Floats
    products_hit: Ints
    hit_ptr: Ints
    hit_products: Ints

    def products(self, j: int) -> list[str]:
        """Ids of the finished products scenario ``j`` hits."""
        ids = self.network.ids
        return [ids[p] for p in self.hit_products[self.hit_ptr[j] : self.hit_ptr[j + 1]]]

    def ranking(self, top: int | None = None) -> pa.Table:
        """Scenarios by share lost, descending (ties by node id) (:data:`LOSSES_SCHEMA`)."""
        ids, names, kinds = self.network.ids, self.network.names, self.network.kinds
        order = sorted(range(self.nodes.size), key=lambda j: (-self.share[j], ids[self.nodes[j]]))
        order = order[:top] if top is not None else order
        rows = [int(self.nodes[j]) for j in order]
        return pa.table(
            {
                "rank": list(range(1, len(order) + 1)),
                "node": [ids[i] for i in rows],
                "name": [names[i] for i in rows],
                "kind": [kinds[i] for i in rows],
                "loss": self.loss[order],
                "share": self.share[order],
                "products_hit": self.products_hit[order],
                "products": [self.products(j) for j in order],
            },
            schema=LOSSES_SCHEMA,
        )

    def to_dict(self, over_percent: float, top: int | None = None) -> dict[str, Any]:
        """JSON form: the ``top`` worst scenarios and the share of scenarios costing more than
        ``over_percent`` % of output (:func:`inoue_todo_share`)."""
        return {
            "network": self.network.name,
            "level": self.level,
            "nodes_failed": int(self.nodes.size),
            "over_percent": over_percent,
            "share_of_nodes_over": inoue_todo_share(self, over_percent),
            "ranking": self.ranking(top).to_pylist(),
        }


def default_scenarios(network: SupplyNetwork, level: Level | None) -> Ints:
    """Every node but providers whose only links are supply edges of the other level."""
    mask = graph.supply_mask(network, level)
    counted = np.bincount(network.src[mask], minlength=network.n_nodes)
    out: Ints = np.flatnonzero((counted > 0) | (network.out_degree == 0))
    return out


def single_failure_losses(
    network: SupplyNetwork,
    *,
    nodes: Sequence[str] | None = None,
    level: Level | None = "firm",
    progress: Progress | None = None,
) -> FailureLosses:
    """Output lost when each node fails alone (module docstring for the semantics).

    ``nodes``: ids to fail (default :func:`default_scenarios`); ``level``: the provider level
    whose supply edges count (``None``: all). Nodes that feed no finished product lose
    nothing and are not simulated; the rest run in batches sized to 256 MB."""
    if nodes is None:
        scen = default_scenarios(network, level)
    else:
        scen = np.array([network.index(n) for n in nodes], dtype=np.int64)
    prods = np.flatnonzero(network.final)
    if prods.size == 0:
        raise InvalidInput(f"network {network.name!r} has no finished product")
    q = product_weights(network)
    p = plan(network, level)
    feeds = np.array([r.size > 0 for r in graph.downstream_products(network, scen)], bool)
    loss = np.zeros(scen.size)
    hit_lists: list[Ints] = [np.zeros(0, np.int64)] * scen.size
    todo = np.flatnonzero(feeds)
    # Batches of nodes from the same layer share most of what they reach downstream.
    todo = todo[np.argsort(-p.level_of[scen[todo]], kind="stable")]
    batch = max(1, _MEMORY // (8 * (p.n + p.widest)))
    report = progress or (lambda _stage, _done: None)
    for b0 in range(0, todo.size, batch):
        rows = todo[b0 : b0 + batch]
        a = availability(p, scen[rows])[prods]
        a[a > 1.0 - HIT] = 1.0  # rounding in share sums is not a loss
        loss[rows] = q @ (1.0 - a)
        hit = a < 1.0 - HIT
        for j, r in enumerate(rows.tolist()):
            hit_lists[r] = prods[hit[:, j]]
        report("single failures", min(1.0, (b0 + rows.size) / max(todo.size, 1)))
    counts = np.array([h.size for h in hit_lists], dtype=np.int64)
    return FailureLosses(
        network=network,
        level=level,
        nodes=scen,
        loss=loss,
        share=loss / float(q.sum()),
        products_hit=counts,
        hit_ptr=np.r_[0, np.cumsum(counts)].astype(np.int64),
        hit_products=np.concatenate(hit_lists) if hit_lists else np.zeros(0, np.int64),
    )


def inoue_todo_share(losses: FailureLosses, x_percent: float) -> float:
    """Share (0..1) of the failed nodes whose single failure costs more than ``x_percent`` %
    of total output (Inoue & Todo 2019; see the module docstring)."""
    if losses.nodes.size == 0:
        return 0.0
    return float(np.mean(losses.share > x_percent / 100.0))
