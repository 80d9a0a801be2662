"""Named Know models in the analytics store: saved whole or not at all, read back in order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from econsec.errors import InvalidInput, NotFound
from econsec.know.networks import Networks
from econsec.store import models as models_module
from econsec.store.analytics import AnalyticsStore
from econsec.store.models import ModelStore
from tests.conftest import shared_file


def test_save_read_list_delete(tmp_path: Path) -> None:
    models = ModelStore(AnalyticsStore(tmp_path / "a.duckdb"), "thing", ("rows",))
    assert models.list() == []
    rows = pa.table({"x": list(range(1000, 0, -1)), "y": ["a"] * 1000})
    models.save("one", {"about": "test"}, {"rows": rows})
    models.save("two", {}, {"rows": rows.slice(0, 3)})
    described, parts = models.read("one")
    assert described.meta == {"about": "test"}
    assert parts["rows"].equals(rows)  # order kept
    assert [m.name for m in models.list()] == ["one", "two"]
    models.delete("one")
    with pytest.raises(NotFound, match="no thing named 'one' \\(stored: two\\)"):
        models.read("one")


def test_a_failed_save_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    models = ModelStore(AnalyticsStore(tmp_path / "a.duckdb"), "thing", ("a", "b"))
    first = {"a": pa.table({"x": [1, 2]}), "b": pa.table({"y": [1.5]})}
    models.save("m", {"v": 1}, first)
    # The second part does not fit the stored table's columns: the whole save is undone.
    broken = {"a": pa.table({"x": [7, 8, 9]}), "b": pa.table({"unknown": ["z"]})}
    with pytest.raises(Exception, match="unknown"):
        models.save("m", {"v": 2}, broken)
    described, parts = models.read("m")
    assert described.meta == {"v": 1}
    assert parts["a"].column("x").to_pylist() == [1, 2]


@pytest.mark.parametrize("name", ["", "a b", "../x", "x" * 65, "ü"])
def test_names_are_checked(tmp_path: Path, name: str) -> None:
    models = ModelStore(AnalyticsStore(tmp_path / "a.duckdb"), "thing", ("rows",))
    with pytest.raises(InvalidInput, match="invalid name"):
        models.save(name, {}, {"rows": pa.table({"x": [1]})})


def test_networks_round_trip_a_real_chain(tmp_path: Path) -> None:
    networks = Networks(AnalyticsStore(tmp_path / "a.duckdb"))
    loaded = networks.load("willems", shared_file("supply/willems2008/raw_msom/24.csv.gz"), "w24")
    models_module._cache.clear()
    again = networks.get("w24")
    assert again.ids == loaded.ids and again.kinds == loaded.kinds
    assert np.array_equal(again.src, loaded.src) and np.array_equal(again.dst, loaded.dst)
    assert np.array_equal(again.final, loaded.final)
    for attr, values in loaded.attrs.items():
        assert np.allclose(again.attrs[attr], values, equal_nan=True), attr
    assert again.source == loaded.source
    assert networks.describe("w24")["nodes"] == 334
    assert networks.get("w24") is again  # cached until saved again
    networks.load("willems", shared_file("supply/willems2008/raw_msom/01.csv.gz"), "w24")
    assert networks.get("w24").n_nodes == 8
