"""Seeds-needs matching over HTTP (Promote): the same results as ``econsec promote match``.

``POST /promote/match`` takes seeds and needs as JSON (a computation on what is sent: no
sign-in, like ``/protect/compare``; at most 20,000 seeds and 2,000 needs). ``POST
/promote/match/files`` takes two uploaded CSV or Parquet files and needs a signed-in user who
may write; it is audited. Nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pyarrow as pa
from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, Field

from econsec.api.routers.council import ActorDep
from econsec.api.uploads import uploaded
from econsec.datasets.promote_texts import read_texts, texts_from_records
from econsec.promote.matching import ALPHA, METHODS, MIN_SEMANTIC, NeedMatches, match_tables
from econsec.promote.matching_sectors import SECTORS
from econsec.promote.matching_semantic import MODEL

router = APIRouter(prefix="/promote", tags=["promote: matching"])

MethodName = Literal["bm25", "semantic", "hybrid"]
MAX_SEEDS = 20_000
MAX_NEEDS = 2_000


class TextIn(BaseModel):
    """A seed or need: an id and either ``text`` or ``title`` + ``abstract``/``description``."""

    id: str = Field(min_length=1, max_length=200, examples=["AF151-019"])
    text: str | None = Field(None, max_length=100_000)
    title: str | None = Field(None, max_length=2_000)
    abstract: str | None = Field(None, max_length=100_000)
    description: str | None = Field(None, max_length=100_000)
    sector: str | None = Field(None, max_length=50, examples=["defence"])
    agency: str | None = Field(None, max_length=300, examples=["Department of Defense; Navy"])


class MatchRequest(BaseModel):
    seeds: list[TextIn] = Field(min_length=1, max_length=MAX_SEEDS)
    needs: list[TextIn] = Field(min_length=1, max_length=MAX_NEEDS)
    top: int = Field(10, ge=1, le=100)
    method: MethodName = "hybrid"
    min_sectors: int = Field(2, ge=2, le=10)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "seeds": [
                        {"id": "s1", "title": "Quantum sensor", "abstract": "GPS-free navigation."},
                        {"id": "s2", "text": "超伝導量子ビットを用いた量子コンピュータ"},
                    ],
                    "needs": [
                        {"id": "n1", "text": "Navigation without GPS", "agency": "Navy"},
                        {"id": "n2", "text": "量子計算機の研究開発", "sector": "civil"},
                    ],
                    "top": 5,
                    "method": "hybrid",
                }
            ]
        }
    }


def _answer(results: list[NeedMatches], found: list[Any], method: str) -> dict[str, Any]:
    return {
        "method": method,
        "results": [r.to_dict() for r in results],
        "multi_use": [m.to_dict() for m in found],
    }


@router.get("/match/methods")
def methods() -> dict[str, Any]:
    """The matching methods with their definitions, the semantic model and the sectors."""
    return {
        "methods": [{"name": k, "description": v} for k, v in METHODS.items()],
        "default": "hybrid",
        "alpha": ALPHA,
        "min_semantic": MIN_SEMANTIC,
        "semantic_model": MODEL,
        "sectors": [name for name, _ in SECTORS],
    }


@router.post("/match")
def match(body: MatchRequest) -> dict[str, Any]:
    """The best ``top`` seeds of every need (``results``: ``{"need", "matches": [{"seed",
    "score", "explanation", "sectors"}]}``, best first) and the multi-use seeds."""
    seeds = texts_from_records([s.model_dump() for s in body.seeds], "seeds")
    needs = texts_from_records([n.model_dump() for n in body.needs], "needs")
    results, found = match_tables(
        seeds, needs, top=body.top, method=body.method, min_sectors=body.min_sectors
    )
    return _answer(results, found, body.method)


@router.post("/match/files")
def match_files(
    request: Request,
    actor: ActorDep,
    seeds: Annotated[UploadFile, File(description="Seeds: CSV or Parquet (id + texts)")],
    needs: Annotated[UploadFile, File(description="Needs: CSV or Parquet (id + texts)")],
    top: Annotated[int, Form(ge=1, le=100)] = 10,
    method: Annotated[MethodName, Form()] = "hybrid",
    min_sectors: Annotated[int, Form(ge=2, le=10)] = 2,
    seeds_id: Annotated[str, Form(min_length=1, max_length=100)] = "id",
    needs_id: Annotated[str, Form(min_length=1, max_length=100)] = "id",
) -> dict[str, Any]:
    """``econsec promote match`` on two uploaded files (signed-in users who may write;
    audited). The files are read, matched and deleted; nothing is stored."""
    security = request.app.state.security
    security.require(actor, "write", "promote.match.files", "upload files to match")
    seed_table, need_table = read_uploads(seeds, needs, seeds_id, needs_id)
    results, found = match_tables(
        seed_table, need_table, top=top, method=method, min_sectors=min_sectors
    )
    record_upload(security, actor, "api", (seeds, seed_table), (needs, need_table))
    return _answer(results, found, method)


def read_uploads(
    seeds: UploadFile, needs: UploadFile, seeds_id: str, needs_id: str
) -> tuple[pa.Table, pa.Table]:
    """The uploaded seeds and needs files as :func:`read_texts` reads them (their ids in
    ``seeds_id`` and ``needs_id``); nothing is kept."""
    with uploaded(seeds, needs, default="upload.csv") as (seed_path, need_path):
        return read_texts(seed_path, id_column=seeds_id), read_texts(need_path, id_column=needs_id)


def record_upload(
    security: Any,
    actor: Any,
    channel: str,
    seeds: tuple[UploadFile, pa.Table],
    needs: tuple[UploadFile, pa.Table],
) -> None:
    """The audit record of a match of uploaded files: who, by which channel, which files and
    how many rows."""
    security.record(
        actor.name,
        channel,
        "promote.match.files",
        target="matching",
        seeds=seeds[0].filename,
        needs=needs[0].filename,
        seed_count=seeds[1].num_rows,
        need_count=needs[1].num_rows,
    )
