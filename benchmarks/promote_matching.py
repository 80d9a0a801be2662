"""Benchmark of seeds-needs matching (issue 9, part 4). Prints figures; asserts none.

    .venv/bin/python benchmarks/promote_matching.py [--queries 200] [--batch 1000] [--eval]

Real data only (shared/data/tech, US public domain): seeds are the 84,902 SBIR award texts
(title + abstract); needs are 7,000 topic texts: the 6,843 SBIR.gov closed topics and the
first 157 of the 190 Air Force 2015 topics. The issue's targets: an index over 85,000 seeds and
7,000 needs built in <= 60 s, a query answered in <= 50 ms.

Figures:
* build: the seed index (BM25 + semantic), the plain-BM25 baseline index, and the needs
  prepared (their BM25 terms and embeddings);
* query: one need against the whole index, per method, with and without the explanation
  (matched terms and best passage), median and 95th percentile over ``--queries`` needs;
* batch: ``--batch`` needs matched in a row (top 10, explained), per need;
* ``--eval``: the full SBIR evaluation (``econsec promote match-eval``) with its baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from econsec.datasets.promote_texts import read_closed_topics, read_texts
from econsec.promote.matching import Matcher
from econsec.promote.matching_eval import evaluate, sbir_sets

ROOT = Path(__file__).resolve().parents[1]
TECH = Path(os.environ.get("ECONSEC_SHARED_DATA", ROOT.parent / "shared" / "data")) / "tech"


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"median {1000 * statistics.median(values):6.1f} ms, p95 {1000 * p95:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--eval", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    awards = read_texts(
        TECH / "sbir_awards_1983_2018.parquet",
        id_column="sbir_award_id",
        keep=("agency", "solicit_topic_code", "award_year", "title"),
    )
    closed = read_closed_topics(TECH / "sbir_closed_topics_fy2008_2018.parquet")
    af = read_texts(TECH / "dod_af_sbir_topics_2015.parquet", id_column="topic_number")
    need_texts = closed["text"].to_pylist() + af["text"].to_pylist()[: 7000 - closed.num_rows]
    print(
        f"read {awards.num_rows:,} seeds, {len(need_texts):,} needs: "
        f"{time.perf_counter() - start:.1f} s"
    )

    ids, texts = awards["id"].to_pylist(), awards["text"].to_pylist()
    start = time.perf_counter()
    matcher = Matcher.build(ids, texts)
    seeds_s = time.perf_counter() - start
    start = time.perf_counter()
    assert matcher.bm25 is not None
    assert matcher.embedder is not None
    for text in need_texts:  # what a need costs before scoring: its terms
        matcher.bm25.query(text)
    matcher.embedder.embed(need_texts)
    needs_s = time.perf_counter() - start
    start = time.perf_counter()
    plain = Matcher.build(ids, texts, methods=["bm25"], mode="plain")
    plain_s = time.perf_counter() - start
    shape = matcher.bm25.weights.shape
    print(
        f"build: seed index {seeds_s:.1f} s (BM25 {shape[0]:,} x {shape[1]:,} terms, "
        f"{matcher.bm25.weights.nnz:,} postings; embeddings {matcher.vectors.shape}); "  # type: ignore[union-attr]
        f"needs prepared {needs_s:.1f} s; total {seeds_s + needs_s:.1f} s (target <= 60 s)"
    )
    print(f"baseline plain-BM25 index: {plain_s:.1f} s")

    step = max(1, len(need_texts) // args.queries)
    sample = need_texts[::step][: args.queries]
    for method in ("bm25", "semantic", "hybrid"):
        for explain in (False, True):
            times = []
            for text in sample:
                t0 = time.perf_counter()
                matcher.search(text, top=10, method=method, explain=explain)
                times.append(time.perf_counter() - t0)
            label = "explained" if explain else "ranked"
            print(f"query {method:8s} {label:9s}: {_ms(times)} over {len(sample)} needs")
    times = []
    for text in sample:
        t0 = time.perf_counter()
        plain.search(text, top=10, method="bm25", explain=False)
        times.append(time.perf_counter() - t0)
    print(f"query plain-bm25 ranked   : {_ms(times)}")

    batch = need_texts[: args.batch]
    start = time.perf_counter()
    matcher.match([str(i) for i in range(len(batch))], batch, top=10)
    spent = time.perf_counter() - start
    print(
        f"batch: {len(batch):,} needs, top 10, explained: {spent:.1f} s "
        f"({1000 * spent / len(batch):.1f} ms per need; "
        f"all 7,000: ~{7000 * spent / len(batch) / 60:.1f} min)"
    )

    if args.eval:
        start = time.perf_counter()
        sets = sbir_sets(awards, af, closed)
        for score in evaluate(matcher, sets, baseline=plain):
            row = score.to_dict()
            print(
                f"eval {row['set']:45s} {row['subset']:8s} {row['method']:10s} "
                f"n={row['queries']:4d} recall@10={row['recall_at_10']:.4f} mrr={row['mrr']:.4f}"
            )
        print(f"eval: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
