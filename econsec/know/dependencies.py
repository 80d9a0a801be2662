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
    results = methods.evaluate(table, m, params)
    if m.name == "geodep":
        table, results = _persistence(table, results, targets, loaded, params)
    else:
        table = table.append_column("dependent", methods.passed_all(results))
    table = table.add_column(len(indicators_schema()), "method", pa.array([m.name] * len(table)))
    # Sort while the columns are flat (cheap), then build the nested test columns once.
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
    table = table.take(order)
    tests, flags = methods.assemble(methods.take(results, order))
    return table.append_column("tests", tests).append_column("flags", flags)


def indicators_schema() -> pa.Schema:
    """The indicator columns every result starts with."""
    from econsec.know.indicators import SCHEMA

    return SCHEMA


def _persistence(
    table: pa.Table,
    results: list[methods.Result],
    targets: Sequence[int],
    loaded: set[int],
    params: Mapping[str, float],
) -> tuple[pa.Table, list[methods.Result]]:
    """GeoDep: rows of the target years; dependent if the tests held in enough loaded years of
    each row's window. Adds a ``persistence`` test: years passed, ``>=`` the years required
    (``min_years``, or every loaded year of the window when fewer are loaded)."""
    width = int(params["window"])
    passed = methods.passed_all(results)
    keep = pc.is_in(table["year"], pa.array(targets, pa.int16()))
    rows_kept = pc.indices_nonzero(keep)
    current = table.take(rows_kept)
    counts = passed.take(rows_kept).to_numpy(zero_copy_only=False).astype(np.float64)
    years = set(table["year"].to_pylist())
    index: pa.Table | None = None
    for shift in range(1, width):  # the passes of year t - shift, joined onto year t
        if not any(t - shift in years for t in targets):
            continue
        if index is None:
            index = pa.table(
                {
                    "importer": current["importer"],
                    "product": current["product"],
                    "year": pc.cast(current["year"], pa.int32()),
                    "_row": pa.array(np.arange(len(current))),
                }
            )
        earlier = pa.table(
            {
                "importer": table["importer"],
                "product": table["product"],
                "year": pc.cast(pc.add(table["year"], shift), pa.int32()),
                "passed": pc.cast(passed, pa.int32()),
            }
        )
        joined = index.join(earlier, ["importer", "product", "year"], join_type="left outer")
        counts += pc.fill_null(joined.sort_by("_row")["passed"], 0).to_numpy()
    window_loaded = {
        t: sum(1 for y in range(t - width + 1, t + 1) if y in loaded) or 1 for t in targets
    }
    required_of = {t: float(min(int(params["min_years"]), n)) for t, n in window_loaded.items()}
    year_values = current["year"].to_numpy()
    required = np.zeros(len(current))
    for t, need in required_of.items():
        required[year_values == t] = need
    dependent = pa.array(counts >= required)
    kept = methods.take(results, rows_kept)
    kept.append(("persistence", pa.array(counts), ">=", pa.array(required), dependent))
    return current.append_column("dependent", dependent), kept
