"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from econsec import __version__
from econsec.api.routers import datasets, health, jobs
from econsec.api.schemas import ErrorBody
from econsec.datasets.catalogue import Catalogue
from econsec.errors import EconsecError
from econsec.jobs import JobRunner
from econsec.settings import Settings, get_settings
from econsec.store.analytics import AnalyticsStore
from econsec.store.app import open_app_store


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app_store = open_app_store(settings.app_database_url)
        catalogue = Catalogue(AnalyticsStore.from_settings(settings))
        app.state.settings = settings
        app.state.app_store = app_store
        app.state.catalogue = catalogue
        app.state.jobs = JobRunner(app_store, catalogue)
        try:
            yield
        finally:
            app.state.jobs.close()
            app_store.dispose()

    app = FastAPI(
        title="econsec",
        version=__version__,
        description="Japan's economic security system (Know / Protect / Promote) as software.",
        lifespan=lifespan,
        responses={
            404: {"model": ErrorBody, "description": "Not found"},
            422: {"model": ErrorBody, "description": "Invalid input"},
        },
    )

    @app.exception_handler(EconsecError)
    async def econsec_error(_request: Request, exc: EconsecError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content=exc.to_dict())

    app.include_router(health.router)
    app.include_router(datasets.router)
    app.include_router(jobs.router)
    return app
