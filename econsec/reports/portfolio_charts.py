"""Charts of a promotion portfolio, drawn like :mod:`econsec.reports.charts` (inline SVG, no
script, readable in greyscale, the data stated in words in ``<desc>``): the value-cost Pareto
frontier of a fund allocation, and a tornado of one candidate's score when each weight moves.

Inputs are the plain dicts the Promote code already returns: the points of
:func:`econsec.promote.allocate_explain.frontier` and the rows of
:func:`econsec.promote.portfolio_sensitivity.tornado`. Every text a page shows can be passed in,
so pages can translate it; costs and values are in the caller's unit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from itertools import pairwise
from typing import Any

from econsec.reports.charts import (
    GRID,
    INK,
    LABEL_WIDTH,
    MARKERS,
    MUTED,
    PALETTE,
    PLATE,
    WIDTH,
    _axis_titles,
    _decimals,
    _label,
    _legend,
    _marker,
    _patterns,
    _svg,
    _ticks,
    _uid,
    _value_grid,
    _width,
    _y_grid,
    no_data,
    number,
)

#: The chosen allocation: a large diamond, unlike any frontier marker even in greyscale.
_CHOSEN = "m0-8l8 8-8 8-8-8z"


def frontier_points(points: Sequence[Mapping[str, Any]]) -> list[tuple[float, float, bool]]:
    """``(cost, value, efficient)`` of the solved points, cheapest first.

    Cost is ``total_cost`` (or ``cost``), value ``objective`` (or ``value``); a point the solver
    found no allocation for (no objective) is left out; ``efficient`` defaults to True."""
    out = []
    for p in points:
        cost = p.get("total_cost", p.get("cost"))
        value = p.get("objective", p.get("value"))
        if cost is not None and value is not None:
            out.append((float(cost), float(value), bool(p.get("efficient", True))))
    return sorted(out, key=lambda q: (q[0], q[1]))


def pareto_chart(
    points: Sequence[Mapping[str, Any]],
    *,
    chosen: tuple[float, float] | None = None,
    budget: float | None = None,
    title: str,
    x_label: str,
    y_label: str,
    chosen_label: str = "chosen",
    budget_label: str = "budget",
    digits: int = 0,
) -> str:
    """Best value (y) against cost (x) for the frontier ``points``, with markers.

    The line steps through the efficient points (at each cost, the best value the money buys);
    points another point dominates get a hollow marker. ``chosen`` (cost, value) is a large
    labelled diamond and ``budget`` a dashed vertical line; both in the caller's units."""
    solved = frontier_points(points)
    if not solved:
        return no_data(title)
    uid = _uid("pareto", repr(solved), repr(chosen), repr(budget), x_label, y_label)
    xs = [c for c, _, _ in solved] + ([] if budget is None else [budget])
    ys = [v for _, v, _ in solved]
    if chosen is not None:
        xs.append(chosen[0])
        ys.append(chosen[1])
    xt = _ticks(min(xs), max(xs), integer=digits == 0)
    yt = _ticks(min(ys), max(ys), integer=digits == 0)
    x_text = [number(t, _decimals(xt)) for t in xt]
    y_text = [number(t, _decimals(yt)) for t in yt]
    left = 34 + max(_width(t) for t in y_text)
    right = WIDTH - 10 - _width(x_text[-1]) / 2
    top_pad, plot_h = 16, 240
    bottom = top_pad + plot_h

    def px(cost: float) -> float:
        return left + (cost - xt[0]) / (xt[-1] - xt[0]) * (right - left)

    def py(value: float) -> float:
        return bottom - (value - yt[0]) / (yt[-1] - yt[0]) * plot_h

    box = (left, right, top_pad, bottom)
    body = [_axes(box, xt, x_text, yt, y_text, px, py), _axis_titles(x_label, y_label, box)]
    if budget is not None:
        body.append(
            _budget(px(budget), top_pad, bottom, f"{budget_label} {number(budget, digits)}")
        )
    body.append(_steps([(px(c), py(v)) for c, v, ok in solved if ok]))

    def tip(cost: float, value: float) -> str:
        return (
            f"{escape(x_label)}: {number(cost, digits)}; {escape(y_label)}: {number(value, digits)}"
        )

    marks = [
        _marker(0, px(cost), py(value), PALETTE[0], tip(cost, value))
        if ok
        else _hollow(px(cost), py(value), tip(cost, value))
        for cost, value, ok in solved
    ]
    body.append(f'<g class="points">{"".join(marks)}</g>')
    if chosen is not None:
        x, y = px(chosen[0]), py(chosen[1])
        body.append(
            f'<g class="chosen"><path d="M{x:.1f} {y:.1f}{_CHOSEN}" fill="{PALETTE[5]}" '
            f'stroke="{INK}" stroke-width="1.5"><title>{escape(chosen_label)}: '
            f"{tip(*chosen)}</title></path>{_tag(chosen_label, x, y, x > (left + right) / 2)}</g>"
        )
    words = "; ".join(
        f"{x_label} {number(c, digits)}, {y_label} {number(v, digits)}"
        + ("" if ok else " (dominated)")
        for c, v, ok in solved
    )
    desc = f"Pareto frontier of {y_label} against {x_label}, {len(solved)} points: {words}."
    if chosen is not None:
        desc += f" {chosen_label}: {x_label} {number(chosen[0], digits)}, "
        desc += f"{y_label} {number(chosen[1], digits)}."
    if budget is not None:
        desc += f" {budget_label}: {number(budget, digits)}."
    return _svg(uid, WIDTH, bottom + 48, title, desc, body)


def tornado_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str,
    unit: str,
    base: float | None = None,
    low_label: str = "weight -X %",
    high_label: str = "weight +X %",
    digits: int = 3,
) -> str:
    """One candidate's score (``unit``) when each criterion's weight moves down and up.

    ``rows`` are :func:`~econsec.promote.portfolio_sensitivity.tornado` rows of one candidate
    (``criterion``, ``score``, ``score_low``, ``score_high``, ``swing``), drawn largest swing
    first: per criterion a solid bar from the base score to ``score_low`` over a hatched bar to
    ``score_high``, each value written at its end. ``base`` defaults to the rows' ``score``."""
    if not rows:
        return no_data(title)
    ordered = sorted(rows, key=lambda r: -float(r["swing"]))
    mid = float(ordered[0]["score"]) if base is None else base
    bars = [(str(r["criterion"]), float(r["score_low"]), float(r["score_high"])) for r in ordered]
    uid = _uid("tornado", repr(bars), repr(mid), unit, low_label, high_label)
    values = [mid] + [v for _, lo, hi in bars for v in (lo, hi)]
    ticks = _ticks(min(values), max(values))
    room = max(_width(number(v, digits)) for v in values) + 8
    x0, x1 = LABEL_WIDTH + 10 + room, WIDTH - room - 10
    half, gap, top_pad = 11, 10, 30
    bottom = top_pad + len(bars) * (2 * half + gap)

    def px(value: float) -> float:
        return x0 + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (x1 - x0)

    body = [_patterns(uid, 2), _value_grid(ticks, px, top_pad, bottom)]
    words = []
    for row, (name, lo, hi) in enumerate(bars):
        y = top_pad + row * (2 * half + gap)
        body.append(_label(name, LABEL_WIDTH, y + half + 4, LABEL_WIDTH - 4))
        pair = []
        for i, (value, label) in enumerate(((lo, low_label), (hi, high_label))):
            text = number(value, digits)
            box = (px(mid), px(value), y + i * half, half)
            pair.append(_half(box, f"url(#{uid}-p{i})", text, f"{name}, {label}: {text} {unit}"))
        body.append(f'<g class="pair" data-criterion="{escape(name)}">{"".join(pair)}</g>')
        words.append(f"{name}: {low_label} {number(lo, digits)}, {high_label} {number(hi, digits)}")
    body.append(
        f'<line class="base" x1="{px(mid):.1f}" y1="{top_pad - 4}" x2="{px(mid):.1f}" '
        f'y2="{bottom}" stroke="{INK}" stroke-width="1.5"><title>{number(mid, digits)} '
        f"{escape(unit)}</title></line>"
    )
    body.append(
        f'<text x="{px(mid):.1f}" y="{bottom + 14}" text-anchor="middle" fill="{INK}">'
        f'{number(mid, digits)}</text><text x="{x1}" y="{bottom + 14}" text-anchor="end" '
        f'fill="{MUTED}">{escape(unit)}</text>'
    )
    items = [(f"url(#{uid}-p0)", low_label), (f"url(#{uid}-p1)", high_label)]
    height, legend = _legend(items, bottom + 24, x0)
    body.append(legend)
    desc = (
        f"Tornado chart of the score, {unit}, base {number(mid, digits)}, when each of "
        f"{len(bars)} criteria's weight moves down and up, largest swing first: "
        + "; ".join(words)
        + "."
    )
    return _svg(uid, WIDTH, height, title, desc, body)


# --- helpers ------------------------------------------------------------------------------------


def _axes(
    box: tuple[float, float, float, float],
    xt: list[float],
    x_text: list[str],
    yt: list[float],
    y_text: list[str],
    px: Callable[[float], float],
    py: Callable[[float], float],
) -> str:
    """Grid lines and tick labels of a plot in ``box`` (left, right, top, bottom)."""
    left, right, top, bottom = box
    out = [_y_grid(yt, y_text, py, left, right)]
    for tick, text in zip(xt, x_text, strict=True):
        x = px(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom + 5}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" '
            f'fill="{MUTED}">{text}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{MUTED}"/>'
    )
    return "".join(out)


def _steps(points: list[tuple[float, float]]) -> str:
    """A staircase through ``points`` (x, y), cheapest first: each value holds until the next
    cost buys more."""
    if len(points) < 2:
        return ""
    path = [f"{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (_, y0), (x, y) in pairwise(points):
        path += [f"{x:.1f},{y0:.1f}", f"{x:.1f},{y:.1f}"]
    return (
        f'<polyline class="frontier" points="{" ".join(path)}" fill="none" '
        f'stroke="{PALETTE[0]}" stroke-width="2"/>'
    )


def _budget(x: float, top: float, bottom: float, text: str) -> str:
    """A dashed vertical line at ``x`` labelled ``text`` at its foot, inside the plot: a
    frontier rises to the right, so high cost with low value is empty space."""
    anchor, tx = ("end", x - 4) if x > WIDTH / 2 else ("start", x + 4)
    return (
        f'<g class="budget"><line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
        f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{tx:.1f}" '
        f'y="{bottom - 8}" text-anchor="{anchor}" fill="{INK}">{escape(text)}</text></g>'
    )


def _tag(text: str, x: float, y: float, leftward: bool) -> str:
    """``text`` on a white plate beside a marker at (x, y), to its left when ``leftward``."""
    w = _width(text) + 4
    bx = x - 12 - w if leftward else x + 12
    return (
        f'<rect x="{bx:.1f}" y="{y - 8:.1f}" width="{w:.1f}" height="15" {PLATE}/>'
        f'<text x="{bx + 2:.1f}" y="{y + 4:.1f}" fill="{INK}">{escape(text)}</text>'
    )


def _half(box: tuple[float, float, float, float], fill: str, text: str, tip: str) -> str:
    """One half of a tornado pair in ``box`` (base x, value x, y, height): a bar from the base
    to the value, ``text`` written beyond its end, ``tip`` as its tooltip."""
    x0, x1, y, height = box
    lo, w = min(x0, x1), abs(x1 - x0)
    anchor, tx = ("end", x1 - 4) if x1 < x0 else ("start", x1 + 4)
    return (
        f'<rect x="{lo:.2f}" y="{y}" width="{w:.2f}" height="{height}" fill="{fill}" '
        f'stroke="{MUTED}" stroke-width="0.5"><title>{escape(tip)}</title></rect>'
        f'<text x="{tx:.2f}" y="{y + height - 2}" text-anchor="{anchor}" font-size="10" '
        f'fill="{INK}">{escape(text)}</text>'
    )


def _hollow(x: float, y: float, tip: str) -> str:
    """A hollow frontier marker: a point another point dominates (costs no more, is worth
    no less)."""
    return (
        f'<path d="M{x:.1f} {y:.1f}{MARKERS[0]}" fill="#fff" stroke="{PALETTE[0]}" '
        f'stroke-width="1.5"><title>{tip}</title></path>'
    )
