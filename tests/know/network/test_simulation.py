"""The time-stepped simulation: day-by-day cases worked out by hand, and TTS on a real Willems
chain against the closed form that holds when every stage holds the same stock."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse import csgraph

from econsec.errors import InvalidInput
from econsec.know.network.model import SupplyNetwork
from econsec.know.network.simulation import simulate, time_to_survive
from tests.know.network.test_spof import build, eto, willems


def chain3() -> SupplyNetwork:
    nodes: list[dict[str, object]] = [{"id": "a"}, {"id": "b"}, {"id": "c", "final": True}]
    return build([("a", "b", "bom"), ("b", "c", "bom")], nodes)


def test_stock_along_a_chain_delays_and_absorbs_the_shortfall() -> None:
    net = chain3()
    stock = np.array([0.0, 3.0, 2.5])
    # a down 5 days: b runs 3 days on stock, is short on days 3-4; c covers those 2 days.
    quiet = simulate(net, {"a": 5}, horizon_days=12, inventory_days=stock)
    assert quiet.products[0].shortfall.max() == 0.0
    assert math.isinf(quiet.products[0].time_to_survive_days)
    # a down 7 days: b short on days 3-6 (4 days); c's 2.5 days cover days 3, 4 and half of 5.
    hit = simulate(net, {"a": 7}, horizon_days=12, inventory_days=stock)
    c = hit.products[0]
    assert c.shortfall.tolist() == [0, 0, 0, 0, 0, 0.5, 1, 0, 0, 0, 0, 0]
    assert (c.time_to_survive_days, c.time_to_recover_days) == (5.0, 7.0)
    assert c.lost_output_share == pytest.approx(1.5 / 12)
    assert hit.lost_output_share == pytest.approx(1.5 / 12)


def test_alternatives_fractional_days_and_lead_times() -> None:
    net = build(
        [("s1", "x", "supply", 0.6), ("s2", "x", "supply", 0.4)], [{"id": "x", "final": True}]
    )
    out = simulate(net, {"s1": 2.5}, horizon_days=5, inventory_days=0.0)
    assert out.products[0].shortfall == pytest.approx([0.6, 0.6, 0.3, 0, 0])
    assert (out.products[0].time_to_survive_days, out.products[0].time_to_recover_days) == (0, 3)
    lagged = SupplyNetwork.build(
        "lag",
        [{"id": "b", "final": True}],
        [{"source": "a", "target": "b", "kind": "bom", "lead_time": 2}],
    )
    late = simulate(lagged, {"a": 3}, horizon_days=8, inventory_days=0.0)
    assert late.products[0].shortfall.tolist() == [0, 0, 1, 1, 1, 0, 0, 0]
    same = simulate(lagged, {"a": 3}, horizon_days=8, inventory_days=0.0, lead_times=False)
    assert same.products[0].time_to_survive_days == 0


def test_still_short_at_the_horizon_and_json_form() -> None:
    out = simulate(chain3(), {"b": 30}, horizon_days=10)
    data = json.loads(json.dumps(out.to_dict(), allow_nan=False))
    product = data["products"][0]
    assert product["time_to_survive_days"] == 0
    assert product["time_to_recover_days"] is None  # still short on the last day
    assert set(product) >= {"shortfall", "time_to_survive_days", "lost_output_share"}
    assert data["assumptions"] and data["disrupted"] == {"b": 30.0}
    with pytest.raises(InvalidInput, match="horizon_days"):
        simulate(chain3(), {"b": 1}, horizon_days=0)


def test_cycles_are_refused() -> None:
    net = build([("a", "b", "bom"), ("b", "a", "bom"), ("b", "c", "bom")])
    with pytest.raises(InvalidInput, match="cycle"):
        simulate(net, {"a": 1}, horizon_days=3)


def test_time_to_survive_per_node_by_hand() -> None:
    rows = time_to_survive(
        chain3(),
        recovery_days=5,
        inventory_days=np.array([0.0, 3.0, 2.5]),
    ).to_pylist()
    got = {r["node"]: r for r in rows}
    assert (got["a"]["tts_days"], got["b"]["tts_days"], got["c"]["tts_days"]) == (5, 2, 0)
    assert [got[k]["exposed"] for k in "abc"] == [False, True, True]
    # b down 5 days: c short 0.5 on day 2, then days 3 and 4; c down 5 days: 5 days.
    assert got["b"]["lost_output"] == pytest.approx(2.5)
    assert got["c"]["lost_output"] == pytest.approx(5.0)
    assert got["b"]["rei"] == pytest.approx(0.5) and got["c"]["rei"] == 1.0
    unknown = time_to_survive(chain3(), inventory_days=1.0).to_pylist()
    assert unknown[0]["ttr_days"] is None and unknown[0]["lost_output"] is None


def test_willems_tts_is_stock_times_distance_to_the_nearest_product() -> None:
    # With the same stock I at every stage, a stage down for good starves its customers after
    # I days, theirs after 2I, ...: TTS = I x (edges to the nearest finished product).
    net = willems(13)
    stock = 3.0
    table = time_to_survive(net, inventory_days=stock, recovery_days=10).to_pylist()
    n = net.n_nodes
    adjacency = sparse.csr_matrix((np.ones(net.n_edges), (net.src, net.dst)), shape=(n, n))
    dist = csgraph.shortest_path(adjacency, unweighted=True)[:, np.flatnonzero(net.final)]
    nearest = dist.min(axis=1)
    for row in table:
        assert row["tts_days"] == stock * nearest[net.index(row["node"])], row["node"]
        assert row["exposed"] == (row["tts_days"] < 10)
    assert max(r["rei"] for r in table) == 1.0


def test_eto_asml_outage_with_a_month_of_chips_in_stock() -> None:
    # Without ASML, lithography tools fall to the share other firms hold (the single-failure
    # loss s); 30 days of stock at the last stage last floor(30 / s) days; the chip is whole
    # again the day ASML is back.
    net = eto()
    s = dict(zip(*_losses(net), strict=True))["P88"]
    stock = np.zeros(net.n_nodes)
    stock[net.index("N99")] = 30.0
    out = simulate(net, {"P88": 120}, horizon_days=200, inventory_days=stock)
    chip = out.products[0]
    assert chip.product == "N99" and s == pytest.approx(0.815, abs=1e-3)
    assert chip.time_to_survive_days == math.floor(30 / s)
    assert chip.shortfall[100] == pytest.approx(s)
    assert chip.time_to_recover_days == 120
    assert chip.shortfall.sum() == pytest.approx(120 * s - 30)


def _losses(net: SupplyNetwork) -> tuple[list[str], list[float]]:
    from econsec.know.network.propagation import single_failure_losses

    out = single_failure_losses(net, nodes=["P88"])
    return [out.network.ids[i] for i in out.nodes], out.share.tolist()
