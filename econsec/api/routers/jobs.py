"""Background jobs: list, watch progress, rerun, and a screening's results. A batch screening
job (its file names parties) is shown only to the user who sent it and to admins; to anyone
else it answers like a missing job."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import FileResponse

from econsec.api.deps import JobsDep
from econsec.api.routers.council import ActorDep, MaybeActorDep
from econsec.api.schemas import JobInfo
from econsec.security.policy import Actor

router = APIRouter(prefix="/jobs", tags=["jobs"])


def _who(actor: Actor | None) -> tuple[str | None, bool]:
    """(name, admin) of the caller, (None, False) when anonymous."""
    return (actor.name, actor.may("audit")) if actor else (None, False)


@router.get("", response_model=list[JobInfo])
def list_jobs(jobs: JobsDep, actor: MaybeActorDep, limit: int = 50) -> list[JobInfo]:
    """The newest jobs first (those the caller may see)."""
    listed = jobs.list(max(1, min(limit, 500)))
    return [JobInfo.model_validate(j) for j in listed if jobs.may_see(j, *_who(actor))]


@router.get("/{job_id}", response_model=JobInfo)
def get_job(job_id: int, jobs: JobsDep, actor: MaybeActorDep) -> JobInfo:
    """One job with its stage and progress."""
    return JobInfo.model_validate(jobs.visible(job_id, *_who(actor)))


@router.post("/{job_id}/rerun", response_model=JobInfo, status_code=status.HTTP_202_ACCEPTED)
def rerun_job(job_id: int, jobs: JobsDep, actor: MaybeActorDep) -> JobInfo:
    """Run a finished (e.g. failed) job again with the same file and options."""
    jobs.visible(job_id, *_who(actor))
    job, _ = jobs.rerun(job_id)
    return JobInfo.model_validate(job)


@router.get(
    "/{job_id}/result",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The results as CSV"}},
)
def job_result(request: Request, job_id: int, jobs: JobsDep, actor: ActorDep) -> FileResponse:
    """A screening job's results (CSV, one row per hit), for the user who sent the file or an
    admin; 409 while the job has not succeeded."""
    path = jobs.result_path(job_id, actor.name, admin=actor.may("audit"))
    security = request.app.state.security
    security.record(actor.name, "api", "protect.batch.download", target=f"job:{job_id}")
    return FileResponse(
        path, media_type="text/csv; charset=utf-8", filename=f"screening-{job_id}.csv"
    )
