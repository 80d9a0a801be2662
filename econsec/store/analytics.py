"""The analytics store: one DuckDB file with the versioned dataset tables.

DuckDB lets one process write a database file at a time, so every write goes through
:meth:`AnalyticsStore.writer`, which also takes an exclusive file lock; readers open short-lived
read-only connections and wait (up to ``wait_seconds``) while a writer holds the file. DuckDB runs
under the memory limit and thread count from the settings and spills to ``<home>/tmp``.

Within one process DuckDB refuses a read-only connection next to a read-write one (and the
reverse), so while this process writes (a background load in the server), readers get a cursor
on the writer's database instead: DuckDB's MVCC shows them the last committed state.
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from econsec.errors import StoreBusy
from econsec.settings import Settings

_LOCK_MESSAGES = (
    "Could not set lock",
    "Conflicting lock",
    "database is locked",
    "different configuration",  # same process: a reader or writer is open with the other mode
)
T = TypeVar("T")
_writers: dict[str, duckdb.DuckDBPyConnection] = {}
_writers_lock = threading.Lock()


class AnalyticsStore:
    """A DuckDB file with one writer at a time and any number of short-lived readers."""

    def __init__(
        self,
        path: Path,
        *,
        memory_limit: str = "1GB",
        threads: int = 2,
        wait_seconds: float = 5.0,
        temp_dir: Path | None = None,
    ) -> None:
        self.path = Path(path)
        self.memory_limit = memory_limit
        self.threads = threads
        self.wait_seconds = wait_seconds
        self.temp_dir = temp_dir or self.path.parent / "tmp"

    @classmethod
    def from_settings(cls, settings: Settings) -> AnalyticsStore:
        """The store configured by ``ECONSEC_*`` settings."""
        return cls(
            settings.analytics_file,
            memory_limit=settings.duckdb_memory_limit,
            threads=settings.duckdb_threads,
            wait_seconds=settings.store_wait_seconds,
            temp_dir=settings.home / "tmp",
        )

    def generation(self) -> tuple[int, ...]:
        """Changes whenever the store's files change (size and modification time of the
        database and its write-ahead log): what readers may cache metadata against."""
        stamp: list[int] = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                info = path.stat()
            except FileNotFoundError:
                stamp += [0, 0]
            else:
                stamp += [info.st_mtime_ns, info.st_size]
        return tuple(stamp)

    def _config(self) -> dict[str, Any]:
        return {
            "memory_limit": self.memory_limit,
            "threads": self.threads,
            "temp_directory": str(self.temp_dir),
            # Loads do not need row order; dropping it bounds memory on large inserts.
            "preserve_insertion_order": False,
        }

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        def attempt() -> duckdb.DuckDBPyConnection | None:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only, config=self._config())
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                if not any(m in str(exc) for m in _LOCK_MESSAGES):
                    raise
                return None
            return _session(con)

        return self._retry(attempt, "is in use by another process (a data load in progress?)")

    def _retry(self, attempt: Callable[[], T | None], busy: str) -> T:
        """Call ``attempt`` until it returns a value or ``wait_seconds`` have passed."""
        deadline = time.monotonic() + self.wait_seconds
        while (result := attempt()) is None:
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"analytics store {self.path} {busy}; try again when it has finished",
                    path=str(self.path),
                )
            time.sleep(0.1)
        return result

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The single read-write connection; blocks other writers, fails readers fast."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with lock_path.open("a") as lock:
            self._lock(lock)
            con = self._connect(read_only=False)
            key = str(self.path.resolve())
            with _writers_lock:
                _writers[key] = con
            try:
                yield con
            finally:
                with _writers_lock:
                    _writers.pop(key, None)
                con.close()

    def _lock(self, lock: Any) -> None:
        def attempt() -> bool | None:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            return True

        self._retry(attempt, "is being written by another process")

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection (an in-memory empty one if the store does not exist yet)."""
        with _writers_lock:
            writer = _writers.get(str(self.path.resolve()))
            cursor = writer.cursor() if writer is not None else None
        if cursor is not None:
            con = cursor
        elif not self.path.exists():
            con = _session(duckdb.connect(":memory:", config=self._config()))
        else:
            con = self._connect(read_only=True)
        try:
            yield con
        finally:
            con.close()


def _session(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # query_progress() (our progress bars) only reports while DuckDB tracks progress; its own
    # terminal bar stays off: library code never prints.
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    return con


def run_with_progress(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    on_progress: Callable[[float], None] | None,
    params: list[Any] | None = None,
) -> None:
    """Execute ``sql`` on ``con``, reporting DuckDB's own progress (0..1) while it runs.

    The statement runs on a worker thread; this thread polls ``query_progress`` (which DuckDB
    allows from another thread) every 0.1 s. Errors from the statement are re-raised here, and
    an interrupt (Ctrl-C) cancels the statement.
    """
    if on_progress is None:
        con.execute(sql, params)
        return
    failure: list[BaseException] = []

    def work() -> None:
        try:
            con.execute(sql, params)
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)

    worker = threading.Thread(target=work, name="duckdb-query", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            done = con.query_progress()
            if done >= 0:
                on_progress(min(done / 100.0, 1.0))
    except KeyboardInterrupt:
        con.interrupt()
        worker.join()
        raise
    if failure:
        raise failure[0]
    on_progress(1.0)
