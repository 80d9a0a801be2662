"""``econsec know io ...`` on the real WIOD 2011 and Japan 2011 tables, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import fail, run, run_json
from tests.conftest import shared_file


@pytest.fixture
def wiod(env_home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
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
    return env_home


def test_shock_json_contract_on_wiod(wiod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "know",
        "io",
        "shock",
        "--table",
        "wiod2011",
        "--extract",
        "TWN:c14",
        "--model",
        "leontief",
        "--format",
        "json",
    )
    assert doc["model"] == "leontief" and doc["table"] == "wiod2011"
    assert 0 < doc["world_output_loss_share"] < 0.05
    regions = {r["region"]: r for r in doc["losses_by_region"]}
    assert len(regions) == 41
    twn = regions["TWN"]
    # Taiwan's c14 output is lost in full (the direct loss) and its suppliers lose sales too.
    assert twn["direct_output_loss"] == pytest.approx(156_187, rel=1e-3)
    assert twn["output_loss"] > twn["direct_output_loss"]
    assert {s["sector"] for s in doc["losses_by_sector"]} >= {"c14", "c1", "c35"}
    assert doc["assumptions"] and doc["extract"] == [
        {"region": "TWN", "sector": "c14", "fraction": 1.0}
    ]


def test_bottleneck_loses_more_than_leontief(
    wiod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def loss(model: str, *extra: str) -> float:
        doc = run_json(
            capsys,
            "know",
            "io",
            "shock",
            "-t",
            "wiod2011",
            "-e",
            "TWN:c14",
            "-m",
            model,
            "--format",
            "json",
            *extra,
        )
        return float(doc["world_output_loss_share"])

    leontief = loss("leontief")
    assert loss("bottleneck", "--inventory-days", "0") > 2 * leontief
    assert loss("bottleneck", "--inventory-days", "60") < loss(
        "bottleneck", "--inventory-days", "0"
    )


def test_table_view_and_errors(wiod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "know", "io", "shock", "-t", "wiod2011", "-e", "JPN:c14:0.5")
    assert "world output lost" in out and "JPN" in out
    code, _, err = fail(capsys, "know", "io", "shock", "-t", "wiod2011", "-e", "XXX:c14")
    assert code == 1 and "XXX" in err
    code, _, err = fail(capsys, "know", "io", "shock", "-t", "nope", "-e", "JPN:c14")
    assert code == 1 and "no io named 'nope'" in err
    code, _, err = fail(
        capsys,
        "know",
        "io",
        "shock",
        "-t",
        "wiod2011",
        "-e",
        "JPN:c14",
        "-m",
        "ghosh",
        "--inventory-days",
        "3",
    )
    assert code == 1 and "inventory_days" in err


def test_japan_table_list_show_export_and_reload(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = shared_file("supply/io_japan_2011_13sector/iotable_13sector_2011_wider.csv")
    run(capsys, "know", "io", "load", "japan", str(source), "--name", "jp")
    listed = run_json(capsys, "know", "io", "list", "--format", "json")
    assert [t["name"] for t in listed] == ["jp"] and listed[0]["sectors"] == 13
    shown = run_json(capsys, "know", "io", "show", "jp")
    assert shown["units"].startswith("million yen") and shown["year"] == 2011
    target = tmp_path / "jp.csv"
    run(capsys, "know", "io", "export", "jp", "-o", str(target))
    run(capsys, "know", "io", "load", "csv", str(target), "--name", "jp2")
    a = run_json(capsys, "know", "io", "shock", "-t", "jp", "-e", "JPN:*:0.01", "--format", "json")
    b = run_json(capsys, "know", "io", "shock", "-t", "jp2", "-e", "JPN:*:0.01", "--format", "json")
    assert a["world_output_loss"] == pytest.approx(b["world_output_loss"], rel=1e-12)
    run(capsys, "know", "io", "delete", "jp2")
    assert [t["name"] for t in run_json(capsys, "know", "io", "list", "--format", "json")] == ["jp"]


def test_a_broken_file_is_refused_and_the_stored_table_kept(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = shared_file("supply/io_japan_2011_13sector/iotable_13sector_2011_wider.csv")
    run(capsys, "know", "io", "load", "japan", str(source), "--name", "jp")
    lines = source.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[2] = "abc"
    lines[3] = ",".join(cells)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines), encoding="utf-8")
    code, _, err = fail(capsys, "know", "io", "load", "japan", str(broken), "--name", "jp")
    assert code == 1 and "broken.csv, line 4" in err
    assert run_json(capsys, "know", "io", "show", "jp")["path"] == str(source)


def test_trade_shock_from_the_export_stop_scenario(
    wiod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        "data",
        "load",
        "baci_countries",
        str(shared_file("trade/baci_country_codes_V202301.csv")),
    )
    run(
        capsys,
        "data",
        "load",
        "baci",
        str(shared_file("trade/baci_hs17_2024_critical_materials.parquet")),
    )
    doc = run_json(
        capsys,
        "know",
        "io",
        "trade-shock",
        "-t",
        "wiod2011",
        "--exporter",
        "CHN",
        "--products",
        "850511,810194",
        "--year",
        "2024",
        "--format",
        "json",
    )
    assert doc["scenario"]["exporter"] == "CHN" and doc["model"] == "bottleneck"
    assert doc["trade_value_mapped"] > 0 and doc["world_output_loss"] > 0
    assert any("deflation" in a for a in doc["assumptions"])
    json.dumps(doc)
