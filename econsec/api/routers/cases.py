"""Cases over HTTP (signed in; the same rights, access rules and audit as the CLI): submit an
installation plan, import and screen patent applications, list cases by deadline, show one,
make a transition, extend a clock, assign."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, Field

from econsec.api.routers.council import ActorDep
from econsec.api.uploads import uploaded
from econsec.cases.service import Cases
from econsec.errors import InvalidInput

router = APIRouter(prefix="/cases", tags=["cases"])


def cases_of(request: Request) -> Cases:
    """The app's case engine."""
    return cast(Cases, request.app.state.cases)


class Plan(BaseModel):
    workspace: str = Field(examples=["council-a"])
    level: str = Field("confidential", examples=["confidential"])
    received: date | None = Field(None, description="Day of receipt (default today)")
    concern: str | None = Field(None, description="Countries of concern: a group or ISO3 codes")
    plan: dict[str, Any] = Field(
        description="reference, operator, sector, equipment, role, timing, supplier, ...",
        examples=[
            {
                "reference": "PLAN-1",
                "operator": "Synthetic KK",
                "sector": "telecom",
                "equipment": "core router",
            }
        ],
    )


class NewCase(BaseModel):
    workflow: str = Field(examples=["compensation"])
    reference: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=1000)
    workspace: str
    level: str = "confidential"
    on: date | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Decision(BaseModel):
    transition: str = Field(examples=["start_review"])
    reason: str | None = None
    on: date | None = None


class Extension(BaseModel):
    clock: str = Field(examples=["review"])
    period: str = Field(examples=["4 months"])
    reason: str = Field(min_length=1)


class Assignment(BaseModel):
    user: str


class Attachment(BaseModel):
    document: int = Field(description="A Council document of the case's workspace")


@router.get("")
def list_cases(
    request: Request,
    actor: ActorDep,
    workflow: str | None = None,
    due_within: Annotated[int | None, Query(ge=0, le=3660, description="Days")] = None,
) -> list[dict[str, Any]]:
    """The cases you may see, by their next deadline (overdue first)."""
    return cases_of(request).list(actor, workflow_name=workflow, due_within=due_within)


@router.post("", status_code=201)
def open_case(request: Request, actor: ActorDep, body: NewCase) -> dict[str, Any]:
    """Open a case of any workflow (consultations, compensation claims, ...)."""
    return cases_of(request).open(
        actor,
        body.workflow,
        reference=body.reference,
        title=body.title,
        workspace=body.workspace,
        level=body.level,
        data=body.data,
        on=body.on,
    )


class Operator(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    sector: str = Field(min_length=1, max_length=60, examples=["telecom"])
    on: date | None = None


@router.get("/operators")
def operators(request: Request, actor: ActorDep, sector: str | None = None) -> list[dict[str, Any]]:
    """The operators designated in the sectors of core infrastructure."""
    return cases_of(request).operators(sector)


@router.post("/operators", status_code=201)
def designate(request: Request, actor: ActorDep, body: Operator) -> dict[str, Any]:
    """Record an operator's designation in a sector (who may decide; audited)."""
    return cases_of(request).designate_operator(actor, body.name, body.sector, body.on)


@router.get("/{case_id}")
def show_case(request: Request, actor: ActorDep, case_id: int) -> dict[str, Any]:
    """A case with its clocks, the transitions allowed now and its history."""
    return cases_of(request).show(actor, case_id)


@router.post("/{case_id}/decide")
def decide(request: Request, actor: ActorDep, case_id: int, body: Decision) -> dict[str, Any]:
    """A transition of the case's workflow."""
    return cases_of(request).act(actor, case_id, body.transition, reason=body.reason, on=body.on)


@router.post("/{case_id}/extend")
def extend(request: Request, actor: ActorDep, case_id: int, body: Extension) -> dict[str, Any]:
    """Extend a running clock to a new total period, within its limit."""
    return cases_of(request).extend(actor, case_id, body.clock, body.period, reason=body.reason)


@router.post("/{case_id}/assign")
def assign(request: Request, actor: ActorDep, case_id: int, body: Assignment) -> dict[str, Any]:
    """Assign the case to a user who may see it."""
    return cases_of(request).assign(actor, case_id, body.user)


@router.post("/{case_id}/attach")
def attach(request: Request, actor: ActorDep, case_id: int, body: Attachment) -> dict[str, Any]:
    """Attach a Council document (its level still decides who reads it)."""
    return cases_of(request).attach(actor, case_id, body.document)


@router.post("/infra", status_code=201)
def submit_plan(request: Request, actor: ActorDep, body: Plan) -> dict[str, Any]:
    """Submit an installation plan: the automatic checks, then a case whose 30-day review
    clock starts on the day of receipt."""
    from econsec.cases.infra import submit

    state = request.app.state
    return submit(
        cases_of(request),
        actor,
        body.plan,
        catalogue=state.catalogue,
        protect=state.protect,
        workspace=body.workspace,
        level=body.level,
        received=body.received,
        concern=body.concern,
    )


def applications_of(upload: UploadFile) -> list[Any]:
    """The applications of an uploaded JSON or CSV file (checked whole before use)."""
    from econsec.cases.patents import read_applications

    suffix = Path(upload.filename or "applications.json").suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InvalidInput("applications come as a .json or .csv file")
    with uploaded(upload, default=f"applications{suffix}") as (path,):
        return list(read_applications(path))


@router.post("/patents/screen")
def screen_patents(
    request: Request,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="Applications: a JSON list or a CSV file")],
) -> list[dict[str, Any]]:
    """First-stage screening against the loaded non-disclosure fields: per application
    ``id``, ``fields``, ``needs_judgement``, ``referral_due``, ``designation_due``, matches."""
    from econsec.cases.patents import screener_for

    screener = screener_for(request.app.state.catalogue)
    return [screener.screen(a).as_dict() for a in applications_of(file)]


@router.post("/patents", status_code=201)
def import_patents(
    request: Request,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="Applications: a JSON list or a CSV file")],
    workspace: Annotated[str, Form()],
    level: Annotated[str, Form()] = "confidential",
) -> dict[str, Any]:
    """A patent case per application on its filing day, with its first-stage screening."""
    from econsec.cases.patents import open_cases, screener_for

    screener = screener_for(request.app.state.catalogue)
    opened = open_cases(
        cases_of(request),
        actor,
        applications_of(file),
        screener,
        workspace=workspace,
        level=level,
    )
    return {"opened": opened}
