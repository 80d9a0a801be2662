"""Chokepoints, scenarios, rollups, trends and HS-edition conversion on real data, checked
against independent computations (plain Python over the source files) and invariants."""

from __future__ import annotations

import functools
from collections import defaultdict

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.engine.duckdb import DuckDBEngine
from econsec.errors import Conflict, DataError
from econsec.know import chokepoints
from econsec.know.dependencies import dependencies
from econsec.know.groups import groups
from econsec.know.indicators import indicators
from econsec.know.rollups import rollup
from econsec.know.scenarios import export_stop
from econsec.know.trends import trends
from tests.conftest import SHIPPED, shared_file
from tests.datasets.test_catalogue import CRITICAL
from tests.know.test_indicators import real_flows

PANEL = "trade/baci_critical_materials_bilateral_2002_2024.parquet"


@pytest.fixture
def trade(countries: Catalogue) -> Catalogue:
    countries.load("baci", shared_file(CRITICAL))
    return countries


def test_concentration_and_critical_exporters(trade: Catalogue) -> None:
    engine = DuckDBEngine(trade)
    table = chokepoints.concentration(engine, year=2024)
    assert table.num_rows == 30
    first = table.to_pylist()[0]
    assert (first["product"], first["top_exporter"]) == ("811212", "KAZ")  # beryllium
    flows = real_flows()
    world: dict[str, float] = defaultdict(float)
    for (e, _, k), v in flows.items():
        if k == "811212":
            world[e] += v
    total = sum(world.values())
    assert first["world_export_hhi"] == pytest.approx(sum((v / total) ** 2 for v in world.values()))
    assert first["top3_exporter_share"] == pytest.approx(sum(sorted(world.values())[-3:]) / total)
    critical = chokepoints.critical_exporters(engine, year=2024, min_share=0.5, min_importers=10)
    magnets = next(r for r in critical.to_pylist() if r["product"] == "850511")
    supply: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (e, i, k), v in flows.items():
        if k == "850511":
            supply[i][e] += v
    cut = sum(1 for s in supply.values() if s.get("CHN", 0) / sum(s.values()) >= 0.5)
    assert (magnets["exporter"], magnets["importers_cut"]) == ("CHN", cut)
    ranking = chokepoints.dependent_and_concentrated(engine, importer="JPN", year=2024)
    scores = ranking["score"].to_pylist()
    assert scores == sorted(scores, reverse=True)
    assert all(ranking["dependent"].to_pylist())


def test_export_stop_accounts_for_every_loss(trade: Catalogue) -> None:
    engine = DuckDBEngine(trade)
    result = export_stop(engine, exporter="CHN", products=["850511", "810194"], year=2024)
    flows = real_flows()
    lost = sum(v for (e, _, k), v in flows.items() if e == "CHN" and k in ("850511", "810194"))
    assert pc.sum(result.losses["lost_value"]).as_py() == pytest.approx(lost, rel=1e-9)
    for row in result.losses.to_pylist():
        assert row["rerouted_value"] + row["gap_value"] == pytest.approx(
            row["lost_value"], abs=0.01
        )
        assert 0 <= row["lost_share"] <= 1 + 1e-12
    for row in result.alternatives.to_pylist():
        assert row["rerouted_value"] <= row["exports_to_others"] + 0.01
        assert row["supplier"] != "CHN"
    assert "Prices, capacity and stocks are not modelled" in result.assumption
    japan = export_stop(
        engine, exporter="CHN", products=["850511"], year=2024, importers=["JPN"], max_divert=0.1
    )
    (row,) = japan.losses.to_pylist()
    assert row["lost_value"] == 156_879.57  # BACI CHN -> JPN, 850511, thousand USD
    covered = pc.sum(japan.alternatives["rerouted_value"]).as_py()
    assert covered == pytest.approx(row["rerouted_value"], abs=0.01)
    with pytest.raises(DataError, match="max_divert"):
        export_stop(engine, exporter="CHN", products=["850511"], year=2024, max_divert=2)


def test_export_stop_importers_are_groups_or_iso3(trade: Catalogue) -> None:
    """A group among the importers stands for its members (it crashed the scenario before,
    a 500 over HTTP); an importer that is neither a group nor an ISO3 code is a DataError."""
    engine = DuckDBEngine(trade)
    eu = groups()["EU27"].members
    run = functools.partial(export_stop, engine, exporter="CHN", products=["850511"], year=2024)
    by_group = run(importers=["EU27", "JPN"]).losses.sort_by("importer").to_pylist()
    by_member = run(importers=[*eu, "JPN"]).losses.sort_by("importer").to_pylist()
    assert len(by_group) == len(by_member)
    for got, expected in zip(by_group, by_member, strict=True):  # up to summation order
        assert got.keys() == expected.keys()
        for key, value in expected.items():
            assert got[key] == (pytest.approx(value) if isinstance(value, float) else value)
    assert {r["importer"] for r in by_group} <= {*eu, "JPN"} and len(by_group) > 2
    for bad in ("JP", "EU", "JPN,CHN", ""):
        with pytest.raises(DataError, match="unknown importer or group"):
            run(importers=[bad])


def test_rollups(trade: Catalogue) -> None:
    trade.load("critical_products", SHIPPED / "policy/critical_products.yaml")
    trade.load("hs2022", shared_file("trade/hs2022_nomenclature.csv.gz"))
    engine = DuckDBEngine(trade)
    deps = dependencies(engine, year=2024, importers=["JPN"])
    critical = {r["group"]: r for r in rollup(engine, deps, level="critical_product").to_pylist()}
    magnets = next(r for r in deps.to_pylist() if r["product"] == "850511")
    assert critical["3"]["label"].startswith("Permanent magnets")
    assert critical["3"]["import_value"] == magnets["import_value"]
    assert critical["3"]["group_hhi"] == pytest.approx(magnets["hhi"])
    chapters = {r["group"]: r for r in rollup(engine, deps, level="hs2").to_pylist()}
    flows = real_flows()
    supply: dict[str, float] = defaultdict(float)
    for (e, i, k), v in flows.items():
        if i == "JPN" and k.startswith("81"):
            supply[e] += v
    total = sum(supply.values())
    assert chapters["81"]["import_value"] == pytest.approx(total)
    assert chapters["81"]["group_hhi"] == pytest.approx(
        sum((v / total) ** 2 for v in supply.values())
    )
    assert chapters["81"]["label"].startswith("Metals")


def test_trends_on_the_materials_panel(countries: Catalogue) -> None:
    countries.load("baci_materials", shared_file(PANEL), {"keep_unknown": "true"})
    engine = DuckDBEngine(countries)
    result = trends(engine, importers=["JPN"], dataset="baci_materials")
    assert sorted(set(result.series["year"].to_pylist())) == list(range(2002, 2025))
    table = pq.read_table(shared_file(PANEL)).to_pylist()
    graphite = defaultdict(float)
    for r in table:
        if r["year"] == 2009 and r["material"] == "graphite" and r["importer_iso2"] == "JP":
            graphite[r["exporter_iso2"]] += r["value_usd"] / 1000
    row = next(
        r for r in result.series.to_pylist() if r["year"] == 2009 and r["product"] == "graphite"
    )
    total = sum(graphite.values())
    assert row["import_value"] == pytest.approx(total, rel=1e-9)
    assert row["hhi"] == pytest.approx(sum((v / total) ** 2 for v in graphite.values()))
    dependent = {(r["year"], r["product"]) for r in result.series.to_pylist() if r["dependent"]}
    for change in result.churn.to_pylist():
        now = (change["year"], change["product"]) in dependent
        before = (change["year"] - 1, change["product"]) in dependent
        assert (change["change"] == "entered") == (now and not before)
        assert (change["change"] == "left") == (before and not now)
    assert result.churn.num_rows > 0


def test_editions_convert_with_correlation_tables(trade: Catalogue) -> None:
    engine = DuckDBEngine(trade)
    with pytest.raises(Conflict, match="cannot be converted to HS22"):
        indicators(engine, years=[2024], importers={"JPN": ("JPN",)}, edition="HS22")
    trade.load("hs_correlation", shared_file("trade/hs2022_to_hs2017_correlation.csv.gz"))
    original = indicators(engine, years=[2024], importers={"JPN": ("JPN",)})
    converted = indicators(engine, years=[2024], importers={"JPN": ("JPN",)}, edition="HS22")
    assert pc.sum(converted["import_value"]).as_py() == pytest.approx(
        pc.sum(original["import_value"]).as_py(),
        abs=0.05,  # each value rounded to 0.001
    )
    products = set(converted["product"].to_pylist())
    assert {"811231", "811241"} <= products  # HS 2022 split HS17 811292 (gallium, germanium...)
    assert "850511" in products
