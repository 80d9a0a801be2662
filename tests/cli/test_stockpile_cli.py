"""``econsec know stockpile`` and ``econsec know cover`` on the real Willems chains and WIOD."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import fail, run, run_json
from tests.conftest import shared_file

STAGE_KEYS = {
    "stage",
    "service_time",
    "inbound_service_time",
    "net_replenishment_time",
    "safety_stock",
    "safety_stock_cost",
    "base_stock",
}


def test_stockpile_gsm_json_on_willems_chain_22(
    env_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = shared_file("supply/willems2008/gsm_stages/willems_22.csv")
    run(capsys, "know", "network", "load", "willems", str(chain), "--name", "w22")
    doc = run_json(capsys, "know", "stockpile", "w22", "--method", "gsm", "--format", "json")
    assert doc["status"] == "optimal" and doc["gap"] <= 1e-4
    # snc's open GSM solver reports 2,314,763.27 for chain 22 after 1,383 s (PROVENANCE).
    assert doc["total_safety_stock_cost"] == pytest.approx(2_314_763.27, rel=1e-6)
    assert len(doc["stages"]) == 253 and set(doc["stages"][0]) >= STAGE_KEYS
    total = sum(s["safety_stock_cost"] for s in doc["stages"])
    assert total == pytest.approx(doc["total_safety_stock_cost"], rel=1e-9)
    for s in doc["stages"]:
        assert s["net_replenishment_time"] >= -1e-9 and s["safety_stock"] >= 0


def test_a_higher_service_level_costs_more(
    env_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = shared_file("supply/willems2008/raw_msom/08.csv.gz")
    run(capsys, "know", "network", "load", "willems", str(chain), "--name", "w8")
    low = run_json(capsys, "know", "stockpile", "w8", "--service-level", "0.9", "--format", "json")
    high = run_json(
        capsys, "know", "stockpile", "w8", "--service-level", "0.99", "--format", "json"
    )
    assert high["total_safety_stock_cost"] > low["total_safety_stock_cost"] > 0
    out, _ = run(capsys, "know", "stockpile", "w8", "--limit", "3")
    assert "total safety-stock cost" in out and "optimal" in out


def test_stockpile_refuses_a_network_with_alternatives(
    env_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        "know",
        "network",
        "load",
        "eto",
        str(shared_file("supply/eto_semiconductor")),
        "--name",
        "eto",
    )
    code, _, err = fail(capsys, "know", "stockpile", "eto")
    assert code == 1 and "bill-of-materials" in err
    code, _, err = fail(capsys, "know", "stockpile", "eto", "--method", "lp")
    assert code == 2


def test_days_of_cover_under_the_taiwan_cut(
    env_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        "know",
        "io",
        "load",
        "wiod",
        str(shared_file("supply/wiod2013_2011")),
        "--name",
        "wiod2011",
    )

    def cover(days: str) -> dict[str, object]:
        return dict(
            run_json(
                capsys,
                "know",
                "cover",
                "-t",
                "wiod2011",
                "-e",
                "TWN:c14",
                "--holder",
                "JPN",
                "--stock-days",
                days,
                "--format",
                "json",
            )
        )

    none, sixty = cover("0"), cover("60")
    assert none["days_of_cover"] == 0 and none["first_shortfall_day"] == 0
    days = sixty["days_of_cover"]
    # Japan's industries use a little less while they are short of other inputs, so the
    # stock lasts a little longer than 60 days of normal use, never less.
    assert isinstance(days, float) and 60 <= days < 75
    assert sixty["assumptions"] and len(sixty["consumption_share"]) == sixty["horizon_days"]
    code, _, err = fail(
        capsys,
        "know",
        "cover",
        "-t",
        "wiod2011",
        "-e",
        "TWN:c14",
        "--holder",
        "XXX",
        "--stock-days",
        "5",
    )
    assert code == 1 and "XXX" in err
