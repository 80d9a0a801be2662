"""Crosswalk edits on SQLite and PostgreSQL (marker ``postgres``): kept as append-only records
with who, when, why and the links before and after, audited, refused without the write right,
replayed over the real shipped crosswalk, which stays untouched. Users are the SYNTHETIC people
of tests/security/world.py; the technologies and areas are the real file's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from econsec.cases import models as _case_tables  # noqa: F401  (Base.metadata)
from econsec.council import models as _council_tables  # noqa: F401  (Base.metadata)
from econsec.datasets.catalogue import file_checksum
from econsec.datasets.technologies import read_technologies
from econsec.errors import AccessDenied, Conflict, InvalidInput, NotFound
from econsec.promote.allies import compare
from econsec.promote.crosswalk_store import (
    CrosswalkEdit,
    CrosswalkEdits,
    Edit,
    apply_edits,
    replay,
)
from econsec.promote.taxonomy import Link, Taxonomy, build
from econsec.protect import store as _screening_tables  # noqa: F401  (Base.metadata)
from econsec.security import models as _security_tables  # noqa: F401  (Base.metadata)
from econsec.store.app import Base, make_engine, upgrade
from tests.conftest import shared_file
from tests.security.world import BACKENDS, World, backend, world_on

REAL = "policy/critical_technologies.yaml"
DE = "us_cet_2024:directed_energy"
NUCLEAR = "us_cet_2022:advanced_nuclear_energy_technologies"


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with world_on(request.param, tmp_path, people=("ada", "rita", "olly"), papers=()) as built:
        yield built


@pytest.fixture(scope="module")
def shipped() -> Taxonomy:
    source = read_technologies(shared_file(REAL))
    return build(source.document, source.provenance)


def test_edits_are_kept_replayed_and_audited(world: World, shipped: Taxonomy) -> None:
    checksum = file_checksum(shared_file(REAL))
    edits = CrosswalkEdits(world.security)
    rita = world.actor("rita")
    head = world.head()
    why = "directed energy is a counter-hypersonic defence (synthetic reason)"
    made = edits.edit(rita, shipped, DE, "add", area="hypersonics", reason=why)
    assert made["before"] == [] and made["actor"] == "rita" and made["channel"] == "cli"
    assert made["after"] == [{"area": "hypersonics", "confidence": "medium", "origin": "edit"}]
    assert made["shipped"] == f"sha256:{checksum[:16]} (as of 2025-01)"
    rerated = edits.edit(rita, shipped, DE, "add", area="極超音速", confidence="high", reason="x")
    assert rerated["area"] == "hypersonics"  # the Japanese name names the area
    assert rerated["after"][0]["confidence"] == "high"
    edits.edit(rita, shipped, NUCLEAR, "remove", area="cbrn", reason="CBRN is weapons, not power")

    effective = edits.effective(shipped)
    (link,) = effective.one(DE).links
    assert (link.area, link.confidence, link.origin, link.reason) == (
        "hypersonics",
        "high",
        "edit",
        "x",
    )
    assert effective.one(DE).edited and effective.one(NUCLEAR).areas == ("energy_storage",)
    assert shipped.one(DE).links == () and shipped.one(NUCLEAR).areas == ("energy_storage", "cbrn")
    cbrn = next(r for r in compare(effective)["areas"] if r["area"] == "cbrn")
    assert not cbrn["present"]["us_cet_2022"]

    reset = edits.edit(rita, shipped, DE, "reset", reason="back to the file")
    assert reset["after"] == [] and len(reset["before"]) == 1
    assert edits.effective(shipped).one(DE).links == ()
    assert not edits.effective(shipped).one(DE).edited

    history = edits.history(DE)
    assert [(e["action"], e["area"]) for e in history] == [
        ("add", "hypersonics"),
        ("add", "hypersonics"),
        ("reset", None),
    ]
    assert [e["id"] for e in edits.history()] == sorted(e["id"] for e in edits.history())
    assert len(edits.history("directed_energy", shipped)) == 3  # both US lists' ids
    assert len(edits.history(limit=2)) == 2 and edits.history(limit=2)[-1]["action"] == "reset"

    entries = world.audit_since(head)
    assert [e["action"] for e in entries] == ["promote.crosswalk.edit"] * 4
    assert entries[0]["actor"] == "rita" and entries[0]["target"] == f"technology:{DE}"
    assert entries[0]["detail"]["reason"] == why and entries[0]["detail"]["edit"] == made["id"]
    assert entries[2]["detail"]["change"] == "remove"
    # The shipped mapping is never written: the file is byte for byte as before.
    assert file_checksum(shared_file(REAL)) == checksum


def test_refusals_change_nothing(world: World, shipped: Taxonomy) -> None:
    edits = CrosswalkEdits(world.security)
    rita, olly = world.actor("rita"), world.actor("olly")
    head = world.head()
    with pytest.raises(AccessDenied, match="observer may not edit the crosswalk"):
        edits.edit(olly, shipped, DE, "add", area="space", reason="x")
    (denied,) = world.audit_since(head)
    assert (denied["actor"], denied["outcome"], denied["action"]) == (
        "olly",
        "denied",
        "promote.crosswalk.edit",
    )
    space = {"area": "space"}
    refused: list[tuple[type[Exception], str, dict[str, str]]] = [
        (InvalidInput, "needs a reason", {"action": "add", **space, "reason": " "}),
        (InvalidInput, "control characters", {"action": "add", **space, "reason": "a\x00b"}),
        (InvalidInput, "unknown confidence", {"action": "add", **space, "confidence": "sure"}),
        (InvalidInput, "unknown crosswalk edit", {"action": "move", **space}),
        (InvalidInput, "needs a Japan area", {"action": "remove"}),
        (InvalidInput, "takes no area", {"action": "reset", **space}),
        (InvalidInput, "takes no confidence", {"action": "remove", **space, "confidence": "low"}),
        (NotFound, "no Japan technology area", {"action": "add", "area": "atlantis"}),
        (Conflict, "does not map to space", {"action": "remove", **space}),
        (Conflict, "already has its shipped links", {"action": "reset"}),
    ]
    for error, message, options in refused:
        with pytest.raises(error, match=message):
            edits.edit(rita, shipped, DE, **{"reason": "why", **options})
    with pytest.raises(InvalidInput, match="one of Japan's areas"):
        edits.edit(rita, shipped, "japan:quantum", "add", area="space", reason="x")
    with pytest.raises(InvalidInput, match="on several lists"):
        edits.edit(rita, shipped, "directed_energy", "add", area="space", reason="x")
    with pytest.raises(NotFound, match="no technology 'us2024:warp_drive'"):
        edits.edit(rita, shipped, "us2024:warp_drive", "add", area="space", reason="x")
    edits.edit(rita, shipped, DE, "add", area="space", confidence="low", reason="x")
    with pytest.raises(Conflict, match="already maps to space with confidence low"):
        edits.edit(rita, shipped, DE, "add", area="space", confidence="low", reason="again")
    with world.security.session() as session:
        assert session.scalar(select(func.count()).select_from(CrosswalkEdit)) == 1


def test_edits_are_append_only(world: World, shipped: Taxonomy) -> None:
    CrosswalkEdits(world.security).edit(
        world.actor("ada"), shipped, DE, "add", area="space", reason="synthetic"
    )
    for statement in (
        "UPDATE promote_crosswalk_edits SET reason = 'rewritten'",
        "DELETE FROM promote_crosswalk_edits",
    ):
        with (
            world.security.app.engine.connect() as connection,
            pytest.raises(DBAPIError, match="append-only"),
        ):
            connection.execute(text(statement))
    assert CrosswalkEdits(world.security).history()[0]["reason"] == "synthetic"


@pytest.mark.parametrize("kind", BACKENDS)
def test_migration_0009_matches_the_model(kind: str, tmp_path: Path) -> None:
    with backend(kind, tmp_path) as url:
        assert upgrade(url) == "0009"
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(connection)
                assert compare_metadata(context, Base.metadata) == []
        finally:
            engine.dispose()


def test_replay_in_order() -> None:
    # SYNTHETIC links and edits: the rules of replay, one by one.
    shipped = (Link("space", "low", "file"), Link("marine", "low", "file"))

    def edit(n: int, action: str, area: str | None = None, conf: str | None = None) -> Edit:
        return Edit(n, "eu_2023:x", action, area, conf, f"reason {n}")

    added = replay(shipped, [edit(1, "add", "robotics", "high")])
    assert [k.area for k in added] == ["space", "marine", "robotics"]  # new links go last
    rerated = replay(shipped, [edit(1, "add", "space", "high")])
    assert rerated[0] == Link("space", "high", "edit", "reason 1", 1)  # keeps its place
    assert replay(shipped, [edit(1, "remove", "space")]) == (shipped[1],)
    assert replay(shipped, [edit(1, "remove", "space"), edit(2, "reset")]) == shipped
    after_reset = replay(shipped, [edit(1, "reset"), edit(2, "remove", "marine")])
    assert after_reset == (shipped[0],)


def test_edits_of_what_a_newer_file_dropped_are_kept_aside(shipped: Taxonomy) -> None:
    edits = [
        Edit(1, "us_cet_2024:warp_drive", "add", "space", "low", "synthetic"),
        Edit(2, DE, "add", "atlantis", "low", "synthetic"),
        Edit(3, DE, "add", "space", "low", "synthetic"),
    ]
    effective = apply_edits(shipped, edits)
    assert [o["edit"] for o in effective.orphans] == [1, 2]
    assert effective.one(DE).areas == ("space",)
