"""Dependency methods: named, documented rules over the indicators, with overridable thresholds.

Each method adds to an indicator table: ``method``, ``dependent`` (all tests passed), ``flags``
(the names of the tests passed) and ``tests`` (every test with its value, threshold and result),
so that a flagged row says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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


def parse_thresholds(pairs: Sequence[str] | None) -> dict[str, float]:
    """``["hhi=0.5", ...]`` as ``{"hhi": 0.5}``; a malformed pair is a DataError."""
    out: dict[str, float] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        try:
            number = float(value)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise DataError(
                "invalid threshold",
                field="threshold",
                got=pair,
                expected="NAME=NUMBER, e.g. hhi=0.5",
            )
        out[key.strip()] = number
    return out


def method(name: str) -> Method:
    """The method called ``name``."""
    try:
        return METHODS[name]
    except KeyError:
        raise NotFound(f"unknown method {name!r}; methods: {', '.join(METHODS)}") from None


#: A test result kept flat until the rows are final: (name, value column, op, threshold,
#: passed column). :func:`assemble` turns them into the ``tests`` and ``flags`` columns.
Result = tuple[str, pa.Array, str, pa.Array, pa.Array]


def evaluate(table: pa.Table, m: Method, params: Mapping[str, float]) -> list[Result]:
    """Each test of ``m`` on every row of ``table``."""
    results: list[Result] = []
    rows = len(table)
    for test in m.tests:
        value = _flat(pc.cast(test.value(table), pa.float64()))
        threshold = params[test.threshold]
        passed = _flat(pc.fill_null(pc.greater(value, threshold), False))
        results.append((test.name, value, ">", pa.array(np.full(rows, threshold)), passed))
    return results


def passed_all(results: Sequence[Result]) -> pa.Array:
    """True where every test passed."""
    out = results[0][4]
    for result in results[1:]:
        out = pc.and_(out, result[4])
    return _flat(out)


def take(results: Sequence[Result], indices: pa.Array) -> list[Result]:
    """The results of the rows at ``indices`` (to follow a filter or a sort of the table)."""
    return [
        (n, v.take(indices), op, t.take(indices), p.take(indices)) for n, v, op, t, p in results
    ]


def assemble(results: Sequence[Result]) -> tuple[pa.ListArray, pa.ListArray]:
    """The ``tests`` column (list of structs) and the ``flags`` column (names passed)."""
    rows = len(results[0][1])
    count = len(results)
    columns = [
        pa.StructArray.from_arrays(
            [pa.array([name] * rows), value, pa.array([op] * rows), threshold, passed],
            fields=list(TEST_TYPE),
        )
        for name, value, op, threshold, passed in results
    ]
    order = (np.arange(count)[None, :] * rows + np.arange(rows)[:, None]).ravel()
    interleaved = pa.concat_arrays(columns).take(pa.array(order))
    offsets = pa.array(np.arange(0, rows * count + 1, count, dtype=np.int32))
    tests = pa.ListArray.from_arrays(offsets, interleaved)
    passed = np.stack([r[4].to_numpy(zero_copy_only=False) for r in results], axis=1)
    names = np.array([r[0] for r in results], dtype=object)
    flag_offsets = np.concatenate([[0], np.cumsum(passed.sum(axis=1))]).astype(np.int32)
    flat_names = pa.array(np.broadcast_to(names, passed.shape)[passed], pa.string())
    return tests, pa.ListArray.from_arrays(pa.array(flag_offsets), flat_names)


def _flat(array: pa.ChunkedArray | pa.Array) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
