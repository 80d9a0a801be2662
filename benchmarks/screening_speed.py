"""Benchmark: screening speed with every real list loaded (issue 4).

    python benchmarks/screening_speed.py [--home DIR] [--queries N] [--logic-v2 N]

Targets on 2 cores: index build <= 30 s; >= 500 single-name queries/s in batch mode
(``Screener.screen_many``, 2 worker processes); HTTP ``POST /match`` p50 <= 10 ms for one query
(a real uvicorn server, sequential requests from one client); and, for comparison,
nomenklatura's ``logic-v2`` throughput on the same queries (it needs nomenklatura: run in the
benchmark environment, ``make bench-env``).

The queries are real names: yente's 50,000 synthetic negative persons (global), the UN
positives with their typos, and the Japanese names of the METI and MOF lists, shuffled with a
fixed seed. logic-v2 is given the same candidates econsec's index found for each query (the 10
best entries) and only scores them: its figure leaves out candidate generation, which yente
does in Elasticsearch, so it flatters logic-v2.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from screening_accuracy import EVAL, person_query  # noqa: E402
from screening_lists import service  # noqa: E402

from econsec.protect.screening.model import Query  # noqa: E402


def queries(entries: list[Any], count: int) -> list[Query]:
    """Real names, mixed: negatives, UN positives with typos, Japanese names from the lists."""
    out: list[Query] = []
    with gzip.open(EVAL / "yente_cgb_negatives_global.csv.gz", "rt", encoding="utf-8") as fh:
        out += [person_query(r) for r in csv.DictReader(fh)]
    with (EVAL / "yente_cgb_positives_un_treated.csv").open(encoding="utf-8") as fh:
        out += [person_query(r) for r in csv.DictReader(fh)]
    for entry in entries:
        if entry.list_name.startswith(("meti", "mof")):
            japanese = [n for n in entry.names if any("\u3040" <= c <= "\u9fff" for c in n)]
            if japanese:
                out.append(Query((japanese[0],), entry.schema))
    random.Random(20261128).shuffle(out)
    return out[:count]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_latency(home: Path, names: list[str]) -> dict[str, float]:
    """p50 / p95 of POST /match/default with one query, against a uvicorn server."""
    import httpx
    import uvicorn

    from econsec.api.app import create_app
    from econsec.settings import Settings

    app = create_app(Settings(home=home), warm_screener=True)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            timings = []
            for number, name in enumerate(names):
                body = {"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}}
                started = time.perf_counter()
                response = client.post("/match/default", json=body)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                if number >= 20:  # warm-up: connection, caches
                    timings.append(elapsed)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    timings.sort()
    return {
        "requests": len(timings),
        "p50_ms": 1000 * statistics.median(timings),
        "p95_ms": 1000 * timings[int(0.95 * len(timings))],
    }


def logic_v2(screener: Any, sample: list[Query]) -> dict[str, Any] | str:
    """logic-v2 scoring econsec's 10 best candidates per query (one process)."""
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig
    except ImportError:
        return "not run: nomenklatura is not installed (make bench-env)"
    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = ScoringConfig.defaults()
    pairs = []
    for number, query in enumerate(sample):
        proxy = model.make_entity(query.schema)
        proxy.id = f"q{number}"
        proxy.add("name", list(query.names))
        if query.birth_dates and proxy.schema.get("birthDate"):
            proxy.add("birthDate", list(query.birth_dates))
        candidates = [
            model.get_proxy(
                {"id": r.entry.id, "schema": r.entry.schema, "properties": r.entry.properties}
            )
            for r in screener.screen(query, limit=10)
        ]
        pairs.append((proxy, candidates))
    for proxy, candidates in pairs[:5]:  # warm-up: rigour loads its name data (~6 s)
        for candidate in candidates:
            algorithm.compare(proxy, candidate, config)
    started = time.perf_counter()
    compared = 0
    for proxy, candidates in pairs:
        for candidate in candidates:
            algorithm.compare(proxy, candidate, config)
            compared += 1
    seconds = time.perf_counter() - started
    return {
        "queries": len(pairs),
        "comparisons": compared,
        "seconds": seconds,
        "queries_per_second": len(pairs) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="data home to (re)use; default: a temp dir")
    parser.add_argument("--queries", type=int, default=20_000, help="batch size")
    parser.add_argument("--requests", type=int, default=520, help="HTTP requests")
    parser.add_argument("--logic-v2", type=int, default=300, help="queries for logic-v2")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        svc = service(home)
        shutil.rmtree(svc.cache_dir, ignore_errors=True)
        started = time.perf_counter()
        screener = svc.screener()
        build = time.perf_counter() - started
        print(
            f"index build (entities from the app store + index): {build:.1f} s for "
            f"{len(screener):,} entities, {len(screener.index):,} readings"
        )
        started = time.perf_counter()
        svc._screener = None  # measure the cached start of a new process
        svc.screener()
        print(f"index load from the on-disk cache: {time.perf_counter() - started:.1f} s")

        batch = queries(screener.entries, args.queries)
        started = time.perf_counter()
        matched = sum(bool(r) for r in screener.screen_many(batch, workers=2, matches_only=True))
        seconds = time.perf_counter() - started
        print(
            f"batch: {len(batch):,} queries in {seconds:.1f} s = "
            f"{len(batch) / seconds:,.0f} queries/s on 2 workers ({matched:,} with a match)"
        )
        started = time.perf_counter()
        single = batch[:2000]
        for query in single:
            screener.screen(query)
        one = len(single) / (time.perf_counter() - started)
        print(f"one process: {one:,.0f} queries/s")

        names = [q.names[0] for q in batch[: args.requests]]
        latency = http_latency(home, names)
        print(
            f"HTTP /match (1 query per request, {latency['requests']} requests): p50 "
            f"{latency['p50_ms']:.1f} ms, p95 {latency['p95_ms']:.1f} ms"
        )

        result = logic_v2(screener, batch[: args.logic_v2])
        if isinstance(result, str):
            print(f"logic-v2: {result}")
        else:
            print(
                f"logic-v2 scoring econsec's 10 best candidates per query: "
                f"{result['queries']} queries, {result['comparisons']:,} comparisons in "
                f"{result['seconds']:.1f} s = {result['queries_per_second']:.1f} queries/s "
                f"(1 process)"
            )


if __name__ == "__main__":
    main()
