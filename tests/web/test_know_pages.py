"""The Know page (dependency explorer) on the shipped real data (BACI 2024 critical materials,
the materials panel): Japan's dependencies for 2024 with the supplier-share chart and its table
view, sorting, filtering, CSV that matches the page, both languages, and no inline code in the
charts. Users are SYNTHETIC.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.datasets.manifest import read_manifest
from econsec.engine import get_engine
from econsec.know.dependencies import dependencies
from econsec.store.analytics import AnalyticsStore
from tests.conftest import ROOT
from tests.web.helpers import add_users, running, signed_in, web_settings
from tests.web.test_pages import Page, outside


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = web_settings(tmp_path_factory.mktemp("web-know"))
    catalogue = Catalogue(AnalyticsStore.from_settings(settings))
    manifest = ROOT / "data" / "manifest.yaml"
    for entry in read_manifest(manifest):
        catalogue.load(entry.name, manifest.parent / entry.file, entry.options)
    add_users(settings, rita="analyst")
    with running(settings) as application:
        yield application


def expected(app: Any, **options: Any) -> list[dict[str, Any]]:
    """Japan's 2024 indicators, straight from the Know engine."""
    engine = get_engine(app.state.catalogue, app.state.settings)
    rows = dependencies(engine, year=2024, importers=["JPN"], **options).to_pylist()
    return sorted(rows, key=lambda r: -(r["import_value"] or 0))


def body_rows(html: str) -> list[str]:
    """Product codes of the indicator table, in order."""
    table = html[html.rfind("<table") :]
    return re.findall(r'<th scope="row"><span class="code">(\d+)</span>', table)


def test_japan_2024_with_the_supplier_chart(app: Any) -> None:
    page = signed_in(app, "rita").get("/web/know", params={"importer": "JPN", "year": 2024})
    assert page.status_code == 200
    want = expected(app)
    assert body_rows(page.text) == [r["product"] for r in want]
    # Ferro-niobium: Brazil supplies 97.3 % (BACI 2024).
    niobium = page.text[page.text.find(">720293<") :][:900]
    assert "BRA" in niobium and "97.3%" in niobium
    assert page.text.count("<svg") == 2  # supplier shares and trend
    assert 'role="img"' in page.text
    assert "Supplier shares of import value, JPN 2024" in page.text
    views = re.findall(r"<summary>Table view</summary>", page.text)
    assert len(views) == 2
    parsed = Page(page.text)
    assert not parsed.inline and not outside(parsed.fetches)


def test_sorting_filtering_and_csv_match_the_page(app: Any) -> None:
    browser = signed_in(app, "rita")
    params = {"importer": "JPN", "year": 2024, "sort": "hhi", "desc": "false"}
    page = browser.get("/web/know", params=params)
    by_hhi = sorted(expected(app), key=lambda r: r["hhi"])
    assert body_rows(page.text) == [r["product"] for r in by_hhi]
    assert 'aria-sort="ascending"' in page.text
    only = browser.get("/web/know", params={**params, "dependent": "true", "q": "magnes"})
    dependent = [r["product"] for r in by_hhi if r["dependent"]]
    shown = body_rows(only.text)
    assert shown and set(shown) <= set(dependent)
    download = browser.get("/web/know.csv", params={**params, "dependent": "true"})
    assert download.headers["content-disposition"].endswith('"dependencies-JPN-2024.csv"')
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["product"] for r in rows] == dependent
    assert all(r["dependent"] == "True" and r["unit"] == "thousand current USD" for r in rows)


def test_the_page_in_japanese(app: Any) -> None:
    page = signed_in(app, "rita", "ja").get("/web/know", params={"importer": "JPN", "year": 2024})
    assert "依存関係エクスプローラー" in page.text
    assert "輸入額の供給国シェア(JPN、2024年)" in page.text
    assert "表で見る" in page.text and "最大供給国シェア" in page.text


def test_an_unknown_importer_is_explained(app: Any) -> None:
    page = signed_in(app, "rita").get("/web/know", params={"importer": "XXX", "year": 2024})
    assert page.status_code == 200
    assert (
        "No result for this importer and year." in page.text and "no imports for XXX" in page.text
    )
    assert "<svg" not in page.text


def test_each_chart_has_its_data_as_csv(app: Any) -> None:
    browser = signed_in(app, "rita")
    page = browser.get("/web/know", params={"importer": "JPN", "year": 2024})
    links = re.findall(r'href="(/web/know/(?:shares|trend)\.csv\?[^"]+)"', page.text)
    assert len(links) == 2
    shares = list(csv.DictReader(io.StringIO(browser.get(links[0].replace("&amp;", "&")).text)))
    charted = {r["product"] for r in shares}
    dependent = sorted(
        (r for r in expected(app) if r["dependent"]), key=lambda r: -(r["import_value"] or 0)
    )
    assert charted == {r["product"] for r in dependent[:8]}
    for product in charted:  # each product's shares add up to the whole
        total = sum(float(r["share"]) for r in shares if r["product"] == product)
        assert abs(total - 1.0) < 1e-9, product
    niobium = [r for r in shares if r["product"] == "720293" and r["supplier"] == "BRA"]
    assert niobium and round(float(niobium[0]["share"]), 3) == 0.973
    trend = list(csv.DictReader(io.StringIO(browser.get(links[1].replace("&amp;", "&")).text)))
    assert [int(r["year"]) for r in trend] == list(range(2002, 2025))
    assert (
        browser.get("/web/know/other.csv", params={"importer": "JPN", "year": 2024}).status_code
        == 404
    )
