"""Red team of the Council and Security services (the Python API), on SQLite and PostgreSQL.

For every reader of the world (tests/security/world.py: admin without bypass, other workspace,
level too low, expired, not yet valid, revoked, not a member, read-only role) and the disabled
account, every service function that reads or touches a document is tried on every document the
reader may not see. Each answer must be the one a user of the same role without any access gets
for a document id that does not exist (type, message, status and detail), leak no title, code word
or signature word of a hidden paper (world.canaries) in any returned structure, and leave a denial
in the audit log shaped exactly like the denial of the non-existent id, without a title.

Listings (with their totals and pages), search results (with snippets) and workspace listings are
compared exactly with the policy restated in world.py (:meth:`Person.may_read`). The tests that
change the world (rights of roles, filing, downgrading, new versions, members, revocation, the
clearance window's clock boundary, signing out) build a world of their own.

User names, titles, reasons and code words are SYNTHETIC; the documents' contents are the real
public texts world.py files (and ../shared/data/ownership/RULES.md as a new version).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from econsec.council.models import Document, Term, Version
from econsec.council.service import MAX_PAGE
from econsec.errors import AccessDenied, EconsecError, InvalidInput, NotFound
from econsec.security.models import ROLES, User
from econsec.security.policy import RIGHTS, Actor
from tests.conftest import shared_file
from tests.security.world import (
    BACKENDS,
    EVERY_TITLE,
    FRESH,
    GHOST_WORKSPACE,
    LEVELS,
    OPERATOR,
    PAPER,
    PAPERS,
    PEOPLE,
    PERSON,
    READERS,
    World,
    backend,
    build_world,
    clock,
    folded,
    fresh,
    signatures,
)

WORKSPACES = ("council-a", "council-b")
REASON = "declassified by the working group (synthetic)"
#: The modules whose ``utcnow`` decides validity and stamps the audit log.
CLOCKED = ("council.service", "security.service", "security.audit")

#: The rights table of econsec/security/policy.py's docstring, restated independently.
EXPECTED_RIGHTS = {
    "admin": {
        "manage_users",
        "grant_clearance",
        "create_workspace",
        "manage_members",
        "write",
        "downgrade",
        "audit",
        "decide",  # cases: decisions, extensions, assignments (issue 7)
    },
    "official": {
        "grant_clearance",
        "create_workspace",
        "manage_members",
        "write",
        "downgrade",
        "decide",
    },
    "reviewer": {"write"},
    "analyst": {"write"},
    "researcher": {"write"},
    "observer": set(),
}


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The shared world, built once per backend; tests on it change nothing but the audit log
    (every attempted change is refused)."""
    folder = tmp_path_factory.mktemp(f"red-team-{request.param}")
    with backend(request.param, folder) as url:
        built = build_world(url, folder / "home")
        try:
            yield built
        finally:
            built.close()


@pytest.fixture(params=BACKENDS)
def scratch(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A world of its own, for a test that changes it."""
    with backend(request.param, tmp_path) as url:
        built = build_world(url, tmp_path / "home")
        try:
            yield built
        finally:
            built.close()


@pytest.fixture(params=BACKENDS)
def signed_in(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A small world of its own whose people have passwords and bearer tokens."""
    with backend(request.param, tmp_path) as url:
        built = build_world(
            url, tmp_path / "home", passwords=True, people=("rita", "olly", "dora"), papers=("A1",)
        )
        try:
            yield built
        finally:
            built.close()


# -- helpers --------------------------------------------------------------------------------------


def revision() -> bytes:
    """A real text to file as a new version."""
    return shared_file("ownership/RULES.md").read_bytes()


def dump(value: Any) -> str:
    """Everything of ``value`` as text (JSON and repr), folded as search folds words."""
    as_json = json.dumps(value, default=repr, ensure_ascii=False, sort_keys=True)
    return folded(as_json + "\n" + repr(value))


def assert_no_canary(world: World, name: str, value: Any) -> None:
    """No title, code word or signature word of a paper hidden from ``name`` in ``value``."""
    text = dump(value)
    leaked = [c for c in world.canaries(name) if folded(c) in text]
    assert not leaked, f"{name} got {leaked} of papers hidden from them in {text[:300]}"


def assert_no_paper_words(value: Any) -> None:
    """No title, code word or signature word of any paper in ``value`` (the audit log)."""
    text = dump(value)
    words = [w for p in PAPERS for w in (p.title, p.codeword, *signatures()[p.key])]
    leaked = [w for w in words if folded(w) in text]
    assert not leaked, f"{leaked} in {text[:300]}"


def refusal(
    world: World, call: Callable[..., Any], *args: Any
) -> tuple[EconsecError, list[dict[str, Any]]]:
    """The error ``call(*args)`` raises and the audit entries it appended (it must fail)."""
    head = world.head()
    with pytest.raises(EconsecError) as info:
        call(*args)
    return info.value, world.audit_since(head)


def _mask(text: str, secret: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", "#", text)


def face(error: EconsecError, secret: str) -> tuple[str, int, str, str]:
    """What the caller sees of a refusal, with the id or name they asked for masked."""
    detail = json.dumps(error.detail, sort_keys=True, default=repr)
    return (type(error).__name__, error.status_code, _mask(error.message, secret), detail)


def trace(entries: list[dict[str, Any]], actor: str, secret: str) -> list[str]:
    """Audit entries without sequence, time and hashes, the actor and the id or name masked."""
    out = []
    for entry in entries:
        kept = {k: v for k, v in entry.items() if k not in ("seq", "at", "prev_hash", "hash")}
        assert kept["actor"] == actor, entry
        kept["actor"] = "<actor>"
        out.append(_mask(json.dumps(kept, sort_keys=True, ensure_ascii=False), secret))
    return out


def assert_refused_like_ghost(
    world: World,
    name: str,
    call: Callable[[Actor, int], Any],
    doc_ids: list[int],
    *,
    baseline_name: str | None = None,
    canaries: list[str] | None = None,
) -> list[EconsecError]:
    """``call`` on each of ``doc_ids`` fails for ``name`` exactly as on a non-existent id (of as
    many digits) for the fresh user of the same role, and for ``name`` too, each leaving the
    same denial in the log. ``baseline_name`` and ``canaries`` are for users world.py does not
    know."""
    assert doc_ids
    actor = world.actor(name)
    baseline = world.actor(baseline_name or fresh(name))
    words = world.canaries(name) if canaries is None else canaries
    expected: dict[int, tuple[Any, list[str]]] = {}
    errors = []
    for doc_id in doc_ids:
        ghost = world.ghost(doc_id)
        if ghost not in expected:
            base_error, base_entries = refusal(world, call, baseline, ghost)
            own_error, own_entries = refusal(world, call, actor, ghost)
            expected[ghost] = (
                face(base_error, str(ghost)),
                trace(base_entries, baseline.name, str(ghost)),
            )
            assert (face(own_error, str(ghost)), trace(own_entries, name, str(ghost))) == expected[
                ghost
            ]
        error, entries = refusal(world, call, actor, doc_id)
        assert isinstance(error, NotFound | AccessDenied), error
        assert entries, f"no audit entry for {name}'s refused {call} on document {doc_id}"
        assert all(e["outcome"] == "denied" for e in entries), entries
        assert (face(error, str(doc_id)), trace(entries, name, str(doc_id))) == expected[ghost]
        text = dump([error.message, error.detail, repr(error)])
        leaked = [c for c in words if folded(c) in text]
        assert not leaked, (name, leaked, error)
        assert_no_paper_words(entries)
        errors.append(error)
    return errors


def assert_workspace_refused_like_ghost(
    world: World, name: str, call: Callable[[Actor, str], Any], workspace: str
) -> None:
    """``call`` on ``workspace`` fails for ``name`` exactly as on a workspace that does not
    exist for the fresh user of the same role, with the same denial in the log."""
    actor, baseline = world.actor(name), world.actor(fresh(name))
    error, entries = refusal(world, lambda: call(actor, workspace))
    base_error, base_entries = refusal(world, lambda: call(baseline, GHOST_WORKSPACE))
    assert isinstance(error, NotFound), error
    assert face(error, workspace) == face(base_error, GHOST_WORKSPACE)
    assert entries and all(e["outcome"] == "denied" for e in entries), entries
    assert trace(entries, name, workspace) == trace(base_entries, baseline.name, GHOST_WORKSPACE)
    assert_no_canary(world, name, [error.message, error.detail, entries])


def stored(world: World) -> dict[int, tuple[Any, ...]]:
    """Each document's row as stored, with its number of versions and index terms."""
    with world.security.session() as session:
        out = {}
        for doc in session.scalars(select(Document)):
            versions = session.scalar(
                select(func.count()).select_from(Version).where(Version.document_id == doc.id)
            )
            terms = session.scalar(
                select(func.count()).select_from(Term).where(Term.document_id == doc.id)
            )
            out[doc.id] = (doc.title, doc.level, doc.version, doc.updated_at, versions, terms)
        return out


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [int(item["id"]) for item in items]


def may_see_workspace(name: str, workspace: str) -> bool:
    """Whether ``name`` may name ``workspace`` (a member; admins manage every workspace)."""
    person = PERSON[name]
    return person.role == "admin" or workspace in person.workspaces


def user_id(world: World, name: str) -> int:
    with world.security.session() as session:
        return int(session.scalars(select(User.id).where(User.name == name)).one())


#: The right each document operation needs beyond access (reads need none).
OP_RIGHT = {"add_version": "write", "downgrade-public": "downgrade", "downgrade-top": "downgrade"}
# The document operations a reader may attempt on an id. Each takes (world, actor, id).
DOC_OPS: dict[str, Callable[[World, Actor, int], Any]] = {
    "get": lambda w, a, i: w.council.get(a, i),
    "download": lambda w, a, i: w.council.download(a, i),
    "download-v2": lambda w, a, i: w.council.download(a, i, version=2),
    "add_version": lambda w, a, i: w.council.add_version(a, i, revision(), "RULES.md"),
    "downgrade-public": lambda w, a, i: w.council.downgrade(a, i, "public", REASON),
    "downgrade-top": lambda w, a, i: w.council.downgrade(a, i, "top_secret", REASON),
}


# -- the world is what world.py says --------------------------------------------------------------


def test_world_matches_its_description(world: World) -> None:
    """Preconditions of the expectations below: every reader has something hidden, titles and
    code words are unique to their paper, and every paper was filed."""
    assert set(world.docs) == set(PAPER)
    texts = {p.key: folded(world.data[p.key].decode("utf-8")) for p in PAPERS}
    for paper in PAPERS:
        others = [t + folded(PAPER[k].title) for k, t in texts.items() if k != paper.key]
        assert not any(folded(paper.codeword) in t for t in others), paper
    for name in READERS:
        assert world.hidden(name), name


# -- listings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
def test_listing_total_and_pages_hold_exactly_the_visible(world: World, name: str) -> None:
    actor = world.actor(name)
    expected = world.listing(name)
    page = world.council.documents(actor, limit=MAX_PAGE)
    assert page.items == expected
    assert page.total == len(expected) == len(world.visible(name))
    for limit in (1, 2, 4):
        collected: list[dict[str, Any]] = []
        for offset in range(0, len(expected) + limit, limit):
            part = world.council.documents(actor, limit=limit, offset=offset)
            assert part.total == len(expected)
            assert len(part.items) <= limit
            collected += part.items
        assert collected == expected
    beyond = world.council.documents(actor, offset=len(PAPERS) + 5)
    assert (beyond.total, beyond.items) == (len(expected), [])
    assert_no_canary(world, name, [page, beyond])


@pytest.mark.parametrize("name", READERS)
@pytest.mark.parametrize("workspace", WORKSPACES)
def test_listing_of_a_workspace(world: World, name: str, workspace: str) -> None:
    """A member (or an admin) sees the visible documents of the workspace and their number;
    anyone else is told the workspace does not exist, as for one that does not."""
    actor = world.actor(name)

    def listing(a: Actor, ws: str) -> Any:
        return world.council.documents(a, ws)

    if may_see_workspace(name, workspace):
        expected = [d for d in world.listing(name) if d["workspace"] == workspace]
        page = listing(actor, workspace)
        assert (page.total, page.items) == (len(expected), expected)
        assert_no_canary(world, name, page)
    else:
        assert_workspace_refused_like_ghost(world, name, listing, workspace)
    with pytest.raises(NotFound):
        listing(actor, GHOST_WORKSPACE)


def test_disabled_account_cannot_act(world: World) -> None:
    """The disabled account gets no actor at all; the refusal is audited and says nothing of
    what the account could once see."""
    error, entries = refusal(world, lambda: world.actor("dora"))
    assert isinstance(error, AccessDenied)
    assert [(e["actor"], e["action"], e["outcome"]) for e in entries] == [("dora", "act", "denied")]
    assert_no_canary(world, "dora", [error.message, entries])
    assert world.hidden("dora") == list(world.docs)


def test_stale_actor_of_a_disabled_account_sees_nothing(world: World) -> None:
    """An Actor obtained before the account was disabled (a request in flight, a long CLI
    command) must see nothing: "account enabled" is part of the access decision itself."""
    stale = Actor(user_id(world, "dora"), "dora", PERSON["dora"].role, "cli")
    page = world.council.documents(stale)
    assert (page.total, page.items) == (0, [])
    assert world.council.search(stale, EVERY_TITLE) == []
    for key in world.docs:
        with pytest.raises(NotFound):
            world.council.get(stale, world.id(key))
        with pytest.raises(NotFound):
            world.council.download(stale, world.id(key))
    # Nor can it file, manage members or see the workspaces and who is in them.
    assert world.council.workspaces(stale) == []
    data = world.data["A1"]
    for attempt in (
        lambda: world.council.put(stale, "council-a", data, "a.md", title="T", level="public"),
        lambda: world.council.add_member(stale, "council-a", "nils"),
        lambda: world.council.remove_member(stale, "council-a", "rita"),
        lambda: world.council.documents(stale, "council-a"),
    ):
        with pytest.raises((NotFound, AccessDenied)) as refused:
            attempt()
        if isinstance(refused.value, NotFound):  # past the role check: refused like a ghost
            assert str(refused.value) == "no workspace 'council-a'"


# -- documents the reader may not see -------------------------------------------------------------


@pytest.mark.parametrize("op", DOC_OPS)
@pytest.mark.parametrize("name", READERS)
def test_hidden_documents_answer_like_missing_ones(world: World, name: str, op: str) -> None:
    before = stored(world)
    hidden = world.hidden(name)
    assert hidden
    errors = assert_refused_like_ghost(
        world, name, lambda a, i: DOC_OPS[op](world, a, i), [world.id(k) for k in hidden]
    )
    lacking = op in OP_RIGHT and OP_RIGHT[op] not in EXPECTED_RIGHTS[PERSON[name].role]
    for error in errors:
        assert isinstance(error, AccessDenied if lacking else NotFound), (op, name, error)
    assert stored(world) == before, "a refused operation changed a document"


@pytest.mark.parametrize("name", READERS)
def test_visible_documents_are_read_in_full(world: World, name: str) -> None:
    """What a reader may see comes back whole: metadata, versions and the exact bytes (the
    other side of the tests above: they would pass if everything were refused)."""
    actor = world.actor(name)
    for key in world.visible(name):
        head = world.head()
        doc = world.council.get(actor, world.id(key))
        versions = doc.pop("versions")
        assert doc == world.docs[key]
        assert [(v["version"], v["sha256"]) for v in versions] == [
            (1, hashlib.sha256(world.data[key]).hexdigest())
        ]
        filename, _media, content = world.council.download(actor, world.id(key))
        assert content == world.data[key]
        assert filename == ("note.md" if PAPER[key].note else PAPER[key].path.name)
        actions = [(e["action"], e["outcome"], e["target"]) for e in world.audit_since(head)]
        target = f"document:{world.id(key)}"
        assert actions == [("document.read", "ok", target), ("document.download", "ok", target)]
        with pytest.raises(NotFound, match=f"document {world.id(key)} has no version 7"):
            world.council.download(actor, world.id(key), version=7)


# -- search ---------------------------------------------------------------------------------------


def _queries(key: str) -> list[str]:
    words = signatures()[key]
    return [*words, " ".join(words), PAPER[key].codeword]


@pytest.mark.parametrize("name", READERS)
def test_search_finds_only_what_the_reader_may_see(world: World, name: str) -> None:
    actor = world.actor(name)
    visible = world.visible(name)
    for key in world.docs:
        for query in _queries(key):
            head = world.head()
            results = world.council.search(actor, query, limit=MAX_PAGE)
            expected = [world.id(key)] if key in visible else []
            assert ids(results) == expected, (name, key, query)
            assert_no_canary(world, name, results)
            for item in results:
                snippet = item.pop("snippet")
                assert item == world.docs[key]
                if " " not in query:
                    assert folded(query) in folded(snippet), (query, snippet)
            (entry,) = world.audit_since(head)
            assert (entry["action"], entry["detail"]["results"]) == (
                "document.search",
                len(expected),
            )
            assert entry["detail"]["targets"] == [f"document:{i}" for i in expected]
            assert_no_paper_words(entry)
    everything = world.council.search(actor, EVERY_TITLE, limit=MAX_PAGE)
    assert ids(everything) == [world.id(k) for k in visible]
    assert_no_canary(world, name, everything)
    for limit in (1, 2):
        assert ids(world.council.search(actor, EVERY_TITLE, limit=limit)) == ids(everything)[:limit]


@pytest.mark.parametrize("name", READERS)
@pytest.mark.parametrize("workspace", WORKSPACES)
def test_search_within_a_workspace(world: World, name: str, workspace: str) -> None:
    def search(a: Actor, ws: str) -> Any:
        return world.council.search(a, EVERY_TITLE, ws, limit=MAX_PAGE)

    if may_see_workspace(name, workspace):
        results = search(world.actor(name), workspace)
        expected = [world.id(k) for k in world.visible(name) if PAPER[k].workspace == workspace]
        assert ids(results) == expected
        assert_no_canary(world, name, results)
    else:
        assert_workspace_refused_like_ghost(world, name, search, workspace)


# -- workspaces and members -----------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
def test_workspaces_listing(world: World, name: str) -> None:
    listed = world.council.workspaces(world.actor(name))
    expected = [ws for ws in WORKSPACES if may_see_workspace(name, ws)]
    assert [w["name"] for w in listed] == expected
    for item in listed:
        members = sorted(p.name for p in PEOPLE if item["name"] in p.workspaces)
        assert item["members"] == members
    assert_no_canary(world, name, listed)


@pytest.mark.parametrize(
    ("name", "workspace"),
    [("otto", "council-a"), ("lena", "council-b"), ("fresh-official", "council-a")],
)
@pytest.mark.parametrize("op", ["add_member", "remove_member", "put"])
def test_managing_a_foreign_workspace_answers_like_a_missing_one(
    world: World, name: str, workspace: str, op: str
) -> None:
    """An official (who may manage members and write) is told a workspace they are not a member
    of does not exist, whichever user or level they name; nothing changes."""
    calls: dict[str, Callable[[Actor, str], Any]] = {
        "add_member": lambda a, ws: world.council.add_member(a, ws, "nils"),
        "remove_member": lambda a, ws: world.council.remove_member(a, ws, "rita"),
        "put": lambda a, ws: world.council.put(
            a, ws, world.data["A1"], "PROVENANCE.md", title="Filed (synthetic)", level="public"
        ),
    }
    before = stored(world)
    assert_workspace_refused_like_ghost(world, name, calls[op], workspace)
    assert stored(world) == before
    assert [w["name"] for w in world.council.workspaces(world.actor("ada"))] == list(WORKSPACES)
    assert world.council.documents(world.actor("rita")).items == world.listing("rita")


# -- the admin ------------------------------------------------------------------------------------


def test_admin_has_no_bypass(world: World) -> None:
    """ada is an admin cleared to top secret, but not a member of council-b: B1 is hidden."""
    ada = world.actor("ada")
    b1 = world.id("B1")
    assert "B1" in world.hidden("ada")
    page = world.council.documents(ada, "council-b")
    assert (page.total, page.items) == (0, [])
    assert world.council.search(ada, "abstract abstracts", "council-b") == []
    for op in DOC_OPS.values():
        (error,) = assert_refused_like_ghost(
            world, "ada", lambda a, i, op=op: op(world, a, i), [b1]
        )
        assert isinstance(error, NotFound)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_audit_log_holds_no_title_or_content(world: World, fmt: str) -> None:
    """The admin reads the audit log: it names documents by id only, never by title or words of
    their text, so it does not reveal B1 to ada either."""
    ada = world.actor("ada")
    refusal(world, world.council.get, ada, world.id("B1"))  # a denial naming B1, at least
    refusal(world, world.council.search, world.actor("nils"), "")  # not even a query is kept
    world.council.search(world.actor("nils"), "Peregrine abstracts")
    exported = "".join(world.security.export(ada, fmt))
    assert "document:" in exported and "denied" in exported
    assert_no_paper_words(exported)
    assert world.security.verify(world.actor("ada")).ok


@pytest.mark.parametrize("name", [n for n in READERS if PERSON[n].role != "admin"])
def test_audit_log_and_users_only_for_admins(world: World, name: str) -> None:
    actor = world.actor(name)
    for call in (
        lambda: list(world.security.export(actor)),
        lambda: world.security.verify(actor),
        lambda: world.security.users(actor),
    ):
        error, entries = refusal(world, call)
        assert isinstance(error, AccessDenied)
        assert [(e["actor"], e["outcome"]) for e in entries] == [(name, "denied")]


# -- rights of roles (own world: the allowed calls change it) -------------------------------------


def test_rights_table_is_the_documented_one() -> None:
    assert {role: set(rights) for role, rights in RIGHTS.items()} == EXPECTED_RIGHTS
    assert set(RIGHTS) == set(ROLES)


def test_each_role_may_do_exactly_what_its_rights_allow(scratch: World) -> None:
    """Every gated call by a fresh user of each role: refused (AccessDenied, audited) exactly
    when the role lacks the right; otherwise not refused for lack of a right (a fresh user is a
    member of nothing, so calls on a workspace or document answer NotFound)."""
    w = scratch
    until = datetime.now(UTC).date() + timedelta(days=30)
    a3 = w.id("A3")
    gated: list[tuple[str, Callable[[Actor, str], Any]]] = [
        ("manage_users", lambda a, r: w.security.add_user(a, f"new-{r}", "observer")),
        ("manage_users", lambda a, r: w.security.users(a)),
        ("manage_users", lambda a, r: w.security.disable_user(a, "dora")),
        ("grant_clearance", lambda a, r: w.security.grant_clearance(a, "nils", "internal", until)),
        ("grant_clearance", lambda a, r: w.security.revoke_clearance(a, "nils")),
        ("create_workspace", lambda a, r: w.council.create_workspace(a, f"ws-{r}")),
        ("manage_members", lambda a, r: w.council.add_member(a, "council-a", "nils")),
        ("manage_members", lambda a, r: w.council.remove_member(a, "council-a", "nils")),
        (
            "write",
            lambda a, r: w.council.put_note(a, "council-a", title="T", level="public", text="x"),
        ),
        ("write", lambda a, r: w.council.add_version(a, a3, revision(), "RULES.md")),
        ("downgrade", lambda a, r: w.council.downgrade(a, a3, "public", REASON)),
        ("audit", lambda a, r: list(w.security.export(a))),
        ("audit", lambda a, r: w.security.verify(a)),
    ]
    for role, person in FRESH.items():
        actor = w.actor(person.name)
        for right, call in gated:
            head = w.head()
            try:
                call(actor, role)
                refused: EconsecError | None = None
            except EconsecError as error:
                refused = error
            denials = [e for e in w.audit_since(head) if e["outcome"] == "denied"]
            for_role = [e for e in denials if e["detail"]["reason"].startswith("role ")]
            if right in EXPECTED_RIGHTS[role]:
                # Allowed, or refused for want of membership, access or clearance; never
                # for the role.
                assert isinstance(refused, NotFound | AccessDenied | None), (role, right, refused)
                assert not for_role, (role, right, refused, denials)
            else:
                assert isinstance(refused, AccessDenied), (role, right, refused)
                assert [(e["actor"], e["outcome"]) for e in for_role] == [(person.name, "denied")]
                assert denials == for_role
    # Nothing filed, versioned or downgraded by anyone without access.
    assert w.council.documents(w.actor("ada")).items == w.listing("ada")


# -- filing ---------------------------------------------------------------------------------------


#: Who may not file at which level in council-a, of which they are all members.
ABOVE_OWN = [
    ("rita", "top_secret"),  # cleared to secret
    ("lena", "confidential"),  # cleared to internal
    ("ezra", "public"),  # expired
    ("fay", "public"),  # not yet valid
    ("rex", "public"),  # revoked
    ("olly", "public"),  # observer: no right to write
]


def test_filing_above_own_valid_clearance_is_refused(scratch: World) -> None:
    w = scratch
    before = stored(w)
    for name, level in ABOVE_OWN:
        error, entries = refusal(
            w,
            lambda name=name, level=level: w.council.put(
                w.actor(name),
                "council-a",
                w.data["A1"],
                "PROVENANCE.md",
                title="Filed (synthetic)",
                level=level,
            ),
        )
        assert isinstance(error, AccessDenied), (name, level, error)
        assert [(e["actor"], e["action"], e["outcome"]) for e in entries] == [
            (name, "document.create", "denied")
        ]
    assert stored(w) == before
    # One level lower is allowed where the clearance is valid.
    for name, level in [("rita", "secret"), ("lena", "internal")]:
        filed = w.council.put(
            w.actor(name), "council-a", w.data["A1"], "PROVENANCE.md", title="F", level=level
        )
        assert filed["level"] == level


def test_filing_at_own_level_is_seen_by_the_cleared_only(scratch: World) -> None:
    w = scratch
    text = revision()
    doc = w.council.put(
        w.actor("rita"), "council-a", text, "RULES.md", title="Rules (synthetic)", level="secret"
    )
    assert doc["level"] == "secret"
    for name in ("ada", "rita", "olly"):
        assert w.council.download(w.actor(name), doc["id"])[2] == text
    for name in ("lena", "otto", "ezra", "nils"):
        assert doc["id"] not in ids(w.council.documents(w.actor(name)).items)
        assert doc["id"] not in ids(w.council.search(w.actor(name), "rules"))
        with pytest.raises(NotFound):
            w.council.get(w.actor(name), doc["id"])


# -- downgrade ------------------------------------------------------------------------------------


def test_downgrade_needs_the_right_access_and_a_reason(scratch: World) -> None:
    w = scratch
    a3 = w.id("A3")  # confidential, council-a
    before = stored(w)
    # An analyst with access, but without the right.
    error, entries = refusal(w, lambda: w.council.downgrade(w.actor("rita"), a3, "public", REASON))
    assert isinstance(error, AccessDenied)
    assert [(e["action"], e["outcome"]) for e in entries] == [("document.downgrade", "denied")]
    # Officials with the right but without access: as if there were no such document.
    for name in ("lena", "otto"):

        def downgrade(a: Actor, i: int) -> Any:
            return w.council.downgrade(a, i, "public", REASON)

        (error,) = assert_refused_like_ghost(w, name, downgrade, [a3])
        assert isinstance(error, NotFound)
    # The admin, with access: no reason, or not a lower level, is refused.
    ada = w.actor("ada")
    for level, reason in [("public", "  "), ("confidential", REASON), ("secret", REASON)]:
        with pytest.raises(InvalidInput):
            w.council.downgrade(ada, a3, level, reason)
    assert stored(w) == before
    assert "A3" not in w.visible("lena")
    assert a3 not in ids(w.council.documents(w.actor("lena")).items)

    head = w.head()
    done = w.council.downgrade(ada, a3, "internal", f"  {REASON} ")
    assert done["level"] == "internal"
    (entry,) = w.audit_since(head)
    assert (entry["actor"], entry["action"], entry["outcome"]) == (
        "ada",
        "document.downgrade",
        "ok",
    )
    assert (entry["target"], entry["level"]) == (f"document:{a3}", "internal")
    assert entry["detail"] == {"previous_level": "confidential", "reason": REASON}
    assert_no_paper_words(entry)

    # Now lena, cleared to internal, sees it: in her listing, by id, in search, in full.
    lena = w.actor("lena")
    listing = w.council.documents(lena)
    assert ids(listing.items) == [a3, w.id("A2"), w.id("A1")] and listing.total == 3
    assert w.council.get(lena, a3)["level"] == "internal"
    assert w.council.download(lena, a3)[2] == w.data["A3"]
    assert ids(w.council.search(lena, signatures()["A3"][0])) == [a3]
    # An official with access may downgrade too.
    assert w.council.downgrade(lena, w.id("A2"), "public", REASON)["level"] == "public"


# -- new versions ---------------------------------------------------------------------------------


def test_new_version_replaces_the_searchable_text(scratch: World) -> None:
    w = scratch
    a3, text = w.id("A3"), revision()
    new = folded(text.decode("utf-8"))
    gone = [s for s in signatures()["A3"] if s not in new]
    fresh_words = sorted(
        {
            x
            for x in re.findall(r"[a-z]{9,}", new)
            if all(x not in folded(d.decode()) for d in w.data.values())
        }
    )
    assert gone and fresh_words
    with pytest.raises(AccessDenied):
        w.council.add_version(w.actor("olly"), a3, text, "RULES.md")
    rita = w.actor("rita")
    head = w.head()
    assert w.council.add_version(rita, a3, text, "RULES.md")["version"] == 2
    (entry,) = w.audit_since(head)
    assert (entry["action"], entry["outcome"], entry["detail"]) == (
        "document.version",
        "ok",
        {"version": 2},
    )
    doc = w.council.get(rita, a3)
    assert [v["sha256"] for v in doc["versions"]] == [
        hashlib.sha256(w.data["A3"]).hexdigest(),
        hashlib.sha256(text).hexdigest(),
    ]
    assert w.council.download(rita, a3)[2] == text
    assert w.council.download(rita, a3, version=1)[2] == w.data["A3"]
    assert w.council.search(rita, gone[0]) == []
    assert ids(w.council.search(rita, fresh_words[0])) == [a3]
    assert ids(w.council.search(rita, "Harrier")) == [a3]  # the title stays indexed
    # Still confidential: the new text is as hidden from lena as the old one was.
    lena = w.actor("lena")
    assert w.council.search(lena, fresh_words[0]) == []
    with pytest.raises(NotFound):
        w.council.download(lena, a3, version=2)


# -- membership, revocation and the clock ---------------------------------------------------------


def _sees(w: World, name: str) -> list[int]:
    return ids(w.council.documents(w.actor(name)).items)


def test_removed_member_loses_access_at_once(scratch: World) -> None:
    w = scratch
    visible = [w.id(k) for k in w.visible("rita")]
    assert _sees(w, "rita") == visible
    with pytest.raises(AccessDenied):
        w.council.remove_member(w.actor("rita"), "council-a", "olly")
    head = w.head()
    w.council.remove_member(w.actor("lena"), "council-a", "rita")  # an official who is a member
    (entry,) = w.audit_since(head)
    assert (entry["action"], entry["target"], entry["workspace"]) == (
        "workspace.remove_member",
        "rita",
        "council-a",
    )
    page = w.council.documents(w.actor("rita"))
    assert (page.total, page.items) == (0, [])
    assert w.council.search(w.actor("rita"), EVERY_TITLE) == []
    assert w.council.workspaces(w.actor("rita")) == []
    assert_refused_like_ghost(w, "rita", lambda a, i: w.council.get(a, i), visible)
    assert_workspace_refused_like_ghost(
        w, "rita", lambda a, ws: w.council.documents(a, ws), "council-a"
    )
    w.council.add_member(w.actor("ada"), "council-a", "rita")
    assert _sees(w, "rita") == visible


def test_revoked_clearance_ends_access_at_once(scratch: World) -> None:
    w = scratch
    visible = [w.id(k) for k in w.visible("rita")]
    assert _sees(w, "rita") == visible
    assert w.security.revoke_clearance(w.actor("otto"), "rita", "synthetic reason") == 1
    assert _sees(w, "rita") == []
    assert_refused_like_ghost(w, "rita", lambda a, i: w.council.download(a, i), visible)
    assert w.council.search(w.actor("rita"), EVERY_TITLE) == []
    # Writing is gone with it.
    with pytest.raises(AccessDenied):
        w.council.put_note(
            w.actor("rita"), "council-a", title="T (synthetic)", level="public", text="x"
        )


def _at(day: Any, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=UTC)


LAST_MICROSECOND = time(23, 59, 59, 999999)


def test_clearance_is_valid_through_its_last_day_and_not_after(scratch: World) -> None:
    """grant_clearance's ``until`` is inclusive: valid through 23:59:59.999999 UTC of that day,
    gone at midnight; a clearance starting on a day is not valid a microsecond before."""
    w = scratch
    ada = w.actor("ada")
    today = datetime.now(UTC).date()
    last, first = today + timedelta(days=3), today + timedelta(days=5)
    for name in ("wren", "yara"):
        w.security.add_user(OPERATOR, name, "analyst")
        w.council.add_member(ada, "council-a", name)
    w.security.grant_clearance(ada, "wren", "internal", today + timedelta(days=60))
    w.security.grant_clearance(ada, "wren", "secret", last, today - timedelta(days=10))
    w.security.grant_clearance(ada, "yara", "confidential", today + timedelta(days=60), first)
    upto = {lvl: [w.id(p.key) for p in reversed(PAPERS) if p.workspace == "council-a"
                  and LEVELS.index(p.level) <= LEVELS.index(lvl)] for lvl in LEVELS}  # fmt: skip
    cases = [
        (_at(last, LAST_MICROSECOND), "wren", upto["secret"]),
        (_at(last + timedelta(days=1), time()), "wren", upto["internal"]),  # the higher one ended
        (_at(first - timedelta(days=1), LAST_MICROSECOND), "yara", []),
        (_at(first, time()), "yara", upto["confidential"]),
    ]
    for moment, name, expected in cases:
        with clock(moment, *CLOCKED):
            assert _sees(w, name) == expected, (moment, name)
            assert ids(w.council.search(w.actor(name), EVERY_TITLE)) == expected
            hidden = [k for k in w.docs if w.id(k) not in expected]
            words = [x for k in hidden for x in (PAPER[k].title, *signatures()[k])]
            assert_refused_like_ghost(
                w,
                name,
                lambda a, i: w.council.get(a, i),
                [w.id(k) for k in hidden],
                baseline_name="fresh-analyst",
                canaries=words,
            )
            for doc_id in expected:
                assert w.council.get(w.actor(name), doc_id)["id"] == doc_id


# -- signing out ----------------------------------------------------------------------------------


def test_no_actor_after_signing_out_or_disabling(signed_in: World) -> None:
    """The service is reached only through an actor: a signed-out, disabled or unknown token
    resolves to none (the HTTP layer then answers 401)."""
    w = signed_in
    token = w.tokens["rita"]
    actor = w.security.resolve(token)
    assert actor is not None and actor.name == "rita"
    assert _sees(w, "rita") == [w.id(k) for k in w.visible("rita")]
    w.security.sign_out(token)
    assert w.security.resolve(token) is None
    assert w.security.resolve(w.tokens["dora"]) is None  # signed in before being disabled
    assert w.security.resolve("not-a-token") is None
    other = w.tokens["olly"]
    assert w.security.resolve(other) is not None
    w.security.disable_user(w.actor("ada"), "olly")
    assert w.security.resolve(other) is None
    with pytest.raises(AccessDenied):
        w.actor("olly")
