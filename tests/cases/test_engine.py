"""The case engine on both workflows, on SQLite and PostgreSQL: clocks from the policy periods
(30 days extendable to 4 months and refused beyond; 3 and 10 months; 1-year designations
renewed), every allowed and forbidden transition of each workflow, rights and access (a hidden
case answers like a missing one), and one audit entry per change (none for a refused one).
Users are SYNTHETIC (tests/security/world.py); case titles are SYNTHETIC."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import update

from econsec.cases.models import Case
from econsec.cases.service import Cases
from econsec.cases.workflow import workflows
from econsec.errors import AccessDenied, InvalidInput, NotFound
from tests.security.world import World

D = date.fromisoformat


def plan(world: World, cases: Cases, on: str = "2025-01-10") -> int:
    opened = cases.open(
        world.actor("ada"),
        "infra_plan",
        reference="PLAN-0001",
        title="Core router replacement (synthetic)",
        workspace="council-a",
        level="confidential",
        data={"sector": "telecommunications"},
        on=D(on),
    )
    return int(opened["id"])


def clock(view: dict, name: str) -> dict:
    return next(c for c in view["clocks"] if c["name"] == name)


def test_infrastructure_review_with_extensions(world: World) -> None:
    cases = Cases(world.security)
    ada, rita = world.actor("ada"), world.actor("rita")
    case = plan(world, cases)
    view = cases.show(ada, case, today=D("2025-01-20"))
    # 30 days from receipt on 01-10: 01-11 to 02-09; at most 4 months: to 05-10.
    review = clock(view, "review")
    assert (review["due"], review["limit"], review["days_left"]) == ("2025-02-09", "2025-05-10", 20)
    assert view["allowed"] == ["start_review", "withdraw"]
    cases.act(ada, case, "start_review", on=D("2025-01-12"))
    assert (
        clock(cases.extend(ada, case, "review", "3 months", reason="complex"), "review")["due"]
        == "2025-04-10"
    )
    with pytest.raises(InvalidInput, match="beyond the limit"):
        cases.extend(ada, case, "review", "5 months", reason="more")
    with pytest.raises(InvalidInput, match="not after"):
        cases.extend(ada, case, "review", "2 months", reason="less")
    with pytest.raises(InvalidInput, match="reason"):
        cases.extend(ada, case, "review", "4 months", reason=" ")
    view = cases.extend(ada, case, "review", "4 months", reason="foreign components")
    assert clock(view, "review")["due"] == "2025-05-10"  # exactly the limit
    view = cases.act(ada, case, "recommend", reason="replace supplier X", on=D("2025-05-01"))
    assert clock(view, "review")["stopped_on"] == "2025-05-01"
    with pytest.raises(InvalidInput, match="no running clock"):
        cases.extend(ada, case, "review", "4 months", reason="too late")
    cases.act(rita, case, "refuse_recommendation", reason="no alternative supplier")
    with pytest.raises(AccessDenied):  # an analyst may write, not decide
        cases.act(rita, case, "order", reason="x")
    view = cases.act(ada, case, "order", reason="risk of disruption remains")
    assert view["state"] == "ordered" and view["final"] and view["allowed"] == []
    names = [h["name"] for h in view["history"]]
    assert names == [
        "open",
        "start_review",
        "review",
        "review",
        "recommend",
        "refuse_recommendation",
        "order",
    ]


def test_patent_clocks_and_renewals(world: World) -> None:
    cases = Cases(world.security)
    ada = world.actor("ada")
    opened = cases.open(
        ada,
        "patent",
        reference="2025-000123",
        title="Synthetic application",
        workspace="council-a",
        level="secret",
        on=D("2025-01-31"),
    )
    case = int(opened["id"])
    assert clock(opened, "referral")["due"] == "2025-04-30"  # 3 months (Civil Code Art. 143)
    assert clock(opened, "foreign_ban")["due"] == "2025-11-30"  # 10 months
    cases.act(ada, case, "refer", reason="field 10", on=D("2025-03-03"))
    cases.act(ada, case, "notify_applicant", on=D("2025-04-01"))
    assert opened["permits"] == ["foreign_filing_barred"]
    view = cases.act(ada, case, "designate", reason="uranium enrichment", on=D("2025-06-30"))
    assert view["permits"] == [
        "publication_suspended",
        "withdrawal_barred",
        "working_needs_permission",
        "foreign_filing_barred",
    ]
    assert clock(view, "foreign_ban")["stopped_on"] == "2025-06-30"
    assert clock(view, "designation")["due"] == "2026-06-30"  # 1 year from 06-30
    view = cases.act(ada, case, "renew", reason="still sensitive", on=D("2026-06-01"))
    designation = clock(view, "designation")
    assert (designation["started_on"], designation["due"]) == ("2026-06-30", "2027-06-30")
    with pytest.raises(InvalidInput, match="cannot be extended"):
        cases.extend(ada, case, "designation", "2 years", reason="x")


def test_every_transition_is_allowed_only_from_its_states(world: World) -> None:
    cases = Cases(world.security)
    ada = world.actor("ada")
    checked = 0
    for flow in workflows().values():
        opened = cases.open(
            ada, flow.name, reference="T", title="transitions (synthetic)",
            workspace="council-a", level="public", on=D("2025-01-10"),
        )  # fmt: skip
        case = int(opened["id"])
        for state, move in itertools.product(flow.states, flow.transitions.values()):
            with world.security.session() as session:
                session.execute(update(Case).where(Case.id == case).values(state=state))
                session.commit()
            if state in move.sources:
                assert cases.act(ada, case, move.name, reason="r")["state"] == move.target
            else:
                with pytest.raises(InvalidInput, match="not allowed"):
                    cases.act(ada, case, move.name, reason="r")
            checked += 1
    assert checked == sum(len(f.states) * len(f.transitions) for f in workflows().values())
    with pytest.raises(InvalidInput, match="no transition"):
        cases.act(ada, case, "approve_everything", reason="r")


def test_rights_access_and_audit(world: World) -> None:
    cases = Cases(world.security)
    case = plan(world, cases)
    head = world.head()
    with pytest.raises(InvalidInput, match="needs a reason"):
        cases.act(world.actor("ada"), case, "withdraw")
    assert world.audit_since(head) == []  # refused for its input: nothing at all
    # Lena's clearance (internal) is below the case's level; Nils is not a member; Otto is in
    # another workspace: the case does not exist for them, and each refusal is audited.
    for name in ("lena", "nils", "otto"):
        with pytest.raises(NotFound, match=f"no case {case}"):
            cases.show(world.actor(name), case)
        with pytest.raises(NotFound, match=f"no case {case}"):
            cases.act(world.actor(name), case, "start_review")
        assert all(c["id"] != case for c in cases.list(world.actor(name)))
    with pytest.raises(NotFound):
        cases.show(world.actor("ada"), case + 1000)
    # An observer sees it but changes nothing.
    assert cases.show(world.actor("olly"), case)["id"] == case
    with pytest.raises(AccessDenied):
        cases.act(world.actor("olly"), case, "start_review")
    denied = [e for e in world.audit_since(head) if e["outcome"] == "denied"]
    assert len(denied) == 8  # 3 x (show, act), the missing case, the observer
    # One entry per change, with the case as target.
    head = world.head()
    cases.act(world.actor("ada"), case, "start_review")
    cases.assign(world.actor("ada"), case, "rita")
    entries = [(e["action"], e["target"]) for e in world.audit_since(head)]
    assert entries == [("case.start_review", f"case:{case}"), ("case.assign", f"case:{case}")]
    with pytest.raises(InvalidInput, match="may not see"):
        cases.assign(world.actor("ada"), case, "lena")
    # Nobody opens a case above their own clearance, or in a workspace they are not in.
    with pytest.raises(AccessDenied):
        cases.open(
            world.actor("lena"), "infra_plan", reference="R", title="t",
            workspace="council-a", level="secret",
        )  # fmt: skip
    with pytest.raises(NotFound):
        cases.open(
            world.actor("otto"), "infra_plan", reference="R", title="t",
            workspace="council-a", level="public",
        )  # fmt: skip


def test_due_lists(world: World) -> None:
    cases = Cases(world.security)
    ada = world.actor("ada")
    first = plan(world, cases, on="2025-01-10")  # review due 2025-02-09
    second = plan(world, cases, on="2025-02-01")  # review due 2025-03-03
    done = plan(world, cases, on="2025-01-05")
    cases.act(ada, done, "withdraw", reason="withdrawn by the operator")
    listed = cases.list(ada, due_within=7, today=D("2025-02-05"))
    assert [c["id"] for c in listed] == [first]
    overdue = cases.list(ada, due_within=0, today=D("2025-02-20"))
    assert [c["id"] for c in overdue] == [first] and clock(overdue[0], "review")["overdue"]
    everything = cases.list(ada, workflow_name="infra_plan", today=D("2025-02-20"))
    assert [c["id"] for c in everything] == [first, second, done]  # by next due; none last


def test_installation_only_after_clearance_and_change_filings(world: World) -> None:
    cases = Cases(world.security)
    ada = world.actor("ada")
    case = plan(world, cases, on="2025-01-10")
    assert cases.show(ada, case)["permits"] == []  # no installation before clearance
    cases.act(ada, case, "start_review", on=D("2025-01-11"))
    view = cases.act(ada, case, "clear", reason="no risk found", on=D("2025-02-01"))
    assert view["permits"] == ["installation"] and not view["final"]
    assert clock(view, "review")["stopped_on"] == "2025-02-01"
    # A change of the cleared plan is filed again: a new 30-day review from its receipt.
    view = cases.act(ada, case, "file_change", reason="new supplier", on=D("2025-06-02"))
    assert view["state"] == "received" and view["permits"] == []
    review = clock(view, "review")
    assert (review["started_on"], review["due"], review["stopped_on"]) == (
        "2025-06-02",
        "2025-07-02",
        None,
    )


def test_attachments_keep_their_own_level(world: World) -> None:
    """A secret Council document attached to a public case: readers of the case see the
    attachment only with a clearance for it (lena's is internal)."""
    cases = Cases(world.security)
    ada = world.actor("ada")
    case = int(
        cases.open(
            ada, "infra_plan", reference="P", title="public plan (synthetic)",
            workspace="council-a", level="public", on=D("2025-01-10"),
        )["id"]
    )  # fmt: skip
    secret = world.council.put(
        ada, "council-a", b"synthetic review memo\n", "memo.txt", title="Memo (synthetic)",
        level="secret",
    )  # fmt: skip
    view = cases.attach(ada, case, int(secret["id"]))
    assert [a["document"] for a in view["attachments"]] == [secret["id"]]
    assert view["history"][-1]["kind"] == "attach"
    assert [a["title"] for a in cases.show(world.actor("rita"), case)["attachments"]] == [
        "Memo (synthetic)"
    ]
    assert cases.show(world.actor("lena"), case)["attachments"] == []  # the case, not the memo
    with pytest.raises(NotFound, match="workspace"):
        cases.attach(ada, case, 10**6)
    other = world.council.put(
        world.actor("otto"), "council-b", b"x\n", "b.txt", title="B (synthetic)", level="public"
    )
    with pytest.raises(NotFound):  # another workspace's document
        cases.attach(ada, case, int(other["id"]))


def test_consultations_and_compensation_claims(world: World) -> None:
    cases = Cases(world.security)
    ada, rita = world.actor("ada"), world.actor("rita")
    asked = cases.open(
        rita, "patent_consultation", reference="Q-1", title="may we file abroad? (synthetic)",
        workspace="council-a", level="confidential",
    )  # fmt: skip
    assert asked["clocks"] == [] and asked["allowed"] == ["answer", "withdraw"]
    with pytest.raises(AccessDenied):
        cases.act(rita, int(asked["id"]), "answer", reason="yes")
    assert cases.act(ada, int(asked["id"]), "answer", reason="not prohibited")["final"]
    claim = cases.open(
        rita, "compensation", reference="C-1", title="loss from designation (synthetic)",
        workspace="council-a", level="secret", data={"amount_claimed_jpy": 12_000_000},
    )  # fmt: skip
    number = int(claim["id"])
    cases.act(ada, number, "start_review")
    granted = cases.act(ada, number, "grant", reason="JPY 8,000,000: normal loss only")
    assert granted["state"] == "granted" and granted["data"]["amount_claimed_jpy"] == 12_000_000


def test_the_register_of_designated_operators(world: World) -> None:
    cases = Cases(world.security)
    ada, rita = world.actor("ada"), world.actor("rita")
    assert cases.designated("Synthetic Power KK", "electricity", D("2025-01-10")) is None
    with pytest.raises(AccessDenied):  # an analyst may not designate
        cases.designate_operator(rita, "Synthetic Power KK", "electricity")
    cases.designate_operator(ada, "Synthetic Power KK", "electricity", D("2024-05-17"))
    assert cases.designated("Synthetic Power KK", "electricity", D("2025-01-10")) is True
    assert cases.designated("Synthetic Power KK", "electricity", D("2024-05-16")) is False
    assert cases.designated("Synthetic Power KK", "gas", D("2025-01-10")) is False
    assert cases.designated("Other KK", "electricity", D("2025-01-10")) is False
    assert [o["name"] for o in cases.operators("electricity")] == ["Synthetic Power KK"]
    assert cases.operators("gas") == []
