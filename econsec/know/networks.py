"""The stored supply networks: load a file under a name, list, read and delete them.

This is the service the command line, the HTTP API and the pages share. Reading a network
back is cached per process by the time it was saved, so repeated analyses of the same network
do not rebuild it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from econsec.datasets import network_file, supply
from econsec.errors import DataError, InvalidInput
from econsec.know.network.model import NetworkSource, SupplyNetwork
from econsec.store.analytics import AnalyticsStore
from econsec.store.models import ModelStore, StoredModel, check_name

LOADERS = ("willems", "eto", "csv")


def read_network(loader: str, path: Path, name: str) -> SupplyNetwork:
    """Read ``path`` with ``loader`` (:data:`LOADERS`) into a network called ``name``.

    ``willems`` takes either form of a Willems chain: the MSOM export (``NN.csv[.gz]``, first
    line ``/chain``) or the GSM-ready ``willems_NN.csv``; ``eto`` takes the ETO folder;
    ``csv`` takes the generic format (an edges CSV, a folder with ``nodes.csv`` and
    ``edges.csv``, or a JSON file)."""
    path = Path(path)
    if loader not in LOADERS:
        raise InvalidInput(f"unknown network loader {loader!r}", expected=", ".join(LOADERS))
    if not path.exists():
        raise DataError("no such file or folder", path=path)
    if loader == "eto":
        return supply.read_eto(path, name)
    if loader == "csv":
        return network_file.read_network_file(path, name)
    if path.is_dir():
        raise DataError("expected a file of one Willems chain, not a folder", path=path)
    if path.name.endswith(".gz") or _first_line(path).lstrip("\ufeff").startswith("/chain"):
        return supply.read_willems_raw(path, name)
    return supply.read_willems_gsm(path, name)


def parse_disruptions(items: Iterable[str]) -> dict[str, float]:
    """``NODE:DAYS`` items as ``{node: days}``; an item whose part after the last ``:`` is not a
    number is a node id down for good (infinite days)."""
    found: dict[str, float] = {}
    for item in items:
        node, sep, days = item.rpartition(":")
        if sep and node:
            try:
                found[node] = float(days)
                continue
            except ValueError:
                pass
        found[item] = math.inf
    return found


def _first_line(path: Path) -> str:
    with path.open("rb") as fh:
        return fh.readline(200).decode("utf-8", "replace")


class Networks:
    """Named supply networks in the analytics store."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.models = ModelStore(store, "network", ("nodes", "edges"))

    def load(self, loader: str, path: Path, name: str) -> SupplyNetwork:
        """Read a file and store it as ``name`` (replacing a network of that name)."""
        check_name(name)
        network = read_network(loader, path, name)
        self.save(network)
        return network

    def save(self, network: SupplyNetwork) -> None:
        """Store ``network`` under its name."""
        meta = network.summary()
        self.models.save(
            network.name, meta, {"nodes": network.nodes_table(), "edges": network.edges_table()}
        )

    def list(self) -> list[StoredModel]:
        """Every stored network's summary."""
        return self.models.list()

    def get(self, name: str) -> SupplyNetwork:
        """The stored network ``name`` (:class:`~econsec.errors.NotFound` if none)."""

        def build(model: StoredModel, parts: dict[str, pa.Table]) -> SupplyNetwork:
            source = NetworkSource.from_dict(model.meta.get("source", {}))
            return SupplyNetwork.from_arrow(name, parts["nodes"], parts["edges"], source)

        return self.models.cached(name, build)

    def describe(self, name: str) -> dict[str, Any]:
        """A network's summary as stored."""
        return self.models.describe(name).to_dict()

    def delete(self, name: str) -> None:
        """Remove network ``name``."""
        self.models.delete(name)
