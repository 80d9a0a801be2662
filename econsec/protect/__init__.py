"""Protect: party screening against sanctions and export-control lists.

    from econsec import open_protect
    from econsec.protect import Query, compare

    protect = open_protect()                      # the app store of the settings
    protect.load("un", [Path("consolidated.xml")])  # a new list version
    for result in protect.screen(Query(("Rosneft",), "Company")):
        print(result.entry.caption, result.score, result.match, result.features)
    compare("ロステック", "Rostec", schema="Company").score

Parts: ``lists`` (readers of each list format), ``screening`` (normalisation, index, scoring
algorithms), ``store`` (list versions, parties, hits, decisions in the app store), ``service``
(all of it together, as the CLI and the HTTP API use it), ``batch`` (CSV files in and out),
``yente`` (the yente-compatible HTTP shapes).
"""

from __future__ import annotations

from econsec.protect.screening.model import Entry, Query, Result
from econsec.protect.screening.screener import Screener, compare, compare_entities

__all__ = ["Entry", "Query", "Result", "Screener", "compare", "compare_entities"]
