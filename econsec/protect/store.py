"""Screening records in the app store: list versions, listed entities, parties, hits, decisions.

* Every load is a new **list version** (``screening_lists``), written in one transaction with all
  its entities: a reader error or a crash leaves the previous version as the active one (the
  active version of a list is its newest complete load).
* Each listed entity keeps its FollowTheMoney data, list, version and source record id, and a
  **digest** of its record, so a change to the record between versions is visible.
* **Parties** are the user's counterparties; a **run** screens them all against the active
  versions, and records **hits** as new, repeated, suppressed (an earlier false-positive decision
  on the same record) or confirmed.
* **Decisions** are append-only (the database refuses UPDATE and DELETE on them): a new decision
  for the same pair is a new row, and the newest one counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from followthemoney import model
from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from econsec.errors import Conflict, InvalidInput, NotFound
from econsec.protect.lists.base import ListFormat, Record
from econsec.protect.screening.model import Entry, Query
from econsec.store.app import AppStore, Base, UTCDateTime, utcnow

VERDICTS = ("true_positive", "false_positive")
_CHUNK = 2000


class AlreadyLoaded(Conflict):
    """The same publication, with the same content, is already a stored list version."""


class ScreeningList(Base):
    """One loaded version of one list."""

    __tablename__ = "screening_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    entity_count: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self, active: bool | None = None) -> dict[str, Any]:
        """JSON-ready summary."""
        out: dict[str, Any] = {
            "id": self.id,
            "list": self.name,
            "version": self.version,
            "format": self.format,
            "title": self.title,
            "entities": self.entity_count,
            "loaded_at": self.loaded_at.isoformat(),
            "files": self.files,
            "notes": self.notes,
        }
        if active is not None:
            out["active"] = active
        return out


class ScreeningEntity(Base):
    """A listed entity in one list version."""

    __tablename__ = "screening_entities"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("screening_lists.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200))
    schema: Mapped[str] = mapped_column(String(40))
    caption: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Party(Base):
    """A counterparty the user screens regularly."""

    __tablename__ = "screening_parties"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    schema: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScreeningRun(Base):
    """One screening of every stored party against the active list versions."""

    __tablename__ = "screening_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reason: Mapped[str] = mapped_column(Text)
    list_ids: Mapped[list[int]] = mapped_column(JSON)
    algorithm: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[float] = mapped_column(Float)
    parties: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    new_hits: Mapped[int] = mapped_column(Integer, default=0)
    suppressed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "id": self.id,
            "reason": self.reason,
            "list_version_ids": self.list_ids,
            "algorithm": self.algorithm,
            "threshold": self.threshold,
            "parties": self.parties,
            "hits": self.hits,
            "new_hits": self.new_hits,
            "suppressed": self.suppressed,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class Hit(Base):
    """A party matched a listed entity in a run."""

    __tablename__ = "screening_hits"
    __table_args__ = (
        Index("ix_screening_hits_party", "party_id", "entity_id"),
        Index("ix_screening_hits_run", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_id: Mapped[str] = mapped_column(String(200))
    list_name: Mapped[str] = mapped_column(String(60))
    list_id: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[str] = mapped_column(String(200))
    entity_digest: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    algorithm: Mapped[str] = mapped_column(String(40))
    #: new | repeat | changed | suppressed | confirmed
    status: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_id: Mapped[int] = mapped_column(ForeignKey("screening_runs.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "run": self.run_id,
            "party_id": self.party_id,
            "list": self.list_name,
            "list_version_id": self.list_id,
            "entity_id": self.entity_id,
            "entity_digest": self.entity_digest,
            "caption": self.caption,
            "score": self.score,
            "algorithm": self.algorithm,
            "status": self.status,
            "explanation": self.explanation,
            "created_at": self.created_at.isoformat(),
        }


class Decision(Base):
    """An analyst's verdict on a (party, listed entity) pair. Rows are never changed."""

    __tablename__ = "screening_decisions"
    __table_args__ = (Index("ix_screening_decisions_pair", "party_id", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_id: Mapped[str] = mapped_column(String(200))
    list_name: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(200))
    entity_digest: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "id": self.id,
            "party_id": self.party_id,
            "list": self.list_name,
            "entity_id": self.entity_id,
            "entity_digest": self.entity_digest,
            "verdict": self.verdict,
            "reason": self.reason,
            "analyst": self.analyst,
            "decided_at": self.decided_at.isoformat(),
        }


def record_digest(data: dict[str, Any]) -> str:
    """SHA-256 of an entity's schema and properties (values sorted): equal records, equal
    digests, whatever the order a publisher wrote them in."""
    props = {k: sorted(v) for k, v in sorted(data.get("properties", {}).items())}
    canonical = json.dumps([data.get("schema"), props], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


@dataclass
class ListDiff:
    """What changed between two versions of one list."""

    list_name: str
    old: ScreeningList
    new: ScreeningList
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "list": self.list_name,
            "from": self.old.as_dict(),
            "to": self.new.as_dict(),
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "summary": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
        }


def _summary(row: ScreeningEntity) -> dict[str, Any]:
    return {
        "entity_id": row.entity_id,
        "source_id": row.source_id,
        "schema": row.schema,
        "caption": row.caption,
    }


def _changed_properties(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    before, after = old.get("properties", {}), new.get("properties", {})
    out: dict[str, Any] = {}
    for prop in sorted(set(before) | set(after)):
        was, now = set(before.get(prop, [])), set(after.get(prop, []))
        if was != now:
            out[prop] = {"removed": sorted(was - now), "added": sorted(now - was)}
    if old.get("schema") != new.get("schema"):
        out["schema"] = {"removed": [old.get("schema")], "added": [new.get("schema")]}
    return out


def _newness(version: ScreeningList) -> tuple[str, int]:
    return version.version, version.id


class ScreeningStore:
    """Screening records in one app store."""

    def __init__(self, app: AppStore) -> None:
        self.app = app

    # -- list versions -------------------------------------------------------------------

    def load(
        self,
        fmt: ListFormat,
        paths: Sequence[Path],
        *,
        version: str | None = None,
        progress: Callable[[int], None] | None = None,
        names: Sequence[str] | None = None,
    ) -> ScreeningList:
        """Read a list publication and store it as a new version, all or nothing. ``names``:
        what to record as the files' names (an upload's original names), default their paths."""
        publication = fmt.read(paths)
        records: list[Record] = []
        for record in publication.records:  # read it all before writing anything
            records.append(record)
            if progress and len(records) % 500 == 0:
                progress(500)
        if progress:
            progress(len(records) % 500)
        name = publication.name
        version = version or publication.version
        if not version:
            raise InvalidInput(
                f"the {fmt.name} files carry no publication date; give one with --version"
            )
        rows = []
        seen: set[str] = set()
        for record in records:
            data = record.entity.to_dict()
            entity_id = str(record.entity.id)
            if entity_id in seen:
                raise Conflict(f"{name}: entity id {entity_id} appears twice in one publication")
            seen.add(entity_id)
            rows.append(
                {
                    "entity_id": entity_id,
                    "source_id": record.source_id,
                    "schema": record.entity.schema.name,
                    "caption": record.entity.caption,
                    "digest": record_digest(data),
                    "data": data,
                }
            )
        digest = hashlib.sha256(
            "\n".join(sorted(f"{r['entity_id']} {r['digest']}" for r in rows)).encode()
        ).hexdigest()
        with self.app.session() as session:
            same = session.scalars(
                select(ScreeningList).where(
                    ScreeningList.name == name,
                    ScreeningList.version == version,
                    ScreeningList.digest == digest,
                )
            ).first()
            if same is not None:
                raise AlreadyLoaded(
                    f"{name} version {version} with the same content is already loaded "
                    f"(list version id {same.id})"
                )
            row = ScreeningList(
                name=name,
                version=version,
                format=fmt.name,
                title=fmt.title,
                entity_count=len(rows),
                digest=digest,
                files=[
                    {"path": label, "sha256": _file_digest(p)}
                    for p, label in zip(paths, names or [str(p) for p in paths], strict=True)
                    if p.is_file()
                ],
                notes=list(publication.notes),
                loaded_at=utcnow(),
            )
            session.add(row)
            session.flush()
            for start in range(0, len(rows), _CHUNK):
                chunk = [{"list_id": row.id, **r} for r in rows[start : start + _CHUNK]]
                session.execute(insert(ScreeningEntity), chunk)
            session.commit()
            return row

    def versions(self, name: str | None = None) -> list[ScreeningList]:
        """Every loaded version (of one list), newest first."""
        query = select(ScreeningList).order_by(ScreeningList.id.desc())
        if name is not None:
            query = query.where(ScreeningList.name == name)
        with self.app.session() as session:
            return list(session.scalars(query))

    def active(self) -> list[ScreeningList]:
        """The active version of every list, by list name: its newest publication (the latest
        load of it, if loaded twice), so loading an older publication for the record does not
        make it active."""
        best: dict[str, ScreeningList] = {}
        for version in self.versions():
            current = best.get(version.name)
            if current is None or _newness(version) > _newness(current):
                best[version.name] = version
        return [best[name] for name in sorted(best)]

    def version(self, list_id: int) -> ScreeningList:
        """One list version by id."""
        with self.app.session() as session:
            row = session.get(ScreeningList, list_id)
            if row is None:
                raise NotFound(f"no list version {list_id}")
            return row

    def entries(self, versions: Iterable[ScreeningList]) -> list[Entry]:
        """The listed entities of these versions, as matcher entries."""
        out: list[Entry] = []
        with self.app.session() as session:
            for version in versions:
                query = select(ScreeningEntity).where(ScreeningEntity.list_id == version.id)
                for row in session.scalars(query.execution_options(yield_per=_CHUNK)):
                    entity = model.get_proxy(row.data, cleaned=True)
                    out.append(
                        Entry.from_entity(
                            entity,
                            list_name=version.name,
                            version=version.version,
                            source_id=row.source_id,
                        )
                    )
        return out

    def digests(self, list_ids: list[int]) -> dict[str, str]:
        """Entity id -> record digest in these list versions."""
        with self.app.session() as session:
            rows = session.execute(
                select(ScreeningEntity.entity_id, ScreeningEntity.digest).where(
                    ScreeningEntity.list_id.in_(list_ids)
                )
            )
            return {str(entity_id): str(digest) for entity_id, digest in rows}

    def entity(self, entity_id: str) -> tuple[ScreeningList, ScreeningEntity]:
        """An entity in the active version of its list."""
        active = {v.id: v for v in self.active()}
        with self.app.session() as session:
            query = select(ScreeningEntity).where(
                ScreeningEntity.entity_id == entity_id, ScreeningEntity.list_id.in_(active)
            )
            row = session.scalars(query).first()
        if row is None:
            raise NotFound(f"no entity {entity_id} in the active list versions")
        return active[row.list_id], row

    def diff(self, name: str, old_id: int | None = None, new_id: int | None = None) -> ListDiff:
        """Added, removed and changed entities between two versions of list ``name`` (default:
        the two newest publications)."""
        versions = self.versions(name)
        if not versions:
            raise NotFound(f"no versions of list {name!r} are loaded")
        by_id = {v.id: v for v in versions}
        for given in (old_id, new_id):
            if given is not None and given not in by_id:
                raise NotFound(f"list version {given} is not a version of {name}")
        ordered = sorted(versions, key=_newness, reverse=True)  # newest publication first
        new = by_id[new_id] if new_id is not None else ordered[0]
        if old_id is not None:
            old = by_id[old_id]
        else:
            older = [v for v in ordered if _newness(v) < _newness(new)]
            if len(versions) == 1:
                raise Conflict(f"{name} has only one version; load another to compare")
            if not older:
                raise Conflict(f"{name} has no version older than {new.id}; give --from")
            old = older[0]
        diff = ListDiff(name, old, new)
        with self.app.session() as session:
            before = {
                r.entity_id: r
                for r in session.scalars(
                    select(ScreeningEntity).where(ScreeningEntity.list_id == old.id)
                )
            }
            after = {
                r.entity_id: r
                for r in session.scalars(
                    select(ScreeningEntity).where(ScreeningEntity.list_id == new.id)
                )
            }
        for entity_id in sorted(after.keys() - before.keys()):
            diff.added.append(_summary(after[entity_id]))
        for entity_id in sorted(before.keys() - after.keys()):
            diff.removed.append(_summary(before[entity_id]))
        for entity_id in sorted(before.keys() & after.keys()):
            was, now = before[entity_id], after[entity_id]
            if was.digest != now.digest:
                item = _summary(now)
                item["changes"] = _changed_properties(was.data, now.data)
                diff.changed.append(item)
        return diff

    # -- parties, runs, hits -------------------------------------------------------------

    def save_parties(self, parties: Iterable[dict[str, str | None]]) -> int:
        """Insert or update parties (``id, name`` and optional ``schema, country,
        birth_date``); returns how many were written."""
        count = 0
        now = utcnow()
        with self.app.session() as session:
            for item in parties:
                party_id, name = item.get("id"), item.get("name")
                if not party_id or not name:
                    raise InvalidInput("a party needs an id and a name")
                country, birth_date = item.get("country"), item.get("birth_date")
                try:  # stored as the matcher will read it, or refused now
                    query = Query(
                        (name,),
                        item.get("schema") or "LegalEntity",
                        (country,) if country else (),
                        (birth_date,) if birth_date else (),
                    )
                except InvalidInput as exc:
                    raise InvalidInput(f"party {party_id!r}: {exc.message}") from None
                party = session.get(Party, party_id)
                if party is None:
                    party = Party(id=party_id, created_at=now)
                    session.add(party)
                party.name = query.names[0]
                party.schema = query.schema
                party.country = query.countries[0] if query.countries else None
                party.birth_date = query.birth_dates[0] if query.birth_dates else None
                party.updated_at = now
                count += 1
            session.commit()
        return count

    def parties(self) -> list[Party]:
        """Every stored party, by id."""
        with self.app.session() as session:
            return list(session.scalars(select(Party).order_by(Party.id)))

    def start_run(
        self, reason: str, list_ids: list[int], algorithm: str, threshold: float
    ) -> ScreeningRun:
        """Open a run record."""
        with self.app.session() as session:
            run = ScreeningRun(
                reason=reason,
                list_ids=list_ids,
                algorithm=algorithm,
                threshold=threshold,
                parties=0,
                hits=0,
                new_hits=0,
                suppressed=0,
                started_at=utcnow(),
            )
            session.add(run)
            session.commit()
            return run

    def finish_run(self, run: ScreeningRun, hits: list[Hit], parties: int) -> ScreeningRun:
        """Store a run's hits and counts in one transaction."""
        with self.app.session() as session:
            stored = session.get(ScreeningRun, run.id)
            assert stored is not None
            for hit in hits:
                hit.run_id = run.id
                session.add(hit)
            stored.parties = parties
            stored.hits = len(hits)
            stored.new_hits = sum(1 for h in hits if h.status in ("new", "changed"))
            stored.suppressed = sum(1 for h in hits if h.status == "suppressed")
            stored.finished_at = utcnow()
            session.commit()
            return stored

    def last_run(self) -> ScreeningRun | None:
        """The newest finished run."""
        with self.app.session() as session:
            query = (
                select(ScreeningRun)
                .where(ScreeningRun.finished_at.is_not(None))
                .order_by(ScreeningRun.id.desc())
            )
            return session.scalars(query).first()

    def runs(self, limit: int = 20) -> list[ScreeningRun]:
        """The newest runs first."""
        with self.app.session() as session:
            query = select(ScreeningRun).order_by(ScreeningRun.id.desc()).limit(limit)
            return list(session.scalars(query))

    def hits(self, run_id: int | None = None, party_id: str | None = None) -> list[Hit]:
        """Hits of one run or of one party (all runs), oldest first."""
        query = select(Hit).order_by(Hit.id)
        if run_id is not None:
            query = query.where(Hit.run_id == run_id)
        if party_id is not None:
            query = query.where(Hit.party_id == party_id)
        with self.app.session() as session:
            return list(session.scalars(query))

    def seen(self) -> set[tuple[str, str, str]]:
        """(party, entity, entity digest) of every hit recorded before."""
        with self.app.session() as session:
            rows = session.execute(select(Hit.party_id, Hit.entity_id, Hit.entity_digest))
            return {(p, e, d) for p, e, d in rows}

    # -- decisions -----------------------------------------------------------------------

    def decide(
        self, party_id: str, entity_id: str, verdict: str, reason: str, analyst: str
    ) -> Decision:
        """Record a decision on (party, entity); the entity's current record is fingerprinted
        so a later change to it re-opens a false positive."""
        if verdict not in VERDICTS:
            raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        if not reason.strip():
            raise InvalidInput("a decision needs a reason")
        if not analyst.strip():
            raise InvalidInput("a decision needs the analyst's name")
        version, entity = self.entity(entity_id)
        with self.app.session() as session:
            if (
                session.get(Party, party_id) is None
                and not session.scalars(
                    select(Hit.id).where(Hit.party_id == party_id).limit(1)
                ).first()
            ):
                raise NotFound(f"no party {party_id!r} (import parties or screen them first)")
            decision = Decision(
                party_id=party_id,
                list_name=version.name,
                entity_id=entity_id,
                entity_digest=entity.digest,
                verdict=verdict,
                reason=reason.strip(),
                analyst=analyst.strip(),
                decided_at=utcnow(),
            )
            session.add(decision)
            session.commit()
            return decision

    def decisions(self, party_id: str | None = None) -> list[Decision]:
        """Every decision (of one party), oldest first: the full history."""
        query = select(Decision).order_by(Decision.id)
        if party_id is not None:
            query = query.where(Decision.party_id == party_id)
        with self.app.session() as session:
            return list(session.scalars(query))

    def latest_decisions(self) -> dict[tuple[str, str], Decision]:
        """The newest decision of each (party, entity) pair."""
        out: dict[tuple[str, str], Decision] = {}
        for decision in self.decisions():
            out[(decision.party_id, decision.entity_id)] = decision
        return out
