"""Tables of cases, their history and their clocks (migration 0005)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from econsec.store.app import Base, UTCDateTime, utcnow


class Case(Base):
    """A case of a workflow, in a Council workspace at a classification level (who may see it
    follows the Council's rule: member of the workspace, valid clearance at or above the level)."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_access", "workspace_id", "level_rank", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow: Mapped[str] = mapped_column(String(40), index=True)
    reference: Mapped[str] = mapped_column(String(200))  # the filing's own number
    title: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(40), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("council_workspaces.id"))
    level: Mapped[str] = mapped_column(String(40))
    level_rank: Mapped[int] = mapped_column(Integer)
    assignee: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    opened_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseEvent(Base):
    """One change of a case, in order: opening, transitions, extensions, assignments."""

    __tablename__ = "case_events"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # open | transition | extend | assign
    name: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    on: Mapped[date] = mapped_column(Date)  # the day it took effect (a filing's receipt day)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseClock(Base):
    """A statutory clock of a case: started on a day, due on a day (as extended), stopped."""

    __tablename__ = "case_clocks"
    __table_args__ = (Index("ix_case_clocks_due", "stopped_on", "due"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_on: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(20))  # as extended, e.g. "30 days", "4 months"
    due: Mapped[date] = mapped_column(Date)
    limit_due: Mapped[date | None] = mapped_column(Date)  # the furthest an extension may go
    stopped_on: Mapped[date | None] = mapped_column(Date)


class CaseAttachment(Base):
    """A Council document attached to a case (migration 0006). Who may read it stays the
    Council's rule: a case's reader sees only the attachments they may see themselves."""

    __tablename__ = "case_attachments"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("council_documents.id"), primary_key=True)
    attached_by: Mapped[str] = mapped_column(String(100))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseNotification(Base):
    """A notification to a user about a case (migration 0007): a change by someone else, or a
    clock due soon or overdue. ``key`` makes a reminder once per case, clock, due day and kind.
    ``emailed_at`` is set once it was sent by e-mail (when SMTP is configured)."""

    __tablename__ = "case_notifications"
    __table_args__ = (Index("ix_case_notifications_user", "user", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DesignatedOperator(Base):
    """An operator designated in a sector of core infrastructure (ESPA Art. 50; migration
    0008): only a designated operator files installation plans in that sector."""

    __tablename__ = "case_operators"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    sector: Mapped[str] = mapped_column(String(60), primary_key=True)
    designated_on: Mapped[date] = mapped_column(Date)
    designated_by: Mapped[str] = mapped_column(String(100))
    revoked_on: Mapped[date | None] = mapped_column(Date)
