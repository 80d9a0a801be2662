"""``econsec users``, ``econsec council`` and ``econsec audit`` in-process, red-teamed, on SQLite
and PostgreSQL.

The shared world (tests/security/world.py: two workspaces, six real public texts under SYNTHETIC
titles, a SYNTHETIC user for each way access must fail) is built once per backend and only read
here (refusals append to the audit log, nothing else); tests that change state build a small
world of their own. For every reader and every document hidden from them, every command answers
exactly as it does for a document (or workspace) that does not exist, asked by the fresh user of
the same role: same exit code, same stderr, nothing on stdout, no file written, a denial in the
audit log; and no title, code word or signature word of a hidden paper reaches their stdout or
stderr. Every command under ``users``, ``council`` and ``audit`` (read from the Typer app) has a
red-team case in ``RED_TEAM``: a new command without one fails.

The CLI has no sessions: "signed out" is an ``--as`` name that is no user, and a disabled account.
Commands are written as shell lines (split with :func:`shlex.split`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import shlex
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy import MetaData, select, text
from sqlalchemy.exc import DBAPIError

import econsec.store.app as app_store
from econsec.cli import app, main
from econsec.security import audit
from econsec.settings import get_settings
from tests.conftest import shared_file
from tests.security.world import (
    BACKENDS,
    EVERY_TITLE,
    GHOST_WORKSPACE,
    KEY,
    PAPER,
    PAPERS,
    PERSON,
    READERS,
    World,
    backend,
    build_world,
    clock,
    design_file,
    folded,
    fresh,
    signatures,
)

#: The keys of a document in `council list --format json` (docs/cli.md), and of a user.
DOC_KEYS = frozenset(
    (
        "id",
        "workspace",
        "title",
        "kind",
        "level",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    )
)
USER_KEYS = frozenset(
    (
        "name",
        "role",
        "clearance",
        "disabled",
        "can_sign_in",
        "language",
        "email",
        "locked_until",
        "created_by",
        "created_at",
    )
)
WORKSPACES = ("council-a", "council-b")
NOBODY = "mallory"  # synthetic: no such user
XLSX = "export_control/labelled/advantech_products_us_eccn_hs_54.xlsx"
NOTE = "a note (synthetic)\n"
#: What `council put` prints: "document 7 version 1 in council-a (secret)".
FILED = re.compile(r"^document (\d+) version (\d+) in (\S+) \((\w+)\)$")


# -- the commands, from the Typer app --------------------------------------------------------------


def _leaves(command: Any, path: tuple[str, ...]) -> list[str]:
    """The full names of the commands under ``command`` (a group has ``commands``)."""
    subcommands: dict[str, Any] | None = getattr(command, "commands", None)
    if subcommands is None:
        return [" ".join(path)]
    assert subcommands, path
    return [
        leaf for name, sub in sorted(subcommands.items()) for leaf in _leaves(sub, (*path, name))
    ]


@cache
def _click_app() -> Any:
    """The click command tree of the app (Typer rebuilds it on every call otherwise)."""
    return typer.main.get_command(app)


COMMANDS = [
    leaf
    for group in ("users", "council", "audit")
    for leaf in _leaves(_click_app().commands[group], (group,))
]


# -- running the CLI -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """Exit code, stdout and stderr of one command."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


#: App stores the CLI has opened (and so migrated) once in this session.
_MIGRATED: set[str] = set()


class Cli:
    """Runs ``econsec ...`` in-process (through :func:`econsec.cli.main`) on one world's store."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.stores: list[app_store.AppStore] = []
        real_open, real_command = app_store.open_app_store, typer.main.get_command

        def opened(url: str) -> app_store.AppStore:
            # The real one (which migrates first) once per store; then the store without
            # re-running the migrations on every command. Closed after the command.
            store = app_store.AppStore(url) if url in _MIGRATED else real_open(url)
            _MIGRATED.add(url)
            self.stores.append(store)
            return store

        monkeypatch.setattr(app_store, "open_app_store", opened)
        monkeypatch.setattr(
            typer.main, "get_command", lambda t: _click_app() if t is app else real_command(t)
        )

    def use(self, world: World) -> None:
        """Point the ECONSEC_* settings at ``world``'s app store."""
        env = {
            "ECONSEC_HOME": str(world.settings.home),
            "ECONSEC_DATABASE_URL": world.url,
            "ECONSEC_SECRET_KEY": KEY,
            "ECONSEC_ENV": "test",
            "ECONSEC_DUCKDB_THREADS": "2",
            "COLUMNS": "200",
        }
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    def __call__(self, command: str, stdin: str = "") -> Outcome:
        args = shlex.split(command)
        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = 0
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            while self.stores:
                self.stores.pop().dispose()
        captured = self.capsys.readouterr()
        return Outcome(tuple(args), code, captured.out, captured.err)

    def ok(self, command: str, stdin: str = "") -> Outcome:
        result = self(command, stdin)
        assert result.code == 0, result
        return result

    def json(self, command: str) -> Any:
        return json.loads(self.ok(command).out)  # the whole of stdout is the JSON


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    yield Cli(capsys, monkeypatch)
    get_settings.cache_clear()


@pytest.fixture(scope="module", params=BACKENDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def world(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The whole world, once per backend; tests only read it (and append refusals)."""
    folder = tmp_path_factory.mktemp(f"council-cli-{kind}")
    with backend(kind, folder) as url:
        built = build_world(url, folder)
        yield built
        built.close()


@pytest.fixture(scope="module")
def baselines(world: World) -> dict[tuple[str, str, str], Outcome]:
    """Answers of fresh users for ghosts, by (command, fresh user, ghost), once per world."""
    return {}


class MakeWorld(Protocol):
    def __call__(self, **options: Any) -> World: ...


@pytest.fixture
def make_world(kind: str, tmp_path: Path) -> Iterator[MakeWorld]:
    """A small world of the test's own (for commands that change state)."""
    with ExitStack() as stack:

        def make(**options: Any) -> World:
            folder = tmp_path / "world"
            folder.mkdir()
            url = stack.enter_context(backend(kind, folder))
            built = build_world(url, folder, **options)
            stack.callback(built.close)
            return built

        yield make


# -- what must hold --------------------------------------------------------------------------------


def every_canary() -> list[str]:
    """Title, code word and signature words of every paper."""
    return [s for p in PAPERS for s in (p.title, p.codeword, *signatures()[p.key])]


def assert_no_canary(output: str, canaries: list[str], context: object = None) -> None:
    seen = folded(output)
    leaked = [c for c in canaries if folded(c) in seen]
    assert not leaked, (context, leaked, output[:2000])


_STATE = {
    "users": "SELECT name, role, disabled, password_hash, failed_logins FROM security_users",
    "clearances": "SELECT id, user_id, level, valid_from, valid_until, revoked_at, revoked_by "
    "FROM security_clearances",
    "tokens": "SELECT id, revoked_at FROM security_tokens",
    "workspaces": "SELECT id, name, title FROM council_workspaces",
    "members": "SELECT workspace_id, user_id FROM council_members",
    "documents": "SELECT id, workspace_id, title, level, level_rank, version, updated_at "
    "FROM council_documents",
    "versions": "SELECT document_id, version, sha256, filename FROM council_versions",
    "terms": "SELECT count(*) FROM council_terms",
}


def state(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that matters, but the audit log's (which refusals extend)."""
    with world.security.session() as session:
        return {
            name: sorted(tuple(row) for row in session.execute(text(query)))
            for name, query in _STATE.items()
        }


def denials(world: World, since: int, who: str) -> list[dict[str, Any]]:
    entries = world.audit_since(since)
    return [e for e in entries if e["actor"] == who and e["outcome"] == "denied"]


def masked(text_: str, *values: str) -> str:
    """``text_`` with each value (an id, a name) replaced by one placeholder."""
    for value in values:
        text_ = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "<X>", text_)
    return text_


@dataclass
class RedTeam:
    """Runs refused and blind commands and checks what they give away."""

    cli: Cli
    world: World
    tmp: Path
    baselines: dict[tuple[str, str, str], Outcome] = field(default_factory=dict)

    def canaries(self, who: str | None) -> list[str]:
        return self.world.canaries(who) if who in PERSON else every_canary()

    def refused(
        self, who: str | None, command: str, stdin: str = "", audited: bool = True
    ) -> Outcome:
        """The command fails (exit 1) with one error line and nothing on stdout, leaks nothing
        to ``who``, and (``audited``) leaves a denial by ``who`` in the audit log."""
        head = self.world.head()
        result = self.cli(command, stdin)
        assert result.code == 1, result
        assert result.out == "", result
        assert result.err.startswith("error: ") and result.err.count("\n") == 1, result
        assert_no_canary(result.text, self.canaries(who), result.args)
        if audited:
            assert who is not None
            assert denials(self.world, head, who), (result, self.world.audit_since(head))
        return result

    def blind(self, who: str, command: str) -> Outcome:
        """The command succeeds, says nothing on stderr and leaks nothing to ``who``."""
        result = self.cli.ok(command)
        assert result.err == "", result
        assert_no_canary(result.text, self.canaries(who), result.args)
        return result

    def like_ghost(
        self, who: str, command: str, real: str, ghost: str, stdin: str = NOTE
    ) -> Outcome:
        """``command`` (a template of {who}, {target} and {out}) run by ``who`` on ``real``
        answers exactly as it does run by the fresh user of ``who``'s role on ``ghost``, a
        target that does not exist: same exit code and stderr; nothing on stdout, no file."""
        other = fresh(who)
        key = (command, other, ghost)
        if key not in self.baselines:
            out = self.tmp / "ghost.out"
            args = command.format(who=other, target=ghost, out=out)
            self.baselines[key] = self.refused(other, args, stdin)
            assert not out.exists()
        baseline = self.baselines[key]
        out = self.tmp / f"{who}-{real}.out"
        result = self.refused(who, command.format(who=who, target=real, out=out), stdin)
        assert not out.exists()
        assert result.code == baseline.code
        assert masked(result.err, real, who) == masked(baseline.err, ghost, other), (
            result,
            baseline,
        )
        return result


@pytest.fixture
def red(
    cli: Cli, world: World, tmp_path: Path, baselines: dict[tuple[str, str, str], Outcome]
) -> RedTeam:
    cli.use(world)
    return RedTeam(cli, world, tmp_path, baselines)


def filed(result: Outcome) -> int:
    """The document id a `council put` printed."""
    match = FILED.match(result.out.strip())
    assert match, result
    return int(match.group(1))


def today() -> date:
    return datetime.now(UTC).date()


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


# -- command templates: {who} acts on {target} (a document id or a workspace) ---------------------

GET_FILE = "council get {target} --as {who} -o {out}"
GET_META = "council get {target} --as {who}"
DOWNGRADE = "council downgrade {target} --level public --reason 'red team' --as {who}"
LIST_WS = "council list --workspace {target} --as {who} --format json"
SEARCH_WS = "council search 'council paper' --workspace {target} --as {who} --json"
NOTE_WS = "council note --workspace {target} --level public --title 'Red note' --as {who}"
ADD_SELF = "council workspace add-member {target} {who} --as {who}"


def source() -> str:
    """A real file to file (screening/PROVENANCE.md, the text of A1), shell-quoted."""
    return shlex.quote(str(PAPER["A1"].path))


def new_version() -> str:
    return (
        f"council put {source()} --workspace council-a --level public --title 'Red team' "
        "--new-version-of {target} --as {who}"
    )


def put_ws() -> str:
    return (
        f"council put {source()} --workspace {{target}} --level public --title 'Red' --as {{who}}"
    )


def remove(member: str) -> str:
    return f"council workspace remove-member {{target}} {member} --as {{who}}"


# -- every reader, every hidden document -----------------------------------------------------------


def test_the_world_covers_every_failure_mode(world: World) -> None:
    """The readers below include each way access must fail, each with something hidden."""
    assert {PERSON[n].case for n in READERS} >= {
        "other workspace",
        "level too low",
        "expired",
        "not yet valid",
        "revoked",
        "not a member",
    }
    assert all(world.hidden(n) for n in READERS)
    for name in ("ezra", "fay", "rex", "nils"):
        assert world.listing(name) == [], name
    titles = [d["title"] for d in world.listing("rita")]
    assert titles == [PAPER[k].title for k in ("A4", "A3", "A2", "A1")]


@pytest.mark.parametrize("name", READERS)
def test_listing_is_exactly_what_the_reader_may_see(red: RedTeam, name: str) -> None:
    world = red.world
    expected = world.listing(name)
    result = red.blind(name, f"council list --as {name} --format json")
    assert json.loads(result.out) == expected
    assert result.out.lstrip().startswith("[") and result.out.rstrip().endswith("]")
    assert all(set(item) == DOC_KEYS for item in json.loads(result.out))

    person = PERSON[name]
    for workspace in WORKSPACES:
        if person.role == "admin" or workspace in person.workspaces:
            result = red.blind(name, LIST_WS.format(who=name, target=workspace))
            assert json.loads(result.out) == [d for d in expected if d["workspace"] == workspace]
        else:  # not a member: as if the workspace did not exist
            red.like_ghost(name, LIST_WS, workspace, GHOST_WORKSPACE)
            red.like_ghost(name, SEARCH_WS, workspace, GHOST_WORKSPACE)

    table = red.blind(name, f"council list --as {name}")
    assert f"{len(expected)} document(s)" in table.out
    assert all(d["title"] in table.out for d in expected)
    first = red.blind(name, f"council list --as {name} --format json --limit 1")
    assert json.loads(first.out) == expected[:1]


@pytest.mark.parametrize("name", READERS)
def test_a_hidden_document_answers_like_one_that_does_not_exist(red: RedTeam, name: str) -> None:
    world = red.world
    for key in world.hidden(name):
        doc = world.id(key)
        ghost = str(world.ghost(doc))
        for command in (GET_FILE, GET_META, DOWNGRADE, new_version()):
            head = world.head()
            red.like_ghost(name, command, str(doc), ghost)
            # audited against the document, or (a refusal for the role) against none
            (denial,) = denials(world, head, name)
            assert denial["target"] in (f"document:{doc}", None), denial
            if command in (GET_FILE, GET_META):
                assert denial["target"] == f"document:{doc}", denial


@pytest.mark.parametrize("name", READERS)
def test_search_never_finds_a_hidden_document(red: RedTeam, name: str) -> None:
    world = red.world
    visible = [world.id(k) for k in world.visible(name)]
    result = red.blind(name, f"council search '{EVERY_TITLE}' --as {name} --json")
    hits = json.loads(result.out)
    assert [h["id"] for h in hits] == visible  # words of every title: the count is theirs
    assert all(set(h) == DOC_KEYS | {"snippet"} for h in hits)
    plain = red.blind(name, f"council search '{EVERY_TITLE}' --as {name}")
    assert len(plain.out.splitlines()) == len(visible)

    for key in world.hidden(name):
        for word in signatures()[key]:  # words of that paper alone
            result = red.blind(name, f"council search {word} --as {name} --json")
            assert json.loads(result.out) == [], (key, word)
        found = red.blind(name, f"council search {PAPER[key].codeword} --as {name} --json")
        assert {h["id"] for h in json.loads(found.out)} <= set(visible)
    word = signatures()[world.hidden(name)[0]][0]
    assert red.blind(name, f"council search {word} --as {name}").out == ""


#: Every command with --as (or --by), for an actor who must get nothing at all.
AS_COMMANDS = (
    "council list --as {who} --format json",
    "council list --workspace council-a --as {who}",
    "council get {doc} --as {who} -o {out}",
    "council get {doc} --as {who}",
    "council search 'council paper' --as {who} --json",
    "council downgrade {doc} --level public --reason r --as {who}",
    "council put {source} --workspace council-a --level public --title t --as {who}",
    "council note --workspace council-a --level public --title t --as {who}",
    "council workspace list --as {who}",
    "council workspace create council-x --as {who}",
    "council workspace add-member council-a nils --as {who}",
    "council workspace remove-member council-a rita --as {who}",
    "users grant-clearance rita --level public --until 2099-12-31 --by {who}",
    "users revoke-clearance rita --by {who}",
)


@pytest.mark.parametrize("name", ["dora", NOBODY])
def test_a_disabled_or_unknown_actor_gets_nothing(red: RedTeam, name: str) -> None:
    """Every ``--as`` command refuses a disabled account and a name that is no user (audited)."""
    out = red.tmp / "out.bin"
    before = state(red.world)
    for command in AS_COMMANDS:
        line = command.format(who=name, doc=red.world.id("A1"), out=out, source=source())
        result = red.refused(name, line, NOTE)
        expected = f"user '{name}' is disabled" if name == "dora" else f"no user '{name}'"
        assert result.err == f"error: {expected}\n"
        assert not out.exists()
    assert state(red.world) == before


# -- the red-team table: every command -------------------------------------------------------------


def _users_add(red: RedTeam) -> None:
    secret = "red-team-passphrase-0f3a9c"  # synthetic
    assert "unknown role" in red.refused(None, "users add spy --role spymaster", audited=False).err
    assert "exists" in red.refused(None, "users add ada --role admin", audited=False).err
    red.refused(None, "users add 'two words' --role analyst", audited=False)
    short = red.refused(None, "users add spy --role analyst --password-stdin", "tiny\n", False)
    assert "12 characters" in short.err and "tiny" not in short.err
    taken = red.refused(None, "users add ada --role analyst --password-stdin", secret, False)
    assert secret not in taken.text


def _users_bootstrap_admin(red: RedTeam) -> None:
    # No admin of this world can sign in (no passwords), and the name is taken: refused.
    taken = red.refused(None, "users bootstrap-admin ada", audited=False)
    assert "exists" in taken.err and "password" not in taken.out


def _users_list(red: RedTeam) -> None:
    listed = json.loads(red.blind("operator", "users list --json").out)
    assert {u["name"] for u in listed} == set(PERSON)
    assert all(set(u) == USER_KEYS for u in listed)
    clearance = {u["name"]: u["clearance"] for u in listed}
    assert (clearance["rita"], clearance["lena"], clearance["nils"]) == (
        "secret",
        "internal",
        "top_secret",
    )
    assert clearance["ezra"] is clearance["fay"] is clearance["rex"] is None  # none valid now
    assert [u["name"] for u in listed if u["disabled"]] == ["dora"]
    table = red.blind("operator", "users list")
    assert all(name in table.out for name in PERSON)
    for output in (json.dumps(listed), table.out):
        assert "argon2" not in output and "password" not in output.lower()


def _users_disable(red: RedTeam) -> None:
    assert NOBODY in red.refused(None, f"users disable {NOBODY}", audited=False).err


def _users_set_password(red: RedTeam) -> None:
    secret = "red-team-passphrase-7b21e4"  # synthetic
    assert "tiny" not in red.refused(None, "users set-password rita", "tiny\n", False).text
    unknown = red.refused(None, f"users set-password {NOBODY}", secret + "\n", False)
    assert secret not in unknown.text


def _users_set_email(red: RedTeam) -> None:
    assert (
        "not an e-mail address"
        in red.refused(None, "users set-email rita no-at-sign", "", False).err
    )
    unknown = red.refused(None, f"users set-email {NOBODY} someone@example.invalid", "", False)
    assert "someone@example.invalid" not in unknown.out


def grant(name: str, level: str, by: str, until: str | None = None) -> str:
    return f"users grant-clearance {name} --level {level} --until {until or in_days(30)} --by {by}"


def _users_grant_clearance(red: RedTeam) -> None:
    for by in ("rita", "olly", "ezra", "fay"):  # analyst, observer, reviewer, researcher
        assert "may not grant" in red.refused(by, grant("nils", "public", by)).err
    # Officials grant, but lift neither themselves nor anyone above their own valid level
    # (lena, cleared to internal, would otherwise read everything in council-a).
    assert "yourself" in red.refused("lena", grant("lena", "top_secret", "lena")).err
    assert "yourself" in red.refused("lena", grant("lena", "internal", "lena")).err
    assert "yourself" in red.refused("otto", grant("otto", "top_secret", "otto")).err
    assert "above your own" in red.refused("lena", grant("rita", "top_secret", "lena")).err
    assert "above your own" in red.refused("lena", grant("nils", "confidential", "lena")).err


def _users_revoke_clearance(red: RedTeam) -> None:
    for by in ("rita", "olly"):
        result = red.refused(by, f"users revoke-clearance ada --by {by}")
        assert "may not revoke" in result.err


def _workspace_create(red: RedTeam) -> None:
    for who in ("rita", "olly", "nils", "ezra"):
        result = red.refused(who, f"council workspace create council-x --as {who}")
        assert "may not create workspace" in result.err


def _workspace_add_member(red: RedTeam) -> None:
    result = red.refused("rita", "council workspace add-member council-a nils --as rita")
    assert "may not manage members" in result.err
    red.like_ghost("otto", ADD_SELF, "council-a", GHOST_WORKSPACE)  # official, other workspace
    red.like_ghost("lena", ADD_SELF, "council-b", GHOST_WORKSPACE)


def _workspace_remove_member(red: RedTeam) -> None:
    result = red.refused("rita", "council workspace remove-member council-a lena --as rita")
    assert "may not manage members" in result.err
    red.like_ghost("otto", remove("rita"), "council-a", GHOST_WORKSPACE)
    red.like_ghost("lena", remove("otto"), "council-b", GHOST_WORKSPACE)


def _workspace_list(red: RedTeam) -> None:
    assert json.loads(red.blind("nils", "council workspace list --as nils --json").out) == []
    rita = json.loads(red.blind("rita", "council workspace list --as rita --json").out)
    assert [w["name"] for w in rita] == ["council-a"]
    otto = red.blind("otto", "council workspace list --as otto")
    assert "council-a" not in otto.out and "rita" not in otto.out
    ada = json.loads(red.blind("ada", "council workspace list --as ada --json").out)
    assert [w["name"] for w in ada] == list(WORKSPACES)  # admins: all


def _council_put(red: RedTeam) -> None:
    def put(who: str, level: str) -> str:
        return f"council put {source()} --workspace council-a --level {level} --title t --as {who}"

    assert "above your own" in red.refused("rita", put("rita", "top_secret")).err
    for who in ("rex", "ezra", "fay"):  # revoked, expired, not yet valid: no clearance to file
        assert "above your own" in red.refused(who, put(who, "public")).err
    assert "may not write" in red.refused("olly", put("olly", "public")).err
    red.like_ghost("rita", put_ws(), "council-b", GHOST_WORKSPACE)
    red.like_ghost("rita", new_version(), str(red.world.id("B1")), str(red.world.ghost(1)))


def _council_note(red: RedTeam) -> None:
    line = "council note --workspace council-a --level top_secret --title t --as rita"
    assert "above your own" in red.refused("rita", line, NOTE).err
    red.like_ghost("nils", NOTE_WS, "council-a", GHOST_WORKSPACE)
    red.like_ghost("rita", NOTE_WS, "council-b", GHOST_WORKSPACE)


def _council_list(red: RedTeam) -> None:
    assert json.loads(red.blind("nils", "council list --as nils --format json").out) == []
    red.like_ghost("rita", LIST_WS, "council-b", GHOST_WORKSPACE)
    red.like_ghost("nils", LIST_WS, "council-a", GHOST_WORKSPACE)


def _council_get(red: RedTeam) -> None:
    for who in ("fay", "rex", "ezra"):  # clearance not yet valid, revoked, expired
        red.like_ghost(who, GET_FILE, str(red.world.id("A1")), str(red.world.ghost(1)))
    red.like_ghost("rita", GET_META, str(red.world.id("A5")), str(red.world.ghost(1)))


def _council_search(red: RedTeam) -> None:
    for who in ("ezra", "fay", "rex"):
        word = signatures()["A1"][0]
        assert json.loads(red.blind(who, f"council search {word} --as {who} --json").out) == []
    red.like_ghost("rita", SEARCH_WS, "council-b", GHOST_WORKSPACE)


def _council_downgrade(red: RedTeam) -> None:
    red.like_ghost("otto", DOWNGRADE, str(red.world.id("A5")), str(red.world.ghost(1)))
    red.like_ghost("lena", DOWNGRADE, str(red.world.id("A3")), str(red.world.ghost(1)))
    result = red.like_ghost("rita", DOWNGRADE, str(red.world.id("A1")), str(red.world.ghost(1)))
    assert "may not downgrade" in result.err


def _audit_verify(red: RedTeam) -> None:
    assert "audit log intact" in red.blind("operator", "audit verify").out


def _audit_export(red: RedTeam) -> None:
    for fmt in ("json", "csv"):
        assert "argon2" not in red.blind("operator", f"audit export --format {fmt}").out


RED_TEAM = {
    "users add": _users_add,
    "users list": _users_list,
    "users bootstrap-admin": _users_bootstrap_admin,
    "users disable": _users_disable,
    "users set-password": _users_set_password,
    "users set-email": _users_set_email,
    "users grant-clearance": _users_grant_clearance,
    "users revoke-clearance": _users_revoke_clearance,
    "council workspace create": _workspace_create,
    "council workspace add-member": _workspace_add_member,
    "council workspace remove-member": _workspace_remove_member,
    "council workspace list": _workspace_list,
    "council put": _council_put,
    "council note": _council_note,
    "council list": _council_list,
    "council get": _council_get,
    "council search": _council_search,
    "council downgrade": _council_downgrade,
    "audit verify": _audit_verify,
    "audit export": _audit_export,
}


def test_every_command_has_a_red_team_case() -> None:
    assert {"council workspace add-member", "audit verify", "users add"} <= set(COMMANDS)
    assert sorted(RED_TEAM) == sorted(COMMANDS), "a command without a red-team case, or stale"


@pytest.mark.parametrize("command", COMMANDS)
def test_red_team(red: RedTeam, command: str) -> None:
    """The command's refused and blind variants leak nothing and change nothing."""
    if command not in RED_TEAM:
        pytest.fail(f"`econsec {command}` has no red-team case in RED_TEAM")
    before = state(red.world)
    RED_TEAM[command](red)
    assert state(red.world) == before


# -- the operator's commands, on worlds of their own -----------------------------------------------


def dump(world: World) -> str:
    """Every value of every table, as text."""
    engine = world.security.app.engine
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        rows = (
            row for table in metadata.sorted_tables for row in connection.execute(select(table))
        )
        return "\n".join(repr(row) for row in rows)


def users(cli: Cli) -> dict[str, dict[str, Any]]:
    return {u["name"]: u for u in cli.json("users list --json")}


def test_users_add_list_disable_and_clearances(
    make_world: MakeWorld, cli: Cli, tmp_path: Path
) -> None:
    world = make_world(people=("nils", "lena", "fresh-official"), papers=("A1", "A3"))
    cli.use(world)
    red = RedTeam(cli, world, tmp_path)
    secret = "council-cli-passphrase-5d8e"  # synthetic
    head = world.head()
    result = cli.ok("users add newbie --role analyst --password-stdin", secret + "\n")
    assert result.out == "user newbie added as analyst\n" and result.err == ""
    cli.ok("users add cli-only --role observer")
    with world.security.session() as session:
        hashes: dict[str, str | None] = dict(
            session.execute(text("SELECT name, password_hash FROM security_users")).all()
        )
    stored = hashes["newbie"]
    assert stored is not None and stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, secret)
    assert hashes["cli-only"] is None
    assert secret not in dump(world)
    for path in world.settings.home.glob("app.db*"):  # SQLite: the file, its WAL
        assert secret.encode() not in path.read_bytes(), path

    listed = users(cli)
    assert all(set(u) == USER_KEYS for u in listed.values())
    newbie = listed["newbie"]
    assert (newbie["role"], newbie["clearance"], newbie["disabled"]) == ("analyst", None, False)
    assert newbie["created_by"].startswith("operator:")
    table = cli.ok("users list").out
    for output in (json.dumps(listed), table):
        assert "argon2" not in output and stored not in output and secret not in output

    # --until is the last valid day, inclusive
    until = today() + timedelta(days=10)
    cli.ok("council workspace add-member council-a newbie --as ada")
    result = cli.ok(grant("newbie", "confidential", "ada", until.isoformat()))
    assert result.out == f"newbie cleared for confidential until {until} (granted by ada)\n"
    expected = [world.docs["A3"], world.docs["A1"]]
    listing = "council list --as newbie --format json"
    assert cli.json(listing) == expected
    last_moment = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
    with clock(last_moment - timedelta(microseconds=1), "council.service"):
        assert cli.json(listing) == expected
    with clock(last_moment, "council.service"):
        assert cli.json(listing) == []
    assert cli.ok(grant("nils", "public", "ada", today().isoformat())).code == 0  # today only
    assert users(cli)["nils"]["clearance"] == "top_secret"

    # officials grant up to their own valid level, never to themselves
    assert cli.ok(grant("newbie", "internal", "lena")).code == 0
    assert "above your own" in red.refused("lena", grant("newbie", "secret", "lena")).err
    assert "yourself" in red.refused("lena", grant("lena", "internal", "lena")).err
    assert (
        "above your own"
        in red.refused("fresh-official", grant("nils", "public", "fresh-official")).err
    )
    assert cli.ok(grant("newbie", "top_secret", "otto", in_days(1))).code == 0

    # wrong dates and levels: a clear error naming the option, nothing written
    before = state(world)
    for option, arguments in (
        ("--until", f"--level secret --until {today().year}-02-30"),
        ("--until", "--level secret --until 31/12/2099"),
        ("--from", "--level secret --until 2099-12-31 --from tomorrow"),
        ("--level", "--level cosmic --until 2099-12-31"),
        ("--level", "--level Secret --until 2099-12-31"),
    ):
        result = cli(f"users grant-clearance newbie {arguments} --by ada")
        assert (result.code, result.out) == (1, ""), result
        assert result.err.startswith("error: ") and option in result.err, result
    ended = cli(grant("newbie", "secret", "ada", in_days(-1)))
    assert ended.code == 1 and "before it starts" in ended.err
    assert state(world) == before

    # a clearance from tomorrow is not current yet
    later = f"--level secret --from {in_days(1)} --until {until}"
    cli.ok(f"users grant-clearance cli-only {later} --by ada")
    assert users(cli)["cli-only"]["clearance"] is None
    assert users(cli)["newbie"]["clearance"] == "top_secret"

    result = cli.ok("users revoke-clearance newbie --by ada --reason 'moved on'")
    assert result.out == "3 clearance(s) of newbie revoked\n"
    assert cli.json(listing) == []
    assert users(cli)["newbie"]["clearance"] is None

    assert cli.ok("users disable newbie").out == "user newbie disabled\n"
    assert users(cli)["newbie"]["disabled"] is True
    refused = cli(listing)
    assert (refused.code, refused.out, refused.err) == (1, "", "error: user 'newbie' is disabled\n")

    secret2 = "council-cli-passphrase-91c0"  # synthetic
    result = cli.ok("users set-password cli-only", secret2 + "\n")
    assert result.out == "password of cli-only set\n" and secret2 not in result.text
    assert secret2 not in dump(world)

    entries = world.audit_since(head)
    done = {(e["actor"].split(":")[0], e["action"], e["outcome"], e["target"]) for e in entries}
    assert {
        ("operator", "user.add", "ok", "newbie"),
        ("operator", "user.add", "ok", "cli-only"),
        ("operator", "user.disable", "ok", "newbie"),
        ("operator", "user.password", "ok", "cli-only"),
        ("ada", "clearance.grant", "ok", "newbie"),
        ("lena", "clearance.grant", "ok", "newbie"),
        ("lena", "clearance.grant", "denied", "lena"),
        ("ada", "clearance.revoke", "ok", "newbie"),
        ("newbie", "act", "denied", None),
    } <= done
    assert not any(secret in json.dumps(e) or secret2 in json.dumps(e) for e in entries)


def test_workspaces_and_members(make_world: MakeWorld, cli: Cli, tmp_path: Path) -> None:
    world = make_world(
        people=("rita", "lena", "nils", "fresh-official", "fresh-analyst"), papers=("A1",)
    )
    cli.use(world)
    red = RedTeam(cli, world, tmp_path)
    before = state(world)
    for who in ("rita", "nils"):
        red.refused(who, f"council workspace create council-c --as {who}")
    assert state(world) == before

    result = cli.ok("council workspace create council-c --as lena --title 'Council C (synthetic)'")
    assert result.out == "workspace council-c created\n"
    assert cli.json("council workspace list --as lena --json") == [
        {"name": "council-a", "title": "Council A (synthetic)", "members": ["ada", "lena", "rita"]},
        {"name": "council-c", "title": "Council C (synthetic)", "members": ["lena"]},
    ]
    before = state(world)
    red.refused("rita", "council workspace add-member council-c rita --as rita")
    red.like_ghost("lena", ADD_SELF, "council-b", GHOST_WORKSPACE)
    assert state(world) == before

    result = cli.ok("council workspace add-member council-c nils --as lena")
    assert result.out == "nils is a member of council-c\n"
    assert cli.json("council workspace list --as nils --json") == [
        {"name": "council-c", "title": "Council C (synthetic)", "members": ["lena", "nils"]}
    ]
    # membership is need-to-know: nils (top secret) sees A1 only while a member of council-a
    cli.ok("council workspace add-member council-a nils --as ada")
    assert cli.json(LIST_WS.format(who="nils", target="council-a")) == [world.docs["A1"]]
    result = cli.ok("council workspace remove-member council-a nils --as ada")
    assert result.out == "nils is no longer a member of council-a\n"
    red.like_ghost("nils", LIST_WS, "council-a", GHOST_WORKSPACE)
    a1 = world.id("A1")
    red.like_ghost("nils", GET_FILE, str(a1), str(world.ghost(a1)))

    before = state(world)
    red.refused("rita", "council workspace remove-member council-c nils --as rita")
    red.like_ghost("lena", remove("otto"), "council-b", GHOST_WORKSPACE)
    assert state(world) == before
    cli.ok("council workspace remove-member council-c nils --as lena")
    assert cli.json("council workspace list --as nils --json") == []
    spaces = cli.json("council workspace list --as ada --json")
    assert [w["name"] for w in spaces] == ["council-a", "council-b", "council-c"]
    done = {(e["actor"], e["action"], e["outcome"]) for e in world.audit_since(0)}
    assert {
        ("lena", "workspace.create", "ok"),
        ("lena", "workspace.add_member", "ok"),
        ("ada", "workspace.remove_member", "ok"),
        ("rita", "workspace.create", "denied"),
        ("lena", "workspace.add_member", "denied"),
    } <= done


def test_put_get_versions_notes_and_downgrade(
    make_world: MakeWorld, cli: Cli, tmp_path: Path
) -> None:
    world = make_world(people=("rita", "olly", "fresh-analyst"), papers=("A1",))
    cli.use(world)
    red = RedTeam(cli, world, tmp_path)
    policy, sheet = design_file("POLICY.md"), shared_file(XLSX)

    put = f"council put {policy} --workspace council-a --level secret --title 'Memo' --as rita"
    result = cli.ok(put)
    memo = filed(result)
    assert result.out == f"document {memo} version 1 in council-a (secret)\n"
    result = cli.ok(f"council get {memo} --as rita -o {tmp_path / 'memo.md'}")
    assert (tmp_path / "memo.md").read_bytes() == policy.read_bytes()
    assert f"POLICY.md ({policy.stat().st_size:,} bytes) written to" in result.out

    put = f"council put {sheet} --workspace council-a --level confidential --title Sheet --as rita"
    table = filed(cli.ok(put))
    cli.ok(f"council get {table} --as rita -o {tmp_path / 'sheet.xlsx'}")
    assert (tmp_path / "sheet.xlsx").read_bytes() == sheet.read_bytes()
    meta = cli.json(f"council get {table} --as rita")
    assert (meta["title"], meta["level"], meta["version"]) == ("Sheet", "confidential", 1)
    assert meta["versions"][0]["sha256"] == hashlib.sha256(sheet.read_bytes()).hexdigest()
    word = signatures()["A4"][0]  # a word of POLICY.md alone
    assert [h["id"] for h in cli.json(f"council search {word} --as rita --json")] == [memo]

    # a new version; the old one stays downloadable
    put = (
        f"council put {sheet} --workspace council-a --level secret --title ignored "
        f"--new-version-of {memo} --as rita"
    )
    assert cli.ok(put).out == f"document {memo} version 2 in council-a (secret)\n"
    cli.ok(f"council get {memo} --as rita -o {tmp_path / 'v2'}")
    cli.ok(f"council get {memo} --as rita --version 1 -o {tmp_path / 'v1'}")
    assert (tmp_path / "v2").read_bytes() == sheet.read_bytes()
    assert (tmp_path / "v1").read_bytes() == policy.read_bytes()

    text_ = PAPER["A2"].path.read_text(encoding="utf-8")
    result = cli.ok(
        "council note --workspace council-a --level internal --title Note --as rita", text_
    )
    found = re.fullmatch(r"note (\d+) in council-a \(internal\)\n", result.out)
    assert found, result
    note = int(found.group(1))
    cli.ok(f"council get {note} --as rita -o {tmp_path / 'note.md'}")
    assert (tmp_path / "note.md").read_bytes() == text_.encode("utf-8")

    # refused filings store nothing
    before = state(world)
    put = f"council put {policy} --workspace council-a --level top_secret --title High --as rita"
    assert "above your own" in red.refused("rita", put).err
    put = f"council put {policy} --workspace council-a --level public --title Obs --as olly"
    assert "may not write" in red.refused("olly", put).err
    red.like_ghost("rita", put_ws(), "council-b", GHOST_WORKSPACE)
    red.refused("rita", f"council downgrade {memo} --level public --reason r --as rita")
    absent = tmp_path / "absent.pdf"
    put = f"council put {absent} --workspace council-a --level public --title t --as rita"
    missing = cli(put)
    assert missing.code == 1 and str(absent) in missing.err and missing.out == ""
    assert state(world) == before

    head = world.head()
    result = cli.ok(f"council downgrade {memo} --level internal --reason 'declassified' --as ada")
    assert result.out == f"document {memo} is now internal\n"
    entry = next(e for e in world.audit_since(head) if e["action"] == "document.downgrade")
    assert (entry["actor"], entry["level"], entry["target"]) == (
        "ada",
        "internal",
        f"document:{memo}",
    )
    assert entry["detail"]["previous_level"] == "secret"
    assert entry["detail"]["reason"] == "declassified"
    listed = cli.json("council list --as rita --format json")
    assert [d["id"] for d in listed] == [note, table, memo, world.id("A1")]


# -- the audit log ---------------------------------------------------------------------------------


def test_audit_verify_and_export_hold_every_entry(red: RedTeam) -> None:
    world, cli = red.world, red.cli
    result = cli.ok("audit verify")
    head = world.head()
    assert result.out.startswith(f"audit log intact: {head:,} entries; head {head}")
    assert cli.json("audit verify --json")["entries"] == world.head()

    exported = cli.ok("audit export --format csv").out
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == world.head()  # the export itself is the last entry
    assert list(rows[0]) == list(audit.COLUMNS)
    assert [int(r["seq"]) for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["prev_hash"] == p["hash"] for p, r in itertools.pairwise(rows))
    assert rows[-1]["action"] == "audit.export"

    lines = cli.ok("audit export --format json").out.splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) == world.head()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for event, row in zip(events, rows, strict=False):
        assert (str(event["seq"]), event["hash"], event["actor"]) == (
            row["seq"],
            row["hash"],
            row["actor"],
        )
        assert event["detail"] == json.loads(row["detail"])
    out = red.tmp / "audit.csv"
    assert cli.ok(f"audit export --format csv -o {out}").out == ""
    with out.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == world.head()
    for dumped in (exported, "\n".join(lines)):
        assert_no_canary(dumped, every_canary())


def test_audit_verify_names_the_first_broken_entry(make_world: MakeWorld, cli: Cli) -> None:
    world = make_world(people=("rita",), papers=("A1", "A3"))
    cli.use(world)
    assert cli.ok("audit verify").code == 0
    engine = world.security.app.engine
    with pytest.raises(DBAPIError), engine.begin() as connection:  # the database refuses edits
        connection.execute(text("UPDATE security_audit SET actor = 'mallory' WHERE seq = 3"))
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text("DELETE FROM security_audit WHERE seq = 3"))
    assert cli.ok("audit verify").code == 0

    # an attacker with the database owner's rights gets past the triggers
    with engine.begin() as connection:
        if world.url.startswith("sqlite"):
            for trigger in ("security_audit_no_update", "security_audit_no_delete"):
                connection.execute(text(f"DROP TRIGGER {trigger}"))
        else:
            connection.execute(
                text("ALTER TABLE security_audit DISABLE TRIGGER security_audit_append_only")
            )
    with engine.begin() as connection:
        actors: dict[int, str] = dict(
            connection.execute(text("SELECT seq, actor FROM security_audit")).all()
        )
        for seq in (9, 5):
            connection.execute(
                text("UPDATE security_audit SET actor = 'mallory' WHERE seq = :seq"), {"seq": seq}
            )
    result = cli("audit verify")
    assert result.code == 1, result
    assert "BROKEN at entry 5:" in result.out and "altered" in result.out, result
    verdict = json.loads(cli("audit verify --json").out)
    assert (verdict["ok"], verdict["broken_seq"]) == (False, 5)

    with engine.begin() as connection:  # both put back: intact again
        for seq in (5, 9):
            connection.execute(
                text("UPDATE security_audit SET actor = :actor WHERE seq = :seq"),
                {"actor": actors[seq], "seq": seq},
            )
    assert cli("audit verify").code == 0
    with engine.begin() as connection:  # an entry removed: the next one no longer follows
        connection.execute(text("DELETE FROM security_audit WHERE seq = 7"))
    broken = cli("audit verify")
    assert broken.code == 1 and "BROKEN at entry 8:" in broken.out, broken


def test_bootstrap_admin_prints_a_password_once(make_world: MakeWorld, cli: Cli) -> None:
    world = make_world(people=("nils",), papers=("A1",))
    cli.use(world)
    first = cli.ok("users bootstrap-admin boss --days 30")
    password = first.out.strip().rsplit(" ", 1)[-1]
    assert len(password) >= 20 and "admin boss created with clearance top_secret" in first.out
    token, _ = world.security.sign_in("boss", password)
    actor = world.security.resolve(token)
    assert actor is not None and actor.role == "admin"
    listed = users(cli)
    assert listed["boss"]["clearance"] == "top_secret" and listed["boss"]["can_sign_in"]
    again = cli.ok("users bootstrap-admin")
    assert "nothing done" in again.out and password not in again.out
    assert "admin" not in users(cli)
    assert password not in dump(world)
