"""Mirror flows on real data: Comtrade 2024 as reported against BACI HS17 2024 (V202601), checked
against plain DuckDB SQL on the source files."""

from __future__ import annotations

import statistics
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.datasets.comtrade import AREAS, COMTRADE
from econsec.datasets.registry import REGISTRY
from econsec.engine.duckdb import DuckDBEngine
from econsec.errors import Conflict, NotFound
from econsec.know.mirror import MIRROR_SCHEMA, TOTALS_SCHEMA, mirror_flows, reporting_totals
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore
from tests.conftest import shared_file
from tests.engine.test_parity import _spark_available

COMTRADE_FILE = "trade/comtrade_raw_critical_materials_2022_2024.parquet"
BACI_FILE = "trade/baci_hs17_2024_critical_materials.parquet"
COUNTRIES = "trade/baci_country_codes_V202301.csv"


@pytest.fixture
def mirrored(store: AnalyticsStore) -> Catalogue:
    """BACI country codes, the BACI HS17 2024 critical-materials matrix and Comtrade 2022/2024."""
    catalogue = Catalogue(store, {**REGISTRY, "comtrade": COMTRADE})
    catalogue.load("baci_countries", shared_file(COUNTRIES))
    catalogue.load("baci", shared_file(BACI_FILE))
    catalogue.load("comtrade", shared_file(COMTRADE_FILE))
    return catalogue


def _source(sql: str) -> list[tuple[object, ...]]:
    """Plain DuckDB over the source files: {comtrade}, {baci}, {countries}."""
    files = {
        "comtrade": f"read_parquet('{shared_file(COMTRADE_FILE)}')",
        "baci": f"read_parquet('{shared_file(BACI_FILE)}')",
        "countries": f"read_csv('{shared_file(COUNTRIES)}')",
    }
    return duckdb.connect().execute(sql.format(**files)).fetchall()


def _rows(table: pa.Table, **match: object) -> list[dict[str, object]]:
    return [r for r in table.to_pylist() if all(r[k] == v for k, v in match.items())]


def test_japan_magnets_against_the_source_files(mirrored: Catalogue) -> None:
    table = mirror_flows(DuckDBEngine(mirrored), 2024, reporter="JPN", hs6=["850511"])
    assert table.schema == MIRROR_SCHEMA
    assert {(r["reporter"], r["hs6"]) for r in table.to_pylist()} == {("JPN", "850511")}
    assert not {"WLD", "X_AREAS_NES"} & set(table["partner"].to_pylist())
    reported, baci_kusd = _source(
        "SELECT (SELECT sum(CAST(value_usd AS DECIMAL(18,3))) FROM {comtrade} WHERE year = 2024 "
        "AND reporter_m49 = 392 AND partner_m49 = 156 AND hs6 = '850511' AND flow = 'M'), "
        "(SELECT sum(CAST(value_kusd AS DECIMAL(18,3))) FROM {baci} WHERE exporter_iso3 = 'CHN' "
        "AND importer_iso3 = 'JPN' AND hs6 = '850511')"
    )[0]
    assert (reported, baci_kusd) == (Decimal("157519221.538"), Decimal("156879.570"))
    [china] = _rows(table, partner="CHN", flow="M")
    assert china["reported_usd"] == reported
    assert china["baci_usd"] == Decimal("156879570.000")  # BACI CHN -> JPN, thousand USD x 1000
    assert china["gap_usd"] == Decimal("639651.538")
    assert china["ratio"] == pytest.approx(157_519_221.538 / 156_879_570, rel=1e-12)
    # Exports are FOB on both sides: Japan's report to China against BACI JPN -> CHN.
    [exports] = _rows(table, partner="CHN", flow="X")
    baci_exports = _source(
        "SELECT sum(CAST(value_kusd AS DECIMAL(18,3))) FROM {baci} WHERE exporter_iso3 = 'JPN' "
        "AND importer_iso3 = 'CHN' AND hs6 = '850511'"
    )[0][0]
    assert exports["reported_usd"] == Decimal("39361414.568")
    assert exports["baci_usd"] == baci_exports * 1000  # type: ignore[operator]
    # BACI has Australia -> Japan (from Australia's declaration); Japan named no such partner.
    [australia] = _rows(table, partner="AUS", flow="M")
    assert (australia["reported_usd"], australia["baci_usd"]) == (None, Decimal("615229.000"))
    assert (australia["ratio"], australia["gap_usd"]) == (None, Decimal("-615229.000"))


def test_japan_imports_cif_against_baci_fob(mirrored: Catalogue) -> None:
    table = mirror_flows(DuckDBEngine(mirrored), 2024, reporter="JPN")
    pairs = [r for r in _rows(table, flow="M") if r["ratio"] is not None]
    # The same pairs, independently: Japan's partner rows joined to BACI's flows into Japan.
    independent = _source("""
        WITH iso AS (
            SELECT country_code AS code,
                   coalesce(iso_3digit_alpha, CASE country_code WHEN 490 THEN 'S19' END) AS iso3
            FROM {countries}
        ), reported AS (
            SELECT iso.iso3, c.hs6, sum(CAST(c.value_usd AS DECIMAL(18,3))) AS usd
            FROM {comtrade} c JOIN iso ON iso.code = c.partner_m49
            WHERE c.year = 2024 AND c.reporter_m49 = 392 AND c.flow = 'M' GROUP BY ALL
        ), baci AS (
            SELECT exporter_iso3 AS iso3, hs6, sum(CAST(value_kusd AS DECIMAL(18,3))) AS kusd
            FROM {baci} WHERE importer_iso3 = 'JPN' GROUP BY ALL
        )
        SELECT count(*), sum(usd), sum(kusd) * 1000 FROM reported JOIN baci USING (iso3, hs6)
    """)
    assert independent == [
        (
            len(pairs),
            sum(r["reported_usd"] for r in pairs),  # type: ignore[misc]
            sum(r["baci_usd"] for r in pairs),  # type: ignore[misc]
        )
    ]
    assert len(pairs) == 238
    # CIF above FOB: Japan's reports total 10.5 % above BACI on the same pairs, and 165 of 238
    # pairs are at or above BACI; 69 of those equal BACI to the dollar (BACI kept Japan's value),
    # which puts the median ratio at 1.
    reported = sum(float(r["reported_usd"]) for r in pairs)  # type: ignore[arg-type]
    baci = sum(float(r["baci_usd"]) for r in pairs)  # type: ignore[arg-type]
    assert round(reported / baci, 3) == 1.105
    ratios = [float(r["ratio"]) for r in pairs]  # type: ignore[arg-type]
    assert sum(x >= 1 - 1e-4 for x in ratios) == 165
    assert sum(abs(x - 1) < 1e-4 for x in ratios) == 69
    assert statistics.median(ratios) == pytest.approx(1.0, abs=1e-6)
    # Exports (FOB both sides) show no such markup: Japan reports 7.7 % less than BACI.
    exports = [r for r in _rows(table, flow="X") if r["ratio"] is not None]
    x_reported = sum(float(r["reported_usd"]) for r in exports)  # type: ignore[arg-type]
    x_baci = sum(float(r["baci_usd"]) for r in exports)  # type: ignore[arg-type]
    assert round(x_reported / x_baci, 3) == 0.923


def test_world_rows_add_up_to_the_partner_rows(mirrored: Catalogue) -> None:
    table = reporting_totals(DuckDBEngine(mirrored), 2024)
    assert table.schema == TOTALS_SCHEMA
    assert table.num_rows == 3_987 and table["world_usd"].null_count == 0
    ratios = table["ratio"].to_pylist()
    assert sum(abs(x - 1) < 1e-6 for x in ratios) == 3_972
    [widest] = [r for r in table.to_pylist() if abs(r["ratio"] - 1) > 1e-4]
    assert (widest["reporter"], widest["hs6"], widest["flow"]) == ("MDG", "250490", "X")
    assert (widest["world_usd"], widest["partners_usd"]) == (Decimal("9.004"), Decimal("9.005"))
    areas = ", ".join(str(c) for c in AREAS if c)
    expected = _source(
        "SELECT sum(CAST(value_usd AS DECIMAL(18,3))) FILTER (WHERE partner_m49 = 0), "
        f"sum(CAST(value_usd AS DECIMAL(18,3))) FILTER (WHERE partner_m49 IN ({areas})) "
        "FROM {comtrade} WHERE year = 2024"
    )
    got = (pc.sum(table["world_usd"]).as_py(), pc.sum(table["areas_usd"]).as_py())
    assert [got] == expected


def test_missing_or_ambiguous_baci_year(mirrored: Catalogue) -> None:
    engine = DuckDBEngine(mirrored)
    with pytest.raises(NotFound, match="BACI has no flows for 2022"):
        mirror_flows(engine, 2022)
    with pytest.raises(NotFound, match="no flows for 2024 in HS22"):
        mirror_flows(engine, 2024, hs_edition="HS22")
    # The same file once more under another edition label, only to have two editions for 2024.
    mirrored.load("baci", shared_file(BACI_FILE), {"hs_edition": "HS12"})
    with pytest.raises(Conflict, match=r"several HS editions for 2024 \(HS12, HS17\)"):
        mirror_flows(engine, 2024)
    chosen = mirror_flows(engine, 2024, reporter="JPN", hs6=["850511"], hs_edition="HS17")
    other = mirror_flows(engine, 2024, reporter="JPN", hs6=["850511"], hs_edition="HS12")
    assert chosen.equals(other) and chosen.num_rows == 131


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_agree(mirrored: Catalogue, settings: Settings) -> None:
    _spark_available()
    from econsec.engine.spark import SparkEngine

    spark = SparkEngine(mirrored, settings)
    try:
        pairs, totals = mirror_flows(spark, 2024), reporting_totals(spark, 2024)
    finally:
        spark.close()
    assert pairs.equals(mirror_flows(DuckDBEngine(mirrored), 2024))
    assert totals.equals(reporting_totals(DuckDBEngine(mirrored), 2024))
