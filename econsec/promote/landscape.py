"""Technology landscape: which countries produce the research in each technology area, who
leads, and how concentrated the lead is (ASPI-style).

Input: :class:`~econsec.promote.landscape_records.Records` (yearly credits from OpenAlex works
or group-by counts). Years are grouped into windows of ``period`` years whose ends are ``step``
years apart, counted back from the last year (2010-2020 in 5-year steps: 2011-2015, 2016-2020;
years before the first whole window are left out and said so). Per technology x window x
country, with ``X`` the chosen counting (``whole`` or ``fractional``) and ``T`` its top-10 %
part:

- ``output_whole``, ``output_fractional``: works credited to the country (fractional: null for
  group-by counts);
- ``share`` = X_c / sum over countries of X (whole counting: share of country credits, which
  add up to more than the number of works; fractional: share of works);
- ``top10_whole``, ``top10_fractional``, ``top10_share`` = T_c / sum of T (null without
  citations);
- ``growth`` = (X_c(w) / X_c(w'))^(1/step) - 1, the compound annual growth rate since the window
  ``w'`` that starts ``step`` years earlier (null for the first window or from zero);
- ``rank`` by the lead metric.

**Who leads** (per technology x window): the country with the largest ``top10_share`` (ASPI's
metric: share of the 10 % most-cited publications) when citations are present; otherwise the
largest ``share`` of all output, which is *not* ASPI's metric (volume, not impact).

**Technology monopoly risk.** ASPI rates each technology high / medium / low from "the lead
country's share and its ratio to the next country" (``aspi_tracker_results.yaml``,
``monopoly_risk_definition``; ASPI's exact cut-offs are not in our sources, wording confidence
low). Our reading: ``ratio`` = leader's share / second's share; **high** when ratio >= 3,
**medium** when ratio >= 2, **low** otherwise (thresholds are parameters). A sole producer is
high. ASPI also points at institutions (its tracker notes when all top-10 institutions of a
technology sit in one country); with works-level data ``lead_institutions`` counts how many of
the technology's top-10 institutions are in the leading country (reported, not used in the
rating).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

from econsec.errors import InvalidInput
from econsec.promote.landscape_records import Records, from_counts, from_works
from econsec.promote.landscape_tables import (
    INSTITUTION_COLUMNS,
    LEADER_COLUMNS,
    SHARE_COLUMNS,
    to_table,
    top_institutions,
)

__all__ = [
    "Landscape",
    "Records",
    "Window",
    "from_counts",
    "from_works",
    "landscape",
    "monopoly_risk",
    "windows",
]

Counting = Literal["whole", "fractional"]
LeadBy = Literal["top10", "output"]


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """Years ``start``..``end`` inclusive."""

    start: int
    end: int

    @property
    def label(self) -> str:
        """``2016-2020`` (``2020`` for a one-year window)."""
        return str(self.end) if self.start == self.end else f"{self.start}-{self.end}"


def windows(first: int, last: int, period: int = 5, step: int | None = None) -> list[Window]:
    """Windows of ``period`` years, ends ``step`` (default ``period``) apart, the last ending at
    ``last``, none starting before ``first``; oldest first."""
    step = period if step is None else step
    if period < 1 or step < 1:
        raise InvalidInput(f"period and step must be at least 1 year, got {period} and {step}")
    if first > last:
        raise InvalidInput(f"--from {first} is after --to {last}")
    found = []
    end = last
    while end - period + 1 >= first:
        found.append(Window(end - period + 1, end))
        end -= step
    if not found:
        raise InvalidInput(
            f"a {period}-year window does not fit in {first}-{last}",
            expected=f"a period of at most {last - first + 1} years",
        )
    return found[::-1]


def monopoly_risk(ratio: float | None, *, high: float = 3.0, medium: float = 2.0) -> str:
    """``high`` / ``medium`` / ``low`` from the leader's share over the second's (None: no
    second country, a sole producer: high)."""
    if ratio is None or ratio >= high:
        return "high"
    return "medium" if ratio >= medium else "low"


@dataclass(frozen=True, slots=True)
class Landscape:
    """The landscape of every technology and window: ``shares`` (one row per technology x
    window x country, all countries), ``leaders`` (one per technology x window) and
    ``institutions`` (the top ones per technology x window; empty for counts)."""

    source: str
    counting: str
    metric: str
    windows: tuple[Window, ...]
    shares: pa.Table
    leaders: pa.Table
    institutions: pa.Table
    thresholds: dict[str, float]
    notes: tuple[str, ...] = field(default=())

    def rows(
        self, top: int | None = 10, countries: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """Share rows: the ``top`` ranked countries of each technology and window, or only
        ``countries`` when given (their rank and shares still count every country)."""
        wanted = {c.upper() for c in countries} if countries else None
        return [
            r
            for r in self.shares.to_pylist()
            if (r["country"] in wanted if wanted else top is None or r["rank"] <= top)
        ]

    def to_dict(self, top: int | None = 10, countries: list[str] | None = None) -> dict[str, Any]:
        """The whole result as JSON-ready data (infinite ratios as null)."""
        return {
            "source": self.source,
            "counting": self.counting,
            "metric": self.metric,
            "windows": [w.label for w in self.windows],
            "thresholds": self.thresholds,
            "rows": self.rows(top, countries),
            "leaders": self.leaders.to_pylist(),
            "institutions": self.institutions.to_pylist(),
            "notes": list(self.notes),
        }


Sums = dict[str, list[float]]  # country -> [whole, fractional, top10 whole, top10 fractional]


def _window_sums(records: Records, spans: list[Window]) -> dict[tuple[str, Window], Sums]:
    cols = [records.yearly[c].to_pylist() for c in ("technology", "year", "country")]
    values = [
        records.yearly[c].to_pylist()
        for c in ("whole", "fractional", "top10_whole", "top10_fractional")
    ]
    within: dict[int, list[Window]] = {}  # year -> the windows that contain it
    for w in spans:
        for year in range(w.start, w.end + 1):
            within.setdefault(year, []).append(w)
    sums: dict[tuple[str, Window], Sums] = {}
    for i, (tech, year, country) in enumerate(zip(*cols, strict=True)):
        for w in within.get(year, ()):
            acc = sums.setdefault((tech, w), {}).setdefault(country, [0.0, 0.0, 0.0, 0.0])
            for k in range(4):
                acc[k] += values[k][i] or 0.0
    return sums


def landscape(
    records: Records,
    *,
    period: int = 5,
    step: int | None = None,
    first: int | None = None,
    last: int | None = None,
    counting: Counting | None = None,
    lead_by: LeadBy | None = None,
    technologies: list[str] | None = None,
    high: float = 3.0,
    medium: float = 2.0,
    focus: str = "JP",
    institutions: int = 10,
) -> Landscape:
    """Shares, growth, leaders and monopoly risk per technology and window (module docstring).

    ``counting`` defaults to fractional for works and whole for counts; ``lead_by`` to the
    top-10 % share when citations are present; ``technologies`` filters by technology or area
    id; ``focus`` is the country whose share and rank each leader row also reports."""
    if records.yearly.num_rows == 0:
        raise InvalidInput("no publications to analyse (no work matches an area of the map)")
    lo, hi = records.years
    first, last = first if first is not None else lo, last if last is not None else hi
    spans = windows(first, last, period, step)
    step = period if step is None else step
    counting = counting or ("fractional" if records.fractional else "whole")
    if counting == "fractional" and not records.fractional:
        raise InvalidInput("group-by counts have whole counts only", expected="--counting whole")
    lead_by = lead_by or ("top10" if records.citations else "output")
    if lead_by == "top10" and not records.citations:
        raise InvalidInput("no citation counts, so no top-10 % share", expected="lead by output")
    if not high >= medium > 1:
        raise InvalidInput(f"risk thresholds must satisfy high >= medium > 1, got {high}, {medium}")
    areas = records.area_of()
    chosen = _chosen(records, technologies, areas)
    sums = _window_sums(records, spans)
    k = 0 if counting == "whole" else 1
    metric = "top10_share" if lead_by == "top10" else "share"
    share_rows: list[dict[str, Any]] = []
    leader_rows: list[dict[str, Any]] = []
    inst = top_institutions(records, spans, chosen, lead_by == "top10", institutions)
    for tech in chosen:
        for w in spans:
            by = sums.get((tech, w), {})
            total = sum(v[k] for v in by.values())
            if total <= 0:
                continue
            top_total = sum(v[k + 2] for v in by.values())
            prev = sums.get((tech, Window(w.start - step, w.end - step)), {})
            rows: list[dict[str, Any]] = []
            for country, v in by.items():
                before = prev.get(country, [0.0] * 4)[k]
                rows.append(
                    {
                        "technology": tech,
                        "area": areas.get(tech),
                        "period": w.label,
                        "start": w.start,
                        "end": w.end,
                        "country": country,
                        "output_whole": int(v[0]),
                        "output_fractional": v[1] if records.fractional else None,
                        "share": v[k] / total,
                        "top10_whole": int(v[2]) if records.citations else None,
                        "top10_fractional": v[3]
                        if records.citations and records.fractional
                        else None,
                        "top10_share": v[k + 2] / top_total
                        if records.citations and top_total > 0
                        else None,
                        "growth": (v[k] / before) ** (1 / step) - 1 if before > 0 else None,
                    }
                )
            rows.sort(key=lambda r: (-(r[metric] or 0.0), r["country"]))
            for rank, row in enumerate(rows, start=1):
                row["rank"] = rank
            share_rows.extend(rows)
            leader_rows.append(_leader(rows, metric, high, medium, focus, inst.get((tech, w))))
    return Landscape(
        source=records.source,
        counting=counting,
        metric=metric,
        windows=tuple(spans),
        shares=to_table(share_rows, SHARE_COLUMNS),
        leaders=to_table(leader_rows, LEADER_COLUMNS),
        institutions=to_table([r for rows in inst.values() for r in rows], INSTITUTION_COLUMNS),
        thresholds={"high": high, "medium": medium},
        notes=_notes(records, spans, first, lead_by, counting),
    )


def _chosen(records: Records, wanted: list[str] | None, areas: dict[str, str | None]) -> list[str]:
    present = records.technologies()
    if not wanted:
        return present
    chosen = [t for t in present if t in wanted or areas.get(t) in wanted]
    if not chosen:
        known = sorted({*present, *(a for a in areas.values() if a)})
        raise InvalidInput(
            f"no technology or area {', '.join(wanted)} in the data", expected=", ".join(known)
        )
    return chosen


def _leader(
    rows: list[dict[str, Any]],
    metric: str,
    high: float,
    medium: float,
    focus: str,
    institutions: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    lead = rows[0]
    # a country with none of the metric is no competitor: the leader is then alone (high risk)
    second = rows[1] if len(rows) > 1 and (rows[1][metric] or 0.0) > 0 else None
    lead_value = lead[metric] or 0.0
    second_value = (second[metric] or 0.0) if second else 0.0
    ratio = lead_value / second_value if second_value > 0 else None
    mine = next((r for r in rows if r["country"] == focus.upper()), None)
    led = lead_value > 0  # no top-10 % paper at all (every work uncited): nobody leads
    return {
        "technology": lead["technology"],
        "area": lead["area"],
        "period": lead["period"],
        "start": lead["start"],
        "end": lead["end"],
        "metric": metric,
        "leader": lead["country"] if led else None,
        "leader_share": lead_value if led else None,
        "second": second["country"] if second and led else None,
        "second_share": second_value if second and led else None,
        "ratio": ratio,
        "risk": monopoly_risk(ratio, high=high, medium=medium) if led else None,
        "countries": sum(1 for r in rows if r["output_whole"] > 0),
        "lead_institutions": None
        if not institutions
        else sum(1 for r in institutions[:10] if r["country"] == lead["country"]),
        "focus": focus.upper(),
        "focus_share": None if mine is None else mine[metric],
        "focus_rank": None if mine is None else mine["rank"],
    }


def _notes(
    records: Records, spans: list[Window], first: int, lead_by: str, counting: str
) -> tuple[str, ...]:
    notes = list(records.notes)
    if spans[0].start > first:
        if spans[0].start - 1 == first:
            notes.append(f"year {first} does not fill a whole window and is left out")
        else:
            notes.append(
                f"years {first}-{spans[0].start - 1} do not fill a whole window and are left out"
            )
    if lead_by == "output":
        notes.append(
            "who leads is by share of all output, not ASPI's share of the top 10 % most-cited "
            "papers: volume, not impact"
        )
    notes.append(f"counting: {counting}")
    return tuple(notes)
