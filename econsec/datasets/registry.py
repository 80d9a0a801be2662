"""Every dataset econsec knows, by name, in the order ``econsec data list`` shows them."""

from __future__ import annotations

from econsec.datasets import baci, baci_flows, comtrade, hs, ipc, materials, policy
from econsec.datasets.base import DatasetSpec

REGISTRY: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        *hs.SPECS,
        *baci.SPECS,
        baci_flows.BACI,
        *materials.SPECS,
        *comtrade.SPECS,
        *ipc.SPECS,
        *policy.SPECS,
    )
}
