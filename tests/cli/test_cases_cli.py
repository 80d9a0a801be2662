"""``econsec cases patents screen`` on the labelled SYNTHETIC applications of
tests/cases/test_patent_screening_synthetic.py, with the fields from the loaded policy data (the
shipped patent_secrecy_fields.yaml) or from a file; the JSON contract keys of issue 7."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cases.test_patent_screening_synthetic import FIELDS, LABELLED, applications_file
from tests.cli.test_cli import fail, run, run_json
from tests.conftest import ROOT, shared_file
from tests.protect.conftest import LISTED_ENTITY, UN_NEW, un_file
from tests.security.world import BACKENDS, KEY, World, world_on


def test_screen_json_from_the_loaded_fields(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = applications_file(tmp_path)
    code, _, err = fail(capsys, "cases", "patents", "screen", str(path), "--format", "json")
    assert code != 0 and "patent_fields" in err  # nothing loaded yet: says what to load
    run(capsys, "data", "load", "patent_fields", str(FIELDS))
    results = run_json(capsys, "cases", "patents", "screen", str(path), "--format", "json")
    assert [r["id"] for r in results] == [ident for ident, *_ in LABELLED]
    for result, (_ident, _filed, _codes, fields, judgement) in zip(results, LABELLED, strict=True):
        assert {"id", "fields", "needs_judgement", "referral_due", "designation_due"} <= set(result)
        assert result["fields"] == fields and result["needs_judgement"] is judgement
    first = results[0]
    assert (first["referral_due"], first["designation_due"]) == ("2025-04-30", "2025-11-30")


def test_screen_table_from_a_fields_file(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = applications_file(tmp_path)
    out, err = run(capsys, "cases", "patents", "screen", str(path), "--fields", str(FIELDS))
    assert "syn-10" in out and "2025-04-30" in out
    matched = sum(1 for *_, fields, _ in LABELLED if fields)
    assert f"{len(LABELLED)} applications screened, {matched} in a specified field" in err
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x", "filing_date": "2025-13-01", "ipc": ["F41"]}]')
    code, _, err = fail(capsys, "cases", "patents", "screen", str(bad), "--fields", str(FIELDS))
    assert code != 0 and "bad.json" in err and "filing_date" in err


SECTORS = ROOT / "data" / "policy" / "infrastructure_sectors.yaml"


@pytest.fixture(params=BACKENDS)
def world_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """A Council world (SYNTHETIC users) on SQLite or PostgreSQL that the CLI points at."""
    from econsec.settings import get_settings
    from econsec.store import app as app_store

    # Commands that leave their app store open to the end of the process (as a CLI may) keep
    # it here until the test ends, when it is closed (PostgreSQL would warn of the connection).
    opened: list[app_store.AppStore] = []
    real_open = app_store.open_app_store

    def keep(store_url: str) -> app_store.AppStore:
        opened.append(real_open(store_url))
        return opened[-1]

    monkeypatch.setattr(app_store, "open_app_store", keep)
    with world_on(request.param, tmp_path, people=("ada", "rita", "lena"), papers=()) as built:
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
        for store in opened:  # before the database is dropped
            store.dispose()
    get_settings.cache_clear()


def test_an_installation_plan_from_submission_to_order(
    world_env: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The real sectors (policy data) and the real UN list (2026-01-28); the plan is SYNTHETIC
    # but names a real UN-listed entity as its manufacturer.
    run(capsys, "data", "load", "infrastructure_sectors", str(SECTORS))
    run(capsys, "protect", "lists", "load", "un", str(shared_file(UN_NEW)))
    listed = un_file(shared_file(UN_NEW))[1][LISTED_ENTITY].name
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "reference": "PLAN-2025-001",
                "operator": "Synthetic Telecom KK",
                "sector": "telecom",
                "equipment": "core router",
                "role": "backbone routing",
                "timing": "2025-06",
                "supplier": {"name": "Synthetic Networks Ltd", "country": "JPN"},
                "manufacturers": [{"name": listed, "country": "COD"}],
                "component_suppliers": [{"name": "Synthetic Optics", "country": "CHN"}],
                "maintenance": [{"name": "Synthetic Field Service KK", "country": "JPN"}],
                "risk_measures": ["vendor access logged"],
            }
        ),
        encoding="utf-8",
    )
    out, _ = run(capsys, "cases", "operators", "designate", "Another Telecom KK", "--sector",
                 "telecom", "--as", "ada", "--on", "2024-05-17")  # fmt: skip
    assert "Another Telecom KK designated in telecom from 2024-05-17" in out
    assert [
        o["name"] for o in run_json(capsys, "cases", "operators", "list", "--format", "json")
    ] == ["Another Telecom KK"]
    submit = ("cases", "infra", "submit", str(plan), "--as", "ada", "--workspace", "council-a")
    out, _ = run(capsys, *submit, "--received", "2025-01-10", "--concern", "CHN,RUS")
    assert "case 1 opened: review due 2025-02-09 (at most 2025-05-10)" in out
    assert "missing: supplier.ownership, supplier.officers" in out
    assert "operator: not designated in this sector" in out  # the register knows another
    assert f"manufacturer {listed}: listed as" in out and "un-sc" in out
    assert "component_supplier Synthetic Optics: country CHN of concern" in out
    shown = run_json(capsys, "cases", "show", "1", "--as", "ada", "--format", "json")
    assert shown["state"] == "received" and shown["data"]["operator"] == "Synthetic Telecom KK"
    checks = shown["data"]["checks"]
    assert checks["screened"] and checks["sector_known"] and checks["flags"] == 5
    code, _, err = fail(capsys, "cases", "show", "1", "--as", "lena")  # level too low
    assert code != 0 and "no case 1" in err
    run(capsys, "cases", "decide", "1", "start_review", "--as", "ada", "--on", "2025-01-12")
    out, _ = run(capsys, "cases", "extend", "1", "review", "4 months", "--as", "ada",
                 "--reason", "foreign components")  # fmt: skip
    assert "review now due 2025-05-10" in out
    code, _, err = fail(capsys, "cases", "extend", "1", "review", "5 months", "--as", "ada",
                        "--reason", "more")  # fmt: skip
    assert code != 0 and "beyond the limit" in err
    code, _, err = fail(capsys, "cases", "decide", "1", "order", "--as", "ada", "--reason", "x")
    assert code != 0 and "allowed: clear, recommend, withdraw" in err
    run(capsys, "cases", "decide", "1", "recommend", "--as", "ada", "--reason", "change supplier")
    code, _, err = fail(capsys, "cases", "decide", "1", "order", "--as", "rita", "--reason", "x")
    assert code != 0  # not allowed from 'recommended' anyway; and rita may not decide
    listed = run_json(capsys, "cases", "list", "--as", "ada", "--format", "json")
    assert [c["id"] for c in listed] == [1]
    assert (
        run_json(capsys, "cases", "list", "--due-within", "7d", "--as", "ada", "--format", "json")
        == []
    )  # fmt: skip  (the review clock stopped at the recommendation)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"reference": "X", "operator": "Y"}))
    code, _, err = fail(capsys, "cases", "infra", "submit", str(bad), "--as", "ada",
                        "--workspace", "council-a")  # fmt: skip
    assert code != 0 and "missing: sector, equipment" in err


def test_patent_import_opens_cases_with_their_clocks(
    world_env: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = applications_file(tmp_path)
    out, _ = run(capsys, "cases", "patents", "import", str(path), "--as", "ada", "--workspace",
                 "council-a", "--level", "secret", "--fields", str(FIELDS))  # fmt: skip
    matched = sum(1 for *_, fields, _ in LABELLED if fields)
    assert f"{len(LABELLED)} patent cases opened, {matched} in a specified field" in out
    first = run_json(capsys, "cases", "show", "1", "--as", "ada", "--format", "json")
    dues = {c["name"]: c["due"] for c in first["clocks"]}
    assert dues == {"referral": "2025-04-30", "foreign_ban": "2025-11-30"}
    assert first["data"]["screening"]["fields"] == [1]
    soon = run_json(capsys, "cases", "list", "--workflow", "patent", "--as", "ada", "--format",
                    "json")  # fmt: skip
    assert len(soon) == len(LABELLED)
    assert [c["next_due"] for c in soon] == sorted(c["next_due"] for c in soon)


def test_open_a_compensation_claim(world_env: World, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "cases", "open", "compensation", "--reference", "C-1", "--title",
                 "loss (synthetic)", "--as", "rita", "--workspace", "council-a")  # fmt: skip
    assert "case 1 opened (compensation, claimed)" in out
    code, _, err = fail(capsys, "cases", "open", "nonsense", "--reference", "R", "--title", "t",
                        "--as", "rita", "--workspace", "council-a")  # fmt: skip
    assert code != 0 and "no workflow 'nonsense'" in err and "compensation" in err


def test_the_issues_command_forms_as_written(
    world_env: World,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 7's forms, word for word: who acts and where cases go come from ECONSEC_AS and
    ECONSEC_WORKSPACE when the options are not given."""
    run(capsys, "data", "load", "infrastructure_sectors", str(SECTORS))
    run(capsys, "data", "load", "patent_fields", str(FIELDS))
    monkeypatch.setenv("ECONSEC_AS", "ada")
    monkeypatch.setenv("ECONSEC_WORKSPACE", "council-a")
    plan = tmp_path / "PLAN.json"
    plan.write_text(
        json.dumps(
            {"reference": "P-1", "operator": "Synthetic KK", "sector": "gas", "equipment": "valve"}
        ),
        encoding="utf-8",
    )
    assert "case 1 opened" in run(capsys, "cases", "infra", "submit", str(plan))[0]
    path = applications_file(tmp_path)
    assert "patent cases opened" in run(capsys, "cases", "patents", "import", str(path))[0]
    screened = run_json(capsys, "cases", "patents", "screen", str(path), "--format", "json")
    assert {"id", "fields", "needs_judgement", "referral_due", "designation_due"} <= set(
        screened[0]
    )
    soon = run(capsys, "cases", "list", "--due-within", "7d")[0]
    assert "syn-01" in soon and "P-1" not in soon  # overdue patent clocks; the plan has 30 days
    shown = run_json(capsys, "cases", "show", "1", "--format", "json")
    assert shown["reference"] == "P-1"
    assert "under_review" in run(capsys, "cases", "decide", "1", "start_review")[0]
