"""Know: stockpiles and safety stock.

* :func:`solve_gsm`: the guaranteed-service model on general acyclic networks (Graves & Willems
  2000; Humair & Willems 2011), solved with a proven lower bound and gap;
* :class:`GSMProblem`: the instance as plain arrays (stage ids, lead times, cost added, maximum
  service times, external demand, arcs with quantities, safety factors, holding rate);
* :func:`days_of_cover` / :func:`stock_cover`: how long a stockpile lasts when a disruption
  scenario leaves a given daily consumption.
"""

from __future__ import annotations

from econsec.know.stockpile.cover import Cover, days_of_cover, stock_cover
from econsec.know.stockpile.gsm import GSMSolution, evaluate_policy, solve_gsm, violations
from econsec.know.stockpile.problem import GSMProblem

__all__ = [
    "Cover",
    "GSMProblem",
    "GSMSolution",
    "days_of_cover",
    "evaluate_policy",
    "solve_gsm",
    "stock_cover",
    "violations",
]
