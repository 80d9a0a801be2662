"""Protect as one service: load lists, keep the screener current, screen, rescreen, decide.

The command line and the HTTP API both go through :class:`ProtectService`. The screener (the
in-process index over the active list versions) is built once and cached on disk under
``<home>/screening/``, keyed by the active versions, so ``econsec protect screen`` answers in about
a second after the first build and the API server picks up a newly loaded list version on its
next request.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from econsec import __version__
from econsec.protect.lists import get_format
from econsec.protect.screening.algorithms import get_algorithm
from econsec.protect.screening.model import Query, Result
from econsec.protect.screening.screener import Screener
from econsec.protect.store import Hit, ScreeningList, ScreeningRun, ScreeningStore
from econsec.settings import Settings
from econsec.store.app import AppStore, utcnow

log = logging.getLogger(__name__)
Progress = Callable[[int], None]


@dataclass
class RunReport:
    """A rescreen: its record and the hits that need an analyst (new or changed)."""

    run: ScreeningRun
    hits: list[Hit] = field(default_factory=list)

    @property
    def new(self) -> list[Hit]:
        """Hits not seen before, or whose listed record changed since last seen or decided."""
        return [h for h in self.hits if h.status in ("new", "changed")]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        run = self.run
        return {
            "run": run.id,
            "reason": run.reason,
            "list_version_ids": run.list_ids,
            "algorithm": run.algorithm,
            "threshold": run.threshold,
            "parties": run.parties,
            "hits": run.hits,
            "new_hits": [h.as_dict() for h in self.new],
            "suppressed": run.suppressed,
        }


def policy(
    settings: Settings, algorithm: str | None, threshold: float | None
) -> tuple[str, float | None]:
    """The algorithm and threshold to use: those given, else the settings' defaults
    (``ECONSEC_SCREEN_ALGORITHM``, ``ECONSEC_SCREEN_THRESHOLD``; the latter only for the
    default algorithm, whose scale it was set for)."""
    if algorithm is None:
        algorithm = settings.screen_algorithm
    if threshold is None and algorithm == settings.screen_algorithm:
        threshold = settings.screen_threshold
    return algorithm, threshold


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """A fingerprint of the matcher's code and tables: an index cached by other code is rebuilt."""
    folder = Path(__file__).with_name("screening")
    sha = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.json.gz")]):
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


class ProtectService:
    """Lists, screener, parties and decisions over one app store and data home."""

    def __init__(self, settings: Settings, app: AppStore) -> None:
        self.settings = settings
        self.store = ScreeningStore(app)
        self._lock = threading.Lock()
        self._screener: Screener | None = None
        self._key: str | None = None
        self._checked = 0.0

    # -- lists ---------------------------------------------------------------------------

    def load(
        self,
        fmt_name: str,
        paths: list[Path],
        *,
        version: str | None = None,
        progress: Progress | None = None,
        names: list[str] | None = None,
    ) -> ScreeningList:
        """Store a new version of a list (see :meth:`ScreeningStore.load`)."""
        return self.store.load(
            get_format(fmt_name), paths, version=version, progress=progress, names=names
        )

    # -- the screener --------------------------------------------------------------------

    @property
    def cache_dir(self) -> Path:
        """Where built indexes are cached."""
        return self.settings.home / "screening"

    def _cache_key(self, active: list[ScreeningList]) -> str:
        parts = [__version__, _code_digest()]
        parts += [f"{v.id}:{v.digest}" for v in active]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]

    def screener(self, max_age: float = 0.0) -> Screener:
        """The screener over the active list versions (rebuilt or reloaded when they change).
        ``max_age``: seconds for which the last check of the active versions is trusted (the
        API server checks at most once a second, not on every query)."""
        now = time.monotonic()
        if self._screener is not None and now - self._checked < max_age:
            return self._screener
        active = self.store.active()
        key = self._cache_key(active)
        self._checked = now
        with self._lock:
            if self._screener is not None and self._key == key:
                return self._screener
            path = self.cache_dir / f"index-{key}.pickle"
            screener = self._read_cache(path)
            if screener is None:
                screener = Screener(self.store.entries(active))
                self._write_cache(path, screener)
            self._screener, self._key = screener, key
            return screener

    def fresh(self, max_age: float) -> Screener | None:
        """The screener if the active versions were checked less than ``max_age`` seconds ago,
        else None; never touches the store (an event loop may call it)."""
        if self._screener is not None and time.monotonic() - self._checked < max_age:
            return self._screener
        return None

    @property
    def ready(self) -> bool:
        """Whether a screener is built (the API's readiness)."""
        return self._screener is not None

    def warm(self) -> threading.Thread:
        """Build the screener in a background thread (an API server's start-up)."""

        def build() -> None:
            try:
                self.screener()
            except Exception:  # reported again to the first request that needs it
                log.exception("building the screening index failed")
                return
            # The index is millions of long-lived objects: keep the cyclic garbage collector
            # from walking them again and again (full collections stalled every request for
            # up to 0.7 s under load).
            gc.freeze()

        thread = threading.Thread(target=build, name="econsec-screening-index", daemon=True)
        thread.start()
        return thread

    def touch(self) -> bool:
        """Check the active versions without rebuilding: True (and :meth:`fresh` again) when
        the screener still matches them, False when it must be rebuilt (:meth:`screener`) or
        is not built yet. A server calls this on its event loop every second: a fraction of a
        millisecond there, where the same check on another thread stalled requests for
        hundreds of milliseconds (the two threads handing the GIL back and forth)."""
        if self._screener is None:
            return False
        key = self._cache_key(self.store.active())
        if key != self._key:
            return False
        self._checked = time.monotonic()
        return True

    def _read_cache(self, path: Path) -> Screener | None:
        if not path.is_file():
            return None
        try:
            with path.open("rb") as fh:
                screener = pickle.load(fh)  # our own file, written below
        except Exception as exc:  # a stale or damaged cache is rebuilt, never fatal
            log.warning("ignoring screening index cache %s: %s", path, exc)
            return None
        return screener if isinstance(screener, Screener) else None

    def _write_cache(self, path: Path, screener: Screener) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as fh:
            pickle.dump(screener, fh, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
        for old in path.parent.glob("index-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)

    def policy(self, algorithm: str | None, threshold: float | None) -> tuple[str, float | None]:
        """The algorithm and threshold to use (see :func:`policy`)."""
        return policy(self.settings, algorithm, threshold)

    def screen(
        self,
        query: Query,
        *,
        algorithm: str | None = None,
        threshold: float | None = None,
        **options: Any,
    ) -> list[Result]:
        """Screen one party against the active lists."""
        algorithm, threshold = self.policy(algorithm, threshold)
        return self.screener().screen(query, algorithm=algorithm, threshold=threshold, **options)

    def screen_many(
        self,
        queries: Iterable[Query],
        *,
        progress: Progress | None = None,
        algorithm: str | None = None,
        threshold: float | None = None,
        **options: Any,
    ) -> Iterator[list[Result]]:
        """Screen a stream of parties (in order), in worker processes."""
        algorithm, threshold = self.policy(algorithm, threshold)
        return self.screener().screen_many(
            queries, progress=progress, algorithm=algorithm, threshold=threshold, **options
        )

    # -- rescreening ---------------------------------------------------------------------

    def rescreen(
        self,
        reason: str,
        *,
        algorithm: str | None = None,
        threshold: float | None = None,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> RunReport:
        """Screen every stored party against the active list versions and record the hits.

        A hit is ``new`` the first time (party, entity) is seen, ``changed`` when the listed
        record differs from the one last seen or decided on, ``repeat`` otherwise; a pair whose
        newest decision is a false positive on the same record is ``suppressed``, and one
        decided true positive is ``confirmed``. ``workers``: processes for a large party list
        (forked; a server passes 1, since forking a threaded process is not safe).
        """
        algo = get_algorithm(self.policy(algorithm, threshold)[0])
        cutoff = algo.check_threshold(self.policy(algorithm, threshold)[1])
        screener = self.screener()
        active = self.store.active()
        run = self.store.start_run(reason, [v.id for v in active], algo.name, cutoff)
        parties = self.store.parties()
        digests = self.store.digests([v.id for v in active])
        seen = self.store.seen()
        seen_pairs = {(p, e) for p, e, _d in seen}
        decided = self.store.latest_decisions()
        version_ids = {v.name: v.id for v in active}
        queries = (
            Query(
                (p.name,),
                p.schema,
                (p.country,) if p.country else (),
                (p.birth_date,) if p.birth_date else (),
            )
            for p in parties
        )
        hits: list[Hit] = []
        if workers is None:
            workers = 1 if len(parties) < 2000 else None
        results_stream = screener.screen_many(
            queries,
            progress=progress,
            workers=workers,
            algorithm=algo.name,
            threshold=cutoff,
            limit=10,
            matches_only=True,
        )
        for party, results in zip(parties, results_stream, strict=True):
            for result in results:
                entry = result.entry
                digest = digests.get(entry.id, "")
                decision = decided.get((party.id, entry.id))
                if decision is not None and decision.entity_digest == digest:
                    status = "suppressed" if decision.verdict == "false_positive" else "confirmed"
                elif decision is not None:
                    status = "changed"
                elif (party.id, entry.id, digest) in seen:
                    status = "repeat"
                elif (party.id, entry.id) in seen_pairs:
                    status = "changed"
                else:
                    status = "new"
                hits.append(
                    Hit(
                        party_id=party.id,
                        list_name=entry.list_name,
                        list_id=version_ids.get(entry.list_name, 0),
                        entity_id=entry.id,
                        entity_digest=digest,
                        caption=entry.caption,
                        score=round(result.score, 4),
                        algorithm=algo.name,
                        status=status,
                        explanation={
                            "features": result.features,
                            **result.explanation.as_dict(),
                        },
                        created_at=utcnow(),
                    )
                )
        stored = self.store.finish_run(run, hits, len(parties))
        return RunReport(stored, hits)

    # -- audit ---------------------------------------------------------------------------

    def audit_trail(self) -> Iterator[dict[str, Any]]:
        """Everything a reviewer needs, as records: list versions, runs with their hits, and
        every decision (oldest first)."""
        for version in reversed(self.store.versions()):
            yield {"record": "list_version", **version.as_dict()}
        for run in reversed(self.store.runs(limit=1_000_000)):
            yield {"record": "run", **run.as_dict()}
            for hit in self.store.hits(run_id=run.id):
                yield {"record": "hit", **hit.as_dict()}
        for decision in self.store.decisions():
            yield {"record": "decision", **decision.as_dict()}
