"""The dependency report as one self-contained HTML5 file, and as PDF through WeasyPrint.

The page has inline CSS and inline SVG charts only: no script, no font, image or style sheet
fetched from anywhere, so it opens on a closed network and can be handed on as a single file.
Every chart sits in a ``<figure>`` with a ``<details>`` data table (the numbers for keyboard and
screen-reader users); print CSS starts each section on a new page. Values are in
``ReportData.unit`` (BACI: thousand current USD) with thousands separators; shares are
percentages with one decimal; HHIs are on the 0-1 scale with three decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from econsec.errors import MissingDependency, NotFound
from econsec.know.methods import Method, method
from econsec.reports.charts import bar_chart, line_chart, number, percent, shares_chart
from econsec.reports.model import ReportData

TOP = 25  # rows of the top-dependencies table
BARS = 15  # bars of the critical-products chart
SEGMENTS = 4  # named suppliers per bar of the supplier-share chart
OPS = {">": ">", ">=": "\u2265", "<": "<", "<=": "\u2264"}
FIRST = ' class="first"'  # no page break before the first section
Row = dict[str, Any]
Section = tuple[str, str, str]  # id, heading, HTML body

CAVEATS = (
    "Values are in {unit} (BACI: thousand current US dollars, not adjusted for prices); "
    "shares and HHIs are shares of trade value, not of quantity.",
    "BACI is reconciled mirror data: each flow combines the exporter's and the importer's "
    "declarations, so it can differ from a country's own statistics.",
    "The HS mappings of the specified critical products are working mappings with low "
    "confidence: a product code may cover more, or less, than the critical product.",
)
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;
background:#fff;line-height:1.45;max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .3rem}
h2{font-size:1.25rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2.4rem}
h3{font-size:1.05rem;margin-top:1.4rem}
.meta,figcaption,.note{color:#444;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #555;background:#f2f2f2}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
figure{margin:1rem 0}
svg.chart{display:block;width:100%;max-width:720px;height:auto}
summary{cursor:pointer;color:#0a4f8a;margin:.4rem 0}
a{color:#0a4f8a}
a:focus-visible,summary:focus-visible{outline:3px solid #E69F00;outline-offset:2px}
dl.figures{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
dl.figures div{border:1px solid #ccc;padding:.5rem .8rem;min-width:11rem}
dl.figures dt{font-size:.85rem;color:#444}
dl.figures dd{margin:0;font-size:1.3rem;font-weight:600}
@page{size:A4;margin:14mm}
@media print{
body{max-width:none;padding:0;font-size:10pt}
nav{display:none}
section{break-before:page;page-break-before:always}
section.first{break-before:auto;page-break-before:auto}
svg,figcaption,tr{break-inside:avoid;page-break-inside:avoid}
svg{break-after:avoid;page-break-after:avoid}
table{font-size:7.5pt}
th,td{padding:.15rem .3rem}
details.dup{display:none}
h2,h3,caption{break-after:avoid;page-break-after:avoid}
thead{display:table-header-group}
details>summary{display:none}
details>:not(summary){display:block}
details::details-content{display:block;content-visibility:visible}
*{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
"""


def render(data: ReportData) -> str:
    """The report as a complete HTML5 document (a string)."""
    rows = _rows(data.dependencies.to_pylist(), data)
    m = _method(data.method)
    found = [
        _summary(data, rows, m),
        _top(data, rows),
        _shares(data, rows),
        _critical(data),
        _trend(data),
        _materials(data),
        _sources(data, rows, m),
    ]
    sections = [s for s in found if s is not None]
    title = f"Trade dependencies of {data.importer}, {data.year}"
    nav = "".join(f'<li><a href="#{i}">{escape(h)}</a></li>' for i, h, _ in sections)
    body = "".join(
        f'<section id="{i}"{FIRST if n == 0 else ""} aria-labelledby="{i}-h">'
        f'<h2 id="{i}-h">{escape(h)}</h2>{html}</section>'
        for n, (i, h, html) in enumerate(sections)
    )
    meta = (
        f"Method: {data.method_title} ({data.method}) \u00b7 values in {data.unit} \u00b7 "
        f"generated {data.generated_at}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p></header>\n'
        f'<nav aria-label="Contents"><ol>{nav}</ol></nav>\n<main>{body}</main>\n'
        "</body>\n</html>\n"
    )


def render_pdf(data: ReportData, path: Path | str) -> Path:
    """Write the report as PDF to ``path`` with WeasyPrint (``pip install weasyprint``)."""
    try:
        import weasyprint  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise MissingDependency("PDF reports need WeasyPrint: pip install 'econsec[pdf]'") from None
    out = Path(path)
    weasyprint.HTML(string=render(data)).write_pdf(str(out))
    return out


# --- sections -----------------------------------------------------------------------------------


def _summary(data: ReportData, rows: list[Row], m: Method | None) -> Section:
    dependent = [r for r in rows if r.get("dependent")]
    total = sum(r["import_value"] or 0.0 for r in rows)
    value = sum(r["import_value"] or 0.0 for r in dependent)
    share = value / total if total else None
    figures = [
        ("Products imported (HS 6-digit)", number(len(rows))),
        ("Dependent products", number(len(dependent))),
        (f"Import value of dependent products ({data.unit})", number(value)),
        ("Share of the import value of these products", percent(share)),
    ]
    tiles = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in figures)
    text = (
        f"In {data.year}, {data.importer} imported {number(len(rows))} products covered by the "
        f"data; {number(len(dependent))} of them are dependencies by the method "
        f"\u201c{data.method_title}\u201d, worth {number(value)} {data.unit} "
        f"({percent(share)} of the import value of these products)."
    )
    tests = _tests(rows)
    rule = "; ".join(f"{_describe(t['test'], m)} {_condition(t)}" for t in tests)
    line = f"A product is a dependency when every test passes: {rule}." if rule else ""
    html = f'<dl class="figures">{tiles}</dl><p>{escape(text)}</p>'
    return "summary", "Summary", html + (f"<p>{escape(line)}</p>" if line else "")


def _top(data: ReportData, rows: list[Row]) -> Section:
    ranked = sorted(rows, key=lambda r: -(r["import_value"] or 0.0))
    shown = [r for r in ranked if r.get("dependent")][:TOP]
    note = ""
    if not shown:
        shown = ranked[:10]
        note = "No product passes every test of the method; the largest imports are listed."
    headers = ["Product", f"Import value ({data.unit})", "Suppliers", "HHI", "Top supplier"]
    headers += ["Top supplier share", "World-export HHI", "Top exporter (share)", "Tests passed"]
    body = [
        [
            _product(r["product"], data),
            number(r["import_value"]),
            number(r["n_suppliers"]),
            number(r["hhi"], 3),
            r["top_supplier"] or "\u2014",
            percent(r["top_supplier_share"]),
            number(r["world_export_hhi"], 3),
            _who(r["top_exporter"], r["top_exporter_share"]),
            _passed(r),
        ]
        for r in shown
    ]
    caption = f"Dependencies of {data.importer} in {data.year}, largest import value first"
    table = _table(caption, headers, body, numeric={1, 2, 3, 5, 6})
    return (
        "top",
        "Top dependencies",
        (f'<p class="note">{escape(note)}</p>' if note else "") + table,
    )


def _shares(data: ReportData, deps: list[Row]) -> Section | None:
    """Bars in the order of the top table (largest import value first)."""
    rows = data.supplier_shares.to_pylist()
    if not rows:
        return None
    ranked = sorted(deps, key=lambda r: -(r["import_value"] or 0.0))
    rank = {r["product"]: i for i, r in enumerate(ranked)}
    grouped: dict[str, list[Row]] = {}
    for r in sorted(rows, key=lambda r: rank.get(r["product"], len(rank))):
        grouped.setdefault(r["product"], []).append(r)
    bars, table = [], []
    for product, items in grouped.items():
        label = _product(product, data, items[0].get("product_label"))
        items = sorted(items, key=lambda r: -(r["share"] or 0.0))
        bars.append((label, [(r["supplier"], r["share"] or 0.0) for r in items]))
        kept = [r for r in items if (r["share"] or 0.0) > 0][:SEGMENTS]
        for r in kept:
            table.append([label, r["supplier"], percent(r["share"]), number(r["value"])])
        rest = items[len(kept) :]
        if rest:
            share = sum(r["share"] or 0.0 for r in rest)
            value = sum(r["value"] or 0.0 for r in rest)
            table.append([label, f"others ({len(rest)})", percent(share), number(value)])
    what = "top dependencies" if any(r.get("dependent") for r in deps) else "largest imports"
    title = f"Supplier shares of {data.importer}'s imports of its {what}, {data.year}"
    svg = shares_chart(bars, title=title, top=SEGMENTS)
    headers = ["Product", "Supplier", "Share of import value", f"Import value ({data.unit})"]
    figure = _figure(svg, title, _table(title, headers, table, numeric={2, 3}))
    return "suppliers", f"Who supplies the {what}", figure


def _critical(data: ReportData) -> Section | None:
    rows = _rows(_pylist(data.critical_products), data)
    if not rows:
        return None
    rows.sort(key=lambda r: -(r["dependent_import_value"] or 0.0))
    title = f"Dependent import value by specified critical product, {data.importer} {data.year}"
    items = [(str(r["label"]), float(r["dependent_import_value"] or 0.0)) for r in rows[:BARS]]
    svg = bar_chart(items, title=title, unit=data.unit)
    view = _table(
        title,
        ["Critical product", f"Dependent import value ({data.unit})"],
        [[label, number(v)] for label, v in items],
        numeric={1},
    )
    headers = ["Critical product", "Products", "Dependent products", f"Import value ({data.unit})"]
    headers += [f"Dependent import value ({data.unit})", "Dependent share", "Group HHI"]
    headers += ["Top supplier (share)"]
    body = [
        [
            f"{r['group']}. {r['label']}",
            number(r["products"]),
            number(r["dependent_products"]),
            number(r["import_value"]),
            number(r["dependent_import_value"]),
            percent(r.get("dependent_share")),
            number(r["group_hhi"], 3),
            _who(r["group_top_supplier"], r["group_top_supplier_share"]),
        ]
        for r in rows
    ]
    note = (
        "Products are assigned to the critical products of the Economic Security Promotion Act "
        "by a working HS mapping, mostly of low confidence; the group HHI is computed on the "
        "group's flows summed over its products."
    )
    table = _table("Specified critical products", headers, body, numeric=set(range(1, 7)))
    html = _figure(svg, title, view, duplicate=True) + f'<p class="note">{escape(note)}</p>' + table
    return "critical", "Specified critical products", html


def _trend(data: ReportData) -> Section | None:
    rows = sorted(_pylist(data.trend), key=lambda r: r["year"])
    if not rows:
        return None
    years = [int(r["year"]) for r in rows]
    for r in rows:
        value = r["import_value"]
        r["dependent_share"] = r["dependent_import_value"] / value if value else None
    figures = []
    for title, y_label, columns in (
        (
            "Products imported and dependent, by year",
            "products",
            ("products", "dependent_products"),
        ),
        (
            f"Import value of all and of dependent products, by year ({data.unit})",
            data.unit,
            ("import_value", "dependent_import_value", "dependent_share"),
        ),
    ):
        names = [c.replace("_", " ").capitalize() for c in columns]
        series = {n: [r[c] for r in rows] for n, c in zip(names, columns[:2], strict=False)}
        svg = line_chart(years, series, title=title, y_label=y_label)
        view = [
            [str(r["year"]), *(percent(r[c]) if "share" in c else number(r[c]) for c in columns)]
            for r in rows
        ]
        table = _table(title, ["Year", *names], view, numeric=set(range(1, len(columns) + 1)))
        figures.append(_figure(svg, title, table))
    return "trend", f"Trend of {data.importer}'s dependencies", "".join(figures)


def _materials(data: ReportData) -> Section | None:
    rows = _pylist(data.materials)
    if not rows:
        return None
    year = data.year if any(r["year"] == data.year for r in rows) else max(r["year"] for r in rows)
    rows = sorted((r for r in rows if r["year"] == year), key=lambda r: -(r["import_value"] or 0))
    headers = ["Material", f"Import value ({data.unit})", "Top supplier", "Top supplier share"]
    headers += ["HHI"]
    body = [
        [
            r["material"],
            number(r["import_value"]),
            r["top_supplier"] or "\u2014",
            percent(r["top_supplier_share"]),
            number(r["hhi"], 3),
        ]
        for r in rows
    ]
    caption = f"Critical materials imported by {data.importer}, {year}"
    return "materials", "Critical materials", _table(caption, headers, body, numeric={1, 3, 4})


def _sources(data: ReportData, rows: list[Row], m: Method | None) -> Section:
    parts = ["<h3>Data</h3>", _list(data.sources or ["No dataset versions recorded."])]
    if data.notes:
        parts += ["<h3>Notes</h3>", _list(data.notes)]
    parts.append("<h3>Method</h3>")
    parts.append(f"<p>{escape(data.method_title)} (<code>{escape(data.method)}</code>).</p>")
    if m is not None:
        parts.append(f"<p>{escape(m.description)}</p><p>Source: {escape(m.source)}.</p>")
    tests = [[t["test"], _describe(t["test"], m), _condition(t)] for t in _tests(rows)]
    if tests:
        headers = ["Test", "What it measures", "Passes when the value is"]
        parts.append(_table("Tests and thresholds", headers, tests, numeric=set()))
    parts += ["<h3>Caveats</h3>", _list([c.format(unit=data.unit) for c in CAVEATS])]
    return "sources", "Sources and method", "".join(parts)


# --- helpers ------------------------------------------------------------------------------------


def _pylist(table: Any) -> list[Row]:
    return [] if table is None else list(table.to_pylist())


def _rows(rows: list[Row], data: ReportData) -> list[Row]:
    """The rows of the report's importer and year (tables may hold more)."""
    return [
        r
        for r in rows
        if r.get("importer", data.importer) == data.importer
        and r.get("year", data.year) == data.year
    ]


def _method(name: str) -> Method | None:
    try:
        return method(name)
    except NotFound:
        return None


def _tests(rows: list[Row]) -> list[Row]:
    return list(rows[0].get("tests") or []) if rows else []


def _describe(test: str, m: Method | None) -> str:
    known = {t.name: t.description for t in m.tests} if m is not None else {}
    known.setdefault("persistence", "years of the window in which the tests held")
    return known.get(test, test.replace("_", " "))


def _condition(test: Row) -> str:
    return f"{OPS.get(test['op'], test['op'])} {test['threshold']:g}"


def _who(code: str | None, share: float | None) -> str:
    return f"{code or chr(0x2014)} ({percent(share)})"


def _product(code: str, data: ReportData, label: str | None = None) -> str:
    """``code description``; ``label`` (if given) instead of the description."""
    name = label or data.products.get(code) or ""
    return name if name.startswith(code) else f"{code} {name}".strip()


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _figure(svg: str, caption: str, table: str, *, duplicate: bool = False) -> str:
    """The chart with its data table; ``duplicate`` tables repeat a table shown below, so
    print leaves them out."""
    details = '<details class="dup">' if duplicate else "<details>"
    return (
        f"<figure>{svg}<figcaption>{escape(caption)}</figcaption>"
        f"{details}<summary>Data table</summary>{table}</details></figure>"
    )


def _passed(row: Row) -> str:
    """The tests a row passed: "all N", or their names."""
    tests, flags = row.get("tests") or [], list(row.get("flags") or [])
    if tests and len(flags) == len(tests):
        return f"all {len(tests)}"
    return ", ".join(flags) or "none"


def _table(caption: str, headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    """A table of text cells; the first column heads its row; ``numeric`` columns align right."""

    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(headers))
    lines = []
    for row in rows:
        cells = [f'<th scope="row">{escape(row[0])}</th>'] + [
            f"<td{cls(i)}>{escape(c)}</td>" for i, c in enumerate(row[1:], start=1)
        ]
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(lines)}</tbody></table>"
    )
