"""Helpers shared by the web page tests (a conftest here would not reach other packages)."""

from __future__ import annotations

import csv
import html
import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.security.service import Security
from econsec.settings import Settings
from econsec.store.app import open_app_store
from econsec.web import guard
from tests.security.world import OPERATOR, PASSWORD, settings_for


def web_settings(home: Path) -> Settings:
    """A home with a SQLite app store, the tests' key and no sign-in rate limit to speak of."""
    return settings_for(f"sqlite:///{home / 'app.db'}", home, sign_in_per_minute=10_000)


def add_users(settings: Settings, **roles: str) -> None:
    """Users (SYNTHETIC names) with the tests' password: ``rita="analyst"``..."""
    security = Security(settings, open_app_store(settings.app_database_url))
    for name, role in roles.items():
        security.add_user(OPERATOR, name, role, PASSWORD)
    security.app.dispose()


@contextmanager
def running(settings: Settings) -> Iterator[Any]:
    """The app on ``settings``, started (its lifespan run) for the block."""
    application = create_app(settings, warm_screener=False)
    with TestClient(application, base_url="https://testserver"):
        yield application


def signed_in(app: Any, name: str, language: str | None = None) -> TestClient:
    """A browser of its own (https, so Secure cookies are kept), signed in as ``name``."""
    browser = TestClient(app, base_url="https://testserver")
    if language:
        browser.cookies.set("econsec_lang", language)
    browser.get("/web/login")
    token = browser.cookies.get(guard.CSRF_COOKIE)
    answer = browser.post(
        "/web/login",
        data={"name": name, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    if language:  # chosen in this browser after signing in (over the user's remembered one)
        browser.cookies.delete("econsec_lang")
        browser.cookies.set("econsec_lang", language)
    return browser


def wait(browser: TestClient, job: int) -> dict[str, Any]:
    """The state of job ``job`` once it has finished (polled as the job page does)."""
    for _ in range(600):
        state = browser.get(f"/web/jobs/{job}/state").json()
        if state["done"]:
            return dict(state)
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish")


def download(browser: TestClient, page: str, pattern: str) -> list[dict[str, str]]:
    """The CSV behind the page's first link matching ``pattern``."""
    link = re.search(f'href="({pattern}[^"]*)"', page)
    assert link, pattern
    answer = browser.get(html.unescape(link.group(1)))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text)))


def svgs(page: str) -> list[str]:
    """The inline SVG charts of a page."""
    return re.findall(r"<svg.*?</svg>", page, re.S)
