"""The SBIR sample shipped for seeds-needs matching (data/tech/PROVENANCE.md): the files are
what PROVENANCE says (checked against ../shared/data/tech when present), read_sample's counts,
and a real matching run on the sample for topic AF151-019, the one Air Force 15.1 topic an
award cites by number."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from econsec.datasets.sbir_sample import (
    MIXED_COLUMNS,
    NEEDS_FILE,
    NEEDS_ID,
    OTHER_NEEDS_FILE,
    SEEDS_FILE,
    SEEDS_ID,
    cited,
    read_sample,
)
from econsec.promote.matching import NeedMatches, match_tables
from econsec.promote.matching_sectors import need_sectors
from tests.conftest import SHIPPED, shared_file

# SHA-256 of the shipped files, as data/tech/PROVENANCE.md gives them.
NEEDS_SHA = "3521d8d629d107cf8d9f5ebc7106230a6a8f28510481653ad10e3b46ed12f4e0"
SEEDS_SHA = "93fa98aac80e63b6f6d99a60885fd16f70e8c789b551783e051c31df01ae11f1"
OTHER_NEEDS_SHA = "b6ce9c44d8b1ca55075f3e504e72e79691a87cc5c7b35852e7e10353c71d3b36"
SEEDS_COLUMNS = [
    "sbir_award_id",
    "title",
    "abstract",
    "agency",
    "branch",
    "phase",
    "award_year",
    "comp_name",
    "solicit_topic_code",
]
TOPIC = "AF151-019"
CITING = "1470481"  # SOCOM Phase II 2017, Creative Microsystems, cites AF151-019
SAME_TITLE = "1412305"  # Air Force Phase II 2016, same firm, title = the topic's title


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample() -> tuple[pa.Table, pa.Table]:
    return read_sample()


def test_shipped_files_are_those_of_provenance() -> None:
    assert _sha256(SHIPPED / NEEDS_FILE) == NEEDS_SHA
    assert _sha256(SHIPPED / SEEDS_FILE) == SEEDS_SHA
    assert f"`{Path(SEEDS_FILE).name}`" in (SHIPPED / "tech/PROVENANCE.md").read_text("utf-8")


def test_needs_file_is_a_copy_of_the_shared_file() -> None:
    shared = shared_file("tech/dod_af_sbir_topics_2015.parquet")
    assert _sha256(shared) == _sha256(SHIPPED / NEEDS_FILE) == NEEDS_SHA


def test_seeds_are_the_shared_rows_of_the_documented_filter() -> None:
    # PROVENANCE: agency "Department of Defense" and 2013 <= award_year <= 2017, or a
    # solicit_topic_code that is one of the 190 topic numbers; nine columns; rows unchanged;
    # sorted by award_year, then sbir_award_id (as text).
    awards = pq.read_table(shared_file("tech/sbir_awards_1983_2018.parquet"))
    topics = pq.read_table(shared_file("tech/dod_af_sbir_topics_2015.parquet"))
    numbers = pa.array(sorted(set(topics["topic_number"].to_pylist())))
    year = awards["award_year"]
    dod = pc.and_(
        pc.equal(awards["agency"], "Department of Defense"),
        pc.and_(pc.greater_equal(year, 2013), pc.less_equal(year, 2017)),
    )
    cites = pc.is_in(awards["solicit_topic_code"], value_set=numbers)
    # every citing award is a DoD award of those years: the second clause adds no row
    assert pc.sum(pc.and_(cites, pc.invert(pc.fill_null(dod, False)))).as_py() == 0
    mask = pc.or_(pc.fill_null(dod, False), pc.fill_null(cites, False))
    expected = (
        awards.filter(mask)
        .select(SEEDS_COLUMNS)
        .sort_by([("award_year", "ascending"), ("sbir_award_id", "ascending")])
    )
    shipped = pq.read_table(SHIPPED / SEEDS_FILE)
    assert shipped.num_rows == expected.num_rows == 3_231
    assert shipped.equals(expected, check_metadata=False)


def test_read_sample_counts(sample: tuple[pa.Table, pa.Table]) -> None:
    seeds, needs = sample
    assert (SEEDS_ID, NEEDS_ID) == ("sbir_award_id", "topic_number")
    assert seeds.num_rows == 3_231 and needs.num_rows == 190
    assert seeds.column_names == [
        "id",
        "text",
        "title",
        "agency",
        "branch",
        "phase",
        "award_year",
        "comp_name",
        "solicit_topic_code",
    ]
    assert needs.column_names == ["id", "text", "title", "agency", "program", "url"]
    assert set(seeds["agency"].to_pylist()) == {"Department of Defense"}
    years = [int(y) for y in seeds["award_year"].to_pylist()]
    assert {y: years.count(y) for y in sorted(set(years))} == {
        2013: 839,
        2014: 715,
        2015: 734,
        2016: 697,
        2017: 246,
    }
    assert pc.count(seeds["solicit_topic_code"]).as_py() == 130
    assert seeds["branch"].to_pylist().count("Air Force") == 971
    assert needs["program"].to_pylist().count("SBIR") == 160  # and 30 STTR
    # the file says "AirForce"; read_sample writes it out so that it maps to defence
    assert set(needs["agency"].to_pylist()) == {"Department of Defense; Air Force"}
    sectors = need_sectors(needs["id"].to_pylist(), None, needs["agency"].to_pylist())
    assert set(sectors.values()) == {"defence"}


def test_award_citing_af151_019_is_in_the_seeds(sample: tuple[pa.Table, pa.Table]) -> None:
    seeds, needs = sample
    assert cited(seeds, TOPIC) == [CITING]
    assert TOPIC in needs["id"].to_pylist()
    # no other seed cites any of the 190 topics
    numbers = set(needs["id"].to_pylist())
    assert [c for c in seeds["solicit_topic_code"].to_pylist() if c in numbers] == [TOPIC]


@pytest.fixture(scope="module")
def top10(sample: tuple[pa.Table, pa.Table]) -> dict[str, list[str]]:
    seeds, needs = sample
    out: dict[str, list[str]] = {}
    for method in ("bm25", "hybrid"):
        results, multi = match_tables(seeds, needs, top=10, method=method)
        assert multi == []  # every need is defence: no seed can serve two sectors
        found: NeedMatches = next(r for r in results if r.need == TOPIC)
        out[method] = [m.seed for m in found.matches]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("method", ["bm25", "hybrid"])
def test_same_title_air_force_award_ranks_first(top10: dict[str, list[str]], method: str) -> None:
    # Not a code link (its solicit_topic_code is empty), but the award's title is the topic's
    # title word for word, from the firm that won the citing award: the Phase II of AF151-019.
    assert top10[method][0] == SAME_TITLE


def test_other_needs_are_the_shared_topics_of_2015_outside_defence() -> None:
    # PROVENANCE: the rows of the closed-topic list whose close date (else release date) is in
    # 2015 and whose agency_top is not the Department of Defense; all columns, rows unchanged,
    # in the list's order.
    assert _sha256(SHIPPED / OTHER_NEEDS_FILE) == OTHER_NEEDS_SHA
    shared = pq.read_table(shared_file("tech/sbir_closed_topics_fy2008_2018.parquet"))
    rows = shared.to_pylist()
    keep = [
        i
        for i, r in enumerate(rows)
        if (r["close_date"] or r["release_date"]) is not None
        and (r["close_date"] or r["release_date"]).year == 2015
        and r["agency_top"] != "Department of Defense"
    ]
    shipped = pq.read_table(SHIPPED / OTHER_NEEDS_FILE)
    assert shipped.equals(shared.take(pa.array(keep)))


def test_the_mixed_needs_span_six_sectors() -> None:
    _seeds, needs = read_sample("mixed")
    assert needs.column_names == list(MIXED_COLUMNS)
    assert needs.num_rows == 190 + 599
    ids = needs["id"].to_pylist()
    assert len(set(ids)) == len(ids) and ids[0].startswith("AF151-") and ids[190] == "row 1"
    sectors = need_sectors(ids, None, needs["agency"].to_pylist())
    counts = {s: list(sectors.values()).count(s) for s in set(sectors.values())}
    # NSF, Commerce, DOT and USDA are civil; DOE energy; NASA space; HHS health; DHS public safety
    assert counts == {
        "defence": 190,
        "civil": 199 + 37 + 18 + 6,
        "energy": 148,
        "space": 120,
        "health": 62,
        "public_safety": 9,
    }
