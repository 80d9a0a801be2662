"""Seeds-needs matching over HTTP: JSON bodies (open, like /protect/compare) and uploaded
files (signed-in users who may write; audited). Texts: real SBIR awards and topics, plus
synthetic bodies for the error paths."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.settings import Settings
from tests.conftest import shared_file
from tests.security.world import PASSWORD, World, build_world


def _app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(_app(settings)) as test_client:
        yield test_client


def _real_body() -> dict[str, object]:
    topics = pq.read_table(shared_file("tech/dod_af_sbir_topics_2015.parquet")).to_pylist()
    awards = pq.read_table(
        shared_file("tech/sbir_awards_1983_2018.parquet"),
        columns=["sbir_award_id", "title", "abstract", "solicit_topic_code"],
    ).slice(0, 3000)
    seeds = [
        {"id": r["sbir_award_id"], "title": r["title"], "abstract": r["abstract"]}
        for r in awards.to_pylist()
    ]
    needs = [
        {"id": t["topic_number"], "title": t["title"], "description": t["description"]}
        for t in topics[:5]
    ]
    return {"seeds": seeds, "needs": needs, "top": 3}


def test_match_json_body(client: TestClient) -> None:
    response = client.post("/promote/match", json=_real_body())
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["method"] == "hybrid" and len(doc["results"]) == 5
    first = doc["results"][0]
    assert first["need"] == "AF151-087" and len(first["matches"]) == 3
    assert {"seed", "score", "explanation", "sectors"} <= set(first["matches"][0])
    methods = client.get("/promote/match/methods").json()
    assert [m["name"] for m in methods["methods"]] == ["bm25", "semantic", "hybrid"]
    assert "defence" in methods["sectors"]


def test_bad_bodies_are_422(client: TestClient) -> None:
    body = {"seeds": [{"id": "a", "text": "x"}], "needs": [{"id": "n", "title": ""}]}
    response = client.post("/promote/match", json=body)
    assert response.status_code == 422 and "needs[0] (n): no text" in response.json()["message"]
    body = {"seeds": [{"id": "a", "text": "x"}], "needs": [{"id": "n", "text": "x"}], "top": 0}
    assert client.post("/promote/match", json=body).status_code == 422
    body = {**body, "top": 1, "method": "lsa"}
    assert client.post("/promote/match", json=body).status_code == 422


def test_file_uploads_need_a_writer_and_are_audited(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("match-upload")
    world: World = build_world(f"sqlite:///{folder / 'app.db'}", folder / "home", passwords=True)
    seeds = folder / "seeds.parquet"
    pq.write_table(
        pa.table({"id": ["s1", "s2"], "text": ["wound dressing hydrogel", "grid battery"]}),
        seeds,
    )  # synthetic
    needs = b"id,text,agency\nd,wound dressing,Army\nh,wound care,NIH\n"  # synthetic
    files = {
        "seeds": ("seeds.parquet", seeds.read_bytes(), "application/octet-stream"),
        "needs": ("needs.csv", needs, "text/csv"),
    }
    kept = set(Path(tempfile.gettempdir()).glob("econsec-upload-*"))
    try:
        with TestClient(_app(world.settings)) as client:
            assert client.post("/promote/match/files", files=files).status_code == 401
            reader = world.security.sign_in("olly", PASSWORD)[0]  # observer: read-only role
            refused = client.post(
                "/promote/match/files", files=files, headers={"Authorization": f"Bearer {reader}"}
            )
            assert refused.status_code == 403
            token = world.security.sign_in("ada", PASSWORD)[0]
            headers = {"Authorization": f"Bearer {token}"}
            done = client.post("/promote/match/files", files=files, headers=headers)
            assert done.status_code == 200, done.text
            assert done.json()["multi_use"][0]["seed"] == "s1"
            broken = client.post(
                "/promote/match/files",
                files={**files, "needs": ("needs.csv", b"id,text\nn,x\nn,y\n", "text/csv")},
                headers=headers,
            )
            assert broken.status_code == 422
            assert "needs.csv, line 3, field 'id'" in broken.json()["message"]
        actions = [e["action"] for e in world.audit_since(0)]
        assert "promote.match.files" in actions
        # the uploads were read and deleted: nothing is stored
        assert set(Path(tempfile.gettempdir()).glob("econsec-upload-*")) == kept
    finally:
        world.close()
