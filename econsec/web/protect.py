"""The Protect pages: screen one party against the active lists, read the explained results and
record an analyst's decision (stored with the party, audited); screen a file of parties as a
background job and download the results; list versions and what changed between two of them."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from econsec.errors import EconsecError, InvalidInput
from econsec.jobs import JobRunner, discard_upload, save_upload
from econsec.web import guard
from econsec.web.pages import current_actor, failure, render, security_of, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)

SCHEMAS = ("Thing", "Person", "Organization", "Company", "Vessel")


def _protect(request: Request) -> Any:
    return request.app.state.protect


def party_id(name: str, schema: str, country: str, birth_date: str) -> str:
    """A stable id for a party screened from the page (decisions are recorded against it)."""
    key = "\x1f".join((name.strip().casefold(), schema, country.strip().casefold(), birth_date))
    return "web:" + hashlib.sha256(key.encode()).hexdigest()[:16]


@router.get("/protect", response_model=None)
def protect_page(
    request: Request,
    name: str = "",
    schema: str = "Thing",
    country: str = "",
    birth_date: str = "",
) -> Response:
    """The screening form and, with a name, the explained results."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    from econsec.protect.screening import model

    protect = _protect(request)
    lists = [v.as_dict(active=True) for v in protect.store.active()]
    results: list[dict[str, Any]] = []
    error: EconsecError | None = None
    party = ""
    decisions: dict[str, dict[str, Any]] = {}
    if name.strip():
        try:
            query = model.Query(
                names=(name,),
                schema=schema if schema in SCHEMAS else "Thing",
                countries=(country,) if country.strip() else (),
                birth_dates=(birth_date,) if birth_date.strip() else (),
            )
            results = [r.as_dict() for r in protect.screen(query, limit=10)]
        except EconsecError as refused:
            error = refused
        party = party_id(name, schema, country, birth_date)
        for decision in protect.store.decisions(party):
            decisions[decision.entity_id] = decision.as_dict()
    return render(
        request,
        "protect.html",
        actor=actor,
        section="protect",
        lists=lists,
        schemas=SCHEMAS,
        form={"name": name, "schema": schema, "country": country, "birth_date": birth_date},
        results=results,
        error=error,
        party=party,
        decisions=decisions,
    )


@router.post("/protect/decisions", response_model=None)
def protect_decide(
    request: Request,
    name: Annotated[str, Form()],
    entity_id: Annotated[str, Form()],
    verdict: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    kind: Annotated[str, Form(alias="schema")] = "Thing",
    country: Annotated[str, Form()] = "",
    birth_date: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Record an analyst's decision on a result (the screened party is stored first)."""
    schema = kind
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    protect = _protect(request)
    security = security_of(request)
    try:
        guard.check_csrf(request, csrf)
        security.require(actor, "write", "protect.decision", "record decisions")
        party = party_id(name, schema, country, birth_date)
        protect.store.save_parties(
            [
                {
                    "id": party,
                    "name": name.strip(),
                    "schema": schema if schema in SCHEMAS else "Thing",
                    "country": country.strip() or None,
                    "birth_date": birth_date.strip() or None,
                }
            ]
        )
        decision = protect.store.decide(party, entity_id, verdict, reason, actor.name)
        security.record(
            actor.name,
            "web",
            "protect.decision",
            target=f"{party}/{entity_id}",
            verdict=decision.verdict,
        )
    except EconsecError as error:
        return failure(request, actor, error)
    target = "/web/protect?" + urlencode(
        {"name": name, "schema": schema, "country": country, "birth_date": birth_date}
    )
    return RedirectResponse(target, status_code=303)


@router.post("/protect/batch", response_model=None)
def protect_batch(
    request: Request,
    file: Annotated[UploadFile, File()],
    limit: Annotated[int, Form()] = 5,
    below: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Screen an uploaded CSV of parties in the background; the job page shows the progress
    and, when done, the download (for the user who sent the file)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    security = security_of(request)
    jobs: JobRunner = request.app.state.jobs
    try:
        guard.check_csrf(request, csrf)
        target = save_upload(request.app.state.settings.home, file.filename, file.file)
        try:
            job, _ = jobs.submit_screen(
                target, actor=actor.name, limit=limit, matches_only=not below
            )
        except EconsecError:
            discard_upload(target)  # refused at once: nothing to rerun, nothing kept
            raise
        security.record(
            actor.name, "web", "protect.batch", target=f"job:{job.id}", file=target.name
        )
    except EconsecError as error:
        return failure(request, actor, error)
    return RedirectResponse(f"/web/jobs/{job.id}", status_code=303)


def _version_id(text: str, field: str) -> int | None:
    """A version number from the form (empty: the default)."""
    if not text.strip():
        return None
    if not (text.strip().isascii() and text.strip().isdigit()):
        raise InvalidInput(f"{field}: a version number, not {text!r}")
    return int(text)


@router.get("/protect/lists", response_model=None)
def protect_lists(
    request: Request,
    name: str = "",
    old: Annotated[str, Query(alias="from")] = "",
    new: Annotated[str, Query(alias="to")] = "",
    show: int = 200,
) -> Response:
    """Every loaded version of each list (the active one marked) and, for a list, what changed
    between two of its versions (default: the two newest)."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    store = _protect(request).store
    active = {v.id for v in store.active()}
    versions = [v.as_dict(active=v.id in active) for v in store.versions()]
    names = sorted({v["list"] for v in versions})
    diff: dict[str, Any] | None = None
    error: EconsecError | None = None
    if name:
        try:
            diff = store.diff(name, _version_id(old, "from"), _version_id(new, "to")).as_dict()
        except EconsecError as refused:
            error = refused
    show = max(1, min(show, 5000))
    return render(
        request,
        "protect_lists.html",
        actor=actor,
        section="protect",
        versions=versions,
        names=names,
        name=name,
        diff=diff,
        error=error,
        show=show,
    )
