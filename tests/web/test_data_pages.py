"""The Data pages: the catalogue with provenance, loading a real shipped file (the HS 2022
sections) as a background job, following its progress on the job page and its state endpoint,
a damaged file's failure shown with file, line and field, and the rights and CSRF checks.
Users are SYNTHETIC; the damaged file is a SYNTHETIC edit of the real one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec.web import guard
from tests.conftest import ROOT
from tests.web.helpers import add_users, running, signed_in, wait, web_settings

SECTIONS = ROOT / "data" / "trade" / "hs2022_sections.csv"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = web_settings(tmp_path_factory.mktemp("web-data"))
    add_users(settings, rita="analyst", olly="observer")
    with running(settings) as application:
        yield application


def test_load_a_file_and_follow_its_progress(app: Any) -> None:
    browser = signed_in(app, "rita")
    page = browser.get("/web/data")
    assert 'action="/web/data/load"' in page.text
    answer = browser.post(
        "/web/data/load",
        data={"dataset": "hs_sections", "csrf": browser.cookies.get(guard.CSRF_COOKIE)},
        files={"file": ("hs2022_sections.csv", SECTIONS.read_bytes(), "text/csv")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    job = int(answer.headers["location"].rsplit("/", 1)[1])
    state = wait(browser, job)
    assert (state["status"], state["progress"], state["dataset"]) == (
        "succeeded",
        1.0,
        "hs_sections",
    )
    shown = browser.get(f"/web/jobs/{job}").text
    assert "succeeded" in shown and 'value="1.0"' in shown and "data-job-state" in shown
    status = next(s for s in app.state.catalogue.status() if s.spec.name == "hs_sections")
    assert status.loaded and status.rows == 21  # HS 2022 has 21 sections
    japanese = signed_in(app, "rita", "ja").get(f"/web/jobs/{job}").text
    assert "完了" in japanese and "進捗" in japanese


def test_a_damaged_file_fails_with_its_line_and_field(app: Any, tmp_path: Any) -> None:
    lines = SECTIONS.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    damaged = [lines[0], *lines[1:3], ",".join(["" for _ in header]), *lines[4:]]
    browser = signed_in(app, "rita")
    answer = browser.post(
        "/web/data/load",
        data={"dataset": "hs_sections", "csrf": browser.cookies.get(guard.CSRF_COOKIE)},
        files={"file": ("damaged-synthetic.csv", "\n".join(damaged).encode(), "text/csv")},
        follow_redirects=False,
    )
    job = int(answer.headers["location"].rsplit("/", 1)[1])
    state = wait(browser, job)
    assert state["status"] == "failed"
    assert "damaged-synthetic.csv" in state["message"] and "line 4" in state["message"]
    assert "failed" in browser.get(f"/web/jobs/{job}").text


def test_loading_needs_the_right_and_the_token(app: Any) -> None:
    observer = signed_in(app, "olly")
    assert 'action="/web/data/load"' not in observer.get("/web/data").text
    form = {"dataset": "hs_sections", "csrf": observer.cookies.get(guard.CSRF_COOKIE)}
    files = {"file": ("hs2022_sections.csv", SECTIONS.read_bytes(), "text/csv")}
    assert observer.post("/web/data/load", data=form, files=files).status_code == 403
    rita = signed_in(app, "rita")
    refused = rita.post("/web/data/load", data={**form, "csrf": "x" * 43}, files=files)
    assert refused.status_code == 403
    unknown = rita.post(
        "/web/data/load",
        data={**form, "dataset": "no_such_dataset", "csrf": rita.cookies.get(guard.CSRF_COOKIE)},
        files=files,
    )
    assert unknown.status_code == 404
    assert (
        TestClient(app, base_url="https://testserver").get("/web/jobs/1/state").status_code == 401
    )


def test_a_dataset_page_shows_policy_names_in_the_readers_language(app: Any) -> None:
    """The real critical-products file (Cabinet Order designations): its page lists the rows
    with the Japanese name in Japanese and the English name in English, and its provenance."""
    catalogue = app.state.catalogue
    catalogue.load("critical_products", ROOT / "data" / "policy" / "critical_products.yaml", {})
    rows = catalogue.sample("critical_products", 1000).to_pylist()
    assert len(rows) >= 11
    english = signed_in(app, "olly").get("/web/data/critical_products")
    japanese = signed_in(app, "olly", "ja").get("/web/data/critical_products")
    assert english.status_code == japanese.status_code == 200
    fertilizers = next(r for r in rows if r["name_en"] == "Fertilizers")
    assert f'<th scope="row">{fertilizers["name_en"]}</th>' in english.text
    assert f'<th scope="row">{fertilizers["name_ja"]}</th>' in japanese.text
    assert catalogue.spec("critical_products").licence in english.text
    assert "critical_products.yaml" in english.text  # the version's file
    assert 'href="/web/data/critical_products"' in signed_in(app, "olly").get("/web/data").text
    missing = signed_in(app, "olly").get("/web/data/no_such_dataset")
    assert missing.status_code == 404
