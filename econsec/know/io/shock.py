"""One entry point for the CLI and the API: :func:`shock` runs a named model on an extraction.

``extract`` items are (region, sector) or (region, sector, fraction) tuples, or the CLI's
``REGION:SECTOR[:FRACTION]`` strings; sector is the table's code (WIOD "c14", Japan "03"); ``*``
matches every region or sector ("JPN:*", "*:c14"); the fraction (default 1 = the whole output)
is the share of the cell's output lost. Parameters not accepted by the chosen model raise
InvalidInput naming the ones it takes.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from econsec.errors import InvalidInput
from econsec.know.io import models
from econsec.know.io.bottleneck import bottleneck
from econsec.know.io.result import Cut, ShockResult, resolve_cut
from econsec.know.io.table import IOTable


@dataclass(frozen=True, slots=True)
class Model:
    """A registered shock model: its function and a one-line description."""

    name: str
    run: Callable[..., ShockResult]
    summary: str

    def params(self) -> dict[str, Any]:
        """Keyword parameters and their defaults."""
        sig = inspect.signature(self.run)
        return {
            k: p.default
            for k, p in sig.parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and k != "progress"
        }


MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model("leontief", models.leontief, "demand side: the cut cells stop buying inputs"),
        Model("ghosh", models.ghosh, "supply side: the cut cells' customers lose supply"),
        Model(
            "extraction",
            models.hypothetical_extraction,
            "hypothetical extraction (total, backward or forward)",
        ),
        Model("iim", models.iim, "inoperability IO model (Santos & Haimes)"),
        Model("diim", models.diim, "dynamic IIM with recovery (Lian & Haimes)"),
        Model(
            "bottleneck",
            bottleneck,
            "critical inputs with n days of inventory, daily simulation",
        ),
    )
}


def shock(
    table: IOTable,
    extract: Sequence[str | Sequence[Any]] | Cut,
    model: str,
    **params: Any,
) -> ShockResult:
    """Run ``model`` on ``table`` with the cells in ``extract`` cut (see the module docstring).

    Returns a :class:`ShockResult` whose ``to_dict()`` carries ``world_output_loss_share``,
    losses by region and sector, the top 20 cells and the assumptions in words.
    """
    try:
        chosen = MODELS[model]
    except KeyError:
        raise InvalidInput(
            f"unknown model {model!r}; valid: {', '.join(MODELS)}", valid=list(MODELS)
        ) from None
    accepted = set(chosen.params()) | {"progress"}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise InvalidInput(
            f"model {model} does not take parameter(s) {', '.join(unknown)}; it takes "
            + ", ".join(sorted(chosen.params())),
            valid=sorted(chosen.params()),
        )
    cut = resolve_cut(table, extract)
    if "progress" in params and "progress" not in inspect.signature(chosen.run).parameters:
        params.pop("progress")
    start = time.perf_counter()
    result = chosen.run(table, cut, **params)
    seconds = time.perf_counter() - start
    return replace(result, extra={**result.extra, "seconds": round(seconds, 4)})
