"""The seeds-needs matching page (Promote): the best seeds (projects, awards, papers) for each
need (a topic call), with the matched terms and passage that explain each match, and the
seeds that serve needs of several sectors (multi-use).

It opens on the shipped real sample (``data/tech``, US public domain: DoD SBIR awards as seeds;
as needs, the Air Force topics of solicitation 15.1 with the other agencies' topics of 2015, or
the Air Force topics alone); a signed-in user may upload two CSV or
Parquet files of their own, which are matched and shown, never stored. The engine is that of
``econsec promote match`` and ``POST /promote/match/files``.
"""

from __future__ import annotations

from typing import Annotated, Any

import pyarrow as pa
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from econsec.api.routers.know import cached
from econsec.api.routers.promote_matching import (
    MAX_NEEDS,
    MAX_SEEDS,
    read_uploads,
    record_upload,
)
from econsec.errors import EconsecError, InvalidInput
from econsec.promote.matching import METHODS, NeedMatches
from econsec.promote.matching_sectors import MultiUse
from econsec.web import guard
from econsec.web.i18n import N_
from econsec.web.know import csv_download, number
from econsec.web.pages import current_actor, failure, render, sign_in_first

router = APIRouter(prefix="/web", include_in_schema=False)

METHOD_NAMES = {
    "hybrid": N_("Hybrid: BM25 with the semantic model"),
    "bm25": N_("BM25 (words)"),
    "semantic": N_("Semantic model only"),
}
SAMPLES = {
    "mixed": N_("Air Force topics 15.1 and the other agencies' topics of 2015 (789 needs)"),
    "af15": N_("Air Force topics 15.1 only (190 needs, all defence)"),
}
#: Messages translated from Python (tests check each has a Japanese translation).
MESSAGES = (*METHOD_NAMES.values(), *SAMPLES.values())
SHOWN = 50  # needs shown in full on the page after an upload
MULTI_SHOWN = 20  # multi-use seeds listed on the page
LABEL = 160  # characters of a text shown as its label


def _settings(top: str, method: str) -> tuple[int, str]:
    chosen = method if method in METHODS else "hybrid"
    return int(number(top, "top", 1, 20, whole=True)), chosen


def _texts(table: pa.Table) -> dict[str, str]:
    return dict(zip(table["id"].to_pylist(), table["text"].to_pylist(), strict=True))


def _label(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= LABEL else text[: LABEL - 1] + "…"


Matched = tuple[list[NeedMatches], list[MultiUse], dict[str, str], dict[str, str]]


def _run(seeds: pa.Table, needs: pa.Table, top: int, method: str) -> Matched:
    """Every need's best ``top`` seeds, the multi-use seeds, and the texts by id."""
    from econsec.promote.matching import match_tables

    results, found = match_tables(seeds, needs, top=top, method=method)
    return results, found, _texts(seeds), _texts(needs)


def _sample(request: Request, which: str, top: int, method: str) -> Matched:
    """The shipped sample (``which`` needs: ``mixed`` or ``af15``) matched, kept in the API's
    cache."""
    from econsec.datasets.sbir_sample import Needs, read_sample

    needs: Needs = "af15" if which == "af15" else "mixed"

    def build() -> Matched:
        seed_table, need_table = read_sample(needs)
        return _run(seed_table, need_table, top, method)

    key = ("web-match-sample", needs, top, method)
    return cached(request.app.state.catalogue, key, build)


def _context(matched: Matched, need: str, shown: int | None) -> dict[str, Any]:
    """The page's context: each need with its label and its matches with their seeds' labels
    (the chosen ``need`` first when given), and the multi-use seeds."""
    results, found, seed_texts, need_texts = matched
    rows = [
        {
            "need": r.need,
            "label": _label(need_texts.get(r.need)),
            "text": need_texts.get(r.need, ""),
            "language": r.language,
            "matches": [
                {**m.to_dict(), "label": _label(seed_texts.get(m.seed))} for m in r.matches
            ],
        }
        for r in results
    ]
    chosen = next((r for r in rows if r["need"] == need), rows[0] if rows else None)
    return {
        "needs": [(r["need"], r["label"]) for r in rows],
        "chosen": chosen,
        "rows": rows if shown is None else rows[:shown],
        "total": len(rows),
        "multi_use": [
            {**m.to_dict(), "label": _label(seed_texts.get(m.seed))} for m in found[:MULTI_SHOWN]
        ],
        "multi_use_total": len(found),
        "seed_count": len(seed_texts),
    }


@router.get("/promote/match", response_model=None)
def match_page(
    request: Request, need: str = "", top: str = "5", method: str = "hybrid", sample: str = "mixed"
) -> Response:
    """The shipped sample: one need's best seeds with their explanations, and the multi-use
    seeds over all needs."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    sample = sample if sample in SAMPLES else "mixed"
    context: dict[str, Any] = {
        "form": {"need": need, "top": top, "method": method, "sample": sample},
        "methods": METHOD_NAMES,
        "samples": SAMPLES,
        "sample": True,
    }
    try:
        chosen_top, chosen_method = _settings(top, method)
        matched = _sample(request, sample, chosen_top, chosen_method)
        context |= _context(matched, need, None)
    except EconsecError as error:
        context["error"] = error
    return render(request, "promote_match.html", actor=actor, section="promote", **context)


@router.post("/promote/match", response_model=None)
def match_upload(
    request: Request,
    csrf: Annotated[str, Form()],
    seeds: Annotated[UploadFile, File()],
    needs: Annotated[UploadFile, File()],
    top: Annotated[str, Form()] = "5",
    method: Annotated[str, Form()] = "hybrid",
    seeds_id: Annotated[str, Form()] = "id",
    needs_id: Annotated[str, Form()] = "id",
) -> Response:
    """Two uploaded files matched (signed-in users who may write; audited; nothing stored)."""

    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    security = request.app.state.security
    try:
        guard.check_csrf(request, csrf)
        security.require(actor, "write", "promote.match.files", "upload files to match")
    except EconsecError as error:
        return failure(request, actor, error)
    context: dict[str, Any] = {
        "form": {"need": "", "top": top, "method": method, "sample": "mixed"},
        "methods": METHOD_NAMES,
        "samples": SAMPLES,
        "sample": False,
        "files": (seeds.filename, needs.filename),
    }
    try:
        chosen_top, chosen_method = _settings(top, method)
        seed_table, need_table = read_uploads(
            seeds, needs, seeds_id.strip() or "id", needs_id.strip() or "id"
        )
        if seed_table.num_rows > MAX_SEEDS or need_table.num_rows > MAX_NEEDS:
            raise InvalidInput(
                f"too many rows for the web page: {seed_table.num_rows} seeds, "
                f"{need_table.num_rows} needs",
                expected=f"at most {MAX_SEEDS} seeds and {MAX_NEEDS} needs "
                "(use econsec promote match)",
            )
        context |= _context(_run(seed_table, need_table, chosen_top, chosen_method), "", SHOWN)
        record_upload(security, actor, "web", (seeds, seed_table), (needs, need_table))
    except EconsecError as error:
        context["error"] = error
    return render(request, "promote_match.html", actor=actor, section="promote", **context)


@router.get("/promote/match.csv", response_model=None)
def match_csv(
    request: Request, top: str = "5", method: str = "hybrid", sample: str = "mixed"
) -> Response:
    """Every need of the sample with its best seeds, one row per match, best first."""
    actor = current_actor(request)
    if actor is None:
        return sign_in_first(request)
    try:
        chosen_top, chosen_method = _settings(top, method)
        sample = sample if sample in SAMPLES else "mixed"
        results, _found, _seeds, _needs = _sample(request, sample, chosen_top, chosen_method)
    except EconsecError as error:
        return failure(request, actor, error)
    header = ["need", "rank", "seed", "score", "bm25", "semantic", "terms", "passage", "sectors"]
    rows = []
    for r in results:
        for rank, m in enumerate(r.matches, start=1):
            rows.append(
                [
                    r.need,
                    rank,
                    m.seed,
                    round(m.score, 6),
                    None if m.bm25 is None else round(m.bm25, 4),
                    None if m.semantic is None else round(m.semantic, 4),
                    ";".join(m.terms),
                    m.passage,
                    ";".join(m.sectors),
                ]
            )
    name = f"match-sample-{sample}-{chosen_method}-top{chosen_top}.csv"
    return csv_download(name, header, rows)
