"""The case engine: open a case of a workflow, move it through the workflow's transitions, extend
its clocks within their limits, assign it; list what is overdue or due soon.

Every change goes through :meth:`Cases._change`: in one transaction it checks the actor's
right and access, applies the change (state, clocks, history) and appends the audit entry, so
a refused or failed change leaves nothing behind. Who may see a case follows the Council's rule
(member of the case's workspace, a valid clearance at or above its level, an enabled account);
a case hidden from the actor answers exactly like one that does not exist, and the refusal is
audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from econsec.cases.models import (
    Case,
    CaseAttachment,
    CaseClock,
    CaseEvent,
    DesignatedOperator,
)
from econsec.cases.notify import notify
from econsec.cases.periods import Period, period_end
from econsec.cases.workflow import Workflow, workflow
from econsec.council.models import Document, Workspace
from econsec.errors import AccessDenied, InvalidInput, NotFound
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

T = TypeVar("T")


def visible_cases(actor: Actor) -> Any:
    """SQL: the cases ``actor`` may see now (the Council's rule for documents)."""
    return and_(
        enabled(actor.user_id),
        member_of(actor.user_id, Case.workspace_id),
        Case.level_rank <= clearance_rank(actor.user_id, utcnow()),
    )


class Cases:
    """Cases over one app store, with the Council's users, rights, levels and audit log."""

    def __init__(self, security: Security) -> None:
        self.security = security
        self.levels = security.levels

    # -- the one way to change a case ----------------------------------------------------------

    def _change(
        self,
        actor: Actor,
        right: str,
        action: str,
        case_id: int | None,
        work: Callable[[Session, Case | None], tuple[Case, dict[str, Any]]],
    ) -> dict[str, Any]:
        """Check ``right``, load the visible case (or none, to open one), run ``work`` and
        audit ``action`` with what it returns, all in one transaction; the case as shown."""
        self.security.require(actor, right, action)

        def transaction(session: Session) -> dict[str, Any]:
            case = self._case(session, actor, case_id, action) if case_id is not None else None
            changed, fields = work(session, case)
            changed.updated_at = utcnow()
            session.flush()
            self.security.log(
                session,
                actor.name,
                actor.channel,
                action,
                target=f"case:{changed.id}",
                level=changed.level,
                **fields,
            )
            if changed.assignee and changed.assignee != actor.name:  # the assignee hears of it
                seq = session.scalar(
                    select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == changed.id)
                )
                notify(
                    session,
                    changed.assignee,
                    changed,
                    f"change:{changed.id}:{seq}",
                    f"case {changed.id} ({changed.reference}): {action} by {actor.name}",
                )
            return self._view(session, changed, actor)

        return self.security.run(transaction)

    def _case(self, session: Session, actor: Actor, case_id: int, action: str) -> Case:
        case = None
        if 1 <= case_id <= MAX_ID:
            case = session.scalars(
                select(Case).where(Case.id == case_id, visible_cases(actor))
            ).first()
        if case is None:
            self.security.deny(
                actor.name,
                actor.channel,
                action,
                "no such case or hidden",
                target=f"case:{case_id}",
            )
            raise NotFound(f"no case {case_id}")
        return case

    @staticmethod
    def _event(session: Session, case: Case, **values: Any) -> None:
        last = session.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case.id))
        session.add(CaseEvent(case_id=case.id, seq=(last or 0) + 1, data={}, **values))

    # -- changes -------------------------------------------------------------------------------

    def open(
        self,
        actor: Actor,
        workflow_name: str,
        *,
        reference: str,
        title: str,
        workspace: str,
        level: str,
        data: dict[str, Any] | None = None,
        on: date | None = None,
    ) -> dict[str, Any]:
        """Open a case in its workflow's first state on ``on`` (the day of the filing or
        receipt; default today); the clocks that start there start on that day."""
        flow = workflow(workflow_name)
        rank = self.levels.rank(level)
        if not reference.strip() or not title.strip():
            raise InvalidInput("a case needs a reference and a title")
        day = on or utcnow().date()

        def work(session: Session, _none: Case | None) -> tuple[Case, dict[str, Any]]:
            space = self._workspace(session, actor, workspace)
            own = session.scalar(select(clearance_rank(actor.user_id, utcnow())))
            if rank > int(own if own is not None else -1):
                self.security.deny(actor.name, actor.channel, "case.open", "above own clearance")
                raise AccessDenied(f"you may not open a case above your own clearance ({level})")
            case = Case(
                workflow=flow.name,
                reference=reference.strip(),
                title=title.strip(),
                state=flow.initial,
                workspace_id=space.id,
                level=level,
                level_rank=rank,
                data=data or {},
                opened_on=day,
                created_by=actor.name,
            )
            session.add(case)
            session.flush()
            self._event(
                session,
                case,
                kind="open",
                name="open",
                to_state=flow.initial,
                on=day,
                actor=actor.name,
            )
            self._enter(session, flow, case, flow.initial, day)
            return case, {"workflow": flow.name, "state": flow.initial}

        return self._change(actor, "write", "case.open", None, work)

    def act(
        self,
        actor: Actor,
        case_id: int,
        transition: str,
        *,
        reason: str | None = None,
        on: date | None = None,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Make ``transition`` on the case, on ``on`` (default today): checked against the
        workflow (the state it may leave, the right it needs, a reason where it needs one)."""
        day = on or utcnow().date()
        right = "write"  # checked before the case is read; the transition's own right below

        def work(session: Session, case: Case | None) -> tuple[Case, dict[str, Any]]:
            assert case is not None
            flow = workflow(case.workflow)
            move = flow.transition(transition, case.state)
            if move.right != right:
                self.security.require(actor, move.right, f"case.{transition}")
            if move.reason and not (reason or "").strip():
                raise InvalidInput(f"{transition!r} needs a reason")
            if day < case.opened_on:
                raise InvalidInput(f"{day} is before the case was opened ({case.opened_on})")
            before = case.state
            case.state = move.target
            if data:
                case.data = {**case.data, **data}
            self._event(
                session,
                case,
                kind="transition",
                name=transition,
                from_state=before,
                to_state=move.target,
                on=day,
                actor=actor.name,
                reason=(reason or "").strip() or None,
            )
            self._enter(session, flow, case, move.target, day)
            return case, {"transition": transition, "from": before, "to": move.target}

        return self._change(actor, right, f"case.{transition}", case_id, work)

    def extend(
        self,
        actor: Actor,
        case_id: int,
        clock: str,
        period: Period | str,
        *,
        reason: str,
        on: date | None = None,
    ) -> dict[str, Any]:
        """Extend a running clock to ``period`` in all (counted from its start), never beyond
        its workflow's limit; a reason is required."""
        total = Period.parse(period) if isinstance(period, str) else period
        if not reason.strip():
            raise InvalidInput("an extension needs a reason")
        day = on or utcnow().date()

        def work(session: Session, case: Case | None) -> tuple[Case, dict[str, Any]]:
            assert case is not None
            row = session.get(CaseClock, (case.id, clock))
            if row is None or row.stopped_on is not None:
                raise InvalidInput(f"case {case.id} has no running clock {clock!r}")
            if row.limit_due is None:
                raise InvalidInput(f"the {clock} clock cannot be extended")
            due = period_end(row.started_on, total)
            if due > row.limit_due:
                raise InvalidInput(
                    f"{total} would end on {due}, beyond the limit of the {clock} clock "
                    f"({row.limit_due})"
                )
            if due <= row.due:
                raise InvalidInput(f"{total} would end on {due}: not after {row.due}")
            before = row.due
            row.due, row.period = due, str(total)
            self._event(
                session,
                case,
                kind="extend",
                name=clock,
                on=day,
                actor=actor.name,
                reason=reason.strip(),
            )
            return case, {"clock": clock, "from": before.isoformat(), "to": due.isoformat()}

        return self._change(actor, "decide", "case.extend", case_id, work)

    def assign(self, actor: Actor, case_id: int, user: str) -> dict[str, Any]:
        """Assign the case to ``user`` (who must be able to see it)."""

        def work(session: Session, case: Case | None) -> tuple[Case, dict[str, Any]]:
            assert case is not None
            person = session.scalars(select(User).where(User.name == user)).first()
            if person is None:
                raise NotFound(f"no user {user!r}")
            them = Actor(person.id, person.name, person.role, "system")
            if (
                session.scalar(select(func.count()).where(Case.id == case.id, visible_cases(them)))
                == 0
            ):
                raise InvalidInput(f"{user} may not see case {case.id}: not assigned")
            before, case.assignee = case.assignee, user
            self._event(
                session, case, kind="assign", name="assign", on=utcnow().date(), actor=actor.name
            )
            return case, {"assignee": user, "before": before}

        return self._change(actor, "decide", "case.assign", case_id, work)

    def attach(self, actor: Actor, case_id: int, document_id: int) -> dict[str, Any]:
        """Attach a Council document of the case's workspace that the actor may read (its own
        level applies to every reader of the case)."""

        def work(session: Session, case: Case | None) -> tuple[Case, dict[str, Any]]:
            assert case is not None
            document = None
            if 1 <= document_id <= MAX_ID:
                document = session.scalars(
                    select(Document).where(
                        Document.id == document_id,
                        Document.workspace_id == case.workspace_id,
                        visible_documents(actor, utcnow()),
                    )
                ).first()
            if document is None:
                raise NotFound(f"no document {document_id} in the case's workspace")
            if session.get(CaseAttachment, (case.id, document.id)) is None:
                session.add(
                    CaseAttachment(case_id=case.id, document_id=document.id, attached_by=actor.name)
                )
                self._event(
                    session, case, kind="attach", name=f"document {document.id}",
                    on=utcnow().date(), actor=actor.name,
                )  # fmt: skip
            return case, {"document": document.id}

        return self._change(actor, "write", "case.attach", case_id, work)

    # -- designated operators ------------------------------------------------------------------

    def designate_operator(
        self, actor: Actor, name: str, sector: str, on: date | None = None
    ) -> dict[str, Any]:
        """Record that ``name`` is designated in ``sector`` from ``on`` (who may decide;
        audited as ``operator.designate``)."""
        self.security.require(actor, "decide", "operator.designate")
        if not name.strip() or not sector.strip():
            raise InvalidInput("an operator needs a name and a sector")
        day = on or utcnow().date()

        def work(session: Session) -> dict[str, Any]:
            row = session.get(DesignatedOperator, (name.strip(), sector.strip()))
            if row is None:
                row = DesignatedOperator(
                    name=name.strip(), sector=sector.strip(), designated_on=day,
                    designated_by=actor.name,
                )  # fmt: skip
                session.add(row)
            else:
                row.designated_on, row.revoked_on, row.designated_by = day, None, actor.name
            self.security.log(
                session, actor.name, actor.channel, "operator.designate",
                target=row.name, sector=row.sector,
            )  # fmt: skip
            return _operator(row)

        return self.security.run(work)

    def operators(self, sector: str | None = None) -> list[dict[str, Any]]:
        """The designated operators (a sector's, or all), by sector and name."""
        with self.security.session() as session:
            query = select(DesignatedOperator).order_by(
                DesignatedOperator.sector, DesignatedOperator.name
            )
            if sector:
                query = query.where(DesignatedOperator.sector == sector)
            return [_operator(row) for row in session.scalars(query)]

    def designated(self, name: str, sector: str, on: date) -> bool | None:
        """Whether ``name`` is designated in ``sector`` on ``on``; None when no operator is
        recorded at all (the check cannot be made)."""
        with self.security.session() as session:
            if session.scalar(select(func.count()).select_from(DesignatedOperator)) == 0:
                return None
            row = session.get(DesignatedOperator, (name.strip(), sector.strip()))
            return bool(
                row is not None
                and row.designated_on <= on
                and (row.revoked_on is None or row.revoked_on > on)
            )

    # -- clocks ---------------------------------------------------------------------------------

    @staticmethod
    def _enter(session: Session, flow: Workflow, case: Case, state: str, day: date) -> None:
        """Stop the clocks that stop in ``state``; start (or renew) those that start there."""
        for clock in flow.clocks:
            row = session.get(CaseClock, (case.id, clock.name))
            if state in clock.stops_in and row is not None and row.stopped_on is None:
                row.stopped_on = day
            if clock.starts != state:
                continue
            if row is not None and row.stopped_on is None:  # a renewal: the next term
                start = row.due
                row.started_on, row.period = start, str(clock.period)
                row.due = period_end(start, clock.period)
                row.limit_due = period_end(start, clock.limit) if clock.limit else None
                continue
            if row is not None:
                session.delete(row)
                session.flush()
            session.add(
                CaseClock(
                    case_id=case.id,
                    name=clock.name,
                    started_on=day,
                    period=str(clock.period),
                    due=period_end(day, clock.period),
                    limit_due=period_end(day, clock.limit) if clock.limit else None,
                )
            )

    # -- reading --------------------------------------------------------------------------------

    def _workspace(self, session: Session, actor: Actor, name: str) -> Workspace:
        space = session.scalars(
            select(Workspace).where(
                Workspace.name == name,
                enabled(actor.user_id),
                member_of(actor.user_id, Workspace.id),
            )
        ).first()
        if space is None:
            self.security.deny(
                actor.name, actor.channel, "case.open", "no such workspace", target=name
            )
            raise NotFound(f"no workspace {name!r}")
        return space

    def _view(
        self, session: Session, case: Case, actor: Actor, today: date | None = None
    ) -> dict[str, Any]:
        """The case as ``actor`` sees it (attachments: only the documents they may read)."""
        today = today or utcnow().date()
        attached = session.execute(
            select(Document, CaseAttachment)
            .join(CaseAttachment, CaseAttachment.document_id == Document.id)
            .where(CaseAttachment.case_id == case.id, visible_documents(actor, utcnow()))
            .order_by(CaseAttachment.attached_at)
        ).all()
        flow = workflow(case.workflow)
        clocks = session.scalars(select(CaseClock).where(CaseClock.case_id == case.id)).all()
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        ).all()
        workspace = session.get(Workspace, case.workspace_id)
        allowed = [t.name for t in flow.transitions.values() if case.state in t.sources]
        return {
            "id": case.id,
            "workflow": case.workflow,
            "reference": case.reference,
            "title": case.title,
            "state": case.state,
            "final": case.state in flow.final,
            "workspace": workspace.name if workspace else None,
            "level": case.level,
            "assignee": case.assignee,
            "opened_on": case.opened_on.isoformat(),
            "data": case.data,
            "allowed": allowed,
            "permits": flow.permitted(case.state),
            "clocks": [_clock(c, today) for c in sorted(clocks, key=lambda c: c.due)],
            "attachments": [
                {
                    "document": d.id,
                    "title": d.title,
                    "level": d.level,
                    "attached_by": a.attached_by,
                    "attached_at": a.attached_at.isoformat(),
                }
                for d, a in attached
            ],
            "history": [
                {
                    "seq": e.seq,
                    "kind": e.kind,
                    "name": e.name,
                    "from": e.from_state,
                    "to": e.to_state,
                    "on": e.on.isoformat(),
                    "actor": e.actor,
                    "reason": e.reason,
                    "at": e.at.isoformat(),
                }
                for e in events
            ],
        }

    def show(self, actor: Actor, case_id: int, today: date | None = None) -> dict[str, Any]:
        """A case with its clocks and history (audited as a read)."""

        def work(session: Session) -> dict[str, Any]:
            case = self._case(session, actor, case_id, "case.read")
            self.security.log(
                session, actor.name, actor.channel, "case.read", target=f"case:{case.id}"
            )
            return self._view(session, case, actor, today)

        return self.security.run(work)

    def list(
        self,
        actor: Actor,
        *,
        workflow_name: str | None = None,
        due_within: int | None = None,
        today: date | None = None,
    ) -> list[dict[str, Any]]:
        """The cases the actor may see, by their next due day (overdue first); with
        ``due_within`` days, only those with a running clock due by then (overdue included)."""
        today = today or utcnow().date()
        with self.security.session() as session:
            query = select(Case).where(visible_cases(actor))
            if workflow_name is not None:
                query = query.where(Case.workflow == workflow(workflow_name).name)
            views = [self._view(session, c, actor, today) for c in session.scalars(query)]
        horizon = today + timedelta(days=due_within) if due_within is not None else None
        out = []
        for view in views:
            running = [c for c in view["clocks"] if c["running"]]
            view["next_due"] = min((c["due"] for c in running), default=None)
            if horizon is not None and not (
                view["next_due"] and view["next_due"] <= horizon.isoformat()
            ):
                continue
            out.append(view)
        return sorted(out, key=lambda v: (v["next_due"] is None, v["next_due"] or "", v["id"]))


def _operator(row: DesignatedOperator) -> dict[str, Any]:
    return {
        "name": row.name,
        "sector": row.sector,
        "designated_on": row.designated_on.isoformat(),
        "designated_by": row.designated_by,
        "revoked_on": row.revoked_on.isoformat() if row.revoked_on else None,
    }


def _clock(row: CaseClock, today: date) -> dict[str, Any]:
    running = row.stopped_on is None
    return {
        "name": row.name,
        "started_on": row.started_on.isoformat(),
        "period": row.period,
        "due": row.due.isoformat(),
        "limit": row.limit_due.isoformat() if row.limit_due else None,
        "stopped_on": row.stopped_on.isoformat() if row.stopped_on else None,
        "running": running,
        "overdue": running and today > row.due,
        "days_left": (row.due - today).days if running else None,
    }
