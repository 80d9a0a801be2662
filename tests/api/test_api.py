"""The HTTP API through its lifespan (TestClient as a context manager) on real data files."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec import __version__, open_catalogue
from econsec.api import create_app
from econsec.datasets.registry import REGISTRY
from econsec.settings import Settings
from tests.conftest import shared_file

COUNTRIES = "trade/baci_country_codes_V202301.csv"
CRITICAL = "trade/baci_hs17_2024_critical_materials.parquet"
SUMMARY_KEYS = {"name", "area", "format", "publisher", "licence", "version", "loaded"}
SUMMARY_KEYS |= {"loaded_at", "rows"}
WAIT = 60.0  # seconds a job may take on a slow CI machine


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def wait_for(client: TestClient, job_id: int) -> dict[str, Any]:
    """Poll ``GET /jobs/{id}`` until the job has finished; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        response = client.get(f"/jobs/{job_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if job["status"] in ("succeeded", "failed"):
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {job['status']} after {WAIT}s: {job}")
        time.sleep(0.05)


def upload(
    client: TestClient, name: str, filename: str, content: bytes, options: str | None = None
) -> Any:
    data = {} if options is None else {"options": options}
    return client.post(
        f"/datasets/{name}/load",
        files={"file": (filename, content, "application/octet-stream")},
        data=data,
    )


def upload_file(client: TestClient, name: str, path: Path, options: str | None = None) -> Any:
    """Upload a real file under its own name."""
    return upload(client, name, path.name, path.read_bytes(), options)


def damaged_countries() -> bytes:
    """The real V202301 country file with line 12 carrying a non-numeric code."""
    lines = shared_file(COUNTRIES).read_text().splitlines(keepends=True)
    lines[11] = "abc," + lines[11].split(",", 1)[1]
    return "".join(lines).encode()


def test_health_reports_both_stores_and_loaded_count(
    client: TestClient, settings: Settings
) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["analytics_store"] == {
        "ok": True,
        "location": str(settings.analytics_file),
        "detail": None,
    }
    assert body["app_store"]["ok"] is True
    assert body["app_store"]["location"] == settings.app_database_url
    assert body["datasets_loaded"] == 0
    open_catalogue(settings).load("baci_countries", shared_file(COUNTRIES))
    assert client.get("/health").json()["datasets_loaded"] == 1


def test_list_shows_every_registered_dataset(client: TestClient, settings: Settings) -> None:
    before = client.get("/datasets").json()
    assert [d["name"] for d in before] == list(REGISTRY)
    for row in before:
        assert set(row) >= SUMMARY_KEYS
        assert (row["loaded"], row["loaded_at"], row["rows"], row["version"]) == (
            False,
            None,
            0,
            None,
        )
    open_catalogue(settings).load("baci_countries", shared_file(COUNTRIES))
    after = {d["name"]: d for d in client.get("/datasets").json()}
    countries = after["baci_countries"]
    assert countries["loaded"] is True
    assert countries["rows"] == 238
    assert countries["version"] == "V202301"
    assert countries["publisher"] == "CEPII (BACI)"
    assert countries["licence"].startswith("Etalab Open Licence 2.0")
    assert countries["format"] == "csv"
    assert isinstance(datetime.fromisoformat(countries["loaded_at"]), datetime)


def test_show_gives_schema_versions_and_sample(client: TestClient, settings: Settings) -> None:
    catalogue = open_catalogue(settings)
    catalogue.load("baci_countries", shared_file(COUNTRIES))
    catalogue.load("baci", shared_file(CRITICAL))
    body = client.get("/datasets/baci", params={"rows": 3}).json()
    assert body["loaded"] is True
    assert body["rows"] == 21_723
    assert body["requires"] == ["baci_countries"]
    assert [c["name"] for c in body["schema"]] == list(REGISTRY["baci"].column_names)
    assert [v["id"] for v in body["versions"]] == ["baci@1"]
    version = body["versions"][0]
    assert version["source_name"] == "baci_hs17_2024_critical_materials.parquet"
    assert version["rows"] == 21_723
    assert len(version["checksum"]) == 64
    assert len(body["sample"]) == 3
    assert set(body["sample"][0]) == {*REGISTRY["baci"].column_names, "_version"}
    assert {row["_version"] for row in body["sample"]} == {"baci@1"}
    countries = client.get("/datasets/baci_countries", params={"rows": 1000}).json()
    assert len(countries["sample"]) == 100  # capped
    unloaded = client.get("/datasets/hs2022").json()
    assert (unloaded["loaded"], unloaded["versions"], unloaded["sample"]) == (False, [], [])


def test_unknown_names_are_404_json(client: TestClient) -> None:
    response = client.get("/datasets/nope")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "NotFound"
    assert "unknown dataset 'nope'" in body["message"]
    assert "baci_countries" in body["message"]  # names the known datasets
    assert body["detail"] == {}
    assert upload(client, "nope", "x.csv", b"a,b\n").status_code == 404
    for response in (client.get("/jobs/999"), client.post("/jobs/999/rerun")):
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"
        assert response.json()["message"] == "no job 999"


def test_upload_loads_in_the_background(client: TestClient) -> None:
    countries = shared_file(COUNTRIES)
    response = upload_file(client, "baci_countries", countries)
    assert response.status_code == 202
    queued = response.json()
    assert queued["kind"] == "dataset_load"
    assert queued["params"]["dataset"] == "baci_countries"
    job = wait_for(client, queued["id"])
    assert job["status"] == "succeeded", job["message"]
    assert job["progress"] == 1.0
    assert job["result"]["version"]["id"] == "baci_countries@1"
    assert job["result"]["version"]["source_name"] == countries.name
    assert job["result"]["version"]["release"] == "V202301"  # read from the uploaded name

    critical = shared_file(CRITICAL)
    flows = wait_for(client, upload_file(client, "baci", critical).json()["id"])
    assert flows["status"] == "succeeded", flows["message"]
    assert flows["result"]["version"]["rows"] == 21_723

    listed = {d["name"]: d for d in client.get("/datasets").json()}
    assert (listed["baci_countries"]["loaded"], listed["baci_countries"]["rows"]) == (True, 238)
    assert (listed["baci"]["loaded"], listed["baci"]["rows"]) == (True, 21_723)
    assert [j["id"] for j in client.get("/jobs").json()] == [flows["id"], job["id"]]

    again = client.post(f"/jobs/{job['id']}/rerun")
    assert again.status_code == 202
    assert again.json()["rerun_of"] == job["id"]
    rerun = wait_for(client, again.json()["id"])
    assert rerun["status"] == "succeeded"
    assert rerun["message"] == "unchanged: already loaded"


def test_damaged_upload_fails_naming_the_line(client: TestClient) -> None:
    response = upload(client, "baci_countries", Path(COUNTRIES).name, damaged_countries())
    assert response.status_code == 202
    job = wait_for(client, response.json()["id"])
    assert job["status"] == "failed"
    assert "baci_country_codes_V202301.csv, line 12, field 'country_code'" in job["message"]
    assert "got 'abc'" in job["message"]
    assert job["result"] is None

    again = client.post(f"/jobs/{job['id']}/rerun")
    assert again.status_code == 202
    assert again.json()["rerun_of"] == job["id"]
    assert again.json()["params"] == job["params"]
    rerun = wait_for(client, again.json()["id"])
    assert rerun["status"] == "failed"  # the same stored upload, so the same error
    assert rerun["message"] == job["message"]
    assert client.get("/datasets/baci_countries").json()["loaded"] is False


@pytest.mark.parametrize("options", ["{bad", "[1, 2]", '"HS17"'])
def test_invalid_options_are_422_json(client: TestClient, options: str) -> None:
    countries = shared_file(COUNTRIES)
    response = upload_file(client, "baci_countries", countries, options)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "DataError"
    assert body["detail"]["field"] == "options"
    assert body["detail"]["got"] == options
    assert "a JSON object" in body["message"]
    assert client.get("/jobs").json() == []


def test_unknown_option_fails_the_job(client: TestClient) -> None:
    countries = shared_file(COUNTRIES)
    response = upload_file(client, "baci_countries", countries, '{"colour": "red"}')
    job = wait_for(client, response.json()["id"])
    assert job["status"] == "failed"
    assert "unknown option(s) colour" in job["message"]
    assert job["params"]["options"] == {"colour": "red"}


def test_request_validation_errors_use_the_error_body(client: TestClient) -> None:
    response = client.post("/datasets/baci_countries/load")  # no file
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["version"] == __version__
    assert {
        "/health",
        "/datasets",
        "/datasets/{name}",
        "/datasets/{name}/load",
        "/jobs",
        "/jobs/{job_id}",
        "/jobs/{job_id}/rerun",
    } <= set(schema["paths"])
    assert "post" in schema["paths"]["/datasets/{name}/load"]
    assert "ErrorBody" in schema["components"]["schemas"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in docs.text


def test_uploads_are_kept_in_the_data_home(client: TestClient, settings: Settings) -> None:
    countries = shared_file(COUNTRIES)
    job = wait_for(client, upload_file(client, "baci_countries", countries).json()["id"])
    stored = Path(job["params"]["path"])
    assert stored.is_relative_to(settings.home / "uploads")
    assert stored.read_bytes() == countries.read_bytes()  # kept, so a rerun can use it


def test_timestamps_carry_an_offset(client: TestClient) -> None:
    response = upload_file(client, "baci_countries", shared_file(COUNTRIES))
    job = wait_for(client, response.json()["id"])
    listed = {d["name"]: d for d in client.get("/datasets").json()}
    stamps = [job["created_at"], job["finished_at"], listed["baci_countries"]["loaded_at"]]
    assert all(datetime.fromisoformat(s).tzinfo is not None for s in stamps), stamps
