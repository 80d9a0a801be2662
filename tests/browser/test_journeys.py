"""The users' journeys in headless Chromium, on the real shipped data (BACI 2024 critical
materials and the materials panel), the real UN consolidated list (2026-01-28) and the Council
world of tests/security/world.py (real public texts under SYNTHETIC titles, SYNTHETIC users):

sign in; open Japan's dependencies for 2024 and see the chart; screen a name and record a
decision; upload a batch file of parties and download the results; upload a confidential
document and check that a user with a lower clearance sees neither it, its title nor a count
that betrays it; switch to Japanese and see Japanese text throughout. No request may leave the
server (the ``page`` fixture fails the test otherwise).

With ``ECONSEC_SCREENSHOTS=DIR`` each page visited is also saved as DIR/<name>.png (the
screenshots in docs/screenshots are made so).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from econsec import open_protect
from econsec.cases.service import Cases
from econsec.datasets.catalogue import Catalogue
from econsec.datasets.manifest import read_manifest
from econsec.know.iotables import IOTables
from econsec.know.networks import Networks
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore
from tests.conftest import ROOT, shared_file
from tests.protect.conftest import UN_NEW
from tests.security.world import PASSWORD, World, build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
SECRET_TITLE = "Journey: allied supply-chain assessment (synthetic)"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("journeys")
    built = build_world(
        f"sqlite:///{home / 'app.db'}",
        home,
        passwords=True,
        people=("rita", "lena"),
        sign_in_per_minute=10_000,
        env="test",
    )
    catalogue = Catalogue(AnalyticsStore.from_settings(built.settings))
    manifest = ROOT / "data" / "manifest.yaml"
    for entry in read_manifest(manifest):
        catalogue.load(entry.name, manifest.parent / entry.file, entry.options)
    know = AnalyticsStore.from_settings(built.settings)
    supply = ROOT / "data" / "supply"
    Networks(know).load("willems", supply / "willems2008/raw_msom/22.csv.gz", "willems_22")
    IOTables(know).load("wiod", supply / "wiod2013_2011", "wiod2011")
    protect = open_protect(built.settings)
    protect.load("un", [shared_file(UN_NEW)])
    protect.store.app.dispose()
    cases = Cases(built.security)  # one case of each workflow (SYNTHETIC)
    cases.open(
        built.actor("ada"), "infra_plan", reference="PLAN-2025-001",
        title="Substation control system (synthetic)", workspace="council-a",
        level="confidential", on=date(2025, 1, 10),
    )  # fmt: skip
    cases.open(
        built.actor("ada"), "patent", reference="2025-000123",
        title="Isotope separation cascade (synthetic)", workspace="council-a", level="secret",
        on=date(2025, 1, 31),
    )  # fmt: skip
    yield built
    built.close()


@pytest.fixture(scope="module")
def live_settings(world: World) -> Settings:
    """The live server runs on the journeys' world (overrides tests/browser/conftest.py)."""
    return world.settings


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("ECONSEC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page: Page, name: str, target: str = "/web/") -> None:
    page.goto(target)
    assert "/web/login" in page.url
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(re.escape(target) + "$"))


def sign_out(page: Page) -> None:
    page.click(".signout button")
    page.wait_for_url(re.compile(r"/web/login$"))


def test_sign_in(page: Page) -> None:
    page.goto("/web/login")
    shot(page, "login")
    page.fill("#name", "rita")
    page.fill("#password", "not-the-password")
    page.click("main button[type=submit]")
    assert page.locator("p.error").is_visible()
    assert "/web/login" in page.url
    sign_in(page, "rita")
    assert page.locator(".who").inner_text().startswith("rita")
    assert page.locator("h1").inner_text() == "Economic security platform"
    shot(page, "start")


def test_japan_dependencies_2024_with_the_chart(page: Page) -> None:
    sign_in(page, "rita", "/web/know")
    page.fill("#importer", "JPN")
    page.fill("#year", "2024")
    page.click("form.inline button[type=submit] >> nth=0")
    page.wait_for_selector("figure.chart svg[role=img]")
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 2
    assert (
        "Supplier shares of import value, JPN 2024" in page.locator("figcaption").first.inner_text()
    )
    rows = page.locator("table.data >> nth=-1").locator("tbody tr")
    assert rows.count() == 30
    assert "270112" in rows.first.inner_text()  # coal leads by value (BACI 2024)
    niobium = rows.filter(has_text="720293").inner_text()
    assert "BRA" in niobium and "97.3%" in niobium  # ferro-niobium: Brazil
    # The table view opens from the keyboard.
    page.locator("details summary").first.focus()
    page.keyboard.press("Enter")
    assert page.locator("details").first.get_attribute("open") is not None
    shot(page, "know")
    # Sorting by a column header is a link.
    page.click("th a:has-text('hhi')")
    page.wait_for_url(re.compile("sort=hhi"))
    assert page.locator("th[aria-sort]").count() == 1


def test_screen_a_name_and_record_a_decision(page: Page, world: World) -> None:
    sign_in(page, "rita", "/web/protect")
    page.fill("#name", "GERMAIN KATANGA")
    page.select_option("#schema", "Person")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("table.data tbody tr")
    first = page.locator("table.data tbody tr").first
    assert "GERMAIN KATANGA" in first.inner_text() and "CDi.006" in first.inner_text()
    first.locator("select[name=verdict]").select_option("false_positive")
    first.locator("input[name=reason]").fill("different date of birth (synthetic review)")
    first.locator("button[type=submit]").click()
    page.wait_for_selector("text=different date of birth (synthetic review)")
    shot(page, "protect")
    protect = open_protect(world.settings)
    try:
        recorded = [(d.verdict, d.analyst, d.reason) for d in protect.store.decisions()]
    finally:
        protect.store.app.dispose()
    assert ("false_positive", "rita", "different date of birth (synthetic review)") in recorded


def test_a_confidential_upload_is_invisible_to_a_lower_clearance(
    page: Page, world: World, tmp_path: Path
) -> None:
    lena_before = [k for k in world.visible("lena") if k.startswith("A")]
    sign_in(page, "rita", "/web/councils/council-a")
    source = tmp_path / "assessment.md"
    source.write_bytes(shared_file("supply/PROVENANCE.md").read_bytes())
    page.fill("#title", SECRET_TITLE)
    page.select_option("#level", "confidential")
    page.set_input_files("#file", str(source))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/web/documents/\d+$"))
    document_url = page.url
    assert page.locator("h1").inner_text() == SECRET_TITLE
    banners = page.locator(".banner.level-confidential")
    assert banners.count() == 2 and "confidential" in banners.first.inner_text()
    shot(page, "document")
    with page.expect_download() as download:
        page.click("a.button")
    assert Path(download.value.path()).read_bytes() == source.read_bytes()
    sign_out(page)

    sign_in(page, "lena", "/web/councils/council-a")
    shot(page, "workspace")
    text = page.content()
    assert SECRET_TITLE not in text and "allied supply-chain" not in text
    assert f"Documents you may see: {len(lena_before)}" in page.locator("main").inner_text()
    assert page.locator("tbody tr").count() == len(lena_before)
    page.goto("/web/search?q=assessment+allied")
    assert "Documents found: 0" in page.locator("main").inner_text()
    response = page.goto(document_url)
    assert response is not None and response.status == 404
    assert SECRET_TITLE not in page.content()


def test_switch_to_japanese_throughout(page: Page) -> None:
    sign_in(page, "rita", "/web/councils")
    page.select_option("#language", "ja")  # app.js submits the form on change
    page.wait_for_function("document.documentElement.lang === 'ja'")
    assert page.locator("h1").inner_text() == "協議会ワークスペース"
    for url, heading in (
        ("/web/", "経済安全保障プラットフォーム"),
        ("/web/know?importer=JPN&year=2024", "依存関係エクスプローラー"),
        ("/web/protect", "取引相手の照合"),
        ("/web/councils/council-a", "ワークスペース council-a"),
        ("/web/data", "データセット"),
    ):
        page.goto(url)
        assert page.locator("h1").inner_text() == heading
        nav = page.locator("nav").first.inner_text()  # the main navigation
        assert "把握" in nav and "保護" in nav and "協議会" in nav and "データ" in nav
        shot(page, "ja-" + (url.strip("/").split("?")[0].replace("/", "-") or "start"))
    # Remembered: a new page of the same browser is still in Japanese, and with the user.
    page.goto("/web/councils")
    assert page.locator("html").get_attribute("lang") == "ja"
    sign_out(page)
    page.context.clear_cookies()
    sign_in(page, "rita", "/web/councils")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.select_option("#language", "en")  # back to English for the other journeys
    page.wait_for_function("document.documentElement.lang === 'en'")


def test_load_a_file_with_progress(page: Page) -> None:
    """The data page loads a real shipped file; the job page follows it to the end by script."""
    sign_in(page, "rita", "/web/data")
    page.select_option("#dataset", "hs_sections")
    page.set_input_files("#file", str(ROOT / "data" / "trade" / "hs2022_sections.csv"))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/web/jobs/\d+$"))
    assert page.locator("progress#progress").count() == 1
    page.wait_for_selector("[data-done=true]")  # app.js reloads the page when the job ends
    assert page.locator("[data-field=status]").inner_text() == "succeeded"
    assert page.locator("progress#progress").get_attribute("value") == "1.0"
    shot(page, "job")


def test_upload_a_batch_file_and_download_the_results(page: Page, tmp_path: Path) -> None:
    """A CSV of parties (two real UN-listed names, one SYNTHETIC) is screened as a job; the
    job page follows it and offers the results, which are downloaded and read."""
    parties = tmp_path / "parties.csv"
    parties.write_text(
        "id,name,schema\nk1,GERMAIN KATANGA,Person\nk2,ERIC BADEGE,Person\n"
        "s1,Hanako Yamada Bakery,Company\n",
        encoding="utf-8",
    )
    sign_in(page, "rita", "/web/protect")
    page.set_input_files("#batch-file", str(parties))
    page.click("form[action='/web/protect/batch'] button[type=submit]")
    page.wait_for_url(re.compile(r"/web/jobs/\d+$"))
    assert page.locator("progress#progress").count() == 1
    page.wait_for_selector("[data-done=true]")
    assert page.locator("[data-field=status]").inner_text() == "succeeded"
    assert "3 parties screened, 2 with a match." in page.locator("main").inner_text()
    shot(page, "protect-batch")
    with page.expect_download() as download:
        page.click("a.button")
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["id"] for r in rows} == {"k1", "k2"}
    katanga = next(r for r in rows if r["id"] == "k1")
    assert katanga["source_id"] == "CDi.006" and katanga["match"] == "true"


def test_list_versions_page(page: Page) -> None:
    sign_in(page, "rita", "/web/protect/lists")
    assert page.locator("h1").inner_text() == "List versions and changes"
    row = page.locator("table.data tbody tr").filter(has_text="un-sc")
    assert "2026-01-28" in row.inner_text()
    page.click("form[action='/web/protect/lists'] button[type=submit]")
    assert "only one version" in page.locator("p.error").inner_text()  # one UN file loaded
    shot(page, "protect-lists")


PAGES = (
    ("know-chokepoints", "/web/know/chokepoints?year=2024"),
    ("know-scenario", "/web/know/scenario?exporter=BRA&products=720293&year=2024"),
    ("know-networks", "/web/know/networks"),
    # Willems, not ETO: ETO's data is CC BY-NC and the screenshots ship with econsec.
    ("know-network", "/web/know/networks/willems_22?disrupt=Manuf_0001:30"),
    ("know-io", "/web/know/io?table=wiod2011&extract=TWN:c14&model=bottleneck"),
    ("protect-lists", "/web/protect/lists"),
    ("promote", "/web/promote?q=quantum"),
    ("promote-landscape", "/web/promote/landscape?technology=Artificial+intelligence"),
    ("promote-portfolio", "/web/promote/portfolio"),
    ("promote-match", "/web/promote/match?need=AF151-019"),
    ("cases", "/web/cases"),
    ("case", "/web/cases/1"),
    ("data", "/web/data"),
    ("dataset", "/web/data/critical_products"),
    ("councils", "/web/councils"),
    ("search", "/web/search?q=supply"),
    ("audit", "/web/audit"),
)


def test_every_page_in_both_languages(page: Page) -> None:
    """Each page opens for an admin, with a heading, in English and then in Japanese (a
    screenshot of each with ECONSEC_SCREENSHOTS)."""
    sign_in(page, "ada")
    for language in ("en", "ja"):
        if language == "ja":
            page.select_option("#language", "ja")
            page.wait_for_function("document.documentElement.lang === 'ja'")
        for name, url in PAGES:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("h1").count() == 1 and page.locator("h1").inner_text()
            assert page.locator("p.error").count() == 0, (
                url,
                page.locator("p.error").all_inner_texts(),
            )
            shot(page, name if language == "en" else f"ja-{name}")
    page.select_option("#language", "en")  # ada back to English for any later journey
    page.wait_for_function("document.documentElement.lang === 'en'")


def test_a_wrong_batch_file_is_explained(page: Page, tmp_path: Path) -> None:
    """The upload goes through app.js (with its progress bar); a file without a name column
    comes back as the error page, naming the file and the field."""
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,fullname\nk1,GERMAIN KATANGA\n", encoding="utf-8")
    sign_in(page, "rita", "/web/protect")
    page.set_input_files("#batch-file", str(wrong))
    page.click("form[action='/web/protect/batch'] button[type=submit]")
    page.wait_for_selector("main p[role=alert]")
    assert page.locator("h1").inner_text() == "Error"
    text = page.locator("main").inner_text()
    assert "wrong.csv" in text and "name" in text
    assert page.url.endswith("/web/protect")  # the form's page; nothing was queued
