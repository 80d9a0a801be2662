"""The Cases pages on a Council world (SYNTHETIC users and case titles): the queue by deadline
with its classification banner, a case with its clocks and history, a decision and an
extension through the forms (CSRF, rights, the workflow's rules), a hidden case answering 404,
and both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from econsec.cases.service import Cases
from econsec.web import guard
from tests.security.world import BACKENDS, World, world_on
from tests.web.helpers import running, signed_in


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
        sign_in_per_minute=10_000,
    ) as built:
        cases, ada = Cases(built.security), built.actor("ada")
        cases.open(
            ada, "infra_plan", reference="PLAN-W-1", title="Synthetic substation plan",
            workspace="council-a", level="confidential", on=date(2025, 1, 10),
        )  # fmt: skip
        cases.open(
            ada, "patent", reference="2025-0001", title="Synthetic application",
            workspace="council-a", level="secret", on=date(2025, 1, 31),
        )  # fmt: skip
        yield built


@pytest.fixture(scope="module")
def app(world: World) -> Iterator[Any]:
    with running(world.settings) as application:
        yield application


def test_the_queue_by_deadline(app: Any) -> None:
    page = signed_in(app, "ada").get("/web/cases")
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title is not None and title.group(1).startswith("Cases") and "<" not in title.group(1)
    rows = re.findall(r'<a href="/web/cases/(\d+)">', page.text)
    assert rows == ["1", "2"]  # review due 2025-02-09 before the referral due 2025-04-30
    assert "overdue" in page.text and "banner level-secret" in page.text
    assert 'href="/web/cases" aria-current="page"' in page.text
    japanese = signed_in(app, "ada", "ja").get("/web/cases")
    assert "案件" in japanese.text and "期限超過" in japanese.text and "受理" in japanese.text
    refused = signed_in(app, "ada").get("/web/cases", params={"due_within": "soon"})
    assert refused.status_code == 200 and "due within" in refused.text


def test_a_case_its_forms_and_its_rules(app: Any) -> None:
    ada = signed_in(app, "ada")
    page = ada.get("/web/cases/1")
    assert page.status_code == 200
    assert "2025-02-09" not in page.text and "Feb 9, 2025" in page.text  # the locale's dates
    assert 'name="transition"' in page.text and "start_review" in page.text
    form = {"transition": "start_review", "csrf": ada.cookies.get(guard.CSRF_COOKIE)}
    moved = ada.post("/web/cases/1/decide", data=form, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/web/cases/1"
    extend = {
        "clock": "review",
        "period": "5 months",
        "reason": "complex",
        "csrf": ada.cookies.get(guard.CSRF_COOKIE),
    }
    beyond = ada.post("/web/cases/1/extend", data=extend)
    assert beyond.status_code == 422 and "beyond the limit" in beyond.text
    extend["period"] = "4 months"
    assert ada.post("/web/cases/1/extend", data=extend, follow_redirects=False).status_code == 303
    shown = ada.get("/web/cases/1").text
    assert "May 10, 2025" in shown and "foreign" not in shown
    assert ada.post("/web/cases/1/decide", data={**form, "csrf": "x" * 43}).status_code == 403
    rita = signed_in(app, "rita")  # an analyst: may not decide
    clear = {"transition": "clear", "reason": "ok", "csrf": rita.cookies.get(guard.CSRF_COOKIE)}
    assert rita.post("/web/cases/1/decide", data=clear).status_code == 403
    lena = signed_in(app, "lena")  # clearance below the level
    assert lena.get("/web/cases/1").status_code == 404
    assert "PLAN-W-1" not in lena.get("/web/cases").text
    japanese = signed_in(app, "ada", "ja").get("/web/cases/2")
    assert "法定期間" in japanese.text and "2025/04/30" in japanese.text


def test_notifications_on_the_cases_page(app: Any, world: World) -> None:
    cases = Cases(world.security)
    cases.assign(world.actor("ada"), 2, "rita")  # rita hears of it
    rita = signed_in(app, "rita")
    page = rita.get("/web/cases")
    assert "Unread notifications (1)" in page.text and "case.assign by ada" in page.text
    assert "Synthetic application" in page.text  # the title is on the page, not in the message
    answer = rita.post(
        "/web/cases/notifications/read",
        data={"csrf": rita.cookies.get(guard.CSRF_COOKIE)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "Unread notifications" not in rita.get("/web/cases").text


def test_submit_a_plan_and_import_applications(app: Any, world: World, tmp_path: Path) -> None:
    """Through the page's forms: a SYNTHETIC plan (the sectors are the real policy data) and
    the labelled SYNTHETIC applications (the real field list)."""
    import json

    from econsec.datasets.catalogue import Catalogue
    from tests.cases.test_patent_screening_synthetic import FIELDS, LABELLED, applications_file
    from tests.conftest import ROOT

    catalogue: Catalogue = app.state.catalogue
    catalogue.load("infrastructure_sectors", ROOT / "data/policy/infrastructure_sectors.yaml", {})
    catalogue.load("patent_fields", FIELDS, {})
    ada = signed_in(app, "ada")
    page = ada.get("/web/cases")
    assert 'action="/web/cases/infra"' in page.text and 'action="/web/cases/patents"' in page.text
    plan = {"reference": "PLAN-WEB-9", "operator": "Synthetic Gas KK", "sector": "gas",
            "equipment": "pipeline SCADA"}  # fmt: skip
    token = ada.cookies.get(guard.CSRF_COOKIE)
    answer = ada.post(
        "/web/cases/infra",
        data={"workspace": "council-a", "level": "confidential", "csrf": token},
        files={"file": ("plan.json", json.dumps(plan).encode(), "application/json")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    shown = ada.get(answer.headers["location"]).text
    assert "PLAN-WEB-9" in shown and "review" in shown
    assert "Automatic checks" in shown and "role, timing, supplier" in shown  # missing items
    refused = ada.post(
        "/web/cases/infra",
        data={"workspace": "council-a", "csrf": token},
        files={"file": ("plan.json", b'{"reference": "X"}', "application/json")},
    )
    assert refused.status_code == 422 and "missing: operator" in refused.text
    path = applications_file(tmp_path)
    imported = ada.post(
        "/web/cases/patents",
        data={"workspace": "council-a", "level": "secret", "csrf": token},
        files={"file": ("applications.json", path.read_bytes(), "application/json")},
        follow_redirects=False,
    )
    assert imported.status_code == 303
    listed = ada.get("/web/cases", params={"workflow": "patent"}).text
    assert all(ident in listed for ident, *_ in LABELLED)
    number = re.findall(r'<a href="/web/cases/(\d+)">', listed)
    uranium = next(
        page for page in (ada.get(f"/web/cases/{n}").text for n in number) if "syn-10" in page
    )
    assert "First-stage screening" in uranium and "limited to uranium or plutonium" in uranium
    assert "needs judgement" in uranium
