"""The trade link: an export-stop scenario's LOSSES table as an IO shock on WIOD. One SYNTHETIC
losses table (made up here, in BACI's thousand USD) and one real scenario (BACI 2024, CHN
magnets) through the export-stop engine."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.engine.duckdb import DuckDBEngine
from econsec.errors import InvalidInput
from econsec.know.io.concordance import HS2_TO_WIOD, wiod_sector
from econsec.know.io.trade_link import region_for, run_trade_shock, trade_shock
from econsec.know.scenarios import LOSSES, export_stop
from tests.conftest import shared_file
from tests.datasets.test_catalogue import CRITICAL
from tests.know.io import wiod


def _synthetic_losses() -> pa.Table:
    """SYNTHETIC: Taiwan stops chips (HS 8542) to Japan, the USA and Viet Nam, and refined
    petroleum (HS 2710) to Japan; one code in the reserved chapter 99. Thousand USD."""
    rows = [
        ("JPN", "854231", 5e6, 4e6),
        ("USA", "854232", 3e6, 3e6),
        ("VNM", "854231", 1e6, 1e6),  # not a WIOD region: RoW
        ("JPN", "271012", 1e6, 5e5),
        ("JPN", "999999", 10.0, 10.0),
    ]
    data = [
        {
            **dict.fromkeys(LOSSES.names),
            "importer": i,
            "product": p,
            "lost_value": lost,
            "gap_value": gap,
        }
        for i, p, lost, gap in rows
    ]
    return pa.Table.from_pylist(data, schema=LOSSES)


def test_concordance_covers_every_goods_chapter() -> None:
    assert sorted(HS2_TO_WIOD) == [f"{c:02d}" for c in range(1, 98) if c != 77]
    assert {wiod_sector(c) for c in ("854231", "8471", "901380")} == {"c14"}
    assert wiod_sector("271012") == "c8" and wiod_sector("2709") == "c2"
    assert wiod_sector("870323") == "c15" and wiod_sector("3004") == "c9"
    assert all(int(s[1:]) <= 17 for s in HS2_TO_WIOD.values())  # goods only
    with pytest.raises(InvalidInput):
        wiod_sector("990000")


def test_synthetic_losses_become_blocked_lines() -> None:
    t = wiod()
    assert region_for(t, "VNM") == "RoW" and region_for(t, "JPN") == "JPN"
    ts = trade_shock(t, _synthetic_losses(), "TWN")
    assert ts.unmapped == ("999999",)
    assert ts.mapped_value == pytest.approx((4e6 + 3e6 + 1e6 + 5e5) / 1000)  # million USD
    c14, jpn = t.index("TWN", "c14"), t.region_list.index("JPN")
    users = t.region_of == jpn
    finals = np.array([r == "JPN" for r in t.final_regions])
    sales = t.Z[c14, users].sum() + np.maximum(t.Y[c14, finals], 0).sum()
    assert ts.blocked[c14, jpn] == pytest.approx(min(1.0, 4000 / sales))
    assert ts.blocked[t.index("TWN", "c8"), jpn] > 0
    assert {t.sectors[i] for i in ts.cut.index} == {"c8", "c14"}
    leo = run_trade_shock(ts, "leontief", duration_days=60)
    bot = run_trade_shock(ts, "bottleneck", inventory_days=0, duration_days=60)
    assert bot.output_loss.sum() > leo.output_loss.sum() > 0
    d = bot.to_dict()
    assert any("HS" in a and "WIOD" in a for a in d["assumptions"])
    assert d["unmapped_products"] == ["999999"]
    by_region = {r["region"]: r["output_loss"] for r in d["losses_by_region"]}
    assert by_region["JPN"] > 0 and by_region["USA"] > 0  # the importers' users run short
    assert bot.output_loss[c14] > 0  # and Taiwan loses the sales
    with pytest.raises(InvalidInput):
        run_trade_shock(ts, "ghosh")


def test_real_export_stop_feeds_the_io_shock(countries: Catalogue) -> None:
    countries.load("baci", shared_file(CRITICAL))
    scenario = export_stop(
        DuckDBEngine(countries), exporter="CHN", products=["850511"], year=2024
    )  # permanent magnets, HS 8505 -> WIOD c14
    t = wiod()
    ts = trade_shock(t, scenario.losses, "CHN")
    assert ts.unmapped == ()
    assert [t.sectors[i] for i in ts.cut.index] == ["c14"]
    gap = sum(r["gap_value"] for r in scenario.losses.to_pylist() if r["importer"] != "CHN")
    assert ts.mapped_value == pytest.approx(gap / 1000, rel=1e-9)
    res = run_trade_shock(ts, "bottleneck", inventory_days=30, duration_days=90)
    assert 0 < res.world_output_loss_share < 0.01
