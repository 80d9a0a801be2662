"""The HTML report on a real ReportData (BACI critical-materials extract, JPN 2024), and the SVG
charts on edge cases. Supplier shares, the trend and the materials panel are computed here with
plain DuckDB SQL over the source Parquet files, not with econsec code."""

from __future__ import annotations

import dataclasses
import re
import sys
import types
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.engine.duckdb import DuckDBEngine
from econsec.errors import MissingDependency
from econsec.know.dependencies import dependencies
from econsec.know.rollups import rollup
from econsec.reports import charts
from econsec.reports.html import render, render_pdf
from econsec.reports.model import ReportData
from tests.conftest import shared_file

CRITICAL = "trade/baci_hs17_2024_critical_materials.parquet"
PANEL = "trade/baci_critical_materials_bilateral_2002_2024.parquet"
SOURCE_URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
SVG = re.compile(r"<svg\b.*?</svg>", re.S)

SHARES_SQL = """
SELECT hs6 AS product, any_value(material) AS product_label,
       exporter_iso3 AS supplier, sum(value_kusd) AS value,
       sum(value_kusd) / sum(sum(value_kusd)) OVER (PARTITION BY hs6) AS share
FROM read_parquet(?) WHERE importer_iso3 = 'JPN' AND exporter_iso3 <> 'JPN' AND year = 2024
  AND value_kusd > 0 AND list_contains(?, hs6)
GROUP BY hs6, exporter_iso3
ORDER BY product, value DESC, supplier
"""
# Per material and year: imports of Japan (thousand USD), top supplier and HHI; "dependent" in
# the trend is a stand-in (supplier HHI > 0.4), enough to exercise the report's trend section.
PANEL_SQL = """
WITH s AS (
  SELECT year, material, exporter_iso2 AS supplier, sum(value_usd) / 1000 AS v
  FROM read_parquet(?) WHERE importer_iso2 = 'JP' AND exporter_iso2 <> 'JP' AND value_usd > 0
  GROUP BY ALL),
m AS (
  SELECT year, material, sum(v) AS import_value, arg_max(supplier, v) AS top_supplier,
         max(v) / sum(v) AS top_supplier_share, sum(v * v) / (sum(v) * sum(v)) AS hhi
  FROM s GROUP BY ALL)
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    from econsec.store.analytics import AnalyticsStore

    store = AnalyticsStore(tmp_path_factory.mktemp("r") / "a.duckdb", threads=2, memory_limit="1GB")
    catalogue = Catalogue(store)
    catalogue.load("baci_countries", shared_file("trade/baci_country_codes_V202301.csv"))
    catalogue.load("baci", shared_file(CRITICAL))
    catalogue.load("critical_products", shared_file("policy/critical_products.yaml"))
    engine = DuckDBEngine(catalogue)
    deps = dependencies(engine, year=2024, importers=["JPN"])
    top = [r["product"] for r in deps.to_pylist() if r["dependent"]][:5]
    path = str(shared_file(CRITICAL))
    shares = duckdb.sql(SHARES_SQL, params=[path, top]).to_arrow_table()
    names = duckdb.execute(
        "SELECT hs6, any_value(material) FROM read_parquet(?) GROUP BY hs6", [path]
    ).fetchall()
    panel = str(shared_file(PANEL))
    trend = duckdb.sql(
        PANEL_SQL + "SELECT CAST(year AS INT) AS year, count(*) AS products, "
        "count(*) FILTER (WHERE hhi > 0.4) AS dependent_products, "
        "sum(import_value) AS import_value, "
        "coalesce(sum(import_value) FILTER (WHERE hhi > 0.4), 0) AS dependent_import_value "
        "FROM m GROUP BY year ORDER BY year",
        params=[panel],
    ).to_arrow_table()
    materials = duckdb.sql(
        PANEL_SQL + "SELECT CAST(year AS INT) AS year, material, top_supplier, "
        "top_supplier_share, hhi, import_value FROM m WHERE year >= 2023 ORDER BY ALL",
        params=[panel],
    ).to_arrow_table()
    return ReportData(
        importer="JPN",
        year=2024,
        method="geodep",
        method_title="CEPII GeoDep",
        unit="thousand USD",
        generated_at="2025-01-01T00:00:00Z",
        dependencies=deps,
        supplier_shares=shares,
        products={str(k): str(v) for k, v in names},
        critical_products=rollup(engine, deps, level="critical_product"),
        trend=trend,
        materials=materials,
        sources=[f"baci: {Path(path).name}, CEPII BACI HS17 ({SOURCE_URL})"],
        notes=["Extract of 30 critical-material codes, not all HS products."],
    )


class Page(HTMLParser):
    """Checks nesting and collects what the tests look at."""

    VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "col", "wbr", "source"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.figures: list[set[str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "figure":
            self.figures.append(set())
        elif "figure" in self.stack:
            self.figures[-1].add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))  # SVG's <rect/>: nothing to close

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert page.stack == []
    return page


def test_report_is_one_self_contained_document(data: ReportData) -> None:
    html = render(data)
    assert html.startswith("<!DOCTYPE html>")
    page = parse(html)
    assert ("html", {"lang": "en"}) in page.tags
    assert "<script" not in html.lower()
    names = {t for t, _ in page.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    start = html.index('<section id="sources"')
    end = html.index("</section>", start)
    urls = [m.start() for m in re.finditer(r"https?://", html)]
    assert urls and all(start < u < end for u in urls)  # only in the sources' text
    assert SOURCE_URL in html[start:end]
    assert not re.search(r"""(src|href)=["'](?!#)""", html)  # links are in-page only
    ids = {a["id"] for t, a in page.tags if t == "section"}
    assert ids == {"summary", "top", "suppliers", "critical", "trend", "materials", "sources"}
    assert "break-before:page" in html  # each section printed on a new page


def test_every_chart_is_accessible_with_a_table_view(data: ReportData) -> None:
    html = render(data)
    svgs = SVG.findall(html)
    assert len(svgs) == 4  # suppliers, critical products, two trend charts
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed XML: every label escaped
        assert root.get("role") == "img"
        assert root.get("viewBox", "").startswith("0 0 ")
        title, desc = root[0], root[1]
        assert title.tag == "title" and (title.text or "").strip()
        assert desc.tag == "desc" and len(desc.text or "") > 40
        assert set((root.get("aria-labelledby") or "").split()) == {title.get("id"), desc.get("id")}
    figures = parse(html).figures
    assert len(figures) == 4
    for inside in figures:
        assert {"svg", "details", "summary", "table", "figcaption"} <= inside


def test_top_dependency_and_numbers(data: ReportData) -> None:
    html = render(data)
    rows = data.dependencies.to_pylist()
    first = rows[0]
    assert first["dependent"] and first["product"] == "720293" and first["top_supplier"] == "BRA"
    top = html[html.index('<section id="top"') :]
    top = top[: top.index("</section>")]
    assert '<th scope="row">720293 niobium</th>' in top
    assert f"{first['import_value']:,.0f}" == "174,900" and '<td class="num">174,900</td>' in top
    assert f'<td>BRA</td><td class="num">{first["top_supplier_share"] * 100:.1f}%</td>' in top
    assert "97.3%" in top and f"{first['world_export_hhi']:.3f}" in top
    assert "Import value (thousand USD)" in top
    assert top.count("<td>all 4</td>") == 5  # dependent: every test passed
    dependent = [r for r in rows if r["dependent"]]
    assert top.count("<tr>") == 1 + len(dependent)
    value = sum(r["import_value"] for r in dependent)
    share = value / sum(r["import_value"] for r in rows)
    summary = html[html.index('<section id="summary"') : html.index('<section id="top"')]
    for text in (f"{len(rows)}", f"{len(dependent)}", f"{value:,.0f}", f"{share * 100:.1f}%"):
        assert f"<dd>{text}</dd>" in summary
    assert "CEPII GeoDep" in summary and "importer HHI &gt; 0.4" in summary
    sources = html[html.index('<section id="sources"') :]
    for text in ("persistence", "&gt; 0.4", "\u2265 1", "reconciled mirror", "low confidence"):
        assert text in sources
    assert "thousand current US dollars" in sources


def test_supplier_shares_agree_with_the_indicators(data: ReportData) -> None:
    tops = {}
    for r in data.supplier_shares.to_pylist():
        tops.setdefault(r["product"], r)
    deps = {r["product"]: r for r in data.dependencies.to_pylist()}
    assert len(tops) == 5
    for product, r in tops.items():
        assert r["supplier"] == deps[product]["top_supplier"]
        assert r["share"] == pytest.approx(deps[product]["top_supplier_share"], rel=1e-9)
    html = render(data)
    chart = SVG.findall(html)[0]
    top = [r["product"] for r in data.dependencies.to_pylist() if r["dependent"]]
    assert "BRA 97.3%" in chart and "others" in chart
    assert ">720293 niobium</text>" in chart  # the code is put before the description
    bars = re.findall(r'text-anchor="end" fill="#1a1a1a">(\d{6}) ', chart)
    assert bars == top  # in the order of the top table, whatever the order of the rows


def test_optional_sections_are_left_out(data: ReportData) -> None:
    empty = pa.table({"product": pa.array([], pa.string())})
    bare = ReportData(
        importer="JPN",
        year=2024,
        method="eu2021",
        method_title="European Commission, SWD(2021) 352",
        unit="thousand USD",
        generated_at="now",
        dependencies=data.dependencies.slice(0, 0),
        supplier_shares=empty,
    )
    html = render(bare)
    page = parse(html)
    assert {a["id"] for t, a in page.tags if t == "section"} == {"summary", "top", "sources"}
    assert "<svg" not in html and "http" not in html
    assert "<dd>0</dd>" in html and "No dataset versions recorded." in html


def test_without_dependencies_the_largest_imports_are_listed(data: ReportData) -> None:
    deps = data.dependencies
    none = deps.set_column(
        deps.schema.get_field_index("dependent"), "dependent", pa.array([False] * len(deps))
    )
    html = render(dataclasses.replace(data, dependencies=none))
    top = html[html.index('<section id="top"') : html.index('<section id="suppliers"')]
    assert "No product passes every test of the method" in top
    assert top.count("<tr>") == 1 + 10
    assert "<dd>0</dd>" in html and "<dd>0.0%</dd>" in html


def test_pdf_needs_weasyprint(
    data: ReportData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(MissingDependency, match=r"pip install 'econsec\[pdf\]'"):
        render_pdf(data, tmp_path / "r.pdf")
    written: list[str] = []

    class HTML:
        def __init__(self, string: str) -> None:
            self.string = string

        def write_pdf(self, target: str) -> None:
            written.append(target)
            Path(target).write_text(self.string)

    monkeypatch.setitem(sys.modules, "weasyprint", types.SimpleNamespace(HTML=HTML))
    out = render_pdf(data, tmp_path / "r.pdf")
    assert written == [str(out)] and out.read_text().startswith("<!DOCTYPE html>")


# --- charts -------------------------------------------------------------------------------------


def svg_of(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == "svg" and root.get("role") == "img"
    assert root[0].tag == "title" and root[1].tag == "desc"
    return root


def test_empty_input_gives_a_no_data_figure() -> None:
    for svg in (
        charts.shares_chart([]),
        charts.bar_chart([], title="Bars", unit="thousand USD"),
        charts.line_chart([], {}, title="Lines", y_label="products"),
        charts.line_chart([2024], {"a": [None]}, title="Lines", y_label="products"),
    ):
        root = svg_of(svg)
        assert "No" in (root[1].text or "")
        assert int(root.get("height", "0")) <= 60


def test_one_point_and_gaps() -> None:
    root = svg_of(charts.line_chart([2024], {"Dependent": [5.0]}, title="T", y_label="n"))
    assert not root.findall(".//polyline")
    assert len(root.findall("path")) == 2  # the point and its legend marker
    assert "Dependent: 5 in 2024." in (root[1].text or "")
    gap = svg_of(
        charts.line_chart([2020, 2021, 2022, 2023], {"a": [1, 2, None, 4]}, title="T", y_label="n")
    )
    assert len(gap.findall("polyline")) == 1  # 2020-2021; 2023 stands alone
    many = svg_of(
        charts.line_chart(list(range(2002, 2025)), {"a": list(range(23))}, title="T", y_label="n")
    )
    years = [t.text for t in many.iter("text") if t.text and t.text.isdigit() and len(t.text) == 4]
    assert years[-1] == "2024" and years[0] <= "2004" and len(years) <= 11  # the last year shown


def test_zero_values() -> None:
    bars = svg_of(charts.bar_chart([("a", 0.0), ("b", 0.0)], title="T", unit="thousand USD"))
    assert [r.get("width") for r in bars.findall("rect")] == ["0.00", "0.00"]
    assert "a 0; b 0" in (bars[1].text or "")
    lines = svg_of(charts.line_chart([2023, 2024], {"a": [0.0, 0.0]}, title="T", y_label="n"))
    assert lines.findall("polyline")
    shares = svg_of(charts.shares_chart([("p", [("CHN", 0.0)]), ("q", [("USA", 1.0)])]))
    assert "p: no imports" in (shares[1].text or "")
    assert "q: USA 100.0%" in (shares[1].text or "")


def test_long_labels_are_cut_with_the_full_text_as_tooltip() -> None:
    label = "850511 Permanent magnets and articles intended to become permanent magnets " * 3
    for svg in (
        charts.bar_chart([(label, 10.0)], title="T", unit="thousand USD"),
        charts.shares_chart([(label, [("CHN", 0.9), ("VNM", 0.1)])]),
    ):
        root = svg_of(svg)
        cut = next(t for t in root.iter("text") if t.find("title") is not None)
        assert cut.find("title").text == label  # type: ignore[union-attr]
        shown = "".join(cut.itertext()).replace(label, "")
        assert shown.endswith("\u2026") and len(shown) < 40


def test_labels_are_escaped() -> None:
    label = 'a <b> & "c"'
    for svg in (
        charts.bar_chart([(label, 1.0)], title=label, unit="<&>"),
        charts.shares_chart([(label, [('<&>"', 0.5)])], title=label),
        charts.line_chart([2024], {label: [1.0]}, title=label, y_label="<&>"),
        charts.no_data(label, label),
    ):
        root = svg_of(svg)  # parses: the text is escaped
        assert root[0].text == label
        assert "<b>" not in svg


def test_colours_have_patterns_and_labels() -> None:
    products = [
        (f"p{i}", [(c, 0.2) for c in ("CHN", "USA", "AUS", "ZAF", "BRA")]) for i in range(3)
    ]
    root = svg_of(charts.shares_chart(products, top=4))
    assert len(root.findall("defs/pattern")) == 4  # one per coloured supplier
    texts = [t.text for t in root.iter("text")]
    assert "CHN 20.0%" in texts and "others" in texts  # "others 20.0%" does not fit


def test_number_formats() -> None:
    assert charts.number(1_234_567.891) == "1,234,568"
    assert charts.number(0.4567, 3) == "0.457"
    assert charts.number(-0.0001) == "0"
    assert charts.number(None) == charts.percent(None) == "\u2014"
    assert charts.percent(0.97277) == "97.3%"
    assert charts.percent(0) == "0.0%"
