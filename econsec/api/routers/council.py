"""Sign-in, users, Council workspaces and documents, and the audit log over HTTP.

Every route but ``POST /auth/login`` needs a signed-in actor: a bearer token
(``Authorization: Bearer ...``, from ``POST /auth/login``) or the session cookie the same call
sets (``econsec_session``: HttpOnly, Secure, SameSite=Strict). The routes call the same service
functions as the CLI; a document the actor may not see answers 404 exactly like one that does
not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from econsec.council.service import Council
from econsec.errors import InvalidInput, Unauthenticated
from econsec.security.policy import Actor
from econsec.security.service import Security

router = APIRouter(tags=["council"])
COOKIE = "econsec_session"


def security(request: Request) -> Security:
    """The app's security service."""
    return cast(Security, request.app.state.security)


def council(request: Request) -> Council:
    """The app's Council service."""
    return cast(Council, request.app.state.council)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE)


def current_actor(request: Request) -> Actor:
    """The signed-in actor, or 401."""
    token = _token(request)
    actor = security(request).resolve(token, "api") if token else None
    if actor is None:
        raise Unauthenticated("sign in first: POST /auth/login, then send the bearer token")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def optional_actor(request: Request) -> Actor | None:
    """The signed-in actor, or None without a token (a bad token is still 401)."""
    return current_actor(request) if _token(request) else None


MaybeActorDep = Annotated[Actor | None, Depends(optional_actor)]


def set_session_cookie(response: Response, token: str, expires: datetime) -> None:
    """The session cookie of a sign-in (API and web pages): HttpOnly, Secure, SameSite=Strict."""
    response.set_cookie(
        COOKIE, token, httponly=True, secure=True, samesite="strict", expires=expires, path="/"
    )


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie, with the attributes it was set with."""
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")


class Credentials(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


@router.post("/auth/login")
def login(request: Request, response: Response, body: Credentials) -> dict[str, Any]:
    """Sign in: a bearer token (and the same as a secure session cookie). Repeated failures
    lock the account for a while; every attempt is audited."""
    token, expires = security(request).sign_in(body.name, body.password, "api")
    set_session_cookie(response, token, expires)
    return {"token": token, "token_type": "bearer", "expires_at": expires.isoformat()}


@router.post("/auth/logout")
def logout(request: Request, response: Response, actor: ActorDep) -> dict[str, str]:
    """End this session or token."""
    token = _token(request)
    if token:
        security(request).sign_out(token, "api")
    clear_session_cookie(response)
    return {"status": "signed out", "user": actor.name}


@router.get("/auth/me")
def me(actor: ActorDep) -> dict[str, Any]:
    """Who is signed in, and the role's rights."""
    from econsec.security.policy import RIGHTS

    return {"name": actor.name, "role": actor.role, "rights": sorted(RIGHTS[actor.role])}


# -- users (admins; clearances: admins and officials) ------------------------------------------


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: str
    password: str | None = Field(None, min_length=12, max_length=1000)


@router.get("/users")
def users(request: Request, actor: ActorDep) -> list[dict[str, Any]]:
    """Every user with role and current clearance (admins)."""
    return security(request).users(actor)


@router.post("/users", status_code=201)
def add_user(request: Request, actor: ActorDep, body: NewUser) -> dict[str, Any]:
    """Create a user (admins)."""
    return security(request).add_user(actor, body.name, body.role, body.password)


@router.post("/users/{name}/disable")
def disable_user(request: Request, actor: ActorDep, name: str) -> dict[str, str]:
    """Disable an account (admins)."""
    security(request).disable_user(actor, name)
    return {"name": name, "status": "disabled"}


class Grant(BaseModel):
    level: str
    until: date
    start: date | None = Field(None, alias="from")


@router.post("/users/{name}/clearances", status_code=201)
def grant(request: Request, actor: ActorDep, name: str, body: Grant) -> dict[str, Any]:
    """Grant a clearance (admins and officials; the signed-in user is the authority)."""
    return security(request).grant_clearance(actor, name, body.level, body.until, body.start)


class Revoke(BaseModel):
    reason: str = ""


@router.post("/users/{name}/clearances/revoke")
def revoke(request: Request, actor: ActorDep, name: str, body: Revoke) -> dict[str, Any]:
    """Revoke every current clearance of a user (admins and officials)."""
    return {"name": name, "revoked": security(request).revoke_clearance(actor, name, body.reason)}


# -- workspaces and documents -------------------------------------------------------------------


class NewWorkspace(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    title: str = ""


class NewMember(BaseModel):
    user: str = Field(min_length=1, max_length=100)


@router.get("/council/workspaces")
def workspaces(request: Request, actor: ActorDep) -> list[dict[str, Any]]:
    """The workspaces the actor is a member of (admins: all)."""
    return council(request).workspaces(actor)


@router.post("/council/workspaces", status_code=201)
def create_workspace(request: Request, actor: ActorDep, body: NewWorkspace) -> dict[str, Any]:
    """Create a workspace (admins and officials)."""
    return council(request).create_workspace(actor, body.name, body.title)


@router.post("/council/workspaces/{name}/members", status_code=201)
def add_member(request: Request, actor: ActorDep, name: str, body: NewMember) -> dict[str, str]:
    """Add a member (admins, or officials who are members)."""
    council(request).add_member(actor, name, body.user)
    return {"workspace": name, "user": body.user}


@router.get("/council/documents")
def documents(
    request: Request,
    actor: ActorDep,
    workspace: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The documents the actor may see, newest first: ``{"total", "items"}``."""
    page = council(request).documents(actor, workspace, limit=limit, offset=offset)
    return {"total": page.total, "items": page.items}


@router.post("/council/documents", status_code=201)
async def upload(
    request: Request,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="PDF, Office or text file")],
    workspace: Annotated[str, Form()],
    level: Annotated[str, Form()],
    title: Annotated[str, Form()],
) -> dict[str, Any]:
    """File a document into a workspace at a level."""
    data = await file.read()
    name = file.filename or "upload"
    return council(request).put(actor, workspace, data, name, title=title, level=level)


class Note(BaseModel):
    workspace: str
    level: str
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


@router.post("/council/notes", status_code=201)
def note(request: Request, actor: ActorDep, body: Note) -> dict[str, Any]:
    """File a structured note."""
    return council(request).put_note(
        actor, body.workspace, title=body.title, level=body.level, text=body.text
    )


@router.get("/council/documents/{document_id}")
def document(request: Request, actor: ActorDep, document_id: int) -> dict[str, Any]:
    """A document's metadata and versions (404 when not visible)."""
    return council(request).get(actor, document_id)


@router.get("/council/documents/{document_id}/content")
def download(
    request: Request, actor: ActorDep, document_id: int, version: int | None = None
) -> Response:
    """Download a version (default the current one)."""
    filename, media_type, content = council(request).download(actor, document_id, version)
    safe = filename.replace('"', "").replace("\\", "")
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/council/documents/{document_id}/versions", status_code=201)
async def add_version(
    request: Request,
    actor: ActorDep,
    document_id: int,
    file: Annotated[UploadFile, File(description="The new version")],
) -> dict[str, Any]:
    """Add a version to a visible document."""
    data = await file.read()
    return council(request).add_version(actor, document_id, data, file.filename or "upload")


class Downgrade(BaseModel):
    level: str
    reason: str = Field(min_length=1)


@router.post("/council/documents/{document_id}/downgrade")
def downgrade(
    request: Request, actor: ActorDep, document_id: int, body: Downgrade
) -> dict[str, Any]:
    """Lower a document's level (downgrade right; audited with the reason)."""
    return council(request).downgrade(actor, document_id, body.level, body.reason)


@router.get("/council/search")
def search(
    request: Request,
    actor: ActorDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    workspace: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> list[dict[str, Any]]:
    """Documents the actor may see holding every word of ``q``, with snippets."""
    return council(request).search(actor, q, workspace, limit=limit)


# -- audit (admins) ---------------------------------------------------------------------------


@router.get("/audit/verify")
def audit_verify(
    request: Request, actor: ActorDep, expect_head: str | None = None
) -> dict[str, Any]:
    """Walk the audit chain: ``ok`` and the first broken entry, if any; ``expect_head``
    (``SEQ:HASH`` from an earlier verify) must still be in the log unchanged."""
    return security(request).verify(actor, expect_head).as_dict()


@router.get("/audit/export")
def audit_export(request: Request, actor: ActorDep, format: str = "json") -> StreamingResponse:
    """The audit log as JSON lines or CSV."""
    if format not in ("json", "csv"):
        raise InvalidInput("format must be json or csv")
    chunks = security(request).export(actor, format)
    first = next(chunks, "")  # checks the right before the response starts

    def stream() -> Any:
        yield first
        yield from chunks

    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(stream(), media_type=media)
