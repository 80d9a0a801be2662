"""Protect over HTTP.

* yente-compatible: ``POST /match/{dataset}``, ``GET /search/{dataset}``, ``GET /algorithms``,
  ``GET /catalog``, ``GET /healthz``, ``GET /readyz`` (see :mod:`econsec.protect.yente`), so
  yente clients work unchanged;
* econsec's own, under ``/protect``: list versions (load, list, diff), compare, parties,
  rescreening, hits, decisions and the audit trail; ``POST /protect/screen-file`` screens an
  uploaded CSV of parties as a background job (signed in; results from
  ``GET /jobs/{id}/result``). Parameters mirror ``econsec protect ...``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, File, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from econsec.api.routers.council import ActorDep
from econsec.api.schemas import JobInfo
from econsec.api.uploads import uploaded
from econsec.errors import EconsecError, InvalidInput
from econsec.jobs import JobRunner, discard_upload, save_upload
from econsec.protect import yente
from econsec.protect.lists import formats as list_formats
from econsec.protect.screening.screener import Screener
from econsec.protect.screening.screener import compare as run_compare
from econsec.protect.service import ProtectService
from econsec.store.app import MAX_ID

router = APIRouter(tags=["protect"])
#: Seconds for which the API trusts its last look at the active list versions.
FRESHNESS = 1.0


def service(request: Request) -> ProtectService:
    """The app's Protect service."""
    return cast(ProtectService, request.app.state.protect)


MATCH_EXAMPLE = {
    "queries": {
        "q1": {"schema": "Person", "properties": {"name": ["Usama bin Ladin"]}},
        "q2": {"schema": "Company", "properties": {"name": ["ロステック"]}},
    }
}


#: Queries of a /match request answered on the event loop itself: a few milliseconds of work
#: that a worker thread would not run any sooner under the GIL, while the hand-over to the
#: thread and back costs as much as the screening. Larger batches, and requests that must first
#: check or rebuild the index (when no thread keeps it fresh), go to a worker thread.
INLINE_QUERIES = 4


@router.post("/match/{dataset}", response_class=JSONResponse)
async def match(
    request: Request,
    dataset: str,
    body: Annotated[dict[str, Any], Body(examples=[MATCH_EXAMPLE])],
    limit: Annotated[int, Query(ge=1, le=yente.MAX_LIMIT)] = 5,
    threshold: Annotated[float | None, Query(gt=0, le=1)] = None,
    cutoff: Annotated[float, Query(ge=0, le=1)] = yente.DEFAULT_CUTOFF,
    algorithm: str | None = None,
    exclude_entity_ids: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """Match parties by example (yente's request and response shape). ``dataset``: ``default``
    for every active list, or list names joined by commas."""
    protect = service(request)
    algorithm, threshold = protect.policy(algorithm, threshold)

    def answer(screener: Screener) -> Response:
        found = yente.match(
            screener,
            dataset,
            body,
            limit=limit,
            threshold=threshold,
            cutoff=cutoff,
            algorithm=algorithm,
            exclude_entity_ids=exclude_entity_ids or (),
        )
        return JSONResponse(found)  # JSON-native already: no encoder pass

    screener = protect.fresh(2 * FRESHNESS)  # kept fresh by the server's own thread
    queries = body.get("queries")
    small = isinstance(queries, dict) and len(queries) <= INLINE_QUERIES
    if screener is not None and small:
        await asyncio.sleep(0)  # let the loop read what has arrived before this work
        return answer(screener)
    return await run_in_threadpool(lambda: answer(protect.screener(FRESHNESS)))


@router.get("/search/{dataset}")
def search(
    request: Request,
    dataset: str,
    q: Annotated[str, Query(min_length=1, max_length=300, description="A name")],
    schema: str = "Thing",
    limit: Annotated[int, Query(ge=1, le=yente.MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Listed entities whose names are nearest to ``q`` (yente's shape)."""
    screener = service(request).screener(FRESHNESS)
    return yente.search(screener, dataset, q, schema=schema, limit=limit, offset=offset)


@router.get("/algorithms")
def algorithms() -> dict[str, Any]:
    """The scoring algorithms (yente's shape)."""
    return yente.algorithms()


@router.get("/catalog")
def catalog(request: Request) -> dict[str, Any]:
    """The active list versions as yente datasets."""
    active = service(request).store.active()
    return {
        "datasets": [
            {
                "name": v.name,
                "title": v.title,
                "version": v.version,
                "entity_count": v.entity_count,
                "thing_count": v.entity_count,
                "updated_at": v.loaded_at.isoformat(),
                "load": True,
                "index_current": True,
            }
            for v in active
        ],
        "current": [v.name for v in active],
        "outdated": [],
        "index_stale": False,
    }


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness (yente's shape)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 once the screening index is built, 503 before."""
    ready = service(request).ready
    return JSONResponse({"status": "ok" if ready else "building"}, 200 if ready else 503)


# -- econsec's own routes ------------------------------------------------------------------


@router.get("/protect/lists")
def lists(request: Request, all_versions: bool = False) -> list[dict[str, Any]]:
    """The active version of each list (``all_versions``: every loaded version)."""
    store = service(request).store
    active = {v.id for v in store.active()}
    versions = store.versions() if all_versions else store.active()
    return [v.as_dict(active=v.id in active) for v in versions]


@router.get("/protect/lists/formats")
def formats() -> list[dict[str, str]]:
    """The list formats econsec reads."""
    return [
        {
            "format": f.name,
            "title": f.title,
            "publisher": f.publisher,
            "licence": f.licence,
            "sample": f.sample,
        }
        for f in list_formats()
    ]


@router.post("/protect/lists/{fmt}", status_code=201)
def load_list(
    request: Request,
    fmt: str,
    files: Annotated[list[UploadFile], File(description="The list file(s)")],
    version: Annotated[str | None, Query(description="Publication date YYYY-MM-DD")] = None,
    rescreen: bool = True,
) -> dict[str, Any]:
    """Load uploaded list files as a new list version (all or nothing), then rescreen the
    stored parties."""
    protect = service(request)
    with uploaded(*files) as paths:
        names = [f"upload:{p.name}" for p in paths]
        loaded = protect.load(fmt, paths, version=version, names=names)
    report = None
    if rescreen and protect.store.parties():
        report = protect.rescreen(f"{loaded.name} {loaded.version} loaded", workers=1)
    return {"loaded": loaded.as_dict(), "rescreen": report.as_dict() if report else None}


@router.get("/protect/lists/{name}/diff")
def diff(
    request: Request,
    name: str,
    from_id: Annotated[int | None, Query(alias="from")] = None,
    to_id: Annotated[int | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Entities added, removed and changed between two versions of a list."""
    return service(request).store.diff(name, from_id, to_id).as_dict()


@router.post("/protect/screen-file", response_model=JobInfo, status_code=status.HTTP_202_ACCEPTED)
def screen_file(
    request: Request,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="CSV: id,name[,schema,country,birth_date]")],
    limit: Annotated[int, Query(ge=1, le=100, description="Results per party")] = 5,
    all_results: Annotated[
        bool, Query(alias="all", description="Also the best results below the threshold")
    ] = False,
    algorithm: str | None = None,
    threshold: float | None = None,
) -> JobInfo:
    """Screen every party of an uploaded CSV file in the background (``econsec protect
    screen-file``); follow ``GET /jobs/{id}`` and fetch the CSV from ``GET /jobs/{id}/result``
    (only the user who sent the file, or an admin)."""
    jobs = cast(JobRunner, request.app.state.jobs)
    service(request).policy(algorithm, threshold)  # an unknown algorithm fails now
    target = save_upload(request.app.state.settings.home, file.filename, file.file)
    try:
        job, _ = jobs.submit_screen(
            target,
            actor=actor.name,
            limit=limit,
            matches_only=not all_results,
            algorithm=algorithm,
            threshold=threshold,
        )
    except EconsecError:
        discard_upload(target)  # refused at once: nothing to rerun, nothing kept
        raise
    security = request.app.state.security
    security.record(actor.name, "api", "protect.batch", target=f"job:{job.id}", file=target.name)
    return JobInfo.model_validate(job)


class CompareRequest(BaseModel):
    name1: str = Field(min_length=1, max_length=300, examples=["ロステック"])
    name2: str = Field(min_length=1, max_length=300, examples=["Rostec"])
    schema_: str = Field("Thing", alias="schema", examples=["Company"])
    algorithm: str | None = None
    threshold: float | None = None


@router.post("/protect/compare")
def compare(request: Request, body: CompareRequest) -> dict[str, Any]:
    """Whether two names denote the same party: ``{score, match, features, explanation}``."""
    algorithm, threshold = service(request).policy(body.algorithm, body.threshold)
    result = run_compare(
        body.name1, body.name2, schema=body.schema_, algorithm=algorithm, threshold=threshold
    )
    return result.as_dict()


class PartyIn(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    schema_: str = Field("LegalEntity", alias="schema")
    country: str | None = None
    birth_date: str | None = None


@router.post("/protect/parties")
def save_parties(request: Request, parties: list[PartyIn], rescreen: bool = True) -> dict[str, Any]:
    """Store (or update) counterparties, then rescreen them."""
    protect = service(request)
    count = protect.store.save_parties(
        [
            {
                "id": p.id,
                "name": p.name,
                "schema": p.schema_,
                "country": p.country,
                "birth_date": p.birth_date,
            }
            for p in parties
        ]
    )
    report = protect.rescreen("parties saved", workers=1) if rescreen and count else None
    return {"saved": count, "rescreen": report.as_dict() if report else None}


@router.get("/protect/parties")
def parties(request: Request) -> list[dict[str, Any]]:
    """The stored counterparties."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "schema": p.schema,
            "country": p.country,
            "birth_date": p.birth_date,
        }
        for p in service(request).store.parties()
    ]


@router.post("/protect/rescreen")
def rescreen(request: Request, reason: str = "manual") -> dict[str, Any]:
    """Rescreen every stored party against the active lists now."""
    protect = service(request)
    if not protect.store.parties():
        raise InvalidInput("no stored parties to rescreen")
    return protect.rescreen(reason, workers=1).as_dict()


@router.get("/protect/hits")
def hits(
    request: Request,
    run: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    party: str | None = None,
    new: bool = False,
) -> list[dict[str, Any]]:
    """Hits of one run (default: the last) or of one party across runs."""
    store = service(request).store
    if run is None and party is None:
        last = store.last_run()
        run = last.id if last else -1
    found = store.hits(run_id=run, party_id=party)
    return [h.as_dict() for h in found if not new or h.status in ("new", "changed")]


class DecisionIn(BaseModel):
    party_id: str = Field(min_length=1)
    entity_id: str = Field(min_length=1)
    verdict: str = Field(examples=["false_positive"])
    reason: str = Field(min_length=1, examples=["different date of birth"])
    analyst: str = Field(min_length=1, examples=["a.tanaka"])


@router.post("/protect/decisions", status_code=201)
def decide(request: Request, body: DecisionIn) -> dict[str, Any]:
    """Record a decision (never overwritten: the newest decision on a pair counts)."""
    decision = service(request).store.decide(
        body.party_id, body.entity_id, body.verdict, body.reason, body.analyst
    )
    return decision.as_dict()


@router.get("/protect/decisions")
def decisions(request: Request, party: str | None = None) -> list[dict[str, Any]]:
    """Every decision (of one party), oldest first."""
    return [d.as_dict() for d in service(request).store.decisions(party)]


@router.get("/protect/audit")
def audit(request: Request) -> StreamingResponse:
    """The audit trail as JSON lines: list versions, runs, hits, decisions."""
    records = service(request).audit_trail()

    def lines() -> Iterator[str]:
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
