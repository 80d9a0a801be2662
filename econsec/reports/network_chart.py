"""A supply network around one product as inline SVG: columns from left (furthest suppliers) to
right (the product), flagged nodes (single points of failure) drawn with a thick outline, a
"!" mark and their finding in the tooltip, so the flag reads without colour too.

Edge styles: bill of materials solid (all inputs needed), supply dashed (alternatives, with the
share in the tooltip), "is a kind of" dotted. Like the other charts it is a pure function from
plain values to a string, with a ``<desc>`` in words and no script. A deep network is drawn
wider than the page (columns keep a readable width) for the page to scroll; the words drawn in
the chart come in through :class:`ChartText`, so a page can pass them in its language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from econsec.reports.charts import FONT, GRID, INK, MUTED, WIDTH, _svg, _uid

FLAG, PLAIN, PRODUCT = "#D55E00", "#0072B2", "#009E73"
STYLE = {"bom": "", "supply": ' stroke-dasharray="6 4"', "type": ' stroke-dasharray="2 3"'}
ROW, BOX_H = 26, 18
COLUMN = 210  # the narrowest column (viewBox units): a box of 180 and room for the edges
GLYPH = 0.6 * FONT  # average glyph width, to cut labels (CJK glyphs are wider: see _fit)


@dataclass(frozen=True, slots=True)
class ChartNode:
    """A node to draw: its label, column (0 = the product, larger = further upstream) and
    kind."""

    label: str
    tier: int
    kind: str


@dataclass(frozen=True, slots=True)
class ChartText:
    """The words drawn in the chart; ``omitted`` is a template with ``{count}``."""

    direction: str = "Left: furthest suppliers; right: the product."
    edges: str = "Solid: all inputs needed; dashed: alternative suppliers; dotted: a kind of."
    flag: str = "single point of failure"
    omitted: str = "{count} more upstream nodes not drawn (the CSV lists them)"


def network_chart(
    nodes: Sequence[ChartNode],
    edges: Sequence[tuple[int, int, str]],
    *,
    title: str,
    flagged: Mapping[int, str] | None = None,
    omitted: int = 0,
    text: ChartText | None = None,
    rows: Sequence[float] | None = None,
) -> str:
    """``nodes`` by position, ``edges`` as (from position, to position, kind); ``flagged``
    maps positions to the finding shown in their tooltip; ``omitted`` upstream nodes are
    counted in a note; ``rows`` places each node (0 = the top row, fractions allowed; default:
    each column's nodes stacked and centred). An empty ``nodes`` draws nothing (``""``)."""
    flagged = flagged or {}
    words = text or ChartText()
    if not nodes:
        return ""
    depth = max(n.tier for n in nodes)
    col_w = max((WIDTH - 20) / (depth + 1), COLUMN)
    width = max(WIDTH, round(20 + (depth + 1) * col_w))
    box_w = min(col_w - 30, 180)
    at = list(rows) if rows is not None else _stacked(nodes)
    top = 10
    height = top + (max(at) + 1) * ROW + 76
    place = {
        pos: (10 + (depth - node.tier) * col_w, top + row * ROW)
        for pos, (node, row) in enumerate(zip(nodes, at, strict=True))
    }
    body = [
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1:.0f}" '
        f'fill="#fff" stroke="{GRID}"/>'
    ]
    body += [_edge(nodes, place, box_w, edge) for edge in edges if _drawn(place, edge)]
    body += [_box(node, place[pos], box_w, flagged.get(pos)) for pos, node in enumerate(nodes)]
    legend_y = top + (max(at) + 1) * ROW + 16
    note = words.omitted.format(count=f"{omitted:,}") if omitted else ""
    body.append(
        f'<text x="10" y="{legend_y}" fill="{INK}">{escape(words.direction)} '
        f"{escape(words.edges)}</text>"
        f'<rect x="10" y="{legend_y + 12}" width="22" height="12" fill="#fff" stroke="{FLAG}" '
        f'stroke-width="3"/><text x="38" y="{legend_y + 22}" fill="{INK}">! '
        f"{escape(words.flag)}</text>"
        + (f'<text x="10" y="{legend_y + 44}" fill="{MUTED}">{escape(note)}</text>' if note else "")
    )
    desc = (
        f"{len(nodes)} nodes in {depth + 1} columns, {len(flagged)} flagged as single points of "
        f"failure: " + "; ".join(f"{nodes[p].label} ({f})" for p, f in list(flagged.items())[:20])
    )
    return _svg(_uid("network", title, desc), width, height, title, desc, body)


def _stacked(nodes: Sequence[ChartNode]) -> list[float]:
    """Rows that stack each column's nodes in order, centred on the tallest column."""
    columns: dict[int, list[int]] = {}
    for pos, node in enumerate(nodes):
        columns.setdefault(node.tier, []).append(pos)
    tallest = max(len(c) for c in columns.values())
    out = [0.0] * len(nodes)
    for members in columns.values():
        for k, pos in enumerate(members):
            out[pos] = (tallest - len(members)) / 2 + k
    return out


def _drawn(place: Mapping[int, tuple[float, float]], edge: tuple[int, int, str]) -> bool:
    return edge[0] in place and edge[1] in place


def _edge(
    nodes: Sequence[ChartNode],
    place: Mapping[int, tuple[float, float]],
    box_w: float,
    edge: tuple[int, int, str],
) -> str:
    """A curve from the right side of the supplier's box to the left side of its customer's."""
    a, b, kind = edge
    (xa, ya), (xb, yb) = place[a], place[b]
    x1, y1, x2, y2 = xa + box_w, ya + BOX_H / 2, xb, yb + BOX_H / 2
    bend = max(abs(x2 - x1) / 2, 40.0)  # an edge drawn backwards still curves visibly
    return (
        f'<path d="M{x1:.1f} {y1:.1f}C{x1 + bend:.1f} {y1:.1f} {x2 - bend:.1f} {y2:.1f} '
        f'{x2:.1f} {y2:.1f}" fill="none" stroke="{MUTED}" stroke-opacity="0.6"'
        f"{STYLE.get(kind, '')}><title>{escape(nodes[a].label)} \u2192 "
        f"{escape(nodes[b].label)} ({escape(kind)})</title></path>"
    )


def _box(node: ChartNode, at: tuple[float, float], box_w: float, finding: str | None) -> str:
    """A node's box, its label cut to fit, the whole label and finding in the tooltip."""
    x, y = at
    colour = PRODUCT if node.tier == 0 else (FLAG if finding else PLAIN)
    shown = ("! " if finding else "") + _fit(node.label, box_w - 10 - (2 * GLYPH if finding else 0))
    tip = node.label + (f" \u2014 {finding}" if finding else "") + f" [{node.kind}]"
    return (
        f'<g><title>{escape(tip)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" '
        f'height="{BOX_H}" rx="3" fill="#fff" stroke="{colour}" '
        f'stroke-width="{3 if finding else 1}"/><text x="{x + 5:.1f}" y="{y + 13:.1f}" '
        f'fill="{INK}">{escape(shown)}</text></g>'
    )


def _fit(label: str, room: float) -> str:
    """``label`` cut with an ellipsis to ``room`` units (wide glyphs count double); a label
    ``name (id)`` keeps its id whole, so that two cut names still tell apart."""
    if _width(label) <= room:
        return label
    name, paren, rest = label.rpartition(" (")
    if paren and rest.endswith(")") and _width(rest) + 3 * GLYPH < room / 2:
        return _cut(name, room - _width(paren + rest)) + paren + rest
    return _cut(label, room)


def _cut(text: str, room: float) -> str:
    """The longest start of ``text`` that fits ``room`` with an ellipsis after it."""
    used = GLYPH  # the ellipsis
    for i, char in enumerate(text):
        used += _width(char)
        if used > room:
            return text[:i].rstrip() + "\u2026"
    return text


def _width(text: str) -> float:
    return sum(GLYPH * (2 if ord(c) > 0x2E80 else 1) for c in text)
