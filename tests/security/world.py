"""A Council world shared by the security, Council, HTTP and CLI tests.

Two workspaces, six documents at every classification level, and a user for each way access must
fail: not a member, a member of the other workspace only, level too low, clearance expired, not
yet valid, revoked, account disabled; plus a user with no clearance and no membership for each
role (``fresh-<role>``), whose answers for a document that does not exist are the baseline every
refusal must equal.

User and workspace names, document titles and their code words (Osprey, Kestrel, ...) are
SYNTHETIC. Every document's content is a real public text: the PROVENANCE.md files of
../shared/data/screening, policy, export_control and tech, METI's Russia export-control page
(``screening/jp_meti/page_content.txt``, Japanese) and ../shared/design/POLICY.md.

The test modules import these helpers (a conftest here would not be visible to them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from econsec.council.models import Document
from econsec.council.service import Council
from econsec.security.models import ROLES, AuditEvent
from econsec.security.policy import Actor
from econsec.security.service import Security
from econsec.settings import Settings
from econsec.store.app import open_app_store
from tests.conftest import ROOT, shared_file
from tests.store.conftest import POSTGRES_URL, fresh_database

#: The tests' own master keys (public: they protect nothing but test data).
KEY = "econsec-tests-master-key-7d1f0c9a5e3b48d2"
OTHER_KEY = "econsec-tests-another-key-2b8e6a4c1f9d07e5"
PASSWORD = "staple-horse-battery-correct"  # synthetic
OPERATOR = "operator:tests"
LEVELS = ("public", "internal", "confidential", "secret", "top_secret")
GHOST_WORKSPACE = "council-z"  # never created
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def design_file(name: str) -> Path:
    """A file of ../shared/design (next to ../shared/data), or skip saying it is missing."""
    path = ROOT.parent / "shared" / "design" / name
    if not path.exists():
        pytest.skip(f"real text not available: {path}")
    return path


def settings_for(url: str, home: Path, **extra: Any) -> Settings:
    """Settings of an app store at ``url`` with the tests' key (not the public development key)."""
    values: dict[str, Any] = {
        "home": home,
        "database_url": url,
        "secret_key": KEY,
        "duckdb_threads": 2,
        "duckdb_memory_limit": "1GB",
        **extra,
    }
    return Settings(**values)


@contextmanager
def backend(kind: str, folder: Path) -> Iterator[str]:
    """An empty app store: a SQLite file in ``folder``, or a fresh PostgreSQL database (skipped
    when the server is absent, failed instead with ECONSEC_REQUIRE_SERVICES=1)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'app.db'}"
        return
    with fresh_database(POSTGRES_URL) as url:
        yield url


@contextmanager
def world_on(kind: str, folder: Path, **options: Any) -> Iterator[World]:
    """:func:`build_world` on a fresh app store of ``kind`` (see :func:`backend`), closed at
    the end."""
    with backend(kind, folder) as url:
        built = build_world(url, folder, **options)
        try:
            yield built
        finally:
            built.close()


@contextmanager
def clock(at: datetime, *modules: str) -> Iterator[None]:
    """``utcnow`` of the given econsec modules frozen at ``at``."""
    with mock.patch(f"econsec.{modules[0]}.utcnow", return_value=at):
        if len(modules) > 1:
            with clock(at, *modules[1:]):
                yield
        else:
            yield


# -- documents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """A document of the world: where it is filed, at which level, and its real content."""

    key: str
    workspace: str
    level: str
    codeword: str  # synthetic, in the title only
    source: str  # under ../shared/data, or "design:NAME"
    note: bool = False

    @property
    def title(self) -> str:
        return f"Council paper {self.key} ({self.codeword})"

    @property
    def path(self) -> Path:
        if self.source.startswith("design:"):
            return design_file(self.source.removeprefix("design:"))
        return shared_file(self.source)


PAPERS = (
    Paper("A1", "council-a", "public", "Osprey", "screening/PROVENANCE.md"),
    Paper("A2", "council-a", "internal", "Merlin", "policy/PROVENANCE.md", note=True),
    Paper("A3", "council-a", "confidential", "Harrier", "export_control/PROVENANCE.md"),
    Paper("A4", "council-a", "secret", "Kestrel", "design:POLICY.md"),
    Paper("A5", "council-a", "top_secret", "Gyrfalcon", "screening/jp_meti/page_content.txt"),
    Paper("B1", "council-b", "confidential", "Peregrine", "tech/PROVENANCE.md"),
)
PAPER = {p.key: p for p in PAPERS}
#: Words of a document's title, so present in every document (all titles hold them).
EVERY_TITLE = "council paper"

_LATIN = re.compile(r"(?<![^\W_])[a-z]{8,}(?![^\W_])")
_KANA = re.compile(r"[ァ-ヺー]{4,}")


def folded(text: str) -> str:
    """NFKC and case-folded, as search compares words."""
    return unicodedata.normalize("NFKC", text).casefold()


@cache
def signatures() -> dict[str, tuple[str, ...]]:
    """Up to three search words of each paper found in no other paper's text or title.

    Latin words of 8+ letters absent from every other text; katakana words with a character pair
    absent from every other text (Japanese is searched by character pairs)."""
    texts = {p.key: folded(p.path.read_text(encoding="utf-8")) for p in PAPERS}
    out: dict[str, tuple[str, ...]] = {}
    for paper in PAPERS:
        others = " ".join(
            t + " " + folded(PAPER[k].title) for k, t in texts.items() if k != paper.key
        )
        own = texts[paper.key]
        latin = sorted({w for w in _LATIN.findall(own) if w not in others})
        kana = sorted(
            {
                w
                for w in _KANA.findall(own)
                if not all(w[i : i + 2] in others for i in range(len(w) - 1))
            }
        )
        words = tuple(latin[:2] + kana[:1] if latin else kana[:3])
        assert len(words) >= 2, (paper.key, words)
        out[paper.key] = words
    return out


# -- people --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A user of the world (synthetic name) and the situation they stand for."""

    name: str
    role: str
    level: str | None  # the clearance granted (None: none)
    window: str = "valid"  # valid | expired | future | revoked
    workspaces: tuple[str, ...] = ()
    disabled: bool = False
    case: str = ""

    def may_read(self, paper: Paper) -> bool:
        """The policy, restated: member AND valid clearance >= level AND enabled."""
        return (
            not self.disabled
            and self.window == "valid"
            and self.level is not None
            and paper.workspace in self.workspaces
            and LEVELS.index(self.level) >= LEVELS.index(paper.level)
        )


PEOPLE = (
    Person("ada", "admin", "top_secret", workspaces=("council-a",), case="admin, no bypass"),
    Person("otto", "official", "top_secret", workspaces=("council-b",), case="other workspace"),
    Person("rita", "analyst", "secret", workspaces=("council-a",), case="cleared to secret"),
    Person("olly", "observer", "top_secret", workspaces=("council-a",), case="read-only role"),
    Person("lena", "official", "internal", workspaces=("council-a",), case="level too low"),
    Person("ezra", "reviewer", "top_secret", "expired", ("council-a",), case="expired"),
    Person("fay", "researcher", "top_secret", "future", ("council-a",), case="not yet valid"),
    Person("rex", "analyst", "top_secret", "revoked", ("council-a",), case="revoked"),
    Person("nils", "analyst", "top_secret", case="not a member"),
    Person("dora", "analyst", "top_secret", workspaces=("council-a",), disabled=True),
)
FRESH = {role: Person(f"fresh-{role}", role, None, case="fresh user") for role in ROLES}
PERSON = {p.name: p for p in (*PEOPLE, *FRESH.values())}
#: Everyone who can still act, each of whom has at least one document hidden from them.
READERS = tuple(p.name for p in PEOPLE if not p.disabled)


def fresh(name: str) -> str:
    """The fresh user of ``name``'s role."""
    return FRESH[PERSON[name].role].name


# -- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    """The app store, services and what was filed, with the expectations of the policy."""

    url: str
    settings: Settings
    security: Security
    council: Council
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> metadata when filed
    data: dict[str, bytes] = field(default_factory=dict)  # key -> bytes as filed
    tokens: dict[str, str] = field(default_factory=dict)  # name -> bearer token

    def actor(self, name: str) -> Actor:
        return self.security.actor(name, "cli")

    def id(self, key: str) -> int:
        return int(self.docs[key]["id"])

    def visible(self, name: str) -> list[str]:
        """Keys of the papers ``name`` may see, newest first (as listings order them)."""
        keys = [k for k in self.docs if PERSON[name].may_read(PAPER[k])]
        return sorted(keys, key=self.id, reverse=True)

    def hidden(self, name: str) -> list[str]:
        return [k for k in self.docs if k not in self.visible(name)]

    def listing(self, name: str) -> list[dict[str, Any]]:
        """Exactly what ``name``'s listing must hold."""
        return [self.docs[k] for k in self.visible(name)]

    def canaries(self, name: str) -> list[str]:
        """Strings of the papers hidden from ``name`` that must never reach them."""
        out: list[str] = []
        for key in self.hidden(name):
            out += [PAPER[key].title, PAPER[key].codeword, *signatures()[key]]
        return out

    def ghost(self, doc_id: int) -> int:
        """A document id that does not exist, with as many digits as ``doc_id``."""
        with self.security.session() as session:
            taken = set(session.scalars(select(Document.id)))
        digits = len(str(doc_id))
        for candidate in range(10**digits - 1, 10 ** (digits - 1) - 1, -1):
            if candidate not in taken:
                return candidate
        raise AssertionError(f"no free {digits}-digit document id")

    def head(self) -> int:
        """The audit log's last sequence number (0 when empty)."""
        with self.security.session() as session:
            return int(session.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0)

    def audit_since(self, seq: int) -> list[dict[str, Any]]:
        """Audit entries appended after ``seq``."""
        with self.security.session() as session:
            query = select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)
            return [event.as_dict() for event in session.scalars(query)]

    def close(self) -> None:
        self.security.app.dispose()


def build_world(
    url: str,
    home: Path,
    *,
    passwords: bool = False,
    people: tuple[str, ...] | None = None,
    papers: tuple[str, ...] | None = None,
    **settings: Any,
) -> World:
    """File the papers and create the people (all, or the named ones: ada and otto always, who
    file them), through the services as an operator would. With ``passwords`` every person gets
    ``PASSWORD`` and a bearer token (signed in before any account is disabled)."""
    config = settings_for(url, home, **settings)
    security = Security(config, open_app_store(url))
    # Hashing cost is not under test here (tests/security/test_sign_in.py uses the real one).
    security.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    world = World(url, config, security, Council(security))
    wanted = set(people or PERSON) | {"ada", "otto"}
    chosen = [p for p in (*PEOPLE, *FRESH.values()) if p.name in wanted]
    today = datetime.now(UTC).date()
    for person in chosen:
        security.add_user(OPERATOR, person.name, person.role, PASSWORD if passwords else None)
    ada = world.actor("ada")
    windows: dict[str, tuple[date | None, date]] = {
        "valid": (None, today + timedelta(days=365)),
        "revoked": (None, today + timedelta(days=365)),
        "expired": (today - timedelta(days=30), today - timedelta(days=1)),
        "future": (today + timedelta(days=1), today + timedelta(days=365)),
    }
    for person in chosen:
        if person.level is not None:
            start, until = windows[person.window]
            security.grant_clearance(ada, person.name, person.level, until, start)
    world.council.create_workspace(ada, "council-a", "Council A (synthetic)")
    otto = world.actor("otto")
    world.council.create_workspace(otto, "council-b", "Council B (synthetic)")
    for person in chosen:
        for workspace in person.workspaces:
            if person.name not in ("ada", "otto"):
                by = ada if workspace == "council-a" else otto
                world.council.add_member(by, workspace, person.name)
    for paper in PAPERS:
        if papers is not None and paper.key not in papers:
            continue
        data = paper.path.read_bytes()
        by = ada if paper.workspace == "council-a" else otto
        if paper.note:
            meta = world.council.put_note(
                by, paper.workspace, title=paper.title, level=paper.level, text=data.decode()
            )
        else:
            meta = world.council.put(
                by, paper.workspace, data, paper.path.name, title=paper.title, level=paper.level
            )
        world.docs[paper.key], world.data[paper.key] = meta, data
    for person in chosen:
        if person.window == "revoked":
            security.revoke_clearance(ada, person.name, "left the project (synthetic)")
        if passwords:
            world.tokens[person.name] = security.sign_in(person.name, PASSWORD)[0]
        if person.disabled:
            security.disable_user(OPERATOR, person.name)
    return world
