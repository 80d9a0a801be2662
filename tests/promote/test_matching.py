"""The matching engine: BM25 against a hand computation, the semantic model loaded offline,
sectors and multi-use seeds (synthetic texts, labelled), and the readers' errors."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from econsec.datasets.promote_texts import read_texts, texts_from_records
from econsec.errors import DataError, InvalidInput
from econsec.promote.matching import Matcher, match_tables
from econsec.promote.matching_bm25 import BM25Index
from econsec.promote.matching_sectors import sector_of

# Synthetic seeds and needs (written for these tests).
SEEDS = {
    "s1": "Cold-atom quantum sensor. It gives GPS-free navigation for aircraft and ships.",
    "s2": "Solid-state lithium battery with a ceramic electrolyte for grid storage.",
    "s3": "Antimicrobial hydrogel wound dressing for battlefield and hospital use.",
}
NEEDS = {
    "n1": ("Navigation without GPS by quantum sensing", "Department of Defense; Navy"),
    "n2": ("Batteries for grid energy storage", "Department of Energy"),
    "n3": ("Wound care after trauma", "Department of Health and Human Services"),
    "n4": ("Wound dressings for soldiers", "Department of Defense; Army"),
}


def test_bm25_equals_the_formula_by_hand() -> None:
    docs = ["quantum sensor sensor", "battery", "quantum battery cell"]
    index = BM25Index.build(docs)
    cols, qtf = index.query("quantum sensors")
    scores = index.scores(cols, qtf)
    n, avgdl, k1, b = 3, 7 / 3, 1.2, 0.75  # lengths 3, 1, 3

    def w(tf: int, df: int, dl: int) -> float:
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))

    assert scores[0] == pytest.approx(w(1, 2, 3) + w(2, 1, 3), rel=1e-5)
    assert scores[1] == 0
    assert scores[2] == pytest.approx(w(1, 2, 3), rel=1e-5)


def test_matches_are_explained_and_multi_use_seeds_tagged() -> None:
    seeds = pa.table({"id": list(SEEDS), "text": list(SEEDS.values())})
    needs = pa.table(
        {
            "id": list(NEEDS),
            "text": [t for t, _ in NEEDS.values()],
            "agency": [a for _, a in NEEDS.values()],
        }
    )
    results, multi = match_tables(seeds, needs, top=2)
    best = {r.need: r.matches[0] for r in results}
    assert {k: m.seed for k, m in best.items()} == {"n1": "s1", "n2": "s2", "n3": "s3", "n4": "s3"}
    assert {"quantum", "navigation", "gps"} <= set(best["n1"].terms)
    assert best["n1"].passage == "It gives GPS-free navigation for aircraft and ships."
    # s3 (wound dressing) serves a defence and a health need: multi-use
    assert [(m.seed, sorted(m.sectors)) for m in multi] == [("s3", ["defence", "health"])]
    assert best["n3"].sectors == ["defence", "health"]
    line = results[0].to_dict()
    assert set(line) >= {"need", "matches"} and line["matches"][0]["seed"] == "s1"
    assert set(line["matches"][0]) >= {"seed", "score", "explanation"}
    assert all(m.bm25 and m.bm25 > 0 for r in results for m in r.matches if m.seed != "s3")


def test_an_unrelated_need_gets_no_seed() -> None:
    matcher = Matcher.build(list(SEEDS), list(SEEDS.values()))
    assert matcher.search("zzzz qqqq", top=3, method="bm25") == []
    assert matcher.search("zzzz qqqq", top=3, method="hybrid") == []
    with pytest.raises(InvalidInput, match="unknown method"):
        matcher.search("battery", method="lsa")


@pytest.mark.parametrize(
    ("agency", "sector"),
    [
        ("Department of Defense; Defense Health Program", "defence"),
        ("National Aeronautics and Space Administration", "space"),
        ("Department of Health and Human Services; National Institutes of Health", "health"),
        ("Department of Energy", "energy"),
        ("Department of Homeland Security", "public_safety"),
        ("National Science Foundation", "civil"),
        ("防衛装備庁", "defence"),
        ("宇宙航空研究開発機構 (JAXA)", "space"),
        ("科学技術振興機構 (JST)", "civil"),
        ("Acme Ltd", None),
    ],
)
def test_sectors_of_real_agency_names(agency: str, sector: str | None) -> None:
    assert sector_of(agency) == sector


def test_the_model_loads_from_the_wheel_offline(tmp_path: Path) -> None:
    # A fresh HOME (no model cache), the hub switched off, and sockets that refuse to open.
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from econsec.promote.matching_semantic import StaticEmbedder\n"
        "e = StaticEmbedder.bundled()\n"
        "v = e.embed(['quantum computer', 'quantum computing hardware', 'wound dressing'])\n"
        "print(e.dim, round(float(v[0] @ v[1]), 2), round(float(v[0] @ v[2]), 2))\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1", "XDG_CACHE_HOME": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    dim, near, far = done.stdout.split()
    assert dim == "256" and float(near) > 0.7 and float(far) < 0.3
    assert list(tmp_path.iterdir()) == []  # nothing cached or downloaded


def test_reader_contract_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "seeds.csv"
    good.write_text("id,title,abstract,agency\na,T1,Body one,Navy\nb,T2,,NASA\n", encoding="utf-8")
    table = read_texts(good)
    assert table.column_names == ["id", "text", "agency"]
    assert table["text"].to_pylist() == ["T1\nBody one", "T2"]
    cases = {
        "id,name\na,x\n": "line 1: missing column(s) id|no text columns",
        "id,text\na,x\na,y\n": "line 3, field 'id': duplicate id 'a' (first at line 2)",
        "id,text\n,x\n": "line 2, field 'id': empty id",
        "id,text\nb,\n": "line 2, field 'text': no text",
        "id,text\nb,x,y\n": "line 2: row has 3 fields",
    }
    for n, (content, message) in enumerate(cases.items()):
        path = tmp_path / f"bad{n}.csv"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
            read_texts(path)
    parquet = tmp_path / "needs.parquet"
    pq.write_table(pa.table({"id": [1, 2], "text": ["x", None]}), parquet)
    with pytest.raises(DataError, match=r"needs.parquet, row 2, field 'text': no text"):
        read_texts(parquet)
    with pytest.raises(InvalidInput, match=r"needs\[1\] \(b\): no text"):
        texts_from_records([{"id": "a", "text": "x"}, {"id": "b", "title": ""}], "needs")
