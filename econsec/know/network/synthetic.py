"""SYNTHETIC multi-tier supply networks for benchmarks and tests (NOT real data).

:func:`synthetic_network` draws a seeded, tiered firm/commodity network; every network it
returns says SYNTHETIC in its name, its :class:`NetworkSource` title and notes. Nothing in it
describes a real firm, product or country dependency: the countries are labels drawn with
made-up weights so that country analyses have something to group by.

Structure (``tiers`` = T, tier 0 upstream):

* commodities of tier ``t`` (kind ``input``; kind ``product`` and ``final`` at the top tier);
  each is provided by firms of the same tier through **supply** edges with Dirichlet(0.7)
  shares (10 % of shares left unknown, NaN);
* firms (kind ``firm``): each provides ``1 + Zipf(2.2)`` commodities (capped at 50), so
  provider out-degrees follow a power law and many commodities have one provider; each firm
  above tier 0 needs ``1 + Poisson(inputs_per_firm - 1)`` distinct commodities (80 % from the
  tier below, 20 % from any lower tier) through **bom** edges, picked with Zipf(0.9)
  popularity, so commodity out-degrees are heavy-tailed too;
* node attributes: ``inventory_days`` ~ Gamma(2, 7) and ``recovery_days`` ~ LogNormal (median
  20 days) on firms, ``value`` ~ LogNormal on finished products.

At the defaults (146,000 firms, 5 tiers, 2,000 products) the network has about 1 M edges.
"""

from __future__ import annotations

import numpy as np

from econsec.errors import InvalidInput
from econsec.know.network.graph import unique
from econsec.know.network.model import (
    BOM,
    NODE_ATTRIBUTES,
    SUPPLY,
    Floats,
    Ints,
    NetworkSource,
    SupplyNetwork,
)

#: Made-up country labels and weights (a label to group by, not a statement about trade).
COUNTRIES = ("CHN", "USA", "JPN", "DEU", "KOR", "TWN", "IND", "VNM", "MEX", "FRA", "NLD", "ITA")
WEIGHTS = (0.26, 0.15, 0.12, 0.08, 0.07, 0.06, 0.06, 0.05, 0.05, 0.04, 0.03, 0.03)


def synthetic_network(
    *,
    n_firms: int = 146_000,
    tiers: int = 5,
    products: int = 2_000,
    inputs_per_firm: float = 5.5,
    seed: int = 0,
    name: str = "synthetic",
) -> SupplyNetwork:
    """A SYNTHETIC seeded tiered supply network (see the module docstring for the model)."""
    if tiers < 2 or n_firms < tiers or products < 1 or inputs_per_firm < 1:
        raise InvalidInput(
            "synthetic network needs tiers >= 2, n_firms >= tiers, products >= 1 and "
            "inputs_per_firm >= 1"
        )
    rng = np.random.default_rng(seed)
    firm_tier = np.sort(np.arange(n_firms) % tiers).astype(np.int64)
    per_tier = np.bincount(firm_tier, minlength=tiers)
    n_comm = np.maximum(per_tier // 4, 1)
    n_comm[-1] = min(products, per_tier[-1])
    comm_start = np.r_[0, np.cumsum(n_comm)].astype(np.int64)
    n_c = int(comm_start[-1])
    firm_start = np.r_[0, np.cumsum(per_tier)].astype(np.int64)

    # Supply: each firm provides 1 + Zipf commodities of its tier; every commodity gets one.
    fanout = np.minimum(rng.zipf(2.2, n_firms), 50).astype(np.int64)
    s_firm: list[Ints] = []
    s_comm: list[Ints] = []
    for t in range(tiers):
        firms = np.arange(firm_start[t], firm_start[t + 1])
        c = int(n_comm[t])
        base = rng.permutation(firms)[: min(c, firms.size)]
        s_firm.append(base)
        s_comm.append(comm_start[t] + np.arange(base.size))
        extra = np.repeat(firms, fanout[firms])
        s_firm.append(extra)
        s_comm.append(comm_start[t] + _zipf_pick(rng, c, extra.size, 1.0))
    sf, sc = np.concatenate(s_firm), np.concatenate(s_comm)
    keys = unique(sf * n_c + sc)
    sf, sc = keys // n_c, keys % n_c
    share = _dirichlet_shares(rng, sc, n_c)
    share[rng.random(share.size) < 0.1] = np.nan

    # Bill of materials: firms above tier 0 need distinct commodities from lower tiers.
    need = 1 + rng.poisson(inputs_per_firm - 1, n_firms)
    need[firm_tier == 0] = 0
    user = np.repeat(np.arange(n_firms), need)
    tier_of = firm_tier[user]
    lower = np.where(rng.random(user.size) < 0.8, tier_of - 1, _below(rng, tier_of))
    pick = np.empty(user.size, dtype=np.int64)
    for t in range(tiers - 1):
        at = lower == t
        pick[at] = comm_start[t] + _zipf_pick(rng, int(n_comm[t]), int(at.sum()), 0.9)
    keys = unique(user * n_c + pick)
    bu, bc = keys // n_c, keys % n_c

    # Node table: commodities first (0..n_c-1), then firms.
    n = n_c + n_firms
    top = comm_start[-2]
    ids = [
        f"C{t}-{i - comm_start[t]:05d}"
        for t in range(tiers)
        for i in range(comm_start[t], comm_start[t + 1])
    ]
    ids[top:n_c] = [f"P{i:05d}" for i in range(n_c - top)]
    ids += [f"F{i:06d}" for i in range(n_firms)]
    kinds = ["input"] * top + ["product"] * (n_c - top) + ["firm"] * n_firms
    names = [f"Synthetic {kind} #{i}" for kind, i in zip(kinds, range(n), strict=True)]
    country = rng.choice(len(COUNTRIES), n_firms, p=np.array(WEIGHTS) / sum(WEIGHTS))
    countries: list[str | None] = [None] * n_c + [COUNTRIES[c] for c in country]
    tier_label = np.r_[np.repeat(np.arange(tiers), n_comm), firm_tier]
    final = np.zeros(n, dtype=bool)
    final[top:n_c] = True
    attrs: dict[str, Floats] = {a: np.full(n, np.nan) for a in NODE_ATTRIBUTES}
    attrs["inventory_days"][n_c:] = rng.gamma(2.0, 7.0, n_firms)
    attrs["recovery_days"][n_c:] = rng.lognormal(np.log(20.0), 0.8, n_firms)
    attrs["value"][top:n_c] = rng.lognormal(0.0, 1.0, n_c - top)
    src = np.r_[n_c + sf, bc]
    dst = np.r_[sc, n_c + bu]
    n_s = sf.size
    return SupplyNetwork(
        name=f"SYNTHETIC {name}",
        ids=tuple(ids),
        kinds=tuple(kinds),
        names=tuple(names),
        countries=tuple(countries),
        groups=tuple(f"tier {t}" for t in tier_label.tolist()),
        final=final,
        attrs=attrs,
        src=src.astype(np.int64),
        dst=dst.astype(np.int64),
        edge_kind=np.r_[np.full(n_s, SUPPLY), np.full(bu.size, BOM)].astype(np.int8),
        share=np.r_[share, np.full(bu.size, np.nan)],
        quantity=np.r_[np.full(n_s, np.nan), np.ones(bu.size)],
        edge_lead_time=np.full(src.size, np.nan),
        source=NetworkSource(
            loader="synthetic",
            path="",
            title="SYNTHETIC supply network (generated; not real data)",
            licence="generated by econsec; no rights attached",
            notes=(
                "SYNTHETIC: drawn by econsec.know.network.synthetic.synthetic_network",
                f"seed={seed}, n_firms={n_firms}, tiers={tiers}, products={products}, "
                f"inputs_per_firm={inputs_per_firm}",
            ),
        ),
        _index={node_id: i for i, node_id in enumerate(ids)},
    )


def _zipf_pick(rng: np.random.Generator, n: int, size: int, exponent: float) -> Ints:
    """``size`` draws from ``0..n-1`` with probability proportional to ``1 / (rank + 1)^a``
    over a random ranking."""
    p = 1.0 / np.arange(1, n + 1) ** exponent
    ranks = rng.choice(n, size=size, p=p / p.sum())
    out: Ints = rng.permutation(n)[ranks].astype(np.int64)
    return out


def _below(rng: np.random.Generator, tier: Ints) -> Ints:
    """A tier drawn uniformly below each of ``tier`` (all >= 1)."""
    return np.floor(rng.random(tier.size) * tier).astype(np.int64)


def _dirichlet_shares(rng: np.random.Generator, target: Ints, n: int) -> Floats:
    """Dirichlet(0.7) shares of the edges into each target (gamma draws normalised)."""
    draw = rng.gamma(0.7, 1.0, target.size)
    total = np.bincount(target, weights=draw, minlength=n)
    out: Floats = draw / total[target]
    return out
