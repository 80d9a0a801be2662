"""The Data pages: the catalogue with provenance and load status, loading a file as a
background job, and the job's page with its progress (updated by ``app.js`` while it runs)."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from econsec.datasets.catalogue import Catalogue
from econsec.errors import EconsecError
from econsec.jobs import SCREEN, JobRunner, parse_options, save_upload
from econsec.web import guard
from econsec.web.pages import current_actor, failure, render, security_of, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)


def _catalogue(request: Request) -> Catalogue:
    return cast(Catalogue, request.app.state.catalogue)


def _jobs(request: Request) -> JobRunner:
    return cast(JobRunner, request.app.state.jobs)


@router.get("/data", response_model=None)
def data(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    datasets = [s.to_dict() for s in _catalogue(request).status()]
    jobs = [job_view(j) for j in _jobs(request).list(10) if j.kind != SCREEN]  # loads only
    return render(request, "data.html", actor=actor, section="data", datasets=datasets, jobs=jobs)


#: Rows of a dataset shown on its page (the rest through the CLI, the API or a download).
SHOWN = 200


@router.get("/data/{name}", response_model=None)
def dataset_page(request: Request, name: str) -> Response:
    """One dataset: what it is (publisher, licence, columns), its versions, and its first rows;
    where rows carry ``name_ja`` and ``name_en`` (policy data), a name in the reader's language
    comes first."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    catalogue = _catalogue(request)
    try:
        status = catalogue.dataset(name)
        history = catalogue.history(name)
        rows: list[dict[str, Any]] = []
        columns: list[str] = []
        if status.loaded:
            table = catalogue.sample(name, SHOWN)
            columns, rows = table.column_names, table.to_pylist()
    except EconsecError as error:
        return failure(request, actor, error)
    bilingual = "name_ja" in columns and "name_en" in columns
    return render(
        request,
        "dataset.html",
        actor=actor,
        section="data",
        dataset=status.to_dict(),
        spec=status.spec,
        history=history,
        columns=columns,
        rows=rows,
        bilingual=bilingual,
        shown=SHOWN,
    )


@router.post("/data/load", response_model=None)
def load(
    request: Request,
    dataset: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    options: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Upload a file and load it into a dataset in the background (users who may write)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    security = security_of(request)
    try:
        guard.check_csrf(request, csrf)
        security.require(actor, "write", "data.load", "load data")
        _catalogue(request).spec(dataset)
        parsed = parse_options(options.strip() or "{}")
        target = save_upload(request.app.state.settings.home, file.filename, file.file)
        job, _ = _jobs(request).submit_load(dataset, target, parsed)
        security.record(actor.name, "web", "data.load", target=f"job:{job.id}", dataset=dataset)
    except EconsecError as error:
        return failure(request, actor, error)
    return RedirectResponse(f"/web/jobs/{job.id}", status_code=303)


def job_view(job: Any) -> dict[str, Any]:
    """What the pages show of a job."""
    return {
        "id": job.id,
        "kind": job.kind,
        "actor": (job.params or {}).get("actor"),
        "result": job.result or {},
        "dataset": (job.params or {}).get("dataset"),
        "file": str((job.params or {}).get("path", "")).rsplit("/", 1)[-1],
        "status": job.status,
        "stage": job.stage or "",
        "progress": float(job.progress or 0.0),
        "message": job.message or "",
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "done": job.status in ("succeeded", "failed"),
    }


def _visible_job(request: Request, job_id: int, actor: Any) -> dict[str, Any]:
    """A job as the pages show it, if the actor may see it (``JobRunner.may_see``)."""
    return job_view(_jobs(request).visible(job_id, actor.name, admin=actor.may("audit")))


@router.get("/jobs/{job_id}", response_model=None)
def job_page(request: Request, job_id: int) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        job = _visible_job(request, job_id, actor)
    except EconsecError as error:
        return failure(request, actor, error)
    section = "protect" if job["kind"] == SCREEN else "data"
    return render(request, "job.html", actor=actor, section=section, job=job)


@router.get("/jobs/{job_id}/state", response_model=None)
def job_state(request: Request, job_id: int) -> Response:
    """The job's progress as JSON (polled by the job page)."""
    actor = current_actor(request)
    if actor is None:
        return JSONResponse({"error": "Unauthenticated"}, status_code=401)
    try:
        return JSONResponse(_visible_job(request, job_id, actor))
    except EconsecError as error:
        return JSONResponse(error.to_dict(), status_code=error.status_code)


@router.get("/jobs/{job_id}/result", response_model=None)
def job_result(request: Request, job_id: int) -> Response:
    """A screening job's results as CSV, for the user who sent the file (or an admin)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    security = security_of(request)
    try:
        path = _jobs(request).result_path(job_id, actor.name, admin=actor.may("audit"))
        security.record(actor.name, "web", "protect.batch.download", target=f"job:{job_id}")
    except EconsecError as error:
        return failure(request, actor, error)
    return FileResponse(
        path, media_type="text/csv; charset=utf-8", filename=f"screening-{job_id}.csv"
    )
