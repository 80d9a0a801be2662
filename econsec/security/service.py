"""The security service: users, sign-in, clearances, actors, and audited transactions.

Every change runs in one transaction with its audit entry (:meth:`Security.run`); a denial is
audited in a transaction of its own, so that refusing an action still leaves a trace. The CLI is
an operator tool: ``users`` commands run as the local operator (``operator:<login>``), and
commands with ``--as NAME`` act as that user, with that user's rights, audited as such.
"""

from __future__ import annotations

import getpass
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from econsec.errors import AccessDenied, Conflict, InvalidInput, NotFound, Unauthenticated
from econsec.security import audit
from econsec.security.crypto import Keys, keys
from econsec.security.models import ROLES, AuditEvent, Clearance, Token, User
from econsec.security.policy import Actor, Levels, clearance_rank
from econsec.settings import Settings
from econsec.store.app import AppStore, utcnow

T = TypeVar("T")
_RETRIES = 5
#: Verifying against this hash costs what a real check costs, for names that do not exist.
_DUMMY = PasswordHasher().hash("econsec: no such user")


def operator() -> str:
    """The local operator, as the CLI's ``users`` commands are audited."""
    try:
        return f"operator:{getpass.getuser()}"
    except Exception:  # no login name (some containers)
        return "operator:unknown"


class Security:
    """Users, clearances, tokens and the audit log over one app store."""

    def __init__(self, settings: Settings, app: AppStore) -> None:
        self.settings = settings
        self.app = app
        self.keys: Keys = keys(settings)
        self.levels = Levels(settings.levels)
        self.hasher = PasswordHasher()

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reads."""
        with self.app.session() as session:
            yield session

    def run(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction and commit; retried when another writer extended
        the audit chain first."""
        for attempt in range(_RETRIES):
            with self.app.session() as session:
                try:
                    result = work(session)
                    session.commit()
                    return result
                except IntegrityError as exc:
                    session.rollback()
                    if "prev_hash" not in str(exc) and "security_audit" not in str(exc):
                        raise
                    if attempt == _RETRIES - 1:
                        raise Conflict(
                            "the audit log could not be extended: other writers kept extending "
                            "it, or it was tampered with (run `econsec audit verify`); try again"
                        ) from None
        raise AssertionError("unreachable")

    def log(
        self,
        session: Session,
        actor: str,
        channel: str,
        action: str,
        *,
        outcome: str = "ok",
        target: str | None = None,
        workspace: str | None = None,
        level: str | None = None,
        **detail: Any,
    ) -> None:
        """Append an audit entry in ``session``'s transaction."""
        audit.append(
            session,
            self.keys,
            actor=actor,
            channel=channel,
            action=action,
            outcome=outcome,
            target=target,
            workspace=workspace,
            level=level,
            detail=detail,
        )

    def record(self, actor: str, channel: str, action: str, **fields: Any) -> None:
        """Append one audit entry in a transaction of its own (an act done elsewhere, such as
        a file handed out or a job queued)."""
        self.run(lambda s: self.log(s, actor, channel, action, **fields))

    def deny(self, actor: str, channel: str, action: str, why: str, **fields: Any) -> None:
        """Record a refusal (in its own transaction: the refused work is not committed)."""
        self.record(actor, channel, action, outcome="denied", reason=why, **fields)

    def require(self, actor: Actor, right: str, action: str, what: str | None = None) -> None:
        """Refuse (AccessDenied, audited as ``action``) an actor whose role lacks ``right``;
        ``what`` names the refused act in the message (default: the right)."""
        if not actor.may(right):
            self.deny(actor.name, actor.channel, action, f"role lacks {right}")
            raise AccessDenied(f"role {actor.role} may not {what or right.replace('_', ' ')}")

    # -- users ---------------------------------------------------------------------------------

    def _user(self, session: Session, name: str) -> User:
        user = session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(f"no user {name!r}")
        return user

    def actor(self, name: str, channel: str = "cli") -> Actor:
        """The user ``name`` as an actor; refused (and audited) for an unknown name or a
        disabled account."""
        with self.session() as session:
            user = session.scalars(select(User).where(User.name == name)).first()
            if user is None:
                self.deny(name[:100], channel, "act", "no such user")
                raise NotFound(f"no user {name!r}")
            if user.disabled:
                self.deny(name, channel, "act", "account disabled")
                raise AccessDenied(f"user {name!r} is disabled")
            return Actor(user.id, user.name, user.role, channel)

    def add_user(
        self, by: Actor | str, name: str, role: str, password: str | None = None
    ) -> dict[str, Any]:
        """Create a user (``by``: an admin actor, or the local operator's name)."""
        actor, channel = self._manager(by, "add_user")
        if role not in ROLES:
            raise InvalidInput(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
        name = name.strip()
        if (
            not name
            or len(name) > 100
            or not name.replace(".", "").replace("-", "").replace("_", "").isalnum()
        ):
            raise InvalidInput("a user name is 1-100 letters, digits, '.', '-' or '_'")
        if password is not None and len(password) < 12:
            raise InvalidInput("a password needs at least 12 characters")

        def work(session: Session) -> dict[str, Any]:
            if session.scalars(select(User.id).where(User.name == name)).first():
                raise Conflict(f"user {name!r} exists")
            user = User(
                name=name,
                role=role,
                password_hash=self.hasher.hash(password) if password else None,
                disabled=False,
                failed_logins=0,
                created_by=actor,
                created_at=utcnow(),
            )
            session.add(user)
            self.log(session, actor, channel, "user.add", target=name, role=role)
            return user.as_dict()

        return self.run(work)

    def _manager(self, by: Actor | str, action: str) -> tuple[str, str]:
        if isinstance(by, str):
            return by, "cli"
        if not by.may("manage_users"):
            self.deny(by.name, by.channel, action, "role may not manage users")
            raise AccessDenied(f"role {by.role} may not manage users")
        return by.name, by.channel

    def users(self, by: Actor | str) -> list[dict[str, Any]]:
        """Every user with their current clearance (for admins and the operator)."""
        self._manager(by, "user.list")
        now = utcnow()
        with self.session() as session:
            out = []
            for user in session.scalars(select(User).order_by(User.name)):
                item = user.as_dict()
                rank = session.scalar(select(clearance_rank(user.id, now)))
                item["clearance"] = (
                    self.levels.names[rank] if rank is not None and rank >= 0 else None
                )
                out.append(item)
            return out

    def disable_user(self, by: Actor | str, name: str) -> None:
        """Disable an account (its tokens stop working; history is kept)."""
        actor, channel = self._manager(by, "user.disable")

        def work(session: Session) -> None:
            user = self._user(session, name)
            user.disabled = True
            for token in session.scalars(select(Token).where(Token.user_id == user.id)):
                token.revoked_at = token.revoked_at or utcnow()
            self.log(session, actor, channel, "user.disable", target=name)

        self.run(work)

    def set_password(self, by: Actor | str, name: str, password: str) -> None:
        """Set a user's password (and clear a lockout)."""
        actor, channel = self._manager(by, "user.password")
        if len(password) < 12:
            raise InvalidInput("a password needs at least 12 characters")

        def work(session: Session) -> None:
            user = self._user(session, name)
            user.password_hash = self.hasher.hash(password)
            user.failed_logins, user.locked_until = 0, None
            self.log(session, actor, channel, "user.password", target=name)

        self.run(work)

    # -- clearances ------------------------------------------------------------------------------

    def set_email(self, by: Actor | str, name: str, email: str | None) -> None:
        """Set (or clear, with None) the address notifications are e-mailed to (admins and
        the operator)."""
        who, channel = self._manager(by, "user.email")
        if email is not None and (len(email) > 200 or "@" not in email or " " in email.strip()):
            raise InvalidInput(f"not an e-mail address: {email!r}")

        def work(session: Session) -> None:
            self._user(session, name).email = email.strip() if email else None
            self.log(session, who, channel, "user.email", target=name)

        self.run(work)

    def language(self, name: str) -> str | None:
        """The language ``name`` chose for the web pages (None: not chosen yet)."""
        with self.session() as session:
            user = session.scalars(select(User).where(User.name == name)).first()
            return user.language if user is not None else None

    def set_language(self, actor: Actor, language: str) -> None:
        """Remember the actor's own language for the web pages (any browser they sign in
        from); ``language`` is a code such as ``en`` or ``ja``."""
        if not (2 <= len(language) <= 8 and language.replace("-", "").isalnum()):
            raise InvalidInput(f"invalid language code {language!r}")

        def work(session: Session) -> None:
            self._user(session, actor.name).language = language

        self.run(work)

    def grant_clearance(
        self, by: Actor, name: str, level: str, until: date, start: date | None = None
    ) -> dict[str, Any]:
        """Grant ``name`` a clearance at ``level`` valid through ``until`` (inclusive)."""
        rank = self.levels.rank(level)
        if not by.may("grant_clearance"):
            self.deny(by.name, by.channel, "clearance.grant", "role may not grant", target=name)
            raise AccessDenied(f"role {by.role} may not grant clearances")
        valid_from = datetime.combine(start, time(), tzinfo=UTC) if start else utcnow()
        valid_until = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
        if valid_until <= valid_from:
            raise InvalidInput(f"the clearance would end ({until}) before it starts")

        def work(session: Session) -> dict[str, Any]:
            user = self._user(session, name)
            if by.role != "admin":  # no official lifts themselves, or anyone above their own level
                own = session.scalar(select(clearance_rank(by.user_id, utcnow())))
                why = (
                    "yourself a clearance"
                    if user.id == by.user_id
                    else "a clearance above your own valid clearance"
                    if rank > (own if own is not None else -1)
                    else None
                )
                if why is not None:
                    reason = f"may not grant {why}"
                    self.deny(by.name, by.channel, "clearance.grant", reason, target=name)
                    raise AccessDenied(f"you may not grant {why} ({level})")
            clearance = Clearance(
                user_id=user.id,
                level=level,
                level_rank=rank,
                granted_by=by.name,
                valid_from=valid_from,
                valid_until=valid_until,
                created_at=utcnow(),
            )
            session.add(clearance)
            self.log(
                session,
                by.name,
                by.channel,
                "clearance.grant",
                target=name,
                level=level,
                until=until.isoformat(),
            )
            return clearance.as_dict()

        return self.run(work)

    def revoke_clearance(self, by: Actor, name: str, reason: str = "") -> int:
        """Revoke every current clearance of ``name``; how many were revoked."""
        if not by.may("grant_clearance"):
            self.deny(by.name, by.channel, "clearance.revoke", "role may not revoke", target=name)
            raise AccessDenied(f"role {by.role} may not revoke clearances")

        def work(session: Session) -> int:
            user = self._user(session, name)
            current = list(
                session.scalars(
                    select(Clearance).where(
                        Clearance.user_id == user.id, Clearance.revoked_at.is_(None)
                    )
                )
            )
            for clearance in current:
                clearance.revoked_at = utcnow()
                clearance.revoked_by = by.name
                clearance.revoke_reason = reason or None
            self.log(
                session, by.name, by.channel, "clearance.revoke", target=name, count=len(current)
            )
            return len(current)

        return self.run(work)

    # -- sign-in -----------------------------------------------------------------------------------

    def sign_in(self, name: str, password: str, channel: str = "api") -> tuple[str, datetime]:
        """A new session token for correct credentials; failures count towards a lockout.
        Every outcome is audited; the message never says whether the name exists."""
        now = utcnow()
        refused = Unauthenticated("wrong user name or password, or the account is locked")
        with self.session() as session:
            user = session.scalars(select(User).where(User.name == name)).first()
        if user is None or user.password_hash is None:
            with suppress(VerificationError):  # the same work as a real check: no timing oracle
                self.hasher.verify(_DUMMY, password)
            self.deny(name[:100], channel, "sign_in", "unknown user or no password")
            raise refused
        if user.disabled or (user.locked_until is not None and user.locked_until > now):
            self.deny(name, channel, "sign_in", "disabled" if user.disabled else "locked")
            raise refused
        try:
            self.hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            self._failed(user.id, name, channel)
            raise refused from None
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.settings.token_hours)

        def work(session: Session) -> None:
            stored = session.get(User, user.id)
            assert stored is not None
            stored.failed_logins, stored.locked_until = 0, None
            session.add(
                Token(
                    user_id=user.id,
                    digest=self.keys.token_digest(token),
                    created_at=now,
                    expires_at=expires,
                )
            )
            self.log(session, name, channel, "sign_in")

        self.run(work)
        return token, expires

    def _failed(self, user_id: int, name: str, channel: str) -> None:
        limit = self.settings.login_max_failures

        def work(session: Session) -> None:
            user = session.get(User, user_id)
            assert user is not None
            user.failed_logins += 1
            locked = user.failed_logins >= limit
            if locked:
                minutes = self.settings.login_lockout_minutes
                user.locked_until = utcnow() + timedelta(minutes=minutes)
                user.failed_logins = 0
            self.log(
                session,
                name,
                channel,
                "sign_in",
                outcome="denied",
                reason="wrong password" + ("; account locked" if locked else ""),
            )

        self.run(work)

    def resolve(self, token: str, channel: str = "api") -> Actor | None:
        """The actor of a valid, unexpired, unrevoked token of an enabled user."""
        now = utcnow()
        with self.session() as session:
            row = session.execute(
                select(User.id, User.name, User.role, User.disabled)
                .join(Token, Token.user_id == User.id)
                .where(
                    Token.digest == self.keys.token_digest(token),
                    Token.revoked_at.is_(None),
                    Token.expires_at > now,
                )
            ).first()
        if row is None or row.disabled:
            return None
        return Actor(row.id, row.name, row.role, channel)

    def sign_out(self, token: str, channel: str = "api") -> None:
        """Revoke a token."""

        def work(session: Session) -> None:
            stored = session.scalars(
                select(Token).where(Token.digest == self.keys.token_digest(token))
            ).first()
            if stored is not None and stored.revoked_at is None:
                stored.revoked_at = utcnow()
                user = session.get(User, stored.user_id)
                self.log(session, user.name if user else "?", channel, "sign_out")

        self.run(work)

    # -- audit ----------------------------------------------------------------------------------

    def _auditor(self, by: Actor | str) -> None:
        if isinstance(by, Actor) and not by.may("audit"):
            self.deny(by.name, by.channel, "audit.read", "role may not read the audit log")
            raise AccessDenied(f"role {by.role} may not read the audit log")

    def verify(self, by: Actor | str, anchor: str | None = None) -> audit.Verification:
        """Walk the audit chain (admins and the operator); ``anchor``: a head ``SEQ:HASH``
        recorded earlier that the log must still hold."""
        self._auditor(by)
        expected = audit.parse_anchor(anchor) if anchor else None
        with self.session() as session:
            return audit.verify(session, self.keys, expected)

    def latest(self, by: Actor | str, limit: int = 100) -> list[dict[str, Any]]:
        """The newest ``limit`` entries, newest first (admins and the operator); the reading is
        itself audited."""
        self._auditor(by)
        name, channel = (by, "cli") if isinstance(by, str) else (by.name, by.channel)
        with self.session() as session:
            query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
            entries = [event.as_dict() for event in session.scalars(query)]
        self.record(name, channel, "audit.read", shown=len(entries))
        return entries

    def export(self, by: Actor | str, fmt: str = "json") -> Iterator[str]:
        """The audit log as JSON lines or CSV chunks (admins and the operator); the export
        itself is audited."""
        self._auditor(by)
        if fmt not in ("json", "csv"):
            raise InvalidInput("format must be json or csv")
        name, channel = (by, "cli") if isinstance(by, str) else (by.name, by.channel)
        self.record(name, channel, "audit.export", format=fmt)
        with self.session() as session:
            if fmt == "csv":
                yield from audit.export_csv(session)
            else:
                import json

                for event in audit.events(session):
                    yield json.dumps(event.as_dict(), ensure_ascii=False) + "\n"
