"""The Protect list lifecycle on the real UN, OFAC and METI lists: list versions, diffs, parties,
rescreening with hit statuses, append-only decisions (SQLite and PostgreSQL) and the audit trail.

Expectations about the UN files come from the XML itself (``tests.protect.conftest.un_file``).
Parties other than the UN-listed one are synthetic names, chosen to be on no list.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from econsec import open_protect
from econsec.errors import Conflict, DataError, InvalidInput, NotFound
from econsec.protect.lists import get_format
from econsec.protect.service import ProtectService, RunReport
from econsec.protect.store import Decision, ScreeningEntity, ScreeningList, ScreeningStore
from econsec.settings import Settings
from econsec.store.app import open_app_store
from tests.conftest import shared_file
from tests.protect.conftest import (
    CHANGED_DATE,
    METI_BELARUS,
    REMOVED,
    UN_NEW,
    UN_OLD,
    changed_copy,
    truncated_copy,
    un_diff,
    un_file,
)

pytestmark = pytest.mark.usefixtures("matcher_ready")

REMOVED_ID = "un-sc-iqi-074"  # econsec's id: list name and reference number, slugged


def entity_rows(protect: ProtectService) -> int:
    with protect.store.app.session() as session:
        return int(session.scalar(select(func.count()).select_from(ScreeningEntity)) or 0)


# -- list versions -----------------------------------------------------------------------------


@dataclass
class TwoVersions:
    protect: ProtectService
    old: ScreeningList
    new: ScreeningList
    progress: list[int] = field(default_factory=list)


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> TwoVersions:
    """UN 2025-11-29 then 2026-01-28 loaded (plus the small METI Belarus list)."""
    home = tmp_path_factory.mktemp("two-versions") / "home"
    protect = open_protect(Settings(home=home, duckdb_threads=2, duckdb_memory_limit="1GB"))
    progress: list[int] = []
    old = protect.load("un", [shared_file(UN_OLD)], progress=progress.append)
    new = protect.load("un", [shared_file(UN_NEW)])
    protect.load("meti", [shared_file(METI_BELARUS)])
    return TwoVersions(protect, old, new, progress)


def test_two_loads_make_two_versions_and_the_newest_is_active(two_versions: TwoVersions) -> None:
    old_date, old_records = un_file(shared_file(UN_OLD))
    new_date, new_records = un_file(shared_file(UN_NEW))
    assert (len(old_records), len(new_records)) == (1000, 999)  # PROVENANCE.md: 727+273, 726+273
    store = two_versions.protect.store
    versions = store.versions("un-sc")
    assert [(v.version, v.entity_count) for v in versions] == [
        (new_date, len(new_records)),
        (old_date, len(old_records)),
    ]
    assert [v.format for v in versions] == ["un", "un"]
    active = {v.name: v for v in store.active()}
    assert set(active) == {"un-sc", "meti-belarus"}
    assert active["un-sc"].id == two_versions.new.id
    assert active["un-sc"].entity_count == 999
    # every entity of the old file stays stored under its version, with its UN reference number
    assert sum(two_versions.progress) == len(old_records)
    assert entity_rows(two_versions.protect) == 1000 + 999 + active["meti-belarus"].entity_count
    digests = store.digests([two_versions.old.id])
    assert len(digests) == 1000 and REMOVED_ID in digests
    assert REMOVED_ID not in store.digests([two_versions.new.id])


def test_diff_reports_exactly_what_the_xml_says(two_versions: TwoVersions) -> None:
    added, removed, changed = un_diff(shared_file(UN_OLD), shared_file(UN_NEW))
    assert (added, removed, changed) == (set(), {REMOVED}, set())  # the data, read independently
    diff = two_versions.protect.store.diff("un-sc")
    assert (diff.old.id, diff.new.id) == (two_versions.old.id, two_versions.new.id)
    assert {d["source_id"] for d in diff.added} == added
    assert {d["source_id"] for d in diff.changed} == changed
    record = un_file(shared_file(UN_OLD))[1][REMOVED]
    assert diff.removed == [
        {"entity_id": REMOVED_ID, "source_id": REMOVED, "schema": "Person", "caption": record.name}
    ]
    data = diff.as_dict()
    assert data["summary"] == {"added": 0, "removed": 1, "changed": 0}
    assert (data["from"]["version"], data["to"]["version"]) == ("2025-11-29", "2026-01-28")


def test_diff_between_given_versions_and_its_errors(two_versions: TwoVersions) -> None:
    store = two_versions.protect.store
    backwards = store.diff("un-sc", two_versions.new.id, two_versions.old.id)
    assert [d["source_id"] for d in backwards.added] == [REMOVED]
    assert backwards.removed == [] and backwards.changed == []
    with pytest.raises(NotFound, match="no versions of list 'un-sc-typo'"):
        store.diff("un-sc-typo")
    meti = store.versions("meti-belarus")[0]
    with pytest.raises(NotFound, match=f"list version {meti.id} is not a version of un-sc"):
        store.diff("un-sc", meti.id)
    with pytest.raises(Conflict, match="meti-belarus has only one version"):
        store.diff("meti-belarus")


def test_loading_the_same_content_twice_is_a_conflict(
    two_versions: TwoVersions, tmp_path: Path
) -> None:
    protect = two_versions.protect
    before = entity_rows(protect)
    with pytest.raises(Conflict, match="un-sc version 2026-01-28 with the same content"):
        protect.load("un", [shared_file(UN_NEW)])
    renamed = tmp_path / "un_copy.xml"  # the same bytes under another name
    shutil.copyfile(shared_file(UN_OLD), renamed)
    with pytest.raises(Conflict, match=f"already loaded \\(list version id {two_versions.old.id}"):
        protect.load("un", [renamed])
    assert [v.id for v in protect.store.versions("un-sc")] == [
        two_versions.new.id,
        two_versions.old.id,
    ]
    assert entity_rows(protect) == before


def test_a_malformed_file_fails_naming_file_and_line_and_changes_nothing(
    two_versions: TwoVersions, tmp_path: Path
) -> None:
    protect = two_versions.protect
    before = entity_rows(protect)
    broken, last_line = truncated_copy(shared_file(UN_OLD), tmp_path)
    with pytest.raises(DataError) as failure:
        protect.load("un", [broken])
    assert failure.value.path == broken
    assert failure.value.line == last_line
    assert str(broken) in failure.value.message and f"line {last_line}" in failure.value.message
    assert "malformed XML" in failure.value.message
    active = {v.name: v for v in protect.store.active()}["un-sc"]
    assert (active.id, active.entity_count) == (two_versions.new.id, 999)
    assert len(protect.store.versions("un-sc")) == 2
    assert entity_rows(protect) == before


def test_an_older_publication_loaded_later_does_not_become_active(tmp_path: Path) -> None:
    protect = open_protect(Settings(home=tmp_path / "home"))
    newer = protect.load("un", [shared_file(UN_NEW)])
    older = protect.load("un", [shared_file(UN_OLD)])  # loaded last, published first
    assert older.id > newer.id
    assert {v.name: v.id for v in protect.store.active()}["un-sc"] == newer.id
    diff = protect.store.diff("un-sc")  # the newest publication against the one before it
    assert (diff.old.id, diff.new.id) == (older.id, newer.id)
    assert [r["source_id"] for r in diff.removed] == ["IQi.074"]


def test_unknown_format_is_invalid_input(two_versions: TwoVersions) -> None:
    with pytest.raises(InvalidInput, match="unknown list format 'unn'"):
        two_versions.protect.load("unn", [shared_file(UN_NEW)])
    assert get_format("un").name == "un"


# -- decisions: append-only on every backend ---------------------------------------------------


def meti_store(url: str) -> tuple[ScreeningStore, str]:
    """A store on ``url`` with the real METI Belarus list and one party; an entity id of it."""
    store = ScreeningStore(open_app_store(url))
    version = store.load(get_format("meti"), [shared_file(METI_BELARUS)])
    store.save_parties([{"id": "party-1", "name": "Hanako Yamada", "schema": "Person"}])
    return store, store.entries([version])[0].id


def test_decisions_are_append_only_in_the_database(app_url: str) -> None:
    store, entity_id = meti_store(app_url)
    try:
        first = store.decide("party-1", entity_id, "false_positive", "other person", "a.tanaka")
        engine = store.app.engine
        for statement in (
            "UPDATE screening_decisions SET verdict = 'true_positive'",
            "DELETE FROM screening_decisions",
        ):
            with engine.connect() as connection:
                with pytest.raises(DBAPIError, match="append-only"):
                    connection.execute(text(statement))
                connection.rollback()
        with store.app.session() as session:  # the ORM is refused too
            row = session.get(Decision, first.id)
            assert row is not None
            row.reason = "rewritten"
            with pytest.raises(DBAPIError, match="append-only"):
                session.commit()
            session.rollback()
        second = store.decide("party-1", entity_id, "true_positive", "same passport", "b.sato")
        history = store.decisions()
        assert [(d.id, d.verdict, d.reason) for d in history] == [
            (first.id, "false_positive", "other person"),
            (second.id, "true_positive", "same passport"),
        ]
        assert second.id > first.id
        assert store.latest_decisions()[("party-1", entity_id)].id == second.id
        assert [d.id for d in store.decisions("party-1")] == [first.id, second.id]
        assert store.decisions("nobody") == []
    finally:
        store.app.dispose()


def test_decide_checks_its_input(tmp_path: Path) -> None:
    store, entity_id = meti_store(f"sqlite:///{tmp_path / 'app.db'}")
    with pytest.raises(InvalidInput, match="verdict must be one of true_positive, false_positive"):
        store.decide("party-1", entity_id, "maybe", "why", "who")
    with pytest.raises(InvalidInput, match="needs a reason"):
        store.decide("party-1", entity_id, "false_positive", "  ", "who")
    with pytest.raises(InvalidInput, match="analyst"):
        store.decide("party-1", entity_id, "false_positive", "why", "")
    with pytest.raises(NotFound, match="no entity meti-belarus-9999"):
        store.decide("party-1", "meti-belarus-9999", "false_positive", "why", "who")
    with pytest.raises(NotFound, match="no party 'party-2'"):
        store.decide("party-2", entity_id, "false_positive", "why", "who")
    with pytest.raises(InvalidInput, match="needs an id and a name"):
        store.save_parties([{"id": "party-3", "name": ""}])
    assert store.decisions() == []
    store.app.dispose()


@pytest.mark.parametrize(
    "party",
    [
        {"id": "syn-1", "name": "Hanako Yamada", "birth_date": "1975-13"},
        {"id": "syn-1", "name": "Hanako Yamada", "country": "Atlantis"},
        {"id": "syn-1", "name": "???"},
    ],
)
def test_save_parties_refuses_what_screening_refuses(
    tmp_path: Path, party: dict[str, str | None]
) -> None:
    store, _ = meti_store(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with pytest.raises(InvalidInput):
            store.save_parties([party])
        assert [p.id for p in store.parties()] == ["party-1"]
    finally:
        store.app.dispose()


# -- rescreening -------------------------------------------------------------------------------

LISTED_PARTY = "party-listed"
SYNTHETIC_PARTIES = [  # synthetic: names on no list
    {"id": "syn-person", "name": "Hanako Yamada", "schema": "Person"},
    {"id": "syn-maker", "name": "Sakura Precision Optics KK", "schema": "Company"},
    {"id": "syn-shipper", "name": "Blue Harbour Logistics Ltd", "schema": "Company"},
]


@dataclass
class Lifecycle:
    protect: ProtectService
    runs: dict[str, RunReport] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    versions: dict[str, ScreeningList] = field(default_factory=dict)


def party_hits(report: RunReport, party_id: str = LISTED_PARTY) -> list[tuple[str, str]]:
    return [(h.entity_id, h.status) for h in report.hits if h.party_id == party_id]


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> Lifecycle:
    """Parties rescreened through a list's life: first seen, seen again, decided a false
    positive, the record corrected (synthetic copy), decided a true positive, then delisted."""
    tmp = tmp_path_factory.mktemp("lifecycle")
    protect = open_protect(Settings(home=tmp / "home", duckdb_threads=2))
    out = Lifecycle(protect)
    record = un_file(shared_file(UN_OLD))[1][REMOVED]
    out.versions["old"] = protect.load("un", [shared_file(UN_OLD)])
    listed = {
        "id": LISTED_PARTY,
        "name": record.name.title(),  # 'Munir Al Qubaysi', the name as a customer file has it
        "schema": "Person",
        "birth_date": record.birth_dates[0],
    }
    assert protect.store.save_parties([listed, *SYNTHETIC_PARTIES]) == 4
    out.runs["first"] = protect.rescreen("first screening")
    out.runs["again"] = protect.rescreen("nothing changed")
    out.decisions["fp"] = protect.store.decide(
        LISTED_PARTY, REMOVED_ID, "false_positive", "customer born 1980 in Osaka", "a.tanaka"
    )
    out.runs["decided"] = protect.rescreen("after the decision")
    out.versions["changed"] = protect.load("un", [changed_copy(shared_file(UN_OLD), tmp)])
    out.runs["changed"] = protect.rescreen("record corrected")
    out.runs["still open"] = protect.rescreen("not decided again")
    out.decisions["tp"] = protect.store.decide(
        LISTED_PARTY, REMOVED_ID, "true_positive", "same birth city after correction", "b.sato"
    )
    out.runs["confirmed"] = protect.rescreen("after the second decision")
    out.versions["new"] = protect.load("un", [shared_file(UN_NEW)])
    out.runs["delisted"] = protect.rescreen("2026-01-28 loaded")
    return out


def test_first_rescreen_reports_the_listed_party_as_new(lifecycle: Lifecycle) -> None:
    report = lifecycle.runs["first"]
    assert party_hits(report) == [(REMOVED_ID, "new")]
    assert all(h.party_id == LISTED_PARTY for h in report.hits)  # synthetic names: no hit
    hit = report.hits[0]
    assert hit.list_name == "un-sc" and hit.list_id == lifecycle.versions["old"].id
    assert hit.score >= report.run.threshold and hit.algorithm == report.run.algorithm
    assert hit.explanation["matched_name"] and "features" in hit.explanation
    assert (report.run.parties, report.run.hits, report.run.new_hits) == (4, 1, 1)
    assert report.run.list_ids == [lifecycle.versions["old"].id]
    assert [h.entity_id for h in report.new] == [REMOVED_ID]
    data = report.as_dict()
    assert [h["entity_id"] for h in data["new_hits"]] == [REMOVED_ID]
    assert (data["parties"], data["hits"], data["suppressed"]) == (4, 1, 0)


def test_the_same_hit_again_is_a_repeat(lifecycle: Lifecycle) -> None:
    report = lifecycle.runs["again"]
    assert party_hits(report) == [(REMOVED_ID, "repeat")]
    assert report.new == [] and report.run.new_hits == 0
    assert report.hits[0].entity_digest == lifecycle.runs["first"].hits[0].entity_digest


def test_a_false_positive_is_suppressed(lifecycle: Lifecycle) -> None:
    decision = lifecycle.decisions["fp"]
    assert decision.entity_digest == lifecycle.runs["first"].hits[0].entity_digest
    assert decision.list_name == "un-sc"
    report = lifecycle.runs["decided"]
    assert party_hits(report) == [(REMOVED_ID, "suppressed")]
    assert (report.run.suppressed, report.run.new_hits, report.new) == (1, 0, [])


def test_a_changed_record_reopens_the_false_positive(lifecycle: Lifecycle) -> None:
    store = lifecycle.protect.store
    changed = lifecycle.versions["changed"]
    assert changed.version == CHANGED_DATE
    diff = store.diff("un-sc", lifecycle.versions["old"].id, changed.id)
    assert (diff.added, diff.removed) == ([], [])
    assert [(c["source_id"], set(c["changes"])) for c in diff.changed] == [
        (REMOVED, {"birthPlace"})
    ]
    assert diff.changed[0]["changes"]["birthPlace"] == {
        "removed": ["Heet, Iraq"],
        "added": ["Hit, Iraq"],
    }
    report = lifecycle.runs["changed"]
    assert party_hits(report) == [(REMOVED_ID, "changed")]
    assert report.run.new_hits == 1 and [h.entity_id for h in report.new] == [REMOVED_ID]
    assert report.hits[0].entity_digest != lifecycle.decisions["fp"].entity_digest
    # the false positive was decided on the old record: the hit stays open until decided again
    assert party_hits(lifecycle.runs["still open"]) == [(REMOVED_ID, "changed")]


def test_a_true_positive_is_confirmed(lifecycle: Lifecycle) -> None:
    assert (
        lifecycle.decisions["tp"].entity_digest == lifecycle.runs["changed"].hits[0].entity_digest
    )
    report = lifecycle.runs["confirmed"]
    assert party_hits(report) == [(REMOVED_ID, "confirmed")]
    assert report.new == [] and report.run.suppressed == 0


def test_a_delisted_entity_no_longer_hits(lifecycle: Lifecycle) -> None:
    report = lifecycle.runs["delisted"]
    assert report.run.list_ids == [lifecycle.versions["new"].id]
    assert party_hits(report) == []
    assert report.hits == [] and report.run.parties == 4


def test_hits_and_decisions_are_kept(lifecycle: Lifecycle) -> None:
    store = lifecycle.protect.store
    statuses = [h.status for h in store.hits(party_id=LISTED_PARTY)]
    assert statuses == ["new", "repeat", "suppressed", "changed", "changed", "confirmed"]
    assert store.hits(run_id=lifecycle.runs["delisted"].run.id) == []
    assert store.last_run() is not None
    assert store.last_run().id == lifecycle.runs["delisted"].run.id  # type: ignore[union-attr]
    assert [d.verdict for d in store.decisions(LISTED_PARTY)] == ["false_positive", "true_positive"]
    assert [p.id for p in store.parties()] == sorted(
        [LISTED_PARTY, "syn-maker", "syn-person", "syn-shipper"]
    )


def test_audit_trail_has_every_record(lifecycle: Lifecycle) -> None:
    records = list(lifecycle.protect.audit_trail())
    kinds = Counter(r["record"] for r in records)
    assert kinds == {"list_version": 3, "run": 7, "hit": 6, "decision": 2}
    order = [r["record"] for r in records]
    assert order[:3] == ["list_version"] * 3 and order[-2:] == ["decision"] * 2
    versions = [r for r in records if r["record"] == "list_version"]
    assert [v["version"] for v in versions] == ["2025-11-29", CHANGED_DATE, "2026-01-28"]
    runs = [r for r in records if r["record"] == "run"]
    assert [r["reason"] for r in runs] == [
        "first screening",
        "nothing changed",
        "after the decision",
        "record corrected",
        "not decided again",
        "after the second decision",
        "2026-01-28 loaded",
    ]
    assert all(r["finished_at"] for r in runs)
    hits = [r for r in records if r["record"] == "hit"]
    assert {h["run"] for h in hits} <= {r["id"] for r in runs}
    assert {h["entity_id"] for h in hits} == {REMOVED_ID}
    decisions = [r for r in records if r["record"] == "decision"]
    assert [(d["verdict"], d["analyst"]) for d in decisions] == [
        ("false_positive", "a.tanaka"),
        ("true_positive", "b.sato"),
    ]


def test_touch_tells_whether_the_screener_matches_the_active_lists(tmp_path: Path) -> None:
    """touch() (what a server runs on its event loop every second) marks a screener that
    matches the active versions fresh, and answers False once a new version is loaded, until
    the screener is rebuilt."""
    protect = open_protect(Settings(home=tmp_path / "home"))
    try:
        protect.load("meti", [shared_file(METI_BELARUS)])
        assert not protect.touch()  # not built yet
        first = protect.screener()
        assert protect.touch() and protect.fresh(1.0) is first
        assert protect.fresh(0.0) is None  # a zero age is never fresh
        protect.load("un", [shared_file(UN_NEW)])
        assert not protect.touch()
        current = protect.screener()
        assert current is not first and protect.touch()
        assert {e.list_name for e in current.entries} == {"meti-belarus", "un-sc"}
    finally:
        protect.store.app.dispose()


def test_the_servers_keeper_marks_the_screener_fresh_and_rebuilds_it(tmp_path: Path) -> None:
    """keep_fresh (the API server's task) touches the screener every second on the event loop
    and rebuilds it on a worker thread once a new list version is loaded."""
    import asyncio

    from econsec.api.app import keep_fresh
    from econsec.api.routers.protect import FRESHNESS

    protect = open_protect(Settings(home=tmp_path / "home"))
    try:
        protect.load("meti", [shared_file(METI_BELARUS)])
        first = protect.screener()
        protect.load("un", [shared_file(UN_NEW)])

        async def run() -> None:
            keeper = asyncio.create_task(keep_fresh(protect))
            for _ in range(600):  # the rebuild runs on a worker thread: the old index serves
                await asyncio.sleep(0.1)
                if protect.fresh(FRESHNESS) not in (None, first):
                    break
            keeper.cancel()

        asyncio.run(run())
        rebuilt = protect.fresh(FRESHNESS)
        assert rebuilt is not None and rebuilt is not first
        assert {e.list_name for e in rebuilt.entries} == {"meti-belarus", "un-sc"}
    finally:
        protect.store.app.dispose()
