"""``econsec promote match``, ``match-multiuse`` and ``match-eval`` as a user runs them: real
SBIR topics as needs against real SBIR awards as seeds (a slice), and a synthetic pair of small
files for the error paths. The commands run through ``econsec promote``'s own Typer app (errors
raise, unformatted)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from econsec.cli.promote import app
from econsec.errors import DataError
from tests.conftest import shared_file


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Seeds: the SBIR awards of 2017 (real); needs: the Air Force 2015 topics (real), both in
    the contract's format (id, title, abstract/description)."""
    folder = tmp_path_factory.mktemp("match")
    awards = pq.read_table(
        shared_file("tech/sbir_awards_1983_2018.parquet"),
        columns=["sbir_award_id", "title", "abstract", "agency", "award_year"],
    )
    awards = awards.filter(pc.equal(awards["award_year"], 2017))
    seeds = folder / "seeds.parquet"
    pq.write_table(awards.rename_columns(["id", "title", "abstract", "agency", "year"]), seeds)
    topics = pq.read_table(shared_file("tech/dod_af_sbir_topics_2015.parquet"))
    needs = folder / "needs.csv"
    table = pa.table(
        {
            "id": topics["topic_number"],
            "title": topics["title"],
            "description": topics["description"],
            "agency": pa.array(["Department of Defense; Air Force"] * topics.num_rows),
        }
    )
    pcsv.write_csv(table, needs)
    return seeds, needs


def test_match_jsonl_contract(files: tuple[Path, Path]) -> None:
    seeds, needs = files
    out = run(
        "match", "--seeds", str(seeds), "--needs", str(needs), "--top", "5", "--format", "jsonl"
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 190  # one per Air Force topic
    first = lines[0]
    assert set(first) >= {"need", "matches"} and len(first["matches"]) == 5
    scores = [m["score"] for m in first["matches"]]
    assert scores == sorted(scores, reverse=True)
    match = first["matches"][0]
    assert set(match) >= {"seed", "score", "explanation"}
    assert match["explanation"]["terms"] and match["explanation"]["passage"]
    by_need = {line["need"]: line for line in lines}
    # AF151-019 asks for a TACP information display: the best seeds speak of displays
    terms = {t for m in by_need["AF151-019"]["matches"] for t in m["explanation"]["terms"]}
    assert "display" in terms


def test_match_table_and_methods(files: tuple[Path, Path]) -> None:
    seeds, needs = files
    out = run("match", "--seeds", str(seeds), "--needs", str(needs), "--top", "1", "-m", "bm25")
    assert "AF151-087" in out and "need" in out
    result = CliRunner().invoke(
        app, ["match", "--seeds", str(seeds), "--needs", str(needs), "--method", "lsa"]
    )
    assert result.exit_code == 2 and "choose one of bm25, semantic, hybrid" in result.output


def test_errors_name_file_line_and_field(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("id,title,abstract\na,T,x\na,U,y\n", encoding="utf-8")
    needs = tmp_path / "needs.csv"
    needs.write_text("id,text\nn,x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"seeds.csv, line 3, field 'id': duplicate id 'a'"):
        run("match", "--seeds", str(seeds), "--needs", str(needs))


def test_multiuse_synthetic(tmp_path: Path) -> None:
    # synthetic: one dressing seed matched by a defence and a health need
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(
        "id,text\ns1,hydrogel wound dressing for battlefield and hospital\ns2,grid battery\n",
        encoding="utf-8",
    )
    needs = tmp_path / "needs.csv"
    needs.write_text(
        "id,text,agency\nd,wound dressing for soldiers,Army\nh,wound care,NIH\ne,battery,DOE\n",
        encoding="utf-8",
    )
    out = run("match-multiuse", "--seeds", str(seeds), "--needs", str(needs), "-f", "json")
    assert json.loads(out) == [
        {"seed": "s1", "sector_count": 2, "sectors": {"defence": ["d"], "health": ["h"]}}
    ]
