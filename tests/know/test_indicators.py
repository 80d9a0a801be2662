"""Indicators and dependency methods checked against an independent computation on real data.

The second method below is plain Python over the source Parquet file: no SQL, no econsec code.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.engine.duckdb import DuckDBEngine
from econsec.errors import Conflict, DataError, NotFound
from econsec.know.dependencies import dependencies
from econsec.know.groups import BUILTIN
from econsec.know.indicators import SCHEMA, indicators
from tests.conftest import shared_file
from tests.datasets.test_catalogue import CRITICAL

Flows = dict[tuple[str, str, str], float]  # (exporter, importer, hs6) -> thousand USD


def real_flows() -> Flows:
    table = pq.read_table(shared_file(CRITICAL))
    flows: Flows = defaultdict(float)
    for e, i, k, v in zip(
        *(table[c].to_pylist() for c in ("exporter_iso3", "importer_iso3", "hs6", "value_kusd")),
        strict=True,
    ):
        if v and v > 0:
            flows[("TWN" if e == "S19" else e, "TWN" if i == "S19" else i, k)] += v
    return flows


def expected(flows: Flows, members: set[str], product: str) -> dict[str, float | str | int]:
    """The indicators of one importer (or group) for one product, the slow obvious way."""
    supply: dict[str, float] = defaultdict(float)
    total = exports = 0.0
    for (e, i, k), v in flows.items():
        if k != product:
            continue
        if i in members:
            total += v
            if e not in members:
                supply[e] += v
        if e in members and i not in members:
            exports += v
    world: dict[str, float] = defaultdict(float)
    for (e, _, k), v in flows.items():
        if k == product:
            world[e] += v
    imports, world_total = sum(supply.values()), sum(world.values())
    ranked = sorted(supply.values(), reverse=True)
    return {
        "import_value": imports,
        "total_import_value": total,
        "n_suppliers": len(supply),
        "hhi": sum((v / imports) ** 2 for v in supply.values()),
        "top_supplier": max(supply, key=lambda c: (supply[c], c)),
        "top_supplier_share": ranked[0] / imports,
        "top3_share": sum(ranked[:3]) / imports,
        "concern_share": supply.get("CHN", 0.0) / imports,
        "export_value": exports,
        "import_export_ratio": imports / exports if exports else 9999.0,
        "world_export_value": world_total,
        "world_export_hhi": sum((v / world_total) ** 2 for v in world.values()),
        "top_exporter": max(world, key=lambda c: (world[c], c)),
        "top_exporter_share": max(world.values()) / world_total,
        "world_import_share": total / world_total,
    }


@pytest.fixture
def trade(countries: Catalogue) -> Catalogue:
    countries.load("baci", shared_file(CRITICAL))
    return countries


@pytest.mark.parametrize("importer", ["JPN", "USA", "EU27", "G7"])
def test_indicators_match_an_independent_computation(trade: Catalogue, importer: str) -> None:
    members = set(BUILTIN[importer].members) if importer in BUILTIN else {importer}
    entities = {importer: tuple(sorted(members))}
    table = indicators(DuckDBEngine(trade), years=[2024], importers=entities, concern=["CHN"])
    assert table.schema == SCHEMA
    flows = real_flows()
    rows = table.to_pylist()
    assert len(rows) == 30  # every critical-material code is imported
    for row in rows:
        want = expected(flows, members, str(row["product"]))
        for key, value in want.items():
            if isinstance(value, float):
                assert row[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (row["product"], key)
            else:
                assert row[key] == value, (row["product"], key)


def test_japan_magnets(trade: Catalogue) -> None:
    rows = indicators(DuckDBEngine(trade), years=[2024], importers={"JPN": ("JPN",)}).to_pylist()
    magnets = next(r for r in rows if r["product"] == "850511")
    assert magnets["import_value"] == 568_756.873  # thousand USD, rounded to BACI's 3 decimals
    assert magnets["top_exporter"] == "CHN"
    assert magnets["export_value"] == 428_329.896


def test_every_country_and_invariants(trade: Catalogue) -> None:
    table = indicators(DuckDBEngine(trade), years=[2024])
    assert len(set(table["importer"].to_pylist())) == 215  # importers in the extract
    for row in table.to_pylist():
        assert 1 / row["n_suppliers"] - 1e-12 <= row["hhi"] <= 1 + 1e-12
        assert row["top_supplier_share"] <= row["top3_share"] + 1e-12 <= 1 + 2e-12
        assert 0 <= row["world_import_share"] <= 1 + 1e-12
        assert row["import_value"] > 0


def test_geodep_and_eu2021_flags(trade: Catalogue) -> None:
    engine = DuckDBEngine(trade)
    for method in ("geodep", "eu2021"):
        table = dependencies(engine, year=2024, importers=["JPN", "EU27"], method=method)
        for row in table.to_pylist():
            tests = {t["test"]: t for t in row["tests"]}
            assert row["dependent"] == all(t["passed"] for t in tests.values())
            assert row["flags"] == [t["test"] for t in row["tests"] if t["passed"]]
            for t in row["tests"]:
                op = (lambda a, b: a >= b) if t["op"] == ">=" else (lambda a, b: a > b)
                assert t["passed"] == op(t["value"], t["threshold"])
    eu = dependencies(engine, year=2024, importers=["EU27"], method="eu2021").to_pylist()
    magnets = next(r for r in eu if r["product"] == "850511")
    assert magnets["dependent"]
    assert magnets["top_supplier"] == "CHN"
    assert round(magnets["top_supplier_share"], 3) == 0.886


def test_thresholds_can_be_overridden(trade: Catalogue) -> None:
    engine = DuckDBEngine(trade)
    strict = dependencies(
        engine, year=2024, importers=["JPN"], method="geodep", thresholds={"importer_hhi": 0.99}
    )
    assert not any(strict["dependent"].to_pylist())
    with pytest.raises(DataError, match="unknown parameter"):
        dependencies(engine, year=2024, importers=["JPN"], thresholds={"hhi": 0.5})


def test_errors_list_what_is_available(trade: Catalogue, tmp_path: Path) -> None:
    engine = DuckDBEngine(trade)
    with pytest.raises(
        Conflict, match=r"year\(s\) 2023 not loaded in baci; available: 2024 \(HS17\)"
    ):
        indicators(engine, years=[2023])
    with pytest.raises(NotFound, match="unknown method"):
        dependencies(engine, year=2024, method="vibes")
    with pytest.raises(DataError, match="unknown importer or group"):
        dependencies(engine, year=2024, importers=["Japan"])
    with pytest.raises(
        Conflict,
        match=r"no imports for XKX in baci 2024; importers with data: "
        r"ABW, AFG, AGO",
    ):
        dependencies(engine, year=2024, importers=["XKX"])
