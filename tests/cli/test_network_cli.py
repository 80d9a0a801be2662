"""``econsec know network ...`` on the real Willems chains and ETO data, as a user runs it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.cli.test_cli import fail, run, run_json
from tests.conftest import shared_file

SPOF_KEYS = {"node", "kind", "affects", "share", "explanation"}
KINDS = {"dominator", "articulation", "single_source", "concentrated_input", "bridge"}


@pytest.fixture
def eto(env_home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    _, err = run(
        capsys,
        "know",
        "network",
        "load",
        "eto",
        str(shared_file("supply/eto_semiconductor")),
        "--name",
        "eto",
    )
    assert "CC BY-NC" in err  # the licence is said at load time
    return env_home


@pytest.fixture
def w24(env_home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    run(
        capsys,
        "know",
        "network",
        "load",
        "willems",
        str(shared_file("supply/willems2008/raw_msom/24.csv.gz")),
        "--name",
        "w24",
    )
    return env_home


def test_spof_json_contract_names_every_80_percent_input_on_eto(
    eto: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = run_json(capsys, "know", "network", "spof", "eto", "--format", "json")
    assert isinstance(found, list) and found
    assert all(set(f) >= SPOF_KEYS and f["kind"] in KINDS for f in found)
    euv = [f for f in found if f["node"] == "N20" and f["level"] == "firm"]
    assert euv and euv[0]["kind"] == "single_source" and euv[0]["share"] == 1.0
    assert euv[0]["affects"] == ["N99"] and "ASML" in euv[0]["explanation"]
    # Independently: inputs whose top firm holds >= 80 % in the latest year given.
    with shared_file("supply/eto_semiconductor/provision.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with shared_file("supply/eto_semiconductor/providers.csv").open(encoding="utf-8") as fh:
        orgs = {
            r["provider_id"] for r in csv.DictReader(fh) if r["provider_type"] == "organization"
        }
    latest: dict[str, int] = {}
    for r in rows:
        latest[r["provided_id"]] = max(latest.get(r["provided_id"], 0), int(r["year"]))
    top: dict[str, float] = {}
    for r in rows:
        if (
            r["provider_id"] in orgs
            and r["share_provided"]
            and not r["provider_name"].startswith("Various")
            and int(r["year"]) == latest[r["provided_id"]]
        ):
            top[r["provided_id"]] = max(top.get(r["provided_id"], 0), float(r["share_provided"]))
    expected = {i for i, s in top.items() if s >= 80}
    flagged = {
        f["node"]
        for f in found
        if f["level"] == "firm" and f["kind"] in ("single_source", "concentrated_input")
    }
    assert expected and expected <= flagged


def test_spof_kinds_threshold_and_table(w24: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doms = run_json(
        capsys, "know", "network", "spof", "w24", "--kind", "dominator", "--format", "json"
    )
    assert doms and {f["kind"] for f in doms} == {"dominator"}
    assert all(f["affects"] and f["share"] is None for f in doms)
    out, _ = run(capsys, "know", "network", "spof", "w24", "--limit", "5")
    assert "dominator" in out or "articulation" in out


def test_losses_simulate_survive_betweenness_exposure(
    eto: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run_json(capsys, "know", "network", "losses", "eto", "--format", "json", "--over", "50")
    ranking = {r["node"]: r for r in doc["ranking"]}
    asml = next(n for n, r in ranking.items() if r["name"] == "ASML")
    assert ranking[asml]["share"] == pytest.approx(0.815, abs=1e-3)
    assert 0 < doc["share_of_nodes_over"] < 1
    sim = run_json(
        capsys,
        "know",
        "network",
        "simulate",
        "eto",
        "--disrupt",
        f"{asml}:60",
        "--horizon-days",
        "120",
        "--inventory-days",
        "5",
        "--format",
        "json",
    )
    (chip,) = sim["products"]
    assert chip["product"] == "N99" and len(chip["shortfall"]) == 120
    # Five days of stock at every stage on the way carry the chip past the first weeks; then
    # it loses ASML's 81.5 % of lithography tools until ASML is back on day 60.
    assert 5 <= chip["time_to_survive_days"] < 60
    assert max(chip["shortfall"]) == pytest.approx(0.815, abs=1e-3)
    table = run_json(
        capsys,
        "know",
        "network",
        "survive",
        "eto",
        "--node",
        asml,
        "--recovery-days",
        "60",
        "--inventory-days",
        "30",
        "--format",
        "json",
    )
    assert table[0]["node"] == asml and table[0]["ttr_days"] == 60
    top = run_json(
        capsys, "know", "network", "betweenness", "eto", "--top", "5", "--format", "json"
    )
    assert len(top) == 5 and top[0]["betweenness"] >= top[-1]["betweenness"]
    exposure = run_json(
        capsys, "know", "network", "exposure", "eto", "--product", "N99", "--format", "json"
    )
    countries = {r["country"] for r in exposure}
    assert {"USA", "TWN", "JPN", "NLD"} <= countries


def test_errors_name_what_is_wrong(w24: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fail(capsys, "know", "network", "spof", "nope")
    assert code == 1 and "no network named 'nope' (stored: w24)" in err
    code, _, err = fail(capsys, "know", "network", "simulate", "w24", "--disrupt", "Nowhere:3")
    assert code == 1 and "no node 'Nowhere'" in err
    code, _, err = fail(
        capsys, "know", "network", "exposure", "w24", "--product", "X", "--level", "region"
    )
    assert code == 2 and "firm or country" in err


def test_list_show_delete(w24: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = run_json(capsys, "know", "network", "list", "--format", "json")
    assert [(n["name"], n["nodes"], n["edges"]) for n in listed] == [("w24", 334, 1245)]
    shown = run_json(capsys, "know", "network", "show", "w24")
    assert shown["source"]["citation"].startswith("Willems")
    run(capsys, "know", "network", "delete", "w24")
    assert run_json(capsys, "know", "network", "list", "--format", "json") == []
