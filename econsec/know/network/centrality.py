"""Betweenness centrality of a supply network: exact when small, sampled when large.

Betweenness of node ``v`` (Freeman; Brandes 2001, unweighted shortest paths)::

    b(v) = sum over pairs s != v != t of sigma_st(v) / sigma_st

with ``sigma_st`` the number of shortest paths from ``s`` to ``t`` and ``sigma_st(v)`` those
through ``v``. Brandes' dependency accumulation gives ``sum_t sigma_st(v) / sigma_st`` for one
source ``s``; the **approximation** (Brandes & Pich 2007; Bader et al. 2007) sums it over
``k`` sources drawn uniformly without replacement (seeded) and scales by ``n / k``, an unbiased
estimate. With ``normalized`` the result is divided by ``(n - 1)(n - 2)`` (directed) or
``(n - 1)(n - 2) / 2`` (undirected), as rustworkx and networkx do.

Sources run in batches as dense columns: each breadth-first layer is one sparse product over
the rows of the frontier only, forward for path counts and backward for dependencies, so a
batch costs about (edges leaving frontiers) x (batch size) per layer, in C.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy import sparse

from econsec.errors import InvalidInput
from econsec.know.network import graph
from econsec.know.network.model import Floats, Ints, SupplyNetwork

Progress = Callable[[str, float], None]
EXACT_UP_TO = 2_000  # nodes: below this, every source is used
_MEMORY = 256 * 2**20

BETWEENNESS_SCHEMA = pa.schema(
    [
        ("rank", pa.int64()),
        ("node", pa.string()),
        ("name", pa.string()),
        ("kind", pa.string()),
        ("betweenness", pa.float64()),
    ]
)


@dataclass(frozen=True, slots=True)
class Betweenness:
    """Betweenness by node; ``exact`` when every node served as a source, else ``samples``
    sources drawn with ``seed``."""

    network: SupplyNetwork
    values: Floats
    exact: bool
    samples: int
    seed: int | None
    directed: bool
    normalized: bool

    def top(self, n: int = 20) -> pa.Table:
        """The ``n`` most central nodes (ties by id) as :data:`BETWEENNESS_SCHEMA`."""
        ids, names, kinds = self.network.ids, self.network.names, self.network.kinds
        order = np.lexsort((np.arange(self.values.size), -self.values))[:n].tolist()
        return pa.table(
            {
                "rank": list(range(1, len(order) + 1)),
                "node": [ids[i] for i in order],
                "name": [names[i] for i in order],
                "kind": [kinds[i] for i in order],
                "betweenness": self.values[order],
            },
            schema=BETWEENNESS_SCHEMA,
        )


def betweenness(
    network: SupplyNetwork,
    *,
    samples: int | None = None,
    seed: int = 0,
    directed: bool = True,
    normalized: bool = True,
    progress: Progress | None = None,
) -> Betweenness:
    """Betweenness of every node on the flow graph (``directed``) or its undirected form.

    ``samples``: sources to draw (default: exact up to :data:`EXACT_UP_TO` nodes, else
    ``min(n, 512)``); ``samples >= n`` is exact."""
    n = network.n_nodes
    if samples is not None and samples < 1:
        raise InvalidInput(f"samples must be at least 1, got {samples}")
    k = (n if n <= EXACT_UP_TO else min(n, 512)) if samples is None else min(samples, n)
    exact = k >= n
    sources = np.arange(n) if exact else np.sort(np.random.default_rng(seed).permutation(n)[:k])
    fwd = _adjacency(network, directed)
    bwd = fwd.T.tocsr()
    total = np.zeros(n)
    batch = max(1, min(64, _MEMORY // (8 * 6 * max(n, 1))))
    for b0 in range(0, sources.size, batch):
        total += _dependencies(fwd, bwd, sources[b0 : b0 + batch])
        if progress:
            progress("betweenness", min(1.0, (b0 + batch) / sources.size))
    values = total * (n / k) if k else total
    if not directed:
        values /= 2.0  # each unordered pair was counted from both ends
    if normalized and n > 2:
        values /= (n - 1) * (n - 2) / (1.0 if directed else 2.0)
    return Betweenness(
        network, values, exact, int(k), None if exact else seed, directed, normalized
    )


def _adjacency(network: SupplyNetwork, directed: bool) -> sparse.csr_matrix:
    """0/1 adjacency (parallel edges merged: shortest paths count distinct node sequences)."""
    if directed:
        n = max(network.n_nodes, 1)
        keys = graph.unique(network.src * n + network.dst)
        src, dst = keys // n, keys % n
    else:
        u, v = graph.undirected_edges(network)
        src, dst = np.r_[u, v], np.r_[v, u]
    shape = (network.n_nodes, network.n_nodes)
    return sparse.csr_matrix((np.ones(src.size), (src, dst)), shape=shape)


def _dependencies(fwd: sparse.csr_matrix, bwd: sparse.csr_matrix, sources: Ints) -> Floats:
    """Sum over ``sources`` of Brandes' dependencies ``delta_s(v)`` (the source excluded)."""
    n, b = fwd.shape[0], sources.size
    cols = np.arange(b)
    dist = np.full((n, b), -1, dtype=np.int32)
    sigma = np.zeros((n, b))
    dist[sources, cols] = 0
    sigma[sources, cols] = 1.0
    frontiers = [np.unique(sources)]
    d = 0
    while True:
        rows = frontiers[-1]
        at = np.where(dist[rows] == d, sigma[rows], 0.0)
        reach = np.asarray(fwd[rows].T @ at)  # path counts into every node, from layer d
        new = (reach > 0) & (dist == -1)
        if not new.any():
            break
        dist[new] = d + 1
        sigma[new] = reach[new]
        frontiers.append(np.flatnonzero(new.any(axis=1)))
        d += 1
    delta = np.zeros((n, b))
    for d in range(len(frontiers) - 1, 0, -1):
        rows = frontiers[d]
        here = dist[rows] == d
        coef = np.where(here, (1.0 + delta[rows]) / np.where(here, sigma[rows], 1.0), 0.0)
        back = np.asarray(bwd[rows].T @ coef)  # successors' coefficients, per predecessor
        parents = frontiers[d - 1]
        mask = dist[parents] == d - 1
        delta[parents] += np.where(mask, sigma[parents] * back[parents], 0.0)
    delta[sources, cols] = 0.0
    out: Floats = delta.sum(axis=1)
    return out
