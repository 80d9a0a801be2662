"""Single-failure output losses: the availability rules on hand-made networks (computed by
hand), the pure bill-of-materials Willems chains against plain reachability, and the ETO data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse import csgraph

from econsec.errors import InvalidInput
from econsec.know.network import propagation as prop
from econsec.know.network.graph import Level
from econsec.know.network.model import SupplyNetwork
from econsec.know.network.propagation import inoue_todo_share, single_failure_losses
from tests.know.network.test_spof import build, eto, willems


def losses(net: SupplyNetwork, level: Level | None = "firm") -> dict[str, float]:
    out = single_failure_losses(net, level=level)
    return {out.network.ids[i]: float(s) for i, s in zip(out.nodes, out.share, strict=True)}


def test_bill_of_materials_needs_every_input() -> None:
    net = build(
        [("p1", "asm", "bom"), ("p2", "asm", "bom"), ("asm", "f", "bom")],
        [{"id": "f", "final": True}],
    )
    assert losses(net) == {"p1": 1.0, "p2": 1.0, "asm": 1.0, "f": 1.0}


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        ((0.7, 0.3), {"s1": 0.7, "s2": 0.3}),
        ((0.6, None, None), {"s1": 0.6, "s2": 0.2, "s3": 0.2}),  # unknowns split the rest
        ((0.8, 0.7), {"s1": 0.8 / 1.5, "s2": 0.7 / 1.5}),  # above 1 in total: scaled down
        ((0.5,), {"s1": 0.5}),  # the unlisted 50 % keeps coming
        ((None, None), {"s1": 0.5, "s2": 0.5}),
    ],
)
def test_supply_alternatives_lose_their_share(
    shares: tuple[float | None, ...], expected: dict[str, float]
) -> None:
    edges = [(f"s{i + 1}", "x", "supply", s) for i, s in enumerate(shares)]
    net = build([*edges, ("x", "f", "bom")], [{"id": "f", "final": True}])
    got = losses(net)
    for node, share in expected.items():
        assert got[node] == pytest.approx(share)


def test_type_edges_hold_while_any_kind_does_and_groups_combine_by_min() -> None:
    # "litho" is available while EUV or DUV is; its own market (firms) is a second constraint.
    net = build(
        [
            ("euv", "litho", "type"),
            ("duv", "litho", "type"),
            ("A", "euv", "supply", 1.0),
            ("A", "litho", "supply", 0.8),
            ("N", "litho", "supply", 0.2),
            ("N", "duv", "supply", 1.0),
            ("litho", "chip", "bom"),
        ],
        [{"id": "chip", "final": True}],
    )
    got = losses(net)
    assert got["euv"] == 0.0 and got["duv"] == 0.0
    assert got["A"] == pytest.approx(0.8)  # min(max(0, 1), 0.2) = 0.2 left
    assert got["N"] == pytest.approx(0.2)  # min(max(1, 0), 0.8) = 0.8 left


def test_product_values_weight_the_loss() -> None:
    net = build(
        [("a", "f1", "bom"), ("b", "f2", "bom")],
        [{"id": "f1", "final": True, "value": 3.0}, {"id": "f2", "final": True, "value": 1.0}],
    )
    out = single_failure_losses(net)
    got = dict(zip([net.ids[i] for i in out.nodes], out.loss, strict=True))
    assert got["a"] == 3.0 and got["b"] == 1.0
    assert losses(net)["a"] == 0.75
    ranking = out.ranking(2).to_pylist()
    assert [r["node"] for r in ranking] == ["a", "f1"]
    assert ranking[0]["products"] == ["f1"] and ranking[0]["products_hit"] == 1


def test_provider_levels_are_never_added_together() -> None:
    net = build(
        [("ASML", "euv", "supply", 1.0), ("NLD", "euv", "supply", 1.0), ("euv", "f", "bom")],
        [
            {"id": "NLD", "kind": "country"},
            {"id": "ASML", "kind": "firm"},
            {"id": "f", "final": True},
        ],
    )
    firm = losses(net, level="firm")
    assert firm["ASML"] == 1.0 and "NLD" not in firm
    country = losses(net, level="country")
    assert country["NLD"] == 1.0 and "ASML" not in country


def test_cycles_reach_the_greatest_fixed_point() -> None:
    # a gets half from s and half from b; b is made from a (a supply loop); f needs a.
    net = build(
        [
            ("s", "a", "supply", 0.5),
            ("b", "a", "supply", 0.5),
            ("a", "b", "bom"),
            ("a", "f", "bom"),
        ],
        [{"id": "f", "final": True}],
    )
    got = losses(net)
    assert got["s"] == pytest.approx(1.0, abs=1e-8)  # a = 0.5 b, b = a  ->  0
    assert got["b"] == pytest.approx(0.5)  # b = 0, a = 0.5 + 0.5 x 0
    p = prop.plan(net)
    healthy = prop.availability(p, np.array([-1]))
    assert healthy[:, 0] == pytest.approx(np.ones(net.n_nodes))


def test_inoue_todo_share_counts_nodes_above_x_percent() -> None:
    net = build(
        [("s1", "x", "supply", 0.7), ("s2", "x", "supply", 0.3), ("x", "f", "bom")],
        [{"id": "f", "final": True}],
    )
    out = single_failure_losses(net)  # s1 70 %, s2 30 %, x and f 100 %
    assert inoue_todo_share(out, 50) == 0.75
    assert inoue_todo_share(out, 10) == 1.0
    assert inoue_todo_share(out, 100) == 0.0
    with pytest.raises(InvalidInput, match="no finished product"):
        single_failure_losses(build([("a", "b", "bom")], [{"id": "b", "final": False}]))


# -- real data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("chain", "common"), [(1, True), (13, False), (38, True)])
def test_willems_loss_is_the_share_of_products_a_stage_reaches(chain: int, common: bool) -> None:
    # Pure bill of materials and no values: a failure stops exactly the products downstream.
    net = willems(chain)
    out = single_failure_losses(net)  # timed by benchmarks/network_spof.py
    n = net.n_nodes
    adjacency = sparse.csr_matrix((np.ones(net.n_edges), (net.src, net.dst)), shape=(n, n))
    reach = csgraph.shortest_path(adjacency, unweighted=True) < np.inf
    products = np.flatnonzero(net.final)
    expected = reach[:, products].sum(axis=1) / products.size
    assert out.nodes.tolist() == list(range(n))
    assert out.share == pytest.approx(expected[out.nodes])
    everything = np.flatnonzero(expected == 1.0)
    assert bool(everything.size) == common  # a part that feeds every product (not in chain 13)
    assert out.share[everything] == pytest.approx(1.0)
    assert out.products_hit.tolist() == reach[:, products].sum(axis=1).tolist()


def test_eto_asml_loses_its_lithography_share() -> None:
    net = eto()
    got = losses(net, level="firm")
    # ASML holds 81.5 % of lithography tools (N19) and every EUV tool; DUV kinds survive, so
    # the lithography market binds: 81.5 % of the finished chip is lost.
    assert got["P88"] == pytest.approx(0.815, abs=1e-3)
    assert got["N20"] == 0.0  # EUV is one kind of lithography tool among several
    assert got["N78"] == 1.0
    country = losses(net, level="country")
    assert country["P45"] == pytest.approx(0.814, abs=1e-3)  # the Netherlands
    share = inoue_todo_share(single_failure_losses(net, level="firm"), 10)
    assert 0.0 < share < 1.0
