"""The Willems GSM-form reader (``read_gsm_stages``) and the reference-result readers: the real
files in ../shared/data/supply/willems2008, and malformed copies that must name file, line and
field."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from econsec.datasets.willems import (
    read_gsm_stages,
    read_reference_levels,
    read_reported_costs,
)
from econsec.errors import DataError
from tests.conftest import shared_file

HEADER = (
    "stage_id,lead_time,max_s_time,cost_rate,risk_pool,ext_demand_mean,ext_demand_std,"
    "ext_demand_thres,up_stages"
)
GOOD = [
    HEADER,
    "Manuf_1,10,,39,2,,,,Part_1,1,Part_2,2",
    "Part_1,28,,12,2,,,",
    "Part_2,15.5,,5,,,,",
    "Retail_1,0,0,0,,253.0,36.62,1.645,Manuf_1,1",
]


def folder() -> Path:
    return shared_file("supply/willems2008")


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "willems_99.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_chain_1() -> None:
    p = read_gsm_stages(folder() / "gsm_stages" / "willems_01.csv")
    assert p.name == "willems_01"
    assert (p.n_stages, p.n_arcs) == (8, 10)
    m = p.stage_ids.index("Manuf_0001")
    assert (p.lead_time[m], p.added_cost[m], p.risk_pool[m]) == (10, 39, 2)
    ups = sorted(p.stage_ids[p.upstream[e]] for e in range(p.n_arcs) if p.downstream[e] == m)
    assert ups == ["Part_0001", "Part_0002", "Part_0003"]
    r = p.stage_ids.index("Retail_0001")
    assert (p.demand_mean[r], p.demand_std[r], p.z[r]) == (253.0, 36.62, 1.645)
    assert p.max_service_time[r] == 0
    assert p.max_service_time[m] == math.inf
    assert p.has_demand.sum() == 3


def test_all_38_chains_load_with_the_documented_sizes() -> None:
    stages = arcs = 0
    for n in range(1, 39):
        p = read_gsm_stages(folder() / "gsm_stages" / f"willems_{n:02d}.csv")
        stages += p.n_stages
        arcs += p.n_arcs
        if n == 38:
            assert (p.n_stages, p.n_arcs) == (2025, 16225)
    assert (stages, arcs) == (15872, 43589)  # PROVENANCE section 1a


def test_lead_time_rounding(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert read_gsm_stages(path).lead_time.tolist() == [10, 28, 15.5, 0]
    assert read_gsm_stages(path, lead_time_rounding="floor").lead_time.tolist() == [10, 28, 15, 0]
    assert read_gsm_stages(path, lead_time_rounding="round").lead_time.tolist() == [10, 28, 16, 0]
    p = read_gsm_stages(path, holding_rate=0.35, name="mine")
    assert (p.holding_rate, p.name) == (0.35, "mine")
    assert p.quantity.tolist() == [1, 2, 1]
    assert p.risk_pool.tolist() == [2, 2, 2, 2]  # empty means 2


@pytest.mark.parametrize(
    ("line", "text", "where"),
    [
        (2, "Manuf_1,ten,,39,2,,,,Part_1,1,Part_2,2", "line 2, field 'lead_time': not a number"),
        (3, "Part_1,28,,-12,2,,,", "line 3, field 'cost_rate': not a finite non-negative"),
        (3, "Part_1,28,,,2,,,", "line 3, field 'cost_rate': a value is required"),
        (2, "Manuf_1,10,,39,2,,,,Part_1,1,Part_9,2", "line 2, field 'up_stages': stage 'Manuf_1'"),
        (2, "Manuf_1,10,,39,2,,,,Part_1,1,Part_2", "line 2: expected 8 fields then upstream"),
        (2, "Manuf_1,10,,39,2,,,,Part_1,1,Part_2,0", "line 2, field 'up_stages': quantity"),
        (4, "Part_1,15,,5,,,,", "line 4, field 'stage_id': stage 'Part_1' already defined"),
        (5, "Retail_1,0,0,0,,253.0,,1.645,Manuf_1,1", "line 5, field 'ext_demand_std'"),
        (3, "Part_1,28,,12,0.5,,,", "line 3, field 'risk_pool'"),
        (1, "stage,lead_time", "line 1: unexpected header"),
    ],
)
def test_malformed_copies_name_file_line_and_field(
    tmp_path: Path, line: int, text: str, where: str
) -> None:
    lines = list(GOOD)
    lines[line - 1] = text
    path = write(tmp_path, lines)
    with pytest.raises(DataError) as info:
        read_gsm_stages(path)
    assert str(path) in info.value.message
    assert where in info.value.message
    assert info.value.line == line


def test_cycle_and_empty_file(tmp_path: Path) -> None:
    lines = [*GOOD[:2], "Part_1,28,,12,2,,,,Manuf_1,1", *GOOD[3:]]
    with pytest.raises(DataError, match="cycle through stage"):
        read_gsm_stages(write(tmp_path, lines))
    with pytest.raises(DataError, match="no stages"):
        read_gsm_stages(write(tmp_path, [HEADER]))
    with pytest.raises(DataError, match="cannot read"):
        read_gsm_stages(tmp_path / "missing.csv")


def test_reference_files() -> None:
    costs = read_reported_costs(folder() / "reported_optimal_cost.txt")
    assert len(costs) == 38
    assert (costs[1], costs[38]) == (33500, 1100000)
    levels = read_reference_levels(folder() / "optimal_inventory_levels.csv")
    assert len(levels) == 36
    assert {r.lead_time for r in levels} == {"stochastic", "mean", "max"}
    first = levels[1]
    assert (first.chain, first.lead_time, first.safety_stock, first.total_stock) == (
        1, "mean", 946, 27280,
    )  # fmt: skip


def test_malformed_reference_files(tmp_path: Path) -> None:
    path = tmp_path / "levels.csv"
    path.write_text("SupplyChain,LT,SafetyStock,TotalStock\n1,median,5,6\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2, field 'LT': unknown lead-time basis"):
        read_reference_levels(path)
    costs = tmp_path / "costs.txt"
    costs.write_text("100\nabc\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2, field 'cost': not a number"):
        read_reported_costs(costs)
