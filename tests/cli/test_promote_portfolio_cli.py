"""``econsec promote allocate`` and ``econsec promote score`` on the shipped real-based example
(K Program first R&D vision technologies) and on small hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from econsec.datasets.promote_problem import example_path
from tests.cli.test_cli import fail, run, run_json
from tests.conftest import shared_file

EXAMPLE = str(example_path())
CONTRACT = {"objective", "chosen", "total_cost", "status"}
EXTRA = {"gap", "bound", "seconds", "spending_by_area", "explanations", "spending_by_year"}


def test_allocate_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "promote", "allocate", EXAMPLE, "--format", "json")
    assert set(doc) >= CONTRACT | EXTRA and "pareto" not in doc
    assert doc["status"] == "optimal" and doc["gap"] <= 1e-9
    assert doc["total_cost"] <= doc["budget"] == 500
    # chosen: CANDIDATE_ID -> 0-based OPTION_INDEX into that candidate's options
    problem = yaml.safe_load(Path(EXAMPLE).read_text(encoding="utf-8"))
    options = {c["id"]: c["options"] for c in problem["candidates"]}
    assert doc["total_cost"] == pytest.approx(
        sum(options[cid][k]["cost"] for cid, k in doc["chosen"].items())
    )
    assert doc["objective"] == pytest.approx(
        sum(options[cid][k]["value"] for cid, k in doc["chosen"].items())
    )
    assert all(isinstance(k, int) and k >= 0 for k in doc["chosen"].values())


def test_allocate_rules_budget_and_pareto(capsys: pytest.CaptureFixture[str]) -> None:
    drones = "autonomous_distributed_control_of_small_drones"
    doc = run_json(
        capsys,
        "promote",
        "allocate",
        EXAMPLE,
        "--budget",
        "300",
        "--never-fund",
        drones,
        "--pareto",
        "3",
        "--format",
        "json",
    )
    assert drones not in doc["chosen"] and doc["total_cost"] <= 300
    assert [p["status"] for p in doc["pareto"]] == ["optimal"] * 3
    assert doc["pareto"][-1]["objective"] == pytest.approx(doc["objective"])
    row = next(e for e in doc["explanations"] if e["id"] == drones)
    assert row["reason"] == "not funded: never-fund"


def test_allocate_table_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out, _ = run(capsys, "promote", "allocate", EXAMPLE, "--pareto", "2")
    assert "optimal" in out and "Spending by area" in out and "Value-cost frontier" in out
    target = tmp_path / "alloc.csv"
    run(capsys, "promote", "allocate", EXAMPLE, "--format", "csv", "-o", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8 and "reason" in lines[0]


def test_infeasible_and_malformed_problems_fail_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "tight.json"
    path.write_text(
        json.dumps(
            {
                "budget": 10,
                "candidates": [{"id": "a", "options": [{"cost": 20, "value": 1}]}],
                "must_fund": ["a"],
            }
        ),
        encoding="utf-8",
    )
    code, _, err = fail(capsys, "promote", "allocate", str(path))
    assert code == 1 and "infeasible" in err and "must-fund" in err
    assert len(err.strip().splitlines()) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget: 10\ncandidates:\n  - id: a\n    options: [{cost: 1, valeu: 2}]\n")
    code, _, err = fail(capsys, "promote", "allocate", str(bad))
    assert code == 1 and "bad.yaml, line 4, field 'candidates[0].options[0].valeu'" in err


def test_score_methods_and_sensitivity(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "promote",
        "score",
        EXAMPLE,
        "--method",
        "topsis",
        "--weights",
        "importance=0.5,cost=0",
        "--sensitivity",
        "500",
        "--tornado",
        "20",
        "--format",
        "json",
    )
    assert doc["method"] == "topsis" and doc["weights"]["cost"] == 0
    assert sum(doc["weights"].values()) == pytest.approx(1.0)
    assert doc["sensitivity"]["draws"] == 500 and len(doc["candidates"]) == 7
    assert {"kept_rank_share", "top_k_share", "mean_rank"} <= set(doc["candidates"][0])
    assert {r["criterion"] for r in doc["tornado"]} == set(doc["weights"]) - {"cost"}
    out, _ = run(capsys, "promote", "score", EXAMPLE, "--method", "promethee", "--tornado", "10")
    assert "scored by promethee" in out and "Tornado for" in out
    code, _, err = fail(capsys, "promote", "score", EXAMPLE, "--method", "electre")
    assert code == 1 and "unknown scoring method 'electre'" in err


def test_score_csv_with_directions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,importance,risk\na,5,9\nb,4,1\nc,1,5\n", encoding="utf-8")
    plain = run_json(capsys, "promote", "score", str(path), "--format", "json")
    assert plain["candidates"][0]["id"] == "a"
    turned = run_json(
        capsys, "promote", "score", str(path), "--direction", "risk=cost", "--format", "json"
    )
    assert turned["candidates"][0]["id"] == "b"
    assert {c["id"]: c["direction"] for c in turned["criteria"]}["risk"] == "cost"


# -- candidates from the taxonomy ------------------------------------------------------------------

REAL_LISTS = str(shared_file("policy/critical_technologies.yaml"))
AI_SECURITY = "ai_security_disinformation_analysis"


def test_candidates_from_the_vision_with_the_landscape(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from econsec.datasets.openalex_tables import COUNTS_FILE, read_counts, shipped
    from econsec.promote.allies import compare
    from econsec.promote.crosswalk_store import load
    from econsec.promote.landscape import landscape
    from econsec.promote.landscape_map import DEFAULT_RULES
    from econsec.promote.landscape_records import from_counts

    doc = run_json(
        capsys, "promote", "candidates", "--file", REAL_LISTS, "--list", "k", "--format", "json"
    )
    ids = [c["id"] for c in doc["candidates"]]
    assert len(ids) == 7 and AI_SECURITY in ids  # the vision's seven named technologies
    # jp_strength: Japan's share of AI output over China's in 2016-2020 (shipped counts)
    result = landscape(from_counts(read_counts(shipped(COUNTS_FILE)), DEFAULT_RULES))
    ai = next(
        r
        for r in result.leaders.to_pylist()
        if r["technology"] == "Artificial intelligence" and r["period"] == "2016-2020"
    )
    ai_security = doc["candidates"][ids.index(AI_SECURITY)]
    assert ai_security["jp_areas"] == ["ai_ml", "cybersecurity"]
    assert ai_security["criteria"]["jp_strength"] == round(
        ai["focus_share"] / ai["leader_share"], 4
    )
    assert 0.15 < ai_security["criteria"]["jp_strength"] < 0.25  # 3.3 % against 17.0 %
    # Only AI is in the shipped counts: the other six have no jp_strength, and say so.
    assert len(doc["meta"]["to_fill"]["jp_strength"]) == 6
    # other_lists: the US (2022, 2024), EU and ASPI lists naming one of the areas
    taxonomy = load(None, None, Path(REAL_LISTS))[1]
    present = {a["area"]: a["present"] for a in compare(taxonomy)["areas"]}
    others = ["us_cet_2022", "us_cet_2024", "eu_2023", "aspi_tracker"]
    for c in doc["candidates"]:
        named = [n for n in others if any(present[a][n] for a in c["jp_areas"])]
        assert c["criteria"]["other_lists"] == len(named), c["id"]
    # The criteria the data cannot give are declared, so scoring names the first gap.
    path = tmp_path / "candidates.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = fail(capsys, "promote", "score", str(path))
    assert code == 1 and "candidates.json" in err and "missing criterion" in err


def test_candidates_with_derived_criteria_only_score_as_they_are(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "aspi.yaml"
    run(capsys, "promote", "candidates", "--file", REAL_LISTS, "--list", "aspi")
    run(
        capsys,
        "promote",
        "candidates",
        "--file",
        REAL_LISTS,
        "--list",
        "aspi",
        "--only-derived",
        "--output",
        str(out),
    )
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(doc["candidates"]) == 74  # ASPI's 64 and the 10 added in 2025
    assert [c["id"] for c in doc["criteria"]] == ["other_lists"]  # jp_strength has gaps
    scored = run_json(capsys, "promote", "score", str(out), "--format", "json")
    assert len(scored["candidates"]) == 74
    best = scored["candidates"][0]
    assert best["other_lists"] == max(c["criteria"]["other_lists"] for c in doc["candidates"])
    code, _, err = fail(capsys, "promote", "candidates", "--file", REAL_LISTS, "--list", "japan")
    assert code == 1 and "not candidate technologies" in err
