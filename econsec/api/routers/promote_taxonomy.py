"""The technology taxonomy and the allied crosswalk over HTTP (Promote).

Parameters mirror ``econsec promote taxonomy ...``; results are the same JSON documents. The
lists come from the loaded ``critical_technologies`` dataset (409 naming the command that loads
it otherwise) and the crosswalk is the shipped one with the stored edits applied (``shipped=true``:
without them). Reading the taxonomy needs no sign-in, like the other reference data; editing the
crosswalk needs a signed-in user who may write and is audited, and so is reading the history of
edits (it names the people who made them) only for signed-in users.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from econsec.api.deps import CatalogueDep
from econsec.api.routers.council import ActorDep
from econsec.promote.taxonomy import Taxonomy

router = APIRouter(prefix="/promote", tags=["promote: taxonomy and crosswalk"])

ListQuery = Annotated[
    str | None,
    Query(
        alias="list",
        max_length=60,
        description="One list: japan_20_areas, k_program_vision_1, us_cet_2022, us_cet_2024, "
        "eu_2023, aspi_tracker (or us2022, us2024, eu, aspi, k, japan)",
    ),
]
AreaQuery = Annotated[
    str | None, Query(max_length=100, description="One of Japan's 20 areas (id or name)")
]
ShippedQuery = Annotated[bool, Query(description="The shipped crosswalk, without the stored edits")]
_MEDIA = {"csv": "text/csv", "json": "application/json", "yaml": "application/yaml"}


def _taxonomy(request: Request, catalogue: Any, shipped: bool) -> tuple[Taxonomy, Taxonomy]:
    from econsec.promote.crosswalk_store import load

    return load(catalogue, None if shipped else request.app.state.app_store)


@router.get("/taxonomy")
def taxonomy_list(
    request: Request,
    catalogue: CatalogueDep,
    list_name: ListQuery = None,
    area: AreaQuery = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Search words, English or Japanese"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most N technologies")] = 500,
    shipped: ShippedQuery = False,
) -> dict[str, Any]:
    """The technologies of every list, of one (``list``), or mapped to one of Japan's areas
    (``area``), each with its crosswalk (area, confidence, origin, reason); with ``q``, those
    matching the words best first, with ``score``, ``matched_field``, ``matched_text`` and
    ``via_area``."""
    from econsec.promote.taxonomy_search import search

    taxonomy = _taxonomy(request, catalogue, shipped)[1]
    if q is not None:
        hits = search(taxonomy, q, list_name=list_name, area=area, limit=limit)
        items = [h.to_dict() for h in hits]
    else:
        items = [t.to_dict() for t in taxonomy.browse(list_name, area)[:limit]]
    return {
        "as_of": taxonomy.as_of,
        "provenance": taxonomy.provenance,
        "query": q,
        "count": len(items),
        "technologies": items,
    }


@router.get("/taxonomy/compare")
def taxonomy_compare(
    request: Request,
    catalogue: CatalogueDep,
    area: AreaQuery = None,
    shipped: ShippedQuery = False,
) -> dict[str, Any]:
    """Which lists cover each of Japan's areas (``areas``: present, count, technologies,
    only_on, missing_from), ``summary``, ``one_list_only``, ``unmapped``, ``us_2022_vs_2024``
    (kept, renamed, removed, added, areas_lost, areas_gained) and ``notes``."""
    from econsec.promote.allies import compare

    return compare(_taxonomy(request, catalogue, shipped)[1], area)


@router.get("/taxonomy/export")
def taxonomy_export(
    request: Request,
    catalogue: CatalogueDep,
    format: Annotated[Literal["csv", "json", "yaml"], Query(description="csv, json or yaml")],
    list_name: ListQuery = None,
    shipped: ShippedQuery = False,
) -> Response:
    """The taxonomy with its effective crosswalk as a file: CSV (one row per technology) or
    one JSON or YAML document."""
    from econsec.promote.taxonomy_export import export

    text = export(_taxonomy(request, catalogue, shipped)[1], format, list_name)
    name = f"critical_technologies_crosswalk.{format}"
    return Response(
        text.encode("utf-8"),
        media_type=f"{_MEDIA[format]}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/taxonomy/{ident}")
def taxonomy_show(
    request: Request,
    catalogue: CatalogueDep,
    ident: Annotated[
        str, Path(max_length=300, description="LIST:ID, an id, or one of Japan's areas")
    ],
    shipped: ShippedQuery = False,
) -> dict[str, Any]:
    """The technologies ``ident`` names, each with its crosswalk and ``related`` technologies
    of the other lists; for one of Japan's areas, ``area`` with what each list maps to it."""
    from econsec.promote.allies import describe

    return describe(_taxonomy(request, catalogue, shipped)[1], ident)


class CrosswalkChange(BaseModel):
    """One crosswalk edit."""

    technology: str = Field(min_length=1, max_length=300, examples=["us_cet_2024:directed_energy"])
    action: Literal["add", "remove", "reset"]
    area: str | None = Field(None, min_length=1, max_length=100, examples=["hypersonics"])
    confidence: Literal["low", "medium", "high"] | None = None
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/crosswalk")
def crosswalk_edit(
    request: Request, catalogue: CatalogueDep, actor: ActorDep, change: CrosswalkChange
) -> dict[str, Any]:
    """Add one of Japan's areas to a technology (or re-rate it), remove one, or reset the
    technology to its shipped links (signed-in users who may write; audited). The stored edit:
    id, technology, action, area, confidence, reason, actor, channel, at, before, after."""
    from econsec.promote.crosswalk_store import CrosswalkEdits

    shipped = _taxonomy(request, catalogue, True)[0]
    return CrosswalkEdits(request.app.state.security).edit(
        actor,
        shipped,
        change.technology,
        change.action,
        reason=change.reason,
        area=change.area,
        confidence=change.confidence,
    )


@router.get("/crosswalk/history")
def crosswalk_history(
    request: Request,
    catalogue: CatalogueDep,
    actor: ActorDep,
    technology: Annotated[
        str | None, Query(min_length=1, max_length=300, description="LIST:ID or an id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="The newest N edits")] = 1000,
) -> list[dict[str, Any]]:
    """The crosswalk edits (of one technology, or all), oldest first, with who, when, why and
    the links before and after (signed-in users)."""
    from econsec.promote.crosswalk_store import CrosswalkEdits

    shipped = _taxonomy(request, catalogue, True)[0] if technology is not None else None
    return CrosswalkEdits(request.app.state.security).history(technology, shipped, limit)
