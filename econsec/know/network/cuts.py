"""Articulation points and bridges of a supply network, with what each one cuts off.

A node (or link) is an articulation point (bridge) when removing it splits its connected
component of the undirected graph. :func:`cuts` also says which finished products end up
outside the largest remaining piece ("the rest of the network"), from the block-cut tree of
the biconnected components (rustworkx) with subtree sums and pre-order ranges vectorised by
tree layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import rustworkx as rx
from scipy import sparse
from scipy.sparse import csgraph

from econsec.know.network.graph import cached, runs, undirected, unique
from econsec.know.network.model import Ints, SupplyNetwork


@dataclass(frozen=True, slots=True)
class Cut:
    """What removing one node (or bridge) does to the undirected graph: ``nodes_beyond`` nodes
    end up outside the largest remaining piece of its connected component, among them the
    finished products ``products`` (indices)."""

    nodes_beyond: int
    products: Ints


@dataclass(frozen=True, slots=True)
class Cuts:
    """Articulation points (ascending) and bridges ``(u, v)``, with a :class:`Cut` for those
    that cut at least one finished product off the largest remaining piece."""

    articulation: Ints
    bridges: tuple[Ints, Ints]
    node_cuts: dict[int, Cut]
    bridge_cuts: dict[tuple[int, int], Cut]


def cuts(network: SupplyNetwork) -> Cuts:
    """The cached :class:`Cuts` of the simple undirected graph.

    Built from the biconnected components (rustworkx) as a block-cut tree rooted, in each
    connected component, at its largest block: removing articulation point ``a`` leaves one
    piece per child block subtree plus the part above ``a``; the largest piece is "the rest"
    and the products elsewhere are cut off. Subtree sums and pre-order ranges are vectorised
    by tree layer, so the products beyond a node are a slice of a sorted array."""
    return cached(network, "cuts", lambda: _cuts(network))


def _cuts(network: SupplyNetwork) -> Cuts:
    n = network.n_nodes
    empty = np.zeros(0, np.int64)
    if network.n_edges == 0:
        return Cuts(empty, (empty, empty), {}, {})
    found = rx.biconnected_components(undirected(network))
    ends = np.fromiter(chain.from_iterable(found.keys()), np.int64, 2 * len(found)).reshape(-1, 2)
    block = np.fromiter(found.values(), np.int64, len(found))
    n_blocks = int(block.max()) + 1
    keys = unique(np.concatenate([block * n + ends[:, 0], block * n + ends[:, 1]]))
    m_block, m_node = keys // n, keys % n
    is_ap = np.bincount(m_node, minlength=n) >= 2
    aps = np.flatnonzero(is_ap)
    tree_of = np.full(n, -1, dtype=np.int64)
    tree_of[aps] = n_blocks + np.arange(aps.size)
    plain = ~is_ap[m_node]
    tree_of[m_node[plain]] = m_block[plain]
    size = n_blocks + aps.size + 1  # + a super-root over all connected components
    top = size - 1
    final = network.final
    weight = np.zeros(size, np.int64)
    pweight = np.zeros(size, np.int64)
    np.add.at(weight, tree_of[m_node[plain]], 1)
    np.add.at(pweight, tree_of[m_node[plain]], final[m_node[plain]].astype(np.int64))
    weight[n_blocks:top] = 1
    pweight[n_blocks:top] = final[aps]
    link = ~plain
    t_u, t_v = m_block[link], tree_of[m_node[link]]
    tree = sparse.csr_matrix((np.ones(t_u.size), (t_u, t_v)), shape=(size, size))
    _, cc = csgraph.connected_components(tree, directed=False)
    # Root each component at its heaviest block: the pieces "above" a node are then large.
    blocks = np.arange(n_blocks)
    pick = np.lexsort((-weight[blocks], cc[blocks]))
    first = runs(cc[blocks][pick])[1]
    roots = blocks[pick][first]
    tree = sparse.csr_matrix(
        (np.ones(t_u.size + roots.size), (np.r_[t_u, np.full(roots.size, top)], np.r_[t_v, roots])),
        shape=(size, size),
    )
    order, pred = csgraph.breadth_first_order(tree, top, directed=False)
    order = order.astype(np.int64)
    pred = pred.astype(np.int64)
    # BFS lists each layer contiguously, children grouped by parent in the parent's order.
    children = np.bincount(pred[order[1:]], minlength=size)
    bounds = [0, 1]
    while bounds[-1] < order.size:
        bounds.append(bounds[-1] + int(children[order[bounds[-2] : bounds[-1]]].sum()))
    layers = [order[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]
    wsub, psub, tsub = weight.copy(), pweight.copy(), np.ones(size, np.int64)
    for layer in reversed(layers[1:]):
        np.add.at(wsub, pred[layer], wsub[layer])
        np.add.at(psub, pred[layer], psub[layer])
        np.add.at(tsub, pred[layer], tsub[layer])
    pre = np.zeros(size, np.int64)
    comp_root = np.full(size, top, np.int64)
    for layer in layers[1:]:
        before = np.cumsum(tsub[layer]) - tsub[layer]
        group = np.r_[True, pred[layer][1:] != pred[layer][:-1]]
        offset = before - np.maximum.accumulate(np.where(group, before, 0))
        pre[layer] = pre[pred[layer]] + 1 + offset
        parent_root = comp_root[pred[layer]]
        comp_root[layer] = np.where(parent_root == top, layer, parent_root)
    prods = np.flatnonzero(final & (tree_of >= 0))
    prod_pre = pre[tree_of[prods]]
    by_pre = np.argsort(prod_pre, kind="stable")
    prod_pre, prods = prod_pre[by_pre], prods[by_pre]

    def within(t: int) -> Ints:
        lo, hi = np.searchsorted(prod_pre, [pre[t], pre[t] + tsub[t]])
        return prods[lo:hi]

    node_cuts: dict[int, Cut] = {}
    ap_tree = tree_of[aps]
    # The heaviest child of each articulation point (ties: first in pre-order).
    kids = np.flatnonzero(np.isin(pred, ap_tree))
    kids = kids[np.lexsort((pre[kids], -wsub[kids], pred[kids]))]
    firsts = runs(pred[kids])[1]
    keep_of = np.full(size, top, np.int64)
    keep_of[pred[kids][firsts]] = kids[firsts]
    keep = keep_of[ap_tree]
    roots_of = comp_root[ap_tree]
    above = wsub[roots_of] - wsub[ap_tree]
    up_largest = above >= wsub[keep]
    count = np.where(
        up_largest,
        psub[ap_tree] - pweight[ap_tree],
        psub[roots_of] - psub[keep] - pweight[ap_tree],
    )
    for i in np.flatnonzero(count > 0).tolist():
        a, t = int(aps[i]), int(ap_tree[i])
        if up_largest[i]:
            out, beyond = within(t), int(wsub[t] - 1)
        else:
            out = np.setdiff1d(within(int(roots_of[i])), within(int(keep[i])))
            beyond = int(wsub[roots_of[i]] - wsub[keep[i]] - 1)
        node_cuts[a] = Cut(beyond, np.sort(out[out != a]))
    per_block = np.bincount(block, minlength=n_blocks)
    single = per_block[block] == 1
    b_ends, b_block = ends[single], block[single]
    whole = wsub[comp_root[b_block]]
    side = wsub[b_block]
    flip = whole - side < side
    side_p = np.where(flip, psub[comp_root[b_block]] - psub[b_block], psub[b_block])
    at_root = pred[b_block] == top
    bridge_cuts: dict[tuple[int, int], Cut] = {}
    for i in np.flatnonzero((side_p > 0) | at_root).tolist():
        x, y, b = int(b_ends[i, 0]), int(b_ends[i, 1]), int(b_block[i])
        whole_i = int(whole[i])
        if at_root[i]:  # the bridge is its component's root block: take the second end's side
            t = int(tree_of[y])
            cut, prods_i = (int(wsub[t]), within(t)) if is_ap[y] else (1, prods[prods == y])
        else:
            cut, prods_i = int(wsub[b]), within(b)
        if whole_i - cut < cut:
            prods_i = np.setdiff1d(within(int(comp_root[b])), prods_i)
            cut = whole_i - cut
        if prods_i.size:
            bridge_cuts[(min(x, y), max(x, y))] = Cut(cut, np.sort(prods_i))
    lo = np.minimum(b_ends[:, 0], b_ends[:, 1])
    hi = np.maximum(b_ends[:, 0], b_ends[:, 1])
    ordered = np.lexsort((hi, lo))
    return Cuts(aps, (lo[ordered], hi[ordered]), node_cuts, bridge_cuts)
