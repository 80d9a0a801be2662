"""GSMProblem: building from plain arrays, validation messages, and the derived costs, demand
and service-time bounds checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from econsec.errors import InvalidInput
from econsec.know.stockpile import GSMProblem
from econsec.know.stockpile.problem import derive


def assembly(**kwargs: object) -> GSMProblem:
    """P1 (2 per unit), P2 -> M -> R; R sells 10/day (sigma 3)."""
    args: dict[str, object] = {
        "demand_mean": [math.nan, math.nan, math.nan, 10],
        "demand_std": [math.nan, math.nan, math.nan, 3],
        "max_service_time": [math.nan, math.nan, math.nan, 1],
        "z": 2.0,
    }
    args.update(kwargs)
    return GSMProblem.build(
        ["P1", "P2", "M", "R"],
        [3, 2.5, 1, 0],
        [1.5, 4, 2, 0.5],
        ["P1", "P2", "M"],
        ["M", "M", "R"],
        [2, 1, 1],
        **args,  # type: ignore[arg-type]
    )


def test_derived_costs_demand_and_bounds() -> None:
    p = assembly()
    d = derive(p)
    assert p.stage_ids[int(d.order[0])] in ("P1", "P2")
    assert d.cumulative_cost.tolist() == pytest.approx([1.5, 4, 2 + 2 * 1.5 + 4, 9.5])
    assert d.mean.tolist() == pytest.approx([20, 10, 10, 10])
    # z * sigma = 6 per unit sold; P1 needs 2 units per unit sold
    assert d.ss_coefficient.tolist() == pytest.approx([12, 6, 6, 6])
    assert d.weight.tolist() == pytest.approx([18, 24, 54, 57])
    # s_max: P1 3, P2 floor(2.5) = 2, M floor(3 + 1) = 4, R min(4 + 0, promise 1) = 1
    assert d.s_max.tolist() == [3, 2, 4, 1]
    assert d.si_max.tolist() == [0, 0, 3, 4]


def test_risk_pooling_and_own_demand_upstream() -> None:
    # W sells 4/day itself (sigma 1) and supplies R1 (sigma 3), R2 (sigma 4)
    for pool, spread in ((1.0, 8.0), (2.0, math.sqrt(26)), (3.0, (1 + 27 + 64) ** (1 / 3))):
        p = GSMProblem.build(
            ["W", "R1", "R2"], [1, 1, 1], [1, 1, 1], ["W", "W"], ["R1", "R2"],
            demand_mean=[4, 5, 6], demand_std=[1, 3, 4], z=1.0, risk_pool=pool,
        )  # fmt: skip
        d = derive(p)
        assert d.ss_coefficient[0] == pytest.approx(spread)
        assert d.mean[0] == pytest.approx(15)


def test_service_level_and_holding_rate() -> None:
    p = assembly(z=None, service_level=0.95)
    assert p.z[3] == pytest.approx(1.6448536, rel=1e-6)
    half = assembly(holding_rate=0.5)
    assert derive(half).weight == pytest.approx(derive(assembly()).weight * 0.5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stage_ids": ["P1", "P1", "M", "R"]}, "listed twice"),
        ({"lead_time": [3, -1, 1, 0]}, "stage 'P2': lead_time is -1.0"),
        ({"added_cost": [1, math.inf, 1, 1]}, "stage 'P2': added_cost is inf"),
        ({"downstream": ["M", "X", "R"]}, "unknown downstream stage 'X'"),
        ({"upstream": ["P1", "P2", "R"], "downstream": ["M", "M", "R"]}, "supplies itself"),
        ({"upstream": ["P1", "P1", "M"]}, "listed twice"),
        ({"quantity": [2, 0, 1]}, "quantities must be finite and > 0"),
        ({"upstream": ["P1", "R", "M"], "downstream": ["M", "M", "R"]}, "cycle"),
        ({"lead_time": [3, 2, 1]}, "3 values for 4 stages"),
        ({"risk_pool": 0.5}, "risk_pool is 0.5"),
        ({"lead_time": [3, 2.5, 9000, 0]}, "at most 5000"),
    ],
)
def test_invalid_problems_name_the_stage(change: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "stage_ids": ["P1", "P2", "M", "R"],
        "lead_time": [3, 2.5, 1, 0],
        "added_cost": [1.5, 4, 2, 0.5],
        "upstream": ["P1", "P2", "M"],
        "downstream": ["M", "M", "R"],
    }
    args.update(change)
    with pytest.raises(InvalidInput, match=message):
        derive(GSMProblem.build(**args))  # type: ignore[arg-type]


def test_cycle_names_a_stage_on_it() -> None:
    # A -> B -> C -> B: A is upstream of the cycle, B and C on it
    with pytest.raises(InvalidInput, match=r"cycle through stage '[BC]'"):
        GSMProblem.build(["A", "B", "C"], [1, 1, 1], [1, 1, 1], ["A", "B", "C"], ["B", "C", "B"])


def test_z_and_service_level_are_exclusive() -> None:
    with pytest.raises(InvalidInput, match="either z or service_level"):
        assembly(service_level=0.9)
    with pytest.raises(InvalidInput, match="strictly between 0 and 1"):
        assembly(z=None, service_level=1.0)


def test_arcs_by_index_and_defaults() -> None:
    p = GSMProblem.build(["a", "b"], [1, 2], [1, 1], np.array([0]), np.array([1]))
    assert p.quantity.tolist() == [1.0]
    assert p.max_service_time.tolist() == [math.inf, math.inf]
    assert p.z.tolist() == pytest.approx([1.645, 1.645])
    assert p.has_demand.tolist() == [False, False]
    assert (p.n_stages, p.n_arcs) == (2, 1)
