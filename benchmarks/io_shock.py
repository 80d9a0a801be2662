"""Timing of IO shocks on the 1,435-row WIOD 2011 world table (issue 8 target: ≤ 1 s).

    .venv/bin/python benchmarks/io_shock.py [SHARED_SUPPLY_FOLDER] [REPEATS]

For each model: *cold* = a fresh table object (the shock pays for the LU factorisation of
I - A, ~0.2 s), *warm* = the same table again (LU cached). Also the full Leontief inverse L,
the Ghosh inverse G, reading the files and the long Arrow/DuckDB round trip. The shock is
TWN:c14 (a 100 % cut of Taiwan's electrical and optical equipment); dynamic models use their
defaults (bottleneck: 365-day cut + 90 days, 30 days of stock; DIIM: 365 days + 2 x 90).
Medians of REPEATS runs (default 3).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from econsec.datasets.io_tables import read_wiod
from econsec.know.io import MODELS, IOTable, shock

ROOT = Path(__file__).resolve().parents[1]
SUPPLY = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "supply"
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(fn: Callable[[], object]) -> float:
    return statistics.median(timed(fn) for _ in range(REPEATS))


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    read = median(lambda: read_wiod(SUPPLY / "wiod2013_2011"))
    table = read_wiod(SUPPLY / "wiod2013_2011")
    print(f"read WIOD 2011 (Z, Y, x; {table.n} rows): {read:.3f} s")

    def fresh() -> IOTable:
        return table.with_changes()  # same arrays, empty caches

    print(f"LU of (I - A): {median(lambda: fresh().lu):.3f} s")
    print(f"Leontief inverse L (from LU): {median(lambda: fresh().L):.3f} s")
    print(f"Ghosh inverse G (= x̂⁻¹ L x̂, incl. L): {median(lambda: fresh().G):.3f} s")
    print("model        cold (incl. LU)   warm")
    for name in MODELS:
        cold = median(lambda name=name: shock(fresh(), ["TWN:c14"], name))
        warm_table = fresh()
        shock(warm_table, ["TWN:c14"], name)
        warm = median(lambda name=name, t=warm_table: shock(t, ["TWN:c14"], name))
        print(f"{name:<12} {cold:>8.3f} s       {warm:>7.3f} s")
    print(
        "leontief JPN:* (35 cells), warm: "
        f"{median(lambda: shock(table, ['JPN:*'], 'leontief')):.3f} s"
    )
    print(
        "bottleneck 90-day cut + 90 days, warm: "
        f"{median(lambda: shock(table, ['TWN:c14'], 'bottleneck', duration_days=90)):.3f} s"
    )
    to_arrow = median(table.to_arrow)
    data = table.to_arrow()
    from_arrow = median(lambda: IOTable.from_arrow(data))
    con = duckdb.connect()
    con.register("long", data)

    def store_reload() -> None:
        con.execute("CREATE OR REPLACE TABLE io AS SELECT * FROM long")
        IOTable.from_arrow(con.sql("SELECT * FROM io").to_arrow_table())

    print(
        f"to_arrow ({data.num_rows:,} rows): {to_arrow:.3f} s; from_arrow: {from_arrow:.3f} s; "
        f"DuckDB store + reload: {median(store_reload):.3f} s"
    )


if __name__ == "__main__":
    main()
