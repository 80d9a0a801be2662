"""Betweenness: exact values by hand and against rustworkx on real Willems chains; the sampled
estimate is seeded and tracks the exact ranking."""

from __future__ import annotations

import numpy as np
import pytest
import rustworkx as rx

from econsec.errors import InvalidInput
from econsec.know.network.centrality import betweenness
from econsec.know.network.model import SupplyNetwork
from tests.know.network.test_spof import build, willems


def reference(net: SupplyNetwork, directed: bool) -> np.ndarray:
    """rustworkx's exact betweenness (normalised) on the same simple graph."""
    pairs = {(int(a), int(b)) for a, b in zip(net.src, net.dst, strict=True)}
    if directed:
        d: rx.PyDiGraph[None, None] = rx.PyDiGraph()
        d.add_nodes_from([None] * net.n_nodes)
        d.extend_from_edge_list(sorted(pairs))
        found = rx.digraph_betweenness_centrality(d, normalized=True)
    else:
        g: rx.PyGraph[None, None] = rx.PyGraph()
        g.add_nodes_from([None] * net.n_nodes)
        g.extend_from_edge_list(sorted({(min(p), max(p)) for p in pairs}))
        found = rx.graph_betweenness_centrality(g, normalized=True)
    return np.array([found[i] for i in range(net.n_nodes)])


def test_a_path_by_hand() -> None:
    net = build([("a", "b", "bom"), ("b", "c", "bom")], [{"id": "a"}, {"id": "b"}, {"id": "c"}])
    raw = betweenness(net, normalized=False)
    assert raw.exact and raw.values.tolist() == [0.0, 1.0, 0.0]  # only a -> c passes b
    assert betweenness(net).values[1] == pytest.approx(1 / 2)  # / ((n - 1)(n - 2))
    # Two shortest paths s -> t, one through each of x and y: half a path each.
    diamond = build(
        [("s", "x", "bom"), ("s", "y", "bom"), ("x", "t", "bom"), ("y", "t", "bom")],
        [{"id": v} for v in "sxyt"],
    )
    assert betweenness(diamond, normalized=False).values.tolist() == [0.0, 0.5, 0.5, 0.0]


@pytest.mark.parametrize("chain", [13, 24])
@pytest.mark.parametrize("directed", [True, False])
def test_exact_matches_rustworkx_on_willems(chain: int, directed: bool) -> None:
    net = willems(chain)
    got = betweenness(net, directed=directed)
    assert got.exact
    assert got.values == pytest.approx(reference(net, directed), abs=1e-12)


def test_sampled_estimate_is_seeded_and_tracks_the_exact_ranking() -> None:
    net = willems(38)  # 2,025 stages: above the exact cut-off, so 512 sources are drawn
    a = betweenness(net, directed=False)
    b = betweenness(net, directed=False)
    assert not a.exact and a.samples == 512 and a.seed == 0
    assert np.array_equal(a.values, b.values)
    assert not np.array_equal(a.values, betweenness(net, directed=False, seed=1).values)
    exact = reference(net, directed=False)
    assert np.corrcoef(a.values, exact)[0, 1] > 0.95
    # The top stages are within a few percent of each other, so compare values, not ranks.
    top = np.argsort(-exact)[:50]
    assert np.median(np.abs(a.values[top] - exact[top]) / exact[top]) < 0.15
    assert a.values.sum() == pytest.approx(exact.sum(), rel=0.1)  # unbiased on average
    table = a.top(3).to_pylist()
    assert [r["rank"] for r in table] == [1, 2, 3]
    assert table[0]["betweenness"] == a.values.max()


def test_all_sources_is_exact_and_bad_samples_fail() -> None:
    net = willems(13)
    assert betweenness(net, samples=10_000).exact
    with pytest.raises(InvalidInput, match="samples"):
        betweenness(net, samples=0)
