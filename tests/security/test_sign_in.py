"""Sign-in on SQLite and PostgreSQL: argon2 hashes, one message for every refusal, lockout after
repeated failures and its end, token lifetime, sign-out, disabled accounts. User names and
passwords are SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from econsec.errors import InvalidInput, Unauthenticated
from econsec.store.app import utcnow
from tests.security.world import (
    BACKENDS,
    OPERATOR,
    PASSWORD,
    World,
    backend,
    build_world,
    clock,
)

REFUSED = "wrong user name or password, or the account is locked"


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with backend(request.param, tmp_path) as url:
        built = build_world(url, tmp_path, passwords=True, people=("rita", "dora"), papers=())
        yield built
        built.close()


def raw(world: World, statement: str) -> list[tuple[object, ...]]:
    with world.security.app.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(statement))]


def denials(world: World, since: int) -> list[str]:
    return [
        e["detail"].get("reason", "")
        for e in world.audit_since(since)
        if e["action"] == "sign_in" and e["outcome"] == "denied"
    ]


def test_passwords_are_stored_as_argon2id_hashes_only(world: World) -> None:
    # The real hasher's default parameters (the world uses a cheap one to save time).
    world.security.hasher = PasswordHasher()
    world.security.set_password(OPERATOR, "rita", "another-synthetic-passphrase")
    stored = raw(world, "SELECT name, password_hash FROM security_users")
    hashes = {str(n): str(h) for n, h in stored}
    assert hashes["rita"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    for value in hashes.values():
        assert PASSWORD not in value and "another-synthetic-passphrase" not in value
    token, _ = world.security.sign_in("rita", "another-synthetic-passphrase")
    assert world.security.resolve(token) is not None
    with pytest.raises(Unauthenticated):
        world.security.sign_in("rita", PASSWORD)  # the old one no longer works


def test_every_refusal_says_the_same_and_is_audited(world: World) -> None:
    head = world.head()
    messages = []
    for name, password in [
        ("rita", "not-the-password-at-all"),
        ("nobody-by-this-name", PASSWORD),
        ("dora", PASSWORD),  # disabled
        ("", PASSWORD),
    ]:
        with pytest.raises(Unauthenticated) as caught:
            world.security.sign_in(name, password)
        messages.append(str(caught.value))
    assert set(messages) == {REFUSED}
    assert denials(world, head) == [
        "wrong password",
        "unknown user or no password",
        "disabled",
        "unknown user or no password",
    ]


def test_tokens_are_random_long_and_stored_as_keyed_digests(world: World) -> None:
    tokens = {world.security.sign_in("rita", PASSWORD)[0] for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) >= 43 for t in tokens)  # 32 random bytes
    stored = {str(r[0]) for r in raw(world, "SELECT digest FROM security_tokens")}
    assert not tokens & stored
    assert all(world.security.keys.token_digest(t) in stored for t in tokens)


def test_lockout_after_repeated_failures_and_its_end(world: World) -> None:
    limit = world.settings.login_max_failures
    head = world.head()
    for _ in range(limit):
        with pytest.raises(Unauthenticated, match="wrong user name"):
            world.security.sign_in("rita", "guessing-the-password")
    # Locked: the right password fails too, with the same message, and says why in the log.
    with pytest.raises(Unauthenticated, match="wrong user name"):
        world.security.sign_in("rita", PASSWORD)
    reasons = denials(world, head)
    assert reasons == ["wrong password"] * (limit - 1) + [
        "wrong password; account locked",
        "locked",
    ]
    locked = next(u for u in world.security.users(OPERATOR) if u["name"] == "rita")
    assert locked["locked_until"] is not None
    later = utcnow() + timedelta(minutes=world.settings.login_lockout_minutes, seconds=5)
    with clock(later, "security.service"):
        token, expires = world.security.sign_in("rita", PASSWORD)
        assert world.security.resolve(token) is not None
    assert expires > later


def test_a_success_resets_the_failure_count(world: World) -> None:
    limit = world.settings.login_max_failures
    for _ in range(limit - 1):
        with pytest.raises(Unauthenticated):
            world.security.sign_in("rita", "guessing-the-password")
    world.security.sign_in("rita", PASSWORD)
    for _ in range(limit - 1):
        with pytest.raises(Unauthenticated):
            world.security.sign_in("rita", "guessing-the-password")
    world.security.sign_in("rita", PASSWORD)  # not locked: the count started again


def test_a_new_password_lifts_a_lockout(world: World) -> None:
    for _ in range(world.settings.login_max_failures):
        with pytest.raises(Unauthenticated):
            world.security.sign_in("rita", "guessing-the-password")
    world.security.set_password(OPERATOR, "rita", "a-fresh-synthetic-passphrase")
    world.security.sign_in("rita", "a-fresh-synthetic-passphrase")
    with pytest.raises(InvalidInput, match="12 characters"):
        world.security.set_password(OPERATOR, "rita", "short")


def test_tokens_expire(world: World) -> None:
    token, expires = world.security.sign_in("rita", PASSWORD)
    lifetime = timedelta(hours=world.settings.token_hours)
    assert abs((expires - utcnow()) - lifetime) < timedelta(minutes=1)
    with clock(expires - timedelta(seconds=1), "security.service"):
        assert world.security.resolve(token) is not None
    with clock(expires + timedelta(seconds=1), "security.service"):
        assert world.security.resolve(token) is None


def test_sign_out_revokes_the_token_only(world: World) -> None:
    first, _ = world.security.sign_in("rita", PASSWORD)
    second, _ = world.security.sign_in("rita", PASSWORD)
    head = world.head()
    world.security.sign_out(first)
    assert world.security.resolve(first) is None
    assert world.security.resolve(second) is not None
    world.security.sign_out(first)  # again: nothing to do, nothing logged
    world.security.sign_out("never-issued")
    assert [e["action"] for e in world.audit_since(head)] == ["sign_out"]


def test_disabling_an_account_ends_its_sessions(world: World) -> None:
    token = world.tokens["rita"]
    assert world.security.resolve(token) is not None
    world.security.disable_user(OPERATOR, "rita")
    assert world.security.resolve(token) is None
    assert world.security.resolve(world.tokens["dora"]) is None  # disabled when built
    with pytest.raises(Unauthenticated):
        world.security.sign_in("rita", PASSWORD)
