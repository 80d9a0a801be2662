"""Long-running jobs recorded in the app store with their progress: dataset loads and batch
screenings of an uploaded file of parties.

Jobs run one at a time on a single worker thread: the analytics store has one writer anyway,
and queueing keeps a burst of uploads from fighting over its lock. A failed job keeps its input
file and its parameters, so :meth:`JobRunner.rerun` can try again after the cause is fixed. A
screening writes its results next to its input (``results.csv``, renamed into place when
complete), so a failed run leaves no partial result.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select

from econsec.datasets.catalogue import Catalogue
from econsec.errors import DataError, EconsecError, NotFound
from econsec.store.app import MAX_ID, AppStore, Job, utcnow

if TYPE_CHECKING:
    from econsec.protect.service import ProtectService

log = logging.getLogger(__name__)
LOAD = "dataset_load"
SCREEN = "protect_screen"
RESULTS = "results.csv"


def parse_options(text: str) -> dict[str, str]:
    """Loader options given as a JSON object (an upload form's field), as strings."""
    try:
        parsed = json.loads(text)
        if not isinstance(parsed, dict):
            raise ValueError
    except ValueError:
        raise DataError(
            "invalid options", field="options", got=text, expected="a JSON object of strings"
        ) from None
    return {str(k): str(v) for k, v in parsed.items()}


def save_upload(home: Path, filename: str | None, stream: BinaryIO) -> Path:
    """Keep an uploaded file for its load job (in a folder of its own under the home's
    ``uploads``: a failed job can be rerun from it)."""
    folder = home / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    target = folder / (filename or "upload").replace("/", "_").replace("\\", "_")
    with target.open("wb") as sink:
        shutil.copyfileobj(stream, sink)
    return target


def discard_upload(path: Path) -> None:
    """Remove an upload kept by :func:`save_upload` (with its folder) that no job will use."""
    shutil.rmtree(path.parent, ignore_errors=True)


class JobRunner:
    """Submit, watch and rerun dataset loads and batch screenings."""

    def __init__(
        self, store: AppStore, catalogue: Catalogue, protect: ProtectService | None = None
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.protect = protect
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="econsec-job")

    def submit_load(
        self, dataset: str, path: Path, options: dict[str, str], rerun_of: int | None = None
    ) -> tuple[Job, Future[None]]:
        """Queue a load of ``path`` into ``dataset``; returns the job and its future."""
        self.catalogue.spec(dataset)  # unknown names fail now, not in the worker
        params = {"dataset": dataset, "path": str(path), "options": options}
        return self._submit(LOAD, params, rerun_of)

    def submit_screen(
        self,
        path: Path,
        *,
        actor: str,
        limit: int = 5,
        matches_only: bool = True,
        algorithm: str | None = None,
        threshold: float | None = None,
        rerun_of: int | None = None,
    ) -> tuple[Job, Future[None]]:
        """Queue the screening of a CSV file of parties (``id,name[,schema,country,
        birth_date]``) against the active lists. The header and first row are checked now, so
        a wrong file is refused at once; the results (CSV, one row per hit) can be read with
        :meth:`result_path` by ``actor`` (or an admin) when the job has succeeded."""
        from econsec.protect import batch

        if self.protect is None:
            raise EconsecError("screening jobs need the Protect service")
        if not 1 <= limit <= 100:
            raise DataError("invalid limit", field="limit", got=str(limit), expected="1 to 100")
        next(batch.read_parties(path), None)  # DataError naming the file, line and field
        params = {
            "path": str(path),
            "actor": actor,
            "options": {
                "limit": limit,
                "matches_only": matches_only,
                "algorithm": algorithm,
                "threshold": threshold,
            },
        }
        return self._submit(SCREEN, params, rerun_of)

    def _submit(
        self, kind: str, params: dict[str, Any], rerun_of: int | None
    ) -> tuple[Job, Future[None]]:
        with self.store.session() as session:
            job = Job(kind=kind, status="queued", progress=0.0, rerun_of=rerun_of, params=params)
            session.add(job)
            session.commit()
            job_id = job.id
        return self.get(job_id), self._pool.submit(self._run, job_id)

    def rerun(self, job_id: int) -> tuple[Job, Future[None]]:
        """Run a finished job again with the same parameters."""
        job = self.get(job_id)
        if job.status in ("queued", "running"):
            from econsec.errors import Conflict

            raise Conflict(f"job {job_id} is still {job.status}")
        params = job.params
        if job.kind == SCREEN:
            return self.submit_screen(
                Path(params["path"]), actor=params["actor"], rerun_of=job_id, **params["options"]
            )
        return self.submit_load(
            params["dataset"],
            Path(params["path"]),
            dict(params.get("options") or {}),
            rerun_of=job_id,
        )

    @staticmethod
    def may_see(job: Job, actor: str | None, admin: bool = False) -> bool:
        """Whether ``actor`` may see ``job``: a screening job (whose file names parties) only
        the user who sent it and admins; a dataset load anyone who may see the catalogue."""
        return (
            job.kind != SCREEN or admin or (actor is not None and job.params.get("actor") == actor)
        )

    def visible(self, job_id: int, actor: str | None, admin: bool = False) -> Job:
        """Job ``job_id`` if ``actor`` may see it; NotFound (as for a missing one) if not."""
        job = self.get(job_id)
        if not self.may_see(job, actor, admin):
            raise NotFound(f"no job {job_id}")
        return job

    def result_path(self, job_id: int, actor: str, admin: bool = False) -> Path:
        """The results file of a succeeded screening job, for the actor who submitted it (or an
        admin); any other job, or another user's, answers NotFound like a missing one."""
        job = self.visible(job_id, actor, admin)
        params = job.params or {}
        if job.kind != SCREEN:
            raise NotFound(f"job {job_id} is not a screening: it has no results file")
        if job.status != "succeeded":
            from econsec.errors import Conflict

            raise Conflict(f"job {job_id} is {job.status}: its results are not ready")
        path = Path(params["path"]).with_name(RESULTS)
        if not path.is_file():
            raise NotFound(f"the results of job {job_id} are gone")
        return path

    def get(self, job_id: int) -> Job:
        """One job; NotFound if there is none with this id."""
        if not 1 <= job_id <= MAX_ID:  # past the database's integers: no such job either
            raise NotFound(f"no job {job_id}")
        with self.store.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFound(f"no job {job_id}")
            return job

    def list(self, limit: int = 50) -> list[Job]:
        """The newest jobs first."""
        with self.store.session() as session:
            return list(session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))

    def close(self) -> None:
        """Wait for queued jobs and stop the worker."""
        self._pool.shutdown(wait=True)

    def _update(self, job_id: int, **values: Any) -> None:
        with self.store.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            for key, value in values.items():
                setattr(job, key, value)
            session.commit()

    def _run(self, job_id: int) -> None:
        job = self.get(job_id)
        params = job.params
        self._update(job_id, status="running", started_at=utcnow())
        last = [0.0]

        def progress(stage: str, fraction: float) -> None:
            now = time.monotonic()
            if fraction >= 1.0 or now - last[0] >= 0.5:  # throttle writes to the app store
                last[0] = now
                self._update(job_id, stage=stage, progress=round(fraction, 4))

        try:
            if job.kind == SCREEN:
                self._update(
                    job_id,
                    status="succeeded",
                    progress=1.0,
                    finished_at=utcnow(),
                    result=self._screen(params, progress),
                )
                return
            result = self.catalogue.load(
                params["dataset"],
                Path(params["path"]),
                params.get("options") or {},
                progress=progress,
            )
        except EconsecError as exc:
            self._update(job_id, status="failed", message=exc.message, finished_at=utcnow())
            return
        except Exception as exc:  # a bug: record it, keep the worker alive
            log.exception("job %s crashed", job_id)
            self._update(
                job_id, status="failed", message=f"internal error: {exc}", finished_at=utcnow()
            )
            return
        self._update(
            job_id,
            status="succeeded",
            progress=1.0,
            finished_at=utcnow(),
            message="unchanged: already loaded" if not result.changed else None,
            result={
                "version": result.version.to_dict(),
                "changed": result.changed,
                "retired": result.retired,
                "seconds": round(result.seconds, 3),
            },
        )

    def _screen(self, params: dict[str, Any], progress: Any) -> dict[str, Any]:
        """Screen the job's file in this thread (a server must not fork), writing the results
        atomically; returns the counts recorded with the job."""
        import csv

        from econsec.protect import batch

        assert self.protect is not None
        started = time.monotonic()
        source = Path(params["path"])
        options = dict(params["options"])
        self.protect.screener()  # the index, before the count starts
        total = max(1, batch.count_rows(source))
        done = [0]

        def counted(n: int) -> None:
            done[0] += n
            progress("screen", min(1.0, done[0] / total))

        parties = matched = hits = 0
        with batch.output(source.with_name(RESULTS)) as fh:
            writer = csv.writer(fh)
            writer.writerow(batch.CSV_COLUMNS)
            screened = batch.screen_parties(
                self.protect, source, progress=counted, workers=1, **options
            )
            for party_id, query, results in screened:
                parties += 1
                matched += any(r.match for r in results)
                hits += len(results)
                writer.writerows(batch.csv_rows(party_id, query, results))
        return {
            "parties": parties,
            "matched": matched,
            "rows": hits,
            "file": RESULTS,
            "seconds": round(time.monotonic() - started, 3),
        }
