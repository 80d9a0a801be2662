"""The Protect page on the real UN consolidated list (2026-01-28): screen a name, read the
explained results in both languages, record a decision (stored, audited), and the rights and
CSRF checks on it. Users are SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec import open_protect
from econsec.protect.screening.model import Query
from econsec.web import guard
from econsec.web import protect as protect_pages
from tests.conftest import shared_file
from tests.protect.conftest import LISTED_PERSON, UN_NEW, un_file
from tests.security.world import KEY, OPERATOR
from tests.web.helpers import add_users, running, signed_in, web_settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = web_settings(tmp_path_factory.mktemp("web-protect"))
    protect = open_protect(settings)
    protect.load("un", [shared_file(UN_NEW)])
    protect.store.app.dispose()
    add_users(settings, rita="analyst", olly="observer")
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
