"""Property tests: the Council service's access decisions against a small reference model of the
policy, over random users and records, on SQLite and PostgreSQL.

The model (:func:`may_read`, :func:`filing`) restates the policy of econsec/security/policy.py
without any of its code: a user reads a record when the account is enabled, the user is a member
of the record's workspace and holds a clearance valid today at the record's level or above; a user
files a record when the role may write, the workspace is theirs (admins: any) and the level is not
above their valid clearance.

Hypothesis draws the people (role, up to two clearances each with a level and a window: valid,
expired, not yet valid or revoked; disabled or not; memberships of three workspaces; where and at
which level they try to file) and the records (workspace, level). Each example builds its own
workspaces, users and records, with names unique to the example, in ONE store per backend shared
by all examples, so an example sees nothing of another. For a disabled account the checks use the
actor obtained before it was disabled (the service must refuse a new one).

Names and titles are SYNTHETIC; each record's content is a real paragraph of
../shared/data/ownership/RULES.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from econsec.council.service import MAX_PAGE, Council
from econsec.errors import AccessDenied, EconsecError, NotFound
from econsec.security.models import ROLES
from econsec.security.policy import Actor
from econsec.security.service import Security
from econsec.store.app import open_app_store
from tests.conftest import shared_file
from tests.security.world import BACKENDS, LEVELS, OPERATOR, backend, settings_for

WINDOWS = ("valid", "expired", "future", "revoked")
WORKSPACES = 3
#: Roles that may file (the policy's table, restated).
WRITERS = {"admin", "official", "reviewer", "analyst", "researcher"}


# -- the reference model --------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    level: str
    window: str


@dataclass(frozen=True)
class Someone:
    role: str
    grants: tuple[Grant, ...]
    disabled: bool
    workspaces: frozenset[int]
    files_into: int
    files_at: str


@dataclass(frozen=True)
class Record:
    workspace: int
    level: str


def rank(level: str) -> int:
    return LEVELS.index(level)


def clearance(person: Someone) -> int:
    """The rank of the highest clearance valid today, -1 for none."""
    return max((rank(g.level) for g in person.grants if g.window == "valid"), default=-1)


def may_read(person: Someone, record: Record) -> bool:
    return (
        not person.disabled
        and record.workspace in person.workspaces
        and rank(record.level) <= clearance(person)
    )


def filing(person: Someone) -> type[EconsecError] | None:
    """The error filing at ``person.files_at`` into ``person.files_into`` must raise, if any."""
    if person.role not in WRITERS:
        return AccessDenied
    if person.role != "admin" and person.files_into not in person.workspaces:
        return NotFound
    if rank(person.files_at) > clearance(person):
        return AccessDenied
    return None


grants = st.builds(Grant, level=st.sampled_from(LEVELS), window=st.sampled_from(WINDOWS))
people = st.builds(
    Someone,
    role=st.sampled_from(ROLES),
    grants=st.lists(grants, max_size=2).map(tuple),
    disabled=st.booleans(),
    workspaces=st.frozensets(st.integers(0, WORKSPACES - 1)),
    files_into=st.integers(0, WORKSPACES - 1),
    files_at=st.sampled_from(LEVELS),
)
records = st.builds(Record, workspace=st.integers(0, WORKSPACES - 1), level=st.sampled_from(LEVELS))


# -- the store shared by all examples of a backend ------------------------------------------------


@dataclass
class Store:
    security: Security
    council: Council
    registrar: Actor  # an admin cleared to top secret who creates workspaces and files records
    paragraphs: list[bytes]
    examples: Iterator[int] = field(default_factory=itertools.count)


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    text = shared_file("ownership/RULES.md").read_text(encoding="utf-8")
    paragraphs = [p.strip().encode("utf-8") for p in text.split("\n\n") if len(p.strip()) > 40]
    folder = tmp_path_factory.mktemp(f"policy-{request.param}")
    with backend(request.param, folder) as url:
        security = Security(settings_for(url, folder / "home"), open_app_store(url))
        # Hashing cost is not under test (as in world.build_world).
        security.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        security.add_user(OPERATOR, "registrar", "admin")
        registrar = security.actor("registrar")
        until = datetime.now(UTC).date() + timedelta(days=365)
        security.grant_clearance(registrar, "registrar", "top_secret", until)
        try:
            yield Store(security, Council(security), registrar, paragraphs)
        finally:
            security.app.dispose()


def _window(kind: str, today: date) -> tuple[date | None, date]:
    return {
        "valid": (None, today + timedelta(days=30)),
        "revoked": (None, today + timedelta(days=30)),
        "expired": (today - timedelta(days=30), today - timedelta(days=1)),
        "future": (today + timedelta(days=1), today + timedelta(days=30)),
    }[kind]


# -- the property ---------------------------------------------------------------------------------


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    persons=st.lists(people, min_size=1, max_size=4),
    filed=st.lists(records, max_size=6),
)
def test_service_decides_as_the_reference_model(
    store: Store, persons: list[Someone], filed: list[Record]
) -> None:
    security, council, registrar = store.security, store.council, store.registrar
    n = next(store.examples)
    tag = f"prop{n}x"  # a word in every title of this example, and in no other example's
    today = datetime.now(UTC).date()
    spaces = [f"prop{n}-w{i}" for i in range(WORKSPACES)]
    for name in spaces:
        council.create_workspace(registrar, name, "Property workspace (synthetic)")
    ids: list[int] = []
    for j, record in enumerate(filed):
        doc = council.put(
            registrar,
            spaces[record.workspace],
            store.paragraphs[(n + j) % len(store.paragraphs)],
            "paragraph.txt",
            title=f"Property record {tag} r{j} (synthetic)",
            level=record.level,
        )
        ids.append(int(doc["id"]))
    actors: list[Actor] = []
    for i, person in enumerate(persons):
        name = f"prop{n}-u{i}"
        security.add_user(OPERATOR, name, person.role)
        # revoke_clearance revokes every current clearance: grant the revoked ones first.
        ordered = sorted(person.grants, key=lambda g: g.window != "revoked")
        for number, grant in enumerate(ordered):
            start, until = _window(grant.window, today)
            security.grant_clearance(registrar, name, grant.level, until, start)
            revoked_last = grant.window == "revoked" and (
                number + 1 == len(ordered) or ordered[number + 1].window != "revoked"
            )
            if revoked_last:
                security.revoke_clearance(registrar, name, "synthetic")
        for w in sorted(person.workspaces):
            council.add_member(registrar, spaces[w], name)
        actors.append(security.actor(name))  # before any disabling: a stale actor
        if person.disabled:
            security.disable_user(OPERATOR, name)

    for person, actor in zip(persons, actors, strict=True):
        expected = [i for i, r in zip(ids, filed, strict=True) if may_read(person, r)]
        newest_first = sorted(expected, reverse=True)
        if person.disabled:
            with pytest.raises(AccessDenied):
                security.actor(actor.name)
        else:
            assert security.actor(actor.name) == actor
        page = council.documents(actor, limit=MAX_PAGE)
        assert [d["id"] for d in page.items] == newest_first, (person, filed)
        assert page.total == len(expected)
        for w, space in enumerate(spaces):
            # A disabled account reaches no workspace at all (not even an admin's).
            if not person.disabled and (person.role == "admin" or w in person.workspaces):
                page = council.documents(actor, space, limit=MAX_PAGE)
                inside = [i for i, r in zip(ids, filed, strict=True) if r.workspace == w]
                assert [d["id"] for d in page.items] == [i for i in newest_first if i in inside]
                assert page.total == len(set(expected) & set(inside))
            else:
                with pytest.raises(NotFound):
                    council.documents(actor, space)
        for doc_id in ids:
            if doc_id in expected:
                assert council.get(actor, doc_id)["id"] == doc_id
            else:
                with pytest.raises(NotFound, match=f"^no document {doc_id}$"):
                    council.get(actor, doc_id)
        found = [d["id"] for d in council.search(actor, tag, limit=MAX_PAGE)]
        assert set(found) <= set(expected)
        assert found == newest_first

    # Filing, after every read was checked (a filed record would change the expectations).
    for person, actor in zip(persons, actors, strict=True):
        if person.disabled:
            continue
        refusal = filing(person)
        space = spaces[person.files_into]
        title = f"Filed {tag} (synthetic)"
        paragraph = store.paragraphs[n % len(store.paragraphs)]
        if refusal is None:
            doc = council.put(
                actor, space, paragraph, "filed.txt", title=title, level=person.files_at
            )
            # The writer reads it back only as any member would (an admin filing into a
            # workspace of which they are not a member does not see it).
            readable = may_read(person, Record(person.files_into, person.files_at))
            assert (
                doc["id"] in [d["id"] for d in council.documents(actor, limit=MAX_PAGE).items]
            ) == readable
        else:
            with pytest.raises(refusal):
                council.put(
                    actor, space, paragraph, "filed.txt", title=title, level=person.files_at
                )
