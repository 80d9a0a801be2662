"""Input-output tables and disruption propagation (Know pillar).

* :class:`IOTable`: Z, Y, x, v with cached A, B, L, G (and the domestic-flow variants);
  long Arrow form for the store (:mod:`econsec.know.io.arrow`).
* Models (pure functions, formula in each docstring): :func:`leontief`, :func:`ghosh`,
  :func:`hypothetical_extraction`, :func:`iim`, :func:`diim`, :func:`bottleneck`.
* :func:`shock`: the one entry point (model by name, ``REGION:SECTOR[:FRACTION]`` cuts).
* :func:`split_region`: carve a sub-region (e.g. the Tohoku disaster area) out of a region.
* :mod:`econsec.know.io.trade_link`: an export-stop scenario's losses as an IO shock.
"""

from econsec.know.io.arrow import IO_LONG
from econsec.know.io.bottleneck import bottleneck
from econsec.know.io.models import (
    diim,
    ghosh,
    hypothetical_extraction,
    iim,
    iim_inoperability,
    leontief,
)
from econsec.know.io.regions import split_region
from econsec.know.io.result import Cut, ShockResult, parse_extract, resolve_cut
from econsec.know.io.shock import MODELS, shock
from econsec.know.io.table import IOTable
from econsec.know.io.trade_link import TradeShock, run_trade_shock, trade_shock

__all__ = [
    "IO_LONG",
    "MODELS",
    "Cut",
    "IOTable",
    "ShockResult",
    "TradeShock",
    "bottleneck",
    "diim",
    "ghosh",
    "hypothetical_extraction",
    "iim",
    "iim_inoperability",
    "leontief",
    "parse_extract",
    "resolve_cut",
    "run_trade_shock",
    "shock",
    "split_region",
    "trade_shock",
]
