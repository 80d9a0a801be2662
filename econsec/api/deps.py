"""Typed dependencies: the settings, catalogue and job runner held by the app."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from econsec.datasets.catalogue import Catalogue
from econsec.jobs import JobRunner
from econsec.settings import Settings


def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_catalogue(request: Request) -> Catalogue:
    return cast(Catalogue, request.app.state.catalogue)


def get_jobs(request: Request) -> JobRunner:
    return cast(JobRunner, request.app.state.jobs)


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
JobsDep = Annotated[JobRunner, Depends(get_jobs)]
