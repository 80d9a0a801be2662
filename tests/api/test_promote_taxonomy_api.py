"""The taxonomy and crosswalk routes on the real critical_technologies.yaml, with crosswalk edits
by the SYNTHETIC users of tests/security/world.py on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.datasets.catalogue import Catalogue
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore
from tests.conftest import shared_file
from tests.security.world import BACKENDS, World, world_on

REAL = "policy/critical_technologies.yaml"
DE = "us_cet_2024:directed_energy"


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    people = ("ada", "rita", "olly")
    with world_on(request.param, tmp_path, people=people, papers=(), passwords=True) as built:
        catalogue = Catalogue(AnalyticsStore.from_settings(built.settings))
        catalogue.load("critical_technologies", shared_file(REAL))
        yield built


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings, warm_screener=False)) as test_client:
        yield test_client


def _auth(world: World, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def test_browse_search_show_compare_export(client: TestClient) -> None:
    us = client.get("/promote/taxonomy", params={"list": "us2024"}).json()
    assert us["count"] == 18 and us["as_of"] == "2025-01" and us["query"] is None
    assert us["provenance"]["version"] == "critical_technologies@1"
    marine = client.get("/promote/taxonomy", params={"area": "marine"}).json()
    assert {t["list"] for t in marine["technologies"]} == {
        "japan_20_areas",
        "aspi_tracker",
        "k_program_vision_1",
    }
    found = client.get("/promote/taxonomy", params={"q": "りょうし", "limit": 3}).json()
    assert found["count"] == 3 and found["technologies"][0]["key"] == "japan_20_areas:quantum"
    assert found["technologies"][0]["matched_field"] == "reading"

    shown = client.get("/promote/taxonomy/us2022:hypersonics").json()
    assert shown["technologies"][0]["crosswalk"][0]["confidence"] == "high"
    area = client.get("/promote/taxonomy/量子情報科学").json()
    assert area["area"]["id"] == "quantum"

    doc = client.get("/promote/taxonomy/compare").json()
    assert doc["us_2022_vs_2024"]["areas_gained"] == ["cybersecurity"]
    cbrn = client.get("/promote/taxonomy/compare", params={"area": "cbrn"}).json()
    assert [r["area"] for r in cbrn["areas"]] == ["cbrn"]

    exported = client.get("/promote/taxonomy/export", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == 148
    as_yaml = client.get("/promote/taxonomy/export", params={"format": "yaml", "list": "eu"})
    assert [x["id"] for x in yaml.safe_load(as_yaml.text)["lists"]] == ["eu_2023"]


def test_bad_requests_say_what_is_wrong(client: TestClient) -> None:
    missing = client.get("/promote/taxonomy/us2024:warp_drive")
    assert missing.status_code == 404 and "warp_drive" in missing.json()["message"]
    assert client.get("/promote/taxonomy", params={"list": "nato"}).status_code == 404
    assert client.get("/promote/taxonomy", params={"area": "atlantis"}).status_code == 404
    assert client.get("/promote/taxonomy", params={"limit": 0}).status_code == 422
    assert client.get("/promote/taxonomy", params={"q": "  "}).status_code == 422
    assert client.get("/promote/taxonomy/export", params={"format": "xml"}).status_code == 422
    ambiguous = client.get("/promote/taxonomy/compare", params={"area": "x" * 101})
    assert ambiguous.status_code == 422


def test_crosswalk_edits_need_a_writer_and_are_audited(world: World, client: TestClient) -> None:
    change = {
        "technology": DE,
        "action": "add",
        "area": "hypersonics",
        "confidence": "high",
        "reason": "counter-hypersonic defence (synthetic reason)",
    }
    assert client.post("/promote/crosswalk", json=change).status_code == 401
    refused = client.post("/promote/crosswalk", json=change, headers=_auth(world, "olly"))
    assert refused.status_code == 403
    head = world.head()
    made = client.post("/promote/crosswalk", json=change, headers=_auth(world, "rita"))
    assert made.status_code == 200, made.text
    edit = made.json()
    assert (edit["actor"], edit["channel"], edit["after"][0]["area"]) == (
        "rita",
        "api",
        "hypersonics",
    )
    again = client.post("/promote/crosswalk", json=change, headers=_auth(world, "rita"))
    assert again.status_code == 409 and "already maps" in again.json()["message"]
    bad = client.post(
        "/promote/crosswalk", json={**change, "confidence": "sure"}, headers=_auth(world, "rita")
    )
    assert bad.status_code == 422

    effective = client.get("/promote/taxonomy/" + DE).json()["technologies"][0]
    assert effective["edited"] and effective["crosswalk"][0]["origin"] == "edit"
    shipped = client.get("/promote/taxonomy/" + DE, params={"shipped": True}).json()
    assert shipped["technologies"][0]["crosswalk"] == []

    assert client.get("/promote/crosswalk/history").status_code == 401
    history = client.get(
        "/promote/crosswalk/history",
        params={"technology": "directed_energy"},
        headers=_auth(world, "olly"),  # reading the history needs a sign-in, not a right
    ).json()
    assert [(e["id"], e["technology"], e["reason"]) for e in history] == [
        (edit["id"], DE, change["reason"])
    ]
    entries = world.audit_since(head)
    assert [(e["action"], e["channel"], e["outcome"]) for e in entries] == [
        ("promote.crosswalk.edit", "api", "ok")
    ]


def test_lists_not_loaded_are_a_conflict(settings: Settings) -> None:
    with TestClient(create_app(settings, warm_screener=False)) as client:
        answer = client.get("/promote/taxonomy")
    assert answer.status_code == 409
    assert "critical_technologies" in answer.json()["message"]
