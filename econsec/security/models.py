"""Tables of users, clearances, sign-in tokens and the audit log (migration 0003)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from econsec.store.app import Base, UTCDateTime, utcnow

ROLES = ("admin", "official", "reviewer", "analyst", "researcher", "observer")


class User(Base):
    """A person who signs in (or is named as the actor of a CLI command)."""

    __tablename__ = "security_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    language: Mapped[str | None] = mapped_column(String(8))  # the web pages' (migration 0004)
    email: Mapped[str | None] = mapped_column(String(200))  # for notifications (migration 0007)

    def as_dict(self) -> dict[str, Any]:
        """Public fields (never the password hash)."""
        return {
            "name": self.name,
            "role": self.role,
            "language": self.language,
            "email": self.email,
            "disabled": self.disabled,
            "can_sign_in": self.password_hash is not None,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


class Clearance(Base):
    """A security clearance: a level, who granted it, until when; revocable."""

    __tablename__ = "security_clearances"
    __table_args__ = (Index("ix_security_clearances_user", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("security_users.id"))
    level: Mapped[str] = mapped_column(String(40))
    level_rank: Mapped[int] = mapped_column(Integer)
    granted_by: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())  # exclusive
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "level": self.level,
            "granted_by": self.granted_by,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


class Token(Base):
    """A sign-in session or API token, stored as a keyed digest."""

    __tablename__ = "security_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("security_users.id"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """One entry of the hash-chained, append-only audit log."""

    __tablename__ = "security_audit"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10))  # cli | api | web | system
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(10))  # ok | denied | failed
    target: Mapped[str | None] = mapped_column(String(200))
    workspace: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, in chain order."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "channel": self.channel,
            "action": self.action,
            "outcome": self.outcome,
            "target": self.target,
            "workspace": self.workspace,
            "level": self.level,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }
