"""The Know routes over HTTP on the real critical-materials extract (JSON and CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.datasets.catalogue import Catalogue
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore
from tests.conftest import SHIPPED, shared_file


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    catalogue = Catalogue(AnalyticsStore.from_settings(settings))
    catalogue.load("baci_countries", shared_file("trade/baci_country_codes_V202301.csv"))
    catalogue.load("baci", shared_file("trade/baci_hs17_2024_critical_materials.parquet"))
    catalogue.load("critical_products", SHIPPED / "policy/critical_products.yaml")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_dependencies_json_and_csv(client: TestClient) -> None:
    response = client.get("/know/dependencies", params={"year": 2024, "importer": "JPN"})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 30
    assert rows[0]["dependent"]
    assert {"importer", "product", "hhi", "flags", "unit"} <= set(rows[0])
    response = client.get(
        "/know/dependencies",
        params={"year": 2024, "importer": ["JPN", "EU27"], "format": "csv", "dependent_only": True},
    )
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert table
    assert {r["importer"] for r in table} <= {"JPN", "EU27"}


def test_errors_are_json(client: TestClient) -> None:
    response = client.get("/know/dependencies", params={"year": 2019, "importer": "JPN"})
    assert response.status_code == 409
    assert response.json()["error"] == "Conflict"
    assert "available: 2024 (HS17)" in response.json()["message"]
    response = client.get("/know/dependencies", params={"year": 2024, "method": "vibes"})
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"


def test_chokepoints_scenario_rollup_trends(client: TestClient) -> None:
    top = client.get("/know/chokepoints", params={"year": 2024, "limit": 1}).json()
    assert top[0]["product"] == "811212"
    scenario = client.get(
        "/know/scenario",
        params={"exporter": "CHN", "products": "850511", "year": 2024, "importers": "JPN"},
    ).json()
    assert scenario["losses"][0]["lost_value"] == 156_879.57
    assert "not modelled" in scenario["assumption"]
    rollup = client.get("/know/rollup", params={"year": 2024, "importer": "JPN"}).json()
    assert any(r["group"] == "3" for r in rollup)
    series = client.get("/know/trends", params={"importer": "JPN"}).json()
    assert {r["year"] for r in series} == {2024}


def test_dependency_answers_are_reused_until_the_data_changes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same question on the same loaded data is answered from the cache; a load (a new
    store generation) retires the cached answers."""
    from econsec.api.routers import know

    calls: list[int] = []
    real = know.run_dependencies

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(know, "run_dependencies", counted)
    monkeypatch.setattr(know, "_RESULTS", type(know._RESULTS)())
    monkeypatch.setattr(know, "_ANSWERS", type(know._ANSWERS)())
    params = {"year": 2024, "importer": "JPN"}
    # The first question after a load also stores the world totals (a write: a new generation).
    client.get("/know/dependencies", params={"year": 2024, "importer": "USA"})
    calls.clear()
    first = client.get("/know/dependencies", params=params)
    again = client.get("/know/dependencies", params=params)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and len(calls) == 1
    csv_answer = client.get("/know/dependencies", params={**params, "format": "csv"})
    assert csv_answer.headers["content-type"].startswith("text/csv") and len(calls) == 1
    store = client.app.state.catalogue.store  # type: ignore[attr-defined]
    monkeypatch.setattr(store, "generation", lambda: (1, 2, 3, 4))  # as after a load
    after = client.get("/know/dependencies", params=params)
    assert after.content == first.content and len(calls) == 2


@pytest.mark.parametrize("route", ["dependencies", "chokepoints"])
def test_limit_is_capped_at_the_rows(client: TestClient, route: str) -> None:
    """A limit past the rows gives them all (2**63 overflowed Arrow's slice: a 500), a negative
    one none."""
    params = {"year": 2024, "importer": "JPN"}
    full = client.get(f"/know/{route}", params=params)
    huge = client.get(f"/know/{route}", params={**params, "limit": 2**63})
    none = client.get(f"/know/{route}", params={**params, "limit": -1})
    assert (full.status_code, huge.status_code, none.status_code) == (200, 200, 200), huge.text
    assert huge.json() == full.json() != []
    assert none.json() == []
