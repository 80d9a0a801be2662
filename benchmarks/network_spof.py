"""Benchmark: single points of failure, betweenness and single-failure losses on a SYNTHETIC
1 M-edge network and on the largest real Willems chain (38: 2,025 stages, 16,225 arcs).

    .venv/bin/python benchmarks/network_spof.py [--firms 146000] [--samples 512] [--failures 2000]

Targets (issue 8): dominators + articulation points + single-source inputs <= 2 s; approximate
betweenness <= 30 s. Graph conversions (rustworkx / scipy) are cached per network and timed
on their own line; "find_spofs cold" builds everything from a fresh network object.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import rustworkx as rx

from econsec.datasets.supply import read_willems_raw
from econsec.know.network import graph
from econsec.know.network.centrality import betweenness
from econsec.know.network.concentration import concentration, provider_levels
from econsec.know.network.cuts import cuts
from econsec.know.network.model import SupplyNetwork
from econsec.know.network.propagation import inoue_todo_share, single_failure_losses
from econsec.know.network.spof import find_spofs
from econsec.know.network.synthetic import synthetic_network

SHARED = Path(
    os.environ.get("ECONSEC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def fresh(network: SupplyNetwork) -> SupplyNetwork:
    """The same network as a new object, so that no cached graph is reused."""
    return dataclasses.replace(network)


def measure(network: SupplyNetwork, samples: int, failures: int) -> dict[str, Any]:
    net = fresh(network)
    row: dict[str, Any] = {"nodes": net.n_nodes, "edges": net.n_edges}
    row["graphs"], _ = timed(
        lambda: (graph.levels(net), graph.flow_graph(net), graph.undirected(net))
    )
    products = np.flatnonzero(net.final)
    row["dominators"], doms = timed(lambda: graph.dominators(net, products))
    row["dominator pairs"] = int(doms[0].size)
    u = graph.undirected(net)
    row["articulation + bridges"], ab = timed(lambda: (rx.articulation_points(u), rx.bridges(u)))
    row["articulation points"] = len(ab[0])
    row["bridges"] = len(ab[1])
    row["single-source inputs"], conc = timed(
        lambda: [concentration(net, lv) for lv in provider_levels(net)]
    )
    row["core (dom + art + single)"] = (
        row["dominators"] + row["articulation + bridges"] + row["single-source inputs"]
    )
    row["cuts: products beyond"], _ = timed(lambda: cuts(net))
    row["find_spofs warm"], found = timed(lambda: find_spofs(net))
    row["findings"] = len(found)
    cold = fresh(network)
    row["find_spofs cold"], _ = timed(lambda: find_spofs(cold))
    row["betweenness"], b = timed(lambda: betweenness(net, samples=samples, seed=0))
    row["betweenness sources"] = f"{b.samples}{' (exact)' if b.exact else ''}"
    row["betweenness undirected"], _ = timed(
        lambda: betweenness(net, samples=samples, seed=0, directed=False)
    )
    rng = np.random.default_rng(0)
    if failures >= net.n_nodes:
        chosen = None
    else:
        chosen = [net.ids[i] for i in np.sort(rng.choice(net.n_nodes, failures, replace=False))]
    row["single failures"], losses = timed(lambda: single_failure_losses(net, nodes=chosen))
    row["failures run"] = int(losses.nodes.size)
    again = fresh(network)
    row["single failures cold"], _ = timed(lambda: single_failure_losses(again, nodes=chosen))
    row["Inoue-Todo share > 10 %"] = inoue_todo_share(losses, 10.0)
    row["concentrated rows"] = sum(c.node.size for c in conc)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=146_000)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--failures", type=int, default=2_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; numpy {np.__version__}, ", end=""
    )
    print(f"rustworkx {version('rustworkx')}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    gen, synthetic = timed(lambda: synthetic_network(n_firms=args.firms, seed=0))
    kinds = synthetic.summary()["node_kinds"]
    print(f"SYNTHETIC network generated in {gen:.2f} s: {kinds}, {synthetic.n_edges:,} edges")
    willems = read_willems_raw(SHARED / "supply" / "willems2008" / "raw_msom" / "38.csv.gz")
    rows = {
        "SYNTHETIC 1M": measure(synthetic, args.samples, args.failures),
        "Willems 38": measure(willems, args.samples, willems.n_nodes),  # every single failure
    }
    keys = list(next(iter(rows.values())))
    width = max(len(k) for k in keys)
    print(f"{'':{width}}  " + "  ".join(f"{name:>14}" for name in rows))
    for key in keys:
        cells = []
        for row in rows.values():
            v = row[key]
            if isinstance(v, float) and not key.startswith("Inoue"):
                cells.append(f"{v:>12.3f} s")
            elif isinstance(v, float):
                cells.append(f"{v:>14.3f}")
            elif isinstance(v, int):
                cells.append(f"{v:>14,}")
            else:
                cells.append(f"{v!s:>14}")
        print(f"{key:{width}}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
