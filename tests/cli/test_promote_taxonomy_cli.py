"""``econsec promote taxonomy ...`` on the real critical_technologies.yaml (loaded as the
``critical_technologies`` dataset, or read with --file), and crosswalk edits by the SYNTHETIC
users of tests/security/world.py on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.cli.test_cli import fail, run, run_json
from tests.conftest import shared_file
from tests.security.world import BACKENDS, KEY, World, world_on

REAL = "policy/critical_technologies.yaml"
T = ("promote", "taxonomy")


def test_read_commands_on_the_loaded_lists(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = fail(capsys, *T, "list")
    assert code == 1 and "critical_technologies" in err and "econsec data load" in err
    real = str(shared_file(REAL))
    from_file = run_json(capsys, *T, "list", "--list", "eu", "--file", real, "--format", "json")
    assert len(from_file) == 10  # --file needs nothing loaded
    run(capsys, "data", "load", "critical_technologies", real)

    us = run_json(capsys, *T, "list", "--list", "us2024", "--format", "json")
    assert len(us) == 18 and us[0]["key"] == "us_cet_2024:advanced_computing"
    assert us[0]["crosswalk"][0] == {
        "area": "advanced_computing",
        "confidence": "high",
        "origin": "file",
        "reason": None,
        "edit": None,
    }
    out, _ = run(capsys, *T, "list", "--area", "marine")
    assert "7 technologies" in out and "海洋関連技術" in out  # the area, 4 ASPI, 2 K Program
    rows = list(csv.DictReader(io.StringIO(run(capsys, *T, "list", "--format", "csv")[0])))
    assert len(rows) == 148

    hits = run_json(capsys, *T, "search", "量子", "--format", "json")
    assert hits[0]["key"] == "japan_20_areas:quantum" and hits[0]["matched_field"] == "name_ja"
    assert any(h["via_area"] == "quantum" for h in hits)
    out, _ = run(capsys, *T, "search", "りょうし", "--limit", "3")
    assert "量子情報科学" in out and "3 technologies" in out
    _, err = run(capsys, *T, "search", "zzzzqqqq")
    assert "nothing matches" in err

    shown = run_json(capsys, *T, "show", "us2022:hypersonics", "--format", "json")
    assert shown["technologies"][0]["name_en"] == "Hypersonics"
    related = {r["key"] for r in shown["technologies"][0]["related"]}
    assert "aspi_tracker:hypersonic_detection_and_tracking" in related
    out, _ = run(capsys, *T, "show", "marine")
    assert "Autonomous underwater vehicles" in out
    code, _, err = fail(capsys, *T, "show", "us2024:warp_drive")
    assert code == 1 and "no technology 'us2024:warp_drive'" in err


def test_compare_and_export(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "data", "load", "critical_technologies", str(shared_file(REAL)))
    doc = run_json(capsys, *T, "compare", "--format", "json")
    assert doc["us_2022_vs_2024"]["areas_lost"] == ["cbrn"]
    out, err = run(capsys, *T, "compare")
    assert "areas no longer covered: cbrn; newly covered: cybersecurity" in out
    assert "Financial Technologies" in out and "7 example technologies" in err
    (marine,) = csv.DictReader(
        io.StringIO(run(capsys, *T, "compare", "--area", "marine", "--format", "csv")[0])
    )
    assert (marine["us_cet_2024"], marine["aspi_tracker"], marine["lists_present"]) == (
        "0",
        "4",
        "2",
    )

    target = tmp_path / "crosswalk.yaml"
    _, err = run(capsys, *T, "export", "--format", "yaml", "-o", str(target))
    assert "148 technologies written" in err
    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert [x["count"] for x in document["lists"]] == [20, 7, 19, 18, 10, 74]
    text = run(capsys, *T, "export", "--format", "csv", "--list", "aspi")[0]
    assert len(text.splitlines()) == 75
    one = json.loads(run(capsys, *T, "export", "--format", "json")[0])
    assert one["provenance"]["version"] == "critical_technologies@1"


@pytest.fixture(params=BACKENDS)
def world_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """A world (SYNTHETIC users ada, rita, olly) on SQLite or PostgreSQL that the CLI uses."""
    from econsec.settings import get_settings

    with world_on(request.param, tmp_path, people=("ada", "rita", "olly"), papers=()) as built:
        for name, value in {
            "ECONSEC_HOME": str(built.settings.home),
            "ECONSEC_DATABASE_URL": built.url,
            "ECONSEC_SECRET_KEY": KEY,
            "ECONSEC_ENV": "test",
            "ECONSEC_DUCKDB_THREADS": "2",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield built
    get_settings.cache_clear()


def test_crosswalk_edit_history_and_reset(
    world_env: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "data", "load", "critical_technologies", str(shared_file(REAL)))
    de = "us_cet_2024:directed_energy"
    reason = "directed energy defends against hypersonic missiles (synthetic reason)"
    out, _ = run(
        capsys,
        *T,
        "crosswalk",
        "edit",
        de,
        "--add",
        "hypersonics",
        "--reason",
        reason,
        "--as",
        "rita",
    )
    assert out.startswith("edit 1: us_cet_2024:directed_energy add -> hypersonics (medium)")
    monkeypatch.setenv("ECONSEC_AS", "rita")  # the form: who acts from the environment
    run(
        capsys,
        *T,
        "crosswalk",
        "edit",
        de,
        "--add",
        "space",
        "--confidence",
        "low",
        "--reason",
        "synthetic",
    )
    run(capsys, *T, "crosswalk", "edit", de, "--remove", "space", "--reason", "synthetic")

    listed = run_json(capsys, *T, "list", "--list", "us2024", "--format", "json")
    edited = next(t for t in listed if t["key"] == de)
    assert edited["edited"] and [k["area"] for k in edited["crosswalk"]] == ["hypersonics"]
    assert edited["crosswalk"][0]["reason"] == reason
    shipped = run_json(capsys, *T, "list", "--list", "us2024", "--format", "json", "--shipped")
    assert next(t for t in shipped if t["key"] == de)["crosswalk"] == []

    code, _, err = fail(
        capsys, *T, "crosswalk", "edit", de, "--add", "space", "--reason", "x", "--as", "olly"
    )
    assert code == 1 and "role observer may not edit the crosswalk" in err
    code, _, err = fail(
        capsys, *T, "crosswalk", "edit", de, "--add", "space", "--remove", "marine", "--reason", "x"
    )
    assert code == 1 and "exactly one of --add AREA or --remove AREA" in err
    code, _, err = fail(
        capsys, *T, "crosswalk", "edit", "directed_energy", "--add", "space", "--reason", "x"
    )
    assert code == 1 and "on several lists" in err

    run(capsys, *T, "crosswalk", "reset", de, "--reason", "back to the file")
    history = run_json(capsys, *T, "crosswalk", "history", de, "--format", "json")
    assert [(e["id"], e["action"], e["actor"]) for e in history] == [
        (1, "add", "rita"),
        (2, "add", "rita"),
        (3, "remove", "rita"),
        (4, "reset", "rita"),
    ]
    assert history[-1]["before"] == [
        {"area": "hypersonics", "confidence": "medium", "origin": "edit"}
    ]
    out, _ = run(capsys, *T, "crosswalk", "history")
    assert "reset" in out and "rita" in out
    actions = [e["action"] for e in world_env.audit_since(0)]
    assert actions.count("promote.crosswalk.edit") == 5  # four edits and the refusal
