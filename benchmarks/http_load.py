"""Benchmark: the screening and dependency endpoints under 50 concurrent clients (issue 6).

    python benchmarks/http_load.py [--home DIR] [--clients 50] [--seconds 20]

Target: p99 <= 100 ms for ``POST /match/default`` and ``GET /know/dependencies`` at 50
concurrent clients on loopback, 0 errors. The server is ``econsec serve`` in its own process
(uvicorn, one worker, as `make run` starts it) on a home with every real screening list of
../shared/data/screening loaded (benchmarks/screening_lists.py) and the shipped data
(data/manifest.yaml). The load generator is Python (asyncio + httpx), in this process: each
client sends its next request as soon as the previous answer arrives (closed loop), for
``--seconds`` per endpoint after a warm-up. Screening queries are real names: the UN list's
own names and yente's synthetic negative persons, in a fixed shuffled order; dependency
queries rotate over 20 real importers for 2024 (BACI critical materials).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from screening_accuracy import EVAL  # noqa: E402
from screening_lists import service  # noqa: E402

IMPORTERS = (
    "JPN", "USA", "CHN", "DEU", "KOR", "FRA", "GBR", "ITA", "IND", "BRA",
    "CAN", "AUS", "NLD", "ESP", "MEX", "IDN", "THA", "VNM", "TWN", "EU27",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def names(limit: int = 2000) -> list[str]:
    """Real UN names (positives) and yente's synthetic negative persons, shuffled (seed 7)."""
    out: list[str] = []
    with (EVAL / "yente_cgb_positives_un_untreated.csv").open(encoding="utf-8") as fh:
        out += [row["full_name"] for row in csv.DictReader(fh)][: limit // 2]
    with gzip.open(EVAL / "yente_cgb_negatives_global.csv.gz", "rt", encoding="utf-8") as fh:
        out += [row["full_name"] for row in csv.DictReader(fh)][: limit // 2]
    random.Random(7).shuffle(out)
    return out


async def hammer(
    base: str, clients: int, seconds: float, request: Any
) -> tuple[list[float], int, int]:
    """Latencies (s), errors and requests of ``clients`` closed-loop clients for ``seconds``."""
    latencies: list[float] = []
    failures: list[str] = []
    errors = 0
    count = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def one(n: int) -> None:
            nonlocal errors, count
            i = n
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    answer = await request(client, i)
                    ok = answer.status_code == 200
                    if not ok:
                        failures.append(f"{answer.status_code} {answer.text[:200]}")
                except httpx.HTTPError as exc:
                    ok = False
                    failures.append(repr(exc))
                latencies.append(time.perf_counter() - start)
                count += 1
                errors += not ok
                i += clients

        await asyncio.gather(*(one(n) for n in range(clients)))
    for failure in sorted(set(failures))[:5]:
        print(f"    error: {failure}")
    return latencies, errors, count


def wrk_lua(kind: str, queries: list[str]) -> str:
    """A wrk script sending the same rotating requests as the Python clients."""
    if kind == "match":
        bodies = [
            json.dumps(
                {"queries": {"q": {"schema": "Person", "properties": {"name": [n]}}}},
                ensure_ascii=False,
            )
            for n in queries
        ]
        items = ",\n".join("  " + json.dumps(b, ensure_ascii=False) for b in bodies)
        return (
            f"local items = {{\n{items}\n}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
            '  return wrk.format("POST", "/match/default", '
            '{["Content-Type"] = "application/json"}, items[(i % #items) + 1])\nend\n'
        )
    items = ",".join(f'"{c}"' for c in IMPORTERS)
    return (
        f"local items = {{{items}}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
        '  return wrk.format("GET", "/know/dependencies?year=2024&importer=" .. '
        "items[(i % #items) + 1])\nend\n"
    )


def run_wrk(base: str, kind: str, queries: list[str], clients: int, seconds: float) -> str:
    """wrk's latency distribution for one endpoint (after a 5 s warm-up)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as fh:
        fh.write(wrk_lua(kind, queries))
    common = ["wrk", "-t1", f"-c{clients}", "-s", fh.name, base]
    subprocess.run([*common[:3], "-d5s", *common[3:]], check=True, capture_output=True)
    out = subprocess.run(
        [*common[:3], f"-d{int(seconds)}s", "--latency", *common[3:]],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    Path(fh.name).unlink()
    keep = ("50%", "90%", "99%", "requests in", "Requests/sec", "Socket errors", "Non-2xx")
    return "\n".join(
        "    " + line.strip()
        for line in out.splitlines()
        if line.strip().startswith(keep) or any(k in line for k in keep[3:])
    )


def figures(label: str, latencies: list[float], errors: int, count: int, seconds: float) -> str:
    cuts = statistics.quantiles(latencies, n=100)
    return (
        f"  {label}: {count:,} requests, {count / seconds:,.0f}/s, errors {errors}; "
        f"p50 {1000 * statistics.median(latencies):.1f} ms, p95 {1000 * cuts[94]:.1f} ms, "
        f"p99 {1000 * cuts[98]:.1f} ms, max {1000 * max(latencies):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1, help="econsec serve --workers")
    parser.add_argument(
        "--wrk", action="store_true", help="load with wrk (C, one thread) instead of Python"
    )
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="econsec-http-"))
    env = {**os.environ, "ECONSEC_HOME": str(home), "ECONSEC_DUCKDB_THREADS": "2"}
    service(home).store.app.dispose()
    econsec = [sys.executable, "-m", "econsec"]
    subprocess.run(
        [*econsec, "data", "load-manifest", str(ROOT / "data" / "manifest.yaml")],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            *econsec,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # The screening index is built (or read from its cache) at start, by every worker:
        # ready when 30 answers in a row (new connections, spread over the workers) say so.
        in_a_row = 0
        for _ in range(1200):
            try:
                ok = httpx.get(f"{base}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                ok = False
            in_a_row = in_a_row + 1 if ok else 0
            if in_a_row >= 30:
                break
            time.sleep(0.05 if ok else 0.5)
        else:
            sys.exit("the server did not become ready")
        queries = names()

        async def match(client: httpx.AsyncClient, i: int) -> httpx.Response:
            body = {
                "queries": {
                    "q": {"schema": "Person", "properties": {"name": [queries[i % len(queries)]]}}
                }
            }
            return await client.post("/match/default", json=body)

        async def deps(client: httpx.AsyncClient, i: int) -> httpx.Response:
            params = {"year": 2024, "importer": IMPORTERS[i % len(IMPORTERS)]}
            return await client.get("/know/dependencies", params=params)

        print(
            f"econsec http load: {args.clients} clients, {args.seconds:.0f} s per endpoint, "
            f"{args.workers} server worker(s)"
        )
        if args.wrk:
            for label, kind in (
                ("POST /match/default", "match"),
                ("GET /know/dependencies", "deps"),
            ):
                print(f"  {label} (wrk):")
                print(run_wrk(base, kind, queries, args.clients, args.seconds))
            return
        for label, request in (("POST /match/default", match), ("GET /know/dependencies", deps)):
            asyncio.run(hammer(base, args.clients, 3.0, request))  # warm-up
            latencies, errors, count = asyncio.run(
                hammer(base, args.clients, args.seconds, request)
            )
            print(figures(label, latencies, errors, count, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
