"""How much a ranking depends on the weights: rank stability under random weight perturbations
and tornado data (scores when each weight moves by +-X %).

**Rank stability.** Weight vectors are drawn from a Dirichlet distribution centred on the
user's normalised weights ``w``: ``W ~ Dir(kappa * w)`` over the criteria with ``w_j > 0``
(a zero weight stays zero). The mean of each weight is ``w_j`` and its standard deviation
``sqrt(w_j (1 - w_j) / (kappa + 1))``: with ``kappa = 100`` a weight of 0.20 varies by about
0.04 (20 % of itself). Each draw is scored with the same method; for each candidate the result
gives the share of draws in which it keeps its base rank, ranks in the top ``k``, ranks first,
and its mean and 5th/95th-percentile rank. The generator is NumPy's PCG64 seeded with ``seed``,
so a run is repeatable (Dirichlet parameters below 1e-3 are raised to 1e-3, which keeps the
sampler away from its degenerate small-parameter regime). This is the stochastic
multicriteria acceptability idea of Lahdelma, Hokkanen & Salminen (SMAA, 1998) restricted to
a neighbourhood of the stated weights.

**Tornado.** For each criterion ``j`` with ``w_j > 0`` the weight is multiplied by
``1 - X`` and by ``1 + X`` and all weights renormalised to sum to 1 (the others shrink or grow
in proportion); the candidates' scores and ranks under both are reported. ``swing`` is
``|score_high - score_low|``: sorted by swing, one candidate's rows draw its tornado chart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from econsec.errors import InvalidInput
from econsec.promote.portfolio import BATCH, Alternatives, Floats, method_of, ranks, weights

Progress = Callable[[str, float], None]
_CHUNK = 1000  # draws scored at once (memory: chunk x n ranks)
MAX_CELLS = 20_000_000  # draws x candidates kept for the percentiles (160 MB of ranks)
_ALPHA = 1e-3  # smallest Dirichlet parameter: below it NumPy's sampler may return NaN


@dataclass(slots=True)
class Stability:
    """Rank statistics of each candidate over ``draws`` perturbed weight vectors."""

    ids: tuple[str, ...]
    base_rank: np.ndarray[Any, np.dtype[np.int64]]
    kept_rank_share: Floats
    top_k_share: Floats
    first_share: Floats
    mean_rank: Floats
    rank_p05: Floats
    rank_p95: Floats
    draws: int
    concentration: float
    seed: int
    top_k: int

    def rows(self) -> dict[str, dict[str, Any]]:
        """Per candidate id: the statistics as plain numbers."""
        return {
            cid: {
                "kept_rank_share": float(self.kept_rank_share[i]),
                "top_k_share": float(self.top_k_share[i]),
                "first_share": float(self.first_share[i]),
                "mean_rank": float(self.mean_rank[i]),
                "rank_p05": float(self.rank_p05[i]),
                "rank_p95": float(self.rank_p95[i]),
            }
            for i, cid in enumerate(self.ids)
        }

    def settings(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "concentration": self.concentration,
            "seed": self.seed,
            "top_k": self.top_k,
            "distribution": "Dirichlet(concentration * weights) over the weights above 0",
        }


def rank_stability(
    alts: Alternatives,
    method: str = "weighted",
    overrides: Mapping[str, float] | None = None,
    *,
    draws: int = 1000,
    concentration: float = 100.0,
    seed: int = 0,
    top_k: int = 3,
    progress: Progress | None = None,
) -> Stability:
    """Rank stability of each candidate under ``draws`` Dirichlet weight perturbations."""
    if draws < 1:
        raise InvalidInput(f"draws must be at least 1, got {draws}")
    if not concentration > 0:
        raise InvalidInput(f"concentration must be above 0, got {concentration}")
    n = len(alts.ids)
    if not 1 <= top_k <= n:
        raise InvalidInput(f"top_k must be between 1 and {n}, got {top_k}")
    if draws * n > MAX_CELLS:
        raise InvalidInput(
            f"{draws} draws x {n} candidates is too many", expected=f"at most {MAX_CELLS:,} cells"
        )
    batch = BATCH[method_of(method)]
    w = weights(alts, overrides)
    base = ranks(batch(alts, w)[0])
    live = w > 0
    rng = np.random.default_rng(seed)
    kept = np.zeros(n)
    top = np.zeros(n)
    first = np.zeros(n)
    all_ranks = np.empty((draws, n), dtype=np.int64)
    for start in range(0, draws, _CHUNK):
        size = min(_CHUNK, draws - start)
        drawn = np.zeros((size, w.size))
        if live.sum() == 1:
            drawn[:, live] = 1.0
        else:
            alpha = np.maximum(concentration * w[live], _ALPHA)
            drawn[:, live] = rng.dirichlet(alpha, size=size)
        r = ranks(batch(alts, drawn))
        all_ranks[start : start + size] = r
        kept += (r == base).sum(axis=0)
        top += (r <= top_k).sum(axis=0)
        first += (r == 1).sum(axis=0)
        if progress is not None:
            progress("sensitivity", (start + size) / draws)
    return Stability(
        ids=alts.ids,
        base_rank=base,
        kept_rank_share=kept / draws,
        top_k_share=top / draws,
        first_share=first / draws,
        mean_rank=all_ranks.mean(axis=0),
        rank_p05=np.percentile(all_ranks, 5, axis=0),
        rank_p95=np.percentile(all_ranks, 95, axis=0),
        draws=draws,
        concentration=concentration,
        seed=seed,
        top_k=top_k,
    )


def tornado(
    alts: Alternatives,
    method: str = "weighted",
    overrides: Mapping[str, float] | None = None,
    *,
    swing: float = 0.2,
) -> list[dict[str, Any]]:
    """Scores and ranks of every candidate when each weight moves by ``-swing`` and
    ``+swing`` (a fraction: 0.2 = 20 %), one row per candidate and criterion, largest swing
    first within each candidate (candidates in base-rank order)."""
    if not 0 < swing < 1:
        raise InvalidInput(f"the tornado swing must be a fraction in (0, 1), got {swing}")
    batch = BATCH[method_of(method)]
    w = weights(alts, overrides)
    base = batch(alts, w)[0]
    base_rank = ranks(base)
    moved = [j for j in range(w.size) if w[j] > 0]
    low = np.tile(w, (len(moved), 1))
    high = low.copy()
    for row, j in enumerate(moved):
        low[row, j] *= 1 - swing
        high[row, j] *= 1 + swing
    low /= low.sum(axis=1, keepdims=True)
    high /= high.sum(axis=1, keepdims=True)
    s_low, s_high = batch(alts, low), batch(alts, high)
    r_low, r_high = ranks(s_low), ranks(s_high)
    out: list[dict[str, Any]] = []
    for i in sorted(range(len(alts.ids)), key=lambda i: (int(base_rank[i]), i)):
        rows = [
            {
                "id": alts.ids[i],
                "criterion": alts.criteria[j].id,
                "weight": float(w[j]),
                "weight_low": float(low[row, j]),
                "weight_high": float(high[row, j]),
                "score": float(base[i]),
                "score_low": float(s_low[row, i]),
                "score_high": float(s_high[row, i]),
                "rank": int(base_rank[i]),
                "rank_low": int(r_low[row, i]),
                "rank_high": int(r_high[row, i]),
                "swing": float(abs(s_high[row, i] - s_low[row, i])),
            }
            for row, j in enumerate(moved)
        ]
        out += sorted(rows, key=lambda r: -float(r["swing"]))
    return out


def report(
    alts: Alternatives,
    method: str = "weighted",
    overrides: Mapping[str, float] | None = None,
    *,
    draws: int = 0,
    concentration: float = 100.0,
    seed: int = 0,
    top_k: int = 3,
    swing: float = 0.0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The JSON document of ``econsec promote score``: method, weights, criteria, candidates
    best first (with the rank statistics when ``draws > 0``), and tornado rows when
    ``swing > 0``."""
    from econsec.promote.portfolio import score

    result = score(alts, method, overrides)
    rows = result.rows()
    data: dict[str, Any] = {
        "method": result.method,
        "weights": result.weight_map(),
        "criteria": [{"id": c.id, "name": c.name, "direction": c.direction} for c in alts.criteria],
        "candidates": rows,
    }
    if draws:
        stab = rank_stability(
            alts,
            method,
            overrides,
            draws=draws,
            concentration=concentration,
            seed=seed,
            top_k=min(top_k, len(alts.ids)),
            progress=progress,
        )
        extra = stab.rows()
        for row in rows:
            row.update(extra[row["id"]])
        data["sensitivity"] = stab.settings()
    if swing:
        data["tornado"] = tornado(alts, method, overrides, swing=swing)
    return data
