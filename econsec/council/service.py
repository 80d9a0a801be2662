"""Council workspaces and their classified documents: the one way to read or change them.

Each function takes the :class:`~econsec.security.policy.Actor`, checks its rights, filters in
SQL with :func:`~econsec.security.policy.visible_documents`, and appends to the audit log in the
same transaction. A document the actor may not see is reported exactly like one that does not
exist (``NotFound``, HTTP 404), and the refusal is audited; so is a workspace the actor is not a
member of. Contents and extracted text are encrypted at rest; the search index holds keyed
digests of words only.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from econsec.council.extract import extract_text
from econsec.council.models import Document, Member, Term, Version, Workspace
from econsec.council.search import snippet, terms
from econsec.errors import AccessDenied, Conflict, InvalidInput, NotFound
from econsec.security.models import User
from econsec.security.policy import (
    Actor,
    clearance_rank,
    enabled,
    member_of,
    visible_documents,
)
from econsec.security.service import Security
from econsec.store.app import MAX_ID, utcnow

MAX_BYTES = 200 * 1024 * 1024
MAX_PAGE = 1000


@dataclass(frozen=True)
class Page:
    """One page of a filtered listing, with the total the actor may see."""

    total: int
    items: list[dict[str, Any]]


class Council:
    """Workspaces, members and documents, through the security service."""

    def __init__(self, security: Security) -> None:
        self.security = security
        self.levels = security.levels

    # -- helpers ---------------------------------------------------------------------------------

    def _workspace(self, session: Session, actor: Actor, name: str, action: str) -> Workspace:
        """The workspace, if the actor is a member (admins: any); else NotFound, audited."""
        query = select(Workspace).where(Workspace.name == name, enabled(actor.user_id))
        if actor.role != "admin":
            query = query.where(member_of(actor.user_id, Workspace.id))
        workspace = session.scalars(query).first()
        if workspace is None:
            self.security.deny(
                actor.name, actor.channel, action, "no such workspace or not a member", target=name
            )
            raise NotFound(f"no workspace {name!r}")
        return workspace

    def _document(
        self, session: Session, actor: Actor, document_id: int, action: str
    ) -> tuple[Document, str]:
        """The document and its workspace name, if visible; else NotFound, audited."""
        row = None
        if 1 <= document_id <= MAX_ID:
            row = session.execute(
                select(Document, Workspace.name)
                .join(Workspace, Workspace.id == Document.workspace_id)
                .where(Document.id == document_id, visible_documents(actor, utcnow()))
            ).first()
        if row is None:
            self.security.deny(
                actor.name,
                actor.channel,
                action,
                "not found or not visible",
                target=f"document:{document_id}",
            )
            raise NotFound(f"no document {document_id}")
        return row[0], row[1]

    def _own_rank(self, session: Session, actor: Actor) -> int:
        rank = session.scalar(select(clearance_rank(actor.user_id, utcnow())))
        return int(rank) if rank is not None else -1

    # -- workspaces ----------------------------------------------------------------------------

    def create_workspace(self, actor: Actor, name: str, title: str = "") -> dict[str, Any]:
        """A new workspace; its creator is its first member."""
        self.security.require(actor, "create_workspace", "workspace.create")
        if not name or len(name) > 100 or not name.replace("-", "").replace("_", "").isalnum():
            raise InvalidInput("a workspace name is 1-100 letters, digits, '-' or '_'")

        def work(session: Session) -> dict[str, Any]:
            if session.scalars(select(Workspace.id).where(Workspace.name == name)).first():
                raise Conflict(f"workspace {name!r} exists")
            workspace = Workspace(
                name=name, title=title or name, created_by=actor.name, created_at=utcnow()
            )
            session.add(workspace)
            session.flush()
            session.add(
                Member(
                    workspace_id=workspace.id,
                    user_id=actor.user_id,
                    added_by=actor.name,
                    added_at=utcnow(),
                )
            )
            self.security.log(
                session, actor.name, actor.channel, "workspace.create", workspace=name
            )
            return {"name": name, "title": workspace.title, "members": [actor.name]}

        return self.security.run(work)

    def add_member(self, actor: Actor, workspace_name: str, user_name: str) -> None:
        """Make a user a member (admins, or officials who are members)."""
        self.security.require(actor, "manage_members", "workspace.add_member")

        def work(session: Session) -> None:
            workspace = self._workspace(session, actor, workspace_name, "workspace.add_member")
            user = session.scalars(select(User).where(User.name == user_name)).first()
            if user is None:
                raise NotFound(f"no user {user_name!r}")
            if session.get(Member, (workspace.id, user.id)) is None:
                session.add(
                    Member(
                        workspace_id=workspace.id,
                        user_id=user.id,
                        added_by=actor.name,
                        added_at=utcnow(),
                    )
                )
            self.security.log(
                session,
                actor.name,
                actor.channel,
                "workspace.add_member",
                target=user_name,
                workspace=workspace_name,
            )

        self.security.run(work)

    def remove_member(self, actor: Actor, workspace_name: str, user_name: str) -> None:
        """End a user's membership (the need-to-know ends with it)."""
        self.security.require(actor, "manage_members", "workspace.remove_member")

        def work(session: Session) -> None:
            workspace = self._workspace(session, actor, workspace_name, "workspace.remove_member")
            user = session.scalars(select(User).where(User.name == user_name)).first()
            if user is None:
                raise NotFound(f"no user {user_name!r}")
            session.execute(
                delete(Member).where(Member.workspace_id == workspace.id, Member.user_id == user.id)
            )
            self.security.log(
                session,
                actor.name,
                actor.channel,
                "workspace.remove_member",
                target=user_name,
                workspace=workspace_name,
            )

        self.security.run(work)

    def workspaces(self, actor: Actor) -> list[dict[str, Any]]:
        """The workspaces the actor is a member of (admins: all), with member names."""
        query = select(Workspace).where(enabled(actor.user_id)).order_by(Workspace.name)
        if actor.role != "admin":
            query = query.where(member_of(actor.user_id, Workspace.id))
        with self.security.session() as session:
            out = []
            for workspace in session.scalars(query):
                members = session.scalars(
                    select(User.name)
                    .join(Member, Member.user_id == User.id)
                    .where(Member.workspace_id == workspace.id)
                    .order_by(User.name)
                )
                out.append(
                    {"name": workspace.name, "title": workspace.title, "members": list(members)}
                )
            return out

    # -- documents ------------------------------------------------------------------------------

    def put(
        self,
        actor: Actor,
        workspace_name: str,
        data: bytes,
        filename: str,
        *,
        title: str,
        level: str,
        media_type: str | None = None,
        kind: str = "file",
    ) -> dict[str, Any]:
        """File a document (or a note) into a workspace at a level, as version 1."""
        self.security.require(actor, "write", "document.create")
        rank = self.levels.rank(level)
        if not title.strip():
            raise InvalidInput("a document needs a title")
        extracted = self._extract(data, filename, media_type)

        def work(session: Session) -> dict[str, Any]:
            workspace = self._workspace(session, actor, workspace_name, "document.create")
            if rank > self._own_rank(session, actor):
                self.security.deny(
                    actor.name, actor.channel, "document.create", "above own clearance", level=level
                )
                raise AccessDenied(f"you may not file above your own valid clearance ({level})")
            now = utcnow()
            document = Document(
                workspace_id=workspace.id,
                title=title.strip(),
                kind=kind,
                level=level,
                level_rank=rank,
                version=1,
                created_by=actor.name,
                created_at=now,
                updated_at=now,
            )
            session.add(document)
            session.flush()
            self._store_version(session, actor, document, 1, data, filename, extracted)
            self.security.log(
                session,
                actor.name,
                actor.channel,
                "document.create",
                target=f"document:{document.id}",
                workspace=workspace_name,
                level=level,
                size=len(data),
            )
            return document.as_dict(workspace_name)

        return self.security.run(work)

    def put_note(
        self, actor: Actor, workspace_name: str, *, title: str, level: str, text: str
    ) -> dict[str, Any]:
        """File a structured note (text) into a workspace."""
        return self.put(
            actor,
            workspace_name,
            text.encode("utf-8"),
            "note.md",
            title=title,
            level=level,
            media_type="text/markdown",
            kind="note",
        )

    def add_version(
        self, actor: Actor, document_id: int, data: bytes, filename: str
    ) -> dict[str, Any]:
        """A new version of a visible document (the search index follows the new text)."""
        self.security.require(actor, "write", "document.version")
        extracted = self._extract(data, filename, None)

        def work(session: Session) -> dict[str, Any]:
            document, workspace = self._document(session, actor, document_id, "document.version")
            document.version += 1
            document.updated_at = utcnow()
            self._store_version(
                session, actor, document, document.version, data, filename, extracted
            )
            self.security.log(
                session,
                actor.name,
                actor.channel,
                "document.version",
                target=f"document:{document.id}",
                workspace=workspace,
                level=document.level,
                version=document.version,
            )
            return document.as_dict(workspace)

        return self.security.run(work)

    def _extract(self, data: bytes, filename: str, media_type: str | None) -> Any:
        if not data:
            raise InvalidInput(f"{filename}: empty file")
        if len(data) > MAX_BYTES:
            raise InvalidInput(f"{filename}: larger than {MAX_BYTES // 2**20} MB")
        return extract_text(data, filename, media_type)

    def _store_version(
        self,
        session: Session,
        actor: Actor,
        document: Document,
        number: int,
        data: bytes,
        filename: str,
        extracted: Any,
    ) -> None:
        keys = self.security.keys
        context = f"document:{document.id}:v{number}"
        session.add(
            Version(
                document_id=document.id,
                version=number,
                filename=filename,
                media_type=extracted.media_type
                or mimetypes.guess_type(filename)[0]
                or "application/octet-stream",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                content=keys.encrypt(data, context),
                text=keys.encrypt(extracted.text.encode("utf-8"), context + ":text"),
                created_by=actor.name,
                created_at=utcnow(),
            )
        )
        session.execute(delete(Term).where(Term.document_id == document.id))
        digests = {keys.term(t) for t in terms(f"{document.title}\n{extracted.text}")}
        session.add_all(Term(term=d, document_id=document.id) for d in digests)

    def documents(
        self, actor: Actor, workspace: str | None = None, *, limit: int = 100, offset: int = 0
    ) -> Page:
        """The documents the actor may see (newest first), with their total."""
        if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= MAX_ID:
            raise InvalidInput(f"limit must be 1-{MAX_PAGE} and offset 0-{MAX_ID}")
        visible = visible_documents(actor, utcnow())
        query = (
            select(Document, Workspace.name)
            .join(Workspace, Workspace.id == Document.workspace_id)
            .where(visible)
        )
        count = select(func.count()).select_from(Document).where(visible)
        with self.security.session() as session:
            if workspace is not None:
                ws = self._workspace(session, actor, workspace, "document.list")
                query = query.where(Document.workspace_id == ws.id)
                count = count.where(Document.workspace_id == ws.id)
            total = int(session.scalar(count) or 0)
            rows = session.execute(query.order_by(Document.id.desc()).limit(limit).offset(offset))
            items = [doc.as_dict(ws_name) for doc, ws_name in rows]
        self.security.record(
            actor.name, actor.channel, "document.list", workspace=workspace, shown=len(items)
        )
        return Page(total, items)

    def get(self, actor: Actor, document_id: int) -> dict[str, Any]:
        """A visible document's metadata and versions (audited as a read)."""

        def work(session: Session) -> dict[str, Any]:
            document, workspace = self._document(session, actor, document_id, "document.read")
            versions = session.scalars(
                select(Version).where(Version.document_id == document.id).order_by(Version.version)
            )
            data = document.as_dict(workspace)
            data["versions"] = [v.as_dict() for v in versions]
            self.security.log(
                session,
                actor.name,
                actor.channel,
                "document.read",
                target=f"document:{document.id}",
                workspace=workspace,
                level=document.level,
            )
            return data

        return self.security.run(work)

    def download(
        self, actor: Actor, document_id: int, version: int | None = None
    ) -> tuple[str, str, bytes]:
        """(file name, media type, content) of a visible document's version (audited)."""

        def work(session: Session) -> tuple[str, str, bytes]:
            document, workspace = self._document(session, actor, document_id, "document.download")
            number = version or document.version
            stored = session.get(Version, (document.id, number)) if 1 <= number <= MAX_ID else None
            if stored is None:
                raise NotFound(f"document {document_id} has no version {number}")
            content = self.security.keys.decrypt(
                stored.content, f"document:{document.id}:v{number}"
            )
            self.security.log(
                session,
                actor.name,
                actor.channel,
                "document.download",
                target=f"document:{document.id}",
                workspace=workspace,
                level=document.level,
                version=number,
            )
            return stored.filename, stored.media_type, content

        return self.security.run(work)

    def search(
        self, actor: Actor, query: str, workspace: str | None = None, *, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Documents the actor may see whose title or text holds every word of ``query``,
        with a snippet around the first match."""
        words = terms(query)
        if not words or len(query) > 500:
            raise InvalidInput("a search needs a word of two letters (or two characters)")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be 1-{MAX_PAGE}")
        digests = [self.security.keys.term(w) for w in words]
        matching = (
            select(Term.document_id)
            .where(Term.term.in_(digests))
            .group_by(Term.document_id)
            .having(func.count(Term.term) == len(digests))
        )
        statement = (
            select(Document, Workspace.name)
            .join(Workspace, Workspace.id == Document.workspace_id)
            .where(Document.id.in_(matching), visible_documents(actor, utcnow()))
            .order_by(Document.id.desc())
            .limit(limit)
        )
        out = []
        with self.security.session() as session:
            if workspace is not None:
                ws = self._workspace(session, actor, workspace, "document.search")
                statement = statement.where(Document.workspace_id == ws.id)
            for document, ws_name in session.execute(statement):
                stored = session.get(Version, (document.id, document.version))
                assert stored is not None
                text = self.security.keys.decrypt(
                    stored.text, f"document:{document.id}:v{document.version}:text"
                ).decode("utf-8")
                item = document.as_dict(ws_name)
                item["snippet"] = snippet(f"{document.title}\n{text}", query)
                out.append(item)
        self.security.record(
            actor.name,
            actor.channel,
            "document.search",
            workspace=workspace,
            results=len(out),
            targets=[f"document:{d['id']}" for d in out],
        )
        return out

    def downgrade(self, actor: Actor, document_id: int, level: str, reason: str) -> dict[str, Any]:
        """Lower a visible document's level, with a reason (``downgrade`` right)."""
        self.security.require(actor, "downgrade", "document.downgrade")
        rank = self.levels.rank(level)
        if not reason.strip():
            raise InvalidInput("a downgrade needs a reason")

        def work(session: Session) -> dict[str, Any]:
            document, workspace = self._document(session, actor, document_id, "document.downgrade")
            if rank >= document.level_rank:
                raise InvalidInput(f"{level} is not below the document's level {document.level}")
            before = document.level
            document.level, document.level_rank = level, rank
            document.updated_at = utcnow()
            self.security.log(
                session,
                actor.name,
                actor.channel,
                "document.downgrade",
                target=f"document:{document.id}",
                workspace=workspace,
                level=level,
                previous_level=before,
                reason=reason.strip(),
            )
            return document.as_dict(workspace)

        return self.security.run(work)
