"""The Cases pages: the queue of cases the user may see, by deadline (overdue first), and a
case with its clocks, history and the forms of the transitions allowed now (a decision, a
reply, a withdrawal) and of clock extensions. Rights, access and audit are the case engine's;
the classification banner shows the case's level (the highest in the queue)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from econsec.api.routers.cases import cases_of
from econsec.cases.workflow import workflows
from econsec.errors import EconsecError, InvalidInput
from econsec.security.policy import Actor
from econsec.store.app import utcnow
from econsec.web.pages import (
    council_of,
    current_actor,
    failure,
    form_action,
    highest_level,
    render,
    security_of,
    sign_in_first,
)

router = APIRouter(prefix="/web", include_in_schema=False)


def _due_within(text: str) -> int | None:
    if not text.strip():
        return None
    if not (text.strip().isascii() and text.strip().isdigit()) or int(text) > 3660:
        raise InvalidInput(f"due within: a number of days, not {text!r}")
    return int(text)


@router.get("/cases", response_model=None)
def queue(request: Request, workflow: str = "", due_within: str = "") -> Response:
    """The cases the user may see, by their next deadline."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    error: EconsecError | None = None
    found: list[dict[str, Any]] = []
    try:
        found = cases_of(request).list(
            actor, workflow_name=workflow or None, due_within=_due_within(due_within)
        )
    except EconsecError as refused:
        error = refused
    from econsec.cases.notify import Notices

    notices = Notices(request.app.state.security, request.app.state.settings)
    return render(
        request,
        "cases.html",
        workspaces=[w["name"] for w in council_of(request).workspaces(actor)],
        levels=security_of(request).levels.names,
        actor=actor,
        section="cases",
        banner=highest_level([c["level"] for c in found], request),
        cases=found,
        notices=notices.inbox(actor, unread_only=True)[:20],
        flows=workflows(),
        form={"workflow": workflow, "due_within": due_within},
        error=error,
    )


@router.post("/cases/infra", response_model=None)
def submit_plan(
    request: Request,
    file: Annotated[UploadFile, File()],
    workspace: Annotated[str, Form()],
    level: Annotated[str, Form()] = "confidential",
    received: Annotated[str, Form()] = "",
    concern: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Submit an installation plan (a JSON file): the checks, then its case."""
    from econsec.cases.infra import read_plan, submit

    def work(actor: Actor) -> str:
        name = file.filename or "plan.json"
        state = request.app.state
        case = submit(
            cases_of(request),
            actor,
            read_plan(file.file.read(), name),
            catalogue=state.catalogue,
            protect=state.protect,
            workspace=workspace,
            level=level,
            received=_day(received),
            concern=concern or None,
            source=name,
        )
        return f"/web/cases/{case['id']}"

    return form_action(request, csrf, work)


@router.post("/cases/patents", response_model=None)
def import_patents(
    request: Request,
    file: Annotated[UploadFile, File()],
    workspace: Annotated[str, Form()],
    level: Annotated[str, Form()] = "confidential",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Import patent applications (JSON, CSV or ST.36-style XML): a case each."""
    from econsec.api.routers.cases import applications_of
    from econsec.cases.patents import open_cases, screener_for

    def work(actor: Actor) -> str:
        screener = screener_for(request.app.state.catalogue)
        open_cases(
            cases_of(request),
            actor,
            applications_of(file),
            screener,
            workspace=workspace,
            level=level,
        )
        return "/web/cases?workflow=patent"

    return form_action(request, csrf, work)


@router.post("/cases/notifications/read", response_model=None)
def notifications_read(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """Mark the user's notifications read."""
    from econsec.cases.notify import Notices

    def work(actor: Actor) -> str:
        Notices(request.app.state.security, request.app.state.settings).mark_read(actor)
        return "/web/cases"

    return form_action(request, csrf, work)


@router.get("/cases/{case_id}", response_model=None)
def case_page(request: Request, case_id: int) -> Response:
    """A case: clocks, history, and the forms of what may happen next."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        case = cases_of(request).show(actor, case_id)
    except EconsecError as error:
        return failure(request, actor, error)
    flow = workflows()[case["workflow"]]
    return render(
        request,
        "case.html",
        actor=actor,
        section="cases",
        banner=case["level"],
        case=case,
        flow=flow,
        today=utcnow().date().isoformat(),
    )


@router.post("/cases/{case_id}/decide", response_model=None)
def case_decide(
    request: Request,
    case_id: int,
    transition: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Make a transition (the engine checks the workflow, the right and the reason)."""

    def work(actor: Actor) -> str:
        cases_of(request).act(actor, case_id, transition, reason=reason or None, on=_day(on))
        return f"/web/cases/{case_id}"

    return form_action(request, csrf, work)


@router.post("/cases/{case_id}/extend", response_model=None)
def case_extend(
    request: Request,
    case_id: int,
    clock: Annotated[str, Form()],
    period: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Extend a running clock within its limit."""

    def work(actor: Actor) -> str:
        cases_of(request).extend(actor, case_id, clock, period, reason=reason)
        return f"/web/cases/{case_id}"

    return form_action(request, csrf, work)


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"a date YYYY-MM-DD, not {text!r}") from None
