"""Charts of the technology landscape, drawn with :mod:`econsec.reports.charts` (inline SVG,
no script, readable in greyscale): each country's share over time, and the shares in one window.

Inputs are plain series taken from a :class:`~econsec.promote.landscape.Landscape`, so pages and
reports can chart any result; shares are plotted in percent.
"""

from __future__ import annotations

from typing import Any

from econsec.promote.landscape import Landscape
from econsec.reports.charts import bar_chart, line_chart, no_data

_METRIC_NAMES = {
    "share": "share of all output",
    "top10_share": "share of the top 10 % most-cited output",
}


def share_series(
    result: Landscape,
    technology: str,
    *,
    countries: list[str] | None = None,
    top: int = 5,
    metric: str | None = None,
) -> tuple[list[int], dict[str, list[float | None]]]:
    """Window end years and, per country, its ``metric`` share (percent) in each window.

    Countries: those given, else the ``top`` ranked in the latest window; a window where a
    country has no output is None (a gap), not 0."""
    metric = metric or result.metric
    rows = [r for r in result.shares.to_pylist() if r["technology"] == technology]
    if not rows:
        return [], {}
    ends = sorted({r["end"] for r in rows})
    if countries:
        chosen = [c.upper() for c in countries]
    else:
        latest = sorted((r for r in rows if r["end"] == ends[-1]), key=lambda r: r["rank"])
        chosen = [r["country"] for r in latest[:top]]
    value: dict[tuple[str, int], Any] = {(r["country"], r["end"]): r[metric] for r in rows}
    series: dict[str, list[float | None]] = {}
    for c in chosen:
        points = [value.get((c, end)) for end in ends]
        series[c] = [None if v is None else 100 * v for v in points]
    return ends, series


def share_lines(
    result: Landscape,
    technology: str,
    *,
    countries: list[str] | None = None,
    top: int = 5,
    metric: str | None = None,
    title: str | None = None,
    y_label: str | None = None,
    x_label: str | None = None,
    empty: str | None = None,
) -> str:
    """Line chart: the share of each leading country over the windows of ``result``.

    ``title``, ``y_label``, ``x_label`` and ``empty`` (the no-data message) replace the English
    texts, so a page can show them in its own language."""
    metric = metric or result.metric
    name = _METRIC_NAMES.get(metric, metric)
    period = result.windows[0] if result.windows else None
    span = (
        ""
        if period is None or period.start == period.end
        else (f" ({period.end - period.start + 1}-year windows, by last year)")
    )
    title = f"{technology}: {name} by country{span}" if title is None else title
    x, series = share_series(result, technology, countries=countries, top=top, metric=metric)
    if not x or all(v is None for vals in series.values() for v in vals):
        return no_data(title, f"No {name} for {technology}." if empty is None else empty)
    y_label = f"{name} (%)" if y_label is None else y_label
    return line_chart(x, series, title=title, y_label=y_label, x_label=x_label or "Year", digits=1)


def share_bars(
    result: Landscape,
    technology: str,
    period: str | None = None,
    *,
    top: int = 10,
    title: str | None = None,
    unit: str | None = None,
    empty: str | None = None,
) -> str:
    """Bar chart of the ``top`` countries' share in one window (default: the latest).

    ``title``, ``unit`` and ``empty`` (the no-data message) replace the English texts."""
    label = period or (result.windows[-1].label if result.windows else "")
    name = _METRIC_NAMES.get(result.metric, result.metric)
    title = f"{technology}, {label}: {name} by country" if title is None else title
    rows = sorted(
        (
            r
            for r in result.shares.to_pylist()
            if r["technology"] == technology and r["period"] == label
        ),
        key=lambda r: r["rank"],
    )[:top]
    items = [(r["country"], 100 * (r[result.metric] or 0.0)) for r in rows]
    if not items:
        return no_data(title) if empty is None else no_data(title, empty)
    return bar_chart(items, title=title, unit="% of " + name if unit is None else unit, digits=1)
