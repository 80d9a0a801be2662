"""What the network page draws around a product, and the helpers the supply-network pages share
(:mod:`econsec.web.networks`, :mod:`econsec.web.disruption`).

The drawn part of a network (:func:`focus`) is a tree grown from the product over
:func:`~econsec.know.network.view.neighbourhood`'s tiers (tier *k*: *k* edges upstream of the
product, the shortest way). The single points of failure come first: each flagged node with its
shortest way down to the product and, for a concentrated input, its top provider (the firm or
country whose loss the finding is about) hung under it; then the nearest suppliers, tier by
tier, at most ``per_tier`` of a tier. Each node is drawn once, under one customer; the other
links among the drawn nodes are left out of the drawing (a real network's hundreds of crossing
links hide what the drawing is for) and listed in its table view. Rows are those of a tidy tree:
leaves in depth-first order, each customer level with the middle of its suppliers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from fastapi import Request

from econsec.errors import InvalidInput
from econsec.know.network.model import SupplyNetwork
from econsec.know.network.spof import Finding
from econsec.know.network.view import neighbourhood
from econsec.know.networks import Networks
from econsec.store.analytics import AnalyticsStore

LEVELS = ("firm", "country")
PICK = 200  # finished products listed in the picker (a search narrows a longer list)


@dataclass(frozen=True, slots=True)
class View:
    """The drawn part of a network around ``product`` (network indices).

    ``nodes`` in drawing order (each customer before its suppliers) with their ``tiers``;
    ``columns`` and ``rows`` where the chart puts each node;
    ``tree`` the drawn edges, ``edges`` every edge among the drawn nodes; ``upstream`` maps
    every node upstream of the product (drawn or not) to its tier; ``hidden`` counts the
    flagged nodes left out for room."""

    product: int
    nodes: tuple[int, ...]
    tiers: tuple[int, ...]
    columns: tuple[int, ...]
    rows: tuple[float, ...]
    tree: tuple[tuple[int, int, str], ...]
    edges: tuple[tuple[int, int, str], ...]
    upstream: dict[int, int]
    hidden: int

    @property
    def omitted(self) -> int:
        """Upstream nodes not drawn."""
        return len(self.upstream) + 1 - len(self.nodes)


def focus(
    network: SupplyNetwork,
    product: int,
    findings: Sequence[Finding],
    *,
    max_nodes: int = 80,
    per_tier: int = 12,
) -> View:
    """The part of ``network`` to draw around node ``product`` (module docstring), at most
    ``max_nodes`` nodes; ``findings`` in the order their nodes should be kept."""
    whole = neighbourhood(network, product, max_nodes=network.n_nodes, max_tiers=network.n_nodes)
    tier = dict(zip(whole.nodes, whole.tiers, strict=True))
    down: dict[int, list[int]] = {}
    kind: dict[tuple[int, int], str] = {}
    for src, dst, edge_kind in whole.edges:
        kind.setdefault((src, dst), edge_kind)
        if tier[dst] == tier[src] - 1:
            down.setdefault(src, []).append(dst)
    parent: dict[int, int] = {product: -1}
    left_out: set[int] = set()
    for finding in findings:
        node = network.index(finding.node)
        if node not in tier:  # a cut elsewhere in the network
            continue
        way = _way(node, down, parent)
        if len(parent) + len(way) > max_nodes:
            left_out.add(node)
            continue
        parent.update(way)
        provider = network.index(finding.provider) if finding.provider else -1
        if (provider, node) in kind and len(parent) < max_nodes:
            parent.setdefault(provider, node)
    filled: dict[int, int] = {}
    for node in whole.nodes:
        if len(parent) >= max_nodes:
            break
        below = [s for s in down.get(node, ()) if s in parent]
        if node not in parent and below and filled.get(tier[node], 0) < per_tier:
            filled[tier[node]] = filled.get(tier[node], 0) + 1
            parent[node] = below[0]
    flagged = {network.index(f.node) for f in findings}
    order, rows, depth = _tidy(parent, product, lambda n: (n not in flagged, network.ids[n]))
    return View(
        product=product,
        nodes=tuple(order),
        tiers=tuple(tier[n] for n in order),
        columns=tuple(depth[n] for n in order),
        rows=tuple(rows[n] for n in order),
        tree=tuple((n, parent[n], kind[(n, parent[n])]) for n in order if parent[n] >= 0),
        edges=tuple(e for e in whole.edges if e[0] in parent and e[1] in parent),
        upstream={n: t for n, t in tier.items() if n != product},
        hidden=len(left_out - parent.keys()),
    )


def _way(node: int, down: dict[int, list[int]], parent: Collection[int]) -> dict[int, int]:
    """``node`` and the nodes after it on a shortest way to the product, each with the next
    one, up to the first node already drawn (preferring drawn nodes at each step)."""
    out: dict[int, int] = {}
    while node not in parent and node not in out:
        steps = down.get(node)
        if not steps:  # only the product has no way further down
            break
        out[node] = next((s for s in steps if s in parent), steps[0])
        node = out[node]
    return out


def _tidy(
    parent: dict[int, int], root: int, order: Callable[[int], Any]
) -> tuple[list[int], dict[int, float], dict[int, int]]:
    """The nodes of the tree ``parent`` depth first from ``root`` (children sorted by
    ``order``), each one's row (a leaf takes the next row; a customer the middle of its
    suppliers) and depth."""
    children: dict[int, list[int]] = {}
    for node, up in parent.items():
        if up >= 0:
            children.setdefault(up, []).append(node)
    visited: list[int] = []
    rows: dict[int, float] = {}
    depth = {root: 0}
    stack = [root]
    while stack:  # iterative: a deep chain must not exhaust the recursion limit
        node = stack.pop()
        visited.append(node)
        below = sorted(children.get(node, ()), key=order)
        for child in below:
            depth[child] = depth[node] + 1
        stack.extend(reversed(below))
    leaves = 0
    for node in visited:
        if node not in children:
            rows[node] = float(leaves)
            leaves += 1
    for node in reversed(visited):  # suppliers before their customers
        if node in children:
            span = [rows[c] for c in children[node]]
            rows[node] = (min(span) + max(span)) / 2
    return visited, rows, depth


# -- shared by the network pages ----------------------------------------------------------------


def networks_of(request: Request) -> Networks:
    """The stored networks of the app's analytics store."""
    return Networks(cast(AnalyticsStore, request.app.state.catalogue.store))


def finished(network: SupplyNetwork, q: str) -> list[int]:
    """The finished products whose id or name contains ``q`` (all when empty), by id order in
    the network."""
    needle = q.strip().casefold()
    ids, names = network.ids, network.names
    return [
        i
        for i in np.flatnonzero(network.final).tolist()
        if not needle or needle in ids[i].casefold() or needle in names[i].casefold()
    ]


def pick_product(network: SupplyNetwork, product: str, q: str) -> tuple[int, list[int], int]:
    """The product to show (``product``, else the first finished product matching ``q``), the
    finished products the picker lists (at most :data:`PICK`, the chosen one among them) and
    how many match ``q``."""
    matches = finished(network, q)
    if product:
        chosen = network.index(product)
        if not network.final[chosen]:
            raise InvalidInput(
                f"product: {product!r} is not a finished product of network {network.name!r}",
                field="product",
            )
    elif matches:
        chosen = matches[0]
    elif q.strip():
        raise InvalidInput(f"q: no finished product matches {q.strip()[:60]!r}", field="q")
    else:
        raise InvalidInput(f"network {network.name!r} has no finished product")
    listed = matches[:PICK]
    if chosen not in listed:
        listed = [chosen, *listed[: PICK - 1]]
    return chosen, listed, len(matches)


def level_of(text: str) -> str:
    """A provider level (``firm`` unless ``country`` is asked)."""
    return text if text in LEVELS else LEVELS[0]
