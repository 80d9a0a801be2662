"""``econsec know ...`` on the real critical-materials extract, as a user would run it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.cli.test_cli import fail, run
from tests.conftest import SHIPPED, shared_file

CRITICAL = "trade/baci_hs17_2024_critical_materials.parquet"
CONTRACT = {
    "importer",
    "year",
    "product",
    "import_value",
    "n_suppliers",
    "hhi",
    "top_supplier",
    "top_supplier_share",
    "world_export_hhi",
    "top_exporter",
    "top_exporter_share",
    "flags",
}


@pytest.fixture
def loaded(env_home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    run(
        capsys,
        "data",
        "load",
        "baci_countries",
        str(shared_file("trade/baci_country_codes_V202301.csv")),
    )
    run(capsys, "data", "load", "baci", str(shared_file(CRITICAL)))
    return env_home


def test_dependencies_json_contract(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(
        capsys, "know", "dependencies", "--importer", "JPN", "--year", "2024", "--format", "json"
    )
    rows = json.loads(out)
    assert len(rows) == 30
    for row in rows:
        assert set(row) >= CONTRACT
        assert row["importer"] == "JPN"
        assert len(row["product"]) == 6
        assert row["unit"] == "thousand current USD"
        assert isinstance(row["flags"], list)
    assert rows[0]["dependent"]  # dependencies come first
    magnets = next(r for r in rows if r["product"] == "850511")
    assert magnets["import_value"] == 568_756.873


def test_dependencies_formats_and_options(
    loaded: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, _ = run(
        capsys,
        "know",
        "dependencies",
        "-i",
        "EU27",
        "-i",
        "JPN",
        "-y",
        "2024",
        "--method",
        "eu2021",
        "--concern",
        "CHN",
        "--format",
        "csv",
        "--dependent-only",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["importer"] for r in rows} <= {"EU27", "JPN"}
    assert all(r["dependent"] == "true" for r in rows)
    assert "hhi=" in rows[0]["tests"]
    target = tmp_path / "deps.parquet"
    run(
        capsys,
        "know",
        "dependencies",
        "-y",
        "2024",
        "--group",
        "quad=JPN,USA,AUS,IND",
        "-i",
        "quad",
        "--format",
        "parquet",
        "-o",
        str(target),
    )
    table = pq.read_table(target)
    assert set(table["importer"].to_pylist()) == {"quad"}
    out, _ = run(capsys, "know", "dependencies", "-i", "JPN", "-y", "2024", "--limit", "3")
    assert "more rows" in out
    out, _ = run(
        capsys,
        "know",
        "dependencies",
        "-i",
        "JPN",
        "-y",
        "2024",
        "-t",
        "importer_hhi=0.99",
        "--dependent-only",
        "-f",
        "json",
    )
    assert json.loads(out) == []


def test_errors_name_what_is_available(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fail(capsys, "know", "dependencies", "-i", "JPN", "-y", "2019")
    assert code == 1
    assert "year(s) 2019 not loaded in baci; available: 2024 (HS17)" in err
    code, _, err = fail(capsys, "know", "dependencies", "-i", "XKX", "-y", "2024")
    assert "no imports for XKX" in err
    code, _, err = fail(capsys, "know", "dependencies", "-y", "2024", "-f", "parquet")
    assert "Parquet output needs a file" in err


def test_chokepoints_and_scenario(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "know", "chokepoints", "-y", "2024", "-f", "json")
    assert json.loads(out)[0]["top_exporter"] == "KAZ"
    out, _ = run(
        capsys,
        "know",
        "chokepoints",
        "-y",
        "2024",
        "--view",
        "exporters",
        "--min-importers",
        "50",
        "-f",
        "json",
    )
    assert {r["exporter"] for r in json.loads(out)} == {"CHN"}
    out, _ = run(capsys, "know", "chokepoints", "-y", "2024", "--view", "ranking", "-i", "JPN")
    assert "720293" in out
    out, _ = run(
        capsys, "know", "scenario", "-e", "CHN", "-p", "850511,810194", "-y", "2024", "-f", "json"
    )
    doc = json.loads(out)
    assert doc["unit"] == "thousand current USD"
    assert "not modelled" in doc["assumption"]
    assert {"losses", "importers", "alternatives"} <= set(doc)
    out, err = run(
        capsys,
        "know",
        "scenario",
        "-e",
        "CHN",
        "-p",
        "850511",
        "-y",
        "2024",
        "--importers",
        "JPN",
        "-f",
        "csv",
        "--view",
        "losses",
    )
    assert next(iter(csv.DictReader(io.StringIO(out))))["lost_value"] == "156879.57"
    assert "Re-routed estimate" in err


def test_rollup_and_trends(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "data", "load", "critical_products", str(SHIPPED / "policy/critical_products.yaml"))
    out, _ = run(capsys, "know", "rollup", "-i", "JPN", "-y", "2024", "-f", "json")
    groups = {r["group"]: r for r in json.loads(out)}
    assert groups["3"]["label"].startswith("Permanent magnets")
    run(
        capsys,
        "data",
        "load",
        "baci_materials",
        str(shared_file("trade/baci_critical_materials_bilateral_2002_2024.parquet")),
        "--keep-unknown",
    )
    out, _ = run(
        capsys,
        "know",
        "trends",
        "-i",
        "JPN",
        "--dataset",
        "baci_materials",
        "--from",
        "2008",
        "--to",
        "2012",
        "--churn",
        "-f",
        "json",
    )
    changes = json.loads(out)
    assert {c["year"] for c in changes} <= {2009, 2010, 2011, 2012}
    assert any(c["product"] == "graphite" and c["change"] == "entered" for c in changes)


def test_mirror(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        capsys,
        "data",
        "load",
        "comtrade",
        str(shared_file("trade/comtrade_raw_critical_materials_2022_2024.parquet")),
    )
    out, _ = run(capsys, "know", "mirror", "-y", "2024", "-r", "JPN", "-p", "850511", "-f", "json")
    china = next(r for r in json.loads(out) if r["partner"] == "CHN" and r["flow"] == "M")
    assert float(china["baci_usd"]) == 156_879_570.0
    assert float(china["reported_usd"]) == 157_519_221.538
    out, _ = run(capsys, "know", "mirror", "-y", "2024", "-r", "JPN", "--totals", "-f", "csv")
    assert out.startswith('"year","reporter"')
