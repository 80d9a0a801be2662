"""``econsec cases patents screen`` on the labelled SYNTHETIC applications of
tests/cases/test_patent_screening_synthetic.py, with the fields from the loaded policy data (the
shipped patent_secrecy_fields.yaml) or from a file; the JSON contract keys of issue 7."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cases.test_patent_screening_synthetic import FIELDS, LABELLED, applications_file
from tests.cli.test_cli import fail, run, run_json


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
