"""Property tests of the indicators on SYNTHETIC flows (hypothesis draws them; real country and
product codes, invented values): shares add up to one and 1/n <= HHI <= 1 whatever the data."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from econsec.datasets.catalogue import Catalogue
from econsec.engine.duckdb import DuckDBEngine
from econsec.know.indicators import indicators
from econsec.know.suppliers import supplier_shares
from econsec.store.analytics import AnalyticsStore
from tests.conftest import SHIPPED

CODES = {4: "AFG", 36: "AUS", 156: "CHN", 392: "JPN", 410: "KOR", 842: "USA", 76: "BRA"}
PRODUCTS = ("850511", "810194", "280469")
flow = st.tuples(
    st.sampled_from(sorted(CODES)),
    st.sampled_from(sorted(CODES)),
    st.sampled_from(PRODUCTS),
    st.integers(min_value=1, max_value=10**9),
)  # value in thousandths of kUSD


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(flow, min_size=1, max_size=60, unique_by=lambda f: (f[0], f[1], f[2])))
def test_indicator_invariants(flows: list[tuple[int, int, str, int]]) -> None:
    flows = [f for f in flows if f[0] != f[1]]
    if not flows:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "SYNTHETIC_BACI_HS17_Y2024.csv"
        path.write_text(
            "t,i,j,k,v,q\n" + "".join(f"2024,{i},{j},{k},{v / 1000:.3f},\n" for i, j, k, v in flows)
        )
        catalogue = Catalogue(AnalyticsStore(Path(tmp) / "a.duckdb", threads=1))
        catalogue.load("baci_countries", SHIPPED / "trade/baci_country_codes_V202301.csv")
        catalogue.load("baci", path)
        engine = DuckDBEngine(catalogue)
        table = indicators(engine, years=[2024])
        for row in table.to_pylist():
            assert 1 / row["n_suppliers"] - 1e-9 <= row["hhi"] <= 1 + 1e-9
            assert row["top_supplier_share"] <= row["top3_share"] + 1e-9 <= 1 + 2e-9
            assert 0 < row["world_import_share"] <= 1 + 1e-9
            assert 0 < row["world_export_hhi"] <= 1 + 1e-9
        expected: dict[tuple[str, str], int] = defaultdict(int)
        for _, j, k, _v in flows:
            expected[(CODES[j], k)] += 1
        assert {(r["importer"], r["product"]): r["n_suppliers"] for r in table.to_pylist()} == dict(
            expected
        )
        for importer in {r["importer"] for r in table.to_pylist()}:
            shares = supplier_shares(engine, importer=importer, year=2024)
            totals = shares.group_by("product").aggregate([("share", "sum")])
            assert pc.all(pc.less(pc.abs(pc.subtract(totals["share_sum"], 1.0)), 1e-9)).as_py()
