"""Benchmark: the technology landscape on the REAL OpenAlex counts file and on SYNTHETIC
works-level data at scale, with baselines and a correctness cross-check.

- Real counts (3,045 rows): read, 5-year windows, annual windows, rolling 5-year windows.
- Synthetic works (default 200,000, written as gzip JSON Lines in the OpenAlex schema, like a
  snapshot part): read (baseline: bare ``json.loads`` of every line, the floor for any Python
  reader), records (areas, top-10 % flags, credits), the landscape in 5-year windows and in
  rolling windows (step 1); the yearly country credits are recomputed with one DuckDB SQL query
  over the same Arrow tables (baseline) and must agree to 1e-9.

    python benchmarks/promote_landscape.py [--works 200000] [--seed 7]

The works are invented: countries drawn from a skewed distribution, 1-8 authorships, 0-3
institutions each, concepts AI / deep learning / quantum / robotics, lognormal citations.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from econsec.datasets.openalex import WorkSet, read_works  # noqa: E402
from econsec.datasets.openalex_tables import COUNTS_FILE, read_counts, shipped  # noqa: E402
from econsec.promote.landscape import from_counts, from_works, landscape  # noqa: E402

T = TypeVar("T")
OA = "https://openalex.org/"
COUNTRIES = ["CN", "US", "GB", "DE", "JP", "IN", "FR", "KR", "CA", "IT", "AU", "ES", "BR", "NL"]
WEIGHTS = np.array([30, 25, 6, 5, 4, 6, 3, 3, 3, 2.5, 2.5, 2, 2, 1.5])
CONCEPTS = [
    ("C154945302", "Artificial intelligence", 0.6),
    ("C108583219", "Deep learning", 0.25),
    ("C58053490", "Quantum computer", 0.1),
    ("C90509273", "Robot", 0.1),
]


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """The result and the best wall time in seconds over ``repeat`` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best  # type: ignore[return-value]


def synthetic_works(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """``n`` invented works in the OpenAlex schema (see the module docstring)."""
    rng = np.random.default_rng(seed)
    p = WEIGHTS / WEIGHTS.sum()
    for i in range(n):
        people = []
        for a in range(int(rng.integers(1, 9))):
            insts = []
            for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3]))):
                c = str(rng.choice(COUNTRIES, p=p))
                k = int(rng.integers(0, 400))
                insts.append(
                    {
                        "id": f"{OA}I{7_000_000 + k}",
                        "display_name": f"Inst {k} {c}",
                        "country_code": c,
                        "type": "education",
                    }
                )
            people.append(
                {"author_position": "middle", "author": {"id": f"{OA}A{i * 10 + a}"},
                 "institutions": insts, "countries": sorted({x["country_code"] for x in insts})}
            )  # fmt: skip
        concepts = [
            {"id": OA + cid, "display_name": name, "level": 2, "score": float(rng.random())}
            for cid, name, share in CONCEPTS
            if rng.random() < share
        ] or [
            {"id": OA + "C41008148", "display_name": "Computer science", "level": 0, "score": 0.5}
        ]
        yield (
            {"id": f"{OA}W{8_000_000 + i}", "publication_year": int(rng.integers(2010, 2021)),
             "cited_by_count": int(rng.lognormal(1.5, 1.4)), "authorships": people,
             "topics": [], "concepts": concepts}
        )  # fmt: skip


BASELINE_SQL = """
SELECT a.technology, w.year, c.country, count(*) AS whole, sum(c.fractional) AS fractional
FROM areas a JOIN works w USING (work_id) JOIN countries c USING (work_id)
GROUP BY ALL ORDER BY ALL
"""


def baseline(ws: WorkSet, areas: Any) -> Any:
    """Yearly country credits by one DuckDB query over the loader's Arrow tables."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for name, table in (("works", ws.works), ("countries", ws.countries), ("areas", areas)):
        con.register(name, table)
    return con.sql(BASELINE_SQL).to_arrow_table()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {date.today()}")  # fmt: skip
    counts, t_read = timed(lambda: read_counts(shipped(COUNTS_FILE)), 3)
    records = from_counts(counts)
    _, t5 = timed(lambda: landscape(records), 5)
    _, t1 = timed(lambda: landscape(records, period=1), 5)
    _, tr = timed(lambda: landscape(records, step=1), 5)
    print("| real counts (3,045 rows) | read | 5-year | annual | rolling 5-year |")
    print(f"| seconds | {t_read:.3f} | {t5:.3f} | {t1:.3f} | {tr:.3f} |")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "part_000.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:  # streamed: no list of works held
            for w in synthetic_works(args.works, args.seed):
                fh.write(json.dumps(w) + "\n")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = path.stat().st_size / 1e6

        def bare() -> int:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                return sum(1 for line in fh if json.loads(line))

        _, t_bare = timed(bare)
        ws, t_works = timed(lambda: read_works(path))
    rec, t_rec = timed(lambda: from_works(ws))
    result, t_l5 = timed(lambda: landscape(rec), 3)
    _, t_roll = timed(lambda: landscape(rec, step=1), 3)
    from econsec.promote.landscape_map import DEFAULT_RULES, assign_areas

    areas = assign_areas(ws.labels, DEFAULT_RULES)
    base, t_sql = timed(lambda: baseline(ws, areas), 3)
    ours = rec.yearly.sort_by([("technology", "ascending"), ("year", "ascending"),
                               ("country", "ascending")])  # fmt: skip
    agree = ours["whole"].to_pylist() == base["whole"].to_pylist() and np.allclose(
        ours["fractional"].to_numpy(), base["fractional"].to_numpy(), rtol=0, atol=1e-9
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nsynthetic works: {ws.works.num_rows:,} works, {ws.countries.num_rows:,} "
          f"work-country rows, {ws.institutions.num_rows:,} work-institution rows, "
          f"JSONL.gz {size:.1f} MB")  # fmt: skip
    print("| step | seconds | baseline | baseline seconds |")
    print("|---|---|---|---|")
    print(f"| read works | {t_works:.2f} | json.loads every line | {t_bare:.2f} |")
    print(f"| records (areas, top 10 %, credits) | {t_rec:.2f} | one DuckDB SQL (credits only) "
          f"| {t_sql:.2f} |")  # fmt: skip
    print(f"| landscape, 5-year windows | {t_l5:.3f} | | |")
    print(f"| landscape, rolling 5-year (step 1) | {t_roll:.3f} | | |")
    print(f"\nyearly credits equal to the SQL baseline: {agree}; peak RSS {peak:,.0f} MB "
          f"({before:,.0f} MB before reading the works)")  # fmt: skip
    lead = {(r["technology"], r["period"]): r["leader"] for r in result.leaders.to_pylist()}
    latest = dict(sorted((k[0], v) for k, v in lead.items() if k[1] == "2016-2020"))
    print(f"leaders (synthetic, 2016-2020): {latest}")
    if not agree:
        raise SystemExit("the landscape credits differ from the SQL baseline")


if __name__ == "__main__":
    main()
