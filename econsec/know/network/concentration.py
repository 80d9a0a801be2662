"""Provider concentration: single sources, top shares, HHI and tier-n country exposure.

Provider levels are kept apart: ``"firm"`` counts supply edges from any provider that is not a
country, ``"country"`` those from country nodes (the ETO data gives most markets at both
levels; a firm's share is never added to a country's).

Shares are the ones the data gives (0..1); where a provider's share is unknown it is the part
the unknown providers split (see :func:`~econsec.know.network.graph.supply_weights`).
Aggregate providers ("Various companies", "Other", ...) are never a single source nor the top
provider: they stand for many firms. ``HHI = sum of squared effective shares of the named
providers`` (0..1; multiply by 10,000 for the antitrust scale; aggregates and the unlisted
remainder count as atomistic, so it is a lower bound where they exist).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy import sparse
from scipy.sparse import csgraph

from econsec.know.network import graph
from econsec.know.network.graph import Bools, Level
from econsec.know.network.model import SUPPLY, Floats, Ints, SupplyNetwork

SINGLE = 0.999  # a top share from which one provider counts as the only one
_AGGREGATE = re.compile(r"^\s*(various|other|others|rest of|remaining|misc)\b", re.IGNORECASE)

HHI_SCHEMA = pa.schema(
    [
        ("node", pa.string()),
        ("name", pa.string()),
        ("level", pa.string()),
        ("providers", pa.int64()),
        ("aggregate_providers", pa.int64()),
        ("top_provider", pa.string()),
        ("top_provider_name", pa.string()),
        ("top_share", pa.float64()),
        ("known_share", pa.float64()),
        ("hhi", pa.float64()),
    ]
)


def aggregate_providers(network: SupplyNetwork) -> Bools:
    """Nodes that stand for many providers: group ``aggregate`` or a name such as "Various
    companies", "Other", "Rest of world"."""
    return graph.cached(
        network,
        "aggregate",
        lambda: np.array(
            [
                g == "aggregate" or bool(_AGGREGATE.match(n))
                for g, n in zip(network.groups, network.names, strict=True)
            ],
            dtype=bool,
        ),
    )


@dataclass(frozen=True, slots=True)
class Concentration:
    """Provider concentration of every node with supply edges at one level (arrays by row)."""

    level: str
    node: Ints
    providers: Ints
    aggregates: Ints
    top: Ints  # top named provider, -1 when only aggregates are listed
    top_share: Floats  # as the data gives it, else the part the unknown shares split
    top_given: Bools  # whether the data gives the top provider's share
    known_share: Floats
    hhi: Floats

    def single(self) -> Bools:
        """Rows that are single-source (see the module docstring)."""
        alone = (self.providers == 1) & (self.aggregates == 0)
        out: Bools = (self.top >= 0) & (alone | (self.top_share >= SINGLE))
        return out


def concentration(network: SupplyNetwork, level: Level) -> Concentration:
    """Provider concentration at ``level`` (``"firm"``: providers that are not countries;
    ``"country"``: country providers) of every node with such supply edges."""
    mask = graph.supply_mask(network, level) & (network.edge_kind == SUPPLY)
    weight, _ = graph.supply_weights(network, mask)
    edges = np.flatnonzero(mask)
    if edges.size == 0:  # reduceat refuses empty arrays
        none, nothing = np.zeros(0, np.int64), np.zeros(0)
        return Concentration(
            level, none, none, none, none, nothing, np.zeros(0, bool), nothing, nothing
        )
    src, dst = network.src[edges], network.dst[edges]
    agg = aggregate_providers(network)[src]
    raw = network.share[edges]
    shown = np.where(np.isnan(raw), weight[edges], raw)
    order = np.lexsort((network.src[edges], -np.where(agg, -1.0, shown), dst))
    src, dst, agg, shown, w = src[order], dst[order], agg[order], shown[order], weight[edges][order]
    raw = raw[order]
    nodes, starts = graph.runs(dst)
    return Concentration(
        level=level,
        node=nodes,
        providers=np.add.reduceat((~agg).astype(np.int64), starts),
        aggregates=np.add.reduceat(agg.astype(np.int64), starts),
        top=np.where(agg[starts], -1, src[starts]),
        top_share=np.where(agg[starts], np.nan, shown[starts]),
        top_given=~np.isnan(raw[starts]) & ~agg[starts],
        known_share=np.add.reduceat(np.where(np.isnan(raw), 0.0, raw), starts),
        hhi=np.add.reduceat(np.where(agg, 0.0, w * w), starts),
    )


def provider_levels(network: SupplyNetwork) -> list[Level]:
    """The provider levels the network has supply edges at (``firm`` first)."""
    supply = network.edge_kind == SUPPLY
    country = graph.is_country(network)[network.src[supply]]
    out: list[Level] = []
    if (~country).any():
        out.append("firm")
    if country.any():
        out.append("country")
    return out


def hhi_by_input(network: SupplyNetwork, level: Level) -> pa.Table:
    """Per node with supply edges at ``level``: named and aggregate providers, the top named
    provider and its share, the sum of known shares and the HHI (0..1) (:data:`HHI_SCHEMA`)."""
    c = concentration(network, level)
    ids, names = network.ids, network.names
    return pa.table(
        {
            "node": [ids[i] for i in c.node.tolist()],
            "name": [names[i] for i in c.node.tolist()],
            "level": [level] * c.node.size,
            "providers": c.providers,
            "aggregate_providers": c.aggregates,
            "top_provider": [ids[t] if t >= 0 else None for t in c.top.tolist()],
            "top_provider_name": [names[t] if t >= 0 else None for t in c.top.tolist()],
            "top_share": pa.array(c.top_share, pa.float64(), from_pandas=True),
            "known_share": c.known_share,
            "hhi": c.hhi,
        },
        schema=HHI_SCHEMA,
    )


EXPOSURE_SCHEMA = pa.schema(
    [
        ("country", pa.string()),
        ("exposure", pa.float64()),
        ("first_tier", pa.int64()),
        ("inputs", pa.int64()),
        ("max_share", pa.float64()),
        ("max_share_input", pa.string()),
    ]
)


def provider_country(network: SupplyNetwork) -> tuple[str | None, ...]:
    """Each node's country as a provider: a country node's code (its ``country``, else its
    name), a firm's or facility's head-office ``country``; None for aggregates."""

    def build() -> tuple[str | None, ...]:
        agg = aggregate_providers(network)
        out: list[str | None] = []
        for i, (kind, country) in enumerate(zip(network.kinds, network.countries, strict=True)):
            code = (country or network.names[i]) if kind == "country" else country
            out.append(None if agg[i] else code)
        return tuple(out)

    return graph.cached(network, "provider_country", build)


def country_exposure(
    network: SupplyNetwork, product: str, max_tier: int | None = None, level: Level = "firm"
) -> pa.Table:
    """Tier-n exposure of finished product ``product`` to each provider country.

    The inputs of the product are the nodes ``u`` with providers at ``level`` from which a
    directed path reaches it (the product itself included), ``t_u`` the fewest edges on such a
    path (0 for the product; paths up to ``max_tier`` edges when given). With ``x_uc`` the
    effective share of ``u`` provided from country ``c`` (firms by head office) and weight
    ``w_u = 1 / (1 + t_u)`` (nearer inputs weigh more)::

        exposure_c = sum_u w_u x_uc / sum_u w_u          (0..1)

    Also per country: ``first_tier`` (smallest ``t_u`` with ``x_uc > 0``), ``inputs`` (count of
    such ``u``) and the largest ``x_uc`` with its input. Sorted by exposure, descending
    (:data:`EXPOSURE_SCHEMA`)."""
    p = network.index(product)
    n = network.n_nodes
    back, supply, weight = _upstream(network, level)
    limit = np.inf if max_tier is None else float(max_tier)
    tier = csgraph.dijkstra(back, indices=p, unweighted=True, limit=limit)
    edges = np.flatnonzero(supply & np.isfinite(tier[network.dst]))
    codes, code_of = _country_codes(network)
    targets = graph.unique(network.dst[edges])
    total = float((1.0 / (1.0 + tier[targets])).sum())
    c = code_of[network.src[edges]]
    edges, c = edges[c >= 0], c[c >= 0]
    # x_uc: sum the effective shares per (country, input).
    keys = c * n + network.dst[edges]
    order = np.argsort(keys, kind="stable")
    key_runs, starts = graph.runs(keys[order])
    x = np.add.reduceat(weight[edges][order], starts) if starts.size else np.zeros(0)
    cc, uu = key_runs // n, key_runs % n
    # Per country (runs of cc): exposure, first tier, inputs, largest x (ties: lowest input).
    best = np.lexsort((uu, -x, cc))
    cc, uu, x = cc[best], uu[best], x[best]
    countries, first = graph.runs(cc)
    rows = []
    if countries.size:
        weighted = np.add.reduceat(x / (1.0 + tier[uu]), first) / (total or 1.0)
        tiers = np.minimum.reduceat(tier[uu], first)
        counts = np.diff(np.r_[first, cc.size])
        for i, code in enumerate(countries.tolist()):
            j = int(first[i])
            rows.append(
                (
                    codes[code],
                    float(weighted[i]),
                    int(tiers[i]),
                    int(counts[i]),
                    float(x[j]),
                    network.ids[int(uu[j])],
                )
            )
    rows.sort(key=lambda r: (-r[1], r[0]))
    return pa.table(
        {name: [r[i] for r in rows] for i, name in enumerate(EXPOSURE_SCHEMA.names)},
        schema=EXPOSURE_SCHEMA,
    )


def _upstream(network: SupplyNetwork, level: Level) -> tuple[sparse.csr_matrix, Bools, Floats]:
    """Cached per level, for :func:`country_exposure` of each product: the edges counted at
    ``level`` reversed (target -> source), its supply edges and their effective shares."""

    def build() -> tuple[sparse.csr_matrix, Bools, Floats]:
        mask = graph.supply_mask(network, level)
        n = network.n_nodes
        back = sparse.csr_matrix(
            (np.ones(int(mask.sum())), (network.dst[mask], network.src[mask])), shape=(n, n)
        )
        supply = mask & (network.edge_kind == SUPPLY)
        return back, supply, graph.supply_weights(network, supply)[0]

    return graph.cached(network, f"upstream:{level}", build)


def _country_codes(network: SupplyNetwork) -> tuple[list[str], Ints]:
    """Distinct provider countries and each node's index into them (-1: none)."""

    def build() -> tuple[list[str], Ints]:
        names = provider_country(network)
        codes = sorted({c for c in names if c is not None})
        at = {c: i for i, c in enumerate(codes)}
        return codes, np.array([-1 if c is None else at[c] for c in names], dtype=np.int64)

    return graph.cached(network, "country_codes", build)
