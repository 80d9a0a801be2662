"""A stored supply network as a guaranteed-service problem.

Stages are the network's nodes; arcs are its bill-of-materials edges (a stage needs all of its
upstream stages; ``quantity`` units of each, 1 where the network does not say). Supply and
"kind of" edges are alternatives, which the guaranteed-service model does not have: a network
with any is refused rather than solved as something it is not. Node attributes give the lead
time (``lead_time``, days; 0 where unknown), the cost added (``cost``), the external demand
(``demand_mean``, ``demand_std`` per day), the longest service time promised to customers
(``max_service_time``) and the service level (``service_level``; 95 % where unknown).
"""

from __future__ import annotations

import numpy as np

from econsec.errors import InvalidInput
from econsec.know.network.model import BOM, SupplyNetwork
from econsec.know.stockpile.problem import GSMProblem

DEFAULT_SERVICE_LEVEL = 0.95


def gsm_problem(
    network: SupplyNetwork,
    *,
    service_level: float | None = None,
    holding_rate: float = 1.0,
) -> GSMProblem:
    """The guaranteed-service problem of ``network`` (see the module docstring).

    ``service_level`` replaces the stages' own levels; ``holding_rate`` turns the value of the
    safety stock into a cost (1.0: the value itself, as the Willems references count it)."""
    if np.any(network.edge_kind != BOM):
        raise InvalidInput(
            f"network {network.name!r} has supply or kind-of edges (alternative providers); "
            "the guaranteed-service model needs a bill-of-materials network such as a Willems "
            "chain"
        )
    demand = network.attr("demand_mean")
    if not np.any(demand > 0):
        raise InvalidInput(f"network {network.name!r} has no stage with external demand")
    if service_level is not None and not 0.5 <= service_level < 1:
        raise InvalidInput(f"service level must be in [0.5, 1), got {service_level}")
    levels = network.attr("service_level")
    level = (
        np.full(network.n_nodes, service_level)
        if service_level is not None
        else np.where(np.isnan(levels) | (levels <= 0), DEFAULT_SERVICE_LEVEL, levels)
    )
    quantity = np.where(np.isnan(network.quantity), 1.0, network.quantity)
    return GSMProblem.build(
        network.ids,
        np.nan_to_num(network.attr("lead_time"), nan=0.0),
        np.nan_to_num(network.attr("cost"), nan=0.0),
        network.src,
        network.dst,
        quantity,
        demand_mean=demand,
        demand_std=network.attr("demand_std"),
        max_service_time=network.attr("max_service_time"),
        service_level=level,
        holding_rate=holding_rate,
        name=network.name,
    )
