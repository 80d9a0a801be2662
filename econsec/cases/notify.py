"""Notifications about cases: in the app (each user's inbox) and, when SMTP settings are given
(``ECONSEC_SMTP_HOST`` and friends), by e-mail to the user's address.

Two things notify: a change of a case by someone other than its assignee (the assignee hears of
it; :class:`econsec.cases.service.Cases` adds it in the change's own transaction), and
:meth:`Notices.remind`, which finds the running clocks due within some days or overdue and
tells the case's assignee, or, for an unassigned case, every user who may decide on it and see
it. A reminder is made once per case, clock, due day and kind (due soon, overdue), so running
it every day repeats nothing. Messages name the case by number and reference only: a title may
be classified, and e-mail leaves the system.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from econsec.cases.models import Case, CaseClock, CaseNotification
from econsec.security.models import User
from econsec.security.policy import RIGHTS, Actor
from econsec.security.service import Security
from econsec.settings import Settings
from econsec.store.app import utcnow

log = logging.getLogger(__name__)


def notify(session: Session, user: str, case: Case, key: str, message: str) -> bool:
    """Add a notification unless one with ``key`` exists; whether it was added."""
    if session.scalars(select(CaseNotification.id).where(CaseNotification.key == key)).first():
        return False
    session.add(CaseNotification(user=user, case_id=case.id, key=key, message=message))
    return True


class Notices:
    """Reminders, inboxes and e-mail delivery over one app store."""

    def __init__(self, security: Security, settings: Settings) -> None:
        self.security = security
        self.settings = settings

    def remind(self, within_days: int = 7, today: date | None = None) -> int:
        """Notify about every running clock due within ``within_days`` or overdue; returns how
        many notifications were added (audited as one ``case.remind`` by ``system``)."""
        from econsec.cases.service import visible_cases

        today = today or utcnow().date()
        horizon = today + timedelta(days=within_days)
        deciders = [name for name, rights in RIGHTS.items() if "decide" in rights]

        def work(session: Session) -> int:
            due = session.execute(
                select(Case, CaseClock)
                .join(CaseClock, CaseClock.case_id == Case.id)
                .where(CaseClock.stopped_on.is_(None), CaseClock.due <= horizon)
            ).all()
            people = session.scalars(
                select(User).where(User.role.in_(deciders), User.disabled.is_(False))
            ).all()
            added = 0
            for case, clock in due:
                kind = "overdue" if clock.due < today else "due"
                if case.assignee:
                    recipients = [case.assignee]
                else:
                    recipients = [
                        p.name
                        for p in people
                        if session.scalar(
                            select(Case.id).where(
                                Case.id == case.id,
                                visible_cases(Actor(p.id, p.name, p.role, "system")),
                            )
                        )
                    ]
                text = (
                    f"case {case.id} ({case.reference}): the {clock.name} clock is "
                    + ("overdue since" if kind == "overdue" else "due on")
                    + f" {clock.due.isoformat()}"
                )
                for user in recipients:
                    key = f"{kind}:{case.id}:{clock.name}:{clock.due.isoformat()}:{user}"
                    added += notify(session, user, case, key, text)
            self.security.log(session, "system", "cli", "case.remind", notified=added)
            return added

        return self.security.run(work)

    def inbox(self, actor: Actor, unread_only: bool = False) -> list[dict[str, Any]]:
        """The actor's notifications, newest first."""
        with self.security.session() as session:
            query = select(CaseNotification).where(CaseNotification.user == actor.name)
            if unread_only:
                query = query.where(CaseNotification.read_at.is_(None))
            rows = session.scalars(query.order_by(CaseNotification.id.desc()).limit(500)).all()
            return [
                {
                    "id": n.id,
                    "case": n.case_id,
                    "message": n.message,
                    "created_at": n.created_at.isoformat(),
                    "read": n.read_at is not None,
                    "emailed": n.emailed_at is not None,
                }
                for n in rows
            ]

    def mark_read(self, actor: Actor) -> int:
        """Mark all the actor's notifications read; how many were unread."""

        def work(session: Session) -> int:
            rows = session.scalars(
                select(CaseNotification).where(
                    CaseNotification.user == actor.name, CaseNotification.read_at.is_(None)
                )
            ).all()
            for row in rows:
                row.read_at = utcnow()
            return len(rows)

        return self.security.run(work)

    def deliver(self) -> int:
        """E-mail the notifications not yet sent to users who have an address (nothing without
        ``smtp_host``); a failure leaves them to be sent next time. How many were sent."""
        settings = self.settings
        if not settings.smtp_host:
            return 0
        with self.security.session() as session:
            pending = session.execute(
                select(CaseNotification, User.email)
                .join(User, User.name == CaseNotification.user)
                .where(CaseNotification.emailed_at.is_(None), User.email.is_not(None))
                .order_by(CaseNotification.id)
            ).all()
            if not pending:
                return 0
            sent = 0
            try:
                with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
                    if settings.smtp_starttls:
                        smtp.starttls()
                    if settings.smtp_user and settings.smtp_password:
                        smtp.login(settings.smtp_user, settings.smtp_password)
                    for note, address in pending:
                        message = EmailMessage()
                        message["From"] = settings.smtp_from
                        message["To"] = address
                        message["Subject"] = f"[econsec] case {note.case_id}"
                        message.set_content(note.message + "\n")
                        smtp.send_message(message)
                        note.emailed_at = utcnow()
                        sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("e-mail delivery stopped after %s message(s): %s", sent, exc)
            session.commit()
            return sent
