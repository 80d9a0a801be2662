"""Single points of failure: hand-made networks checked by hand, Willems chains checked by brute
force (remove the node, look again) and the ETO semiconductor data checked against a list
computed here straight from provision.csv."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse import csgraph

from econsec.datasets.supply import read_eto, read_willems_raw
from econsec.errors import InvalidInput
from econsec.know.network import graph
from econsec.know.network.cuts import cuts
from econsec.know.network.model import SupplyNetwork
from econsec.know.network.spof import (
    DEFAULT_KINDS,
    concentration,
    country_exposure,
    find_spofs,
    hhi_by_input,
)
from econsec.know.network.synthetic import synthetic_network
from tests.conftest import shared_file


def willems(chain: int) -> SupplyNetwork:
    """A real Willems (2008) chain (skips when the shared data is absent)."""
    return read_willems_raw(shared_file(f"supply/willems2008/raw_msom/{chain:02d}.csv.gz"))


def eto() -> SupplyNetwork:
    """The real ETO semiconductor network (skips when the shared data is absent)."""
    return read_eto(shared_file("supply/eto_semiconductor"))


def build(
    edges: Iterable[tuple[Any, ...]], nodes: Iterable[Mapping[str, Any]] = ()
) -> SupplyNetwork:
    """A network from ``(source, target, kind[, share])`` tuples."""
    rows = [
        {"source": e[0], "target": e[1], "kind": e[2], "share": e[3] if len(e) > 3 else None}
        for e in edges
    ]
    return SupplyNetwork.build("hand", list(nodes), rows)


def by_kind(findings: Iterable[Any], kind: str) -> dict[tuple[str, str | None], Any]:
    return {(f.node, f.level): f for f in findings if f.kind == kind}


# -- hand-made networks -------------------------------------------------------------------------


def test_assembly_dominator_is_the_assembler_not_the_parts() -> None:
    # p1, p2 -> asm -> pack -> final; p3 -> pack. Every path to final passes asm? No: p3 -> pack.
    net = build(
        [
            ("p1", "asm", "bom"),
            ("p2", "asm", "bom"),
            ("asm", "pack", "bom"),
            ("p3", "pack", "bom"),
            ("pack", "final", "bom"),
        ],
        [{"id": "final", "final": True}],
    )
    doms = by_kind(find_spofs(net, kinds={"dominator"}), "dominator")
    assert set(doms) == {("pack", None)}
    assert doms["pack", None].affects == ("final",)
    assert "passes through pack" in doms["pack", None].explanation


def test_diamond_has_one_dominator_at_the_top() -> None:
    net = build(
        [("s", "a", "bom"), ("s", "b", "bom"), ("a", "t", "bom"), ("b", "t", "bom")],
        [{"id": "t", "final": True}],
    )
    d, p = graph.dominators(net, np.array([net.index("t")]))
    assert [net.ids[i] for i in d] == ["s"] and [net.ids[i] for i in p] == ["t"]


def test_single_source_concentrated_and_levels_are_kept_apart() -> None:
    net = build(
        [
            ("ASML", "euv", "supply", 1.0),
            ("NLD", "euv", "supply", 1.0),
            ("F1", "gas", "supply", 0.9),
            ("F2", "gas", "supply", 0.1),
            ("F1", "wafer", "supply", 0.5),
            ("F2", "wafer", "supply", None),
            ("Various companies", "resin", "supply", 1.0),
            ("euv", "chip", "bom"),
            ("gas", "chip", "bom"),
            ("wafer", "chip", "bom"),
            ("resin", "chip", "bom"),
        ],
        [
            {"id": "NLD", "kind": "country"},
            *({"id": f, "kind": "firm"} for f in ("ASML", "F1", "F2", "Various companies")),
            {"id": "chip", "kind": "product", "final": True},
        ],
    )
    found = find_spofs(net, kinds={"single_source", "concentrated_input"})
    single = by_kind(found, "single_source")
    assert set(single) == {("euv", "firm"), ("euv", "country")}
    assert single["euv", "firm"].share == 1.0 and single["euv", "firm"].provider == "ASML"
    assert single["euv", "country"].share == 1.0 and single["euv", "country"].provider == "NLD"
    assert single["euv", "firm"].explanation == (
        "ASML provides 100 % of euv; no other firm is listed."
    )
    conc = by_kind(found, "concentrated_input")
    assert set(conc) == {("gas", "firm")}  # wafer: 50 %; resin: an aggregate group only
    assert conc["gas", "firm"].share == pytest.approx(0.9)
    assert conc["gas", "firm"].hhi == pytest.approx(0.82)
    assert conc["gas", "firm"].affects == ("chip",)
    assert by_kind(find_spofs(net, threshold=0.95), "concentrated_input") == {}


def test_hhi_splits_unknown_shares_and_ignores_aggregates() -> None:
    net = build(
        [
            ("a", "x", "supply", 0.6),
            ("b", "x", "supply", None),
            ("c", "x", "supply", None),
            ("a", "y", "supply", 0.6),
            ("b", "y", "supply", 0.4),
            ("a", "z", "supply", 0.7),
            ("Various companies", "z", "supply", 0.3),
        ]
    )
    table = {r["node"]: r for r in hhi_by_input(net, "firm").to_pylist()}
    assert table["x"]["hhi"] == pytest.approx(0.36 + 0.04 + 0.04)
    assert table["y"]["hhi"] == pytest.approx(0.52)
    assert table["z"]["hhi"] == pytest.approx(0.49)
    assert (table["z"]["providers"], table["z"]["aggregate_providers"]) == (1, 1)
    assert table["x"]["top_provider"] == "a" and table["x"]["known_share"] == pytest.approx(0.6)


def test_country_exposure_weights_inputs_by_tier() -> None:
    net = build(
        [
            ("A", "P", "bom"),
            ("B", "A", "bom"),
            ("f1", "A", "supply", 1.0),
            ("f2", "B", "supply", 0.5),
            ("f3", "B", "supply", 0.5),
        ],
        [
            {"id": "f1", "kind": "firm", "country": "JPN"},
            {"id": "f2", "kind": "firm", "country": "USA"},
            {"id": "f3", "kind": "firm", "country": "JPN"},
            {"id": "P", "kind": "product", "final": True},
        ],
    )
    rows = {r["country"]: r for r in country_exposure(net, "P").to_pylist()}
    # A at tier 1 (weight 1/2), B at tier 2 (weight 1/3).
    assert rows["JPN"]["exposure"] == pytest.approx((1 / 2 + 1 / 6) / (5 / 6))
    assert rows["USA"]["exposure"] == pytest.approx((1 / 6) / (5 / 6))
    assert (rows["JPN"]["first_tier"], rows["USA"]["first_tier"]) == (1, 2)
    assert rows["JPN"]["inputs"] == 2 and rows["JPN"]["max_share_input"] == "A"
    near = country_exposure(net, "P", max_tier=1).to_pylist()
    assert [(r["country"], r["exposure"]) for r in near] == [("JPN", 1.0)]


def test_find_spofs_contract_and_errors() -> None:
    net = build([("a", "b", "bom"), ("b", "c", "bom")], [{"id": "c", "final": True}])
    found = find_spofs(net)
    assert {f.kind for f in found} <= DEFAULT_KINDS
    for f in found:
        data = json.loads(json.dumps(f.to_dict()))
        assert {"node", "kind", "affects", "share", "provider", "level", "explanation"} <= set(data)
        assert data["affects"] == ["c"]
    kinds = [f.kind for f in found]
    assert kinds == sorted(
        kinds,
        key=["single_source", "concentrated_input", "dominator", "articulation", "bridge"].index,
    )
    with pytest.raises(InvalidInput, match="unknown finding kind"):
        find_spofs(net, kinds={"nonsense"})
    with pytest.raises(InvalidInput, match="threshold"):
        find_spofs(net, threshold=1.5)


# -- articulation points and bridges by brute force ---------------------------------------------


def components(n: int, u: np.ndarray, v: np.ndarray, drop: int = -1) -> np.ndarray:
    keep = (u != drop) & (v != drop)
    m = sparse.coo_matrix((np.ones(int(keep.sum())), (u[keep], v[keep])), shape=(n, n))
    labels: np.ndarray = csgraph.connected_components(m, directed=False)[1]
    return labels


@pytest.mark.parametrize("chain", [1, 2, 13])
def test_articulation_points_match_brute_force(chain: int) -> None:
    net = willems(chain)
    u, v = graph.undirected_edges(net)
    n = net.n_nodes
    base = len(set(components(n, u, v).tolist()))
    cut = cuts(net)
    brute = []
    for x in range(n):
        labels = components(n, u, v, drop=x)
        others = np.delete(labels, x)
        if len(set(others.tolist())) > base:
            brute.append(x)
            # The products cut off: those outside the largest remaining piece.
            sizes = np.bincount(others)
            largest = int(np.argmax(sizes))
            beyond = [i for i in np.flatnonzero(net.final) if i != x and labels[i] != largest]
            found = cut.node_cuts.get(x)
            assert (found.products.tolist() if found else []) == beyond, net.ids[x]
    assert cut.articulation.tolist() == brute


@pytest.mark.parametrize("chain", [2, 13])
def test_bridges_match_brute_force(chain: int) -> None:
    net = willems(chain)
    u, v = graph.undirected_edges(net)
    base = len(set(components(net.n_nodes, u, v).tolist()))
    brute = []
    for i in range(u.size):
        keep = np.arange(u.size) != i
        m = sparse.coo_matrix(
            (np.ones(int(keep.sum())), (u[keep], v[keep])), shape=(net.n_nodes,) * 2
        )
        if csgraph.connected_components(m, directed=False)[0] > base:
            brute.append((int(u[i]), int(v[i])))
    lo, hi = cuts(net).bridges
    assert list(zip(lo.tolist(), hi.tolist(), strict=True)) == sorted(brute)


# -- dominators on real chains, checked by removal ----------------------------------------------


def reachable(net: SupplyNetwork, removed: int) -> np.ndarray:
    """Nodes reachable from the nodes without inputs once ``removed`` is gone."""
    n = net.n_nodes
    keep = (net.src != removed) & (net.dst != removed)
    start = np.flatnonzero(net.in_degree == 0)
    start = start[start != removed]
    rows = np.r_[np.full(start.size, n), net.src[keep]]
    cols = np.r_[start, net.dst[keep]]
    m = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
    order = csgraph.breadth_first_order(m, n, directed=True, return_predecessors=False)
    seen = np.zeros(n + 1, dtype=bool)
    seen[order] = True
    return seen[:n]


@pytest.mark.parametrize("chain", [2, 24, 38])
def test_willems_dominators_cut_their_products_and_others_do_not(chain: int) -> None:
    net = willems(chain)
    found = by_kind(find_spofs(net, kinds={"dominator"}), "dominator")
    assert found, "a real chain has dominators"
    dominated: dict[str, set[str]] = defaultdict(set)
    for (node, _), f in found.items():
        seen = reachable(net, net.index(node))
        for p in f.affects:
            assert not seen[net.index(p)], (node, p)
            dominated[p].add(node)
    # Every other ancestor of a product leaves it reachable when removed.
    products = np.flatnonzero(net.final)[:15]
    for p in products.tolist():
        ancestors = graph.downstream_products(net, np.arange(net.n_nodes), np.array([p]))
        for a in [i for i, r in enumerate(ancestors) if r.size and i != p][:20]:
            if net.ids[a] not in dominated[net.ids[p]]:
                assert reachable(net, a)[p], (net.ids[a], net.ids[p])


# -- the ETO semiconductor data -----------------------------------------------------------------


def eto_firm_top_shares() -> dict[str, float]:
    """Top organisation share per input, straight from the files: latest year per input,
    'Various companies' (an aggregate) left out."""
    folder = shared_file("supply/eto_semiconductor")
    with (folder / "providers.csv").open(encoding="utf-8") as fh:
        kind = {r["provider_id"]: r for r in csv.DictReader(fh)}
    with (folder / "provision.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    latest: dict[str, int] = defaultdict(int)
    for r in rows:
        latest[r["provided_id"]] = max(latest[r["provided_id"]], int(r["year"]))
    top: dict[str, float] = {}
    for r in rows:
        org = kind[r["provider_id"]]["provider_type"] == "organization"
        named = not r["provider_name"].startswith("Various")
        if org and named and r["share_provided"] and int(r["year"]) == latest[r["provided_id"]]:
            share = float(r["share_provided"]) / 100
            top[r["provided_id"]] = max(top.get(r["provided_id"], 0.0), share)
    return top


def test_eto_euv_lithography_is_a_single_source_of_the_finished_chip() -> None:
    found = find_spofs(eto())
    single = by_kind(found, "single_source")
    euv = single["N20", "firm"]
    assert (euv.name, euv.provider_name, euv.share) == ("EUV lithography tools", "ASML", 1.0)
    assert euv.affects == ("N99",)
    assert "ASML provides 100 % of EUV lithography tools" in euv.explanation
    assert single["N20", "country"].provider_name == "Netherlands"
    assert all(f.share is None or f.share <= 1.0 for f in found)


def test_eto_names_every_input_whose_top_firm_holds_80_percent() -> None:
    expected = {k for k, v in eto_firm_top_shares().items() if v >= 0.8}
    assert {"N20", "N8", "N22", "N19"} <= expected  # EUV, crystal furnaces, ArF immersion, litho
    found = find_spofs(eto(), threshold=0.8)
    flagged = {
        f.node
        for f in found
        if f.kind in {"single_source", "concentrated_input"} and f.level == "firm"
    }
    assert flagged == expected
    for f in found:
        if f.level == "firm" and f.kind == "concentrated_input":
            assert f.share == pytest.approx(eto_firm_top_shares()[f.node])


def test_eto_concentration_and_structure() -> None:
    net = eto()
    c = concentration(net, "firm")
    assert c.node.size == len({net.ids[i] for i in c.node})  # one row per input
    found = find_spofs(net, kinds={"dominator", "articulation"})
    assert {(f.kind, f.node) for f in found} == {("dominator", "N78"), ("articulation", "N78")}
    rows = country_exposure(net, "N99").to_pylist()
    assert sum(r["exposure"] for r in rows) <= 1.0 + 1e-9
    nld = next(r for r in rows if r["country"] == "NLD")
    assert nld["max_share"] == pytest.approx(1.0) and nld["max_share_input"] == "N20"


# -- the synthetic generator --------------------------------------------------------------------


def test_synthetic_network_is_labelled_seeded_and_analysable() -> None:
    a = synthetic_network(n_firms=3_000, products=40, seed=7)
    b = synthetic_network(n_firms=3_000, products=40, seed=7)
    assert "SYNTHETIC" in a.name and "SYNTHETIC" in a.source.title
    assert any("SYNTHETIC" in note for note in a.source.notes)
    assert np.array_equal(a.src, b.src) and np.array_equal(a.dst, b.dst)
    assert int(a.final.sum()) == 40 and not graph.levels(a).has_cycles
    found = find_spofs(a)
    single = {f.node for f in found if f.kind == "single_source"}
    supply = a.edge_kind == 0
    providers = np.bincount(a.dst[supply], minlength=a.n_nodes)
    top = np.zeros(a.n_nodes)
    np.maximum.at(top, a.dst[supply], np.nan_to_num(a.share[supply]))
    alone = {a.ids[i] for i in np.flatnonzero((providers == 1) | (top >= 0.999))}
    assert single == alone  # no aggregate providers in the synthetic network


@pytest.mark.parametrize("seed", range(6))
def test_cuts_match_brute_force_on_random_sparse_graphs(seed: int) -> None:
    # A random tree plus a few extra links, in two components: many articulation points,
    # bridges, and pieces larger below a node than above it.
    rng = np.random.default_rng(seed)
    n = 70
    parent = [int(rng.integers(0, i)) for i in range(1, 50)] + [
        50 + int(rng.integers(0, i)) for i in range(1, 20)
    ]
    edges = [(p, i) for p, i in zip(parent[:49], range(1, 50), strict=True)]
    edges += [(p, i) for p, i in zip(parent[49:], range(51, 70), strict=True)]
    extra = rng.integers(0, 50, (8, 2)).tolist()
    edges += [(int(a), int(b)) for a, b in extra]
    edges = [(a, b) for a, b in edges if a != b]
    final = set(rng.choice(n, 25, replace=False).tolist())
    net = build(
        [(str(a), str(b), "bom") for a, b in edges],
        [{"id": str(i), "final": i in final} for i in range(n)],
    )
    u, v = graph.undirected_edges(net)
    labels = components(n, u, v)
    cut = cuts(net)
    for x in range(n):
        after = components(n, u, v, drop=x)
        pieces = {int(after[i]) for i in range(n) if i != x and labels[i] == labels[x]}
        if len(pieces) < 2:
            assert x not in cut.articulation.tolist()
            continue
        assert x in cut.articulation.tolist()
        sizes = {c: sum(1 for i in range(n) if i != x and after[i] == c) for c in pieces}
        best = sorted(sizes.values())
        if best[-1] == best[-2]:
            continue  # a tie: either piece may count as the rest
        largest = max(sizes, key=lambda c: sizes[c])
        beyond = [
            i for i in sorted(final) if i != x and labels[i] == labels[x] and after[i] != largest
        ]
        found = cut.node_cuts.get(x)
        assert (found.products.tolist() if found else []) == beyond, x
    lo, hi = cut.bridges
    for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
        keep = ~((u == a) & (v == b))
        m = sparse.coo_matrix((np.ones(int(keep.sum())), (u[keep], v[keep])), shape=(n, n))
        after = csgraph.connected_components(m, directed=False)[1]
        side_a = [i for i in range(n) if after[i] == after[a]]
        side_b = [i for i in range(n) if after[i] == after[b]]
        if len(side_a) == len(side_b):
            continue
        small = side_a if len(side_a) < len(side_b) else side_b
        products = [i for i in small if i in final]
        c = cut.bridge_cuts.get((a, b))
        assert (c.products.tolist() if c else []) == products, (a, b)
        assert c is None or c.nodes_beyond == len(small)


def test_product_filter_country_findings_and_progress() -> None:
    net = build(
        [
            ("f1", "A", "supply", 1.0),
            ("f2", "B", "supply", 1.0),
            ("A", "P", "bom"),
            ("B", "Q", "bom"),
        ],
        [
            {"id": "f1", "kind": "firm", "country": "JPN"},
            {"id": "f2", "kind": "firm", "country": "USA"},
            {"id": "P", "kind": "product", "final": True},
            {"id": "Q", "kind": "product", "final": True},
        ],
    )
    seen: list[tuple[str, float]] = []
    only_p = find_spofs(net, products=["P"], progress=lambda s, x: seen.append((s, x)))
    assert {f.node for f in only_p if f.kind == "single_source"} == {"A"}
    assert all(f.affects == ("P",) for f in only_p)
    assert seen[-1] == ("done", 1.0)
    exposure = find_spofs(net, kinds={"country_exposure"})
    assert {(f.node, f.affects, f.share) for f in exposure} == {
        ("JPN", ("P",), 1.0),
        ("USA", ("Q",), 1.0),
    }
    assert "first at tier 1" in exposure[0].explanation
