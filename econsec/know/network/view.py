"""The part of a network around one product that a page can draw: its suppliers, tier by tier.

Tier 0 is the product; tier *k* holds the nodes *k* edges upstream of it (the shortest way).
Big networks are cut to ``max_nodes``: whole tiers nearest the product first, and within the
last tier that fits only in part, the nodes in ``keep`` (single points of failure, say) first,
then the nodes feeding the most kept nodes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from econsec.know.network.model import EDGE_KINDS, SupplyNetwork


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """Nodes (network indices) with their tier, the edges among them, and what was left out."""

    product: int
    nodes: tuple[int, ...]
    tiers: tuple[int, ...]
    edges: tuple[tuple[int, int, str], ...]
    upstream_total: int

    @property
    def truncated(self) -> bool:
        """Whether some upstream nodes are not shown."""
        return len(self.nodes) < self.upstream_total + 1


def neighbourhood(
    network: SupplyNetwork,
    product: int,
    *,
    max_nodes: int = 60,
    max_tiers: int = 12,
    keep: Collection[int] = (),
) -> Neighbourhood:
    """The upstream of node ``product``, at most ``max_nodes`` nodes over ``max_tiers`` tiers."""
    order = np.argsort(network.dst, kind="stable")
    starts = np.searchsorted(network.dst[order], np.arange(network.n_nodes + 1))
    tier = {product: 0}
    layers: list[list[int]] = [[product]]
    while layers[-1] and len(layers) <= max_tiers:
        following: list[int] = []
        for node in layers[-1]:
            for e in order[starts[node] : starts[node + 1]]:
                supplier = int(network.src[e])
                if supplier not in tier:
                    tier[supplier] = len(layers)
                    following.append(supplier)
        layers.append(following)
    wanted = set(keep)
    chosen: list[int] = []
    for layer in layers:
        room = max_nodes - len(chosen)
        if room <= 0:
            break
        if len(layer) > room:
            layer = sorted(layer, key=lambda n: (n not in wanted, network.ids[n]))[:room]
        chosen.extend(layer)
    shown = np.zeros(network.n_nodes, dtype=bool)
    shown[chosen] = True
    inside = np.flatnonzero(shown[network.src] & shown[network.dst])
    edges = tuple(
        (int(network.src[e]), int(network.dst[e]), EDGE_KINDS[int(network.edge_kind[e])])
        for e in inside
    )
    return Neighbourhood(
        product=product,
        nodes=tuple(chosen),
        tiers=tuple(tier[n] for n in chosen),
        edges=edges,
        upstream_total=len(tier) - 1,
    )
