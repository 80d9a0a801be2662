"""Benchmark: screening accuracy on real lists and labelled evaluation sets (issue 4).

    python benchmarks/screening_accuracy.py [--home DIR] [--negatives N]

Targets, with every real list loaded (benchmarks/screening_lists.py):

* recall >= 0.99 on yente's ``positives_un_untreated`` and >= 0.95 on ``positives_un_treated``:
  the UN entity the row was drawn from is returned at or above the threshold;
* at most 1 % of the 50,000 ``negatives_global`` queries produce any match (``negatives_us``
  is reported too);
* on nomenklatura's entity-bench checks, F1 above nomenklatura's ``logic-v2`` (threshold 0.7,
  its default) on the same checks, run here when nomenklatura is installed (the benchmark
  environment only: ``make bench-env``);
* Japanese: METI and MOF entries carry a Japanese and an English name. Each one whose English
  name is also an OFAC SDN or UN entry's name gives a test: the Japanese name alone must find
  that OFAC/UN entity, screened against OFAC and UN only (lists with no Japanese script).

Ground truth for the UN sets: a row's entity is the ``un-sc`` entity whose name or alias equals
the untreated row's name (after case and punctuation folding); the treated row i has the same
entity as untreated row i. Rows whose name is on no loaded UN entity are counted and left out.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from screening_lists import SHARED, service  # noqa: E402

from econsec.errors import InvalidInput  # noqa: E402
from econsec.protect.screening.model import Entry, Query  # noqa: E402
from econsec.protect.screening.normalise import forms  # noqa: E402
from econsec.protect.screening.screener import Screener, compare_entities  # noqa: E402

EVAL = SHARED / "eval"
_FOLD = re.compile(r"[^a-z0-9]+")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def fold(name: str) -> str:
    """Case and punctuation folded, for ground-truth joins."""
    return " ".join(_FOLD.sub(" ", name.lower()).split())


def person_query(row: dict[str, str]) -> Query:
    """A yente benchmark row as a query (an impossible date such as 1974-01-32, which the
    treated set contains, is reduced to its year)."""
    countries = (row["nationality"],) if row.get("nationality") else ()
    dates = (row["date_of_birth"],) if row.get("date_of_birth") else ()
    try:
        return Query((row["full_name"],), "Person", countries, dates)
    except InvalidInput:
        return Query((row["full_name"],), "Person", countries, tuple(d[:4] for d in dates))


def un_recall(screener: Screener, entries: list[Entry]) -> list[dict[str, Any]]:
    """Recall on the untreated and treated UN positives."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.list_name == "un-sc":
            for name in entry.names:
                by_name[fold(name)].add(entry.id)
    untreated = list(csv.DictReader((EVAL / "yente_cgb_positives_un_untreated.csv").open()))
    treated = list(csv.DictReader((EVAL / "yente_cgb_positives_un_treated.csv").open()))
    truth = [by_name.get(fold(r["full_name"]), set()) for r in untreated]
    out = []
    for label, rows in (("un_untreated", untreated), ("un_treated", treated)):
        pairs = [(r, t) for r, t in zip(rows, truth, strict=True) if t]
        started = time.perf_counter()
        found = 0
        misses = []
        results = screener.screen_many(
            (person_query(r) for r, _t in pairs), limit=20, matches_only=True
        )
        for (row, want), hits in zip(pairs, results, strict=True):
            if any(h.entry.id in want for h in hits):
                found += 1
            else:
                misses.append(row["full_name"])
        out.append(
            {
                "set": label,
                "rows": len(rows),
                "with_truth": len(pairs),
                "found": found,
                "recall": found / len(pairs),
                "seconds": time.perf_counter() - started,
                "misses": misses[:10],
            }
        )
    return out


def negatives(screener: Screener, name: str, limit: int | None) -> dict[str, Any]:
    """How many synthetic non-listed persons match anything."""
    with gzip.open(EVAL / f"yente_cgb_negatives_{name}.csv.gz", "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:limit]
    started = time.perf_counter()
    matched = []
    for row, hits in zip(
        rows,
        screener.screen_many((person_query(r) for r in rows), limit=1, matches_only=True),
        strict=True,
    ):
        if hits:
            matched.append(f"{row['full_name']} -> {hits[0].entry.caption} ({hits[0].score:.2f})")
    return {
        "set": f"negatives_{name}",
        "rows": len(rows),
        "matched": len(matched),
        "rate": len(matched) / len(rows),
        "seconds": time.perf_counter() - started,
        "examples": matched[:10],
    }


def f1(predicted: list[bool], truth: list[bool]) -> dict[str, float]:
    """Precision, recall and F1."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": score}


def entity_bench() -> dict[str, Any]:
    """econsec-v1 and (when installed) logic-v2 on nomenklatura's entity-bench checks."""
    checks = json.loads((EVAL / "nomenklatura_entity_bench_checks.json").read_text())["checks"]
    truth = [bool(c["match"]) for c in checks]
    started = time.perf_counter()
    ours = [compare_entities(c["schema"], c["query"], c["candidate"]).match for c in checks]
    out: dict[str, Any] = {
        "checks": len(checks),
        "econsec-v1": {**f1(ours, truth), "seconds": time.perf_counter() - started},
    }
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig
    except ImportError:
        out["logic-v2"] = "not run: nomenklatura is not installed (make bench-env)"
        return out
    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = ScoringConfig.defaults()

    def entity(schema: str, props: dict[str, Any], key: str) -> Any:
        proxy = model.make_entity(schema)
        proxy.id = key
        for prop, value in props.items():
            proxy.add(prop, value)
        return proxy

    started = time.perf_counter()
    theirs = [
        algorithm.compare(
            entity(c["schema"], c["query"], "q"), entity(c["schema"], c["candidate"], "c"), config
        ).score
        >= 0.7
        for c in checks
    ]
    out["logic-v2"] = {**f1(theirs, truth), "seconds": time.perf_counter() - started}
    return out


def japanese_pairs(entries: list[Entry]) -> Iterator[tuple[str, str, Entry, set[str]]]:
    """(Japanese name, schema, the METI/MOF entry, ids of OFAC/UN entries with its English
    name) for every METI or MOF entry whose English name is an OFAC SDN or UN name."""
    latin: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for entry in entries:
        if entry.list_name in ("ofac-sdn", "un-sc"):
            for name in (*entry.names,):
                for form in forms(name, not entry.is_person)[:1]:
                    latin[(form.key, entry.is_person)].add(entry.id)
    for entry in entries:
        if not entry.list_name.startswith(("meti-", "mof-")):
            continue
        japanese = [n for n in entry.names if _JAPANESE.search(n)]
        english = [n for n in (*entry.names, *entry.weak_names) if not _JAPANESE.search(n)]
        if not japanese:
            continue
        want: set[str] = set()
        for name in english:
            for form in forms(name, not entry.is_person)[:1]:
                want |= latin.get((form.key, entry.is_person), set())
        if want:
            yield japanese[0], entry.schema, entry, want


def japanese(entries: list[Entry]) -> dict[str, Any]:
    """Japanese-name queries for entities listed only in Latin script on OFAC or UN."""
    latin_only = Screener([e for e in entries if e.list_name in ("ofac-sdn", "un-sc")])
    pairs = list(japanese_pairs(entries))
    found = top1 = 0
    misses = []
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, schema, _entry, want in pairs:
        query = Query((name,), "Person" if schema == "Person" else "LegalEntity")
        hits = latin_only.screen(query, limit=10, matches_only=True)
        ok = any(h.entry.id in want for h in hits)
        kind = "katakana only" if not re.search(r"[\u3400-\u9fff]", name) else "with kanji"
        by_kind[kind][0] += int(ok)
        by_kind[kind][1] += 1
        found += int(ok)
        top1 += int(bool(hits) and hits[0].entry.id in want)
        if not ok:
            misses.append(name)
    return {
        "pairs": len(pairs),
        "found": found,
        "recall": found / len(pairs) if pairs else 0.0,
        "top1": top1 / len(pairs) if pairs else 0.0,
        "by_kind": {k: {"found": v[0], "pairs": v[1]} for k, v in by_kind.items()},
        "misses": misses[:15],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="data home to (re)use; default: a temp dir")
    parser.add_argument("--negatives", type=int, default=None, help="only the first N negatives")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        svc = service(args.home or Path(tmp))
        started = time.perf_counter()
        screener = svc.screener()
        print(
            f"index: {len(screener)} entities, {len(screener.index)} readings, "
            f"{time.perf_counter() - started:.1f} s"
        )
        entries = screener.entries
        report: dict[str, Any] = {"un": un_recall(screener, entries)}
        for item in report["un"]:
            print(
                f"{item['set']}: recall {item['recall']:.4f} ({item['found']}/"
                f"{item['with_truth']}; {item['rows'] - item['with_truth']} rows without a "
                f"UN entity) in {item['seconds']:.1f} s; misses: {item['misses']}"
            )
        report["negatives"] = [negatives(screener, n, args.negatives) for n in ("global", "us")]
        for item in report["negatives"]:
            print(
                f"{item['set']}: {item['matched']}/{item['rows']} matched ({item['rate']:.4%})"
                f" in {item['seconds']:.1f} s; e.g. {item['examples'][:5]}"
            )
        report["entity_bench"] = bench = entity_bench()
        for name in ("econsec-v1", "logic-v2"):
            value = bench[name]
            if isinstance(value, dict):
                print(
                    f"entity bench {name}: F1 {value['f1']:.4f} (precision "
                    f"{value['precision']:.4f}, recall {value['recall']:.4f}) "
                    f"{value['seconds']:.2f} s"
                )
            else:
                print(f"entity bench {name}: {value}")
        report["japanese"] = ja = japanese(entries)
        print(
            f"japanese: {ja['found']}/{ja['pairs']} found (recall {ja['recall']:.4f}, top-1 "
            f"{ja['top1']:.4f}); {ja['by_kind']}; misses: {ja['misses']}"
        )
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
