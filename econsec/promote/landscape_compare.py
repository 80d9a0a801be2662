"""Our landscape next to ASPI's published Critical Technology Tracker headline.

What can honestly be compared depends on the data:

- **Headline.** For each ASPI summary (e.g. 2019-2023: China leads 57 of 64, the US 7) the
  window of ours that overlaps it most, and who leads how many of our technologies there. Our
  technologies are few (the shipped counts: AI and deep learning) and, without citations, led by
  share of all output, whereas ASPI counts the top 10 % most-cited papers in Web of Science; the
  two numbers are shown side by side, never as one figure.
- **Per technology.** ASPI's per-technology table is not available (``per_technology: []``), but
  its 2019-2023 leaders follow from the published totals when they add up: if China leads 57,
  the US 7, 57 + 7 = 64 and the 7 US-led technologies are named, every other one is China-led.
  Such leaders are marked ``inferred``. Each ASPI technology whose crosswalk reaches one of our
  areas is paired with each of our technologies in that area, for our window nearest to ASPI's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from econsec.datasets.aspi import AspiResults, AspiSummary, AspiTechnology
from econsec.promote.landscape import Landscape, Window

#: ISO codes of the two countries ASPI's headlines count.
CHINA, US = "CN", "US"


def aspi_leaders(aspi: AspiResults, technologies: Sequence[AspiTechnology]) -> dict[str, str]:
    """ASPI technology name -> leader (``CN``/``US``) in 2019-2023, where the published totals
    determine it (see the module docstring); empty when they do not."""
    named = {n.strip().lower() for n in aspi.us_leads_2019_2023_reported}
    base = [t for t in technologies if not t.added_2025]
    for s in aspi.summary:
        if s.years != (2019, 2023) or s.technologies != len(base):
            continue
        if s.china_leads is None or s.us_leads is None or s.us_leads != len(named):
            continue
        if s.china_leads + s.us_leads != s.technologies:
            continue
        names = {t.name.lower() for t in base}
        if not named <= names:
            continue  # a US-led name we cannot place: infer nothing
        return {t.name: US if t.name.lower() in named else CHINA for t in base}
    return {}


def _nearest(windows: Sequence[Window], years: tuple[int, int] | None) -> tuple[Window, int] | None:
    if years is None or not windows:
        return None
    start, end = years

    def overlap(w: Window) -> int:
        return max(0, min(w.end, end) - max(w.start, start) + 1)

    best = max(windows, key=lambda w: (overlap(w), w.end))
    return best, overlap(best)


def _leads(result: Landscape, window: Window) -> dict[str, Any]:
    rows = [r for r in result.leaders.to_pylist() if r["period"] == window.label and r["leader"]]
    counts = Counter(r["leader"] for r in rows)
    return {
        "window": window.label,
        "technologies": len(rows),
        "leads": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        "leaders": {r["technology"]: r["leader"] for r in rows},
        "metric": result.metric,
    }


def _headline(result: Landscape, s: AspiSummary) -> dict[str, Any]:
    near = _nearest(result.windows, s.years)
    # no year in common (ASPI's 2003-2007 against data from 2010): nothing to set beside it
    ours = (
        None if not near or not near[1] else {**_leads(result, near[0]), "overlap_years": near[1]}
    )
    return {
        "edition": s.edition,
        "aspi_window": s.window,
        "aspi_technologies": s.technologies,
        "aspi_china_leads": s.china_leads,
        "aspi_us_leads": s.us_leads,
        "aspi_note": s.note,
        "aspi_source": s.source,
        "aspi_confidence": s.confidence,
        "ours": ours,
        "same_window": bool(near and s.years == (near[0].start, near[0].end)),
        "same_metric": result.metric == "top10_share",
    }


def compare_with_aspi(
    result: Landscape, aspi: AspiResults, technologies: Sequence[AspiTechnology]
) -> dict[str, Any]:
    """Headline and per-technology comparison (module docstring) as JSON-ready data."""
    inferred = aspi_leaders(aspi, technologies)
    near = _nearest(result.windows, (2019, 2023))
    leaders = {(r["technology"], r["period"]): r for r in result.leaders.to_pylist() if r["leader"]}
    ours_by_area: dict[str, list[str]] = {}
    for r in result.leaders.to_pylist():
        if r["area"]:
            names = ours_by_area.setdefault(r["area"], [])
            if r["technology"] not in names:
                names.append(r["technology"])
    rows = []
    for tech in technologies:
        for area in tech.areas:
            for ours in ours_by_area.get(area, []):
                mine = None if near is None else leaders.get((ours, near[0].label))
                aspi_lead = inferred.get(tech.name)
                rows.append(
                    {
                        "aspi_technology": tech.name,
                        "aspi_domain": tech.domain,
                        "area": area,
                        "aspi_window": "2019-2023",
                        "aspi_leader": aspi_lead,
                        "aspi_leader_basis": "inferred from the published totals"
                        if aspi_lead
                        else "not published",
                        "technology": ours,
                        "period": None if mine is None else mine["period"],
                        "leader": None if mine is None else mine["leader"],
                        "leader_share": None if mine is None else mine["leader_share"],
                        "ratio": None if mine is None else mine["ratio"],
                        "risk": None if mine is None else mine["risk"],
                        "metric": result.metric,
                        "agree": None
                        if mine is None or aspi_lead is None
                        else mine["leader"] == aspi_lead,
                    }
                )
    return {
        "aspi_metric": aspi.metric.definition,
        "aspi_monopoly_risk_definition": aspi.metric.monopoly_risk_definition,
        "aspi_caveat": aspi.metric.caveat,
        "our_metric": result.metric,
        "our_counting": result.counting,
        "our_source": result.source,
        "headline": [_headline(result, s) for s in aspi.summary if s.window],
        "technologies": rows,
        "caveats": _caveats(result, near),
    }


def _caveats(result: Landscape, near: tuple[Window, int] | None) -> list[str]:
    out = []
    if result.metric != "top10_share":
        out.append(
            "ours: share of all output (volume); ASPI: share of the top 10 % most-cited papers "
            "(impact) in Web of Science: a leader by volume need not lead by impact"
        )
    if near is None or (near[0].start, near[0].end) != (2019, 2023):
        label = "none" if near is None else f"{near[0].label} ({near[1]} years in common)"
        out.append(f"ASPI's latest window is 2019-2023; our nearest window is {label}")
    out.append(
        "our technologies are OpenAlex concepts or areas, ASPI's are its own search strategies: "
        "the pairing is through econsec's crosswalk to Japan's areas (confidence low)"
    )
    out.extend(n for n in result.notes if "counts" in n or "citation" in n)
    return out


def compare_with_files(
    result: Landscape, aspi: Path | None = None, technologies: Path | None = None
) -> dict[str, Any]:
    """:func:`compare_with_aspi` on ASPI's results file and the technologies file (default:
    the shipped ``aspi_tracker_results.yaml`` and ``critical_technologies.yaml``)."""
    from econsec.datasets.aspi import read_aspi_results, read_aspi_technologies
    from econsec.datasets.openalex_tables import ASPI_RESULTS_FILE, TECHNOLOGIES_FILE, shipped

    return compare_with_aspi(
        result,
        read_aspi_results(aspi or shipped(ASPI_RESULTS_FILE)),
        read_aspi_technologies(technologies or shipped(TECHNOLOGIES_FILE)),
    )
