"""The analytics store: one writer, readers beside it in this process and in others."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from econsec.errors import StoreBusy
from econsec.store.analytics import AnalyticsStore, run_with_progress


def _other_process(store: AnalyticsStore, mode: str) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(f"""
        from econsec.errors import StoreBusy
        from econsec.store.analytics import AnalyticsStore
        store = AnalyticsStore({str(store.path)!r}, wait_seconds=0.5)
        try:
            with store.{mode}() as con:
                print(con.execute("SELECT count(*) FROM t").fetchone()[0])
        except StoreBusy as exc:
            print("busy:", exc.message)
    """)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )


def test_reader_of_a_missing_store_sees_nothing(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "none.duckdb")
    with store.reader() as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
    assert not store.path.exists()


def test_readers_in_this_process_see_committed_state_while_writing(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "a.duckdb")
    with store.writer() as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    with store.writer() as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO t VALUES (2)")
        seen: list[object] = []
        thread = threading.Thread(target=lambda: seen.append(_count(store)))
        thread.start()
        thread.join()
        con.execute("COMMIT")
        assert seen == [1]  # the uncommitted row is invisible to the reader
        assert _count(store) == 2
    assert _count(store) == 2


def _count(store: AnalyticsStore) -> object:
    with store.reader() as con:
        row = con.execute("SELECT count(*) FROM t").fetchone()
    return None if row is None else row[0]


def test_other_processes_wait_then_give_up_while_a_writer_holds(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "a.duckdb")
    with store.writer() as con:
        con.execute("CREATE TABLE t AS SELECT * FROM range(3)")
    assert _other_process(store, "reader").stdout.strip() == "3"
    with store.writer():
        for mode in ("reader", "writer"):
            out = _other_process(store, mode).stdout
            assert out.startswith("busy:")
            assert "in use by another process" in out or "being written" in out
    assert _other_process(store, "writer").stdout.strip() == "3"


def test_progress_is_reported_and_errors_surface(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "a.duckdb", threads=2)
    seen: list[float] = []
    with store.writer() as con:
        run_with_progress(
            con, "CREATE TABLE big AS SELECT range AS x FROM range(30000000)", seen.append
        )
        with pytest.raises(Exception, match="does not exist"):
            run_with_progress(con, "SELECT * FROM nowhere", seen.append)
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_store_busy_is_an_econsec_error() -> None:
    assert StoreBusy("x").status_code == 503
