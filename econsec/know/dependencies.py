"""Which imports are critical dependencies: indicators plus a method's tests.

``dependencies(engine, importers=["JPN"], year=2024, method="geodep")`` returns one row per
(importer, year, product) with every indicator of :mod:`econsec.know.indicators` and
``method``, ``dependent``, ``flags`` (tests passed) and ``tests`` (each test's value, threshold
and result). Dependent rows come first, then by import value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from econsec.engine.base import Engine
from econsec.know import flows, groups, methods
from econsec.know.indicators import indicators
from econsec.know.methods import TEST_TYPE, Method


def entities(
    importers: Sequence[str] | None, extra_groups: Sequence[str | groups.Group] = ()
) -> dict[str, tuple[str, ...]] | None:
    """Importer names (ISO3 or group names) with their members; None means every country."""
    if not importers:
        return None
    return groups.members(importers, groups.groups(extra_groups))


def concern_members(
    concern: str | Sequence[str] | None, extra_groups: Sequence[str | groups.Group] = ()
) -> tuple[str, ...]:
    """The countries of a concern group given by name or as ISO codes."""
    if not concern:
        return ()
    names = [concern] if isinstance(concern, str) else list(concern)
    known = groups.groups(extra_groups)
    out: list[str] = []
    for entity_members in groups.members(names, known).values():
        out += entity_members
    return tuple(dict.fromkeys(out))


def dependencies(
    engine: Engine,
    *,
    year: int,
    importers: Sequence[str] | None = None,
    method: str = "geodep",
    thresholds: Mapping[str, float] | None = None,
    extra_groups: Sequence[str | groups.Group] = (),
    concern: str | Sequence[str] | None = None,
    edition: str | None = None,
    dataset: str = "baci",
) -> pa.Table:
    """Indicators and dependency tests for ``importers`` (all countries if None) in ``year``."""
    m = methods.method(method)
    params = m.parameters(thresholds)
    src = flows.source(dataset)
    wanted = entities(importers, extra_groups)
    years = [year]
    if m.name == "geodep":
        loaded = {y for y, _ in flows.available(engine.catalogue, src)}
        window = range(year - int(params["window"]) + 1, year + 1)
        years = [y for y in window if y in loaded] or [year]
    table = indicators(
        engine,
        years=years,
        importers=wanted,
        concern=concern_members(concern, extra_groups),
        edition=edition,
        dataset=dataset,
    )
    table = methods.evaluate(table, m, params)
    if m.name == "geodep":
        table = _persistence(table, year, len(years), params, m)
    else:
        table = table.rename_columns([*table.column_names[:-2], "dependent", "tests"])
    table = table.append_column("flags", methods.flags(table["tests"]))
    table = table.add_column(len(indicators_schema()), "method", pa.array([m.name] * len(table)))
    order = pc.sort_indices(
        table,
        [
            ("dependent", "descending"),
            ("importer", "ascending"),
            ("import_value", "descending"),
            ("product", "ascending"),
        ],
    )
    return table.take(order)


def indicators_schema() -> pa.Schema:
    """The indicator columns every result starts with."""
    from econsec.know.indicators import SCHEMA

    return SCHEMA


def _persistence(
    table: pa.Table, year: int, loaded: int, params: Mapping[str, float], m: Method
) -> pa.Table:
    """GeoDep: keep ``year``; dependent if the tests held in enough loaded years of the window.

    Adds a ``persistence`` test: the number of years passed, ``>=`` the years required.
    """
    required = min(int(params["min_years"]), loaded)
    passes = table.group_by(["importer", "product"]).aggregate([("passed_all", "sum")])
    current = table.filter(pc.equal(table["year"], year)).drop_columns(["passed_all"])
    # Acero joins carry no list columns: join the keys with a row number, then restore order.
    index = pa.table(
        {
            "importer": current["importer"],
            "product": current["product"],
            "_row": pa.array(np.arange(len(current))),
        }
    )
    joined = index.join(passes, ["importer", "product"], join_type="left outer").sort_by("_row")
    counts = pc.cast(pc.fill_null(joined["passed_all_sum"], 0), pa.float64()).combine_chunks()
    dependent = pc.greater_equal(counts, float(required))
    rows = len(current)
    persistence = pa.StructArray.from_arrays(
        [
            pa.array(["persistence"] * rows),
            counts,
            pa.array([">="] * rows),
            pa.array([float(required)] * rows, pa.float64()),
            dependent,
        ],
        fields=list(TEST_TYPE),
    )
    per_row = len(m.tests)
    values = pa.concat_arrays([current["tests"].combine_chunks().flatten(), persistence])
    order = np.concatenate(
        [
            np.arange(rows)[:, None] * per_row + np.arange(per_row)[None, :],
            (rows * per_row + np.arange(rows))[:, None],
        ],
        axis=1,
    ).ravel()
    offsets = np.arange(0, rows * (per_row + 1) + 1, per_row + 1, dtype=np.int32)
    tests = pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(order)))
    out = current.drop_columns(["tests"])
    return out.append_column("dependent", dependent).append_column("tests", tests)
