"""Benchmark: the technology taxonomy on the REAL critical_technologies.yaml, and crosswalk edits
(SYNTHETIC users and reasons, real technologies and areas) on a SQLite app store.

- Read, validate and build the taxonomy (baseline: bare ``yaml.safe_load`` of the file).
- Search: first query (starts the morphological analyser), then the median and 95th percentile
  of English, Japanese, kana and misspelt queries (baseline: a case-folded substring scan of the
  names, which finds no kana reading, no typo and no allied technology through an area).
- Ally comparison, the whole document (baseline: the per-area presence table alone).
- Edits: replaying 10,000 edits over the taxonomy (pure); recording 200 edits through the
  service, each with its audit entry in one transaction (baseline: the same rows inserted with
  no audit entry and no checks, one transaction each); reading the effective taxonomy with them.

    python benchmarks/promote_taxonomy.py [--edits 200]

Prints Markdown for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from econsec.datasets.technologies import read_technologies  # noqa: E402
from econsec.errors import Conflict  # noqa: E402
from econsec.promote.allies import compare  # noqa: E402
from econsec.promote.crosswalk_store import (  # noqa: E402
    CrosswalkEdit,
    CrosswalkEdits,
    Edit,
    apply_edits,
    load,
)
from econsec.promote.taxonomy import JAPAN, Taxonomy, build, fold  # noqa: E402
from econsec.promote.taxonomy_search import search  # noqa: E402

T = TypeVar("T")
SHARED = Path(os.environ.get("ECONSEC_SHARED_DATA", ROOT.parent / "shared" / "data"))
FILE = SHARED / "policy" / "critical_technologies.yaml"
QUERIES = {
    "English": ["quantum", "semiconductor", "directed energy", "biotechnology", "radar"],
    "Japanese": ["量子", "宇宙", "半導体", "海洋", "サイバー"],
    "kana reading": ["りょうし", "うちゅう", "かいよう", "ゆそう", "ざいりょう"],
    "misspelt": ["quantom", "hypersonik", "robotcs", "semicondutor", "satelite"],
}


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[T, list[float]]:
    """``fn()`` and its wall times in milliseconds."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    assert result is not None
    return result, times


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def substring_scan(taxonomy: Taxonomy, text: str) -> list[str]:
    """Baseline: technologies whose folded English or Japanese name contains the query."""
    query = fold(text)
    return [
        t.key
        for t in taxonomy.technologies
        if query in fold(t.name_en) or (t.name_ja and query in fold(t.name_ja))
    ]


def synthetic_edits(taxonomy: Taxonomy, n: int, seed: int = 7) -> list[Edit]:
    """``n`` SYNTHETIC edits of real technologies and areas (adds, removals, resets)."""
    rng = random.Random(seed)
    techs = [t.key for t in taxonomy.technologies if t.list != JAPAN]
    areas = list(taxonomy.areas)
    out = []
    for i in range(1, n + 1):
        action = rng.choices(["add", "remove", "reset"], weights=[6, 3, 1])[0]
        area = None if action == "reset" else rng.choice(areas)
        confidence = rng.choice(["low", "medium", "high"]) if action == "add" else None
        out.append(Edit(i, rng.choice(techs), action, area, confidence, f"synthetic {i}"))
    return out


def bench_edits(shipped: Taxonomy, n: int, folder: Path) -> dict[str, Any]:
    from econsec.security.service import Security
    from econsec.settings import Settings
    from econsec.store.app import open_app_store

    url = f"sqlite:///{folder / 'app.db'}"
    settings = Settings(home=folder, database_url=url, secret_key="bench-" + "k" * 40)
    security = Security(settings, open_app_store(url))
    security.add_user("operator:bench", "analyst1", "analyst")
    actor = security.actor("analyst1")
    edits = CrosswalkEdits(security)
    rng = random.Random(11)
    techs = [t.key for t in shipped.technologies if t.list != JAPAN]
    done = 0
    start = time.perf_counter()
    while done < n:
        tech, area = rng.choice(techs), rng.choice(list(shipped.areas))
        try:
            edits.edit(actor, shipped, tech, "add", area=area, reason="synthetic benchmark")
            done += 1
        except Conflict:  # already mapped so: pick another pair
            continue
    per_edit = (time.perf_counter() - start) * 1000 / n
    rows = []
    start = time.perf_counter()
    for i in range(n):  # baseline: the same rows, no audit entry, no checks, no replay
        with security.app.session() as session:
            row = CrosswalkEdit(
                technology=techs[i % len(techs)], action="add", area="space", confidence="low",
                reason="baseline", actor="analyst1", channel="cli", before=[], after=[],
            )  # fmt: skip
            session.add(row)
            session.commit()
            rows.append(row.id)
    baseline = (time.perf_counter() - start) * 1000 / n
    from econsec.datasets.catalogue import Catalogue
    from econsec.store.analytics import AnalyticsStore

    catalogue = Catalogue(AnalyticsStore(folder / "a.duckdb", threads=2, memory_limit="1GB"))
    catalogue.load("critical_technologies", FILE)
    _, loaded = timed(lambda: load(catalogue, security.app)[1], repeat=20)
    _, from_file = timed(lambda: load(catalogue, security.app, FILE)[1], repeat=5)
    security.app.dispose()
    return {
        "per_edit": per_edit,
        "baseline": baseline,
        "loaded": statistics.median(loaded[1:]),  # the first reads the stored document
        "file": statistics.median(from_file),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()
    if not FILE.exists():
        sys.exit(f"real data not available: {FILE}")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_load import machine

    print(f"## Promote: taxonomy and crosswalk ({date.today()}, {machine()})\n")
    _, raw = timed(lambda: yaml.safe_load(FILE.read_text(encoding="utf-8")), repeat=10)
    source, read = timed(lambda: read_technologies(FILE), repeat=10)
    taxonomy, made = timed(lambda: build(source.document, source.provenance), repeat=10)
    print("| step | median | baseline |\n|---|---|---|")
    print(
        f"| read + validate {FILE.name} ({len(taxonomy.technologies)} technologies) | "
        f"{statistics.median(read):.1f} ms | yaml.safe_load {statistics.median(raw):.1f} ms |"
    )
    print(f"| build the taxonomy | {statistics.median(made):.2f} ms | |")
    _, first = timed(lambda: search(taxonomy, "量子"))
    print(f"| first search (starts fugashi) | {first[0]:.0f} ms | |")
    for kind, queries in QUERIES.items():
        times, scans, hits = [], [], 0
        for q in queries:
            found, t = timed(lambda q=q: search(taxonomy, q), repeat=20)
            _, s = timed(lambda q=q: substring_scan(taxonomy, q), repeat=20)
            times += t
            scans += s
            hits += len(found) > 0 and len(substring_scan(taxonomy, q)) < len(found)
        print(
            f"| search, {kind} ({len(queries)} queries x 20) | median "
            f"{statistics.median(times):.2f} ms, p95 {p95(times):.2f} ms | substring scan "
            f"{statistics.median(scans):.2f} ms ({hits}/{len(queries)} queries find more) |"
        )
    _, whole = timed(lambda: compare(taxonomy), repeat=10)
    _, matrix = timed(lambda: [taxonomy.members(a) for a in taxonomy.areas], repeat=10)
    print(
        f"| ally comparison (20 areas, one-list-only, US 2022 vs 2024) | "
        f"{statistics.median(whole):.1f} ms | presence table alone "
        f"{statistics.median(matrix):.1f} ms |"
    )
    many = synthetic_edits(taxonomy, 10_000)
    effective, replayed = timed(lambda: apply_edits(taxonomy, many), repeat=5)
    edited = sum(1 for t in effective.technologies if t.edited)
    print(
        f"| replay 10,000 edits ({edited} technologies end up edited) | "
        f"{statistics.median(replayed):.1f} ms | |"
    )
    with tempfile.TemporaryDirectory() as folder:
        figures = bench_edits(taxonomy, args.edits, Path(folder))
    print(
        f"| record an edit (SQLite, checks + replay + audit entry, one transaction; "
        f"{args.edits} edits) | {figures['per_edit']:.1f} ms | bare INSERT "
        f"{figures['baseline']:.1f} ms |"
    )
    print(
        f"| effective taxonomy with {2 * args.edits} stored edits, from the loaded dataset | "
        f"{figures['loaded']:.1f} ms | from --file (YAML read each time) "
        f"{figures['file']:.1f} ms |"
    )
    print(f"\nPython {platform.python_version()}; SQLite in WAL mode on the local disk.")


if __name__ == "__main__":
    main()
