"""The technology landscape over HTTP on the REAL OpenAlex counts (shipped, and uploaded), the
SYNTHETIC works sample for works-level uploads, and the ASPI comparison."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.settings import Settings
from tests.conftest import shared_file
from tests.security.world import PASSWORD, World, build_world

SAMPLE = Path(__file__).parents[1] / "promote" / "fixtures" / "openalex_works_synthetic.json"
COUNTS = "tech/openalex_ai_dl_works_by_country_year_2010_2020.csv"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    shared_file(COUNTS)  # the shipped copy is compared with it in tests/promote
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_landscape_on_the_shipped_counts(client: TestClient) -> None:
    doc = client.get("/promote/landscape").json()
    assert doc["dataset"] == "openalex_ai_dl" and doc["windows"] == ["2011-2015", "2016-2020"]
    lead = {(r["technology"], r["period"]): r for r in doc["leaders"]}
    ai = lead[("Artificial intelligence", "2016-2020")]
    assert (ai["leader"], ai["second"], ai["risk"]) == ("CN", "US", "low")
    assert ai["ratio"] == pytest.approx(501_604 / 496_294)
    yearly = client.get(
        "/promote/landscape",
        params={"period": 1, "from": 2020, "area": "Artificial intelligence", "country": "JP"},
    ).json()
    assert [r["country"] for r in yearly["rows"]] == ["JP"] and yearly["windows"] == ["2020"]
    assert yearly["leaders"][0]["leader_share"] == pytest.approx(133_717 / 743_135)
    sets = client.get("/promote/landscape/datasets").json()
    assert [s["name"] for s in sets] == ["openalex_ai_dl"] and sets[0]["rows"] == 3045


def test_chart_and_compare(client: TestClient) -> None:
    chart = client.get("/promote/landscape/chart", params={"technology": "Deep learning"})
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert "Deep learning" in chart.text and "<svg" in chart.text
    bars = client.get("/promote/landscape/chart", params={"kind": "bars", "period": 5})
    assert "2016-2020" in bars.text
    doc = client.get("/promote/landscape/compare").json()
    latest = next(h for h in doc["headline"] if h["aspi_window"] == "2019-2023")
    assert latest["aspi_china_leads"] == 57 and latest["ours"]["leads"] == {"CN": 2}
    assert any("volume" in c for c in doc["caveats"])


def test_bad_input_is_422_and_unknown_404(client: TestClient) -> None:
    for params in (
        {"period": 0},
        {"counting": "fractional"},
        {"lead_by": "top10"},
        {"high": 1.5, "medium": 2},
        {"focus": "Japan"},
        {"from": 2021},
        {"period": 20},
    ):
        response = client.get("/promote/landscape", params=params)
        assert response.status_code == 422, (params, response.text)
    missing = client.get("/promote/landscape", params={"dataset": "nope"})
    assert missing.status_code == 404 and "known: openalex_ai_dl" in missing.json()["message"]


def test_uploads_need_a_writer_and_are_audited(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("landscape")
    world: World = build_world(f"sqlite:///{folder / 'app.db'}", folder / "home", passwords=True)
    try:
        with TestClient(create_app(world.settings)) as client:
            files = {"file": ("works.json", SAMPLE.read_bytes(), "application/json")}
            assert client.post("/promote/landscape/datasets/syn", files=files).status_code == 401
            olly = world.security.sign_in("olly", PASSWORD)[0]  # observer: read-only role
            refused = client.post(
                "/promote/landscape/datasets/syn",
                files=files,
                headers={"Authorization": f"Bearer {olly}"},
            )
            assert refused.status_code == 403
            token = world.security.sign_in("ada", PASSWORD)[0]
            headers = {"Authorization": f"Bearer {token}"}
            done = client.post("/promote/landscape/datasets/syn", files=files, headers=headers)
            assert done.status_code == 200, done.text
            assert done.json()["works"] == 16 and done.json()["files"] == ["works.json"]
            counts = {"file": ("c.csv", shared_file(COUNTS).read_bytes(), "text/csv")}
            loaded = client.post("/promote/landscape/datasets/c", files=counts, headers=headers)
            assert loaded.status_code == 200 and loaded.json()["rows"] == 3045
            doc = client.get("/promote/landscape", params={"dataset": "syn", "period": 1}).json()
            lead = {(r["technology"], r["period"]): r["leader"] for r in doc["leaders"]}
            assert lead[("ai_ml", "2020")] == "JP" and doc["metric"] == "top10_share"
            assert doc["institutions"][0]["institution"] == "Tsinghua Institute (synthetic)"
            broken = client.post(
                "/promote/landscape/datasets/bad",
                files={"file": ("bad.json", b'[{"id": "W1"}]', "application/json")},
                headers=headers,
            )
            assert broken.status_code == 422 and "publication_year" in broken.json()["message"]
            gone = client.delete("/promote/landscape/datasets/syn", headers=headers)
            assert gone.json() == {"deleted": "syn"}
            names = [s["name"] for s in client.get("/promote/landscape/datasets").json()]
            assert names == ["c", "openalex_ai_dl"]
        actions = [e["action"] for e in world.audit_since(0)]
        assert {"promote.landscape.load", "promote.landscape.delete"} <= set(actions)
    finally:
        world.close()
