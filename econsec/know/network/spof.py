"""Single points of failure of a supply network.

:func:`find_spofs` lists :class:`Finding` s of these kinds (the CLI's JSON contract):

* ``single_source``: an input whose providers at a level (``firm`` or ``country``, never
  mixed) are exactly one named provider (share unknown or >= 0.999), or whose top provider
  holds >= 0.999 (:mod:`~econsec.know.network.concentration`);
* ``concentrated_input``: an input whose top named provider holds ``share >= threshold`` of
  it (and that is not single-source);
* ``dominator``: a node that every supply path of a finished product passes through, on the
  flow graph with a virtual super-source feeding every node without inputs (the chain of the
  product's immediate dominators, product and super-source excluded);
* ``articulation``: a node whose removal from the undirected graph cuts finished products off
  the largest remaining piece of their component (only such nodes are listed;
  :mod:`~econsec.know.network.cuts`);
* ``bridge`` (extra): an undirected link whose removal does the same;
* ``country_exposure`` (extra, opt-in): for each finished product, each country its inputs
  depend on, with the tier-weighted share of :func:`country_exposure`.

``affects`` lists the finished products the node's failure reaches: those it feeds through a
directed path (inputs), those it dominates, those cut off (articulation points, bridges).
``share`` is the top provider's share as the data gives it (0..1), ``hhi`` the input's HHI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from econsec.errors import InvalidInput
from econsec.know.network import graph
from econsec.know.network.concentration import (
    EXPOSURE_SCHEMA,
    HHI_SCHEMA,
    Concentration,
    aggregate_providers,
    concentration,
    country_exposure,
    hhi_by_input,
    provider_country,
    provider_levels,
)
from econsec.know.network.cuts import cuts
from econsec.know.network.graph import Bools, Level
from econsec.know.network.model import Ints, SupplyNetwork

__all__ = [
    "CORE_KINDS",
    "DEFAULT_KINDS",
    "EXPOSURE_SCHEMA",
    "FINDING_KINDS",
    "HHI_SCHEMA",
    "Finding",
    "aggregate_providers",
    "concentration",
    "country_exposure",
    "find_spofs",
    "hhi_by_input",
    "provider_country",
    "provider_levels",
]

Progress = Callable[[str, float], None]

CORE_KINDS = ("single_source", "concentrated_input", "dominator", "articulation")
FINDING_KINDS = (*CORE_KINDS, "bridge", "country_exposure")
DEFAULT_KINDS = frozenset(FINDING_KINDS) - {"country_exposure"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One single point of failure (see the module docstring for the kinds)."""

    node: str
    name: str
    kind: str
    affects: tuple[str, ...]
    explanation: str
    share: float | None = None
    provider: str | None = None
    provider_name: str | None = None
    level: str | None = None
    hhi: float | None = None
    providers: int | None = None
    target: str | None = None
    nodes_beyond: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``node, name, kind, affects, share, provider, level, explanation``
        always; ``hhi`` and ``providers`` for inputs, ``target`` for bridges and
        ``nodes_beyond`` for cuts when set."""
        out: dict[str, Any] = {
            "node": self.node,
            "name": self.name,
            "kind": self.kind,
            "affects": list(self.affects),
            "share": self.share,
            "provider": self.provider,
            "provider_name": self.provider_name,
            "level": self.level,
            "explanation": self.explanation,
        }
        extra = {
            "hhi": self.hhi,
            "providers": self.providers,
            "target": self.target,
            "nodes_beyond": self.nodes_beyond,
        }
        out.update({k: v for k, v in extra.items() if v is not None})
        return out


def find_spofs(
    network: SupplyNetwork,
    *,
    threshold: float = 0.8,
    kinds: Iterable[str] | None = None,
    products: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> list[Finding]:
    """The single points of failure of ``network`` (module docstring), sorted by kind
    (:data:`FINDING_KINDS` order), then products affected (descending), share (descending),
    level (firm first) and node id.

    ``threshold``: top-provider share (0..1) from which an input is ``concentrated_input``;
    ``kinds``: the kinds wanted (default :data:`DEFAULT_KINDS`); ``products``: finished product
    ids to consider (default all ``final`` nodes); findings that reach none of them are left
    out, except inputs that reach no finished product at all when ``products`` is not given."""
    wanted = set(DEFAULT_KINDS if kinds is None else kinds)
    unknown = wanted - set(FINDING_KINDS)
    if unknown:
        raise InvalidInput(
            f"unknown finding kind {sorted(unknown)[0]!r}", expected=", ".join(FINDING_KINDS)
        )
    if not 0 < threshold <= 1:
        raise InvalidInput(f"threshold {threshold} is outside (0, 1]", expected="a share 0..1")
    if products is None:
        chosen = np.flatnonzero(network.final)
    else:
        chosen = np.array(sorted({network.index(p) for p in products}), dtype=np.int64)
    keep = np.zeros(network.n_nodes, dtype=bool)
    keep[chosen] = True
    report = progress or (lambda _stage, _done: None)
    findings: list[Finding] = []
    if wanted & {"single_source", "concentrated_input"}:
        report("concentrated inputs", 0.0)
        findings += _input_findings(network, threshold, wanted, keep, products is None)
    if "dominator" in wanted:
        report("dominators", 0.3)
        doms, owners = graph.dominators(network, chosen)
        for d, prods in _group(doms, owners).items():
            findings.append(_finding(network, d, "dominator", prods))
    if wanted & {"articulation", "bridge"}:
        report("articulation points and bridges", 0.6)
        cut = cuts(network)
        if "articulation" in wanted:
            for a, c in cut.node_cuts.items():
                prods = c.products[keep[c.products]]
                if prods.size:
                    findings.append(_finding(network, a, "articulation", prods, c.nodes_beyond))
        if "bridge" in wanted:
            for (u, v), c in cut.bridge_cuts.items():
                prods = c.products[keep[c.products]]
                if prods.size:
                    findings.append(_bridge(network, u, v, prods, c.nodes_beyond))
    if "country_exposure" in wanted:
        report("country exposure", 0.9)
        for level in provider_levels(network):
            for p in chosen.tolist():
                findings += _exposure_findings(network, p, level)
    report("done", 1.0)
    rank = {k: i for i, k in enumerate(FINDING_KINDS)}
    findings.sort(
        key=lambda f: (
            rank[f.kind],
            -len(f.affects),
            -(f.share if f.share is not None else -1.0),
            f.level != "firm",
            f.node,
            f.target or "",
        )
    )
    return findings


def _input_findings(
    network: SupplyNetwork, threshold: float, wanted: set[str], keep: Bools, all_products: bool
) -> list[Finding]:
    per_level = []
    flagged: list[Ints] = []
    for level in provider_levels(network):
        c = concentration(network, level)
        single = c.single()
        hot = (single & ("single_source" in wanted)) | (
            ~single & (c.top_share >= threshold) & ("concentrated_input" in wanted)
        )
        per_level.append((c, single, np.flatnonzero(hot)))
        flagged.append(c.node[hot])
    nodes = graph.unique(np.concatenate(flagged)) if flagged else np.zeros(0, np.int64)
    reach = dict(zip(nodes.tolist(), graph.downstream_products(network, nodes), strict=True))
    out = []
    for c, single, rows in per_level:
        for r in rows.tolist():
            node = int(c.node[r])
            prods = reach[node]
            hits = prods[keep[prods]]
            if not hits.size and (prods.size or not all_products):
                continue
            kind = "single_source" if single[r] else "concentrated_input"
            top = int(c.top[r])
            out.append(
                Finding(
                    node=network.ids[node],
                    name=network.names[node],
                    kind=kind,
                    affects=_ids(network, hits),
                    explanation=_input_text(network, c, r, kind),
                    share=round(float(c.top_share[r]), 6),
                    provider=network.ids[top],
                    provider_name=network.names[top],
                    level=c.level,
                    hhi=round(float(c.hhi[r]), 6),
                    providers=int(c.providers[r]),
                )
            )
    return out


def _input_text(network: SupplyNetwork, c: Concentration, r: int, kind: str) -> str:
    top, node = int(c.top[r]), int(c.node[r])
    who = "firm" if c.level == "firm" else "country"
    head = f"{network.names[top]} provides {_pct(c.top_share[r])} of {network.label(node)}"
    others = int(c.providers[r]) - 1
    if not c.top_given[r]:
        head = f"{network.names[top]} provides {network.label(node)} (share not given: "
        head += f"{_pct(c.top_share[r])} as the unknown shares split what is left)"
    if kind == "single_source" and others == 0 and not c.aggregates[r]:
        return f"{head}; no other {who} is listed."
    plural = "countries" if who == "country" else "firms"
    more = f"{others or 'no'} other {who if others == 1 else plural} listed"
    if c.aggregates[r]:
        more += f", plus {c.aggregates[r]} aggregate group{'s' if c.aggregates[r] != 1 else ''}"
    return f"{head} ({more}; HHI {c.hhi[r]:.2f})."


def _ids(network: SupplyNetwork, nodes: Ints) -> tuple[str, ...]:
    """Ids of ``nodes`` (an object array of ids is ~5x faster than a generator on the
    millions of product ids a large network's findings list)."""
    table = graph.cached(network, "id_array", lambda: np.array(network.ids, dtype=object))
    return tuple(table[nodes])


def _pct(share: float) -> str:
    text = f"{100 * float(share):.1f}".removesuffix(".0")
    return f"{text} %"


def _group(keys: Ints, values: Ints) -> dict[int, Ints]:
    if keys.size == 0:
        return {}
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    heads, starts = graph.runs(k)
    return dict(zip(heads.tolist(), np.split(v, starts[1:]), strict=True))


def _names(network: SupplyNetwork, prods: Ints) -> str:
    shown = ", ".join(network.label(p) for p in prods[:3].tolist())
    if prods.size > 3:
        shown += f" and {prods.size - 3} more"
    count = "1 finished product" if prods.size == 1 else f"{prods.size} finished products"
    return f"{count} ({shown})"


def _finding(
    network: SupplyNetwork, node: int, kind: str, prods: Ints, beyond: int | None = None
) -> Finding:
    label = network.label(node)
    if kind == "dominator":
        text = f"Every supply path of {_names(network, prods)} passes through {label}."
    else:
        text = (
            f"Removing {label} cuts {beyond} node{'s' if beyond != 1 else ''}, among them "
            f"{_names(network, prods)}, off the rest of the network."
        )
    return Finding(
        node=network.ids[node],
        name=network.names[node],
        kind=kind,
        affects=_ids(network, prods),
        explanation=text,
        nodes_beyond=beyond,
    )


def _bridge(network: SupplyNetwork, u: int, v: int, prods: Ints, beyond: int) -> Finding:
    # Report the link in the direction goods flow when the network has it that way.
    forward = bool(np.any((network.src == u) & (network.dst == v)))
    a, b = (u, v) if forward else (v, u)
    text = (
        f"The link {network.label(a)} -> {network.label(b)} is the only connection of "
        f"{beyond} node{'s' if beyond != 1 else ''}, among them {_names(network, prods)}, "
        "to the rest of the network."
    )
    return Finding(
        node=network.ids[a],
        name=network.names[a],
        kind="bridge",
        affects=_ids(network, prods),
        explanation=text,
        target=network.ids[b],
        nodes_beyond=beyond,
    )


def _exposure_findings(network: SupplyNetwork, product: int, level: Level) -> list[Finding]:
    table = country_exposure(network, network.ids[product], level=level).to_pylist()
    out = []
    for row in table:
        if row["exposure"] <= 0:
            continue
        out.append(
            Finding(
                node=row["country"],
                name=row["country"],
                kind="country_exposure",
                affects=(network.ids[product],),
                share=round(row["exposure"], 6),
                level=level,
                explanation=(
                    f"{_pct(row['exposure'])} of the tier-weighted inputs of "
                    f"{network.label(product)} come from providers in {row['country']} "
                    f"(first at tier {row['first_tier']}, {row['inputs']} inputs, at most "
                    f"{_pct(row['max_share'])} of {row['max_share_input']})."
                ),
            )
        )
    return out
