"""The technology landscape on the REAL OpenAlex group-by counts (AI and deep learning by country
and year, 2010-2020): the published check figures, shares and leaders recomputed independently
from the CSV, growth, and the loader's errors on broken copies of the real file."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.datasets.openalex_tables import COUNTS_FILE, read_counts
from econsec.errors import DataError, InvalidInput
from econsec.promote.landscape import Records, from_counts, landscape, monopoly_risk, windows
from tests.conftest import SHIPPED, shared_file

AI, DL = "Artificial intelligence", "Deep learning"


@pytest.fixture(scope="module")
def path() -> Path:
    return shared_file("tech/openalex_ai_dl_works_by_country_year_2010_2020.csv")


@pytest.fixture(scope="module")
def records(path: Path) -> Records:
    return from_counts(read_counts(path))


@pytest.fixture(scope="module")
def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _totals(rows: list[dict[str, str]], concept: str, lo: int, hi: int) -> Counter[str]:
    """Independent sum of works_count by country over years lo..hi (plain csv module)."""
    found: Counter[str] = Counter()
    for r in rows:
        if r["concept"] == concept and lo <= int(r["year"]) <= hi:
            found[r["country_code"]] += int(r["works_count"])
    return found


def test_the_shipped_copy_is_the_real_file(path: Path) -> None:
    shipped = SHIPPED / COUNTS_FILE
    assert (
        hashlib.sha256(shipped.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
    )


def test_reader_gives_the_published_check_figures(path: Path) -> None:
    table = read_counts(path)
    assert table.num_rows == 3045
    assert table.column_names == ["concept", "concept_id", "year", "country", "works_count"]
    by = {(r["concept"], r["year"], r["country"]): r["works_count"] for r in table.to_pylist()}
    # PROVENANCE.md: AI in 2020: CN 133,717; US 123,434; IN 39,782; GB 36,399; DE 30,247
    assert by[(AI, 2020, "CN")] == 133_717 and by[(AI, 2020, "US")] == 123_434
    assert by[(AI, 2020, "IN")] == 39_782 and by[(AI, 2020, "GB")] == 36_399
    assert by[(AI, 2020, "DE")] == 30_247
    countries = Counter(r["concept"] for r in table.to_pylist())
    assert countries == {AI: 2159, DL: 886}
    assert len({c for (t, _, c) in by if t == AI}) == 220
    assert len({c for (t, _, c) in by if t == DL}) == 161
    assert set(table["concept_id"].to_pylist()) == {"C154945302", "C108583219"}


def test_who_leads_ai_and_deep_learning_per_five_year_window(
    path: Path, rows: list[dict[str, str]]
) -> None:
    result = landscape(from_counts(read_counts(path)))
    assert [w.label for w in result.windows] == ["2011-2015", "2016-2020"]
    assert result.metric == "share" and result.counting == "whole"
    assert any("2010 does not fill a whole window" in n for n in result.notes)
    assert any("not ASPI's share of the top 10 %" in n for n in result.notes)
    leaders = {(r["technology"], r["period"]): r for r in result.leaders.to_pylist()}
    for (tech, period), row in leaders.items():
        lo, hi = map(int, period.split("-"))
        counts = _totals(rows, tech, lo, hi)
        (first, a), (second, b) = counts.most_common(2)
        assert (row["leader"], row["second"]) == (first, second)
        assert row["leader_share"] == pytest.approx(a / sum(counts.values()), rel=1e-12)
        assert row["ratio"] == pytest.approx(a / b, rel=1e-12)
        assert row["area"] == "ai_ml" and row["risk"] == "low"
        jp = sorted(counts, key=lambda c: (-counts[c], c)).index("JP") + 1
        assert row["focus_rank"] == jp
    # China leads AI in both windows, by a hair in 2016-2020 (501,604 v 496,294 credits)
    assert leaders[(AI, "2016-2020")]["leader"] == "CN"
    assert leaders[(AI, "2016-2020")]["ratio"] == pytest.approx(501_604 / 496_294)
    # deep learning: the US led 2011-2015, China 2016-2020
    assert leaders[(DL, "2011-2015")]["leader"] == "US"
    assert leaders[(DL, "2016-2020")]["leader"] == "CN"


def test_shares_and_growth_match_an_independent_computation(
    path: Path, rows: list[dict[str, str]]
) -> None:
    result = landscape(from_counts(read_counts(path)), technologies=[AI])
    cn = {r["period"]: r for r in result.shares.to_pylist() if r["country"] == "CN"}
    before, after = _totals(rows, AI, 2011, 2015), _totals(rows, AI, 2016, 2020)
    assert cn["2016-2020"]["output_whole"] == after["CN"] == 501_604
    assert cn["2016-2020"]["share"] == pytest.approx(after["CN"] / sum(after.values()))
    growth = (after["CN"] / before["CN"]) ** (1 / 5) - 1
    assert cn["2016-2020"]["growth"] == pytest.approx(growth) and cn["2011-2015"]["growth"] is None
    assert cn["2016-2020"]["output_fractional"] is None and cn["2016-2020"]["top10_share"] is None
    for period in ("2011-2015", "2016-2020"):
        shares = [r["share"] for r in result.shares.to_pylist() if r["period"] == period]
        assert sum(shares) == pytest.approx(1.0)


def test_annual_leaders_and_japan(path: Path, rows: list[dict[str, str]]) -> None:
    result = landscape(from_counts(read_counts(path)), period=1, technologies=["ai_ml"])
    ai = {r["period"]: r for r in result.leaders.to_pylist() if r["technology"] == AI}
    assert len(ai) == 11  # 2010..2020: every year a window
    assert ai["2020"]["leader"] == "CN"
    total = sum(_totals(rows, AI, 2020, 2020).values())
    assert ai["2020"]["leader_share"] == pytest.approx(133_717 / total)
    # the lead changed hands: China 2010-2014, the US 2015-2017, China 2018-2020
    assert "".join(ai[str(y)]["leader"][0] for y in range(2010, 2021)) == "CCCCCUUUCCC"
    jp = [r for r in result.rows(countries=["jp"]) if r["technology"] == AI]
    assert len(jp) == 11 and all(r["country"] == "JP" for r in jp)


def test_counts_cannot_do_what_needs_works(path: Path) -> None:
    records = from_counts(read_counts(path))
    with pytest.raises(InvalidInput, match="whole counts only"):
        landscape(records, counting="fractional")
    with pytest.raises(InvalidInput, match="no citation counts"):
        landscape(records, lead_by="top10")
    with pytest.raises(InvalidInput, match="no technology or area quantum"):
        landscape(records, technologies=["quantum"])
    with pytest.raises(InvalidInput, match="does not fit"):
        landscape(records, period=12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("2020,CN,133717", "2020,CN,lots", 1),
            "line 1961, field 'works_count'",
        ),
        (lambda t: t.replace(",2020,CN,", ",2020,China,", 1), "field 'country_code'"),
        (lambda t: t + t.splitlines()[1] + "\n", "duplicate key"),
        (
            lambda t: t.replace("concept_id", "concept_identifier", 1),
            "missing column(s) concept_id",
        ),
        (lambda t: t.replace("Deep learning,C108583219", "DL,C108583219", 1), "is named"),
    ],
)
def test_broken_copies_of_the_real_file_name_line_and_field(
    path: Path, tmp_path: Path, change: object, message: str
) -> None:
    broken = tmp_path / "counts.csv"
    broken.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(DataError) as error:
        read_counts(broken)
    assert message in error.value.message and "counts.csv" in error.value.message


def test_windows_end_at_the_last_year() -> None:
    assert [w.label for w in windows(2010, 2020, 5)] == ["2011-2015", "2016-2020"]
    assert [w.label for w in windows(2010, 2020, 5, 1)][:2] == ["2010-2014", "2011-2015"]
    assert len(windows(2010, 2020, 5, 1)) == 7
    assert [w.label for w in windows(2019, 2020, 1)] == ["2019", "2020"]
    with pytest.raises(InvalidInput):
        windows(2021, 2020)
    with pytest.raises(InvalidInput):
        windows(2010, 2020, 0)


def test_monopoly_risk_thresholds() -> None:
    assert monopoly_risk(3.0) == "high" and monopoly_risk(None) == "high"
    assert monopoly_risk(2.99) == "medium" and monopoly_risk(2.0) == "medium"
    assert monopoly_risk(1.99) == "low"
    assert monopoly_risk(2.5, high=2.5, medium=1.5) == "high"


@settings(max_examples=40, deadline=None)
@given(period=st.integers(1, 11), step=st.integers(1, 6))
def test_shares_sum_to_one_in_every_window(records: Records, period: int, step: int) -> None:
    result = landscape(records, period=period, step=step)
    sums: Counter[tuple[str, str]] = Counter()
    for r in result.shares.to_pylist():
        sums[(r["technology"], r["period"])] += r["share"]
    assert sums and all(v == pytest.approx(1.0) for v in sums.values())
    assert len(result.leaders) == len(sums)
