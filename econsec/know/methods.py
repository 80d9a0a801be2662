"""Dependency methods: named, documented rules over the indicators, with overridable thresholds.

Each method adds to an indicator table: ``method``, ``dependent`` (all tests passed), ``flags``
(the names of the tests passed) and ``tests`` (every test with its value, threshold and result),
so that a flagged row says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from econsec.errors import DataError, NotFound

TEST_TYPE = pa.struct(
    [
        ("test", pa.string()),
        ("value", pa.float64()),
        ("op", pa.string()),
        ("threshold", pa.float64()),
        ("passed", pa.bool_()),
    ]
)


@dataclass(frozen=True, slots=True)
class Test:
    """``value(table) > threshold``; the value is a column or computed from columns."""

    name: str
    description: str
    threshold: str  # the parameter holding the threshold
    value: Callable[[pa.Table], pa.ChunkedArray | pa.Array]


@dataclass(frozen=True, slots=True)
class Method:
    """A dependency method: its tests, default thresholds and what it is."""

    name: str
    title: str
    description: str
    source: str
    tests: tuple[Test, ...]
    defaults: dict[str, float] = field(default_factory=dict)

    def parameters(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Default thresholds with ``overrides``; an unknown name is a DataError."""
        params = dict(self.defaults)
        for key, value in (overrides or {}).items():
            if key not in params:
                raise DataError(
                    f"unknown parameter {key!r} for method {self.name}",
                    field="threshold",
                    expected=", ".join(sorted(params)),
                )
            params[key] = float(value)
        return params


def _column(name: str) -> Callable[[pa.Table], pa.ChunkedArray]:
    return lambda table: table[name]


def _extra_share(table: pa.Table) -> pa.ChunkedArray:
    return pc.divide(table["import_value"], table["total_import_value"])


EU2021 = Method(
    name="eu2021",
    title="European Commission, SWD(2021) 352",
    description=(
        "A product is a dependency of the (group) importer when extra-group supply is "
        "concentrated (HHI of extra-group imports > 0.4), extra-group imports matter "
        "(extra-group / total imports > 0.5) and cannot be replaced from inside "
        "(extra-group imports / the group's exports to outside > 1; 9999 when it exports "
        "nothing). For a single country every import is extra-group."
    ),
    source="European Commission, Strategic dependencies and capacities, SWD(2021) 352 final",
    tests=(
        Test("hhi", "HHI of extra-group imports", "hhi", _column("hhi")),
        Test("extra_share", "extra-group imports / total imports", "extra_share", _extra_share),
        Test(
            "import_export_ratio",
            "extra-group imports / exports",
            "import_export_ratio",
            _column("import_export_ratio"),
        ),
    ),
    defaults={"hhi": 0.4, "extra_share": 0.5, "import_export_ratio": 1.0},
)

GEODEP = Method(
    name="geodep",
    title="CEPII GeoDep",
    description=(
        "A product is a dependency of the importer when its suppliers are concentrated "
        "(importer HHI > 0.4), world exports are concentrated (world-export HHI > 0.4) and the "
        "importer imports more than it exports (ratio > 1; 9999 when it exports nothing), in at "
        "least 2 of 3 consecutive years (the year asked and the two before). Only loaded years "
        "count: with fewer loaded years in the window than required, all loaded ones must pass, "
        "and the row says so."
    ),
    source="CEPII GeoDep database (geographic dependencies), methodology note",
    tests=(
        Test("importer_hhi", "importer HHI", "importer_hhi", _column("hhi")),
        Test("world_hhi", "world-export HHI", "world_hhi", _column("world_export_hhi")),
        Test(
            "import_export_ratio",
            "imports / exports",
            "import_export_ratio",
            _column("import_export_ratio"),
        ),
    ),
    defaults={
        "importer_hhi": 0.4,
        "world_hhi": 0.4,
        "import_export_ratio": 1.0,
        "window": 3.0,
        "min_years": 2.0,
    },
)

METHODS = {m.name: m for m in (EU2021, GEODEP)}


def method(name: str) -> Method:
    """The method called ``name``."""
    try:
        return METHODS[name]
    except KeyError:
        raise NotFound(f"unknown method {name!r}; methods: {', '.join(METHODS)}") from None


def evaluate(table: pa.Table, m: Method, params: Mapping[str, float]) -> pa.Table:
    """Add ``passed_all`` (bool) and ``tests`` (list of test results) for every row."""
    results = []
    passed_all: pa.ChunkedArray | pa.Array | None = None
    for test in m.tests:
        value = pc.cast(test.value(table), pa.float64())
        threshold = params[test.threshold]
        passed = pc.fill_null(pc.greater(value, threshold), False)
        passed_all = passed if passed_all is None else pc.and_(passed_all, passed)
        results.append((test.name, value, threshold, passed))
    columns = []
    for name, value, threshold, passed in results:
        columns.append(
            pa.StructArray.from_arrays(
                [
                    pa.array([name] * len(table)),
                    _flat(value),
                    pa.array([">"] * len(table)),
                    pa.array([threshold] * len(table), pa.float64()),
                    _flat(passed),
                ],
                fields=list(TEST_TYPE),
            )
        )
    tests = _zip_lists(columns, len(table))
    assert passed_all is not None
    return table.append_column("passed_all", _flat(passed_all)).append_column("tests", tests)


def _flat(array: pa.ChunkedArray | pa.Array) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _zip_lists(columns: list[pa.StructArray], rows: int) -> pa.ListArray:
    """Row i: [columns[0][i], columns[1][i], ...] as a list<struct> array."""
    count = len(columns)
    order = (np.arange(count)[None, :] * rows + np.arange(rows)[:, None]).ravel()
    interleaved = pa.concat_arrays(columns).take(pa.array(order))
    offsets = pa.array(np.arange(0, rows * count + 1, count, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, interleaved)


def flags(tests: pa.ListArray | pa.ChunkedArray) -> pa.ListArray:
    """The names of the passed tests of each row."""
    if isinstance(tests, pa.ChunkedArray):
        tests = tests.combine_chunks()
    values = tests.flatten()
    passed = values.field("passed").to_numpy(zero_copy_only=False)
    starts = tests.offsets.to_numpy()
    counts = (
        np.add.reduceat(passed.astype(np.int32), starts[:-1])
        if len(passed)
        else (np.zeros(len(tests), np.int32))
    )
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    names = values.field("test").filter(pa.array(passed))
    return pa.ListArray.from_arrays(pa.array(offsets), names)
