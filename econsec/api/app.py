"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from econsec import __version__
from econsec.api.routers import (
    cases,
    council,
    datasets,
    health,
    jobs,
    know,
    promote_landscape,
    promote_matching,
    promote_portfolio,
    promote_taxonomy,
    protect,
    supply,
)
from econsec.api.routers.protect import FRESHNESS
from econsec.api.schemas import ErrorBody
from econsec.cases.service import Cases
from econsec.council.service import Council
from econsec.datasets.catalogue import Catalogue
from econsec.errors import EconsecError
from econsec.jobs import JobRunner
from econsec.protect.service import ProtectService
from econsec.security.crypto import check_secret
from econsec.security.service import Security
from econsec.settings import Settings, get_settings
from econsec.store.analytics import AnalyticsStore
from econsec.store.app import open_app_store
from econsec.web import cases as case_pages
from econsec.web import chokepoints as chokepoint_pages
from econsec.web import data as data_pages
from econsec.web import guard, pages
from econsec.web import know as know_pages
from econsec.web import networks as network_pages
from econsec.web import promote as promote_pages
from econsec.web import protect as protect_pages
from econsec.web import scenario as scenario_pages

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
#: Answers about users, sessions, classified documents and the audit log: never cached.
PRIVATE_PATHS = ("/auth/", "/users", "/council/", "/audit/", "/cases", "/promote/crosswalk")
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>econsec API</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/swagger-ui/favicon-32x32.png"></head>
<body data-openapi-url="/openapi.json"><div id="swagger-ui"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-ui/init.js"></script></body></html>
"""


#: Encoded once: every answer carries these (the web pages' include ``nosniff`` too).
API_HEADERS = {b"x-content-type-options": b"nosniff"}
WEB_HEADERS = {
    **API_HEADERS,
    **{k.lower().encode(): v.encode() for k, v in guard.HEADERS.items()},
}


class ProtectiveHeaders:
    """Headers on every answer (a plain ASGI middleware: no per-request task or body copy).

    ``nosniff`` everywhere; ``no-store`` on answers about users, sessions, classified documents
    and the audit log, and on the web pages; the web pages' security headers
    (:data:`econsec.web.guard.HEADERS`) on the pages and their assets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        web = path.startswith("/web/") or path == "/web"
        extra = WEB_HEADERS if web else API_HEADERS
        no_store = path.startswith(PRIVATE_PATHS) or (web and not path.startswith("/web/static/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not (no_store and k.lower() == b"cache-control")
                ]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra.items() if k not in present]
                if no_store:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def keep_fresh(protect: ProtectService) -> None:
    """Check the active screening lists every ``FRESHNESS`` seconds on the event loop (a
    fraction of a millisecond), so that /match finds a fresh screener without checking; a
    changed list is rebuilt on a worker thread. Runs until cancelled."""
    while True:
        await asyncio.sleep(FRESHNESS)
        try:
            if not protect.touch():
                await run_in_threadpool(protect.screener)
                gc.freeze()  # the new index's objects, out of the collector's way (warm())
        except Exception:  # the requests check again themselves (fresh() is None)
            log.exception("checking the screening lists failed")


def create_app(settings: Settings | None = None, *, warm_screener: bool = True) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment). ``warm_screener``
    builds the screening index in the background at start-up and keeps it fresh."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_secret(settings)  # refuse to start with the public key outside development
        app_store = open_app_store(settings.app_database_url)
        catalogue = Catalogue(AnalyticsStore.from_settings(settings))
        app.state.settings = settings
        app.state.app_store = app_store
        app.state.catalogue = catalogue
        app.state.protect = ProtectService(settings, app_store)
        app.state.jobs = JobRunner(app_store, catalogue, app.state.protect)
        app.state.security = Security(settings, app_store)
        app.state.council = Council(app.state.security)
        app.state.cases = Cases(app.state.security)
        keeper = None
        if warm_screener:
            app.state.protect.warm()
            keeper = asyncio.create_task(keep_fresh(app.state.protect))
        try:
            yield
        finally:
            if keeper is not None:
                keeper.cancel()
            engine = getattr(app.state, "engine", None)
            if engine is not None:
                engine.close()
            app.state.jobs.close()
            app_store.dispose()

    app = FastAPI(
        docs_url=None,  # served below from vendored assets: no CDN on closed networks
        redoc_url=None,
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
        # RFC 6750: a 401 names the scheme that would be accepted.
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(status_code=exc.status_code, content=exc.to_dict(), headers=headers)

    app.add_middleware(ProtectiveHeaders)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors())
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        body = ErrorBody(
            error="ValidationError",
            message=f"{where}: {first.get('msg', 'invalid request')}",
            detail={"errors": errors},
        )
        return JSONResponse(status_code=422, content=body.model_dump())

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/web/static", StaticFiles(directory=pages.HERE / "static"), name="web-static")

    @app.get("/", include_in_schema=False)
    def start() -> RedirectResponse:
        return RedirectResponse("/web/", status_code=303)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    app.include_router(health.router)
    app.include_router(datasets.router)
    app.include_router(jobs.router)
    app.include_router(know.router)
    app.include_router(supply.router)
    app.include_router(promote_taxonomy.router)
    app.include_router(promote_landscape.router)
    app.include_router(promote_matching.router)
    app.include_router(promote_portfolio.router)
    app.include_router(cases.router)
    app.include_router(protect.router)
    app.include_router(council.router)
    app.include_router(pages.router)
    app.include_router(data_pages.router)
    app.include_router(case_pages.router)
    app.include_router(chokepoint_pages.router)  # before know's /web/know/{chart}.csv
    app.include_router(scenario_pages.router)
    app.include_router(network_pages.router)  # networks and IO shocks
    app.include_router(know_pages.router)
    app.include_router(protect_pages.router)
    app.include_router(promote_pages.router)  # taxonomy, landscape, portfolio, matching
    return app
