"""The Protect pages on the real UN consolidated lists (2025-11-29 and 2026-01-28): screen a
name, read the explained results in both languages, record a decision (stored, audited), and
the rights and CSRF checks on it; screen a file of real listed names as a job and download the
results; the versions and what changed between them. Users are SYNTHETIC.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec import open_protect
from econsec.protect.screening.model import Query
from econsec.web import guard
from econsec.web import protect as protect_pages
from tests.conftest import shared_file
from tests.protect.conftest import LISTED_PERSON, UN_NEW, UN_OLD, un_diff, un_file
from tests.security.world import KEY, OPERATOR
from tests.web.helpers import PASSWORD, add_users, running, signed_in, wait, web_settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = web_settings(tmp_path_factory.mktemp("web-protect"))
    protect = open_protect(settings)
    protect.load("un", [shared_file(UN_OLD)])
    protect.load("un", [shared_file(UN_NEW)])
    protect.store.app.dispose()
    add_users(settings, rita="analyst", olly="observer", ada="admin")
    with running(settings) as application:
        yield application


def listed() -> tuple[str, str]:
    """(entity id as econsec names it, name) of a UN individual in the 2026-01-28 file."""
    _, records = un_file(shared_file(UN_NEW))
    return LISTED_PERSON, records[LISTED_PERSON].name


def test_screening_shows_explained_results(app: Any) -> None:
    ref, name = listed()
    page = signed_in(app, "olly").get("/web/protect", params={"name": name, "schema": "Person"})
    assert page.status_code == 200
    assert "un-sc" in page.text and ref in page.text
    assert ">match<" in page.text  # the listed person is a match
    assert "→" in page.text  # the name pair of the explanation
    assert 'action="/web/protect/decisions"' not in page.text  # observers do not decide
    japanese = signed_in(app, "olly", "ja").get("/web/protect", params={"name": name})
    assert "取引相手の照合" in japanese.text and ">一致<" in japanese.text


def test_recording_a_decision(app: Any) -> None:
    ref, name = listed()
    browser = signed_in(app, "rita")
    page = browser.get("/web/protect", params={"name": name, "schema": "Person"})
    query = Query(names=(name,), schema="Person")
    entity = next(r for r in app.state.protect.screen(query, limit=10) if r.entry.source_id == ref)
    form = {
        "name": name,
        "schema": "Person",
        "entity_id": entity.entry.id,
        "verdict": "true_positive",
        "reason": "same name and date of birth (synthetic review)",
        "csrf": browser.cookies.get(guard.CSRF_COOKIE),
    }
    assert 'action="/web/protect/decisions"' in page.text
    head = app.state.security.verify(OPERATOR).entries
    answer = browser.post("/web/protect/decisions", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/web/protect?")
    party = protect_pages.party_id(name, "Person", "", "")
    (decision,) = app.state.protect.store.decisions(party)
    assert (decision.verdict, decision.analyst) == ("true_positive", "rita")
    shown = browser.get(answer.headers["location"])
    assert "same name and date of birth (synthetic review)" in shown.text
    with app.state.security.session() as session:
        from sqlalchemy import select

        from econsec.security.models import AuditEvent

        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.seq > head)))
    assert "protect.decision" in actions
    # Without the form's token, or as an observer: refused, nothing recorded.
    refused = browser.post("/web/protect/decisions", data={**form, "csrf": "x" * 43})
    assert refused.status_code == 403
    observer = signed_in(app, "olly")
    form["csrf"] = observer.cookies.get(guard.CSRF_COOKIE)
    assert observer.post("/web/protect/decisions", data=form).status_code == 403
    assert len(app.state.protect.store.decisions(party)) == 1


def test_a_refused_query_is_explained(app: Any) -> None:
    page = signed_in(app, "rita").get("/web/protect", params={"name": "x", "country": "nowhere"})
    assert page.status_code == 200
    assert "The query was refused." in page.text and "unknown country" in page.text


def test_the_page_needs_sign_in_and_has_no_key_material(app: Any) -> None:
    browser = TestClient(app, base_url="https://testserver")
    assert browser.get("/web/protect", follow_redirects=False).status_code == 303
    assert KEY not in signed_in(app, "rita").get("/web/protect").text


def party_file(folder: Path, count: int = 40) -> tuple[Path, list[tuple[str, str]]]:
    """A CSV of ``count`` real names of the 2026-01-28 UN list (persons and entities) and two
    names made up for the test (SYNTHETIC, expected to match nothing)."""
    _, records = un_file(shared_file(UN_NEW))
    parties = [(f"p{i}", r.name) for i, r in enumerate(list(records.values())[:count])]
    parties += [("s1", "Hanako Yamada Bakery"), ("s2", "Qwzx Trading Nowhere")]
    path = folder / "parties.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        writer.writerows(parties)
    return path, parties


def test_screening_a_file_and_downloading_the_results(app: Any, tmp_path: Path) -> None:
    path, parties = party_file(tmp_path)
    browser = signed_in(app, "rita")
    page = browser.get("/web/protect")
    assert 'action="/web/protect/batch"' in page.text
    with path.open("rb") as fh:
        answer = browser.post(
            "/web/protect/batch",
            data={"csrf": browser.cookies.get(guard.CSRF_COOKIE), "limit": "3"},
            files={"file": ("parties.csv", fh, "text/csv")},
            follow_redirects=False,
        )
    assert answer.status_code == 303
    job = int(answer.headers["location"].rsplit("/", 1)[1])
    state = wait(browser, job)
    assert state["status"] == "succeeded", state
    assert state["result"]["parties"] == len(parties)
    shown = browser.get(f"/web/jobs/{job}")
    assert f"/web/jobs/{job}/result" in shown.text
    download = browser.get(f"/web/jobs/{job}/result")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    # Each row is what the engine answers for that party (matches only, at most 3 per party).
    expected = []
    for party_id, name in parties:
        for result in app.state.protect.screen(Query(names=(name,)), limit=3):
            if result.match:
                expected.append((party_id, result.entry.id, f"{result.score:.4f}"))
    assert [(r["id"], r["entity_id"], r["score"]) for r in rows] == expected
    matched = {r["id"] for r in rows}
    assert state["result"]["matched"] == len(matched) >= 35  # real listed names are found
    assert not matched & {"s1", "s2"}
    # Only the sender (and admins) see the job and its results; others get "not found".
    observer = signed_in(app, "olly")
    assert observer.get(f"/web/jobs/{job}/result").status_code == 404
    assert observer.get(f"/web/jobs/{job}/state").status_code == 404
    assert signed_in(app, "ada").get(f"/web/jobs/{job}/result").text == download.text
    japanese = signed_in(app, "rita", "ja").get(f"/web/jobs/{job}")
    assert "一括照合" in japanese.text and "結果をダウンロード" in japanese.text


def test_a_bad_party_file_is_refused_with_its_line_and_field(app: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,fullname\np1,Someone\n", encoding="utf-8")
    browser = signed_in(app, "rita")
    uploads = app.state.settings.home / "uploads"
    kept = set(uploads.iterdir()) if uploads.is_dir() else set()
    with bad.open("rb") as fh:
        answer = browser.post(
            "/web/protect/batch",
            data={"csrf": browser.cookies.get(guard.CSRF_COOKIE)},
            files={"file": ("bad.csv", fh, "text/csv")},
        )
    assert answer.status_code == 422
    assert "bad.csv" in answer.text and "name" in answer.text
    assert (set(uploads.iterdir()) if uploads.is_dir() else set()) == kept  # nothing kept
    without_token = browser.post(
        "/web/protect/batch", data={"csrf": "x" * 43}, files={"file": ("p.csv", b"id,name\n")}
    )
    assert without_token.status_code == 403


def test_screening_a_file_over_http(app: Any, tmp_path: Path) -> None:
    path, parties = party_file(tmp_path, count=5)
    client = TestClient(app, base_url="https://testserver")
    with path.open("rb") as fh:
        refused = client.post("/protect/screen-file", files={"file": ("p.csv", fh, "text/csv")})
    assert refused.status_code == 401
    token = client.post("/auth/login", json={"name": "rita", "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with path.open("rb") as fh:
        answer = client.post(
            "/protect/screen-file",
            files={"file": ("p.csv", fh, "text/csv")},
            params={"limit": 2, "all": True},
            headers=headers,
        )
    assert answer.status_code == 202, answer.text
    job = answer.json()["id"]
    for _ in range(600):
        info = client.get(f"/jobs/{job}").json()
        if info["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.05)
    assert info["status"] == "succeeded", info
    result = client.get(f"/jobs/{job}/result", headers=headers)
    rows = list(csv.DictReader(io.StringIO(result.text)))
    # all=true: the best two of every party, matches or not, as the engine ranks them.
    expected = [
        (party_id, r.entry.id)
        for party_id, name in parties
        for r in app.state.protect.screen(Query(names=(name,)), limit=2, matches_only=False)
    ]
    assert [(r["id"], r["entity_id"]) for r in rows] == expected
    assert len(rows) > len(parties)
    stranger = TestClient(app, base_url="https://testserver")  # no token, no cookie
    assert stranger.get(f"/jobs/{job}/result").status_code == 401
    # The job itself is hidden from anyone but its sender (and admins), like a missing one.
    assert stranger.get(f"/jobs/{job}").status_code == 404
    assert job not in [j["id"] for j in stranger.get("/jobs").json()]
    assert stranger.post(f"/jobs/{job}/rerun").status_code == 404
    assert client.get(f"/jobs/{job}", headers=headers).json()["kind"] == "protect_screen"
    assert job in [j["id"] for j in client.get("/jobs", headers=headers).json()]
    huge = 2**63  # past the database's integers: like any missing job, and a bad run id
    assert stranger.get(f"/jobs/{huge}").status_code == 404
    assert client.get(f"/jobs/{huge}/result", headers=headers).status_code == 404
    assert client.get("/protect/hits", params={"run": huge}).status_code == 422
    bad = {"Authorization": "Bearer " + "x" * 43}
    assert stranger.get("/jobs", headers=bad).status_code == 401  # a bad token is refused


def test_list_versions_and_what_changed(app: Any) -> None:
    browser = signed_in(app, "olly")
    page = browser.get("/web/protect/lists")
    assert page.status_code == 200
    assert "2025-11-29" in page.text and "2026-01-28" in page.text
    diff = browser.get("/web/protect/lists", params={"name": "un-sc"})
    added, removed, _ = un_diff(shared_file(UN_OLD), shared_file(UN_NEW))
    summary = app.state.protect.store.diff("un-sc").as_dict()["summary"]
    assert (summary["added"], summary["removed"]) == (len(added), len(removed))
    counts = f"{summary['added']:,} added, {summary['removed']:,} removed, {summary['changed']:,}"
    assert counts + " changed" in diff.text
    for ref in sorted(removed)[:3]:
        assert ref in diff.text
    japanese = signed_in(app, "olly", "ja").get("/web/protect/lists", params={"name": "un-sc"})
    assert "変更" in japanese.text and "リストの版" in japanese.text
    unknown = browser.get("/web/protect/lists", params={"name": "nope"})
    assert unknown.status_code == 200 and "The comparison was refused." in unknown.text
    # The form sends empty version numbers when none is chosen; a word is refused on the page.
    empty = browser.get("/web/protect/lists", params={"name": "un-sc", "from": "", "to": ""})
    assert counts + " changed" in empty.text
    word = browser.get("/web/protect/lists", params={"name": "un-sc", "from": "first"})
    assert "The comparison was refused." in word.text and "first" in word.text
    superscript = browser.get("/web/protect/lists", params={"name": "un-sc", "from": "²"})
    assert superscript.status_code == 200 and "The comparison was refused." in superscript.text
