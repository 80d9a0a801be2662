"""Background jobs: list, watch progress, rerun."""

from __future__ import annotations

from fastapi import APIRouter, status

from econsec.api.deps import JobsDep
from econsec.api.schemas import JobInfo

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=list[JobInfo])
def list_jobs(jobs: JobsDep, limit: int = 50) -> list[JobInfo]:
    """The newest jobs first."""
    return [JobInfo.model_validate(j) for j in jobs.list(max(1, min(limit, 500)))]


@router.get("/{job_id}", response_model=JobInfo)
def get_job(job_id: int, jobs: JobsDep) -> JobInfo:
    """One job with its stage and progress."""
    return JobInfo.model_validate(jobs.get(job_id))


@router.post("/{job_id}/rerun", response_model=JobInfo, status_code=status.HTTP_202_ACCEPTED)
def rerun_job(job_id: int, jobs: JobsDep) -> JobInfo:
    """Run a finished (e.g. failed) job again with the same file and options."""
    job, _ = jobs.rerun(job_id)
    return JobInfo.model_validate(job)
