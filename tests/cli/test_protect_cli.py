"""``econsec protect ...`` in-process on the real UN, OFAC and METI lists: loading and diffing
list versions, screening one name or a CSV file, comparing names, and the rescreen / decide /
audit cycle. Screening commands share one read-only home (``loaded_home``); commands that
write get a fresh one (``env_home``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from econsec.cli import main
from econsec.settings import get_settings
from tests.conftest import shared_file
from tests.protect.conftest import (
    LISTED_ENTITY,
    LISTED_PERSON,
    REMOVED,
    UN_NEW,
    UN_OLD,
    loaded_home,
    truncated_copy,
    un_diff,
    un_file,
    warm_matcher,
)

UN_REF = re.compile(r"^[A-Z]{2}[ie]\.\d{3}$")  # QDi.001, CDe.004: the UN reference number
RESULT_KEYS = {"entity_id", "list", "source_id", "caption", "score", "match"}
CSV_HEADER = "id,name,entity_id,list,list_version,source_id,schema,caption,score,match,matched_name"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich sizes tables from COLUMNS: fix it so output does not vary."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(scope="module", autouse=True)
def _matcher() -> None:
    warm_matcher()


@pytest.fixture
def shared_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """ECONSEC_HOME pointing at the session's loaded home (for commands that only read)."""
    home = loaded_home(tmp_path_factory).home
    monkeypatch.setenv("ECONSEC_HOME", str(home))
    monkeypatch.setenv("ECONSEC_DUCKDB_THREADS", "2")
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    """Run a command that must succeed; its stdout and stderr."""
    code: object = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    assert code in (0, None), captured.err
    return captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(run(capsys, *args)[0])


def fail(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run a command that must exit non-zero; its exit code and stderr."""
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    assert isinstance(exit_.value.code, int) and exit_.value.code != 0, captured
    return exit_.value.code, captured.err


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def person() -> tuple[str, str, str]:
    """(reference, name as a customer writes it, birth date) of a UN-listed individual."""
    record = un_file(shared_file(UN_NEW))[1][LISTED_PERSON]
    return record.ref, record.name.title(), record.birth_dates[0]


def organisation() -> tuple[str, str]:
    record = un_file(shared_file(UN_NEW))[1][LISTED_ENTITY]
    return record.ref, record.name.title()


# -- lists ---------------------------------------------------------------------------------------


def test_lists_load_list_and_diff(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old, new = shared_file(UN_OLD), shared_file(UN_NEW)
    loaded = run_json(capsys, "protect", "lists", "load", "un", str(old), "--json")
    assert loaded["rescreen"] is None
    first = loaded["loaded"]
    assert (first["list"], first["version"], first["format"]) == ("un-sc", "2025-11-29", "un")
    assert first["entities"] == len(un_file(old)[1]) == 1000
    assert first["files"] == [
        {"path": str(old), "sha256": hashlib.sha256(old.read_bytes()).hexdigest()}
    ]
    out, _ = run(capsys, "protect", "lists", "load", "un", str(new))
    assert "un-sc version 2026-01-28 loaded: 999 entities" in out

    active = run_json(capsys, "protect", "lists", "list", "--json")
    assert [(v["list"], v["version"], v["entities"], v["active"]) for v in active] == [
        ("un-sc", "2026-01-28", 999, True)
    ]
    every = run_json(capsys, "protect", "lists", "list", "--all", "--json")
    assert [(v["version"], v["active"]) for v in every] == [
        ("2026-01-28", True),
        ("2025-11-29", False),
    ]
    table, _ = run(capsys, "protect", "lists", "list")
    assert "un-sc" in table and "999" in table

    added, removed, changed = un_diff(old, new)
    diff = run_json(capsys, "protect", "lists", "diff", "un-sc", "--json")
    assert diff["summary"] == {
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
    }
    assert [d["source_id"] for d in diff["removed"]] == sorted(removed) == [REMOVED]
    assert diff["added"] == [] and diff["changed"] == []
    text, _ = run(capsys, "protect", "lists", "diff", "un-sc")
    assert "0 added, 1 removed, 0 changed" in text
    assert f"- {REMOVED}  {un_file(old)[1][REMOVED].name}" in text

    code, err = fail(capsys, "protect", "lists", "load", "un", str(new))
    assert code == 1
    assert "un-sc version 2026-01-28 with the same content is already loaded" in err
    out, _ = run(capsys, "protect", "lists", "load", "un", str(new), "--skip-unchanged")
    assert out.startswith("unchanged: un-sc version 2026-01-28 with the same content")
    broken, line = truncated_copy(new, tmp_path)
    code, err = fail(capsys, "protect", "lists", "load", "un", str(broken))
    assert code == 1 and f"{broken}, line {line}: malformed XML" in err
    code, err = fail(capsys, "protect", "lists", "diff", "un-sc-typo")
    assert code == 1 and "no versions of list 'un-sc-typo'" in err
    after = run_json(capsys, "protect", "lists", "list", "--json")
    assert [(v["version"], v["entities"]) for v in after] == [("2026-01-28", 999)]


def test_lists_formats(capsys: pytest.CaptureFixture[str]) -> None:
    items = run_json(capsys, "protect", "lists", "formats", "--json")
    names = [i["format"] for i in items]
    assert set(names) >= {"ofac", "un", "eu", "meti", "meti-eul", "mof", "ftm", "csv", "csl", "uk"}
    assert len(names) == len(set(names))
    for item in items:
        assert set(item) == {"format", "title", "publisher", "licence", "sample"}
        assert item["title"] and item["publisher"] and item["licence"], item
    un = next(i for i in items if i["format"] == "un")
    assert un["title"] == "UN Security Council Consolidated List"


# -- screening one name --------------------------------------------------------------------------


def test_screen_json(shared_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref, name, _ = person()
    found = run_json(capsys, "protect", "screen", name, "--format", "json")
    assert found["query"] == name
    top = found["results"][0]
    assert set(top) >= RESULT_KEYS | {"list_version", "schema", "features", "explanation"}
    assert (top["source_id"], top["list"], top["list_version"]) == (ref, "un-sc", "2026-01-28")
    assert top["match"] is True and isinstance(top["score"], float)
    assert top["caption"] == un_file(shared_file(UN_NEW))[1][ref].name
    assert all(r["match"] for r in found["results"])  # without --all, matches only
    table, _ = run(capsys, "protect", "screen", name)
    assert "MATCH" in table and ref in table
    only_ofac = run_json(
        capsys, "protect", "screen", name, "--list", "ofac-consolidated", "--format", "json"
    )
    assert only_ofac["results"] == []
    text, _ = run(capsys, "protect", "screen", name, "--list", "ofac-consolidated")
    assert "no match" in text


def test_screen_person_with_birth_date(
    shared_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, name, born = person()

    def top(*options: str) -> dict[str, Any]:
        args = ("protect", "screen", name, "--schema", "Person", *options, "--format", "json")
        results = run_json(capsys, *args, "--all")["results"]
        return next(r for r in results if r["source_id"] == ref)

    plain, same, other = top(), top("--birth-date", born), top("--birth-date", "1931")
    assert same["match"] is True and same["score"] >= plain["score"]
    assert other["score"] < plain["score"]
    assert any(v < 0 for v in other["features"].values()), other["features"]
    assert any(v > 0 for k, v in same["features"].items() if k != "name"), same["features"]


def test_screen_with_an_unknown_list_fails(
    shared_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, name, _ = person()
    code, err = fail(capsys, "protect", "screen", name, "--list", "un")
    assert code == 1 and "un" in err and "un-sc" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), "a query needs a name"),
        (("   ",), "a query needs a name"),
        (("!!! ???",), "name has no letters or digits"),
        (("x" * 301,), "name longer than 300 characters"),
        (("Germain Katanga", "--birth-date", "1978-13"), "birth date out of range"),
        (("Germain Katanga", "--birth-date", "April 1978"), "birth date must be YYYY"),
        (("Germain Katanga", "--schema", "Persn"), "unknown schema 'Persn'"),
        (("Germain Katanga", "--country", "Atlantis"), "unknown country 'Atlantis'"),
    ],
)
def test_screen_refuses_empty_or_absurd_queries(
    shared_home: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, err = fail(capsys, "protect", "screen", *args)
    assert code == 1
    assert err.startswith("error: ") and message in err


# -- screening a file ----------------------------------------------------------------------------

SYNTHETIC = [  # synthetic: names on no list
    ("syn-1", "Hanako Yamada", "Person", "", ""),
    ("syn-2", "Sakura Precision Optics KK", "Company", "jp", ""),
    ("syn-3", "Blue Harbour Logistics Ltd", "Company", "", ""),
    ("syn-4", "Kenji Watanabe", "Person", "jp", "1975-02-11"),
]


def parties_csv(folder: Path, rows: list[tuple[str, ...]] | None = None) -> Path:
    """Real UN-listed names among synthetic ones (the synthetic rows say so in their ids)."""
    _, person_name, born = person()
    _, entity_name = organisation()
    if rows is None:
        rows = [
            SYNTHETIC[0],
            ("un-person", person_name, "Person", "", born),
            SYNTHETIC[1],
            ("un-entity", entity_name, "Company", "", ""),
            SYNTHETIC[2],
            SYNTHETIC[3],
        ]
    path = folder / "parties.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "schema", "country", "birth_date"])
        writer.writerows(rows)
    return path


def test_screen_file_jsonl_contract(
    shared_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = parties_csv(tmp_path)
    out, err = run(capsys, "protect", "screen-file", str(path), "--format", "jsonl")
    lines = jsonl(out)
    assert [line["id"] for line in lines] == [
        "syn-1",
        "un-person",
        "syn-2",
        "un-entity",
        "syn-3",
        "syn-4",
    ]
    assert all(set(line) == {"id", "results"} for line in lines)
    by_id = {line["id"]: line["results"] for line in lines}
    records = un_file(shared_file(UN_NEW))[1]
    for results in by_id.values():
        for result in results:
            assert set(result) >= RESULT_KEYS
            assert isinstance(result["score"], float) and result["match"] is True
            if result["list"] == "un-sc":
                assert UN_REF.match(result["source_id"]) and result["source_id"] in records
                assert result["caption"] == records[result["source_id"]].name
    assert by_id["un-person"][0]["source_id"] == LISTED_PERSON
    assert by_id["un-entity"][0]["source_id"] == LISTED_ENTITY
    assert all(by_id[row[0]] == [] for row in SYNTHETIC)
    assert "6 parties screened, 2 with a match" in err

    options = ["--format", "jsonl", "--all", "--limit", "2"]
    every = jsonl(run(capsys, "protect", "screen-file", str(path), *options)[0])
    assert [line["id"] for line in every] == [line["id"] for line in lines]
    assert all(1 <= len(line["results"]) <= 2 for line in every)
    assert any(not r["match"] for line in every for r in line["results"])


def test_screen_file_keeps_input_order_across_workers(
    shared_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every fifth UN record by its printed name (200 rows, several worker chunks): line i answers
    row i, so each row finds its own record."""
    records = list(un_file(shared_file(UN_NEW))[1].values())[::5]
    rows = [
        (f"row-{i}", r.name, "Person" if r.kind == "INDIVIDUAL" else "Organization", "", "")
        for i, r in enumerate(records)
    ]
    path = parties_csv(tmp_path, rows)
    options = ["--format", "jsonl", "--workers", "2", "--limit", "3"]
    lines = jsonl(run(capsys, "protect", "screen-file", str(path), *options)[0])
    assert [line["id"] for line in lines] == [row[0] for row in rows]
    for record, line in zip(records, lines, strict=True):
        assert record.ref in [r["source_id"] for r in line["results"]], (record, line)


def test_screen_file_csv_output(
    shared_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = parties_csv(tmp_path)
    target = tmp_path / "hits.csv"
    out, _ = run(capsys, "protect", "screen-file", str(path), "--format", "csv", "-o", str(target))
    assert out == ""
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == CSV_HEADER
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["id"] for r in rows][:1] == ["un-person"]
    assert {r["id"] for r in rows} == {"un-person", "un-entity"}
    first = rows[0]
    assert (first["source_id"], first["list"], first["match"]) == (LISTED_PERSON, "un-sc", "true")
    assert float(first["score"]) >= 0.7 and first["name"] == person()[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hits.csv", "parties.csv"]


def test_screen_file_errors_name_file_and_line_and_write_nothing(
    shared_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    no_name = tmp_path / "no_name.csv"
    no_name.write_text("id,party_name\nsyn-1,Hanako Yamada\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    code, err = fail(
        capsys, "protect", "screen-file", str(no_name), "--format", "jsonl", "-o", str(target)
    )
    assert code == 1
    assert f"{no_name}, line 1: missing column(s) name" in err

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, err = fail(capsys, "protect", "screen-file", str(empty), "-o", str(target))
    assert code == 1 and f"{empty}, line 1: empty file" in err
    empty.unlink()

    rows: list[tuple[str, ...]] = [
        *SYNTHETIC[:3],
        ("syn-bad", "Taro Suzuki", "Person", "", "1975-02-30x"),
    ]
    bad_date = parties_csv(tmp_path, rows)  # the bad birth date is on line 5 (header is line 1)
    for fmt in ("jsonl", "csv"):
        code, err = fail(
            capsys, "protect", "screen-file", str(bad_date), "--format", fmt, "-o", str(target)
        )
        assert code == 1
        assert f"{bad_date}, line 5, field 'birth_date': birth date must be YYYY" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no_name.csv", "parties.csv"]


# -- comparing names -----------------------------------------------------------------------------


def test_compare_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    _, name = organisation()
    listed = un_file(shared_file(UN_NEW))[1][LISTED_ENTITY].name
    same = run_json(
        capsys, "protect", "compare", name, listed, "--schema", "Company", "--format", "json"
    )
    assert set(same) >= {"score", "match", "features"}
    assert isinstance(same["score"], float) and isinstance(same["match"], bool)
    assert isinstance(same["features"], dict) and same["features"]
    assert same["match"] is True
    other = run_json(
        capsys, "protect", "compare", "Sakura Precision Optics KK", listed, "--format", "json"
    )
    assert other["match"] is False and other["score"] < same["score"]
    table, _ = run(capsys, "protect", "compare", name, listed, "--schema", "Company")
    assert table.startswith("MATCH: score")
    code, err = fail(capsys, "protect", "compare", "", listed)
    assert code == 1 and "a query needs a name" in err


def test_compare_file_one_line_per_pair_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    records = un_file(shared_file(UN_NEW))[1]
    pairs = [(r.name.title(), r.aliases[0], "Thing") for r in records.values() if r.aliases][:5]
    pairs.insert(2, ("Hanako Yamada", "Blue Harbour Logistics Ltd", "Thing"))  # synthetic
    path = tmp_path / "pairs.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name1", "name2", "schema"])
        writer.writerows(pairs)
    lines = jsonl(run(capsys, "protect", "compare-file", str(path), "--format", "jsonl")[0])
    assert [(x["name1"], x["name2"], x["schema"]) for x in lines] == pairs
    for line in lines:
        assert isinstance(line["score"], float) and isinstance(line["match"], bool)
        assert isinstance(line["features"], dict)
    assert lines[2]["match"] is False
    target = tmp_path / "pairs_out.csv"
    run(capsys, "protect", "compare-file", str(path), "--format", "csv", "-o", str(target))
    out_rows = list(csv.reader(target.read_text(encoding="utf-8").splitlines()))
    assert out_rows[0] == ["name1", "name2", "schema", "score", "match", "features"]
    assert [tuple(r[:3]) for r in out_rows[1:]] == pairs
    broken = tmp_path / "broken.csv"
    broken.write_text("name1,other\nA,B\n", encoding="utf-8")
    code, err = fail(capsys, "protect", "compare-file", str(broken), "-o", str(tmp_path / "x"))
    assert code == 1 and f"{broken}, line 1: missing column(s) name2" in err
    assert not (tmp_path / "x").exists()


# -- parties, rescreening, decisions, audit ------------------------------------------------------


def test_parties_rescreen_decide_audit(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = fail(capsys, "protect", "rescreen")
    assert code == 2 and "no stored parties" in err
    run(capsys, "protect", "lists", "load", "un", str(shared_file(UN_OLD)))
    removed = un_file(shared_file(UN_OLD))[1][REMOVED]
    path = parties_csv(
        tmp_path,
        [
            SYNTHETIC[0],
            ("party-listed", removed.name.title(), "Person", "", removed.birth_dates[0]),
            SYNTHETIC[1],
        ],
    )
    out, _ = run(capsys, "protect", "parties", "import", str(path), "--no-rescreen")
    assert "3 parties stored" in out
    stored = run_json(capsys, "protect", "parties", "list", "--json")
    assert [p["id"] for p in stored] == ["party-listed", "syn-1", "syn-2"]
    assert stored[0]["birth_date"] == removed.birth_dates[0]

    first = run_json(capsys, "protect", "rescreen", "--reason", "monthly", "--json")
    assert (first["reason"], first["parties"], first["hits"]) == ("monthly", 3, 1)
    assert [(h["party_id"], h["entity_id"], h["status"]) for h in first["new_hits"]] == [
        ("party-listed", "un-sc-iqi-074", "new")
    ]
    hits = run_json(capsys, "protect", "hits", "--json")
    assert [(h["entity_id"], h["status"], h["run"]) for h in hits] == [
        ("un-sc-iqi-074", "new", first["run"])
    ]
    assert run_json(capsys, "protect", "hits", "--new", "--json") == hits

    decided = run_json(
        capsys,
        "protect",
        "decide",
        "party-listed",
        "un-sc-iqi-074",
        "--verdict",
        "false_positive",
        "--reason",
        "customer born 1980 in Osaka",
        "--analyst",
        "a.tanaka",
        "--json",
    )
    assert (decided["verdict"], decided["analyst"], decided["list"]) == (
        "false_positive",
        "a.tanaka",
        "un-sc",
    )
    code, err = fail(
        capsys,
        "protect",
        "decide",
        "party-listed",
        "un-sc-iqi-074",
        "--verdict",
        "fine",
        "--reason",
        "r",
        "--analyst",
        "a",
    )
    assert code == 1 and "verdict must be one of true_positive, false_positive" in err

    second = run_json(capsys, "protect", "rescreen", "--json")
    assert (second["suppressed"], second["new_hits"]) == (1, [])
    statuses = run_json(capsys, "protect", "hits", "--party", "party-listed", "--json")
    assert [h["status"] for h in statuses] == ["new", "suppressed"]
    text, _ = run(capsys, "protect", "rescreen")
    assert "1 suppressed as decided false positives" in text
    decisions = run_json(capsys, "protect", "decisions", "--json")
    assert [(d["party_id"], d["reason"]) for d in decisions] == [
        ("party-listed", "customer born 1980 in Osaka")
    ]
    table, _ = run(capsys, "protect", "decisions")
    assert "a.tanaka" in table

    loaded = run_json(
        capsys, "protect", "lists", "load", "un", str(shared_file(UN_NEW)), "--json"
    )  # rescreens by default: the delisted entity's hit is gone
    assert loaded["rescreen"]["hits"] == 0 and loaded["rescreen"]["parties"] == 3

    audit = tmp_path / "audit.jsonl"
    out, _ = run(capsys, "protect", "audit", "-o", str(audit))
    assert out == ""
    records = jsonl(audit.read_text(encoding="utf-8"))
    kinds = [r["record"] for r in records]
    assert kinds.count("list_version") == 2 and kinds.count("run") == 4
    assert kinds.count("hit") == 3 and kinds.count("decision") == 1
    assert records[-1]["analyst"] == "a.tanaka"


def test_the_settings_set_the_screening_policy(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A typo'd name scores about 0.9: a match at the default threshold, not under a 0.95 policy.
    args = ("protect", "compare", "Abdulhai Salek", "Abdulhay Salek", "--schema", "Person")
    default = run_json(capsys, *args, "--format", "json")
    assert default["match"] is True and default["score"] < 0.95
    monkeypatch.setenv("ECONSEC_SCREEN_THRESHOLD", "0.95")
    get_settings.cache_clear()
    try:
        strict = run_json(capsys, *args, "--format", "json")
        explicit = run_json(capsys, *args, "--threshold", "0.8", "--format", "json")
    finally:
        get_settings.cache_clear()
    assert strict["score"] == default["score"] and strict["match"] is False
    assert explicit["match"] is True
