"""Benchmark: the Know engine on a SYNTHETIC full-size BACI year (11 M rows), side by side with a
straightforward single DuckDB SQL query and a pandas groupby implementation of the same
indicators, plus a Japan-only report and an export-stop scenario.

Targets (issue 3, 2 cores): the all-importers x all-products indicator screen <= 3 s and at least
2x faster than both baselines; the Japan report <= 0.5 s; a scenario <= 0.5 s; peak memory
<= 4 GB. The three screens must agree (checked here on every row).

    python benchmarks/bench_know.py [--rows 11000000]

Prints Markdown table rows for benchmarks/RESULTS.md. The data is invented (real BACI country
and product codes, synthetic flows): see benchmarks/synthetic_baci.py.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_load import OUT, machine  # noqa: E402

NAIVE_SQL = """
WITH f AS (SELECT importer, exporter, hs6 AS product, CAST(value_kusd AS DOUBLE) AS v
           FROM baci WHERE year = {year} AND value_kusd > 0),
s AS (
  SELECT *, v / SUM(v) OVER (PARTITION BY importer, product) AS share,
         ROW_NUMBER() OVER (PARTITION BY importer, product ORDER BY v DESC, exporter) AS rk,
         SUM(v) OVER (PARTITION BY product, exporter) AS exporter_total
  FROM f),
ex AS (SELECT DISTINCT product, exporter, exporter_total FROM s),
w AS (SELECT product, exporter, exporter_total / SUM(exporter_total) OVER (PARTITION BY product)
             AS wshare,
             ROW_NUMBER() OVER (PARTITION BY product ORDER BY exporter_total DESC, exporter) AS wrk,
             SUM(exporter_total) OVER (PARTITION BY product) AS world
      FROM ex),
ws AS (SELECT product, SUM(wshare * wshare) AS world_hhi, MAX(world) AS world,
              MAX(CASE WHEN wrk = 1 THEN exporter END) AS top_exporter,
              MAX(wshare) AS top_exporter_share FROM w GROUP BY product)
SELECT s.importer, s.product, SUM(s.v) AS import_value, COUNT(*) AS n_suppliers,
       SUM(s.share * s.share) AS hhi, MAX(CASE WHEN rk = 1 THEN s.exporter END) AS top_supplier,
       MAX(s.share) AS top_supplier_share, SUM(CASE WHEN rk <= 3 THEN s.share END) AS top3_share,
       COALESCE(ANY_VALUE(ex.exporter_total), 0) AS export_value,
       ANY_VALUE(ws.world_hhi) AS world_export_hhi, ANY_VALUE(ws.top_exporter) AS top_exporter,
       ANY_VALUE(ws.top_exporter_share) AS top_exporter_share,
       SUM(s.v) / ANY_VALUE(ws.world) AS world_import_share
FROM s LEFT JOIN ex ON ex.product = s.product AND ex.exporter = s.importer
JOIN ws ON ws.product = s.product
GROUP BY s.importer, s.product
"""


def pandas_screen(df: Any) -> Any:
    """The same indicators with pandas groupby (df: importer, exporter, product, v)."""
    keys = ["importer", "product"]
    grouped = df.groupby(keys, sort=False)["v"]
    df = df.assign(share=df["v"] / grouped.transform("sum"))
    df = df.assign(sq=df["share"] ** 2)
    ranked = df.sort_values([*keys, "v"], ascending=[True, True, False])
    first = ranked.groupby(keys, sort=False).head(1).set_index(keys)
    top3 = ranked.groupby(keys, sort=False).head(3).groupby(keys)["share"].sum()
    out = df.groupby(keys).agg(
        import_value=("v", "sum"), n_suppliers=("v", "size"), hhi=("sq", "sum")
    )
    out["top_supplier"] = first["exporter"]
    out["top_supplier_share"] = first["share"]
    out["top3_share"] = top3
    exports = df.groupby(["product", "exporter"])["v"].sum()
    world = exports.groupby("product").sum()
    wshare = exports / world.reindex(exports.index.get_level_values("product")).to_numpy()
    world_hhi = (wshare**2).groupby("product").sum()
    top_exp = wshare.groupby("product").idxmax().map(lambda key: key[1])
    out = out.reset_index()
    exp_index = exports.rename_axis(["product", "importer"])
    out = out.merge(
        exp_index.rename("export_value").reset_index(), how="left", on=["product", "importer"]
    )
    out["export_value"] = out["export_value"].fillna(0.0)
    out["world_export_hhi"] = out["product"].map(world_hhi)
    out["top_exporter"] = out["product"].map(top_exp)
    out["top_exporter_share"] = out["product"].map(wshare.groupby("product").max())
    out["world_import_share"] = out["import_value"] / out["product"].map(world)
    return out


def timed(fn: Callable[[], Any], runs: int = 3) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def compare(ours: Any, other: Any, name: str) -> None:
    """Every (importer, product) row agrees on the numbers (1e-6 relative)."""
    a = ours.to_pandas().set_index(["importer", "product"]).sort_index()
    b = other.set_index(["importer", "product"]).sort_index()
    assert len(a) == len(b), f"{name}: {len(a)} rows vs {len(b)}"
    for column in (
        "import_value",
        "n_suppliers",
        "hhi",
        "top_supplier_share",
        "top3_share",
        "export_value",
        "world_export_hhi",
        "top_exporter_share",
        "world_import_share",
    ):
        x, y = a[column].to_numpy(float), b[column].reindex(a.index).to_numpy(float)
        assert np.allclose(x, y, rtol=1e-6, atol=1e-9), f"{name}: {column} differs"
    print(f"  {name}: all {len(a):,} rows agree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=11_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import duckdb

    from econsec.datasets.catalogue import Catalogue
    from econsec.engine.duckdb import DuckDBEngine
    from econsec.know.dependencies import dependencies
    from econsec.know.indicators import indicators
    from econsec.know.scenarios import export_stop
    from econsec.reports import html
    from econsec.reports.dependency_report import gather
    from econsec.store.analytics import AnalyticsStore

    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"SYNTHETIC_BACI_HS22_Y2022_V000000_{args.rows}.csv"
    if not data.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "synthetic_baci.py"),
                "--out",
                str(data),
                "--rows",
                str(args.rows),
            ],
            check=True,
        )
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        store = AnalyticsStore(Path(tmp) / "a.duckdb", threads=2, memory_limit="2GB")
        catalogue = Catalogue(store)
        trade = ROOT / "data" / "trade"
        catalogue.load("baci_countries", trade / "baci_country_codes_V202301.csv")
        catalogue.load("baci_products", trade / "baci_product_codes_HS22_V202401.csv.gz")
        catalogue.load("hs2022", trade / "hs2022_nomenclature.csv.gz")
        catalogue.load("critical_products", ROOT / "data" / "policy" / "critical_products.yaml")
        catalogue.load("baci", data)
        engine = DuckDBEngine(catalogue)

        cold_start = time.perf_counter()
        indicators(engine, years=[2022])
        cold = time.perf_counter() - cold_start
        ours_t, ours_runs, ours = timed(lambda: indicators(engine, years=[2022]), args.runs)
        deps_t, _, deps = timed(lambda: dependencies(engine, year=2022), args.runs)
        report_t, report_runs, _ = timed(
            lambda: html.render(gather(engine, importer="JPN", year=2022)), args.runs
        )
        scenario_t, scenario_runs, _ = timed(
            lambda: export_stop(engine, exporter="CHN", products=["850511", "810194"], year=2022),
            args.runs,
        )
        engine_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with store.reader() as con:
            naive_t, _naive_runs, naive = timed(
                lambda: con.sql(NAIVE_SQL.format(year=2022)).to_arrow_table().to_pandas(),
                args.runs,
            )
            fetch_start = time.perf_counter()
            frame = (
                con.sql(
                    "SELECT importer, exporter, hs6 AS product, "
                    "CAST(value_kusd AS DOUBLE) AS v FROM baci "
                    "WHERE year = 2022 AND value_kusd > 0"
                )
                .to_arrow_table()
                .to_pandas()
            )
            fetch = time.perf_counter() - fetch_start
        pandas_t, _pandas_runs, pandas_out = timed(lambda: pandas_screen(frame), 1)
        compare(ours, naive, "single DuckDB SQL query")
        compare(ours, pandas_out, "pandas groupby")
        del duckdb
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = ours.num_rows
    today = date.today()

    def row(task: str, seconds: float, detail: str, target: str, ok: bool) -> None:
        print(
            f"| {today} | {task} | {seconds:.2f} s | {detail} | {target} | "
            f"{'meets' if ok else 'MISSES'} |"
        )

    print(f"screen rows: {rows:,}; dependent (geodep): {sum(deps['dependent'].to_pylist()):,}")
    row(
        "indicator screen, all importers x products (econsec, warm)",
        ours_t,
        f"runs {', '.join(f'{t:.2f}' for t in ours_runs)}; cold (builds world totals) {cold:.2f} s",
        "<= 3 s",
        ours_t <= 3,
    )
    row(
        "screen + geodep tests (econsec dependencies, warm)",
        deps_t,
        f"{rows:,} rows with every test, sorted, dependent first",
        "-",
        True,
    )
    row(
        "single straightforward DuckDB SQL query",
        naive_t,
        f"{naive_t / ours_t:.1f}x slower than econsec",
        ">= 2x econsec",
        naive_t >= 2 * ours_t,
    )
    row(
        "pandas groupby implementation",
        pandas_t,
        f"{pandas_t / ours_t:.1f}x slower; plus {fetch:.2f} s to fetch 11 M rows",
        ">= 2x econsec",
        pandas_t >= 2 * ours_t,
    )
    row(
        "Japan report (gather + HTML)",
        report_t,
        f"runs {', '.join(f'{t:.2f}' for t in report_runs)}",
        "<= 0.5 s",
        report_t <= 0.5,
    )
    row(
        "scenario CHN stops 850511, 810194",
        scenario_t,
        f"runs {', '.join(f'{t:.2f}' for t in scenario_runs)}",
        "<= 0.5 s",
        scenario_t <= 0.5,
    )
    print(
        f"| {today} | peak memory of econsec (high-water mark before the baselines ran) | - | "
        f"{engine_peak:,.0f} MB | <= 4 GB | {'meets' if engine_peak <= 4096 else 'MISSES'} |"
    )
    print(f"| {today} | peak memory including the pandas baseline | - | {peak:,.0f} MB | - | - |")


if __name__ == "__main__":
    main()
