"""Tests of econsec.know.io. The real tables are read once per session through these helpers
(each skips with the missing folder named when the shared data is absent)."""

from __future__ import annotations

import functools

import numpy as np

from econsec.datasets.io_tables import read_japan_io, read_wiod
from econsec.know.io import IOTable
from tests.conftest import shared_file

JAPAN = "supply/io_japan_2011_13sector/iotable_13sector_2011_wider.csv"
JAPAN_JA = "supply/io_japan_2011_13sector/iotable_13sector_2011_wider_ja.csv"
WIOD = "supply/wiod2013_2011"


@functools.cache
def _wiod() -> IOTable:
    return read_wiod(shared_file(WIOD))


def wiod() -> IOTable:
    """The WIOD 2011 world table (cached; LU factors are cached on it after the first shock)."""
    shared_file(WIOD)
    return _wiod()


def japan() -> IOTable:
    """Japan's 2011 13-sector table (English labels)."""
    return read_japan_io(shared_file(JAPAN))


def small() -> IOTable:
    """A hand-checkable 3-sector, 2-region table (values in units; x = Z1 + Y1)."""
    z = np.array([[10.0, 20.0, 5.0], [15.0, 5.0, 10.0], [5.0, 10.0, 0.0]])
    y = np.array([[50.0, 15.0], [30.0, 40.0], [20.0, 5.0]])
    return IOTable.build(
        "small",
        ["A", "A", "B"],
        ["s1", "s2", "s1"],
        z,
        y,
        final_labels=["CONS", "CONS"],
        final_regions=["A", "B"],
        sector_names={"s1": "goods", "s2": "services"},
        goods=("s1",),
        units="units",
    )
