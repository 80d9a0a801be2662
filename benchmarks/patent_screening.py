"""Benchmark: first-stage screening of 100,000 patent applications (issue 7).

    python benchmarks/patent_screening.py [--count 100000] [--seed 7]

Target: <= 10 s for 100,000 applications. The applications are SYNTHETIC: each gets 1 to 5
real IPC symbols drawn from the IPC scheme (../shared/data/policy/ipc_scheme.csv: main groups
and subgroups of every section), one in twenty also a symbol from the specified fields' own
areas (so that matches happen), and a filing date in 2024-2025. They are written to a JSON file
in the issue's application format and read back, so the time covers reading, parsing every
symbol, screening (with the scheme's subgroup tree) and the deadlines. The fields are the
shipped patent_secrecy_fields.yaml.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from econsec.cases.ipc import Scheme
from econsec.cases.patents import FieldScreener, read_applications, read_fields

ROOT = Path(__file__).resolve().parents[1]
SCHEME = ROOT.parent / "shared" / "data" / "policy" / "ipc_scheme.csv"
FIELDS = ROOT / "data" / "policy" / "patent_secrecy_fields.yaml"
FIELD_AREAS = (
    "F41H 3/00", "F41G 7/22", "F42B 10/02", "B01D 59/10", "G21C 19/44", "C01B 5/00",
    "F02K 9/10", "B64G 1/64", "H04K 3/00", "G06F 21/86", "B63G 8/00", "B63C 7/26",
)  # fmt: skip


def applications(count: int, seed: int) -> list[dict[str, object]]:
    with SCHEME.open(encoding="utf-8") as fh:
        codes = [
            r["symbol"] for r in csv.DictReader(fh) if r["level"] in ("main_group", "subgroup")
        ]
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    out = []
    for n in range(count):
        ipc = rng.sample(codes, rng.randint(1, 5))
        if n % 20 == 0:
            ipc.append(rng.choice(FIELD_AREAS))
        out.append(
            {
                "id": f"syn-{n:06d}",
                "filing_date": (start + timedelta(days=rng.randrange(730))).isoformat(),
                "applicant": "Synthetic Applicant KK",
                "inventors": [{"name": "Synthetic Inventor", "country": "JP"}],
                "title": "synthetic",
                "abstract": "synthetic",
                "claims": "1. synthetic",
                "ipc": ipc,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not SCHEME.is_file():
        sys.exit(f"{SCHEME} is missing: the benchmark needs ../shared beside the repo")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "applications.json"
        path.write_text(json.dumps(applications(args.count, args.seed)), encoding="utf-8")
        scheme = Scheme.read(SCHEME)
        started = time.perf_counter()
        screener = FieldScreener(read_fields(FIELDS), scheme)
        results = [screener.screen(a).as_dict() for a in read_applications(path)]
        seconds = time.perf_counter() - started
    matched = sum(1 for r in results if r["fields"])
    judged = sum(1 for r in results if r["needs_judgement"])
    print(
        f"{len(results):,} applications screened in {seconds:.2f} s "
        f"({len(results) / seconds:,.0f}/s): {matched:,} in a specified field, "
        f"{judged:,} need judgement (target: 100,000 in <= 10 s)"
    )


if __name__ == "__main__":
    main()
