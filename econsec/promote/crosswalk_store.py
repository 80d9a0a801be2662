"""Users' edits of the crosswalk to Japan's areas, kept as append-only records (migration 0009).

An edit adds one of Japan's areas to a technology (or re-rates a link it has, with a new
confidence), removes one, or resets the technology to its shipped links; it says who made it,
when, through which channel, why, and the technology's links before and after. Edits are never
changed or deleted (the database refuses UPDATE and DELETE on the table, as on the audit log),
and the shipped file is never written: the effective crosswalk is the shipped one with every edit
replayed in order (:func:`apply_edits`), so a reset is an edit too.

Editing needs the ``write`` right; each edit and its audit entry are written in one transaction,
and a refusal is audited (:meth:`econsec.security.service.Security.require`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from econsec.datasets.technologies import technologies
from econsec.errors import Conflict, InvalidInput
from econsec.promote.taxonomy import CONFIDENCE, JAPAN, Link, Taxonomy, build
from econsec.security.policy import Actor
from econsec.security.service import Security
from econsec.store.app import AppStore, Base, UTCDateTime, utcnow

ACTIONS = ("add", "remove", "reset")
ACTION = "promote.crosswalk.edit"  # the audit log's action
MAX_REASON = 2000
DEFAULT_CONFIDENCE = "medium"


# -- replaying edits (pure) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edit:
    """One stored crosswalk edit, as replayed: ``add`` (or re-rate) or ``remove`` one area, or
    ``reset`` the technology to its shipped links."""

    id: int
    technology: str  # LIST:ID
    action: str  # add | remove | reset
    area: str | None
    confidence: str | None
    reason: str


def replay(shipped: Sequence[Link], edits: Iterable[Edit]) -> tuple[Link, ...]:
    """The links of one technology after ``edits`` (in order) on its ``shipped`` links."""
    links = list(shipped)
    for edit in edits:
        if edit.action == "reset":
            links = list(shipped)
            continue
        kept = [link for link in links if link.area != edit.area]
        if edit.action == "add" and edit.area is not None:
            confidence = edit.confidence or DEFAULT_CONFIDENCE
            made = Link(edit.area, confidence, "edit", edit.reason, edit.id)
            # A re-rated link keeps its place; a new one goes last.
            at = next((i for i, link in enumerate(links) if link.area == edit.area), len(kept))
            kept.insert(at, made)
        links = kept
    return tuple(links)


def apply_edits(taxonomy: Taxonomy, edits: Sequence[Edit]) -> Taxonomy:
    """The effective taxonomy: the shipped links with ``edits`` applied in order (by id).

    Edits naming a technology or an area the taxonomy no longer holds (a newer file) are kept
    aside in ``orphans`` rather than applied."""
    by_key: dict[str, list[Edit]] = {}
    orphans = []
    keys = {t.key for t in taxonomy.technologies}
    for edit in sorted(edits, key=lambda e: e.id):
        if edit.technology not in keys or (edit.area and edit.area not in taxonomy.areas):
            orphans.append({"edit": edit.id, "technology": edit.technology, "area": edit.area})
            continue
        by_key.setdefault(edit.technology, []).append(edit)
    technologies = []
    for t in taxonomy.technologies:
        if t.key in by_key:
            links = replay(t.links, by_key[t.key])
            t = replace(t, links=links, edited=links != t.links)
        technologies.append(t)
    return replace(taxonomy, technologies=tuple(technologies), orphans=tuple(orphans))


# -- the stored edits ---------------------------------------------------------------------------


class CrosswalkEdit(Base):
    """One edit of one technology's crosswalk (append-only)."""

    __tablename__ = "promote_crosswalk_edits"
    __table_args__ = (Index("ix_promote_crosswalk_edits_technology", "technology", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    technology: Mapped[str] = mapped_column(String(200))  # LIST:ID
    action: Mapped[str] = mapped_column(String(10))  # add | remove | reset
    area: Mapped[str | None] = mapped_column(String(60))
    confidence: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    before: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: The shipped taxonomy edited: dataset version (or file checksum) and its as_of month.
    shipped: Mapped[str | None] = mapped_column(String(200))

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "technology": self.technology,
            "action": self.action,
            "area": self.area,
            "confidence": self.confidence,
            "reason": self.reason,
            "actor": self.actor,
            "channel": self.channel,
            "at": self.at.isoformat(),
            "before": self.before,
            "after": self.after,
            "shipped": self.shipped,
        }

    def replayed(self) -> Edit:
        """The edit as :func:`replay` takes it."""
        return Edit(self.id, self.technology, self.action, self.area, self.confidence, self.reason)


def _snapshot(links: tuple[Link, ...]) -> list[dict[str, Any]]:
    return [{"area": k.area, "confidence": k.confidence, "origin": k.origin} for k in links]


def _shipped_label(taxonomy: Taxonomy) -> str | None:
    p = taxonomy.provenance
    made = p.get("version") or (f"sha256:{p['checksum'][:16]}" if p.get("checksum") else None)
    return f"{made} (as of {taxonomy.as_of})" if made else None


class CrosswalkEdits:
    """The stored edits over one app store, through its :class:`Security` (audit, rights)."""

    def __init__(self, security: Security) -> None:
        self.security = security

    def edits(self) -> list[Edit]:
        """Every edit, in the order made."""
        return stored_edits(self.security.app)

    def effective(self, shipped: Taxonomy) -> Taxonomy:
        """The shipped taxonomy with every edit applied."""
        return apply_edits(shipped, self.edits())

    def edit(
        self,
        actor: Actor,
        shipped: Taxonomy,
        technology: str,
        action: str,
        *,
        reason: str,
        area: str | None = None,
        confidence: str | None = None,
    ) -> dict[str, Any]:
        """Record one edit of ``technology``'s links (``add``/``remove`` ``area``, or
        ``reset``), with the actor's reason; the stored edit as a dict.

        Refused with AccessDenied (audited) without the ``write`` right, InvalidInput for a bad
        argument, Conflict when the edit would change nothing."""
        self.security.require(actor, "write", ACTION, "edit the crosswalk")
        if action not in ACTIONS:
            raise InvalidInput(f"unknown crosswalk edit {action!r}", expected=", ".join(ACTIONS))
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput("a crosswalk edit needs a reason (--reason)")
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"the reason is longer than {MAX_REASON} characters")
        if any(ord(c) < 32 and c not in "\t\n\r" for c in reason):
            # PostgreSQL stores no NUL in text; other control characters have no place either
            raise InvalidInput("the reason contains control characters")
        if confidence is not None and confidence not in CONFIDENCE:
            raise InvalidInput(f"unknown confidence {confidence!r}", expected=", ".join(CONFIDENCE))
        tech = shipped.one(technology)
        if tech.list == JAPAN:
            raise InvalidInput(
                f"{tech.key} is one of Japan's areas, which the crosswalk maps to; edit the "
                "technologies of the other lists"
            )
        if action == "reset":
            if area is not None or confidence is not None:
                raise InvalidInput("a reset takes no area or confidence")
            area_id = None
        else:
            if area is None:
                raise InvalidInput(f"{action} needs a Japan area (--{action} AREA)")
            area_id = shipped.area(area).id
        if action == "add":
            confidence = confidence or DEFAULT_CONFIDENCE
        elif action == "remove" and confidence is not None:
            raise InvalidInput("a removal takes no confidence")

        def work(session: Session) -> dict[str, Any]:
            query = select(CrosswalkEdit).where(CrosswalkEdit.technology == tech.key)
            earlier = [row.replayed() for row in session.scalars(query.order_by(CrosswalkEdit.id))]
            before = replay(tech.links, earlier)
            _check(tech.key, action, area_id, confidence, before, tech.links)
            made = Edit(0, tech.key, action, area_id, confidence, reason)
            row = CrosswalkEdit(
                technology=tech.key,
                action=action,
                area=area_id,
                confidence=confidence,
                reason=reason,
                actor=actor.name,
                channel=actor.channel,
                at=utcnow(),
                before=_snapshot(before),
                after=_snapshot(replay(tech.links, [*earlier, made])),
                shipped=_shipped_label(shipped),
            )
            session.add(row)
            session.flush()  # the edit's id, for the audit entry
            self.security.log(
                session,
                actor.name,
                actor.channel,
                ACTION,
                target=f"technology:{tech.key}",
                edit=row.id,
                change=action,
                area=area_id,
                confidence=confidence,
                reason=reason,
            )
            return row.as_dict()

        return self.security.run(work)

    def history(
        self, technology: str | None = None, shipped: Taxonomy | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """The edits of ``technology`` (``LIST:ID``, or any form ``shipped`` resolves: a bare id
        gives every list's technology of that id), or of all, oldest first; the newest
        ``limit``."""
        query = select(CrosswalkEdit)
        if technology is not None:
            keys = (
                [t.key for t in shipped.resolve(technology)]
                if shipped is not None
                else [technology]
            )
            query = query.where(CrosswalkEdit.technology.in_(keys))
        query = query.order_by(CrosswalkEdit.id.desc()).limit(max(limit, 0))
        with self.security.session() as session:
            rows = [row.as_dict() for row in session.scalars(query)]
        return rows[::-1]


def _check(
    key: str,
    action: str,
    area: str | None,
    confidence: str | None,
    before: tuple[Link, ...],
    shipped: tuple[Link, ...],
) -> None:
    """Conflict for an edit that would change nothing."""
    present = {link.area: link for link in before}
    if action == "add" and area in present and present[area].confidence == confidence:
        raise Conflict(f"{key} already maps to {area} with confidence {confidence}")
    if action == "remove" and area not in present:
        raise Conflict(f"{key} does not map to {area}")
    if action == "reset" and before == shipped:
        raise Conflict(f"{key} already has its shipped links")


def stored_edits(store: AppStore) -> list[Edit]:
    """Every edit in the app store, in the order made (reading needs no right); none in a
    store not yet migrated to 0009 (so that reading need not run the migrations)."""
    if not inspect(store.engine).has_table(CrosswalkEdit.__tablename__):
        return []
    e = CrosswalkEdit
    # The columns replay needs (not the before/after snapshots), as plain rows.
    query = select(e.id, e.technology, e.action, e.area, e.confidence, e.reason).order_by(e.id)
    with store.session() as session:
        return [Edit(*row) for row in session.execute(query)]


def load(
    catalogue: Any, store: AppStore | None, path: Path | None = None
) -> tuple[Taxonomy, Taxonomy]:
    """The shipped taxonomy (from ``path``, else the loaded ``critical_technologies``
    dataset) and the effective one: with the edits kept in ``store``, or the shipped one
    again when ``store`` is None."""
    if path is None:  # built once per state of the analytics store
        shipped: Taxonomy = catalogue.memo("promote.taxonomy", lambda: _built(catalogue, None))
    else:
        shipped = _built(catalogue, path)
    effective = apply_edits(shipped, stored_edits(store)) if store is not None else shipped
    return shipped, effective


def _built(catalogue: Any, path: Path | None) -> Taxonomy:
    source = technologies(catalogue, path)
    return build(source.document, source.provenance)
