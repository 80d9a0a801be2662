"""The audit log under attack, on SQLite and PostgreSQL: the database refuses edits; an attacker
who gets past that (drops the triggers, as anyone with the database owner's rights can) and
edits, deletes, inserts, renumbers, reorders or cuts entries is caught by ``verify``, which names
the first broken entry; a forged entry needs the key. Exports hold the whole chain, and the
chain re-verifies from the export alone with the documented HMAC scheme.

Documents, people and actions come from the shared world (tests/security/world.py): real public
texts filed under SYNTHETIC titles by SYNTHETIC users.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from econsec.errors import Conflict, InvalidInput, NotFound
from econsec.security import audit
from econsec.security.crypto import _keys
from econsec.security.service import Security
from econsec.store.app import open_app_store
from tests.security.world import (
    BACKENDS,
    KEY,
    OPERATOR,
    OTHER_KEY,
    World,
    backend,
    build_world,
    settings_for,
)


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A small world of its own per test (tampering changes it)."""
    with backend(request.param, tmp_path) as url:
        built = build_world(url, tmp_path, people=("rita", "nils"), papers=("A1", "A3", "A4"))
        # A few reads and refusals, so the log holds every kind of entry.
        rita, nils = built.actor("rita"), built.actor("nils")
        built.council.get(rita, built.id("A3"))
        built.council.download(rita, built.id("A4"))
        with pytest.raises(NotFound):
            built.council.get(nils, built.id("A3"))
        yield built
        built.close()


def sql(world: World, statement: str, **params: Any) -> list[Any]:
    """Run raw SQL in its own transaction, as someone with database access would."""
    with world.security.app.engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def drop_triggers(world: World) -> None:
    """What an attacker with the owner's rights does first."""
    if world.url.startswith("sqlite"):
        sql(world, "DROP TRIGGER security_audit_no_update")
        sql(world, "DROP TRIGGER security_audit_no_delete")
    else:
        sql(world, "DROP TRIGGER security_audit_append_only ON security_audit")


def row(world: World, seq: int) -> dict[str, Any]:
    with world.security.session() as session:
        event = session.get(audit.AuditEvent, seq)
        assert event is not None
        return event.as_dict()


def verify(world: World, anchor: str | None = None) -> audit.Verification:
    return world.security.verify(OPERATOR, anchor)


def forged_hash(key: str, previous: str, event: dict[str, Any], at: Any) -> str:
    """A chain link computed with ``key`` for ``event`` (econsec's own record format)."""
    record = audit._record(
        event["seq"],
        at,
        event["actor"],
        event["channel"],
        event["action"],
        event["outcome"],
        event["target"],
        event["workspace"],
        event["level"],
        event["detail"],
    )
    return _keys(key).chain(previous, record)


# -- intact ----------------------------------------------------------------------------------------


def test_an_intact_chain_verifies_and_names_its_head(world: World) -> None:
    result = verify(world)
    head = world.head()
    assert result.ok and result.broken_seq is None and result.reason is None
    assert result.entries == head >= 15
    assert (result.head_seq, result.head_hash) == (head, row(world, head)["hash"])
    seqs = [r[0] for r in sql(world, "SELECT seq FROM security_audit ORDER BY seq")]
    assert seqs == list(range(1, head + 1))
    actions = {(r[0], r[1]) for r in sql(world, "SELECT action, outcome FROM security_audit")}
    for expected in [
        ("user.add", "ok"),
        ("clearance.grant", "ok"),
        ("workspace.create", "ok"),
        ("workspace.add_member", "ok"),
        ("document.create", "ok"),
        ("document.read", "ok"),
        ("document.download", "ok"),
        ("document.read", "denied"),
    ]:
        assert expected in actions, expected
    # Verifying is a read: it adds nothing.
    assert world.head() == head


def test_the_database_refuses_update_and_delete(world: World) -> None:
    before = row(world, 3)
    with pytest.raises(DBAPIError, match="append-only"):
        sql(world, "UPDATE security_audit SET actor = 'mallory' WHERE seq = 3")
    with pytest.raises(DBAPIError, match="append-only"):
        sql(world, "DELETE FROM security_audit WHERE seq = 3")
    with pytest.raises(DBAPIError, match="append-only"):
        sql(world, "DELETE FROM security_audit")
    assert row(world, 3) == before
    assert verify(world).ok


def test_concurrent_writers_never_fork_the_chain(world: World) -> None:
    """Concurrent appends (refusals in their own transactions, and audited reads) all land, in
    one chain, with no writer giving up (each takes the write lock before reading the head)."""
    head = world.head()
    errors: list[BaseException] = []
    rita, a3 = world.actor("rita"), world.id("A3")

    def writer(name: str) -> None:
        try:
            for i in range(30):
                world.security.deny(name, "api", "document.read", "test", target=f"document:{i}")
                if i % 3 == 0:
                    world.council.get(rita, a3)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"writer-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = verify(world)
    assert result.ok and result.entries == head + 4 * 40
    actors = [r[0] for r in sql(world, "SELECT actor FROM security_audit WHERE seq > :s", s=head)]
    assert sorted(actors) == sorted([f"writer-{n}" for n in range(4)] * 30 + ["rita"] * 40)


# -- tampering -------------------------------------------------------------------------------------

Tamper = Callable[[World, int], int]


def edit_detail(world: World, k: int) -> int:
    sql(world, "UPDATE security_audit SET detail = :d WHERE seq = :k", d='{"x": 1}', k=k)
    return k


def hide_a_denial(world: World, k: int) -> int:
    """Turn the refusal of nils's read into a success."""
    seq = sql(world, "SELECT min(seq) FROM security_audit WHERE outcome = 'denied'")[0][0]
    sql(world, "UPDATE security_audit SET outcome = 'ok' WHERE seq = :k", k=seq)
    return int(seq)


def change_actor(world: World, k: int) -> int:
    sql(world, "UPDATE security_audit SET actor = 'mallory' WHERE seq = :k", k=k)
    return k


def shift_time(world: World, k: int) -> int:
    at = row(world, k)["at"]
    sql(world, "UPDATE security_audit SET at = :t WHERE seq = :k", t=_shifted(at), k=k)
    return k


def _shifted(at: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(at) + timedelta(seconds=1)


def delete_one(world: World, k: int) -> int:
    sql(world, "DELETE FROM security_audit WHERE seq = :k", k=k)
    return k + 1


def delete_and_renumber(world: World, k: int) -> int:
    """Delete an entry and close the gap, so the sequence looks whole."""
    sql(world, "DELETE FROM security_audit WHERE seq = :k", k=k)
    sql(world, "UPDATE security_audit SET seq = -seq WHERE seq > :k", k=k)
    sql(world, "UPDATE security_audit SET seq = -seq - 1 WHERE seq < 0")
    return k


def swap_two(world: World, k: int) -> int:
    """Reorder: entries k and k+1 change places (numbers swapped)."""
    sql(world, "UPDATE security_audit SET seq = -1 WHERE seq = :k", k=k)
    sql(world, "UPDATE security_audit SET seq = :k WHERE seq = :n", k=k, n=k + 1)
    sql(world, "UPDATE security_audit SET seq = :n WHERE seq = -1", n=k + 1)
    return k


def renumber_one(world: World, k: int) -> int:
    """Move entry k to the far end of the numbering."""
    sql(world, "UPDATE security_audit SET seq = 100000 WHERE seq = :k", k=k)
    return k + 1


def move_hash(world: World, k: int) -> int:
    """Copy a neighbour's hash: the link of the next entry then holds, the entry does not."""
    other = row(world, k + 1)["hash"]
    sql(world, "UPDATE security_audit SET hash = :h WHERE seq = :k", h=other, k=k)
    return k


TAMPERS: dict[str, Tamper] = {
    "edit detail": edit_detail,
    "hide a denial": hide_a_denial,
    "change actor": change_actor,
    "shift time": shift_time,
    "delete": delete_one,
    "delete and renumber": delete_and_renumber,
    "swap": swap_two,
    "renumber": renumber_one,
    "move hash": move_hash,
}


@pytest.mark.parametrize("how", list(TAMPERS))
def test_tampering_is_found_at_the_first_broken_entry(world: World, how: str) -> None:
    k = 7
    head = world.head()
    drop_triggers(world)
    broken = TAMPERS[how](world, k)
    result = verify(world)
    assert not result.ok
    assert result.broken_seq == broken, result
    assert result.reason
    assert result.entries <= head
    # New entries after the damage do not heal it. Where the damage leaves the head's hash as
    # an earlier entry's link (a renumbered entry), nothing more can be appended: fail closed.
    if how == "renumber":
        with pytest.raises(Conflict, match="audit verify"):
            world.security.deny("rita", "api", "document.read", "after the damage")
    else:
        world.security.deny("rita", "api", "document.read", "after the damage")
    assert verify(world).broken_seq == broken


def test_a_forged_entry_needs_the_key(world: World) -> None:
    """An attacker appends an entry in econsec's exact format, but hashed with another key."""
    head = row(world, world.head())
    at = _shifted(head["at"])
    event = {
        "seq": head["seq"] + 1,
        "actor": "rita",
        "channel": "api",
        "action": "clearance.grant",
        "outcome": "ok",
        "target": "nils",
        "workspace": None,
        "level": "top_secret",
        "detail": {"until": "2030-01-01"},
    }
    forged = forged_hash(OTHER_KEY, head["hash"], event, at)
    sql(
        world,
        "INSERT INTO security_audit (seq, at, actor, channel, action, outcome, target, "
        "workspace, level, detail, prev_hash, hash) VALUES (:seq, :at, :actor, :channel, "
        ":action, :outcome, :target, :workspace, :level, :detail, :prev, :hash)",
        **{**event, "detail": json.dumps(event["detail"])},
        at=at,
        prev=head["hash"],
        hash=forged,
    )
    result = verify(world)
    assert not result.ok and result.broken_seq == event["seq"]
    assert "altered" in (result.reason or "")
    # The same entry hashed with the right key passes: the key is all that was missing.
    assert forged_hash(KEY, head["hash"], event, at) != forged


def test_a_server_with_another_key_trusts_nothing(world: World) -> None:
    other = Security(
        settings_for(world.url, world.settings.home, secret_key=OTHER_KEY), world.security.app
    )
    result = other.verify(OPERATOR)
    assert not result.ok and result.broken_seq == 1


def test_cutting_off_the_end_is_found_with_a_recorded_head(world: World) -> None:
    recorded = verify(world)
    anchor = f"{recorded.head_seq}:{recorded.head_hash}"
    assert verify(world, anchor).ok
    world.security.deny("nils", "api", "document.read", "later entry")
    assert verify(world, anchor).ok  # the log grew: the recorded head is still in it
    drop_triggers(world)
    sql(world, "DELETE FROM security_audit WHERE seq >= :s", s=recorded.head_seq - 1)
    assert verify(world).ok  # a chain alone cannot tell
    result = verify(world, anchor)
    assert not result.ok and result.broken_seq == recorded.head_seq
    assert "cut off" in (result.reason or "")


def test_a_rewritten_head_is_found(world: World) -> None:
    head = world.head()
    anchor = f"{head}:{'0' * 64}"
    result = verify(world, anchor)
    assert not result.ok and result.broken_seq == head
    assert "rewritten" in (result.reason or "")


# Superscript two and Arabic-Indic one are digits to str.isdigit; the first crashed int() (a 500
# over HTTP) before.
MALFORMED = ["", "12", "x:abc", "0:" + "a" * 64, "5:" + "a" * 63]
MALFORMED += [digit + ":" + "a" * 64 for digit in ("\u00b2", "\u0661")]


@pytest.mark.parametrize("anchor", MALFORMED)
def test_a_malformed_head_is_refused(world: World, anchor: str) -> None:
    if not anchor:
        assert verify(world, anchor).ok  # empty: no anchor
        return
    with pytest.raises(InvalidInput, match="SEQ:HASH"):
        verify(world, anchor)


# -- export ----------------------------------------------------------------------------------------


def _audit_key(master: str) -> bytes:
    """The audit key as docs/security.md describes it (HKDF-SHA256, salt "econsec", info
    "audit"), derived here without econsec's code."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"econsec", info=b"audit").derive(
        master.encode()
    )


def _rechain(entries: list[dict[str, Any]], master: str) -> None:
    """Check the exported chain link by link, independently of econsec's verify."""
    key = _audit_key(master)
    previous = "0" * 64
    for n, entry in enumerate(entries, start=1):
        assert entry["seq"] == n and entry["prev_hash"] == previous
        fields = [entry[c] for c in audit.COLUMNS[:-2]]
        record = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hmac.new(key, previous.encode() + record.encode(), hashlib.sha256).hexdigest()
        assert digest == entry["hash"], n
        previous = entry["hash"]


def test_the_json_export_holds_the_whole_chain(world: World) -> None:
    before = world.head()
    lines = "".join(world.security.export(OPERATOR, "json")).splitlines()
    entries = [json.loads(line) for line in lines]
    # The export is audited before it is written, so it includes its own entry.
    assert len(entries) == before + 1 == world.head()
    assert entries[-1]["action"] == "audit.export" and entries[-1]["detail"] == {"format": "json"}
    _rechain(entries, KEY)


def test_the_csv_export_matches_the_json_export(world: World) -> None:
    rows = list(csv.DictReader(io.StringIO("".join(world.security.export(OPERATOR, "csv")))))
    entries = [
        json.loads(line) for line in "".join(world.security.export(OPERATOR, "json")).splitlines()
    ]
    assert len(rows) == len(entries) - 1 == world.head() - 1
    for got, want in zip(rows, entries, strict=False):
        assert int(got["seq"]) == want["seq"]
        assert json.loads(got["detail"]) == want["detail"]
        for column in ("at", "actor", "action", "outcome", "prev_hash", "hash"):
            assert got[column] == str(want[column]), column
        for column in ("target", "workspace", "level"):
            assert got[column] == (want[column] or ""), column


def test_an_export_in_an_unknown_format_is_refused_and_not_logged(world: World) -> None:
    head = world.head()
    with pytest.raises(InvalidInput):
        list(world.security.export(OPERATOR, "xml"))
    assert world.head() == head


def test_a_store_reopened_with_the_key_verifies(world: World) -> None:
    """Nothing of the chain lives in the process: a new store and service verify it."""
    again = Security(world.settings, open_app_store(world.url))
    try:
        assert again.verify(OPERATOR).entries == world.head()
    finally:
        again.app.dispose()
