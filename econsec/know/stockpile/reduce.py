"""Exact reduction of a guaranteed-service problem to its core, by dynamic programming on the
pendant trees (Graves & Willems 2000).

Service times are whole days. Stage *j* chooses its inbound service time ``SI_j = a`` in
``0..si_max_j`` and its outbound service time ``S_j = b`` in ``0..s_max_j`` with
``b <= a + T_j``; its cost is the **pair table**

    P_j(a, b) = w_j * sqrt(a + T_j - b) + A_j(b) + B_j(a)

where ``w_j = h * C_j * a_j`` ($ per sqrt(day)) and ``A_j``/``B_j`` are the least costs of the
trees already folded into *j* through its outbound and inbound side. A stage with a single
remaining neighbour *k* (a leaf of the undirected stage graph) is folded into *k*:

* leaf *l* upstream of *k* (``S_l <= SI_k``): ``B_k(y) += min_{b <= y} min_a P_l(a, b)``;
* leaf *l* downstream of *k* (``SI_l >= S_k``): ``A_k(x) += min_{a >= x} min_b P_l(a, b)``.

What remains is the 2-core of the network (plus one root per tree component); the folded
stages are restored from their neighbour's value by :meth:`Reduction.restore`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from econsec.know.stockpile.problem import Derived, Floats, GSMProblem, Ints

_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class Fold:
    """One folded stage: given its neighbour's value (``SI_k`` when ``upstream``, else ``S_k``),
    the stage's own ``SI`` and ``S`` are ``si[value]`` and ``s[value]``."""

    stage: int
    neighbour: int
    upstream: bool
    si: Ints
    s: Ints


@dataclass(frozen=True, slots=True)
class Reduction:
    """The core left after folding, with the folded cost tables and the folds in order."""

    core: npt.NDArray[np.bool_]
    core_arcs: Ints
    extra_s: list[Floats]
    extra_si: list[Floats]
    folds: list[Fold]

    def pair_table(self, problem: GSMProblem, derived: Derived, j: int) -> Floats:
        """``P_j(a, b)`` as an ``(si_max_j + 1, s_max_j + 1)`` array ($; ``inf`` where
        ``b > a + T_j``)."""
        return pair_table(problem, derived, j, self.extra_s[j], self.extra_si[j])

    def restore(self, s: Ints, si: Ints) -> None:
        """Fill ``s``/``si`` (days, by stage) for the folded stages, last fold first, from
        the values of the core stages already in them."""
        for fold in reversed(self.folds):
            value = si[fold.neighbour] if fold.upstream else s[fold.neighbour]
            si[fold.stage] = fold.si[value]
            s[fold.stage] = fold.s[value]


def pair_table(
    problem: GSMProblem, derived: Derived, j: int, extra_s: Floats, extra_si: Floats
) -> Floats:
    """``w_j sqrt(a + T_j - b) + extra_s[b] + extra_si[a]`` on the grid, ``inf`` if tau < 0."""
    a = np.arange(derived.si_max[j] + 1, dtype=np.float64)[:, None]
    b = np.arange(derived.s_max[j] + 1, dtype=np.float64)[None, :]
    tau = a + problem.lead_time[j] - b
    cost = derived.weight[j] * np.sqrt(np.maximum(tau, 0.0))
    table = np.where(tau >= -_TOL, cost, np.inf)
    return table + extra_s[None, :] + extra_si[:, None]


def reduce(problem: GSMProblem, derived: Derived) -> Reduction:
    """Fold every pendant tree into its neighbour until only the 2-core remains."""
    n = problem.n_stages
    neighbours: list[dict[int, bool]] = [{} for _ in range(n)]  # neighbour -> it is downstream
    for i, k in zip(problem.upstream.tolist(), problem.downstream.tolist(), strict=True):
        neighbours[i][k] = True
        neighbours[k][i] = False
    extra_s = [np.zeros(derived.s_max[j] + 1) for j in range(n)]
    extra_si = [np.zeros(derived.si_max[j] + 1) for j in range(n)]
    core = np.ones(n, dtype=bool)
    folds: list[Fold] = []
    stack = [j for j in range(n) if len(neighbours[j]) == 1]
    while stack:
        leaf = stack.pop()
        if not core[leaf] or len(neighbours[leaf]) != 1:
            continue
        ((k, k_downstream),) = neighbours[leaf].items()
        table = pair_table(problem, derived, leaf, extra_s[leaf], extra_si[leaf])
        if k_downstream:  # leaf -> k: S_leaf <= SI_k, the cheapest b among 0..y
            best_a = table.argmin(axis=0)
            cost = table[best_a, np.arange(table.shape[1])]
            low, pick = _prefix_min(cost)
            y = np.minimum(np.arange(derived.si_max[k] + 1), len(cost) - 1)
            extra_si[k] = extra_si[k] + low[y]
            folds.append(Fold(leaf, k, True, si=best_a[pick[y]], s=pick[y]))
        else:  # k -> leaf: SI_leaf >= S_k, the cheapest a among x..si_max
            best_b = table.argmin(axis=1)
            cost = table[np.arange(table.shape[0]), best_b]
            low, pick = _suffix_min(cost)
            x = np.arange(derived.s_max[k] + 1)
            extra_s[k] = extra_s[k] + low[x]
            folds.append(Fold(leaf, k, False, si=pick[x], s=best_b[pick[x]]))
        core[leaf] = False
        del neighbours[k][leaf]
        neighbours[leaf].clear()
        if len(neighbours[k]) == 1:
            stack.append(k)
    arcs = np.flatnonzero(core[problem.upstream] & core[problem.downstream])
    return Reduction(core, arcs.astype(np.int64), extra_s, extra_si, folds)


def _prefix_min(values: Floats) -> tuple[Floats, Ints]:
    """Running minimum and the first index attaining it."""
    low = np.minimum.accumulate(values)
    record = np.ones(len(values), dtype=bool)
    record[1:] = values[1:] < low[:-1]
    pick = np.maximum.accumulate(np.where(record, np.arange(len(values)), 0))
    return low, pick.astype(np.int64)


def _suffix_min(values: Floats) -> tuple[Floats, Ints]:
    """Minimum over ``values[x:]`` and the last index attaining it."""
    low, pick = _prefix_min(values[::-1])
    return low[::-1].copy(), (len(values) - 1 - pick[::-1]).astype(np.int64)
