"""The audit log: append-only and hash-chained.

Every entry's ``hash`` is an HMAC (key derived from ``ECONSEC_SECRET_KEY``) over the previous
entry's hash and the entry's own fields, its sequence number included. So:

* changing any field of an entry breaks its own hash;
* deleting, inserting or reordering entries breaks the next entry's ``prev_hash`` link;
* recomputing the chain after an edit needs the key, which the database does not hold.

The database refuses UPDATE and DELETE on the table (triggers, SQLite and PostgreSQL), and
``prev_hash`` is unique, so two writers cannot both extend the same head: the second fails and
its transaction is retried (:func:`econsec.security.service.transaction`).

:func:`verify` walks the chain and names the first broken entry. A hash chain cannot show that
entries were cut off at the *end*: ``econsec audit verify`` prints the head (sequence number and
hash) so that it can be recorded elsewhere; ``--expect-head SEQ:HASH`` then checks that the log
still holds that entry unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from econsec.errors import InvalidInput
from econsec.security.crypto import Keys
from econsec.security.models import AuditEvent
from econsec.store.app import utcnow

GENESIS = "0" * 64
COLUMNS = (
    "seq",
    "at",
    "actor",
    "channel",
    "action",
    "outcome",
    "target",
    "workspace",
    "level",
    "detail",
    "prev_hash",
    "hash",
)


def _record(
    seq: int,
    at: datetime,
    actor: str,
    channel: str,
    action: str,
    outcome: str,
    target: str | None,
    workspace: str | None,
    level: str | None,
    detail: dict[str, Any],
) -> bytes:
    fields = [
        seq,
        at.isoformat(timespec="microseconds"),
        actor,
        channel,
        action,
        outcome,
        target,
        workspace,
        level,
        detail,
    ]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def append(
    session: Session,
    keys: Keys,
    *,
    actor: str,
    channel: str,
    action: str,
    outcome: str = "ok",
    target: str | None = None,
    workspace: str | None = None,
    level: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an entry in ``session``'s transaction (committed with the change it records)."""
    # One writer extends the chain at a time: take the database's write lock before reading
    # the head, so the head read is the head written after.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(2026112901)"))
    else:  # SQLite: a write statement (matching no row) takes the write lock, waiting if needed
        session.execute(text("UPDATE security_audit SET seq = seq WHERE 0 = 1"))
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, previous = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at = utcnow()
    detail = detail or {}
    record = _record(seq, at, actor, channel, action, outcome, target, workspace, level, detail)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        channel=channel,
        action=action,
        outcome=outcome,
        target=target,
        workspace=workspace,
        level=level,
        detail=detail,
        prev_hash=previous,
        hash=keys.chain(previous, record),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain."""

    ok: bool
    entries: int
    head_seq: int | None
    head_hash: str | None
    broken_seq: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "broken_seq": self.broken_seq,
            "reason": self.reason,
        }


def parse_anchor(value: str) -> tuple[int, str]:
    """``SEQ:HASH`` (a head printed by an earlier verify) as (seq, hash)."""
    seq, _, digest = value.strip().partition(":")
    if not (seq.isascii() and seq.isdigit()) or int(seq) < 1 or len(digest) != 64:
        raise InvalidInput(
            f"an audit head is SEQ:HASH as `econsec audit verify` prints it, got {value!r}"
        )
    return int(seq), digest.lower()


def verify(session: Session, keys: Keys, anchor: tuple[int, str] | None = None) -> Verification:
    """Walk the whole chain; the first entry whose link or hash does not hold, if any.

    ``anchor`` is a head recorded earlier (seq, hash): the chain must still hold that entry with
    that hash, which shows entries cut off at the end (a chain alone cannot)."""
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    # Closed on every way out: on PostgreSQL yield_per holds a server-side cursor open.
    with closing(session.scalars(query)) as rows:
        return _walk(rows, keys, anchor)


def _walk(rows: Iterable[AuditEvent], keys: Keys, anchor: tuple[int, str] | None) -> Verification:
    anchor_hash: str | None = None
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    last: AuditEvent | None = None
    for event in rows:
        count += 1
        if event.seq != expected_seq:
            return _broken(count, last, event.seq, f"sequence jumps from {expected_seq - 1}")
        if event.prev_hash != expected_prev:
            why = "link to the previous entry broken (an entry was removed, inserted or moved)"
            return _broken(count, last, event.seq, why)
        record = _record(
            event.seq,
            event.at,
            event.actor,
            event.channel,
            event.action,
            event.outcome,
            event.target,
            event.workspace,
            event.level,
            event.detail,
        )
        if keys.chain(event.prev_hash, record) != event.hash:
            return _broken(count, last, event.seq, "entry altered (its hash does not match)")
        expected_prev = event.hash
        expected_seq += 1
        last = event
        if anchor is not None and event.seq == anchor[0]:
            anchor_hash = event.hash
    if anchor is not None and anchor_hash != anchor[1]:
        why = (
            f"the recorded head {anchor[0]} is gone: entries were cut off at the end"
            if anchor_hash is None
            else f"entry {anchor[0]} is not the recorded head (the log was rewritten)"
        )
        return _broken(count, last, anchor[0], why)
    return Verification(True, count, last.seq if last else None, last.hash if last else None)


def _broken(count: int, last: AuditEvent | None, seq: int, reason: str) -> Verification:
    return Verification(
        False,
        count,
        last.seq if last else None,
        last.hash if last else None,
        broken_seq=seq,
        reason=reason,
    )


def events(session: Session) -> Iterator[AuditEvent]:
    """Every entry in chain order."""
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    with closing(session.scalars(query)) as rows:
        yield from rows


def export_csv(session: Session) -> Iterator[str]:
    """The log as CSV text, a chunk per row (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for event in events(session):
        data = event.as_dict()
        data["detail"] = json.dumps(data["detail"], sort_keys=True, ensure_ascii=False)
        writer.writerow([data[c] for c in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
