"""Tables of Council workspaces, their members and their documents (migration 0003)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from econsec.store.app import Base, UTCDateTime, utcnow


class Workspace(Base):
    """A compartment: a Council or a project, with its members."""

    __tablename__ = "council_workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Member(Base):
    """A user's membership of a workspace (need-to-know)."""

    __tablename__ = "council_members"
    __table_args__ = (Index("ix_council_members_user", "user_id", "workspace_id"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("council_workspaces.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("security_users.id"), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Document(Base):
    """A classified document or note in a workspace (its versions hold the content)."""

    __tablename__ = "council_documents"
    __table_args__ = (Index("ix_council_documents_access", "workspace_id", "level_rank", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("council_workspaces.id"))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))  # file | note
    level: Mapped[str] = mapped_column(String(40))
    level_rank: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self, workspace: str) -> dict[str, Any]:
        """The metadata an authorised reader sees."""
        return {
            "id": self.id,
            "workspace": workspace,
            "title": self.title,
            "kind": self.kind,
            "level": self.level,
            "version": self.version,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


class Version(Base):
    """One version of a document: encrypted content and extracted text."""

    __tablename__ = "council_versions"

    document_id: Mapped[int] = mapped_column(ForeignKey("council_documents.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """Metadata of the version (never the content)."""
        return {
            "version": self.version,
            "filename": self.filename,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


class Term(Base):
    """Blind search index: a keyed digest of a word of a document's current version."""

    __tablename__ = "council_terms"
    __table_args__ = (Index("ix_council_terms_document", "document_id"),)

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("council_documents.id"), primary_key=True)
