"""Who may do what, and the SQL that decides what an actor may see.

**Access to a record** = the actor is a member of the record's workspace AND holds a clearance
whose level is at least the record's AND that clearance is valid now (not before its start, not
after its end, not revoked), AND the account is enabled. No role bypasses this: an admin manages
users and workspaces but reads a document only as any other member would.

**Rights of roles** (beyond reading what access allows):

=========== ================================================================================
role        rights
=========== ================================================================================
admin       manage users, grant and revoke clearances, create workspaces, manage members,
            write, downgrade, read the audit log
official    grant and revoke clearances, create workspaces, manage members, write, downgrade
reviewer    write
analyst     write
researcher  write
observer    (read only)
=========== ================================================================================

Members are managed by an admin, or by an official who is a member of the workspace. A writer
cannot file a record above their own clearance; a downgrade needs the ``downgrade`` right, access
to the record, and a reason.

:func:`visible_documents` is the one filter every list, count, search and export query uses; it
is evaluated by the database, so nothing is fetched and then discarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute

from econsec.council.models import Document, Member
from econsec.errors import InvalidInput
from econsec.security.models import ROLES, Clearance, User

RIGHTS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "manage_users",
            "grant_clearance",
            "create_workspace",
            "manage_members",
            "write",
            "downgrade",
            "audit",
            "decide",
        }
    ),
    "official": frozenset(
        {"grant_clearance", "create_workspace", "manage_members", "write", "downgrade", "decide"}
    ),
    "reviewer": frozenset({"write"}),
    "analyst": frozenset({"write"}),
    "researcher": frozenset({"write"}),
    "observer": frozenset(),
}
assert set(RIGHTS) == set(ROLES)


@dataclass(frozen=True)
class Levels:
    """The ordered classification levels (``ECONSEC_CLASSIFICATION_LEVELS``)."""

    names: tuple[str, ...]

    def rank(self, level: str) -> int:
        """The level's position, lowest 0; InvalidInput for an unknown level."""
        try:
            return self.names.index(level)
        except ValueError:
            raise InvalidInput(
                f"unknown classification level {level!r} (levels: {', '.join(self.names)})"
            ) from None


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (by id and name) with a role, through a channel (cli, api, web)."""

    user_id: int
    name: str
    role: str
    channel: str

    def may(self, right: str) -> bool:
        """Whether the actor's role holds ``right``."""
        return right in RIGHTS.get(self.role, frozenset())


def clearance_rank(user_id: int | InstrumentedAttribute[int], now: datetime) -> ColumnElement[int]:
    """SQL: the highest level rank of the user's clearances valid at ``now`` (-1 if none)."""
    best = (
        select(func.max(Clearance.level_rank))
        .where(
            Clearance.user_id == user_id,
            Clearance.revoked_at.is_(None),
            Clearance.valid_from <= now,
            Clearance.valid_until > now,
        )
        .scalar_subquery()
    )
    return func.coalesce(best, -1)


def member_of(user_id: int, workspace_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """SQL: the user is a member of the workspace."""
    return exists().where(Member.user_id == user_id, Member.workspace_id == workspace_id)


def enabled(user_id: int) -> ColumnElement[bool]:
    """SQL: the user's account exists and is not disabled (checked in every query, so an actor
    held across the disabling of its account can do nothing more)."""
    return exists().where(User.id == user_id, User.disabled.is_(False))


def visible_documents(actor: Actor, now: datetime) -> ColumnElement[bool]:
    """SQL: the documents ``actor`` may see at ``now`` (enabled account AND membership AND valid
    clearance >= level). The account is checked here too, not only when the actor is resolved,
    so an actor held across the disabling of its account sees nothing."""
    return and_(
        enabled(actor.user_id),
        member_of(actor.user_id, Document.workspace_id),
        Document.level_rank <= clearance_rank(actor.user_id, now),
    )
