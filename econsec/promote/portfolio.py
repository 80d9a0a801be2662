"""Multi-criteria scoring of R&D candidates: weighted sum, TOPSIS and PROMETHEE II, with user
weights (rank stability and tornado data are in :mod:`econsec.promote.portfolio_sensitivity`).

Notation: ``n`` candidates, ``m`` criteria, values ``x_ij``, weights ``w_j >= 0`` normalised to
sum to 1. A criterion is a *benefit* (more is better: importance for security, chokepoint
leverage, Japan's relative strength, breadth of use, maturity) or a *cost* (less is better:
cost, risk). All methods are linear in the weights once the data are normalised, so a batch of
``D`` weight vectors ``W`` (D x m) is scored at once; that is what the sensitivity analysis uses.

* **weighted** (simple additive weighting): ``r_ij = (x_ij - min_j) / (max_j - min_j)`` for a
  benefit, ``(max_j - x_ij) / (max_j - min_j)`` for a cost (0.5 for everyone when a criterion
  does not vary); ``S_i = sum_j w_j r_ij`` in [0, 1].
* **topsis** (Hwang & Yoon 1981): vector normalisation ``r_ij = x_ij / sqrt(sum_i x_ij^2)``,
  ``v_ij = w_j r_ij``; ideal ``A+`` (best of each column) and anti-ideal ``A-``;
  ``C_i = d-_i / (d+_i + d-_i)`` in [0, 1] with Euclidean distances ``d+``, ``d-``. Because
  ``w_j >= 0``, ``d+_i^2 = sum_j w_j^2 (r_ij - r+_j)^2``, which is linear in ``w^2``. Checked
  against Papathanasiou & Ploskas (2018), *Multiple Criteria Decision Aid*, ch. 1: closeness
  0.387, 0.327, 0.391, 0.615, 0.868, 0.493.
* **promethee** (PROMETHEE II, Brans & Vincke 1985): for each pair, ``d = x_aj - x_bj`` (negated
  for a cost) and a preference ``P_j(d)`` in [0, 1] from the criterion's function: ``usual``
  (``d > 0``), ``u-shape`` (``d > q``), ``v-shape`` (``d / p`` capped at 1), ``level`` (0, 1/2
  above ``q``, 1 above ``p``), ``linear`` (0 up to ``q``, then ``(d - q) / (p - q)`` up to
  ``p``), ``gaussian`` (``1 - exp(-d^2 / 2 s^2)``). Net flow
  ``phi_a = 1/(n-1) sum_b sum_j w_j (P_j(a, b) - P_j(b, a))`` in [-1, 1]. Checked against
  Papathanasiou & Ploskas (2018), ch. 3 (linear, q = 1, p = 2): -0.26, -0.52, -0.22, 0.36,
  0.70, -0.06.

Ranks are competition ranks (1 = best; equal scores share the better rank) after rounding
scores to 12 decimals, so floating-point noise never splits a tie.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from econsec.errors import InvalidInput

Floats = npt.NDArray[np.float64]
Method = Literal["weighted", "topsis", "promethee"]
METHODS: tuple[Method, ...] = ("weighted", "topsis", "promethee")
PREFERENCES = ("usual", "u-shape", "v-shape", "level", "linear", "gaussian")
RANGES = {"weighted": (0.0, 1.0), "topsis": (0.0, 1.0), "promethee": (-1.0, 1.0)}
#: Largest criterion value or weight accepted (squares and sums must stay finite).
LARGEST = 1e15
_TINY = 1e-12


@dataclass(frozen=True, slots=True)
class Criterion:
    """A scoring criterion: its direction, raw weight (normalised later) and, for PROMETHEE,
    its preference function with thresholds ``q`` (indifference), ``p`` (preference) and ``s``
    (Gaussian), in the criterion's own units."""

    id: str
    direction: Literal["benefit", "cost"] = "benefit"
    weight: float = 1.0
    name: str | None = None
    preference: str = "usual"
    q: float | None = None
    p: float | None = None
    s: float | None = None


@dataclass(frozen=True, slots=True)
class Alternatives:
    """The decision matrix: ``values[i, j]`` is candidate ``ids[i]`` on ``criteria[j]``."""

    ids: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    values: Floats
    names: tuple[str | None, ...] = ()
    areas: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        n, m = len(self.ids), len(self.criteria)
        if n < 2:
            raise InvalidInput(f"scoring needs at least 2 candidates, got {n}")
        if m < 1:
            raise InvalidInput("scoring needs at least 1 criterion")
        if self.values.shape != (n, m):
            raise InvalidInput(f"values must be {n} x {m}, got {self.values.shape}")
        if not np.all(np.abs(self.values) <= LARGEST):
            raise InvalidInput(f"criteria values must be finite numbers within +-{LARGEST:g}")

    @property
    def benefit(self) -> npt.NDArray[np.bool_]:
        return np.array([c.direction == "benefit" for c in self.criteria])


def weights(alts: Alternatives, overrides: Mapping[str, float] | None = None) -> Floats:
    """The criteria's weights with ``overrides`` applied, normalised to sum to 1."""
    raw = {c.id: c.weight for c in alts.criteria}
    for key, value in (overrides or {}).items():
        if key not in raw:
            raise InvalidInput(
                f"no criterion {key!r} to weight", expected=", ".join(sorted(raw)) or "none"
            )
        raw[key] = value
    w = np.array([raw[c.id] for c in alts.criteria], dtype=np.float64)
    if not np.all((w >= 0) & (w <= LARGEST)):
        raise InvalidInput(f"weights must be numbers in [0, {LARGEST:g}]")
    if w.sum() <= 0:
        raise InvalidInput("at least one weight must be above 0")
    return np.asarray(w / w.sum(), dtype=np.float64)


def minmax(alts: Alternatives) -> Floats:
    """Min-max normalised values in [0, 1], 1 = best (0.5 where a criterion does not vary)."""
    x = alts.values
    low, high = x.min(axis=0), x.max(axis=0)
    span = high - low
    safe = np.where(span > 0, span, 1.0)
    r = np.where(alts.benefit, (x - low) / safe, (high - x) / safe)
    return np.asarray(np.where(span > 0, r, 0.5), dtype=np.float64)


def weighted_batch(alts: Alternatives, w: Floats) -> Floats:
    """Weighted-sum scores for each row of ``w`` (D x m): a D x n array."""
    return np.asarray(np.atleast_2d(w) @ minmax(alts).T, dtype=np.float64)


def topsis_batch(alts: Alternatives, w: Floats) -> Floats:
    """TOPSIS closeness for each row of ``w`` (D x m): a D x n array."""
    x = alts.values
    norm = np.sqrt((x**2).sum(axis=0))
    r = x / np.where(norm > 0, norm, 1.0)
    best = np.where(alts.benefit, r.max(axis=0), r.min(axis=0))
    worst = np.where(alts.benefit, r.min(axis=0), r.max(axis=0))
    w2 = np.atleast_2d(w) ** 2
    d_plus = np.sqrt(w2 @ ((r - best) ** 2).T)
    d_minus = np.sqrt(w2 @ ((r - worst) ** 2).T)
    total = d_plus + d_minus
    # everyone equal on every weighted criterion: no one is closer to the ideal
    return np.asarray(np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5))


def preference(criterion: Criterion, d: Floats, span: float) -> Floats:
    """``P(d)`` of ``criterion`` for differences ``d`` (positive = better). Thresholds left
    unset default to ``q = 0`` and ``p = s = span / 2`` (half the criterion's range)."""
    q = criterion.q if criterion.q is not None else 0.0
    p = max(criterion.p if criterion.p is not None else span / 2, _TINY)
    s = max(criterion.s if criterion.s is not None else span / 2, _TINY)
    kind = criterion.preference
    if kind == "usual":
        out = (d > 0).astype(np.float64)
    elif kind == "u-shape":
        out = (d > q).astype(np.float64)
    elif kind == "v-shape":
        out = np.clip(d / p, 0.0, 1.0)
    elif kind == "level":
        out = np.where(d > p, 1.0, np.where(d > q, 0.5, 0.0))
    elif kind == "linear":
        out = np.clip((d - q) / max(p - q, _TINY), 0.0, 1.0)
    elif kind == "gaussian":
        out = np.where(d > 0, -np.expm1(-np.minimum(d**2 / (2 * s**2), 700.0)), 0.0)
    else:
        raise InvalidInput(
            f"criterion {criterion.id!r}: unknown preference function {kind!r}",
            expected=", ".join(PREFERENCES),
        )
    return np.asarray(out, dtype=np.float64)


def unicriterion_flows(alts: Alternatives) -> Floats:
    """PROMETHEE net flow of each candidate on each criterion alone (n x m, in [-1, 1])."""
    x, n = alts.values, len(alts.ids)
    out = np.empty_like(x)
    for j, criterion in enumerate(alts.criteria):
        col = x[:, j] if criterion.direction == "benefit" else -x[:, j]
        d = col[:, None] - col[None, :]
        pref = preference(criterion, d, float(col.max() - col.min()))
        out[:, j] = (pref.sum(axis=1) - pref.sum(axis=0)) / (n - 1)
    return out


def promethee_batch(alts: Alternatives, w: Floats) -> Floats:
    """PROMETHEE II net flows for each row of ``w`` (D x m): a D x n array."""
    return np.asarray(np.atleast_2d(w) @ unicriterion_flows(alts).T, dtype=np.float64)


BATCH = {"weighted": weighted_batch, "topsis": topsis_batch, "promethee": promethee_batch}


def method_of(name: str) -> Method:
    """A method name checked against :data:`METHODS`."""
    for method in METHODS:
        if name == method:
            return method
    raise InvalidInput(f"unknown scoring method {name!r}", expected=", ".join(METHODS))


def ranks(scores: Floats) -> npt.NDArray[np.int64]:
    """Competition ranks (1 = best) along the last axis of ``scores``."""
    from scipy.stats import rankdata

    rounded = np.round(np.asarray(scores, dtype=np.float64), 12)
    return np.asarray(rankdata(-rounded, method="min", axis=-1), dtype=np.int64)


@dataclass(slots=True)
class Scores:
    """Scores and ranks of the candidates under one method and one weight vector."""

    alts: Alternatives
    method: Method
    weights: Floats
    scores: Floats
    ranks: npt.NDArray[np.int64]

    def rows(self) -> list[dict[str, Any]]:
        """One row per candidate, best first: rank, id, name, area, score, criteria values."""
        a = self.alts
        out = []
        for i in sorted(range(len(a.ids)), key=lambda i: (int(self.ranks[i]), i)):
            row: dict[str, Any] = {
                "rank": int(self.ranks[i]),
                "id": a.ids[i],
                "name": a.names[i] if a.names else None,
                "area": a.areas[i] if a.areas else None,
                "score": float(self.scores[i]),
            }
            for j, c in enumerate(a.criteria):
                row[c.id] = float(a.values[i, j])
            out.append(row)
        return out

    def weight_map(self) -> dict[str, float]:
        return {c.id: float(w) for c, w in zip(self.alts.criteria, self.weights, strict=True)}


def score(
    alts: Alternatives,
    method: str = "weighted",
    overrides: Mapping[str, float] | None = None,
) -> Scores:
    """Score and rank ``alts`` by ``method`` with the criteria's weights and ``overrides``."""
    chosen = method_of(method)
    w = weights(alts, overrides)
    values = BATCH[chosen](alts, w)[0]
    return Scores(alts, chosen, w, values, ranks(values))


def parse_weights(items: Sequence[str]) -> dict[str, float]:
    """``["importance=3,cost=1", "maturity=0.5"]`` -> ``{"importance": 3.0, ...}``."""
    out: dict[str, float] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not sep or not key.strip() or not math.isfinite(number) or number < 0:
                raise InvalidInput(
                    f"bad weight {part.strip()!r}", expected="CRITERION=WEIGHT with WEIGHT >= 0"
                )
            out[key.strip()] = number
    return out


def with_directions(alts: Alternatives, turns: Mapping[str, str]) -> Alternatives:
    """``alts`` with the named criteria turned into benefits or costs."""
    known = {c.id: c for c in alts.criteria}
    for key, value in turns.items():
        if key not in known:
            raise InvalidInput(f"no criterion {key!r}", expected=", ".join(sorted(known)))
        if value not in ("benefit", "cost"):
            raise InvalidInput(f"criterion {key!r}: direction {value!r}", expected="benefit, cost")
    crit = tuple(
        replace(c, direction="cost" if turns.get(c.id, c.direction) == "cost" else "benefit")
        for c in alts.criteria
    )
    return replace(alts, criteria=crit)
