"""Works-level landscape on a SYNTHETIC sample in the exact OpenAlex work schema
(``fixtures/openalex_works_synthetic.json``; no real works-level file exists in ../shared/data).
Every expected figure below was computed by hand from the sample:

AI/ML 2020, ten works (citations 50, 50, 20, 10, 5, 3, 2, 1, 0, 0): the top 10 % are W1 and W2
(nobody has more citations; the tie keeps both). Fractional credit: W1 = JP, US, CN 1/3 each;
W2 = (RIKEN JP + MIT US) and Tokyo JP -> JP 1/4 + 1/2 = 3/4, US 1/4; W4: the author without an
affiliation is left out -> CN 1; W5: the institution has no country, the authorship's
``countries`` says GB -> GB 1; W8: four authorships -> CN 1/4, US 1/2, JP 1/4.
Totals 2020: JP 7/3, US 37/12, CN 43/12, GB 1 (sum 10); top 10 %: JP 13/12, US 7/12, CN 1/3.
AI/ML 2019: citations 30 (CN), 4 (US), 0 (JP): only the CN work is top 10 %.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from econsec.datasets.openalex import read_works
from econsec.datasets.openalex_tables import read_area_map
from econsec.errors import DataError
from econsec.promote.landscape import from_works, landscape
from econsec.promote.landscape_map import DEFAULT_RULES
from econsec.promote.landscape_records import top_decile

SAMPLE = Path(__file__).parent / "fixtures" / "openalex_works_synthetic.json"


@pytest.fixture(scope="module")
def works() -> list[dict[str, Any]]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _credit(table: Any, work: str) -> dict[str, float]:
    return {r["country"]: r["fractional"] for r in table.to_pylist() if r["work_id"] == work}


def test_fractional_counting_by_hand() -> None:
    ws = read_works(SAMPLE)
    assert ws.works.num_rows == 16 and ws.citations
    assert _credit(ws.countries, "W9000001") == pytest.approx(
        {"JP": 1 / 3, "US": 1 / 3, "CN": 1 / 3}
    )
    assert _credit(ws.countries, "W9000002") == pytest.approx({"JP": 0.75, "US": 0.25})
    assert _credit(ws.countries, "W9000004") == {"CN": 1.0}
    assert _credit(ws.countries, "W9000005") == {"GB": 1.0}
    assert _credit(ws.countries, "W9000008") == pytest.approx({"CN": 0.25, "US": 0.5, "JP": 0.25})
    per_work: dict[str, float] = {}
    for r in ws.countries.to_pylist():
        per_work[r["work_id"]] = per_work.get(r["work_id"], 0.0) + r["fractional"]
    assert len(per_work) == 16 and all(v == pytest.approx(1.0) for v in per_work.values())
    riken = [r for r in ws.institutions.to_pylist() if r["work_id"] == "W9000002"]
    assert {r["institution"]: r["fractional"] for r in riken} == {
        "RIKEN Lab (synthetic)": 0.25,
        "Massachusetts Institute (synthetic)": 0.25,
        "Tokyo University (synthetic)": 0.5,
    }


def test_top_decile_rule() -> None:
    cited = np.array([50, 50, 20, 10, 5, 3, 2, 1, 0, 0], dtype=float)
    assert top_decile(cited).tolist() == [True, True] + [False] * 8
    assert top_decile(np.array([30, 4, 0.0])).tolist() == [True, False, False]
    assert not top_decile(np.zeros(20)).any()  # uncited works are never "highly cited"
    mixed = top_decile(np.array([np.nan, 9, 1.0]))
    assert mixed.tolist() == [False, True, False]
    many = top_decile(np.arange(100, dtype=float))
    assert many.sum() == 10 and many[90:].all()


def test_annual_landscape_by_hand() -> None:
    result = landscape(from_works(read_works(SAMPLE)), period=1)
    assert result.metric == "top10_share" and result.counting == "fractional"
    rows = {(r["technology"], r["period"], r["country"]): r for r in result.shares.to_pylist()}
    jp, us, cn, gb = (rows[("ai_ml", "2020", c)] for c in ("JP", "US", "CN", "GB"))
    assert [r["output_whole"] for r in (jp, us, cn, gb)] == [4, 5, 5, 1]
    assert [r["output_fractional"] for r in (jp, us, cn, gb)] == pytest.approx(
        [7 / 3, 37 / 12, 43 / 12, 1]
    )
    assert cn["share"] == pytest.approx(43 / 120)
    assert [r["top10_whole"] for r in (jp, us, cn, gb)] == [2, 2, 1, 0]
    assert [r["top10_fractional"] for r in (jp, us, cn)] == pytest.approx([13 / 12, 7 / 12, 1 / 3])
    assert jp["top10_share"] == pytest.approx(13 / 24) and jp["rank"] == 1 and cn["rank"] == 3
    assert cn["growth"] == pytest.approx(43 / 12 - 1) and gb["growth"] is None
    lead = {(r["technology"], r["period"]): r for r in result.leaders.to_pylist()}
    # Japan leads AI/ML 2020 by top-10 % share though China has the most output
    assert lead[("ai_ml", "2020")]["leader"] == "JP"
    assert lead[("ai_ml", "2020")]["ratio"] == pytest.approx(13 / 7)
    assert lead[("ai_ml", "2020")]["risk"] == "low"
    assert lead[("ai_ml", "2020")]["lead_institutions"] == 2  # Tokyo and RIKEN
    # 2019: only China has a top-10 % paper: a sole leader, high risk
    assert lead[("ai_ml", "2019")]["leader"] == "CN" and lead[("ai_ml", "2019")]["second"] is None
    assert lead[("ai_ml", "2019")]["risk"] == "high"
    assert "1 of 16 works match no area of the map" in result.notes


def test_two_year_window_and_whole_counting() -> None:
    records = from_works(read_works(SAMPLE))
    result = landscape(records, period=2)
    lead = {r["technology"]: r for r in result.leaders.to_pylist()}
    # top 10 % over 2019-2020: CN 1/3 + 1 = 4/3, JP 13/12, US 7/12 (of 3)
    assert lead["ai_ml"]["leader"] == "CN" and lead["ai_ml"]["second"] == "JP"
    assert lead["ai_ml"]["leader_share"] == pytest.approx(4 / 9)
    assert lead["ai_ml"]["ratio"] == pytest.approx((4 / 3) / (13 / 12))
    whole = landscape(records, period=2, counting="whole", lead_by="output")
    row = next(
        r for r in whole.shares.to_pylist() if r["country"] == "US" and r["technology"] == "ai_ml"
    )
    assert row["output_whole"] == 6 and row["share"] == pytest.approx(6 / 18)


def test_top_institutions_by_hand() -> None:
    result = landscape(from_works(read_works(SAMPLE)), period=1)
    top = [
        r
        for r in result.institutions.to_pylist()
        if r["period"] == "2020" and r["technology"] == "ai_ml"
    ]
    assert [r["institution"].split()[0] for r in top] == [
        "Tokyo",
        "Massachusetts",
        "Tsinghua",
        "RIKEN",
        "Stanford",
        "Unlocated",
    ]
    assert top[0]["top10_fractional"] == pytest.approx(5 / 6)
    assert top[2]["output_fractional"] == pytest.approx(43 / 12)
    assert top[5]["country"] is None


def test_areas_count_each_work_once_and_respect_scores() -> None:
    ws = read_works(SAMPLE)
    records = from_works(ws)
    assert records.works[("ai_ml", 2020)] == 10  # W1 (concept + topic) and W3 (AI + DL) once
    assert records.works[("quantum", 2020)] == 2
    strict = from_works(ws, min_score=0.3)
    assert strict.works[("quantum", 2020)] == 1  # W15's quantum concept scores 0.2


def test_user_area_map(tmp_path: Path) -> None:
    csv = tmp_path / "map.csv"
    csv.write_text(
        "kind,id,area,name\nconcept,https://openalex.org/C41008148,data_science,Computer science\n"
        "subfield,https://openalex.org/subfields/1702,ai_ml,\n",
        encoding="utf-8",
    )
    rules = read_area_map(csv)
    assert [(r.kind, r.label_id, r.area) for r in rules] == [
        ("concept", "C41008148", "data_science"),
        ("subfield", "1702", "ai_ml"),
    ]
    records = from_works(read_works(SAMPLE), rules)
    assert records.works == {("data_science", 2020): 1, ("ai_ml", 2020): 1}
    csv.write_text("kind,id,area,name\nconcept,C1,AI ML,\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2, field 'area'"):
        read_area_map(csv)
    assert all(
        r.area in {"ai_ml", "quantum", "robotics", "cybersecurity", "data_science", "ict_network"}
        for r in DEFAULT_RULES
    )


def test_every_input_form_reads_the_same(works: list[dict[str, Any]], tmp_path: Path) -> None:
    lines = tmp_path / "part_000.gz"
    lines.write_bytes(gzip.compress("\n".join(json.dumps(w) for w in works).encode()))
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(0, 16, 6):  # API pages; the last page repeats a work of the previous one
        page = {"meta": {"count": 16, "next_cursor": None}, "results": works[max(i - 1, 0) : i + 6]}
        (pages / f"page_{i:02d}.json").write_text(json.dumps(page), encoding="utf-8")
    base = read_works(SAMPLE)
    for other in (read_works(lines), read_works(pages)):
        assert other.works.sort_by("work_id").equals(base.works.sort_by("work_id"))
        assert other.countries.num_rows == base.countries.num_rows
    assert read_works(pages).notes == ("2 repeated works (same id) were counted once",)


def test_citations_absent(works: list[dict[str, Any]], tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text(
        json.dumps([{k: v for k, v in w.items() if k != "cited_by_count"} for w in works])
    )
    records = from_works(read_works(bare))
    assert not records.citations
    result = landscape(records, period=1)
    assert result.metric == "share"
    assert all(
        r["top10_share"] is None and r["top10_whole"] is None for r in result.shares.to_pylist()
    )


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda w: w.pop("publication_year"), "row 3, field 'publication_year'"),
        (lambda w: w.update(cited_by_count=-1), "row 3, field 'cited_by_count'"),
        (
            lambda w: w["authorships"][1]["institutions"][0].update(country_code="Japan"),
            "row 3, field 'authorships[1].institutions[0].country_code'",
        ),
        (lambda w: w.update(concepts={"id": "C1"}), "row 3, field 'concepts'"),
        (lambda w: w.update(id=""), "row 3, field 'id'"),
    ],
)
def test_bad_works_name_row_and_field(
    works: list[dict[str, Any]], tmp_path: Path, edit: Any, where: str
) -> None:
    broken = json.loads(json.dumps(works))
    edit(broken[2])
    path = tmp_path / "works.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(DataError) as error:
        read_works(path)
    assert where in error.value.message


def test_bad_json_lines_name_the_line(works: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl"
    text = [json.dumps(w) for w in works]
    text[4] = text[4][:-5]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"works\.jsonl, line 5: invalid JSON"):
        read_works(path)
    empty = tmp_path / "empty.json"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="file is empty"):
        read_works(empty)
    empty.write_text('{"meta": {}}', encoding="utf-8")
    with pytest.raises(DataError, match="not OpenAlex works"):
        read_works(empty)
