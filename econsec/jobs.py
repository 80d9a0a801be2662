"""Long-running jobs (dataset loads) recorded in the app store with their progress.

Jobs run one at a time on a single worker thread: the analytics store has one writer anyway,
and queueing keeps a burst of uploads from fighting over its lock. A failed job keeps its input
file and its parameters, so :meth:`JobRunner.rerun` can try again after the cause is fixed.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from econsec.datasets.catalogue import Catalogue
from econsec.errors import DataError, EconsecError, NotFound
from econsec.store.app import AppStore, Job, utcnow

log = logging.getLogger(__name__)
LOAD = "dataset_load"


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


class JobRunner:
    """Submit, watch and rerun dataset loads."""

    def __init__(self, store: AppStore, catalogue: Catalogue) -> None:
        self.store = store
        self.catalogue = catalogue
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="econsec-job")

    def submit_load(
        self, dataset: str, path: Path, options: dict[str, str], rerun_of: int | None = None
    ) -> tuple[Job, Future[None]]:
        """Queue a load of ``path`` into ``dataset``; returns the job and its future."""
        self.catalogue.spec(dataset)  # unknown names fail now, not in the worker
        with self.store.session() as session:
            job = Job(
                kind=LOAD,
                status="queued",
                progress=0.0,
                rerun_of=rerun_of,
                params={"dataset": dataset, "path": str(path), "options": options},
            )
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
        return self.submit_load(
            params["dataset"],
            Path(params["path"]),
            dict(params.get("options") or {}),
            rerun_of=job_id,
        )

    def get(self, job_id: int) -> Job:
        """One job; NotFound if there is none with this id."""
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
