"""The web pages (server-rendered with Jinja2 under ``/web``), on the same services as the API.

Every page but sign-in needs the session cookie of ``POST /web/login`` (the same token as the
API's); without it a page redirects to sign-in. Rights are those of the Council issue: a
document the user may not see is answered exactly like one that does not exist. Forms carry a
CSRF token (:mod:`econsec.web.guard`). Text is in English or Japanese (:mod:`econsec.web.i18n`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from econsec.api.routers.council import COOKIE, clear_session_cookie, set_session_cookie
from econsec.council.service import Council
from econsec.errors import EconsecError, NotFound, Unauthenticated
from econsec.security.policy import RIGHTS, Actor
from econsec.security.service import Security
from econsec.web import guard, i18n

HERE = Path(__file__).parent
SESSION_COOKIE = COOKIE  # the API's session cookie: one sign-in serves pages and API
PAGE_SIZE = 50
router = APIRouter(prefix="/web", include_in_schema=False)
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

#: The sections of the navigation, in order; each names the page that opens it.
SECTIONS = (
    ("know", "Know", "/web/know"),
    ("protect", "Protect", "/web/protect"),
    ("promote", "Promote", "/web/promote"),
    ("cases", "Cases", "/web/cases"),
    ("councils", "Councils", "/web/councils"),
    ("data", "Data", "/web/data"),
)


def security_of(request: Request) -> Security:
    return cast(Security, request.app.state.security)


def council_of(request: Request) -> Council:
    return cast(Council, request.app.state.council)


def _rate_limit(request: Request) -> guard.RateLimit:
    """The app's sign-in rate limit (``ECONSEC_SIGN_IN_PER_MINUTE`` per client address)."""
    state = request.app.state
    if getattr(state, "sign_in_limit", None) is None:
        state.sign_in_limit = guard.RateLimit(state.settings.sign_in_per_minute, 60.0)
    return cast(guard.RateLimit, state.sign_in_limit)


def locale_of(request: Request) -> i18n.Locale:
    language = i18n.choose(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
    return i18n.Locale(language)


def current_actor(request: Request) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    return security_of(request).resolve(token, "web") if token else None


def _safe_next(target: str | None) -> str:
    """Only paths of this site (no scheme, no host, no ``//``)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/web/"


def render(
    request: Request,
    template: str,
    *,
    actor: Actor | None,
    status_code: int = 200,
    section: str | None = None,
    banner: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the request's language, with the CSRF token and the navigation."""
    locale = locale_of(request)
    html = templates.get_template(template).render(
        _=locale.gettext,
        loc=locale,
        request=request,
        actor=actor,
        rights=RIGHTS.get(actor.role, frozenset()) if actor else frozenset(),
        csrf=guard.csrf_token(request),
        sections=SECTIONS,
        section=section,
        banner=banner,
        languages=i18n.LANGUAGE_NAMES,
        path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    guard.set_csrf_cookie(request, response)
    return response


def failure(request: Request, actor: Actor | None, error: EconsecError) -> HTMLResponse:
    """An error page with the error's status (a hidden record: 404, like a missing one)."""
    return render(request, "error.html", actor=actor, status_code=error.status_code, error=error)


def form_action(request: Request, csrf: str, work: Callable[[Actor], str]) -> Response:
    """A form's action: signed in (else to the sign-in page), the form's CSRF token checked,
    ``work(actor)`` done (an EconsecError shown as the error page), then to the page ``work``
    names."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        guard.check_csrf(request, csrf)
        target = work(actor)
    except EconsecError as error:
        return failure(request, actor, error)
    return RedirectResponse(target, status_code=303)


def sign_in_first(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/web/login?next={quote(target)}", status_code=303)


# -- sign-in and language -------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/web/") -> HTMLResponse:
    return render(request, "login.html", actor=None, next=_safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/web/",
) -> Response:
    try:
        guard.check_csrf(request, csrf)
        client = request.client.host if request.client else "unknown"
        _rate_limit(request).hit(client)
        token, expires = security_of(request).sign_in(name[:100], password[:1000], "web")
    except (Unauthenticated, guard.TooManyAttempts) as error:
        return render(
            request,
            "login.html",
            actor=None,
            status_code=error.status_code,
            next=_safe_next(next),
            error=error,
            name=name[:100],
        )
    except EconsecError as error:
        return failure(request, None, error)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, token, expires)
    chosen = security_of(request).language(name[:100])
    if chosen in i18n.LANGUAGES:  # the language this user chose, in any browser
        _set_language_cookie(response, chosen)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    guard.check_csrf(request, csrf)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        security_of(request).sign_out(token, "web")
    response = RedirectResponse("/web/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.post("/language")
def language(
    request: Request,
    language: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/web/",
) -> RedirectResponse:
    """Switch the language; remembered in a cookie for a year and, when signed in, with the
    user (so it follows them to another browser)."""
    guard.check_csrf(request, csrf)
    response = RedirectResponse(_safe_next(next), status_code=303)
    if language in i18n.LANGUAGES:
        _set_language_cookie(response, language)
        actor = current_actor(request)
        if actor is not None:
            security_of(request).set_language(actor, language)
    return response


def _set_language_cookie(response: Response, language: str) -> None:
    response.set_cookie(
        i18n.COOKIE,
        language,
        max_age=365 * 24 * 3600,
        secure=True,
        httponly=True,
        samesite="strict",
        path="/",
    )


# -- pages --------------------------------------------------------------------------------------


@router.get("/", response_model=None)
def home(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    workspaces = council_of(request).workspaces(actor)
    return render(request, "home.html", actor=actor, workspaces=workspaces)


@router.get("/councils", response_model=None)
def councils(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    workspaces = council_of(request).workspaces(actor)
    return render(request, "councils.html", actor=actor, section="councils", workspaces=workspaces)


def highest_level(levels: list[str], request: Request) -> str | None:
    order = security_of(request).levels.names
    present = [lv for lv in levels if lv in order]
    return max(present, key=order.index) if present else None


@router.get("/councils/{workspace}", response_model=None)
def workspace(request: Request, workspace: str, page: int = 1) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    page = max(1, page)
    try:
        listing = council_of(request).documents(
            actor, workspace, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    except EconsecError as error:
        return failure(request, actor, error)
    levels = security_of(request).levels.names
    return render(
        request,
        "workspace.html",
        actor=actor,
        section="councils",
        banner=highest_level([d["level"] for d in listing.items], request),
        workspace=workspace,
        listing=listing,
        page=page,
        pages=max(1, math.ceil(listing.total / PAGE_SIZE)),
        levels=levels,
    )


@router.post("/councils/{workspace}/documents", response_model=None)
def upload(
    request: Request,
    workspace: str,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form()],
    level: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        guard.check_csrf(request, csrf)
        data = file.file.read()
        stored = council_of(request).put(
            actor, workspace, data, file.filename or "upload", title=title, level=level
        )
    except EconsecError as error:
        return failure(request, actor, error)
    return RedirectResponse(f"/web/documents/{stored['id']}", status_code=303)


@router.get("/documents/{document_id}", response_model=None)
def document(request: Request, document_id: int) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        doc = council_of(request).get(actor, document_id)
    except EconsecError as error:
        return failure(request, actor, error)
    return render(
        request, "document.html", actor=actor, section="councils", banner=doc["level"], doc=doc
    )


@router.get("/documents/{document_id}/content", response_model=None)
def download(request: Request, document_id: int, version: int | None = None) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        filename, media_type, content = council_of(request).download(actor, document_id, version)
    except EconsecError as error:
        return failure(request, actor, error)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


@router.get("/search", response_model=None)
def search(request: Request, q: str = "", workspace: str | None = None) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    results: list[dict[str, Any]] = []
    error: EconsecError | None = None
    if q.strip():
        try:
            results = council_of(request).search(actor, q, workspace or None)
        except NotFound as missing:
            return failure(request, actor, missing)
        except EconsecError as refused:
            error = refused
    return render(
        request,
        "search.html",
        actor=actor,
        section="councils",
        banner=highest_level([d["level"] for d in results], request),
        q=q,
        results=results,
        error=error,
    )


@router.get("/audit", response_model=None)
def audit_page(request: Request, limit: int = 100) -> Response:
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    security = security_of(request)
    try:
        state = security.verify(actor)
        entries = security.latest(actor, max(1, min(limit, 1000)))
    except EconsecError as error:
        return failure(request, actor, error)
    return render(
        request, "audit.html", actor=actor, section="councils", state=state, entries=entries
    )
