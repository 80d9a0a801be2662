"""Notifications about cases on SQLite and PostgreSQL: the assignee hears of changes made by
others; reminders of clocks due soon or overdue go to the assignee, or to those who may decide
and see an unassigned case, once per clock and due day; e-mail through a local SMTP debugging
server (aiosmtpd), and nothing lost when the server is down. Users and addresses SYNTHETIC."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from econsec.cases.notify import Notices
from econsec.cases.service import Cases
from econsec.security.service import operator
from tests.security.world import World

D = date.fromisoformat


class Inbox:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def open_plan(cases: Cases, world: World, on: str) -> int:
    return int(
        cases.open(
            world.actor("ada"), "infra_plan", reference=f"PLAN-{on}", title="t (synthetic)",
            workspace="council-a", level="confidential", on=D(on),
        )["id"]
    )  # fmt: skip


def test_changes_and_reminders_reach_the_right_people(
    world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    cases = Cases(world.security)
    ada, rita, otto = world.actor("ada"), world.actor("rita"), world.actor("otto")
    assigned = open_plan(cases, world, "2025-01-10")  # review due 2025-02-09
    loose = open_plan(cases, world, "2025-01-20")  # review due 2025-02-19, nobody assigned
    cases.assign(ada, assigned, "rita")
    cases.act(ada, assigned, "start_review")
    notices = Notices(world.security, world.settings)
    got = notices.inbox(rita)
    assert [n["message"] for n in got] == [
        f"case {assigned} (PLAN-2025-01-10): case.start_review by ada",
        f"case {assigned} (PLAN-2025-01-10): case.assign by ada",
    ]
    # Due within 7 days of 2025-02-05: the assigned case only (to rita); again: nothing new.
    assert notices.remind(7, today=D("2025-02-05")) == 1
    assert notices.remind(7, today=D("2025-02-05")) == 0
    # By 2025-02-15 the first is overdue (a new kind) and the loose one is due: it goes to
    # those who may decide and see it (ada; otto is in another workspace, lena too low).
    assert notices.remind(7, today=D("2025-02-15")) == 2
    assert any("overdue since 2025-02-09" in n["message"] for n in notices.inbox(rita))
    assert [n["case"] for n in notices.inbox(ada)] == [loose]
    assert notices.inbox(otto) == [] and notices.inbox(world.actor("lena")) == []
    # E-mail: nothing without SMTP settings; then the users with an address get theirs.
    assert notices.deliver() == 0
    world.security.set_email(operator(), "rita", "rita@example.invalid")
    mailing = Notices(
        world.security,
        world.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}),
    )
    assert mailing.deliver() == 4  # rita's four (ada has no address)
    assert {m["To"] for m in inbox.messages} == {"rita@example.invalid"}
    bodies = [str(m.get_payload()) for m in inbox.messages]
    assert all("t (synthetic)" not in b for b in bodies)  # no titles leave the system
    assert any("overdue since 2025-02-09" in b for b in bodies)
    assert mailing.deliver() == 0  # sent once
    assert all(n["emailed"] for n in notices.inbox(rita))
    assert notices.mark_read(rita) == 4 and notices.inbox(rita, unread_only=True) == []


def test_an_unreachable_server_loses_nothing(world: World) -> None:
    cases = Cases(world.security)
    case = open_plan(cases, world, "2025-01-10")
    cases.assign(world.actor("ada"), case, "rita")
    world.security.set_email(operator(), "rita", "rita@example.invalid")
    down = world.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    notices = Notices(world.security, down)
    assert notices.deliver() == 0
    assert [n["emailed"] for n in notices.inbox(world.actor("rita"))] == [False]
