"""``econsec promote landscape ...`` as a user runs it, on the REAL OpenAlex counts (and the
SYNTHETIC works sample where works-level data is needed: no real works file exists)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests.cli import test_cli as cli
from tests.conftest import shared_file

SAMPLE = Path(__file__).parents[1] / "promote" / "fixtures" / "openalex_works_synthetic.json"
COUNTS = "tech/openalex_ai_dl_works_by_country_year_2010_2020.csv"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    """``econsec promote ARGS``, which must succeed; its stdout and stderr."""
    return cli.run(capsys, "promote", *args)


def fail(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``econsec promote ARGS``, which must exit non-zero; its stderr."""
    code, _, err = cli.fail(capsys, "promote", *args)
    assert code != 0
    return err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return cli.run_json(capsys, "promote", *args)


def test_json_on_the_real_counts(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "landscape", "--counts", str(shared_file(COUNTS)), "--format", "json")
    assert set(doc) == {
        "source", "counting", "metric", "windows", "thresholds", "rows", "leaders",
        "institutions", "notes",
    }  # fmt: skip
    assert doc["windows"] == ["2011-2015", "2016-2020"] and doc["metric"] == "share"
    lead = {(r["technology"], r["period"]): r["leader"] for r in doc["leaders"]}
    assert lead[("Artificial intelligence", "2016-2020")] == "CN"
    assert lead[("Deep learning", "2011-2015")] == "US"
    assert len(doc["rows"]) == 2 * 2 * 10  # top 10 countries per technology and window


def test_default_dataset_is_the_shipped_counts(
    env_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = run(capsys, "landscape", "--view", "leaders", "--area", "Deep learning")
    assert "Who leads (by share of all output)" in out and "Deep learning" in out
    assert "Artificial intelligence" not in out
    assert "note: who leads is by share of all output" in err
    out, _ = run(capsys, "landscape", "--period", "1", "--country", "JP", "--from", "2018")
    assert out.count(" JP ") == 6  # AI and DL in 2018, 2019 and 2020
    text, _ = run(capsys, "landscape", "--format", "csv", "--top", "1")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["country"] for r in rows] == ["CN", "CN", "US", "CN"]
    assert {"output_whole", "share", "growth", "rank", "top10_share"} <= set(rows[0])


def test_works_views_and_chart(
    env_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = run(capsys, "landscape", "--works", str(SAMPLE), "--period", "1")
    assert "fractional counting; rank by top-10 % share" in out and "54.2%" in out
    out, _ = run(
        capsys, "landscape", "--works", str(SAMPLE), "--period", "1", "--view", "institutions"
    )
    assert "Tokyo University (synthetic)" in out
    chart = tmp_path / "ai.svg"
    run(capsys, "landscape", "--works", str(SAMPLE), "--area", "ai_ml", "--period", "1",
        "--chart", str(chart))  # fmt: skip
    assert chart.read_text(encoding="utf-8").startswith("<svg")
    target = tmp_path / "leaders.parquet"
    run(capsys, "landscape", "--works", str(SAMPLE), "--view", "leaders", "--period", "2",
        "-f", "parquet", "-o", str(target))  # fmt: skip
    import pyarrow.parquet as pq

    assert pq.read_table(target).column("leader").to_pylist() == ["CN", "JP"]


def test_compare_with_aspi(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "landscape-compare", "--format", "json")
    latest = next(h for h in doc["headline"] if h["aspi_window"] == "2019-2023")
    assert (latest["aspi_china_leads"], latest["aspi_technologies"]) == (57, 64)
    assert latest["ours"]["window"] == "2016-2020" and latest["ours"]["leads"] == {"CN": 2}
    rows = {(r["aspi_technology"], r["technology"]): r for r in doc["technologies"]}
    nlp = rows[("Natural language processing", "Artificial intelligence")]
    assert nlp["aspi_leader"] == "US" and nlp["leader"] == "CN" and nlp["agree"] is False
    assert rows[("Machine learning", "Deep learning")]["agree"] is True
    out, err = run(capsys, "landscape-compare")
    assert "China leads 57 of 64; US 7" in out and "volume" in err


def test_load_list_delete(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, err = run(capsys, "landscape-load", str(SAMPLE), "--name", "synthetic")
    assert "16 works, 4 countries, 2019-2020, citations: yes" in err
    listed = run_json(capsys, "landscape-datasets", "--format", "json")
    assert [r["name"] for r in listed] == ["openalex_ai_dl", "synthetic"]
    doc = run_json(capsys, "landscape", "--dataset", "synthetic", "--period", "1", "-f", "json")
    assert doc["metric"] == "top10_share" and doc["counting"] == "fractional"
    _, err = run(capsys, "landscape-delete", "synthetic")
    assert "deleted" in err


def test_errors_are_one_line(
    env_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = fail(capsys, "landscape", "--counts", str(shared_file(COUNTS)), "--works", str(SAMPLE))
    assert "give one of --counts, --works or --dataset" in err
    err = fail(capsys, "landscape", "--counting", "fractional")
    assert "whole counts only" in err and err.count("\n") == 1
    err = fail(capsys, "landscape", "--view", "institutions")
    assert "name no institutions" in err
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "W1", "publication_year": "2020"}]', encoding="utf-8")
    err = fail(capsys, "landscape", "--works", str(bad))
    assert "bad.json, row 1, field 'publication_year'" in err
    err = fail(capsys, "landscape", "--dataset", "missing")
    assert "no landscape dataset named 'missing'" in err
