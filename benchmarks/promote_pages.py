"""Benchmark of the Promote web pages on the shipped real data (issue 9, part 5). Prints
figures; asserts none.

    .venv/bin/python benchmarks/promote_pages.py [--runs 3]

Each page is requested through the app (FastAPI's test client, signed in, a fresh data home
with ``critical_technologies`` loaded), first cold (the page computes and keeps its result in
the API's cache) and then warm. The matching page's first view builds the index over the
3,231 shipped SBIR awards and matches every need of the chosen sample (789 for ``mixed``, 190
for ``af15``); the portfolio page solves the example with an 8-point frontier and scores it
with 200 weight draws.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.api.routers import know
from econsec.datasets.catalogue import Catalogue
from econsec.security.service import Security
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore
from econsec.store.app import open_app_store
from econsec.web import guard

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark-password-not-secret"  # a throwaway user of a throwaway home
PAGES = (
    ("technology lists + search", "/web/promote?q=quantum"),
    ("landscape (AI, 5-year windows)", "/web/promote/landscape"),
    ("portfolio (example, frontier 8, 200 draws)", "/web/promote/portfolio"),
    ("matching, mixed sample (789 needs)", "/web/promote/match"),
    ("matching, Air Force sample (190 needs)", "/web/promote/match?sample=af15"),
)


def _client(home: Path) -> TestClient:
    key = "econsec-benchmark-key-5b0e9d7c1a2f4e6b"  # a throwaway home's key
    settings = Settings(home=home, secret_key=key, sign_in_per_minute=10_000)
    catalogue = Catalogue(AnalyticsStore.from_settings(settings))
    catalogue.load("critical_technologies", ROOT / "data/policy/critical_technologies.yaml", {})
    app_store = open_app_store(settings.app_database_url)
    Security(settings, app_store).add_user("operator:benchmark", "bench", "analyst", PASSWORD)
    app_store.dispose()
    client = TestClient(create_app(settings, warm_screener=False), base_url="https://b")
    client.__enter__()
    client.get("/web/login")
    token = client.cookies.get(guard.CSRF_COOKIE)
    signed = client.post(
        "/web/login",
        data={"name": "bench", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return client


def _timed(client: TestClient, url: str) -> float:
    begun = time.perf_counter()
    answer = client.get(url)
    seconds = time.perf_counter() - begun
    if answer.status_code != 200 or 'class="error"' in answer.text:
        raise SystemExit(f"{url}: {answer.status_code}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold views per page (fresh caches)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        client = _client(Path(folder))
        print(f"{'page':45} {'cold s (median, max)':>22} {'warm s':>8}")
        for name, url in PAGES:
            cold = []
            for _ in range(args.runs):
                know._RESULTS = type(know._RESULTS)()  # the pages' result cache, emptied
                cold.append(_timed(client, url))
            warm = _timed(client, url)
            print(f"{name:45} {statistics.median(cold):>13.2f} {max(cold):>8.2f} {warm:>8.3f}")


if __name__ == "__main__":
    main()
