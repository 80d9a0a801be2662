"""Cases over HTTP on a Council world (SYNTHETIC users, SYNTHETIC plan and applications; the
real policy data): sign-in required, a plan submitted with its checks and clock, decisions and
extensions within the workflow, a hidden case answering 404, patent applications screened and
imported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.datasets.catalogue import Catalogue
from econsec.store.analytics import AnalyticsStore
from tests.cases.test_patent_screening_synthetic import FIELDS, LABELLED, applications_file
from tests.conftest import ROOT
from tests.security.world import BACKENDS, World, world_on

SECTORS = ROOT / "data" / "policy" / "infrastructure_sectors.yaml"


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("cases")
    with world_on(
        request.param,
        folder,
        passwords=True,
        people=("ada", "rita", "lena"),
        papers=(),
    ) as built:
        catalogue = Catalogue(AnalyticsStore.from_settings(built.settings))
        catalogue.load("infrastructure_sectors", SECTORS, {})
        catalogue.load("patent_fields", FIELDS, {})
        yield built


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings, warm_screener=False)) as served:
        yield served


def auth(world: World, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


PLAN: dict[str, Any] = {
    "reference": "PLAN-HTTP-1",
    "operator": "Synthetic Rail KK",
    "sector": "railway",
    "equipment": "signalling system",
    "supplier": {"name": "Synthetic Signals Ltd", "country": "CHN"},
}


def test_sign_in_is_required(client: TestClient) -> None:
    assert client.get("/cases").status_code == 401
    assert client.post("/cases/infra", json={"workspace": "x", "plan": PLAN}).status_code == 401


def test_a_plan_through_its_review(client: TestClient, world: World) -> None:
    body = {"workspace": "council-a", "received": "2025-01-10", "concern": "CHN", "plan": PLAN}
    answer = client.post("/cases/infra", json=body, headers=auth(world, "ada"))
    assert answer.status_code == 201, answer.text
    case = answer.json()
    review = next(c for c in case["clocks"] if c["name"] == "review")
    assert (review["due"], review["limit"]) == ("2025-02-09", "2025-05-10")
    checks = case["data"]["checks"]
    assert checks["sector_known"] and "role" in checks["missing"]
    assert [p["of_concern"] for p in checks["parties"]] == [True]
    assert not checks["screened"]  # no screening list loaded in this world
    number = case["id"]
    ada = auth(world, "ada")
    moved = client.post(f"/cases/{number}/decide", json={"transition": "start_review"}, headers=ada)
    assert moved.status_code == 200 and moved.json()["state"] == "under_review"
    wrong = client.post(f"/cases/{number}/decide", json={"transition": "order"}, headers=ada)
    assert wrong.status_code == 422 and "not allowed" in wrong.text
    too_far = {"clock": "review", "period": "5 months", "reason": "x"}
    assert client.post(f"/cases/{number}/extend", json=too_far, headers=ada).status_code == 422
    ok = client.post(
        f"/cases/{number}/extend",
        json={"clock": "review", "period": "4 months", "reason": "complex"},
        headers=ada,
    )
    assert ok.status_code == 200
    rita = auth(world, "rita")  # an analyst: may not decide
    refused = client.post(
        f"/cases/{number}/decide", json={"transition": "clear", "reason": "ok"}, headers=rita
    )
    assert refused.status_code == 403
    lena = auth(world, "lena")  # clearance below the level: the case does not exist for her
    assert client.get(f"/cases/{number}", headers=lena).status_code == 404
    assert number not in [c["id"] for c in client.get("/cases", headers=lena).json()]
    listed = client.get("/cases", params={"due_within": 365}, headers=ada).json()
    assert number in [c["id"] for c in listed]
    missing = client.post(
        "/cases/infra", json={"workspace": "council-a", "plan": {"reference": "X"}}, headers=ada
    )
    assert missing.status_code == 422 and "operator" in missing.text


def test_patents_screened_and_imported(client: TestClient, world: World, tmp_path: Path) -> None:
    path = applications_file(tmp_path)
    ada = auth(world, "ada")
    with path.open("rb") as fh:
        screened = client.post(
            "/cases/patents/screen", files={"file": ("a.json", fh, "application/json")}, headers=ada
        )
    assert screened.status_code == 200, screened.text
    assert [r["fields"] for r in screened.json()] == [fields for *_, fields, _ in LABELLED]
    with path.open("rb") as fh:
        imported = client.post(
            "/cases/patents",
            files={"file": ("a.json", fh, "application/json")},
            data={"workspace": "council-a", "level": "secret"},
            headers=ada,
        )
    assert imported.status_code == 201, imported.text
    opened = imported.json()["opened"]
    assert len(opened) == len(LABELLED)
    first = client.get(f"/cases/{opened[0]['id']}", headers=ada).json()
    assert {c["name"]: c["due"] for c in first["clocks"]} == {
        "referral": "2025-04-30",
        "foreign_ban": "2025-11-30",
    }
    with path.open("rb") as fh:
        bad = client.post(
            "/cases/patents/screen", files={"file": ("a.txt", fh, "text/plain")}, headers=ada
        )
    assert bad.status_code == 422


def test_open_any_workflow(client: TestClient, world: World) -> None:
    body = {
        "workflow": "patent_consultation",
        "reference": "Q-HTTP-1",
        "title": "prior confirmation (synthetic)",
        "workspace": "council-a",
    }
    answer = client.post("/cases", json=body, headers=auth(world, "rita"))
    assert answer.status_code == 201 and answer.json()["allowed"] == ["answer", "withdraw"]
    unknown = client.post("/cases", json={**body, "workflow": "x"}, headers=auth(world, "rita"))
    assert unknown.status_code == 404
