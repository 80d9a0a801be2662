"""Publication datasets in the analytics store: the shipped real counts by default, loads of
the real counts file and of the SYNTHETIC works sample, read back identical; and the charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from econsec.datasets.openalex import read_works
from econsec.datasets.openalex_tables import read_counts
from econsec.errors import InvalidInput, NotFound
from econsec.promote.landscape import from_counts, from_works, landscape
from econsec.reports.landscape_charts import share_bars, share_lines, share_series
from econsec.store.analytics import AnalyticsStore
from econsec.store.landscapes import SHIPPED_NAME, Landscapes
from tests.conftest import shared_file

SAMPLE = Path(__file__).parent / "fixtures" / "openalex_works_synthetic.json"
COUNTS = "tech/openalex_ai_dl_works_by_country_year_2010_2020.csv"


def test_shipped_counts_are_there_before_any_load(store: AnalyticsStore) -> None:
    sets = Landscapes(store)
    listed = sets.list()
    assert [m["name"] for m in listed] == [SHIPPED_NAME]
    assert listed[0]["rows"] == 3045 and listed[0]["source"] == "counts"
    records = sets.records(SHIPPED_NAME)
    expected = from_counts(read_counts(shared_file(COUNTS)))
    assert records.yearly.equals(expected.yearly)
    with pytest.raises(NotFound, match="known: openalex_ai_dl"):
        sets.records("nope")


def test_load_read_back_and_delete(store: AnalyticsStore) -> None:
    sets = Landscapes(store)
    meta = sets.load([SAMPLE], "synthetic")
    assert meta["works"] == 16 and meta["citations"] is True and meta["years"] == [2019, 2020]
    meta = sets.load([shared_file(COUNTS)], "ai_dl")
    assert meta["rows"] == 3045 and meta["source"] == "counts"
    assert [m["name"] for m in sets.list()] == ["ai_dl", SHIPPED_NAME, "synthetic"]
    stored = landscape(sets.records("synthetic"), period=1).to_dict(top=None)
    direct = landscape(from_works(read_works(SAMPLE)), period=1).to_dict(top=None)
    assert stored == direct
    counts = landscape(sets.records("ai_dl")).leaders.to_pylist()
    assert [r["leader"] for r in counts] == ["CN", "CN", "US", "CN"]
    sets.delete("synthetic")
    assert "synthetic" not in [m["name"] for m in sets.list()]
    with pytest.raises(NotFound):
        sets.delete("synthetic")
    with pytest.raises(InvalidInput, match="invalid name"):
        sets.load([SAMPLE], "../etc")


def test_charts_from_the_real_counts(store: AnalyticsStore) -> None:
    result = landscape(Landscapes(store).records(SHIPPED_NAME), period=1)
    years, series = share_series(result, "Artificial intelligence", top=3)
    assert years == list(range(2010, 2021)) and list(series) == ["CN", "US", "IN"]
    assert series["CN"][-1] == pytest.approx(100 * 133_717 / 743_135)
    svg = share_lines(result, "Artificial intelligence", countries=["CN", "US", "JP"])
    assert svg.startswith("<svg") and 'role="img"' in svg and "share of all output" in svg
    assert "JP" in svg and "2020" in svg
    bars = share_bars(result, "Deep learning", "2020", top=5)
    assert "Deep learning, 2020" in bars and "CN" in bars
    assert "No data" in share_bars(result, "Deep learning", "1999")
