"""The supply-network and IO shock pages on the real data: the ETO advanced-semiconductor
network (CSET, CC BY-NC 4.0), Willems (2008) chain 38 (559 finished products) and the WIOD 2011
world table. Each figure is checked against the engine's own result, each CSV against the
page, in both languages; bad input is explained on the page; every page needs sign-in. Users
are SYNTHETIC.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec.know.iotables import IOTables
from econsec.know.network.propagation import inoue_todo_share, single_failure_losses
from econsec.know.network.simulation import simulate
from econsec.know.network.spof import find_spofs
from econsec.know.networks import Networks
from econsec.reports.network_chart import FLAG
from econsec.store.analytics import AnalyticsStore
from econsec.web import i18n
from econsec.web.i18n import Locale
from econsec.web.networks import MESSAGES
from tests.conftest import shared_file
from tests.web.helpers import add_users, download, running, signed_in, svgs, web_settings
from tests.web.test_know_pages import Tables
from tests.web.test_pages import Page, outside

EN, JA = Locale("en"), Locale("ja")
ETO = "/web/know/networks/eto"
W38 = "/web/know/networks/w38"
ASML_DOWN = {"product": "N99", "disrupt": "P88:60", "horizon_days": "90", "inventory_days": "5"}
TWN = {"table": "wiod2011", "extract": "TWN:c14", "model": "bottleneck"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = web_settings(tmp_path_factory.mktemp("web-networks"))
    store = AnalyticsStore.from_settings(settings)
    networks = Networks(store)
    networks.load("eto", shared_file("supply/eto_semiconductor"), "eto")
    networks.load("willems", shared_file("supply/willems2008/raw_msom/38.csv.gz"), "w38")
    IOTables(store).load("wiod", shared_file("supply/wiod2013_2011"), "wiod2011")
    add_users(settings, rita="analyst")
    with running(settings) as application:
        yield application


@pytest.fixture(scope="module")
def browser(app: Any) -> TestClient:
    return signed_in(app, "rita")


@pytest.fixture(scope="module")
def japanese(app: Any) -> TestClient:
    return signed_in(app, "rita", "ja")


def network(app: Any, name: str) -> Any:
    return Networks(app.state.catalogue.store).get(name)


def box(svg: str, label: str) -> str:
    """The drawn box (``<g>``) of the node whose tooltip starts with ``label``."""
    found = re.search(rf"<g><title>{re.escape(html.escape(label))}[^<]*</title>.*?</g>", svg)
    assert found, label
    return found.group(0)


# -- the list --------------------------------------------------------------------------------------


def test_the_list_links_every_network_with_its_licence(browser: TestClient) -> None:
    page = browser.get("/web/know/networks")
    assert page.status_code == 200
    assert (
        'href="/web/know/networks/eto"' in page.text
        and 'href="/web/know/networks/w38"' in page.text
    )
    rows = Tables(page.text).find("Stored networks: 2")["rows"]
    eto = next(r for r in rows if r[0] == "eto")
    assert eto[2:5] == ["525", "1,439", "1"] and eto[5].startswith("CC BY-NC 4.0")
    w38 = next(r for r in rows if r[0] == "w38")
    assert w38[4] == "559"


def test_an_empty_store_says_how_to_load(tmp_path: Any) -> None:
    settings = web_settings(tmp_path)
    add_users(settings, rita="analyst")
    with running(settings) as empty:
        browser = signed_in(empty, "rita")
        assert "econsec know network load" in browser.get("/web/know/networks").text
        assert "econsec know io load" in browser.get("/web/know/io").text


# -- the ETO network around the finished logic chip ------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_eto_flags_euv_lithography_and_shows_asml(app: Any, language: str) -> None:
    browser = signed_in(app, "rita", language)
    page = browser.get(ETO, params={"product": "N99"})
    assert page.status_code == 200
    view = svgs(page.text)[0]
    euv = box(view, "EUV lithography tools (N20)")
    assert f'stroke="{FLAG}" stroke-width="3"' in euv and ">! EUV lithogra" in euv
    assert "ASML provides 100 % of EUV lithography tools (N20)" in euv
    asml = box(view, "ASML (P88)")  # drawn as the provider of the flagged input, not flagged
    assert 'stroke-width="1"' in asml
    assert "Finished logic chip (N99)" in view and 'role="img"' in view
    parsed = Page(page.text)
    assert not parsed.inline and not outside(parsed.fetches)
    if language == "ja":
        assert "供給網 eto" in page.text and "単一障害点" in page.text
        assert "単一供給源" in page.text and "表で見る" in page.text
        assert "非営利利用に限ります" in page.text
    else:
        assert "Non-commercial use only" in page.text and "CC BY-NC 4.0" in page.text


def test_the_eto_tables_equal_the_engines(app: Any, browser: TestClient) -> None:
    page = browser.get(ETO, params={"product": "N99"}).text
    eto = network(app, "eto")
    want = find_spofs(eto, threshold=0.8, products=["N99"])
    tables = Tables(page)
    spofs = tables.find("Single points of failure:")["rows"]
    assert [r[1].split()[0] for r in spofs] == [f.node for f in want]
    euv = next(r for r in spofs if r[1].startswith("N20 ") and r[2] == "Firms")
    assert euv[0] == "Single source" and euv[3] == "ASML" and euv[4] == "100.0%"
    rows = download(browser, page, "/web/know/networks/eto/spof.csv")
    assert [(r["kind"], r["node"], r["level"]) for r in rows] == [
        (f.kind, f.node, f.level or "") for f in want
    ]
    assert all(r["product"] == "N99" for r in rows)
    drawn = tables.find("Nodes drawn:")["rows"]
    n20 = next(r for r in drawn if r[0].startswith("N20 "))
    assert "Single source" in n20[3]
    assert "Drawn: 79 of the 427 nodes upstream of this product" in html.unescape(page)
    every = download(browser, page, "/web/know/networks/eto/view.csv")
    assert len(every) == 428 and sum(r["drawn"] == "True" for r in every) == len(drawn) == 80
    assert {r["node"] for r in every if r["drawn"] == "True"} >= {"N99", "N20", "P88"}


def test_the_single_failure_ranking_equals_the_engine(app: Any, browser: TestClient) -> None:
    page = browser.get(ETO, params={"product": "N99"}).text
    losses = single_failure_losses(network(app, "eto"), level="firm")
    ranked = losses.ranking(20).to_pylist()
    table = Tables(page).find("Output lost when each node fails alone")["rows"]
    assert [r[1] for r in table] == [f"{r['name']} ({r['node']})" for r in ranked]
    assert [r[3] for r in table] == [EN.percent(r["share"]) for r in ranked]
    share = EN.percent(inoue_todo_share(losses, 10.0))
    assert f"{share} of the {losses.nodes.size} nodes tested cost more than 10%" in page
    rows = download(browser, page, "/web/know/networks/eto/losses.csv")
    assert len(rows) == losses.nodes.size and rows[0]["node"] == ranked[0]["node"]


# -- Willems chain 38: many finished products, a deep upstream -------------------------------------


def test_chain_38_deep_upstream_is_cut_and_said(app: Any, browser: TestClient) -> None:
    w38 = network(app, "w38")
    page = browser.get(W38, params={"product": "Retail_0116"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "of the 234 nodes upstream of this product" in text
    assert "more upstream nodes not drawn" in text
    assert "Listed: 200 of the 559 finished products found" in text
    view = svgs(page.text)[0]
    assert f'stroke="{FLAG}" stroke-width="3"' in box(view, "Manuf_0039")  # a dominator
    found = browser.get(W38, params={"q": "retail_0116"}).text
    assert '<option value="Retail_0116" selected>' in found
    assert int(w38.final.sum()) == 559


# -- the disruption simulation ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_asml_down_shows_the_time_to_survive(app: Any, language: str) -> None:
    browser = signed_in(app, "rita", language)
    page = browser.get(ETO, params=ASML_DOWN)
    assert page.status_code == 200
    want = simulate(network(app, "eto"), {"P88": 60}, horizon_days=90, inventory_days=5)
    chip = want.products[0]
    assert 0 < chip.time_to_survive_days < 60
    loc = EN if language == "en" else JA
    heading = "Time to survive (days)" if language == "en" else "存続可能期間(日)"
    table = next(t for t in Tables(page.text).tables if t["head"] and heading in t["head"][0])
    assert table["rows"] == [
        [
            "Finished logic chip (N99)",
            loc.number(chip.time_to_survive_days),
            loc.number(chip.time_to_recover_days),
            loc.percent(chip.lost_output_share, 2),
        ]
    ]
    assert len(svgs(page.text)) == 3  # network view, ranking, shortfall
    products = download(
        browser, page.text, r"/web/know/networks/eto/simulation\.csv\?[^\"]*view=products"
    )
    assert float(products[0]["time_to_survive_days"]) == chip.time_to_survive_days
    daily = download(browser, page.text, r"/web/know/networks/eto/simulation\.csv\?[^\"]*daily")
    assert [float(r["shortfall"]) for r in daily] == pytest.approx(list(chip.shortfall))


def test_a_part_of_chain_38_down_hits_every_product(browser: TestClient) -> None:
    params = {"product": "Retail_0116", "disrupt": "Part_0001:30", "horizon_days": "60"}
    page = browser.get(W38, params=params).text
    assert "Finished products that fall short: 200 of 559" in page
    assert len(svgs(page)) == 3


# -- the IO shock page -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_taiwan_electronics_bottleneck(app: Any, language: str) -> None:
    browser = signed_in(app, "rita", language)
    page = browser.get("/web/know/io", params=TWN)
    assert page.status_code == 200
    want = IOTables(app.state.catalogue.store).shock("wiod2011", ["TWN:c14"], "bottleneck")
    loc = EN if language == "en" else JA
    assert f"<strong>{loc.percent(want.world_output_loss_share, 2)}</strong>" in page.text
    assert len(svgs(page.text)) == 2  # regions and the daily world output
    shares = sorted(want.to_dict()["losses_by_region"], key=lambda r: -r["output_loss_share"])
    regions = download(browser, page.text, r"/web/know/io/shock\.csv\?[^\"]*view=regions")
    assert {r["region"] for r in regions} == {r["region"] for r in shares}
    view = next(t for t in Tables(page.text).tables if t["rows"] and t["rows"][0][0] == "TWN")
    assert [r[0] for r in view["rows"]] == [r["region"] for r in shares[:15]]
    daily = download(browser, page.text, r"/web/know/io/shock\.csv\?[^\"]*view=daily")
    assert len(daily) == len(want.to_dict()["daily_world_output_share"])
    if language == "ja":
        assert "世界の生産損失" in page.text and "産業連関表" in page.text


def test_a_parameter_the_model_does_not_take_is_said(browser: TestClient) -> None:
    params = {**TWN, "model": "leontief", "inventory_days": "10"}
    page = browser.get("/web/know/io", params=params).text
    assert "Not used by this model: inventory_days." in page
    assert "World output lost" in page


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        (ETO, {"product": "NOPE"}, "network 'eto' has no node 'NOPE'"),
        (ETO, {"product": "N20"}, "'N20' is not a finished product"),
        (ETO, {"threshold": "5"}, "threshold: got '5'"),
        (ETO, {"nodes": "100000"}, "nodes: got '100000'"),
        (W38, {"q": "nothing-like-this"}, "no finished product matches"),
        (ETO, {"disrupt": "Nowhere:3"}, "network 'eto' has no node 'Nowhere'"),
        (ETO, {"disrupt": "P88:-5"}, "P88: got -5 days"),
        (ETO, {"disrupt": "P88:1e9"}, "expected 0 to 3650"),
        (ETO, {"disrupt": "P88:10", "horizon_days": "99999"}, "horizon_days: got '99999'"),
        (ETO, {"disrupt": "P88:10", "inventory_days": "lots"}, "inventory_days: got 'lots'"),
        (ETO, {"disrupt": ",".join(f"P{i}:1" for i in range(60))}, "at most 50 at once"),
        ("/web/know/io", {**TWN, "extract": "XXX:c1"}, "unknown region 'XXX'"),
        ("/web/know/io", {**TWN, "extract": "TWN:c99"}, "unknown sector 'c99'"),
        ("/web/know/io", {**TWN, "extract": "TWN:c14:7"}, "is out of range"),
        ("/web/know/io", {**TWN, "duration_days": "1e9"}, "duration_days: got '1e9'"),
        ("/web/know/io", {**TWN, "model": "diim", "recovery_days": "0"}, "recovery_days: got"),
        ("/web/know/io", {**TWN, "table": "nope"}, "no io named 'nope'"),
    ],
)
def test_bad_input_is_explained_on_the_page(
    browser: TestClient, url: str, params: dict[str, str], message: str
) -> None:
    page = browser.get(url, params=params)
    assert page.status_code == 200
    assert 'role="alert"' in page.text and message in html.unescape(page.text)


@pytest.mark.parametrize(
    "url",
    [
        "/web/know/networks/nope",
        "/web/know/networks/eto/spof.csv?product=NOPE",
        "/web/know/networks/eto/view.csv?nodes=1",
        "/web/know/networks/eto/simulation.csv?disrupt=Nowhere:1",
        "/web/know/networks/eto/simulation.csv?disrupt=P88:1&view=other",
        "/web/know/io/shock.csv?table=wiod2011&extract=XXX:c1",
        "/web/know/io/shock.csv?table=wiod2011&extract=TWN:c14&view=other",
    ],
)
def test_bad_downloads_are_refused_with_a_reason(browser: TestClient, url: str) -> None:
    answer = browser.get(url)
    assert 400 <= answer.status_code < 500
    assert answer.headers["content-type"].startswith("text/html")


# -- sign-in, navigation, languages ----------------------------------------------------------------

PAGES = (
    "/web/know/networks",
    f"{ETO}?product=N99&disrupt=P88:60&horizon_days=90&inventory_days=5",
    f"{W38}?product=Retail_0116",
    "/web/know/io?table=wiod2011&extract=TWN:c14&model=bottleneck",
)


def test_signed_out_is_sent_to_sign_in(app: Any) -> None:
    stranger = TestClient(app, base_url="https://testserver")
    for url in (*PAGES, f"{ETO}/spof.csv", f"{ETO}/losses.csv", "/web/know/io/shock.csv"):
        answer = stranger.get(url, follow_redirects=False)
        assert answer.status_code == 303, url
        assert answer.headers["location"].startswith("/web/login?next=/web/know/")


def test_the_know_pages_link_the_new_ones(browser: TestClient) -> None:
    for url, current in (("/web/know/networks", "networks"), ("/web/know/io", "io")):
        page = browser.get(url).text
        nav = page[page.find('<nav class="subnav"') :]
        nav = nav[: nav.find("</nav>")]
        assert f'href="/web/know/{current}" aria-current="page"' in nav
        assert re.findall(r'href="([^"]+)"', nav)[-2:] == ["/web/know/networks", "/web/know/io"]


def test_every_new_message_has_a_japanese_translation() -> None:
    catalogue = i18n.translations("ja")
    for message in MESSAGES:
        translated = catalogue.gettext(message)
        assert translated != message, message
        assert sorted(re.findall(r"%\(\w+\)s", translated)) == sorted(
            re.findall(r"%\(\w+\)s", message)
        )


@pytest.mark.parametrize("url", PAGES)
def test_japanese_throughout(japanese: TestClient, url: str) -> None:
    """No English message shows on the Japanese pages (the data's own words may)."""
    answer = japanese.get(url)
    assert answer.status_code == 200 and '<html lang="ja">' in answer.text
    shown = Page(answer.text)
    english = {
        m for m in {*i18n.messages(), *MESSAGES} if re.search(r"[A-Za-z]{3}", m) and m != "econsec"
    }
    assert not [t for t in shown.text if t in english or t.rstrip(":") in english]
    assert not shown.inline and not outside(shown.fetches)


def test_a_simulation_that_never_falls_short(browser: TestClient) -> None:
    params = {"product": "N99", "disrupt": "N20:30", "horizon_days": "30"}  # EUV: a kind of
    page = browser.get(ETO, params=params).text
    assert "No finished product falls short within the period." in page
    assert len(svgs(page)) == 2
