"""Browser test harness: the app under uvicorn, Debian's Chromium driven by Playwright, and a
recorder that fails a test whose page sends any request to a host other than the app.

* ``live_server`` (module): the app on a free 127.0.0.1 port in a background thread, on a fresh
  data home with a test secret key; yields the base URL (``live_app`` gives the app object).
* ``browser`` (package): headless Chromium from ``ECONSEC_CHROMIUM`` or ``chromium`` on PATH,
  launched through ``executable_path`` (never a Playwright download). Missing: skipped with the
  reason, or failed under ``ECONSEC_REQUIRE_SERVICES=1``. Package scope rather than session:
  Playwright's sync API leaves an asyncio loop marked running in the main thread while it is
  alive, which would break ``asyncio.run`` in test packages collected after this one.
* ``page`` (function): a fresh context and page with ``base_url`` set to the live server. Every
  request is recorded in ``page_log``; requests to another origin are aborted (so nothing reaches
  the network) and fail the test, as do uncaught JavaScript errors (checked when the test
  returns, and again after the context closes for anything that arrived late).

Tests that use ``page`` or ``browser`` must carry ``@pytest.mark.browser`` (checked), so
``pytest -m "not browser"`` leaves them out.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI

from econsec.api import create_app
from econsec.settings import Settings
from tests.conftest_services import service_unavailable

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        ConsoleMessage,
        Page,
        Request,
        Response,
        Route,
        WebSocket,
    )

CHROMIUM_ENV = "ECONSEC_CHROMIUM"
#: A test-only master key (at least 32 characters; not the public development key).
TEST_SECRET_KEY = "econsec-browser-tests-secret-key-0123456789"
#: URL schemes a page may use without touching the network.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "javascript"})
START_TIMEOUT = 30.0


def origin(url: str) -> str:
    """``scheme://host:port`` of an absolute URL (the port filled in from the scheme)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or default}"


def is_outside(url: str, base_url: str) -> bool:
    """Whether a browser fetching ``url`` (absolute) would leave the app at ``base_url``.
    WebSocket URLs count as the app's own when they go to its host and port."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in LOCAL_SCHEMES:
        return False
    own = urlsplit(base_url)
    parts = urlsplit(url)
    if scheme in ("ws", "wss"):
        return (parts.hostname, parts.port) != (own.hostname, own.port)
    return origin(url) != origin(base_url)


# -- the app under uvicorn ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings on a fresh data home and SQLite app database under tmp, ``env=test``."""
    home = tmp_path_factory.mktemp("browser-home")
    return Settings(
        home=home,
        env="test",
        database_url=f"sqlite:///{home / 'app.db'}",
        secret_key=TEST_SECRET_KEY,
        duckdb_threads=2,
        duckdb_memory_limit="1GB",
    )


@pytest.fixture(scope="module")
def live_app(live_settings: Settings) -> FastAPI:
    """The application the live server runs (for route discovery)."""
    return create_app(live_settings, warm_screener=False)


@pytest.fixture(scope="module")
def live_server(live_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free 127.0.0.1 port in a background thread; yields the base
    URL (``http://127.0.0.1:PORT``, no trailing slash). Stopped and joined at module end."""
    config = uvicorn.Config(
        live_app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-browser-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=5)
            pytest.fail(f"uvicorn did not start within {START_TIMEOUT:.0f} s", pytrace=False)
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "the uvicorn thread did not stop"


# -- Chromium --------------------------------------------------------------------------------


def chromium_path() -> str | None:
    """The Chromium executable: ``ECONSEC_CHROMIUM`` if set, else ``chromium`` on PATH."""
    configured = os.environ.get(CHROMIUM_ENV, "").strip()
    if configured:
        return configured
    return shutil.which("chromium")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system's, via ``executable_path``), shared by the package."""
    executable = chromium_path()
    if executable is None:
        service_unavailable(
            f"no Chromium: install Debian's `chromium` package (apt-get install chromium) or set "
            f"{CHROMIUM_ENV} to a Chromium executable"
        )
    if not (Path(executable).is_file() and os.access(executable, os.X_OK)):
        service_unavailable(f"{CHROMIUM_ENV}={executable} is not an executable file")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_unavailable("Playwright is not installed: .venv/bin/pip install -e '.[dev]'")

    playwright = sync_playwright().start()
    try:
        try:
            launched = playwright.chromium.launch(executable_path=executable, headless=True)
        except PlaywrightError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            service_unavailable(f"Chromium at {executable} did not start: {first_line}")
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


# -- pages with a request recorder -----------------------------------------------------------


@dataclass
class PageLog:
    """What one page did: every request URL, those that left the app (aborted), failures,
    HTTP errors from the app, console errors and uncaught exceptions."""

    base_url: str
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)

    def take_problems(self) -> list[str]:
        """Outside requests and uncaught errors not yet reported (each is reported once)."""
        found = [f"request to another host (blocked): {url}" for url in self.outside]
        found += [f"uncaught JavaScript error: {error}" for error in self.page_errors]
        new = [problem for problem in found if problem not in self.reported]
        self.reported.update(new)
        return new

    def note_outside(self, url: str) -> None:
        if url not in self.outside:
            self.outside.append(url)

    def paths(self) -> list[str]:
        """Paths (with query) of the requests that went to the app."""
        found = []
        for url in self.requests:
            parts = urlsplit(url)
            if not is_outside(url, self.base_url) and parts.scheme in ("http", "https"):
                found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return found


@pytest.fixture
def page_log(live_server: str) -> PageLog:
    """The record of the test's ``page`` (empty until the page is used)."""
    return PageLog(base_url=live_server)


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, page_log: PageLog
) -> Iterator[Page]:
    """A new context and page on the live server (``page.goto("/docs")`` works). Requests to any
    other origin are aborted and recorded; they, and uncaught page errors, fail the test."""
    if request.node.get_closest_marker("browser") is None:
        pytest.fail("tests that drive Chromium must be marked @pytest.mark.browser", pytrace=False)
    context = browser.new_context(base_url=live_server)

    def guard(route: Route) -> None:
        url = route.request.url
        if is_outside(url, live_server):
            page_log.note_outside(url)
            route.abort("blockedbyclient")
        else:
            route.fallback()

    def on_request(req: Request) -> None:
        page_log.requests.append(req.url)
        if is_outside(req.url, live_server):
            page_log.note_outside(req.url)

    def on_failed(req: Request) -> None:
        if not is_outside(req.url, live_server):
            page_log.failed.append(f"{req.url}: {req.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and not is_outside(response.url, live_server):
            page_log.http_errors.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            where = f" ({location.get('url')}:{location.get('lineNumber')})" if location else ""
            page_log.console_errors.append(message.text + where)

    def on_websocket(socket: WebSocket) -> None:
        page_log.requests.append(socket.url)
        if is_outside(socket.url, live_server):
            page_log.note_outside(socket.url)

    context.route("**/*", guard)
    context.on("request", on_request)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    context.on("console", on_console)
    context.on("weberror", lambda error: page_log.page_errors.append(str(error.error)))
    opened = context.new_page()
    opened.on("websocket", on_websocket)
    try:
        yield opened
    finally:
        context.close()
    late = page_log.take_problems()  # those not already failed by pytest_runtest_call below
    if late:
        pytest.fail("\n".join(late), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not only its teardown) when its page left the app or threw."""
    result = yield
    funcargs = getattr(item, "funcargs", {})
    log = funcargs.get("page_log") if "page" in funcargs else None
    if isinstance(log, PageLog):
        problems = log.take_problems()
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)
    return result
