"""Benchmark: load a full-size SYNTHETIC BACI year (11 M rows, ~350 MB CSV) into the catalogue.

Target (issue 2): >= 2 M rows/s and <= 2 GB peak memory on 2 cores. Each run is a fresh child
process with a fresh store (so the peak RSS is the load's own), loading the real BACI country
and HS22 product lists first, then timing ``Catalogue.load("baci", file)`` end to end:
checksum, streaming read, validation (codes, values, years, duplicate keys) and the atomic swap.

    python benchmarks/bench_load.py [--runs 3] [--rows 11000000] [--parquet]

Prints one Markdown table row per format for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("ECONSEC_BENCH_DIR", ROOT / "benchmarks" / "out"))

CHILD = """
import json, sys, time
from econsec.datasets.catalogue import Catalogue
from econsec.store.analytics import AnalyticsStore
store = AnalyticsStore(sys.argv[1], threads=int(sys.argv[3]), memory_limit=sys.argv[4])
catalogue = Catalogue(store)
catalogue.load("baci_countries", sys.argv[5] + "/baci_country_codes_V202401.csv")
catalogue.load("baci_products", sys.argv[5] + "/baci_product_codes_HS22_V202401.csv.gz")
start = time.perf_counter()
result = catalogue.load("baci", sys.argv[2])
seconds = time.perf_counter() - start
print(json.dumps({"rows": result.version.rows, "seconds": seconds}))
"""


def machine() -> str:
    """CPU model, cores and memory of this machine."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = 0
    return f"{model}, {os.cpu_count()} cores, {mem} GiB, Python {platform.python_version()}"


def ensure_file(rows: int, parquet: bool) -> Path:
    """The synthetic year, generated once (seeded) and reused."""
    suffix = "parquet" if parquet else "csv"
    path = OUT / f"SYNTHETIC_BACI_HS22_Y2022_V000000_{rows}.{suffix}"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "synthetic_baci.py"),
                "--out",
                str(path),
                "--rows",
                str(rows),
            ],
            check=True,
        )
    return path


def run_once(path: Path, threads: int, memory_limit: str) -> tuple[int, float, float]:
    """One load in a fresh process: (rows, seconds, peak RSS in MB of that process alone)."""
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                f"{tmp}/a.duckdb",
                str(path),
                str(threads),
                memory_limit,
                str(ROOT / "data" / "trade"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        out = child.stdout.read()
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"load failed with exit code {child.returncode}")
    figures = json.loads(out.strip().splitlines()[-1])
    return int(figures["rows"]), float(figures["seconds"]), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=11_000_000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--parquet", action="store_true", help="also time a Parquet copy")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    formats = [False, True] if args.parquet else [False]
    for parquet in formats:
        path = ensure_file(args.rows, parquet)
        size = path.stat().st_size / 1e6
        runs = [run_once(path, args.threads, args.memory_limit) for _ in range(args.runs)]
        rows = runs[0][0]
        seconds = statistics.median(r[1] for r in runs)
        peak = max(r[2] for r in runs)
        rate = rows / seconds / 1e6
        verdict = "meets" if rate >= 2.0 and peak <= 2048 else "MISSES"
        print(
            f"| {date.today()} | load SYNTHETIC BACI year, {'Parquet' if parquet else 'CSV'} "
            f"{size:.0f} MB | {rows:,} | {seconds:.2f} s (median of {args.runs}: "
            f"{', '.join(f'{r[1]:.2f}' for r in runs)}) | {rate:.2f} M rows/s | {peak:.0f} MB "
            f"| {verdict} target (>= 2 M rows/s, <= 2 GB) |"
        )


if __name__ == "__main__":
    main()
