"""The Promote pages on the real data: the technology lists of ``critical_technologies.yaml``,
the OpenAlex AI and deep-learning counts (CC0), the shipped R&D vision example (real names,
illustrative figures) and the shipped SBIR sample (US public domain). Each figure is checked
against the engine's own result and each CSV against the page, in both languages; bad input
is explained on the page; every page needs sign-in. Users and the small uploaded files are
SYNTHETIC.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from econsec.datasets.catalogue import Catalogue
from econsec.datasets.promote_problem import example_path, read_source, to_alternatives, to_problem
from econsec.datasets.sbir_sample import read_sample
from econsec.promote.allies import compare
from econsec.promote.allocate import allocate
from econsec.promote.crosswalk_store import load
from econsec.promote.landscape import landscape
from econsec.promote.matching import match_tables
from econsec.promote.portfolio_sensitivity import report
from econsec.store.analytics import AnalyticsStore
from econsec.store.landscapes import Landscapes
from econsec.web import i18n
from econsec.web.promote import MESSAGES
from tests.conftest import ROOT
from tests.web.helpers import add_users, download, running, signed_in, svgs, web_settings
from tests.web.test_pages import Page, csrf, outside

AI = "Artificial intelligence"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = web_settings(tmp_path_factory.mktemp("web-promote"))
    catalogue = Catalogue(AnalyticsStore.from_settings(settings))
    policy = ROOT / "data" / "policy" / "critical_technologies.yaml"
    catalogue.load("critical_technologies", policy, {})
    add_users(settings, rita="analyst", otto="observer")
    with running(settings) as application:
        yield application


@pytest.fixture(scope="module")
def browser(app: Any) -> TestClient:
    return signed_in(app, "rita")


@pytest.fixture(scope="module")
def japanese(app: Any) -> TestClient:
    return signed_in(app, "rita", "ja")


def table(page: str, caption: str) -> list[list[str]]:
    """The body rows (cell texts) of the table whose caption starts with ``caption``."""
    start = page.index(f"<caption>{caption}")
    body = page[start : page.index("</table>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S) for r in rows]
    return [[text(c) for c in row] for row in cells]


def text(cell: str) -> str:
    """A cell's visible text, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


# -- every page ------------------------------------------------------------------------------------

URLS = (
    "/web/promote",
    "/web/promote/landscape",
    "/web/promote/portfolio",
    "/web/promote/match",
)


@pytest.mark.parametrize("url", URLS)
def test_every_page_needs_sign_in(app: Any, url: str) -> None:
    answer = TestClient(app, base_url="https://testserver").get(url, follow_redirects=False)
    assert answer.status_code == 303 and "/web/login" in answer.headers["location"]


@pytest.mark.parametrize("url", URLS)
def test_pages_are_whole_and_offline_in_both_languages(
    browser: TestClient, japanese: TestClient, url: str
) -> None:
    english = [m for m in (*i18n.messages(), *MESSAGES) if re.search(r"[A-Za-z]{3}", m)]
    for client, language in ((browser, "en"), (japanese, "ja")):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert f'<html lang="{language}">' in answer.text
        assert 'aria-current="page">' in answer.text and "/web/promote" in answer.text
        parsed = Page(answer.text)
        assert not parsed.inline and not outside(parsed.fetches)
        assert 'class="error"' not in answer.text, url
        for svg in svgs(answer.text):
            ET.fromstring(svg)  # well-formed
        if language == "ja":
            shown = [t for t in parsed.text if t != "econsec"]  # the brand
            leftovers = [t for t in shown if t in english or t.rstrip(":") in english]
            assert not leftovers, (url, leftovers)


def test_every_python_message_has_a_japanese_translation() -> None:
    catalogue = i18n.translations("ja")
    assert [m for m in MESSAGES if catalogue.gettext(m) == m and m != "EU 2023"] == []
    for message in MESSAGES:
        found = sorted(re.findall(r"%\(\w+\)s", catalogue.gettext(message)))
        assert found == sorted(re.findall(r"%\(\w+\)s", message)), message


# -- technology lists ------------------------------------------------------------------------------


def test_the_lists_side_by_side_as_the_engine_compares_them(app: Any, browser: TestClient) -> None:
    taxonomy = load(app.state.catalogue, app.state.app_store)[1]
    want = compare(taxonomy)["areas"]
    page = browser.get("/web/promote").text
    rows = table(page, "Technologies of each list mapped to each of Japan")
    assert len(rows) == len(want) == 20
    lists = [name for name in taxonomy.lists if name != "japan_20_areas"]
    for row, area in zip(rows, want, strict=True):
        assert row[0] == area["name_en"]
        counts = [int(c) if c != "–" else 0 for c in row[1 : 1 + len(lists)]]
        assert counts == [area["count"][name] for name in lists]
    single = compare(taxonomy)["one_list_only"]
    assert f"Technologies that no other list names: {len(single)}</summary>" in page
    # The US list from 2022 to 2024: 12 kept (the engine's count).
    assert "<dt>Kept</dt><dd>12</dd>" in page


def test_search_in_japanese_kana_finds_quantum(browser: TestClient, japanese: TestClient) -> None:
    page = browser.get("/web/promote", params={"q": "りょうし"}).text
    hits = table(page, "Best match first")
    assert hits and any("Quantum" in row[0] or "量子" in row[0] for row in hits[:3])
    shown = japanese.get("/web/promote", params={"q": "quantum", "list": "us_cet_2024"}).text
    rows = table(shown, "一致度の高い順")
    assert rows and all("米国CET 2024" in row[1] for row in rows)
    assert "量子" in rows[0][2]  # the area it maps to, in Japanese
    none = browser.get("/web/promote", params={"q": "zzzzqqqq"}).text
    assert "No technology matches these words." in none


# -- landscape -------------------------------------------------------------------------------------


def expected_landscape(app: Any, period: int = 5) -> Any:
    records = Landscapes(app.state.catalogue.store).records("openalex_ai_dl")
    return landscape(records, period=period)


def test_landscape_of_ai_by_country(app: Any, browser: TestClient) -> None:
    page = browser.get("/web/promote/landscape", params={"technology": AI}).text
    result = expected_landscape(app)
    leaders = [r for r in result.leaders.to_pylist() if r["technology"] == AI]
    rows = table(page, "Leader, runner-up and monopoly risk per window")
    assert [r[0] for r in rows] == [r["period"] for r in leaders] == ["2011-2015", "2016-2020"]
    last = rows[-1]
    # China leads AI output in 2016-2020 by a hair over the US; Japan is 6th with 3.3 %.
    assert last[1] == "CN" and last[3] == "US" and last[5] == "1.01" and last[6] == "low"
    assert last[7] == "3.3%" and last[8] == "6"
    assert leaders[-1]["focus_rank"] == 6
    charts = svgs(page)
    assert len(charts) == 2  # shares year by year, shares in the latest window
    assert "by country, year by year: share of all output" in charts[0]
    assert ">CN<" in charts[1] or "CN 17.0" in charts[1]
    bars = table(page, "Artificial intelligence by country, 2016-2020")
    assert [r[1] for r in bars[:3]] == ["CN", "US", "GB"]
    assert "ASPI" in page and "2019-2023" in page
    assert re.search(r"57</td>\s*<td class=\"num\">7</td>", page)  # ASPI: CN 57, US 7


def test_landscape_csv_has_every_country_and_window(app: Any, browser: TestClient) -> None:
    page = browser.get("/web/promote/landscape", params={"technology": "Deep learning"}).text
    rows = download(browser, page, "/web/promote/landscape.csv")
    want = [r for r in expected_landscape(app).rows(None) if r["technology"] == "Deep learning"]
    assert len(rows) == len(want) > 100
    assert {r["technology"] for r in rows} == {"Deep learning"}
    first = rows[0]
    assert first["country"] == want[0]["country"]
    assert float(first["share"]) == pytest.approx(want[0]["share"])


def test_landscape_in_japanese_and_with_other_windows(japanese: TestClient) -> None:
    page = japanese.get("/web/promote/landscape", params={"period": "2", "top": "3"}).text
    assert "国別の技術動向" in page and "独占リスク" in page
    rows = table(page, "期間ごとの首位国")
    assert [r[0] for r in rows][-1] == "2019-2020"
    assert len(table(page, "Artificial intelligence：国別の全論文に占めるシェア（2019-2020）")) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [({"period": "0"}, "period"), ({"top": "x"}, "top"), ({"dataset": "nothing_here"}, "")],
)
def test_bad_landscape_settings_are_explained(
    browser: TestClient, params: dict[str, str], field: str
) -> None:
    answer = browser.get("/web/promote/landscape", params=params)
    assert answer.status_code == 200
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', answer.text, re.S)
    assert error and field in error.group(1)


# -- portfolio -------------------------------------------------------------------------------------


def test_the_example_is_scored_and_allocated_as_the_engines_do(browser: TestClient) -> None:
    page = browser.get("/web/promote/portfolio").text
    source = read_source(example_path())
    solved = allocate(to_problem(source), pareto=8, resolve=20).to_dict()
    assert "proven optimal" in page
    assert f"<strong>{solved['objective']:,.1f}</strong>" in page
    rows = table(page, "Each candidate: funded or not")
    assert len(rows) == 7 == solved["candidates"]
    funded = {r["id"] for r in solved["explanations"] if r["funded"]}
    assert sum(row[2].startswith("yes") for row in rows) == len(funded)
    assert "illustrative assumption" in page  # the example's figures are labelled
    scores = report(to_alternatives(source), "topsis", {}, draws=200, swing=0.2)
    ranked = table(page, "Best first by TOPSIS")
    assert [r[2] for r in ranked] == [f"{c['score']:.3f}" for c in scores["candidates"]]
    charts = svgs(page)
    assert len(charts) == 2  # the frontier, the tornado
    frontier = ET.fromstring(charts[0])
    assert frontier.find(".//{*}g[@class='chosen']") is not None
    assert frontier.find(".//{*}g[@class='budget']") is not None
    tornado = ET.fromstring(charts[1])
    pairs = tornado.findall(".//{*}g[@class='pair']")
    assert len(pairs) == len(scores["weights"])  # one pair of bars per weighted criterion


def test_portfolio_settings_change_the_result(browser: TestClient) -> None:
    source = read_source(example_path())
    cheaper = allocate(to_problem(source).with_rules(budget=300), pareto=0).to_dict()
    page = browser.get(
        "/web/promote/portfolio",
        params={"budget": "300", "method": "weighted", "pareto": "0", "draws": "0"},
    ).text
    assert f"<strong>{cheaper['objective']:,.1f}</strong>" in page
    assert "Best first by Weighted sum" in page
    assert "Keeps its rank" not in page  # no draws, no stability columns
    assert len(svgs(page)) == 1  # no frontier asked for: the tornado alone
    top = report(to_alternatives(source), "weighted", {})["candidates"][1]["id"]
    again = browser.get("/web/promote/portfolio", params={"candidate": top}).text
    assert f'<option value="{top}" selected>' in again


def test_portfolio_csvs_match_the_page(browser: TestClient) -> None:
    page = browser.get("/web/promote/portfolio").text
    allocation = download(browser, page, r"/web/promote/portfolio.csv\?[^\"]*view=allocation")
    assert len(allocation) == 7 and {"reason", "option", "cost"} <= set(allocation[0])
    pareto = download(browser, page, r"/web/promote/portfolio.csv\?[^\"]*view=pareto")
    assert len(pareto) == 8 and all(float(p["objective"]) > 0 for p in pareto)
    scores = download(browser, page, r"/web/promote/portfolio.csv\?[^\"]*view=scores")
    assert [int(r["rank"]) for r in scores] == list(range(1, 8))


def test_the_japanese_portfolio_uses_the_japanese_names(japanese: TestClient) -> None:
    page = japanese.get("/web/promote/portfolio").text
    assert "研究開発ビジョン：評価と資金配分" in page
    assert "自律型無人探査機（AUV）の無人・省人化技術" in page  # name_ja of the example
    assert "最適性を証明済み" in page


def test_a_candidates_file_starts_from_a_technology_list(browser: TestClient) -> None:
    page = browser.get("/web/promote/portfolio").text
    form = page[page.index('action="/promote/candidates"') :]
    form = form[: form.index("</form>")]
    lists = re.findall(r'<option value="(\w+)">', form)
    assert lists == ["k_program_vision_1", "us_cet_2024", "eu_2023", "aspi_tracker"]
    answer = browser.get("/promote/candidates", params={"list": lists[0], "format": "yaml"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/yaml"
    )
    doc = yaml.safe_load(answer.text)
    assert len(doc["candidates"]) == 7 and "importance" in doc["meta"]["to_fill"]


def test_an_uploaded_candidates_file_is_scored_without_allocation(browser: TestClient) -> None:
    made = browser.get("/promote/candidates", params={"list": "eu", "only_derived": "true"})
    answer = browser.post(
        "/web/promote/portfolio",
        data={"csrf": csrf(browser), "method": "weighted", "draws": "0"},
        files={"file": ("eu.json", made.content, "application/json")},
    )
    assert answer.status_code == 200 and 'class="error"' not in answer.text
    assert "nothing to allocate" in answer.text
    assert len(table(answer.text, "Best first by Weighted sum")) == 10  # the EU's ten areas
    assert len(svgs(answer.text)) == 1  # the tornado; no frontier without an allocation


def test_an_uploaded_problem_is_solved_and_not_stored(browser: TestClient, tmp_path: Any) -> None:
    problem = {  # SYNTHETIC, the format
        "budget": 100,
        "candidates": [
            {
                "id": "a",
                "area": "x",
                "options": [{"cost": 40, "value": 50}, {"cost": 70, "value": 80}],
            },
            {"id": "b", "area": "y", "options": [{"cost": 30, "value": 45}]},
            {"id": "c", "area": "y", "options": [{"cost": 50, "value": 55}]},
        ],
        "area_limits": {"y": {"min": 30, "max": 60}},
    }
    answer = browser.post(
        "/web/promote/portfolio",
        data={"csrf": csrf(browser), "pareto": "4"},
        files={"file": ("mine.json", json.dumps(problem).encode(), "application/json")},
    )
    assert answer.status_code == 200
    assert "<strong>125.0</strong>" in answer.text  # a at 70 + b at 30: 80 + 45
    assert "nothing to score" in answer.text  # no criteria in the file
    assert "portfolio.csv" not in answer.text  # CSVs are for the example only
    bad = browser.post(
        "/web/promote/portfolio",
        data={"csrf": csrf(browser)},
        files={"file": ("broken.yaml", b"budget: 100\ncandidates:\n  - id: a\n    options: x\n")},
    )
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', bad.text, re.S)
    assert error and "broken.yaml" in error.group(1) and "options" in error.group(1)
    refused = browser.post(
        "/web/promote/portfolio",
        data={"csrf": "x" * 43},
        files={"file": ("mine.json", json.dumps(problem).encode())},
    )
    assert refused.status_code == 403


# -- matching --------------------------------------------------------------------------------------


def test_the_sample_matches_as_the_engine_does(browser: TestClient) -> None:
    seeds, needs = read_sample()
    results, _found = match_tables(seeds, needs, top=5, method="hybrid")
    want = next(r for r in results if r.need == "AF151-019")
    page = browser.get("/web/promote/match", params={"need": "AF151-019", "sample": "af15"}).text
    rows = table(page, "Best seeds for AF151-019")
    assert [r[1].split()[0] for r in rows] == [m.seed for m in want.matches]
    # The 2016 Air Force award whose title is the topic's comes first.
    assert rows[0][1].startswith("1412305") and "Optimized Information Display" in rows[0][1]
    assert "display" in rows[0][3]  # a word in common
    assert "3,231 seeds, 190 needs" in page
    assert "No seed is among the best matches" in page  # every sample need is defence


def test_the_sample_csv_has_every_need(browser: TestClient) -> None:
    page = browser.get("/web/promote/match", params={"method": "bm25", "top": "3"}).text
    rows = download(browser, page, "/web/promote/match.csv")
    seeds, needs = read_sample("mixed")
    results, _found = match_tables(seeds, needs, top=3, method="bm25")
    assert [(r["need"], r["seed"]) for r in rows] == [
        (n.need, m.seed) for n in results for m in n.matches
    ]
    # 789 needs; three are bare headers ("Other", "BIOENERGY", "GEOTHERMAL") that share a word
    # with fewer than three seeds, so BM25 returns fewer.
    assert len(rows) == 789 * 3 - 7
    first = [r for r in rows if r["need"] == "AF151-019"]
    assert [int(r["rank"]) for r in first] == [1, 2, 3] and first[0]["seed"] == "1412305"
    assert first[0]["semantic"] == ""  # BM25 alone


def test_the_mixed_sample_finds_multi_use_seeds(browser: TestClient) -> None:
    seeds, needs = read_sample("mixed")
    _results, found = match_tables(seeds, needs, top=5, method="hybrid")
    page = browser.get("/web/promote/match").text  # the mixed sample by default
    assert "3,231 seeds, 789 needs" in page
    rows = table(page, "Seeds among the best matches of needs from several sectors")
    assert len(rows) == min(20, len(found)) and len(found) > 100
    for row, want in zip(rows, found, strict=False):
        assert row[0].split()[0] == want.seed and row[1] == str(len(want.sectors))
    assert found[0].sectors.keys() >= {"defence", "space"}  # a DoD award NASA's topics want too
    assert f"the first 20 of {len(found):,}" in page


SEEDS = (  # SYNTHETIC seeds and needs in two languages and three sectors
    "id,title,abstract\n"
    's1,Quantum sensor for navigation,"A cold-atom quantum sensor gives GPS-free navigation."\n'
    "s2,超伝導量子ビット,超伝導量子ビットを用いた量子コンピュータの研究開発\n"
    's3,Crop yield model,"Machine learning predicts crop yield from satellite images."\n'
)
NEEDS = (
    "id,text,agency\n"
    "n1,Navigation without GPS using quantum sensing,Department of Defense; Navy\n"
    "n2,量子コンピュータの研究開発,JST\n"
    "n3,Quantum sensors for ship navigation,Department of Transportation\n"
)


def test_uploaded_files_are_matched_with_multi_use(browser: TestClient) -> None:
    answer = browser.post(
        "/web/promote/match",
        data={"csrf": csrf(browser), "top": "1", "method": "bm25"},
        files={
            "seeds": ("seeds.csv", SEEDS.encode(), "text/csv"),
            "needs": ("needs.csv", NEEDS.encode(), "text/csv"),
        },
    )
    assert answer.status_code == 200 and 'class="error"' not in answer.text
    best = {n: table(answer.text, f"Best seeds for {n}")[0][1].split()[0] for n in NEEDS_IDS}
    assert best == {"n1": "s1", "n2": "s2", "n3": "s1"}
    multi = table(answer.text, "Seeds among the best matches of needs from several sectors")
    assert multi and multi[0][0].startswith("s1") and multi[0][1] == "2"


NEEDS_IDS = ("n1", "n2", "n3")


def test_bad_uploads_are_explained_and_observers_refused(app: Any, browser: TestClient) -> None:
    wrong = browser.post(
        "/web/promote/match",
        data={"csrf": csrf(browser)},
        files={
            "seeds": ("seeds.csv", b"name,text\nx,quantum\n", "text/csv"),
            "needs": ("needs.csv", NEEDS.encode(), "text/csv"),
        },
    )
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', wrong.text, re.S)
    assert error and "seeds.csv" in error.group(1) and "id" in error.group(1)
    otto = signed_in(app, "otto")
    refused = otto.post(
        "/web/promote/match",
        data={"csrf": csrf(otto)},
        files={"seeds": ("s.csv", SEEDS.encode()), "needs": ("n.csv", NEEDS.encode())},
    )
    assert refused.status_code == 403
    assert "Match files of your own" not in otto.get("/web/promote/match").text
