"""ASPI Critical Technology Tracker: the published results (``aspi_tracker_results.yaml``) and
ASPI's technology list with its crosswalk to Japan's areas (``critical_technologies.yaml``).

The results file holds summary figures only (ASPI's per-technology table is not machine
readable anywhere we could reach): for each edition and 5-year window, how many technologies
China and the US lead, the US-led technologies of 2019-2023 by name, and ASPI's metric and
monopoly-risk definitions with their sources and confidence. Both files are read with the line
of every node kept, so an error names the file, the line and the field path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from econsec.datasets.policy_schemas import TechnologiesFile, read_yaml, validate


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class AspiMetric(_Model):
    """How ASPI measures leadership and monopoly risk (with our notes on confidence)."""

    definition: str
    monopoly_risk_definition: str
    caveat: str
    source: str


class AspiSummary(_Model):
    """One published headline: ``china_leads`` of ``technologies`` in ``window``."""

    edition: int
    window: str | None = None
    technologies: int | None = None
    china_leads: int | None = None
    us_leads: int | None = None
    note: str | None = None
    source: str
    confidence: str

    @property
    def years(self) -> tuple[int, int] | None:
        """The window's first and last year (``"2018-2022 (recomputed)"`` -> 2018, 2022)."""
        if not self.window:
            return None
        head = self.window.split(" ", 1)[0]
        start, _, end = head.partition("-")
        if start.isdigit() and end.isdigit():
            return int(start), int(end)
        return None


class AspiResults(_Model):
    """The whole ``aspi_tracker_results.yaml``."""

    schema_version: Literal[1]
    metric: AspiMetric
    summary: list[AspiSummary]
    us_leads_2019_2023_reported: list[str] = []
    us_leads_source: str = ""
    per_technology: list[dict[str, Any]] = []


@dataclass(frozen=True, slots=True)
class AspiTechnology:
    """One of ASPI's technologies, its domain and the Japanese areas it maps to."""

    name: str
    domain: str | None
    areas: tuple[str, ...]
    added_2025: bool = False


def read_aspi_results(path: Path) -> AspiResults:
    """Parse and validate ``aspi_tracker_results.yaml``."""
    return validate(read_yaml(path), AspiResults)


def read_aspi_technologies(path: Path) -> list[AspiTechnology]:
    """ASPI's technologies (64, then the 10 added in 2025) from ``critical_technologies.yaml``."""
    doc = validate(read_yaml(path), TechnologiesFile)
    tracker = doc.aspi_tracker
    return [
        AspiTechnology(t.name_en, t.aspi_domain, tuple(t.crosswalk_jp))
        for t in tracker.technologies
    ] + [
        AspiTechnology(t.name_en, t.aspi_domain, tuple(t.crosswalk_jp), added_2025=True)
        for t in tracker.added_2025
    ]
