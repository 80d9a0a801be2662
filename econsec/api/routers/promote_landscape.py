"""The technology landscape over HTTP (Promote): country strength per technology area, who
leads, monopoly risk, top institutions, charts and the comparison with ASPI's headline.

Parameters mirror ``econsec promote landscape ...``; results are the same JSON documents. Data
come from the publication datasets of :class:`~econsec.store.landscapes.Landscapes`: the default
``openalex_ai_dl`` is the CC0 OpenAlex counts file shipped in ``data/tech`` (until a dataset of
that name is loaded), others are loaded with ``econsec promote landscape-load`` or uploaded here.
Reading needs no sign-in (like the Know routes); uploading or deleting needs a signed-in user who
may write, and is audited.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response

from econsec.api.deps import CatalogueDep
from econsec.api.routers.council import ActorDep
from econsec.promote.landscape import Landscape, landscape
from econsec.reports.tables import finite
from econsec.store.landscapes import SHIPPED_NAME, Landscapes

router = APIRouter(prefix="/promote", tags=["promote: technology landscape"])

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
DatasetQ = Annotated[
    str, Query(pattern=NAME, description="Publication dataset (default: the shipped counts)")
]
AreaQ = Annotated[
    list[str] | None, Query(max_length=50, description="Only these areas or technologies")
]
PeriodQ = Annotated[int, Query(ge=1, le=50, description="Years per window")]
StepQ = Annotated[int | None, Query(ge=1, le=50, description="Years between windows")]
FromQ = Annotated[int | None, Query(alias="from", ge=1000, le=2100, description="First year")]
ToQ = Annotated[int | None, Query(alias="to", ge=1000, le=2100, description="Last year")]
ScoreQ = Annotated[float, Query(ge=0, le=1, description="Least OpenAlex label score")]


def _landscapes(catalogue: Any) -> Landscapes:
    return Landscapes(catalogue.store)


def _build(
    catalogue: Any,
    dataset: str,
    min_score: float,
    **options: Any,
) -> Landscape:
    records = _landscapes(catalogue).records(dataset, min_score=min_score)
    return landscape(records, **options)


@router.get("/landscape")
def get_landscape(
    catalogue: CatalogueDep,
    dataset: DatasetQ = SHIPPED_NAME,
    area: AreaQ = None,
    country: Annotated[
        list[str] | None,
        Query(max_length=300, description="Only these countries (ISO alpha-2) in rows"),
    ] = None,
    period: PeriodQ = 5,
    step: StepQ = None,
    first: FromQ = None,
    last: ToQ = None,
    counting: Annotated[
        Literal["whole", "fractional"] | None, Query(description="Default: fractional for works")
    ] = None,
    lead_by: Annotated[
        Literal["top10", "output"] | None, Query(description="Default: top10 when cited")
    ] = None,
    top: Annotated[int, Query(ge=1, le=1000, description="Countries per area and window")] = 10,
    min_score: ScoreQ = 0.0,
    high: Annotated[float, Query(gt=1, le=1000, description="Risk high from this ratio")] = 3.0,
    medium: Annotated[float, Query(gt=1, le=1000, description="Risk medium from this ratio")] = 2.0,
    focus: Annotated[
        str, Query(pattern=r"^[A-Za-z]{2}$", description="Country reported beside leaders")
    ] = "JP",
) -> dict[str, Any]:
    """Output, shares, growth, top-10 % share, who leads, monopoly risk and top institutions
    per technology and window: ``{source, counting, metric, windows, thresholds, rows,
    leaders, institutions, notes}``."""
    result = _build(
        catalogue,
        dataset,
        min_score,
        period=period,
        step=step,
        first=first,
        last=last,
        counting=counting,
        lead_by=lead_by,
        technologies=area,
        high=high,
        medium=medium,
        focus=focus,
        institutions=top,
    )
    return cast(dict[str, Any], finite({"dataset": dataset, **result.to_dict(top, country)}))


@router.get("/landscape/chart", response_class=Response)
def landscape_chart(
    catalogue: CatalogueDep,
    dataset: DatasetQ = SHIPPED_NAME,
    technology: Annotated[
        str | None, Query(max_length=200, description="Technology or area (default: first)")
    ] = None,
    kind: Annotated[
        Literal["lines", "bars"], Query(description="Share over time, or one window's shares")
    ] = "lines",
    period: PeriodQ = 1,
    first: FromQ = None,
    last: ToQ = None,
    top: Annotated[int, Query(ge=1, le=20, description="Countries shown")] = 5,
    min_score: ScoreQ = 0.0,
) -> Response:
    """An SVG chart: each leading country's share per window (``lines``; annual by default) or
    the shares in the latest window (``bars``)."""
    from econsec.reports.landscape_charts import share_bars, share_lines

    result = _build(
        catalogue,
        dataset,
        min_score,
        period=period,
        first=first,
        last=last,
        technologies=[technology] if technology else None,
    )
    techs = sorted({r["technology"] for r in result.leaders.to_pylist()})
    chosen = next((t for t in techs if t == technology), techs[0] if techs else "")
    svg = (
        share_lines(result, chosen, top=min(top, 7))
        if kind == "lines"
        else share_bars(result, chosen, top=top)
    )
    return Response(svg, media_type="image/svg+xml")


@router.get("/landscape/compare")
def landscape_compare(
    catalogue: CatalogueDep,
    dataset: DatasetQ = SHIPPED_NAME,
    period: PeriodQ = 5,
    first: FromQ = None,
    last: ToQ = None,
    min_score: ScoreQ = 0.0,
) -> dict[str, Any]:
    """Our leaders beside ASPI's published headline (the shipped ASPI files): ``{headline,
    technologies, caveats, aspi_metric, our_metric, ...}``."""
    from econsec.promote.landscape_compare import compare_with_files

    result = _build(catalogue, dataset, min_score, period=period, first=first, last=last)
    doc = compare_with_files(result)
    return cast(dict[str, Any], finite({"dataset": dataset, **doc}))


@router.get("/landscape/datasets")
def list_datasets(catalogue: CatalogueDep) -> list[dict[str, Any]]:
    """The publication datasets: stored ones and the shipped counts."""
    return _landscapes(catalogue).list()


@router.post("/landscape/datasets/{name}")
def load_dataset(
    request: Request,
    name: Annotated[str, PathParam(pattern=NAME)],
    actor: ActorDep,
    catalogue: CatalogueDep,
    file: Annotated[UploadFile, File(description="OpenAlex works (JSON/JSONL/.gz) or counts CSV")],
    kind: Annotated[
        Literal["works", "counts"] | None, Form(description="Default: counts for *.csv")
    ] = None,
) -> dict[str, Any]:
    """Upload OpenAlex works or group-by counts and store them as ``name`` (signed-in users
    who may write; audited)."""
    security = request.app.state.security
    security.require(actor, "write", "promote.landscape.load", "load a landscape dataset")
    suffix = "".join(Path(file.filename or "upload.json").suffixes[-2:]) or ".json"
    folder = Path(tempfile.mkdtemp(prefix="econsec-upload-"))
    target = folder / f"upload{suffix}"
    try:
        with target.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        meta = _landscapes(catalogue).load([target], name, kind)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    security.record(
        actor.name, "api", "promote.landscape.load", target=f"landscape:{name}", file=file.filename
    )
    return {**meta, "files": [file.filename]}


@router.delete("/landscape/datasets/{name}")
def delete_dataset(
    request: Request,
    name: Annotated[str, PathParam(pattern=NAME)],
    actor: ActorDep,
    catalogue: CatalogueDep,
) -> dict[str, str]:
    """Remove a stored dataset (signed-in users who may write; audited)."""
    security = request.app.state.security
    security.require(actor, "write", "promote.landscape.delete", "delete a landscape dataset")
    _landscapes(catalogue).delete(name)
    security.record(actor.name, "api", "promote.landscape.delete", target=f"landscape:{name}")
    return {"deleted": name}
