"""The dataset catalogue over HTTP: list, show, and load a file as a background job."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from econsec.api.deps import CatalogueDep, JobsDep, SettingsDep
from econsec.api.schemas import DatasetDetail, DatasetSummary, JobInfo
from econsec.jobs import parse_options, save_upload

router = APIRouter(prefix="/datasets", tags=["datasets"])


@router.get("", response_model=list[DatasetSummary])
def list_datasets(catalogue: CatalogueDep) -> list[DatasetSummary]:
    """Every known dataset with its licence, version, load state and rows."""
    return [DatasetSummary.model_validate(s.to_dict()) for s in catalogue.status()]


@router.get("/{name}", response_model=DatasetDetail)
def show_dataset(name: str, catalogue: CatalogueDep, rows: int = 5) -> DatasetDetail:
    """Provenance, schema, active versions and the first ``rows`` rows of one dataset."""
    status_ = catalogue.dataset(name)
    spec = status_.spec
    sample = catalogue.sample(name, max(0, min(rows, 100))).to_pylist() if status_.loaded else []
    return DatasetDetail.model_validate(
        {
            **status_.to_dict(),
            "source_url": spec.source_url,
            "cadence": spec.cadence,
            "description": spec.description,
            "requires": list(spec.requires),
            "options": [{"name": o.name, "description": o.description} for o in spec.options],
            "schema": [
                {"name": c.name, "type": c.type, "description": c.description} for c in spec.columns
            ],
            "versions": [v.to_dict() for v in status_.versions],
            "sample": json.loads(json.dumps(sample, default=str)),
        }
    )


@router.post("/{name}/load", response_model=JobInfo, status_code=status.HTTP_202_ACCEPTED)
def load_dataset(
    name: str,
    catalogue: CatalogueDep,
    jobs: JobsDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The source file")],
    options: Annotated[
        str, Form(description='Loader options as JSON, e.g. {"hs_edition": "HS17"}')
    ] = "{}",
) -> JobInfo:
    """Upload a file and load it in the background; poll ``GET /jobs/{id}`` for progress."""
    catalogue.spec(name)
    parsed = parse_options(options)
    target = save_upload(settings.home, file.filename, file.file)
    job, _ = jobs.submit_load(name, target, parsed)
    return JobInfo.model_validate(job)
