"""Supply networks and IO tables over HTTP, on the real Willems, ETO, WIOD and Japan data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.know.iotables import IOTables
from econsec.know.networks import Networks
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore
from tests.conftest import shared_file
from tests.security.world import PASSWORD, World, build_world


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    store = AnalyticsStore.from_settings(settings)
    Networks(store).load("eto", shared_file("supply/eto_semiconductor"), "eto")
    chain = shared_file("supply/willems2008/gsm_stages/willems_22.csv")
    Networks(store).load("willems", chain, "w22")
    IOTables(store).load("wiod", shared_file("supply/wiod2013_2011"), "wiod2011")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_network_routes_answer_as_the_cli(client: TestClient) -> None:
    listed = client.get("/know/networks").json()
    assert [n["name"] for n in listed] == ["eto", "w22"]
    assert listed[0]["source"]["licence"].startswith("CC BY-NC")
    found = client.get("/know/networks/eto/spof", params={"kind": "single_source"}).json()
    euv = [f for f in found if f["node"] == "N20" and f["level"] == "firm"]
    assert euv[0]["share"] == 1.0 and euv[0]["affects"] == ["N99"]
    assert {f["kind"] for f in found} == {"single_source"}
    losses = client.get("/know/networks/eto/losses", params={"top": 5}).json()
    assert len(losses["ranking"]) == 5 and 0 <= losses["share_of_nodes_over"] <= 1
    sim = client.get(
        "/know/networks/eto/simulate",
        params={"disrupt": "P88:60", "horizon_days": 90, "inventory_days": 5},
    ).json()
    assert sim["products"][0]["time_to_survive_days"] < 60
    never = client.get(
        "/know/networks/eto/simulate",
        params={"disrupt": "P88:1", "horizon_days": 30, "inventory_days": 30},
    ).json()
    assert never["products"][0]["time_to_survive_days"] is None  # infinite: JSON null
    exposure = client.get("/know/networks/eto/exposure", params={"product": "N99"}).json()
    assert {"USA", "JPN"} <= {r["country"] for r in exposure}
    between = client.get("/know/networks/eto/betweenness", params={"top": 3}).json()
    assert between["exact"] and len(between["nodes"]) == 3


def test_missing_things_are_404_and_bad_input_422(client: TestClient) -> None:
    response = client.get("/know/networks/nope/spof")
    assert response.status_code == 404 and "no network named 'nope'" in response.json()["message"]
    response = client.get("/know/networks/eto/simulate", params={"disrupt": "Nowhere:3"})
    assert response.status_code == 404
    response = client.get("/know/io/shock", params={"table": "wiod2011", "extract": "XXX:c1"})
    assert response.status_code == 422 and "XXX" in response.json()["message"]


def test_io_shock_route(client: TestClient) -> None:
    tables = client.get("/know/io/tables").json()
    assert tables[0]["name"] == "wiod2011" and tables[0]["regions"] == 41
    shown = client.get("/know/io/tables/wiod2011").json()
    assert "TWN" in shown["region_list"] and len(shown["sector_list"]) == 35
    doc = client.get(
        "/know/io/shock",
        params={
            "table": "wiod2011",
            "extract": "TWN:c14",
            "model": "bottleneck",
            "inventory_days": 0,
        },
    ).json()
    assert doc["model"] == "bottleneck" and doc["world_output_loss_share"] > 0.01
    assert {"losses_by_region", "losses_by_sector", "assumptions"} <= set(doc)


def test_uploads_need_a_user_who_may_write_and_are_audited(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("upload")
    world: World = build_world(f"sqlite:///{folder / 'app.db'}", folder / "home", passwords=True)
    try:
        with TestClient(create_app(world.settings)) as client:
            chain = shared_file("supply/willems2008/raw_msom/02.csv.gz").read_bytes()
            files = {"file": ("02.csv.gz", chain, "application/gzip")}
            anonymous = client.post("/know/networks/w2", data={"loader": "willems"}, files=files)
            assert anonymous.status_code == 401
            token = world.security.sign_in("ada", PASSWORD)[0]
            headers = {"Authorization": f"Bearer {token}"}
            done = client.post(
                "/know/networks/w2", data={"loader": "willems"}, files=files, headers=headers
            )
            assert done.status_code == 200, done.text
            assert done.json()["nodes"] == 13
            broken = client.post(
                "/know/networks/w3",
                data={"loader": "csv"},
                files={"file": ("edges.csv", b"source,target,kind\nA,B,maybe\n", "text/csv")},
                headers=headers,
            )
            assert broken.status_code == 422 and "line 2, field 'kind'" in broken.json()["message"]
            assert [n["name"] for n in client.get("/know/networks").json()] == ["w2"]
            japan = shared_file("supply/io_japan_2011_13sector/iotable_13sector_2011_wider.csv")
            loaded = client.post(
                "/know/io/tables/jp",
                data={"loader": "japan"},
                files={"file": ("jp.csv", japan.read_bytes(), "text/csv")},
                headers=headers,
            )
            assert loaded.status_code == 200 and loaded.json()["sectors"] == 13
            assert client.delete("/know/networks/w2", headers=headers).json() == {"deleted": "w2"}
        actions = [e["action"] for e in world.audit_since(0)]
        assert {"know.network.load", "know.io.load", "know.network.delete"} <= set(actions)
    finally:
        world.close()


def test_stockpile_and_cover_routes(client: TestClient) -> None:
    doc = client.get("/know/networks/w22/stockpile").json()
    assert doc["status"] == "optimal" and len(doc["stages"]) == 253
    assert doc["total_safety_stock_cost"] == pytest.approx(2_314_763.27, rel=1e-6)
    refused = client.get("/know/networks/eto/stockpile")
    assert refused.status_code == 422 and "bill-of-materials" in refused.json()["message"]
    cover = client.get(
        "/know/io/cover",
        params={"table": "wiod2011", "extract": "TWN:c14", "holder": "KOR", "stock_days": 30},
    ).json()
    assert 30 <= cover["days_of_cover"] < 40 and cover["holder"] == "KOR"
