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
from econsec.errors import DataError
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
    year: int | None = None,
    years: Sequence[int] | None = None,
    importers: Sequence[str] | None = None,
    method: str = "geodep",
    thresholds: Mapping[str, float] | None = None,
    extra_groups: Sequence[str | groups.Group] = (),
    concern: str | Sequence[str] | None = None,
    edition: str | None = None,
    dataset: str = "baci",
) -> pa.Table:
    """Indicators and dependency tests for ``importers`` (all countries if None).

    Give ``year``, or ``years`` for several at once (one pass over the data for all of them).
    """
    targets = sorted(set(years or ([] if year is None else [year])))
    if not targets:
        raise DataError("no year given", field="year", expected="a year such as 2024")
    m = methods.method(method)
    params = m.parameters(thresholds)
    src = flows.source(dataset)
    needed = set(targets)
    loaded = {y for y, _ in flows.available(engine.catalogue, src)}
    if m.name == "geodep":
        width = int(params["window"])
        needed |= {y for t in targets for y in range(t - width + 1, t) if y in loaded}
    table = indicators(
        engine,
        years=sorted(needed),
        importers=entities(importers, extra_groups),
        concern=concern_members(concern, extra_groups),
        edition=edition,
        dataset=dataset,
    )
    table = methods.evaluate(table, m, params)
    if m.name == "geodep":
        table = _persistence(table, targets, loaded, params, m)
    else:
        table = table.rename_columns([*table.column_names[:-2], "dependent", "tests"])
    table = table.append_column("flags", methods.flags(table["tests"]))
    table = table.add_column(len(indicators_schema()), "method", pa.array([m.name] * len(table)))
    order = pc.sort_indices(
        table,
        [
            ("year", "ascending"),
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
    table: pa.Table,
    targets: Sequence[int],
    loaded: set[int],
    params: Mapping[str, float],
    m: Method,
) -> pa.Table:
    """GeoDep: rows of the target years; dependent if the tests held in enough loaded years of
    each row's window. Adds a ``persistence`` test: years passed, ``>=`` the years required
    (``min_years``, or every loaded year of the window when fewer are loaded)."""
    width = int(params["window"])
    current = table.filter(pc.is_in(table["year"], pa.array(targets, pa.int16())))
    current = current.drop_columns(["passed_all"])
    rows = len(current)
    index = pa.table(
        {
            "importer": current["importer"],
            "product": current["product"],
            "year": pc.cast(current["year"], pa.int32()),
            "_row": pa.array(np.arange(rows)),
        }
    )
    counts = np.zeros(rows)
    for shift in range(width):  # the passes of year t - shift, joined onto year t
        earlier = pa.table(
            {
                "importer": table["importer"],
                "product": table["product"],
                "year": pc.cast(pc.add(table["year"], shift), pa.int32()),
                "passed": pc.cast(table["passed_all"], pa.int32()),
            }
        )
        joined = index.join(earlier, ["importer", "product", "year"], join_type="left outer")
        joined = joined.sort_by("_row")
        counts += pc.fill_null(joined["passed"], 0).to_numpy()
    required_of = {
        t: float(
            min(
                int(params["min_years"]),
                sum(1 for y in range(t - width + 1, t + 1) if y in loaded) or 1,
            )
        )
        for t in targets
    }
    required = np.array([required_of[int(y)] for y in current["year"].to_pylist()])
    dependent = pa.array(counts >= required)
    persistence = pa.StructArray.from_arrays(
        [
            pa.array(["persistence"] * rows),
            pa.array(counts),
            pa.array([">="] * rows),
            pa.array(required),
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
