"""Charts as inline SVG: pure functions from plain values to a string, with no script and no
external asset, so a report stays one file that works offline.

Every chart is an ``<svg role="img">`` labelled by its ``<title>`` and a ``<desc>`` that states
the data in words (screen readers read those, not the drawing). Colours are the Okabe-Ito palette,
which stays distinct for the common colour-vision deficiencies; where colour carries meaning it is
doubled by a hatching pattern and a text label (suppliers) or a dash style and marker shape
(series), so charts also read in greyscale print. Sizes are viewBox units (1 unit = 1 CSS pixel at
the natural width of 720), so a chart scales with the page. Long labels are cut with an ellipsis
and keep the full text in a ``<title>`` tooltip. Shares are fractions (0-1); values are in the
caller's unit.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

WIDTH = 720
FONT = 12
CHAR = 0.62 * FONT  # a generous average glyph width, so estimated text fits
LABEL_WIDTH = 210  # room for product labels left of the bars
INK, GRID, MUTED = "#1a1a1a", "#d0d0d0", "#555555"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
#: Hatching over each palette colour (paths in an 8x8 tile): tells segments apart in greyscale.
HATCH = ("", "M0 8L8 0", "M0 4H8", "M4 0V8", "M0 0L8 8", "M0 8L8 0M0 0L8 8", "M0 4H8M4 0V8")
UNNAMED, REST = "#dddddd", "#ffffff"  # suppliers beyond the palette; "others"
DASHES = ("", "7 4", "2 3", "9 3 2 3")
#: Marker shapes relative to the point: circle, square, triangle, diamond.
MARKERS = (
    "m-4 0a4 4 0 1 0 8 0a4 4 0 1 0-8 0z",
    "m-4-4h8v8h-8z",
    "m0-5l5 9h-10z",
    "m0-5l5 5-5 5-5-5z",
)
PLATE = 'fill="#fff" fill-opacity="0.88" rx="2"'  # behind a label on a coloured segment


def number(value: float | None, digits: int = 0) -> str:
    """``value`` with thousands separators and ``digits`` decimals; an em dash when missing."""
    if value is None or math.isnan(value):
        return "\u2014"
    if round(value, digits) == 0:
        value = 0.0  # no "-0"
    return f"{value:,.{digits}f}"


def percent(share: float | None) -> str:
    """A share (0-1) as a percentage with one decimal: ``0.9728`` -> ``97.3%``."""
    return "\u2014" if share is None or math.isnan(share) else f"{number(share * 100, 1)}%"


def no_data(title: str, message: str = "No data to show.") -> str:
    """A small figure saying there is nothing to chart."""
    uid = _uid("empty", title, message)
    body = [
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="59" fill="#fafafa" stroke="{GRID}"/>',
        f'<text x="{WIDTH / 2}" y="35" text-anchor="middle" fill="{MUTED}">'
        f"{escape(message)}</text>",
    ]
    return _svg(uid, WIDTH, 60, title, message, body)


def shares_chart(
    products: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    title: str = "Supplier shares of import value",
    top: int = 4,
) -> str:
    """Horizontal stacked bars, one per product: ``(label, [(supplier, share), ...])``.

    Each bar shows the product's ``top`` largest suppliers and "others" (the rest of 100 %).
    The suppliers that lead across the chart get a palette colour and hatching; further named
    suppliers are light grey; every segment wide enough is labelled with its code and share.
    """
    if not products:
        return no_data(title, "No supplier shares to show.")
    bars = [(label, _segments(shares, top)) for label, shares in products]
    weight: dict[str, float] = {}
    for _, segments in bars:
        for code, share in segments:
            if code is not None:
                weight[code] = weight.get(code, 0.0) + share
    ranked = sorted(weight, key=lambda c: (-weight[c], c))[: len(PALETTE)]
    uid = _uid("shares", repr(bars), str(top))
    style = {code: f"url(#{uid}-p{i})" for i, code in enumerate(ranked)}
    x0, span, bar, gap, top_pad = LABEL_WIDTH + 10, WIDTH - LABEL_WIDTH - 30, 22, 10, 28
    body = [_patterns(uid, len(ranked))]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = x0 + tick * span
        body.append(
            f'<line x1="{x:.1f}" y1="{top_pad - 6}" x2="{x:.1f}" '
            f'y2="{top_pad + len(bars) * (bar + gap)}" stroke="{GRID}"/>'
        )
        body.append(
            f'<text x="{x:.1f}" y="{top_pad - 10}" text-anchor="middle" '
            f'fill="{MUTED}">{tick * 100:.0f}%</text>'
        )
    words = []
    for row, (label, segments) in enumerate(bars):
        y = top_pad + row * (bar + gap)
        body.append(_label(label, LABEL_WIDTH, y + bar / 2 + 4, LABEL_WIDTH - 4))
        body.append(_stack(label, segments, style, (x0, y, span, bar)))
        listed = ", ".join(f"{'others' if c is None else c} {percent(v)}" for c, v in segments)
        words.append(f"{label}: {listed or 'no imports'}")
    legend = [(fill, code) for code, fill in style.items()]
    if any(c is not None and c not in style for _, segs in bars for c, _ in segs):
        legend.append((UNNAMED, f"other suppliers among a product's {top} largest"))
    legend.append((REST, "others (all remaining suppliers)"))
    height, legend_svg = _legend(legend, top_pad + len(bars) * (bar + gap) + 6, x0)
    body.append(legend_svg)
    desc = (
        f"Stacked horizontal bars of the share of import value by supplier for {len(bars)} "
        f"product{'s' if len(bars) != 1 else ''}, the {top} largest suppliers of each and "
        "others. " + "; ".join(words) + "."
    )
    return _svg(uid, WIDTH, height, title, desc, body)


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, unit: str, digits: int = 0) -> str:
    """Horizontal bars of ``(label, value)`` in ``unit``, in the order given, values labelled."""
    if not items:
        return no_data(title)
    uid = _uid("bars", repr(items), unit)
    texts = [number(v, digits) for _, v in items]
    high = max(max(v for _, v in items), 0.0)
    ticks = _ticks(0.0, high, integer=digits == 0)
    x0 = LABEL_WIDTH + 10
    span = WIDTH - x0 - max(_width(t) for t in texts) - 16
    bar, gap, top_pad = 20, 8, 28
    bottom = top_pad + len(items) * (bar + gap)
    body = [_value_grid(ticks, lambda t: x0 + t / ticks[-1] * span, top_pad, bottom)]
    for row, ((label, value), text) in enumerate(zip(items, texts, strict=True)):
        y = top_pad + row * (bar + gap)
        w = max(value, 0.0) / ticks[-1] * span
        body.append(_label(label, LABEL_WIDTH, y + bar / 2 + 4, LABEL_WIDTH - 4))
        body.append(
            f'<rect x="{x0}" y="{y}" width="{w:.2f}" height="{bar}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {text} {escape(unit)}</title></rect>"
        )
        body.append(f'<text x="{x0 + w + 4:.2f}" y="{y + bar / 2 + 4}" fill="{INK}">{text}</text>')
    body.append(f'<text x="{x0}" y="{bottom + 16}" fill="{MUTED}">{escape(unit)}</text>')
    desc = f"Horizontal bars, {unit}, for {len(items)} item{'s' if len(items) != 1 else ''}: " + (
        "; ".join(f"{label} {text}" for (label, _), text in zip(items, texts, strict=True)) + "."
    )
    return _svg(uid, WIDTH, bottom + 24, title, desc, body)


def line_chart(
    x: Sequence[int],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    y_label: str,
    x_label: str = "Year",
    digits: int = 0,
) -> str:
    """Lines over ``x`` (years), one per series (a value per year, None for a gap)."""
    points = [(n, v) for n, vals in series.items() for v in vals if v is not None]
    if not x or not points:
        return no_data(title)
    uid = _uid("lines", repr(list(x)), repr(dict(series)))
    values = [v for _, v in points]
    ticks = _ticks(min(min(values), 0.0), max(values), integer=digits == 0)
    tick_text = [number(t, _decimals(ticks)) for t in ticks]
    left = 34 + max(_width(t) for t in tick_text)
    right, top_pad, plot_h = WIDTH - 20, 16, 200
    bottom = top_pad + plot_h
    lo, hi = min(x), max(x)

    def px(year: float) -> float:
        return (left + right) / 2 if hi == lo else left + (year - lo) / (hi - lo) * (right - left)

    def py(value: float) -> float:
        return bottom - (value - ticks[0]) / (ticks[-1] - ticks[0]) * plot_h

    body = [_y_grid(ticks, tick_text, py, left, right)]
    years = sorted(set(x))
    step = max(1, math.ceil(len(years) / 10))
    for year in years[(len(years) - 1) % step :: step]:  # always show the last year
        body.append(
            f'<line x1="{px(year):.1f}" y1="{bottom}" x2="{px(year):.1f}" '
            f'y2="{bottom + 5}" stroke="{MUTED}"/>'
        )
        body.append(
            f'<text x="{px(year):.1f}" y="{bottom + 18}" text-anchor="middle" '
            f'fill="{MUTED}">{year}</text>'
        )
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}"/>')
    body.append(_axis_titles(x_label, y_label, (left, right, top_pad, bottom)))
    words = []
    for i, (name, vals) in enumerate(series.items()):
        pairs = list(zip(x, vals, strict=True))
        points_at = [(year, px(year), None if v is None else py(v), v) for year, v in pairs]
        body.append(_series(i, name, points_at, digits))
        words.append(_trend_words(name, pairs, digits))
    body.append(_line_legend(list(series), bottom + 50))
    height = bottom + 50 + 20 * len(series)
    desc = f"Line chart by {x_label.lower()}, {lo} to {hi}. " + " ".join(words)
    return _svg(uid, WIDTH, height, title, desc, body)


def _value_grid(
    ticks: Sequence[float], px: Callable[[float], float], top: float, bottom: float
) -> str:
    """Vertical grid lines of horizontal bars, each value written above the plot."""
    digits = _decimals(list(ticks))
    return "".join(
        f'<line x1="{px(t):.1f}" y1="{top - 6}" x2="{px(t):.1f}" y2="{bottom}" stroke="{GRID}"/>'
        f'<text x="{px(t):.1f}" y="{top - 10}" text-anchor="middle" '
        f'fill="{MUTED}">{number(t, digits)}</text>'
        for t in ticks
    )


def _y_grid(
    ticks: Sequence[float],
    texts: Sequence[str],
    py: Callable[[float], float],
    left: float,
    right: float,
) -> str:
    """Horizontal grid lines of a plot from ``left`` to ``right``, labelled on the left."""
    return "".join(
        f'<line x1="{left}" y1="{py(t):.1f}" x2="{right}" y2="{py(t):.1f}" stroke="{GRID}"/>'
        f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end" fill="{MUTED}">{text}</text>'
        for t, text in zip(ticks, texts, strict=True)
    )


def _axis_titles(x_label: str, y_label: str, box: tuple[float, float, float, float]) -> str:
    """The x title under a plot in ``box`` (left, right, top, bottom), the y title up its left."""
    left, right, top, bottom = box
    return (
        f'<text x="{(left + right) / 2}" y="{bottom + 36}" text-anchor="middle" '
        f'fill="{INK}">{escape(x_label)}</text>'
        f'<text transform="translate(14 {(top + bottom) / 2}) rotate(-90)" '
        f'text-anchor="middle" fill="{INK}">{escape(y_label)}</text>'
    )


def _stack(
    label: str,
    segments: list[tuple[str | None, float]],
    style: dict[str, str],
    box: tuple[float, float, float, float],
) -> str:
    """One stacked bar in ``box`` (x, y, width, height): a segment per supplier, labelled
    where the label fits, each with a tooltip; ``style`` maps suppliers to their fill."""
    x, y, span, bar = box
    if not segments:
        return f'<text x="{x + 4}" y="{y + bar / 2 + 4}" fill="{MUTED}">no imports</text>'
    out = []
    for code, share in segments:
        w = share * span
        name = "others" if code is None else code
        fill = REST if code is None else style.get(code, UNNAMED)
        out.append(
            f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar}" fill="{fill}" '
            f'stroke="#fff" stroke-width="1"><title>{escape(label)}: {escape(name)} '
            f"{percent(share)}</title></rect>"
        )
        text = next((t for t in (f"{name} {percent(share)}", name) if _width(t) + 8 <= w), "")
        if text:
            plate = _width(text) + 4
            out.append(
                f'<rect x="{x + (w - plate) / 2:.2f}" y="{y + bar / 2 - 8}" '
                f'width="{plate:.1f}" height="15" {PLATE}/><text x="{x + w / 2:.2f}" '
                f'y="{y + bar / 2 + 4}" text-anchor="middle" fill="{INK}">{escape(text)}</text>'
            )
        x += w
    out.append(
        f'<rect x="{box[0]}" y="{y}" width="{span}" height="{bar}" fill="none" stroke="{MUTED}"/>'
    )
    return "".join(out)


# --- helpers ------------------------------------------------------------------------------------


def _svg(uid: str, width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _uid(kind: str, *parts: str) -> str:
    """An id derived from the content, so the function stays pure and two charts differ."""
    return f"{kind}-{hashlib.sha1('|'.join(parts).encode()).hexdigest()[:10]}"


def _width(text: str) -> float:
    return len(text) * CHAR


def _label(text: str, x: float, y: float, room: float) -> str:
    """Right-aligned text ending at ``x``, cut to ``room`` with the full text as a tooltip."""
    keep = max(int(room / CHAR), 2)
    shown = text if len(text) <= keep else text[: keep - 1].rstrip() + "\u2026"
    tip = f"<title>{escape(text)}</title>" if shown != text else ""
    return f'<text x="{x}" y="{y}" text-anchor="end" fill="{INK}">{tip}{escape(shown)}</text>'


def _segments(shares: Sequence[tuple[str, float]], top: int) -> list[tuple[str | None, float]]:
    """The ``top`` largest positive shares and the rest as ``(None, share)``; [] if all zero."""
    kept = sorted(((c, s) for c, s in shares if s > 0), key=lambda p: -p[1])[:top]
    if not kept:
        return []
    rest = 1.0 - sum(s for _, s in kept)
    out: list[tuple[str | None, float]] = list(kept)
    return [*out, (None, rest)] if rest > 5e-4 else out


def _patterns(uid: str, count: int) -> str:
    tiles = [
        f'<pattern id="{uid}-p{i}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{PALETTE[i]}"/>'
        + (f'<path d="{HATCH[i]}" stroke="#000" stroke-opacity="0.45"/>' if HATCH[i] else "")
        + "</pattern>"
        for i in range(count)
    ]
    return f"<defs>{''.join(tiles)}</defs>"


def _legend(items: list[tuple[str, str]], y: float, x0: float) -> tuple[float, str]:
    """Swatches with names, wrapped into rows; returns the chart height and the SVG."""
    out, x = [], x0
    for fill, name in items:
        room = 24 + _width(name)
        if x + room > WIDTH - 10 and x > x0:
            x, y = x0, y + 20
        out.append(
            f'<rect x="{x:.1f}" y="{y}" width="14" height="14" fill="{fill}" '
            f'stroke="{MUTED}"/><text x="{x + 19:.1f}" y="{y + 11}" '
            f'fill="{INK}">{escape(name)}</text>'
        )
        x += room + 12
    return y + 24, "".join(out)


def _marker(i: int, x: float, y: float, colour: str, tip: str) -> str:
    return (
        f'<path d="M{x:.1f} {y:.1f}{MARKERS[i % len(MARKERS)]}" fill="{colour}" stroke="#fff" '
        f'stroke-width="1"><title>{tip}</title></path>'
    )


def _series(
    i: int, name: str, points: list[tuple[int, float, float | None, float | None]], digits: int
) -> str:
    """Series ``i``: lines through consecutive known points (year, x, y, value), and markers."""
    colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
    out, run = [], []
    for _, px, py, _ in [*points, (0, 0.0, None, None)]:  # a final gap closes the last run
        if py is not None:
            run.append(f"{px:.1f},{py:.1f}")
            continue
        if len(run) > 1:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>'
            )
        run = []
    for year, px, py, value in points:
        if py is not None and value is not None:
            tip = f"{escape(name)}, {year}: {number(value, digits)}"
            out.append(_marker(i, px, py, colour, tip))
    return "".join(out)


def _line_legend(names: list[str], y: float) -> str:
    out = []
    for i, name in enumerate(names):
        colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        ly = y + i * 20
        out.append(
            f'<line x1="40" y1="{ly}" x2="76" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="{dash}"/>'
        )
        out.append(_marker(i, 58, ly, colour, escape(name)))
        out.append(f'<text x="84" y="{ly + 4}" fill="{INK}">{escape(name)}</text>')
    return "".join(out)


def _trend_words(name: str, pairs: list[tuple[int, float | None]], digits: int) -> str:
    known = [(y, v) for y, v in pairs if v is not None]
    if len(known) == 1:
        return f"{name}: {number(known[0][1], digits)} in {known[0][0]}."
    low = min(known, key=lambda p: p[1])
    high = max(known, key=lambda p: p[1])
    return (
        f"{name}: {number(known[0][1], digits)} in {known[0][0]}, "
        f"{number(known[-1][1], digits)} in {known[-1][0]}; lowest {number(low[1], digits)} "
        f"({low[0]}), highest {number(high[1], digits)} ({high[0]})."
    )


def _ticks(lo: float, hi: float, *, integer: bool = False, count: int = 5) -> list[float]:
    """Round tick values from at most ``lo`` to at least ``hi`` (about ``count`` steps)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, float(math.ceil(step)))
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [k * step for k in range(first, max(last, first + 1) + 1)]


def _decimals(ticks: list[float]) -> int:
    """Decimals that show every tick exactly (0 for steps of 1 or more)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * step), 6)
