"""The Know pages on the shipped real data (BACI 2024 critical materials, the materials panel):
Japan's dependencies for 2024 with the supplier-share chart and its table view, sorting,
filtering, CSV that matches the page, both languages, and no inline code in the charts; the
chokepoint list and the export-stop scenario (Brazil and ferro-niobium), each number equal to
the Know engine's, each CSV equal to its table, errors shown on the page. Users are SYNTHETIC.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec.datasets.catalogue import Catalogue
from econsec.datasets.manifest import read_manifest
from econsec.engine import get_engine
from econsec.know import chokepoints as choke
from econsec.know.dependencies import dependencies
from econsec.know.scenarios import Scenario, export_stop
from econsec.store.analytics import AnalyticsStore
from econsec.web import i18n, scenario
from econsec.web.i18n import Locale
from tests.conftest import ROOT
from tests.web.helpers import add_users, download, running, signed_in, web_settings
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


# -- chokepoints and the export-stop scenario ------------------------------------------------------


class Tables(HTMLParser):
    """The tables of a page: caption, column headings and the text of each row's cells."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "head": [], "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join(self._caption)
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join(self._cell))
            self._cell = None
        elif tag == "tr" and self.tables:
            table = self.tables[-1]
            (table["rows"] if table["head"] else table["head"]).append(self._row)

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption):
            if part is not None and data.strip():
                part.append(data.strip())

    def find(self, caption: str) -> dict[str, Any]:
        """The table whose caption contains ``caption``."""
        return next(t for t in self.tables if caption in t["caption"])


EN = Locale("en")
NIOBIUM = {"exporter": "BRA", "products": "720293", "year": "2024"}


def engine_of(app: Any) -> Any:
    return get_engine(app.state.catalogue, app.state.settings)


@pytest.fixture(scope="module")
def browser(app: Any) -> TestClient:
    return signed_in(app, "rita")


@pytest.fixture(scope="module")
def niobium(app: Any, browser: TestClient) -> tuple[str, Scenario]:
    """The page of Brazil stopping ferro-niobium in 2024, and the engine's own result."""
    page = browser.get("/web/know/scenario", params=NIOBIUM)
    assert page.status_code == 200
    result = export_stop(engine_of(app), exporter="BRA", products=["720293"], year=2024)
    return page.text, result


def test_the_know_pages_link_each_other(browser: TestClient) -> None:
    for url, current in (
        ("/web/know", "/web/know"),
        ("/web/know/chokepoints", "/web/know/chokepoints"),
        ("/web/know/scenario", "/web/know/scenario"),
        ("/web/know/networks", "/web/know/networks"),
        ("/web/know/io", "/web/know/io"),
    ):
        page = browser.get(url)
        assert page.status_code == 200
        nav = page.text[page.text.find('<nav class="subnav"') :]
        nav = nav[: nav.find("</nav>")]
        assert re.findall(r'href="([^"]+)"', nav) == [
            "/web/know",
            "/web/know/chokepoints",
            "/web/know/scenario",
            "/web/know/networks",
            "/web/know/io",
        ]
        assert f'href="{current}" aria-current="page"' in nav


def test_world_concentration_equals_the_engine_and_its_csv(app: Any, browser: TestClient) -> None:
    page = browser.get("/web/know/chokepoints", params={"year": 2024})
    want = choke.concentration(engine_of(app), year=2024).to_pylist()
    table = Tables(page.text).find("Rows shown")
    assert [r[1].split()[0] for r in table["rows"]] == [r["product"] for r in want]
    niobium = next(r for r in table["rows"] if r[1].startswith("720293 "))
    assert "ferro-niobium" in niobium[1]  # the label shows with the code
    row = next(r for r in want if r["product"] == "720293")
    assert niobium[2:] == [
        EN.number(row["world_export_value"], 1),
        EN.number(row["n_exporters"]),
        EN.number(row["world_export_hhi"], 3),
        "BRA",
        EN.percent(row["top_exporter_share"]),
        EN.percent(row["top3_exporter_share"]),
    ]
    assert niobium[5:6] == ["BRA"] and niobium[6] == "75.8%"  # BACI 2024
    rows = download(browser, page.text, "/web/know/chokepoints.csv")
    assert [r["product"] for r in rows] == [r["product"] for r in want]
    assert [float(r["world_export_hhi"]) for r in rows] == [r["world_export_hhi"] for r in want]
    assert {r["unit"] for r in rows} == {"thousand current USD"}
    parsed = Page(page.text)
    assert not parsed.inline and not outside(parsed.fetches)


def test_critical_exporters_sort_limit_and_csv(app: Any, browser: TestClient) -> None:
    params = {"year": 2024, "view": "exporters", "min_share": "0.5", "min_importers": "3"}
    sorted_params = {**params, "limit": "10", "sort": "value_at_risk", "desc": "true"}
    page = browser.get("/web/know/chokepoints", params=sorted_params)
    engine = choke.critical_exporters(engine_of(app), year=2024, min_share=0.5, min_importers=3)
    first = engine.to_pylist()[:10]  # the limit takes the engine's first rows, then sorts them
    want = sorted(first, key=lambda r: -r["value_at_risk"])
    table = Tables(page.text).find("Rows shown")
    assert table["caption"].startswith(f"Rows shown: 10 of {engine.num_rows}")
    shown = [(r[1].split()[0], r[2], r[-1]) for r in table["rows"]]
    assert shown == [(r["product"], r["exporter"], EN.number(r["value_at_risk"], 1)) for r in want]
    assert 'aria-sort="descending"' in page.text
    rows = download(browser, page.text, "/web/know/chokepoints.csv")
    assert [(r["product"], r["exporter"]) for r in rows] == [
        (r["product"], r["exporter"]) for r in want
    ]
    assert [int(r["rank"]) for r in rows] == [first.index(r) + 1 for r in want]
    # A sort link of the table reverses the current order.
    ascending = re.search(
        r'href="(/web/know/chokepoints\?[^"]*sort=value_at_risk[^"]*)"', page.text
    )
    assert ascending and "desc=false" in ascending.group(1)


def test_the_ranking_of_an_importer_equals_the_engine(app: Any, browser: TestClient) -> None:
    params = {"year": 2024, "view": "ranking", "importer": "jpn"}
    page = browser.get("/web/know/chokepoints", params=params)
    want = choke.dependent_and_concentrated(engine_of(app), importer="JPN", year=2024).to_pylist()
    table = Tables(page.text).find("Rows shown")
    assert [(r[1].split()[0], r[2]) for r in table["rows"]] == [
        (r["product"], EN.number(r["score"], 3)) for r in want
    ]
    assert want[0]["product"] == "720293"  # ferro-niobium leads Japan's ranking (BACI 2024)
    rows = download(browser, page.text, "/web/know/chokepoints.csv")
    assert {r["importer"] for r in rows} == {"JPN"}
    assert [float(r["score"]) for r in rows] == [r["score"] for r in want]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": 2024, "view": "ranking", "importer": ""}, "the ranking needs an importer"),
        ({"year": 1999}, "year(s) 1999 not loaded"),
        ({"year": "soon"}, "year: got 'soon'"),
        ({"year": 2024, "view": "exporters", "min_share": "2"}, "min_share: got '2'"),
        ({"year": 2024, "view": "ranking", "importer": "XXX"}, "no imports for XXX"),
    ],
)
def test_chokepoint_errors_are_shown(
    browser: TestClient, params: dict[str, Any], message: str
) -> None:
    page = browser.get("/web/know/chokepoints", params=params)
    assert page.status_code == 200
    assert "No result for these parameters." in page.text and message in html.unescape(page.text)
    assert "<table" not in page.text
    download = browser.get("/web/know/chokepoints.csv", params=params)
    assert 400 <= download.status_code < 500 and message in html.unescape(download.text)


def test_the_scenario_page_equals_the_engine(niobium: tuple[str, Scenario]) -> None:
    page, result = niobium
    assert result.assumption in page  # the engine's own words, in English
    svg = page[page.find("<svg") : page.find("</svg>")]
    assert page.count("<svg") == 1 and 'role="img"' in svg
    title = "Supply lost by the most exposed importers if BRA stops, 2024"
    assert f">{title}</title>" in svg and "<desc" in svg
    importers = result.importers.to_pylist()
    charted = re.findall(r"<title>([A-Z]{3}): ([\d,]+) thousand current USD</title>", svg)
    assert charted == [(r["importer"], f"{r['lost_value']:,.0f}") for r in importers[:12]]
    tables = Tables(page)
    view = tables.find("Supply lost by importer")  # the chart's table view
    assert page.count("<summary>Table view</summary>") == 1
    assert [r[:3] for r in view["rows"]] == [
        [r["importer"], EN.number(r["products"]), EN.number(r["lost_value"], 1)] for r in importers
    ]
    losses = [t for t in tables.tables if t["head"] and t["head"][0][:2] == ["Importer", "Product"]]
    assert len(losses) == 1
    assert [(r[0], r[1].split()[0], r[3]) for r in losses[0]["rows"]] == [
        (r["importer"], r["product"], EN.number(r["lost_value"], 1))
        for r in result.losses.to_pylist()
    ]
    japan = next(r for r in losses[0]["rows"] if r[0] == "JPN")
    assert "ferro-niobium" in japan[1] and japan[4] == "97.3%"  # Brazil: 97.3 % of Japan's
    alternatives = [t for t in tables.tables if t["head"] and t["head"][0][1] == "Supplier"]
    assert [(r[0].split()[0], r[1]) for r in alternatives[0]["rows"]] == [
        (r["product"], r["supplier"]) for r in result.alternatives.to_pylist()
    ]


def test_each_scenario_table_has_its_csv(
    browser: TestClient, niobium: tuple[str, Scenario]
) -> None:
    page, result = niobium
    for view, table in (
        ("importers", result.importers),
        ("losses", result.losses),
        ("alternatives", result.alternatives),
    ):
        rows = download(browser, page, rf"/web/know/scenario\.csv\?[^\"]*view={view}")
        assert len(rows) == table.num_rows, view
        for got, want in zip(rows, table.to_pylist(), strict=True):
            assert got["exporter"] == "BRA" and got["year"] == "2024"
            assert got["unit"] == "thousand current USD"
            for name, value in want.items():
                if isinstance(value, float):  # DuckDB sums in parallel: the last bit may differ
                    assert float(got[name]) == pytest.approx(value, rel=1e-12), (view, name)
                else:
                    assert got[name] == ("" if value is None else str(value)), (view, name)
            if "product" in want:
                assert got["label"] == "Ferro-alloys: ferro-niobium"
    unknown = browser.get("/web/know/scenario.csv", params={**NIOBIUM, "view": "other"})
    assert unknown.status_code == 404


def test_a_scenario_limited_to_some_importers(app: Any, browser: TestClient) -> None:
    params = {
        "exporter": "chn",
        "products": "850511 810411, 999999",
        "year": "2024",
        "importers": "jpn,kor",
        "max_divert": "0.5",
    }
    page = browser.get("/web/know/scenario", params=params)
    result = export_stop(
        engine_of(app),
        exporter="CHN",
        products=["850511", "810411", "999999"],
        year=2024,
        importers=["JPN", "KOR"],
        max_divert=0.5,
    )
    assert result.assumption in page.text and "up to 50%" in result.assumption
    view = Tables(page.text).find("Supply lost by importer")
    assert [r[0] for r in view["rows"]] == result.importers["importer"].to_pylist()
    assert {"JPN", "KOR"} == set(result.importers["importer"].to_pylist())
    assert "No trade in 2024 in: 999999." in page.text
    assert 'value="850511, 810411, 999999"' in page.text  # the form keeps what was asked


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({**NIOBIUM, "exporter": "XXX"}, "'XXX' is neither a country of the trade data"),
        ({**NIOBIUM, "products": ""}, "no products given"),
        ({**NIOBIUM, "products": "7202"}, "7202: expected six-digit HS codes"),
        ({**NIOBIUM, "year": "1999"}, "year(s) 1999 not loaded"),
        ({**NIOBIUM, "importers": "JPN, NOPE"}, "'NOPE' is neither a country"),
        ({**NIOBIUM, "max_divert": "1.5"}, "max_divert: got '1.5'"),
    ],
)
def test_scenario_errors_are_shown(
    browser: TestClient, params: dict[str, str], message: str
) -> None:
    page = browser.get("/web/know/scenario", params=params)
    assert page.status_code == 200
    assert "The scenario could not be run." in page.text
    assert message in html.unescape(page.text)
    assert "<svg" not in page.text and "<table" not in page.text
    answer = browser.get("/web/know/scenario.csv", params={**params, "view": "losses"})
    assert 400 <= answer.status_code < 500 and message in html.unescape(answer.text)


def test_an_exporter_that_supplied_nothing(browser: TestClient) -> None:
    page = browser.get("/web/know/scenario", params={**NIOBIUM, "exporter": "ISL"})
    assert page.status_code == 200
    assert "ISL supplied none of these products in 2024: no importer loses supply." in page.text
    assert "<svg" not in page.text


def test_the_new_pages_in_japanese(app: Any) -> None:
    browser = signed_in(app, "rita", "ja")
    english = {m for m in i18n.messages() if re.search(r"[A-Za-z]{3}", m) and m != "econsec"}
    for url, params, words in (
        ("/web/know/chokepoints", {"year": 2024}, ("チョークポイント一覧", "世界輸出HHI")),
        (
            "/web/know/chokepoints",
            {"year": 2024, "view": "exporters"},
            ("重要な輸出国", "リスクにさらされる額"),
        ),
        (
            "/web/know/scenario",
            NIOBIUM,
            ("輸出停止シナリオ", "振替の推計", "BRA が輸出を停止した場合", "表で見る"),
        ),
        ("/web/know/scenario", {**NIOBIUM, "exporter": "XXX"}, ("シナリオを実行できませんでした",)),
    ):
        page = browser.get(url, params=params)
        assert page.status_code == 200
        assert all(word in page.text for word in words), url
        shown = Page(page.text).text
        assert not [t for t in shown if t in english or t.rstrip(":") in english], url
    # The chart's title (translated in scenario.py, not in a template) is among the messages
    # every one of which must have its translation (test_pages.py).
    assert scenario.EXPOSED_TITLE in i18n.messages()


def test_the_new_pages_need_sign_in(app: Any) -> None:
    anonymous = TestClient(app, base_url="https://testserver")
    for url, params in (
        ("/web/know/chokepoints", {"year": 2024}),
        ("/web/know/chokepoints.csv", {"year": 2024}),
        ("/web/know/scenario", NIOBIUM),
        ("/web/know/scenario.csv", NIOBIUM),
    ):
        answer = anonymous.get(url, params=params, follow_redirects=False)
        assert answer.status_code == 303, url
        assert answer.headers["location"].startswith("/web/login?next=")


def test_a_scenario_is_computed_once_for_its_page_and_downloads(
    browser: TestClient, niobium: tuple[str, Scenario], monkeypatch: pytest.MonkeyPatch
) -> None:
    """(``niobium`` first: the first Know query of a year writes the world totals to the
    store, which retires what the cache keeps, so only later answers can be counted on.)"""
    from econsec.know import scenarios

    runs: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Scenario:
        runs.append(kwargs["exporter"])
        return export_stop(*args, **kwargs)

    monkeypatch.setattr(scenarios, "export_stop", counted)
    params = {**NIOBIUM, "max_divert": "0.25"}  # asked nowhere else: not in the cache yet
    page = browser.get("/web/know/scenario", params=params)
    assert "up to 25%" in page.text
    for view in ("importers", "losses", "alternatives"):
        assert browser.get("/web/know/scenario.csv", params={**params, "view": view}).is_success
    browser.get("/web/know/scenario", params=params)
    assert runs == ["BRA"]
