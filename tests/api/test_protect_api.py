"""Protect over HTTP on the real UN, OFAC and METI lists: the yente-compatible routes (/match,
/search, /algorithms, /catalog, /healthz, /readyz), econsec's /protect routes, and a contract test
that runs the app under uvicorn and screens through the real ``yente_client``.

Read-only routes share one loaded home; routes that write get a fresh home per test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from yente_client import Client, Company, NotFoundError, Person

from econsec.api import create_app
from econsec.settings import Settings
from tests.conftest import shared_file
from tests.protect.conftest import (
    LISTED_ENTITY,
    LISTED_PERSON,
    REMOVED,
    UN_NEW,
    UN_OLD,
    loaded_home,
    truncated_copy,
    un_diff,
    un_file,
    warm_matcher,
)
from tests.store.conftest import POSTGRES_URL, fresh_database

RESULT_KEYS = {"id", "caption", "schema", "properties", "datasets", "score", "match", "features"}
LISTS = {"un-sc", "ofac-consolidated", "meti-belarus"}


@pytest.fixture(scope="module", autouse=True)
def _matcher() -> None:
    warm_matcher()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client on the session's loaded home (only read from)."""
    app = create_app(loaded_home(tmp_path_factory), warm_screener=False)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def fresh(settings: Settings) -> Iterator[TestClient]:
    """A client on an empty home."""
    with TestClient(create_app(settings, warm_screener=False)) as client:
        yield client


def listed(ref: str = LISTED_PERSON) -> tuple[str, tuple[str, ...]]:
    """A UN record's name and birth dates, read from the 2026-01-28 XML."""
    record = un_file(shared_file(UN_NEW))[1][ref]
    return record.name, record.birth_dates


def query(name: str, schema: str = "Person", **props: list[str]) -> dict[str, Any]:
    return {"schema": schema, "properties": {"name": [name], **props}}


def error(response: Any, status: int, kind: str | None, message: str) -> dict[str, Any]:
    """Assert a JSON error body of this status, class (None: any) and message fragment."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) >= {"error", "message"}
    assert kind in (None, body["error"]) and message in body["message"], body
    return body


# -- the yente routes --------------------------------------------------------------------------


def test_match_answers_in_yente_shape(shared: TestClient) -> None:
    person, born = listed()
    entity, _ = listed(LISTED_ENTITY)
    body = {
        "queries": {
            "p": query(person.title(), birthDate=[born[0]]),
            "c": query(entity.title(), "Company"),
            "syn": query("Hanako Yamada"),  # synthetic: on no list
        }
    }
    response = shared.post("/match/default", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == {"responses", "matcher", "limit"}
    assert data["limit"] == 5 and set(data["matcher"]) >= {"name", "threshold"}
    assert set(data["responses"]) == {"p", "c", "syn"}
    for key, answer in data["responses"].items():
        assert set(answer) >= {"results", "total", "query", "status"}
        assert answer["status"] == 200 and answer["query"] == body["queries"][key]
        assert answer["total"] == {"value": len(answer["results"]), "relation": "eq"}
        scores = [r["score"] for r in answer["results"]]
        assert scores == sorted(scores, reverse=True) and all(s >= 0.5 for s in scores)
        for result in answer["results"]:
            assert set(result) >= RESULT_KEYS
            assert result["datasets"][0] in LISTS and isinstance(result["features"], dict)
    top = data["responses"]["p"]["results"][0]
    assert (top["id"], top["caption"], top["schema"]) == ("un-sc-cdi-006", person, "Person")
    assert (top["match"], top["datasets"], top["source_id"]) == (True, ["un-sc"], LISTED_PERSON)
    assert person in top["properties"]["name"] and born[0] in top["properties"]["birthDate"]
    company = data["responses"]["c"]["results"][0]
    assert (company["source_id"], company["match"]) == (LISTED_ENTITY, True)
    assert not any(r["match"] for r in data["responses"]["syn"]["results"])


def test_match_dataset_selects_lists(shared: TestClient) -> None:
    body = {"queries": {"q": query("Rostec", "Company")}}  # on the OFAC consolidated list
    everywhere = shared.post("/match/default", json=body).json()["responses"]["q"]["results"]
    assert {r["datasets"][0] for r in everywhere} & {"ofac-consolidated"}
    for dataset in ("un-sc", "meti-belarus,un-sc"):
        response = shared.post(f"/match/{dataset}", json=body)
        assert response.status_code == 200, response.text
        results = response.json()["responses"]["q"]["results"]
        assert {r["datasets"][0] for r in results} <= set(dataset.split(","))
    person, _ = listed()
    only_un = shared.post("/match/un-sc", json={"queries": {"q": query(person)}}).json()
    assert only_un["responses"]["q"]["results"][0]["source_id"] == LISTED_PERSON
    limited = shared.post("/match/un-sc?limit=1&cutoff=0", json={"queries": {"q": query(person)}})
    assert len(limited.json()["responses"]["q"]["results"]) == 1


def test_match_errors_are_json(shared: TestClient) -> None:
    body = {"queries": {"q": query("Rostec", "Company")}}
    error(shared.post("/match/nope", json=body), 404, "NotFound", "unknown dataset nope")
    error(shared.post("/match/un-sc,nope", json=body), 404, "NotFound", "unknown dataset nope")
    error(shared.post("/match/default", json={"queries": {}}), 422, "InvalidInput", "queries")
    error(shared.post("/match/default", json={}), 422, "InvalidInput", "queries")
    nameless = {"queries": {"q": {"schema": "Person", "properties": {"birthDate": ["1978"]}}}}
    error(shared.post("/match/default", json=nameless), 422, "InvalidInput", "a query needs a name")
    blank = {"queries": {"q": query("  ")}}
    error(shared.post("/match/default", json=blank), 422, "InvalidInput", "a query needs a name")
    no_props = {"queries": {"q": {"schema": "Person"}}}
    error(shared.post("/match/default", json=no_props), 422, "InvalidInput", "no properties")
    bad_schema = {"queries": {"q": query("Rostec", "Compny")}}
    error(shared.post("/match/default", json=bad_schema), 422, "InvalidInput", "unknown schema")
    too_many = {"queries": {f"q{i}": query("Rostec") for i in range(101)}}
    error(shared.post("/match/default", json=too_many), 422, "InvalidInput", "at most 100")
    error(shared.post("/match/default?limit=0", json=body), 422, "ValidationError", "limit")


def test_search(shared: TestClient) -> None:
    person, _ = listed()
    surname = person.split()[-1].title()
    response = shared.get("/search/default", params={"q": surname})
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) >= {"results", "total", "limit", "offset"}
    assert (data["limit"], data["offset"]) == (10, 0)
    ids = [r["id"] for r in data["results"]]
    assert "un-sc-cdi-006" in ids
    for result in data["results"]:
        assert set(result) >= {"id", "caption", "schema", "properties", "datasets"}
        assert not set(result) & {"match", "features"}
    only_meti = shared.get("/search/meti-belarus", params={"q": surname}).json()
    assert all(r["datasets"] == ["meti-belarus"] for r in only_meti["results"])
    error(shared.get("/search/default"), 422, "ValidationError", "q")
    error(shared.get("/search/default", params={"q": ""}), 422, "ValidationError", "q")
    absurd = shared.get("/search/default", params={"q": "???"})
    error(absurd, 422, "InvalidInput", "no letters or digits")
    error(shared.get("/search/nope", params={"q": "x"}), 404, "NotFound", "unknown dataset")


def test_algorithms_catalog_health(shared: TestClient) -> None:
    algorithms = shared.get("/algorithms").json()
    names = [a["name"] for a in algorithms["algorithms"]]
    assert algorithms["default"] in names and algorithms["best"] in names
    assert all(a["description"] for a in algorithms["algorithms"])
    catalog = shared.get("/catalog").json()
    datasets = {d["name"]: d for d in catalog["datasets"]}
    assert set(datasets) == LISTS and set(catalog["current"]) == LISTS
    assert (datasets["un-sc"]["version"], datasets["un-sc"]["entity_count"]) == ("2026-01-28", 999)
    assert datasets["ofac-consolidated"]["entity_count"] == 442  # PROVENANCE.md
    assert shared.get("/healthz").json() == {"status": "ok"}


def test_readyz_waits_for_the_index(fresh: TestClient) -> None:
    not_yet = fresh.get("/readyz")
    assert (not_yet.status_code, not_yet.json()) == (503, {"status": "building"})
    assert fresh.get("/search/default", params={"q": "x"}).json()["results"] == []
    assert fresh.get("/readyz").json() == {"status": "ok"}


# -- /protect: lists and compare ---------------------------------------------------------------


def test_protect_lists_and_diff(shared: TestClient) -> None:
    active = shared.get("/protect/lists").json()
    assert {v["list"] for v in active} == LISTS and all(v["active"] for v in active)
    every = shared.get("/protect/lists", params={"all_versions": True}).json()
    un = [(v["version"], v["active"]) for v in every if v["list"] == "un-sc"]
    assert un == [("2026-01-28", True), ("2025-11-29", False)]
    formats = {f["format"] for f in shared.get("/protect/lists/formats").json()}
    assert {"un", "ofac", "meti", "eu", "mof"} <= formats

    added, removed, changed = un_diff(shared_file(UN_OLD), shared_file(UN_NEW))
    diff = shared.get("/protect/lists/un-sc/diff").json()
    assert diff["summary"] == {
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
    }
    assert [d["source_id"] for d in diff["removed"]] == [REMOVED]
    ids = {v["version"]: v["id"] for v in every if v["list"] == "un-sc"}
    backwards = shared.get(
        "/protect/lists/un-sc/diff", params={"from": ids["2026-01-28"], "to": ids["2025-11-29"]}
    ).json()
    assert [d["source_id"] for d in backwards["added"]] == [REMOVED]
    error(shared.get("/protect/lists/nope/diff"), 404, "NotFound", "no versions of list 'nope'")
    error(shared.get("/protect/lists/meti-belarus/diff"), 409, "Conflict", "only one version")


def test_protect_compare(shared: TestClient) -> None:
    entity, _ = listed(LISTED_ENTITY)
    same = shared.post(
        "/protect/compare", json={"name1": entity.title(), "name2": entity, "schema": "Company"}
    )
    assert same.status_code == 200, same.text
    data = same.json()
    assert set(data) >= {"score", "match", "features"}
    assert isinstance(data["score"], float) and data["match"] is True
    assert isinstance(data["features"], dict)
    other = shared.post("/protect/compare", json={"name1": "Hanako Yamada", "name2": entity})
    assert other.json()["match"] is False
    error(shared.post("/protect/compare", json={"name1": "x"}), 422, "ValidationError", "name2")
    empty = shared.post("/protect/compare", json={"name1": "", "name2": entity})
    error(empty, 422, "ValidationError", "name1")
    absurd = shared.post("/protect/compare", json={"name1": "???", "name2": entity})
    error(absurd, 422, "InvalidInput", "no letters or digits")


# -- /protect: uploads, parties, rescreens, decisions, audit -----------------------------------


def upload(client: TestClient, fmt: str, path: Path, **params: Any) -> Any:
    files = [("files", (path.name, path.read_bytes(), "application/xml"))]
    return client.post(f"/protect/lists/{fmt}", files=files, params=params)


def test_upload_creates_a_version_and_a_bad_one_changes_nothing(
    fresh: TestClient, tmp_path: Path
) -> None:
    loaded = upload(fresh, "un", shared_file(UN_OLD))
    assert loaded.status_code == 201, loaded.text
    version = loaded.json()["loaded"]
    assert (version["list"], version["version"], version["entities"]) == (
        "un-sc",
        "2025-11-29",
        1000,
    )
    assert loaded.json()["rescreen"] is None
    broken, line = truncated_copy(shared_file(UN_NEW), tmp_path)
    body = error(upload(fresh, "un", broken), 422, "DataError", f"line {line}: malformed XML")
    assert broken.name in body["message"] and body["detail"]["line"] == line
    again = upload(fresh, "un", shared_file(UN_OLD))  # a Conflict (its subclass AlreadyLoaded)
    error(again, 409, None, "un-sc version 2025-11-29 with the same content is already loaded")
    error(upload(fresh, "unn", shared_file(UN_OLD)), 422, "InvalidInput", "unknown list format")
    error(fresh.post("/protect/lists/un"), 422, "ValidationError", "files")
    after = fresh.get("/protect/lists").json()
    assert [(v["version"], v["entities"], v["id"]) for v in after] == [
        ("2025-11-29", 1000, version["id"])
    ]


def test_parties_rescreen_hits_decisions_audit(fresh: TestClient) -> None:
    error(fresh.post("/protect/rescreen"), 422, "InvalidInput", "no stored parties")
    assert upload(fresh, "un", shared_file(UN_OLD)).status_code == 201
    record = un_file(shared_file(UN_OLD))[1][REMOVED]
    parties = [
        {"id": "syn-1", "name": "Hanako Yamada", "schema": "Person"},  # synthetic
        {"id": "listed", "name": record.name.title(), "schema": "Person"},
        {"id": "syn-2", "name": "Sakura Precision Optics KK", "schema": "Company"},  # synthetic
    ]
    bad = [*parties, {"id": "syn-3", "name": "Taro Suzuki", "birth_date": "1975-13"}]
    error(fresh.post("/protect/parties", json=bad), 422, "InvalidInput", "birth date")
    assert fresh.get("/protect/parties").json() == []  # nothing stored from a bad batch

    saved = fresh.post("/protect/parties", json=parties)
    assert saved.status_code == 200, saved.text
    first = saved.json()
    assert first["saved"] == 3
    assert [
        (h["party_id"], h["entity_id"], h["status"]) for h in first["rescreen"]["new_hits"]
    ] == [("listed", "un-sc-iqi-074", "new")]
    assert [p["id"] for p in fresh.get("/protect/parties").json()] == ["listed", "syn-1", "syn-2"]
    hits = fresh.get("/protect/hits").json()
    assert [(h["entity_id"], h["status"]) for h in hits] == [("un-sc-iqi-074", "new")]

    decision = {
        "party_id": "listed",
        "entity_id": "un-sc-iqi-074",
        "verdict": "false_positive",
        "reason": "customer born 1980 in Osaka",
        "analyst": "a.tanaka",
    }
    error(
        fresh.post("/protect/decisions", json={**decision, "verdict": "no"}),
        422,
        "InvalidInput",
        "verdict must be one of",
    )
    error(
        fresh.post("/protect/decisions", json={**decision, "entity_id": "un-sc-xxx"}),
        404,
        "NotFound",
        "no entity un-sc-xxx",
    )
    error(
        fresh.post("/protect/decisions", json={**decision, "reason": ""}),
        422,
        "ValidationError",
        "reason",
    )
    created = fresh.post("/protect/decisions", json=decision)
    assert created.status_code == 201, created.text
    assert created.json()["verdict"] == "false_positive" and created.json()["id"]

    second = fresh.post("/protect/rescreen", params={"reason": "weekly"}).json()
    assert (second["reason"], second["suppressed"], second["new_hits"]) == ("weekly", 1, [])
    history = fresh.get("/protect/hits", params={"party": "listed"}).json()
    assert [h["status"] for h in history] == ["new", "suppressed"]
    assert fresh.get("/protect/hits", params={"new": True}).json() == []
    decisions = fresh.get("/protect/decisions").json()
    assert [(d["analyst"], d["verdict"]) for d in decisions] == [("a.tanaka", "false_positive")]
    assert fresh.get("/protect/decisions", params={"party": "syn-1"}).json() == []

    delisted = upload(fresh, "un", shared_file(UN_NEW)).json()
    assert delisted["rescreen"]["hits"] == 0 and delisted["rescreen"]["parties"] == 3

    audit = fresh.get("/protect/audit")
    assert audit.status_code == 200
    assert audit.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in audit.text.splitlines()]
    kinds = [r["record"] for r in records]
    assert kinds == ["list_version"] * 2 + ["run", "hit", "run", "hit", "run", "decision"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings of a fresh home whose app store is SQLite, or a fresh PostgreSQL database."""
    home = tmp_path / "home"
    if request.param == "sqlite":
        yield Settings(home=home, duckdb_threads=2)
        return
    with fresh_database(POSTGRES_URL) as url:
        yield Settings(home=home, duckdb_threads=2, database_url=url)


def test_parties_are_stored_as_cleaned(backend: Settings) -> None:
    party = {"id": "syn-1", "name": "Hanako Yamada", "country": "United Kingdom"}  # synthetic
    party["birth_date"] = "1969-7-6"
    with TestClient(create_app(backend, warm_screener=False)) as client:
        saved = client.post("/protect/parties", json=[party], params={"rescreen": False})
        assert saved.status_code == 200, saved.text
        stored = client.get("/protect/parties").json()
        assert [(p["country"], p["birth_date"]) for p in stored] == [("gb", "1969-07-06")]


# -- contract: the real yente client against the app under uvicorn ------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn in a background thread on a free 127.0.0.1 port; stopped and
    joined at the end of the module."""
    app = create_app(loaded_home(tmp_path_factory), warm_screener=True)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-protect-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("uvicorn did not start within 30 s")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "the uvicorn thread did not stop"


def test_yente_client_contract(server: str) -> None:
    person, born = listed()
    entity, _ = listed(LISTED_ENTITY)
    with Client(base_url=server, api_key=None, timeout=30) as client:
        assert client.healthz().status == "ok"
        algorithms = client.algorithms()
        assert algorithms.default in {a.name for a in algorithms.algorithms}

        found = client.match(Person(name=person.title(), birthDate=list(born)), datasets=["un-sc"])
        assert found.top is not None
        assert (found.top.id, found.top.match, found.top.datasets) == (
            "un-sc-cdi-006",
            True,
            ["un-sc"],
        )
        assert found.top.caption == person and found.top.score >= 0.7
        assert found.top.explanations and found.total.value == len(found.results)
        assert found.query["properties"]["name"] == [person.title()]

        company = client.match(Company(name=entity.title()))
        assert company.top is not None and company.top.match
        assert company.top.id == f"un-sc-{LISTED_ENTITY.lower().replace('.', '-')}"
        nobody = client.match(Person(name="Hanako Yamada"))  # synthetic
        assert not nobody.matches

        search = client.search(person.split()[-1], datasets=["un-sc"])
        assert "un-sc-cdi-006" in [r.id for r in search.results]
        catalog = client.datasets()
        assert {d.name for d in catalog.datasets} == LISTS
        assert client.readyz().status == "ok"
        with pytest.raises(NotFoundError):
            client.match(Person(name=person), datasets=["nope"])
