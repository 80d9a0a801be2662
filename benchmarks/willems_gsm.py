"""Benchmark: the guaranteed-service model on all 38 Willems (2008) chains, with proven gaps,
next to the published and open-solver figures.

    .venv/bin/python benchmarks/willems_gsm.py [--workers 2] [--out /tmp/h/results_gsm.md]

Target (issue 8, part 4): all 38 chains solved in <= 10 min in total on 2 cores, each with a
proven gap. Every chain is solved three times: with lead times as given (fractional means
of stochastic lead times kept; the main, timed run), truncated to whole days (the basis of
snc's open GSM-DAG code, whose published costs it should reproduce) and rounded to whole days
(closest to the reference stock levels with mean lead times). Prints a Markdown section
(machine, date, per-chain table, assumptions) and writes it to ``--out``.

Reference figures (not in the data folder's files, quoted here with their source):

* snc (stochasticnetworkcontrol/snc, ``meio/willems_dataset/exps/summary_notes.txt``, commit
  158b05f): costs and run times of its Python GSM-DAG on 10 chains; 12 chains (piecewise
  stochastic lead times) not run; 16 chains "did not complete within 2 days of compute";
* the DAG paper's supplement (Humair & Willems 2011, as quoted by snc): chain 22 in ~12 s;
* Humair & Willems 2011 (as quoted in durianh96/InvNet-GSM's README): their exact general
  networks algorithm took 577,190.78 s on the 2,025-stage problem (chain 38).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from econsec.datasets.willems import read_gsm_stages, read_reference_levels, read_reported_costs
from econsec.know.stockpile import solve_gsm

SHARED = Path(
    os.environ.get("ECONSEC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
FOLDER = SHARED / "supply" / "willems2008"
#: snc GSM-DAG: chain -> (cost, seconds); lead times truncated to whole days.
SNC = {
    6: (1292.20, 0.716832),
    2: (27188806.10, 1.370517),
    14: (42414.30, 1.782542),
    17: (3108718.36, 2.244379),
    7: (10383011.22, 13.616571),
    4: (139918.53, 20.047468),
    31: (56811809.53, 21.285928),
    15: (2790741.86, 153.463465),
    30: (2427192.68, 905.229733),
    22: (2314763.27, 1382.883563),
}
SNC_NOT_RUN = {1, 3, 5, 8, 9, 11, 12, 20, 24, 26, 32, 36}  # piecewise stochastic lead times
OTHER_TIMES = {22: "DAG paper ~12 s", 38: "H&W 2011 GNA 577,190.78 s"}
#: Chains whose lead times are all deterministic (snc's topology notes).
DETERMINISTIC = {2, 4, 13, 17, 18, 19, 23, 25, 27, 34, 35}


def machine() -> str:
    """CPU model, cores and memory of this machine."""
    model, mem = "unknown CPU", 0
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
        pass
    return f"{model}, {os.cpu_count()} cores, {mem} GiB, Python {platform.python_version()}"


def run_chain(n: int) -> dict[str, Any]:
    """Solve chain ``n`` with lead times as given (timed, including reading) and truncated."""
    path = FOLDER / "gsm_stages" / f"willems_{n:02d}.csv"
    started = time.perf_counter()
    problem = read_gsm_stages(path)
    sol = solve_gsm(problem)
    seconds = time.perf_counter() - started
    floor = solve_gsm(read_gsm_stages(path, lead_time_rounding="floor"))
    rounded = solve_gsm(read_gsm_stages(path, lead_time_rounding="round"))
    safety = float(np.round(sol.safety_stock).sum())
    safety_round = float(np.round(rounded.safety_stock).sum())
    return {
        "chain": n,
        "stages": problem.n_stages,
        "arcs": problem.n_arcs,
        "core": sol.stats["core_stages"],
        "lp_vars": sol.stats["lp_variables"],
        "integral": sol.stats["lp_integral"],
        "seconds": seconds,
        "cost": sol.total_safety_stock_cost,
        "lower": sol.lower_bound,
        "gap": sol.gap,
        "status": sol.status,
        "floor_cost": floor.total_safety_stock_cost,
        "floor_status": floor.status,
        "safety": safety,
        "safety_round": safety_round,
        "total_round": safety_round + rounded.total_pipeline_stock,
        "total": safety + sol.total_pipeline_stock,
    }


def table(rows: list[dict[str, Any]], reported: dict[int, float]) -> list[str]:
    out = [
        "| chain | stages | arcs | core | s | cost, LT as given ($) | gap | status "
        "| cost, LT truncated ($) | snc cost ($) | snc s | other published time "
        "| reported ($) | reported / cost |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        n = r["chain"]
        snc_cost, snc_s = SNC.get(n, (None, None))
        snc_time = "not run" if n in SNC_NOT_RUN else "> 2 days"
        if snc_s is not None:
            snc_time = f"{snc_s:,.1f}"
        ratio = reported[n] / r["cost"]
        flag = "" if n in DETERMINISTIC else " (stoch. LT)"
        out.append(
            f"| {n} | {r['stages']:,} | {r['arcs']:,} | {r['core']:,} | {r['seconds']:.2f} "
            f"| {r['cost']:,.2f} | {r['gap']:.1e} | {r['status']} | {r['floor_cost']:,.2f} "
            f"| {'' if snc_cost is None else f'{snc_cost:,.2f}'} | {snc_time} "
            f"| {OTHER_TIMES.get(n, '')} | {reported[n]:,.0f} | {ratio:.3f}{flag} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/h/results_gsm.md"))
    args = parser.parse_args()
    if not FOLDER.is_dir():
        sys.exit(f"data not found: {FOLDER} (set ECONSEC_SHARED_DATA)")
    reported = read_reported_costs(FOLDER / "reported_optimal_cost.txt")
    levels = read_reference_levels(FOLDER / "optimal_inventory_levels.csv")
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = list(pool.map(run_chain, range(1, 39)))
    wall = time.perf_counter() - started
    solve_total = sum(r["seconds"] for r in rows)
    by_chain = {r["chain"]: r for r in rows}
    snc_match = [n for n, (cost, _) in SNC.items() if abs(by_chain[n]["floor_cost"] - cost) <= 0.01]
    date = subprocess.run(["date"], capture_output=True, text=True, check=False).stdout.strip()
    lines = [
        "## Guaranteed-service safety stock on the 38 Willems chains (issue 8, part 4)",
        "",
        f"Machine: {machine()}. Date: {date}. Command: "
        f"`.venv/bin/python benchmarks/willems_gsm.py --workers {args.workers}`.",
        "",
        f"**All 38 chains: {sum(r['status'] == 'optimal' for r in rows)} proven optimal "
        f"(largest gap {max(r['gap'] for r in rows):.1e}); solve time {solve_total:.1f} s "
        f"summed over chains (reading + solving, lead times as given), {wall:.1f} s wall "
        f"clock for all three runs of every chain on {args.workers} processes; target 600 s.** "
        f"The LP of the core was integral on {sum(r['integral'] for r in rows)} of 38 chains "
        "(no MIP needed).",
        "",
        "Method: pendant trees of the stage graph are folded exactly by dynamic programming "
        "(Graves & Willems 2000) on whole-day service times; the remaining 2-core is a linear "
        "programme over time levels ([S >= t], [SI >= t]; arcs as level-wise rows; stages "
        "linked on both sides keep their (SI, S) pair table as assignment variables) solved "
        "by HiGHS dual simplex through scipy; a fractional LP optimum would go to a MIP on the "
        "same model. The LP value is the proven lower bound; the upper bound is the true cost "
        "of the restored, feasibility-repaired policy.",
        "",
        *table(rows, reported),
        "",
        "Columns: *core* = stages left after folding; *s* = seconds to read and solve, lead "
        "times as given; *gap* = (cost - lower bound) / cost; *LT truncated* = lead times cut "
        "to whole days as snc's reader does (`int(float(x))`); *snc* = cost and run time of "
        "snc's Python GSM-DAG (summary_notes.txt; 'not run' = piecewise stochastic lead times, "
        "'> 2 days' = did not finish in 2 days of compute); *reported* = "
        "`reported_optimal_cost.txt`.",
        "",
        "### Checks against published figures",
        "",
        f"- snc's costs reproduced to the cent on {len(snc_match)} of {len(SNC)} chains "
        f"({', '.join(str(n) for n in sorted(snc_match))}) with truncated lead times; snc "
        "took 0.7-1,383 s on these and did not finish 16 others in 2 days.",
        "- `reported_optimal_cost.txt` is 0.350 x this cost basis on every chain with "
        "deterministic lead times (2, 4, 13, 17, 23, 25, 34, 35; i.e. an annual holding rate "
        "of 35 % on the safety-stock value, by our reading), except 18 (x100 = 35.0) and 19 "
        "(x10 = 3.50), apparently scale slips in the list, and 27 (0.400, unexplained). "
        "On chains with stochastic lead times the published costs come from a "
        "stochastic-lead-time model and are not comparable (ratios 0.06-168; PROVENANCE "
        "caveat). `read_gsm_stages(..., holding_rate=0.35)` gives the published basis.",
        "- `optimal_inventory_levels.csv`, rows with mean lead times (safety stock = sum of "
        "stage stocks rounded to units; total stock = safety + pipeline stock mean x lead "
        "time):",
        "",
        "| chain | ref. safety | ours, LT as given | ours, LT rounded | ref. total "
        "| ours, LT as given | ours, LT rounded |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for ref in levels:
        if ref.lead_time != "mean":
            continue
        r = by_chain[ref.chain]
        lines.append(
            f"| {ref.chain} | {ref.safety_stock:,.0f} | {r['safety']:,.0f} "
            f"({r['safety'] / ref.safety_stock - 1:+.2%}) | {r['safety_round']:,.0f} "
            f"({r['safety_round'] / ref.safety_stock - 1:+.2%}) | {ref.total_stock:,.0f} "
            f"| {r['total']:,.0f} ({r['total'] / ref.total_stock - 1:+.2%}) "
            f"| {r['total_round']:,.0f} ({r['total_round'] / ref.total_stock - 1:+.2%}) |"
        )
    lines += [
        "",
        "### Assumptions and cost basis",
        "",
        "- Service times S, SI are whole days; lead times T as in the file (fractional where "
        "they are means of stochastic lead times); tau = SI + T - S >= 0; S <= max_s_time at "
        "demand stages. With fractional T, whole-day service times cost more than the "
        "continuous model (e.g. chain 8: safety stock 73,768 against 41,180 in the "
        "reference); rounding lead times to whole days brings the stock levels within 2.1 %.",
        "- Safety stock SS_j = a_j sqrt(tau_j), a_j = (sum_k (phi_jk z_k sigma_k)^p)^(1/p), "
        "phi_jk = units of j per unit of demand at k, z = ext_demand_thres, p = risk_pool "
        "(2 when empty).",
        "- Cost = holding rate (1.0) x cumulative cost C_j x SS_j, C_j = cost_rate_j + sum of "
        "upstream C_i x quantity (all quantities are 1 here, so this equals snc's sum): the "
        "value of the safety stock in $, snc's basis.",
        "- Base stock = mean demand x tau + SS; pipeline stock = mean demand x T.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
