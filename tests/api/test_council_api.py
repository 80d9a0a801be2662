"""Council over HTTP, red-teamed on SQLite and PostgreSQL.

Every route of ``econsec/api/routers/council.py`` (listed from the app, so a new route without a
case here fails) is tried by every reader of the shared world (tests/security/world.py) in each
way access must fail: not a member, another workspace, level too low, clearance expired, not yet
valid, revoked, read-only role, and admin without bypass. A hidden document must answer exactly
as one that does not exist (status, headers and body, after swapping the id); listings, totals,
pages and searches must hold exactly what the policy allows; no title, code word or search word
of a hidden paper may reach the reader in any body or header; every refusal is audited, and no
audit entry holds such a string. Signed out, bad, signed-out, expired and disabled tokens get a
401 on every route. Writes (filing, versions, notes, downgrade, lockout, revocation) run in small
fresh worlds.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from econsec.api import create_app
from econsec.api.routers import council as council_routes
from econsec.council.extract import extract_text
from econsec.council.models import Document, Member, Workspace
from econsec.council.search import snippet, terms
from econsec.security.models import Clearance, Token, User
from econsec.security.policy import RIGHTS
from econsec.settings import Settings
from tests.security.world import (
    BACKENDS,
    EVERY_TITLE,
    GHOST_WORKSPACE,
    LEVELS,
    OPERATOR,
    PAPER,
    PAPERS,
    PASSWORD,
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

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
COOKIE = "econsec_session"
WORKSPACES = ("council-a", "council-b")
PROBE = b"Red team probe: a plain text version with nothing classified in it.\n"
Call = tuple[str, dict[str, Any]]  # url, keyword arguments of the request
LOGIN = ("POST", "/auth/login")


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute under ``routes``, into included routers (FastAPI keeps those whole)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


def _council_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route the Council router adds to ``app``; checked against the
    app's OpenAPI document (every operation tagged ``council``)."""
    found = sorted(
        (method, route.path)
        for route in _api_routes(app.routes)
        if route.endpoint.__module__ == council_routes.__name__
        for method in route.methods
    )
    tagged = sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if "council" in operation.get("tags", ())
    )
    assert found == tagged, (found, tagged)
    assert LOGIN in found and len(found) > 1, found
    return found


#: Listed from the app itself (building it opens nothing; the lifespan does).
ROUTES = _council_routes(
    create_app(Settings(home=Path("/nonexistent/econsec-routes")), warm_screener=False)
)


def route_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


@cache
def all_canaries() -> tuple[str, ...]:
    """Titles, code words and search words of every paper."""
    out: list[str] = []
    for paper in PAPERS:
        out += [paper.title, paper.codeword, *signatures()[paper.key]]
    return tuple(out)


def leaks(texts: list[str], canaries: tuple[str, ...] | list[str]) -> list[str]:
    haystack = folded("\n".join(texts))
    return [c for c in canaries if folded(c) in haystack]


def response_leaks(response: httpx.Response, canaries: tuple[str, ...] | list[str]) -> list[str]:
    """Canaries found in the body (raw and, for JSON, decoded) or in a header."""
    texts = [response.text, *(f"{k}: {v}" for k, v in response.headers.multi_items())]
    if response.headers.get("content-type", "").startswith("application/json"):
        texts.append(json.dumps(response.json(), ensure_ascii=False))
    return leaks(texts, canaries)


def same(
    got: httpx.Response, baseline: httpx.Response, swap: tuple[str, str] | None = None
) -> None:
    """Byte-identical status, headers and body (after swapping ``swap[0]`` for ``swap[1]``)."""
    body = got.content.replace(*(part.encode() for part in swap)) if swap else got.content
    assert (got.status_code, body) == (baseline.status_code, baseline.content)
    assert sorted(got.headers.multi_items()) == sorted(baseline.headers.multi_items())


def may(name: str, right: str) -> bool:
    return right in RIGHTS[PERSON[name].role]


def reaches(name: str, workspace: str) -> bool:
    """Whether ``name`` gets past the workspace check (member; admins: any workspace)."""
    return PERSON[name].role == "admin" or workspace in PERSON[name].workspaces


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the app over a world ------------------------------------------------------------------------


class Probe:
    """A world and a client of the app on the same database."""

    def __init__(self, world: World, client: TestClient) -> None:
        self.world = world
        self.client = client
        self._canaries: dict[str, list[str]] = {}
        self._ghosts: dict[int, int] = {}
        self._baselines: dict[tuple[str, str, str, str], httpx.Response] = {}

    def canaries(self, name: str) -> list[str]:
        if name not in self._canaries:
            self._canaries[name] = self.world.canaries(name)
        return self._canaries[name]

    def ghost(self, doc_id: int) -> int:
        if doc_id not in self._ghosts:
            self._ghosts[doc_id] = self.world.ghost(doc_id)
        return self._ghosts[doc_id]

    def send(
        self, method: str, url: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A request with exactly ``headers`` (the client keeps no cookies between requests)."""
        self.client.cookies.clear()
        try:
            return self.client.request(method, url, headers=headers or {}, **kwargs)
        finally:
            self.client.cookies.clear()

    def call(self, name: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request as ``name`` (bearer token); fails if a string hidden from them is in it."""
        response = self.send(method, url, bearer(self.world.tokens[name]), **kwargs)
        found = response_leaks(response, self.canaries(name))
        assert not found, (name, method, url, response.status_code, found)
        return response

    def baseline(self, name: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """:meth:`call`, remembered: the answers refusals are compared with (a fresh user's,
        or one for what does not exist) do not change while the shared world does not."""
        key = (name, method, url, json.dumps(kwargs, default=repr, sort_keys=True))
        if key not in self._baselines:
            self._baselines[key] = self.call(name, method, url, **kwargs)
        return self._baselines[key]

    def denied(self, head: int, name: str, action: str, target: str | None = None) -> None:
        """A refusal of ``action`` to ``name`` was audited after ``head``, and no entry since
        holds a title, code word or search word of any paper."""
        entries = self.world.audit_since(head)
        mine = [
            e
            for e in entries
            if e["actor"] == name and e["action"] == action and e["outcome"] == "denied"
        ]
        assert mine, (name, action, entries)
        if target is not None:
            assert any(e["target"] == target for e in mine), (target, mine)
        assert not leaks([json.dumps(entries, ensure_ascii=False)], all_canaries())

    def snapshot(self) -> dict[str, Any]:
        """What a refused request must not change: documents, members, users, clearances."""
        with self.world.security.session() as session:
            return {
                "documents": session.execute(
                    select(Document.id, Document.level, Document.version, Document.title).order_by(
                        Document.id
                    )
                ).all(),
                "workspaces": session.execute(select(Workspace.name).order_by(Workspace.name))
                .scalars()
                .all(),
                "members": session.execute(
                    select(Member.workspace_id, Member.user_id).order_by(
                        Member.workspace_id, Member.user_id
                    )
                ).all(),
                "users": session.execute(
                    select(User.name, User.role, User.disabled).order_by(User.name)
                ).all(),
                "clearances": session.execute(
                    select(Clearance.id, Clearance.revoked_at).order_by(Clearance.id)
                ).all(),
            }


@contextmanager
def served(world: World) -> Iterator[TestClient]:
    """The app on ``world``'s database, hashing passwords as cheaply as the world does."""
    app = create_app(world.settings, warm_screener=False)
    with TestClient(app) as client:
        app.state.security.hasher = FAST
        yield client


@contextmanager
def small_world(kind: str, folder: Path, **options: Any) -> Iterator[Probe]:
    """A fresh world (for tests that change it) and a client."""
    with backend(kind, folder) as url:
        world = build_world(url, folder / "home", passwords=True, **options)
        try:
            with served(world) as client:
                yield Probe(world, client)
        finally:
            world.close()


@pytest.fixture(scope="module", params=BACKENDS)
def probe(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Probe]:
    """The whole world on one backend, shared by the tests that only get refused."""
    folder = tmp_path_factory.mktemp(f"council-api-{request.param}")
    with small_world(request.param, folder) as shared:
        yield shared


@pytest.fixture(params=BACKENDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- what a reader may see -----------------------------------------------------------------------


@cache
def _text(key: str) -> str:
    paper = PAPER[key]
    data = paper.path.read_bytes()
    if paper.note:
        return extract_text(data, "note.md", "text/markdown").text
    return extract_text(data, paper.path.name).text


@cache
def _terms(key: str) -> frozenset[str]:
    return frozenset(terms(f"{PAPER[key].title}\n{_text(key)}"))


def found(world: World, name: str, query: str) -> list[dict[str, Any]]:
    """Exactly what ``name``'s search for ``query`` must return (default limit 20)."""
    words = terms(query)
    return [
        {**world.docs[k], "snippet": snippet(f"{PAPER[k].title}\n{_text(k)}", query)}
        for k in world.visible(name)
        if words <= _terms(k)
    ][:20]


def mixed_words(world: World, name: str) -> list[str]:
    """Words (6+ letters) in at least one paper ``name`` sees and one hidden from them."""
    visible, hidden = world.visible(name), world.hidden(name)
    shared = set().union(*(_terms(k) for k in visible)) if visible else set()
    out = sorted(
        w
        for w in shared & set().union(*(_terms(k) for k in hidden))
        if len(w) >= 6 and w.isascii() and w.isalpha()
    )
    return out[:: max(1, len(out) // 4)][:4]


# -- the red team, one case per route ------------------------------------------------------------


def red_login(p: Probe, name: str) -> None:
    """Wrong password, unknown user and disabled account look alike; the right password works."""
    head = p.world.head()
    login = "/auth/login"
    unknown = p.send("POST", login, json={"name": f"{name}-nobody", "password": PASSWORD})
    wrong = p.send("POST", login, json={"name": name, "password": PASSWORD + "!"})
    disabled = p.send("POST", login, json={"name": "dora", "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json()["error"] == "Unauthenticated"
    for response in (unknown, wrong, disabled):
        same(response, unknown)
        assert "set-cookie" not in response.headers
        assert not response_leaks(response, all_canaries())
    p.denied(head, f"{name}-nobody", "sign_in")
    p.denied(head, name, "sign_in")
    p.denied(head, "dora", "sign_in")
    right = p.send("POST", login, json={"name": name, "password": PASSWORD})
    assert right.status_code == 200, right.text
    actor = p.world.security.resolve(right.json()["token"])
    assert actor is not None and actor.name == name
    assert not response_leaks(right, p.canaries(name))


def red_logout(p: Probe, name: str) -> None:
    """Signing out revokes that token on the server, and only that one."""
    token = p.world.security.sign_in(name, PASSWORD)[0]
    head = p.world.head()
    response = p.send("POST", "/auth/logout", bearer(token))
    assert response.status_code == 200 and response.json() == {
        "status": "signed out",
        "user": name,
    }
    assert any(
        c.startswith(f"{COOKIE}=") and "max-age=0" in c.lower()
        for c in response.headers.get_list("set-cookie")
    )
    assert p.world.security.resolve(token) is None
    assert p.send("GET", "/auth/me", bearer(token)).status_code == 401
    assert p.call(name, "GET", "/auth/me").status_code == 200
    entries = p.world.audit_since(head)
    assert [(e["actor"], e["action"], e["outcome"]) for e in entries] == [(name, "sign_out", "ok")]


def red_me(p: Probe, name: str) -> None:
    role = PERSON[name].role
    response = p.call(name, "GET", "/auth/me")
    assert response.json() == {"name": name, "role": role, "rights": sorted(RIGHTS[role])}


def _refused_like_fresh(
    p: Probe, name: str, right: str, action: str, method: str, calls: list[Call]
) -> None:
    """Without ``right``: 403, identical to a fresh user of the role and for every target
    (existing or not), audited."""
    assert not may(name, right)
    answers = []
    for url, kwargs in calls:
        head = p.world.head()
        got = p.call(name, method, url, **kwargs)
        p.denied(head, name, action)
        assert got.status_code == 403 and got.json()["error"] == "AccessDenied", got.text
        same(got, p.baseline(fresh(name), method, url, **kwargs))
        answers.append(got)
    for answer in answers:
        same(answer, answers[0])


def red_users(p: Probe, name: str) -> None:
    if not may(name, "manage_users"):
        _refused_like_fresh(p, name, "manage_users", "user.list", "GET", [("/users", {})])
        return
    listing = p.call(name, "GET", "/users").json()
    assert {u["name"] for u in listing} == set(PERSON)
    text = json.dumps(listing)
    assert "argon2" not in text and "password" not in text


def red_add_user(p: Probe, name: str) -> None:
    body = {"name": f"made-by-{name}", "role": "admin", "password": PASSWORD}
    if not may(name, "manage_users"):
        calls = [("/users", {"json": body}), ("/users", {"json": {**body, "name": "rita"}})]
        _refused_like_fresh(p, name, "manage_users", "add_user", "POST", calls)
        return
    conflict = p.call(name, "POST", "/users", json={**body, "name": "rita"})
    assert conflict.status_code == 409, conflict.text


def red_disable(p: Probe, name: str) -> None:
    if not may(name, "manage_users"):
        calls = [("/users/rita/disable", {}), ("/users/nobody-at-all/disable", {})]
        _refused_like_fresh(p, name, "manage_users", "user.disable", "POST", calls)
        assert p.call("rita", "GET", "/auth/me").status_code == 200
        return
    assert p.call(name, "POST", "/users/nobody-at-all/disable").status_code == 404


def _grant(level: str = "top_secret") -> dict[str, Any]:
    return {"level": level, "until": (date.today() + timedelta(days=30)).isoformat()}


def red_grant(p: Probe, name: str) -> None:
    if not may(name, "grant_clearance"):
        calls = [
            (f"/users/{target}/clearances", {"json": _grant()})
            for target in (name, "nils", "nobody-at-all")
        ]
        _refused_like_fresh(p, name, "grant_clearance", "clearance.grant", "POST", calls)
        return
    missing = p.call(name, "POST", "/users/nobody-at-all/clearances", json=_grant())
    assert missing.status_code == 404, missing.text
    if PERSON[name].role == "admin":
        return
    # An official lifts neither themselves nor anyone above their own valid clearance.
    own = PERSON[name].level
    assert own is not None
    lifts = [(name, level) for level in LEVELS]
    lifts += [("nils", level) for level in LEVELS[LEVELS.index(own) + 1 :]]
    for target, level in lifts:
        head = p.world.head()
        got = p.call(name, "POST", f"/users/{target}/clearances", json=_grant(level))
        assert got.status_code == 403 and got.json()["error"] == "AccessDenied", got.text
        p.denied(head, name, "clearance.grant", target=target)


def red_revoke(p: Probe, name: str) -> None:
    body = {"json": {"reason": "red team"}}
    if not may(name, "grant_clearance"):
        calls = [(f"/users/{t}/clearances/revoke", body) for t in ("otto", "nobody-at-all")]
        _refused_like_fresh(p, name, "grant_clearance", "clearance.revoke", "POST", calls)
        return
    missing = p.call(name, "POST", "/users/nobody-at-all/clearances/revoke", **body)
    assert missing.status_code == 404, missing.text


def red_audit_verify(p: Probe, name: str) -> None:
    if not may(name, "audit"):
        _refused_like_fresh(p, name, "audit", "audit.read", "GET", [("/audit/verify", {})])
        return
    state = p.call(name, "GET", "/audit/verify").json()
    assert state["ok"] is True and state["broken_seq"] is None, state


def red_audit_export(p: Probe, name: str) -> None:
    calls = [("/audit/export", {}), ("/audit/export", {"params": {"format": "csv"}})]
    if not may(name, "audit"):
        _refused_like_fresh(p, name, "audit", "audit.read", "GET", calls)
        return
    for url, kwargs in calls:
        response = p.call(name, "GET", url, **kwargs)
        assert response.status_code == 200 and response.text.strip()
        # No audit entry, refusal or not, holds a paper's title, code word or search word.
        assert not response_leaks(response, all_canaries())


def red_workspaces(p: Probe, name: str) -> None:
    got = p.call(name, "GET", "/council/workspaces").json()
    person = PERSON[name]
    expected = list(WORKSPACES) if person.role == "admin" else sorted(person.workspaces)
    assert [w["name"] for w in got] == expected


def red_create_workspace(p: Probe, name: str) -> None:
    if not may(name, "create_workspace"):
        calls = [("/council/workspaces", {"json": {"name": n}}) for n in ("rt-new", "council-b")]
        _refused_like_fresh(p, name, "create_workspace", "workspace.create", "POST", calls)
        return
    # Allowed to create: only the clash with an existing name is tried (nothing is created).
    clash = p.call(name, "POST", "/council/workspaces", json={"name": "council-b"})
    assert clash.status_code == 409, clash.text


def red_add_member(p: Probe, name: str) -> None:
    def member_call(workspace: str, user: str = "nils") -> Call:
        return f"/council/workspaces/{workspace}/members", {"json": {"user": user}}

    if not may(name, "manage_members"):
        calls = [member_call(w) for w in (*WORKSPACES, GHOST_WORKSPACE)]
        _refused_like_fresh(p, name, "manage_members", "workspace.add_member", "POST", calls)
        return
    ghost_url, kwargs = member_call(GHOST_WORKSPACE)
    ghost = p.call(name, "POST", ghost_url, **kwargs)
    assert ghost.status_code == 404, ghost.text
    for workspace in WORKSPACES:
        url, kwargs = member_call(workspace)
        if reaches(name, workspace):
            url, kwargs = member_call(workspace, "nobody-at-all")  # allowed: no real change
            assert p.call(name, "POST", url, **kwargs).status_code == 404
            continue
        head = p.world.head()
        got = p.call(name, "POST", url, **kwargs)
        p.denied(head, name, "workspace.add_member", target=workspace)
        same(got, ghost, (workspace, GHOST_WORKSPACE))


def red_list(p: Probe, name: str) -> None:
    """The listing, every page of it and each workspace's share hold exactly what is visible."""
    expected = p.world.listing(name)
    n = len(expected)
    got = p.call(name, "GET", "/council/documents").json()
    assert got == {"total": n, "items": expected}
    for limit in (1, 4, 1000):
        for offset in sorted({0, 1, max(n - 1, 0), n, n + 1, 500}):
            page = p.call(
                name, "GET", "/council/documents", params={"limit": limit, "offset": offset}
            ).json()
            assert page == {"total": n, "items": expected[offset : offset + limit]}, (limit, offset)
    ghost = p.call(name, "GET", "/council/documents", params={"workspace": GHOST_WORKSPACE})
    assert ghost.status_code == 404
    for workspace in WORKSPACES:
        head = p.world.head()
        got_ws = p.call(name, "GET", "/council/documents", params={"workspace": workspace})
        if reaches(name, workspace):
            share = [d for d in expected if d["workspace"] == workspace]
            assert got_ws.json() == {"total": len(share), "items": share}
        else:
            p.denied(head, name, "document.list", target=workspace)
            same(got_ws, ghost, (workspace, GHOST_WORKSPACE))


def red_search(p: Probe, name: str) -> None:
    """Searches return exactly the visible matches: for words in every title, for words shared
    by seen and hidden papers, and nothing for hidden papers' own words, code words and titles."""
    for limit in (None, 1000):
        params = {"q": EVERY_TITLE} if limit is None else {"q": EVERY_TITLE, "limit": limit}
        got = p.call(name, "GET", "/council/search", params=params).json()
        assert got == found(p.world, name, EVERY_TITLE)
        assert [d["id"] for d in got] == [p.world.id(k) for k in p.world.visible(name)]
    for word in mixed_words(p.world, name):
        got = p.call(name, "GET", "/council/search", params={"q": word}).json()
        assert got == found(p.world, name, word), word
    for key in p.world.hidden(name):
        words = signatures()[key]
        paper = PAPER[key]
        for query in (*words, " ".join(words), paper.codeword, paper.title):
            got = p.call(name, "GET", "/council/search", params={"q": query, "limit": 1000})
            assert got.status_code == 200 and got.json() == [], (key, query, got.text)
    params = {"q": EVERY_TITLE, "workspace": GHOST_WORKSPACE}
    ghost = p.call(name, "GET", "/council/search", params=params)
    assert ghost.status_code == 404
    for workspace in WORKSPACES:
        head = p.world.head()
        got_ws = p.call(
            name, "GET", "/council/search", params={"q": EVERY_TITLE, "workspace": workspace}
        )
        if reaches(name, workspace):
            share = [d for d in found(p.world, name, EVERY_TITLE) if d["workspace"] == workspace]
            assert got_ws.json() == share
        else:
            p.denied(head, name, "document.search", target=workspace)
            same(got_ws, ghost, (workspace, GHOST_WORKSPACE))


def _filing(route: tuple[str, str], workspace: str, level: str) -> Call:
    if route[1] == "/council/notes":
        body = {"workspace": workspace, "level": level, "title": "Red team probe", "text": "x y"}
        return "/council/notes", {"json": body}
    return "/council/documents", {
        "files": {"file": ("probe.txt", PROBE, "text/plain")},
        "data": {"workspace": workspace, "level": level, "title": "Red team probe"},
    }


def _may_file(name: str, workspace: str, level: str) -> bool:
    person = PERSON[name]
    return (
        may(name, "write")
        and reaches(name, workspace)
        and person.window == "valid"
        and person.level is not None
        and LEVELS.index(person.level) >= LEVELS.index(level)
    )


def red_filing(route: tuple[str, str]) -> Callable[[Probe, str], None]:
    """Filing (upload or note) where it is refused: into a workspace the reader is not in (as
    into one that does not exist), above their valid clearance, or without the write right."""

    def run(p: Probe, name: str) -> None:
        method = route[0]
        ghosts = {}
        for level in LEVELS:
            url, kwargs = _filing(route, GHOST_WORKSPACE, level)
            ghosts[level] = p.baseline(name, method, url, **kwargs)
            assert ghosts[level].status_code == (404 if may(name, "write") else 403)
        for workspace in WORKSPACES:
            for level in LEVELS:
                if _may_file(name, workspace, level):
                    continue
                url, kwargs = _filing(route, workspace, level)
                head = p.world.head()
                got = p.call(name, method, url, **kwargs)
                p.denied(head, name, "document.create")
                if not may(name, "write") or not reaches(name, workspace):
                    same(got, ghosts[level], (workspace, GHOST_WORKSPACE))
                    # A fresh user of the role (a member of nothing) gets the same answer.
                    same(got, p.baseline(fresh(name), method, url, **kwargs))
                else:
                    assert got.status_code == 403, got.text
                    assert "above your own valid clearance" in got.json()["message"]

    return run


def _document_calls(route: tuple[str, str], doc_id: int) -> list[Call]:
    base = f"/council/documents/{doc_id}"
    return {
        "/council/documents/{document_id}": [(base, {})],
        "/council/documents/{document_id}/content": [
            (f"{base}/content", {}),
            (f"{base}/content", {"params": {"version": 1}}),
        ],
        "/council/documents/{document_id}/versions": [
            (f"{base}/versions", {"files": {"file": ("probe.txt", PROBE, "text/plain")}})
        ],
        "/council/documents/{document_id}/downgrade": [
            (f"{base}/downgrade", {"json": {"level": "public", "reason": "red team"}})
        ],
    }[route[1]]


def red_document(
    route: tuple[str, str], action: str, right: str | None
) -> Callable[[Probe, str], None]:
    """A hidden document answers byte for byte as a document that does not exist (and as it
    does to a fresh user of the role), and the refusal is audited."""

    def run(p: Probe, name: str) -> None:
        hidden = p.world.hidden(name)
        assert hidden, name
        status = 404 if right is None or may(name, right) else 403
        for key in hidden:
            doc_id = p.world.id(key)
            ghost = p.ghost(doc_id)
            for (url, kwargs), (ghost_url, ghost_kwargs) in zip(
                _document_calls(route, doc_id), _document_calls(route, ghost), strict=True
            ):
                head = p.world.head()
                got = p.call(name, route[0], url, **kwargs)
                assert got.status_code == status, (key, got.text)
                p.denied(head, name, action, f"document:{doc_id}" if status == 404 else None)
                same(
                    got,
                    p.baseline(name, route[0], ghost_url, **ghost_kwargs),
                    (str(doc_id), str(ghost)),
                )
                same(got, p.baseline(fresh(name), route[0], url, **kwargs))

    return run


@dataclass(frozen=True)
class Case:
    """A well-formed request on the route (for the signed-out tests) and its red team."""

    sample: Callable[[World], Call]
    red_team: Callable[[Probe, str], None]


def _doc(key: str, suffix: str = "", **kwargs: Any) -> Callable[[World], Call]:
    return lambda w: (f"/council/documents/{w.id(key)}{suffix}", kwargs)


def _fixed(url: str, **kwargs: Any) -> Callable[[World], Call]:
    return lambda _w: (url, kwargs)


_UPLOAD = ("POST", "/council/documents")
_NOTE = ("POST", "/council/notes")
CASES: dict[tuple[str, str], Case] = {
    LOGIN: Case(_fixed("/auth/login", json={"name": "rita", "password": PASSWORD}), red_login),
    ("POST", "/auth/logout"): Case(_fixed("/auth/logout"), red_logout),
    ("GET", "/auth/me"): Case(_fixed("/auth/me"), red_me),
    ("GET", "/users"): Case(_fixed("/users"), red_users),
    ("POST", "/users"): Case(
        _fixed("/users", json={"name": "intruder", "role": "admin", "password": PASSWORD}),
        red_add_user,
    ),
    ("POST", "/users/{name}/disable"): Case(_fixed("/users/rita/disable"), red_disable),
    ("POST", "/users/{name}/clearances"): Case(
        _fixed("/users/nils/clearances", json=_grant()), red_grant
    ),
    ("POST", "/users/{name}/clearances/revoke"): Case(
        _fixed("/users/otto/clearances/revoke", json={"reason": "x"}), red_revoke
    ),
    ("GET", "/council/workspaces"): Case(_fixed("/council/workspaces"), red_workspaces),
    ("POST", "/council/workspaces"): Case(
        _fixed("/council/workspaces", json={"name": "council-x"}), red_create_workspace
    ),
    ("POST", "/council/workspaces/{name}/members"): Case(
        _fixed("/council/workspaces/council-a/members", json={"user": "nils"}), red_add_member
    ),
    ("GET", "/council/documents"): Case(_fixed("/council/documents"), red_list),
    _UPLOAD: Case(lambda _w: _filing(_UPLOAD, "council-a", "public"), red_filing(_UPLOAD)),
    _NOTE: Case(lambda _w: _filing(_NOTE, "council-a", "public"), red_filing(_NOTE)),
    ("GET", "/council/documents/{document_id}"): Case(
        _doc("A5"), red_document(("GET", "/council/documents/{document_id}"), "document.read", None)
    ),
    ("GET", "/council/documents/{document_id}/content"): Case(
        _doc("A5", "/content"),
        red_document(
            ("GET", "/council/documents/{document_id}/content"), "document.download", None
        ),
    ),
    ("POST", "/council/documents/{document_id}/versions"): Case(
        _doc("A5", "/versions", files={"file": ("probe.txt", PROBE, "text/plain")}),
        red_document(
            ("POST", "/council/documents/{document_id}/versions"), "document.version", "write"
        ),
    ),
    ("POST", "/council/documents/{document_id}/downgrade"): Case(
        _doc("A5", "/downgrade", json={"level": "public", "reason": "x"}),
        red_document(
            ("POST", "/council/documents/{document_id}/downgrade"),
            "document.downgrade",
            "downgrade",
        ),
    ),
    ("GET", "/council/search"): Case(
        lambda _w: ("/council/search", {"params": {"q": signatures()["A5"][0]}}), red_search
    ),
    ("GET", "/audit/verify"): Case(_fixed("/audit/verify"), red_audit_verify),
    ("GET", "/audit/export"): Case(_fixed("/audit/export"), red_audit_export),
}


def test_every_route_has_a_red_team_case(probe: Probe) -> None:
    live = _council_routes(probe.client.app)
    assert live == ROUTES
    missing = sorted(set(live) - set(CASES))
    assert not missing, f"routes without a red-team case: {missing}"
    assert not set(CASES) - set(live), "cases for routes that no longer exist"


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_red_team(probe: Probe, route: tuple[str, str], reader: str) -> None:
    case = CASES.get(route)
    assert case is not None, f"no red-team case for {route_id(route)}: add one to CASES"
    before = probe.snapshot()
    case.red_team(probe, reader)
    assert probe.snapshot() == before, "a refused or read-only request changed the world"


# -- signed out ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dead(probe: Probe) -> dict[str, dict[str, str]]:
    """Request headers that must not sign anyone in."""
    world = probe.world
    signed_out = world.security.sign_in("rita", PASSWORD)[0]
    response = probe.send("POST", "/auth/logout", bearer(signed_out))
    assert response.status_code == 200
    hours = world.settings.token_hours + 1
    with clock(datetime.now(UTC) - timedelta(hours=hours), "security.service"):
        expired = world.security.sign_in("rita", PASSWORD)[0]
    disabled = world.tokens["dora"]  # revoked when the account was disabled
    # A token of dora's that outlived the disabling (as if issued in a race): the account
    # itself must be checked, not only the token.
    survivor = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with world.security.session() as session:
        dora = session.scalars(select(User).where(User.name == "dora")).one()
        digest = world.security.keys.token_digest(survivor)
        session.add(
            Token(
                user_id=dora.id, digest=digest, created_at=now, expires_at=now + timedelta(hours=2)
            )
        )
        session.commit()
    return {
        "no token": {},
        "empty bearer": {"Authorization": "Bearer "},
        "unknown token": bearer(secrets.token_urlsafe(32)),
        "unknown cookie": {"Cookie": f"{COOKIE}={secrets.token_urlsafe(32)}"},
        "signed-out token": bearer(signed_out),
        "signed-out cookie": {"Cookie": f"{COOKIE}={signed_out}"},
        "expired token": bearer(expired),
        "disabled user's token": bearer(disabled),
        "disabled user's cookie": {"Cookie": f"{COOKIE}={disabled}"},
        "disabled user's live token": bearer(survivor),
        "disabled user's live cookie": {"Cookie": f"{COOKIE}={survivor}"},
        "not a bearer scheme": {"Authorization": f"Basic {world.tokens['rita']}"},
    }


@pytest.mark.parametrize("route", [r for r in ROUTES if r != LOGIN], ids=route_id)
def test_signed_out(probe: Probe, dead: dict[str, dict[str, str]], route: tuple[str, str]) -> None:
    """Every route but sign-in answers 401, the same way for every bad credential, with no data
    and no effect."""
    case = CASES.get(route)
    assert case is not None, f"no red-team case for {route_id(route)}"
    url, kwargs = case.sample(probe.world)
    head, before = probe.world.head(), probe.snapshot()
    answers = {}
    for label, headers in dead.items():
        response = probe.send(route[0], url, headers, **kwargs)
        assert response.status_code == 401, (label, response.text)
        assert response.json()["error"] == "Unauthenticated"
        assert "set-cookie" not in response.headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert not response_leaks(response, all_canaries())
        answers[label] = response.text
    assert len(set(answers.values())) == 1, answers
    assert [e for e in probe.world.audit_since(head) if e["outcome"] == "ok"] == []
    assert probe.snapshot() == before
    # Signed in (as a user with no rights and no access: nothing changes), it gets past sign-in.
    token = probe.world.security.sign_in("fresh-observer", PASSWORD)[0]
    assert probe.send(route[0], url, bearer(token), **kwargs).status_code != 401


# -- sessions ------------------------------------------------------------------------------------


def test_login_cookie_and_logout(probe: Probe) -> None:
    """The session cookie is HttpOnly, Secure, SameSite=Strict on /; it signs in like the bearer
    token; signing out with it revokes the token on the server."""
    login = probe.send("POST", "/auth/login", json={"name": "rita", "password": PASSWORD})
    assert login.status_code == 200
    body = login.json()
    assert body["token_type"] == "bearer" and body["token"]
    cookies = login.headers.get_list("set-cookie")
    assert len(cookies) == 1
    value, *attributes = [part.strip() for part in cookies[0].split(";")]
    assert value == f"{COOKIE}={body['token']}"
    flags = {
        a.split("=", 1)[0].lower(): a.split("=", 1)[1] if "=" in a else True for a in attributes
    }
    assert flags["httponly"] is True and flags["secure"] is True
    assert flags["samesite"].lower() == "strict" and flags["path"] == "/"
    assert "expires" in flags
    cookie = {"Cookie": f"{COOKIE}={body['token']}"}
    me = probe.send("GET", "/auth/me", cookie)
    assert me.status_code == 200 and me.json()["name"] == "rita"
    # Answers about people and documents are never cached, and never sniffed.
    for answer in (login, me, probe.send("GET", "/council/documents", cookie)):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
    # The cookie is no way around the policy either.
    a5 = probe.world.id("A5")
    same(
        probe.send("GET", f"/council/documents/{a5}", cookie),
        probe.call("rita", "GET", f"/council/documents/{a5}"),
    )
    a4 = probe.send("GET", f"/council/documents/{probe.world.id('A4')}/content", cookie)
    assert a4.status_code == 200 and a4.content == probe.world.data["A4"]
    assert a4.headers["cache-control"] == "no-store"
    out = probe.send("POST", "/auth/logout", cookie)
    assert out.status_code == 200
    (cleared,) = out.headers.get_list("set-cookie")
    assert "max-age=0" in cleared.lower()
    for attribute in ("httponly", "secure", "samesite=strict", "path=/"):
        assert attribute in cleared.lower().replace("; ", ";").split(";"), attribute
    assert probe.send("GET", "/auth/me", cookie).status_code == 401
    assert probe.send("GET", "/auth/me", bearer(body["token"])).status_code == 401
    with probe.world.security.session() as session:
        digest = probe.world.security.keys.token_digest(body["token"])
        stored = session.scalars(select(Token).where(Token.digest == digest)).one()
        assert stored.revoked_at is not None


def test_admin_has_no_bypass(probe: Probe) -> None:
    """ada administers everything but reads only what her membership and clearance allow."""
    b1 = probe.world.id("B1")
    ghost = probe.ghost(b1)
    for suffix in ("", "/content"):
        same(
            probe.call("ada", "GET", f"/council/documents/{b1}{suffix}"),
            probe.call("ada", "GET", f"/council/documents/{ghost}{suffix}"),
            (str(b1), str(ghost)),
        )
    share = probe.call("ada", "GET", "/council/documents", params={"workspace": "council-b"})
    assert share.json() == {"total": 0, "items": []}
    for word in (*signatures()["B1"], "Peregrine"):
        assert probe.call("ada", "GET", "/council/search", params={"q": word}).json() == []
    # otto, a member of council-b, does read it.
    read = probe.call("otto", "GET", f"/council/documents/{b1}/content")
    assert read.status_code == 200 and read.content == probe.world.data["B1"]


# -- writes, in fresh worlds ---------------------------------------------------------------------


def test_lockout(kind: str, tmp_path: Path) -> None:
    """After login_max_failures wrong passwords the right one fails too, with the same answer;
    each attempt is audited; the lockout ends after login_lockout_minutes."""
    with small_world(
        kind, tmp_path, people=("rita",), papers=(), login_max_failures=3, login_lockout_minutes=15
    ) as p:
        p.world.security.add_user(OPERATOR, "nopass", "analyst")  # no password: cannot sign in
        login = "/auth/login"
        head = p.world.head()
        unknown = p.send("POST", login, json={"name": "nobody", "password": PASSWORD})
        assert unknown.status_code == 401
        same(p.send("POST", login, json={"name": "nopass", "password": PASSWORD}), unknown)
        for _ in range(3):
            same(
                p.send("POST", login, json={"name": "rita", "password": "wrong-password"}), unknown
            )
        right = p.send("POST", login, json={"name": "rita", "password": PASSWORD})
        same(right, unknown)
        reasons = [
            e["detail"]["reason"]
            for e in p.world.audit_since(head)
            if e["actor"] == "rita" and e["action"] == "sign_in"
        ]
        assert reasons == ["wrong password"] * 2 + ["wrong password; account locked", "locked"]
        later = datetime.now(UTC) + timedelta(minutes=16)
        with clock(later, "security.service"):
            again = p.send("POST", login, json={"name": "rita", "password": PASSWORD})
        assert again.status_code == 200, again.text


def test_filing_versions_notes_downgrade(kind: str, tmp_path: Path) -> None:
    """Upload round-trips; filing above one's clearance is refused; a new version replaces the
    searchable text; a downgrade with a reason is audited and then visible to a lower-cleared
    member; disabling and revoking take effect at once."""
    with small_world(kind, tmp_path, people=("rita", "lena", "olly"), papers=("A1",)) as p:
        world = p.world
        original = PAPER["A3"].path.read_bytes()  # a real text, filed here as a new paper
        title = "Council paper X1 (Condor)"
        head = world.head()
        files = {"file": ("provenance.md", original, "text/markdown")}
        above = p.call(
            "rita",
            "POST",
            "/council/documents",
            files=files,
            data={"workspace": "council-a", "level": "top_secret", "title": title},
        )
        assert above.status_code == 403, above.text
        p.denied(head, "rita", "document.create")
        assert "condor" not in json.dumps(world.audit_since(head)).lower()
        for who in ("olly", "lena"):  # observer; official cleared to internal only
            refused = p.call(
                who,
                "POST",
                "/council/documents",
                files=files,
                data={"workspace": "council-a", "level": "secret", "title": title},
            )
            assert refused.status_code == 403, refused.text
        assert p.call("ada", "GET", "/council/documents").json()["total"] == 1

        filed = p.call(
            "rita",
            "POST",
            "/council/documents",
            files=files,
            data={"workspace": "council-a", "level": "secret", "title": title},
        )
        assert filed.status_code == 201, filed.text
        meta = filed.json()
        doc = meta["id"]
        assert (meta["workspace"], meta["level"], meta["title"], meta["version"]) == (
            "council-a",
            "secret",
            title,
            1,
        )
        content = p.call("rita", "GET", f"/council/documents/{doc}/content")
        assert content.status_code == 200 and content.content == original
        assert content.headers["content-disposition"] == 'attachment; filename="provenance.md"'
        assert content.headers["cache-control"] == "no-store"
        ghost = p.ghost(doc)
        for suffix in ("", "/content"):
            same(
                p.call("lena", "GET", f"/council/documents/{doc}{suffix}"),
                p.call("lena", "GET", f"/council/documents/{ghost}{suffix}"),
                (str(doc), str(ghost)),
            )
        v1_word, v2_text = signatures()["A3"][0], PAPER["B1"].path.read_bytes()
        v2_word = signatures()["B1"][0]
        assert [
            d["id"] for d in p.call("rita", "GET", "/council/search", params={"q": v1_word}).json()
        ] == [doc]
        assert p.call("lena", "GET", "/council/search", params={"q": "condor"}).json() == []

        version = p.call(
            "rita",
            "POST",
            f"/council/documents/{doc}/versions",
            files={"file": ("tech.md", v2_text, "text/markdown")},
        )
        assert version.status_code == 201 and version.json()["version"] == 2, version.text
        current = p.call("rita", "GET", f"/council/documents/{doc}/content")
        first = p.call("rita", "GET", f"/council/documents/{doc}/content", params={"version": 1})
        assert (current.content, first.content) == (v2_text, original)
        versions = p.call("rita", "GET", f"/council/documents/{doc}").json()["versions"]
        assert [(v["version"], v["filename"]) for v in versions] == [
            (1, "provenance.md"),
            (2, "tech.md"),
        ]
        assert p.call("rita", "GET", "/council/search", params={"q": v1_word}).json() == []
        hits = p.call("rita", "GET", "/council/search", params={"q": v2_word}).json()
        assert [d["id"] for d in hits] == [doc]

        # Downgrade: the downgrade right, access to the document and a reason are all needed.
        body = {"level": "internal", "reason": "published in the annual report (synthetic)"}
        url = f"/council/documents/{doc}/downgrade"
        assert p.call("rita", "POST", url, json=body).status_code == 403  # analyst
        same(
            p.call("lena", "POST", url, json=body),  # official, cannot see it
            p.call("lena", "POST", f"/council/documents/{ghost}/downgrade", json=body),
            (str(doc), str(ghost)),
        )
        assert p.call("ada", "POST", url, json={**body, "reason": ""}).status_code == 422
        assert p.call("ada", "POST", url, json={**body, "level": "secret"}).status_code == 422
        head = world.head()
        down = p.call("ada", "POST", url, json=body)
        assert down.status_code == 200 and down.json()["level"] == "internal", down.text
        entries = [e for e in world.audit_since(head) if e["action"] == "document.downgrade"]
        assert [(e["actor"], e["outcome"], e["target"], e["level"]) for e in entries] == [
            ("ada", "ok", f"document:{doc}", "internal")
        ]
        assert entries[0]["detail"]["previous_level"] == "secret"
        assert entries[0]["detail"]["reason"] == body["reason"]
        seen = p.call("lena", "GET", f"/council/documents/{doc}/content")
        assert seen.status_code == 200 and seen.content == v2_text
        listing = p.call("lena", "GET", "/council/documents").json()
        assert [d["id"] for d in listing["items"]] == [doc, world.id("A1")]
        assert listing["total"] == 2

        # Notes: at one's own level, and not above it.
        note = {
            "workspace": "council-a",
            "level": "internal",
            "title": "Lena's note",
            "text": "Kiwi.",
        }
        filed_note = p.call("lena", "POST", "/council/notes", json=note)
        assert filed_note.status_code == 201 and filed_note.json()["kind"] == "note"
        read = p.call("rita", "GET", f"/council/documents/{filed_note.json()['id']}/content")
        assert read.content == b"Kiwi." and read.headers["content-type"].startswith("text/markdown")
        head = world.head()
        high = p.call("lena", "POST", "/council/notes", json={**note, "level": "confidential"})
        assert high.status_code == 403
        p.denied(head, "lena", "document.create")

        # Revoking a clearance and disabling an account take effect on the next request.
        revoke = p.call("otto", "POST", "/users/rita/clearances/revoke", json={"reason": "moved"})
        assert revoke.status_code == 200 and revoke.json()["revoked"] == 1
        same(
            p.call("rita", "GET", f"/council/documents/{doc}"),
            p.call("rita", "GET", f"/council/documents/{ghost}"),
            (str(doc), str(ghost)),
        )
        assert p.call("rita", "GET", "/council/documents").json() == {"total": 0, "items": []}
        assert p.call("ada", "POST", "/users/lena/disable").status_code == 200
        assert p.send("GET", "/auth/me", bearer(world.tokens["lena"])).status_code == 401
        relogin = p.send("POST", "/auth/login", json={"name": "lena", "password": PASSWORD})
        assert relogin.status_code == 401
