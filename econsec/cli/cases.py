"""``econsec cases``: the Act's review processes as cases (issue 7): infrastructure plans
submitted, patent applications imported and screened, the cases listed by deadline, shown,
decided and their clocks extended. Commands that touch cases act as the user named by ``--as``
(their rights and clearance; audited under their name)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from econsec.cli.common import err_console, out_console, parse_date, print_json
from econsec.errors import InvalidInput

app = typer.Typer(help="Case workflows: infrastructure plans (pillar 2), patents (pillar 4).")
patents_app = typer.Typer(help="Patent applications and the non-disclosure fields (pillar 4).")
infra_app = typer.Typer(help="Installation plans of critical infrastructure (pillar 2).")
app.add_typer(patents_app, name="patents")
app.add_typer(infra_app, name="infra")
#: Who acts, and where new cases go: options, or (so that the issue's command forms run as
#: written, e.g. ``econsec cases list --due-within 7d``) ECONSEC_AS and ECONSEC_WORKSPACE.
AsUser = Annotated[
    str,
    typer.Option("--as", envvar="ECONSEC_AS", help="Act as this user (audited as them)."),
]
Workspace = Annotated[
    str,
    typer.Option("--workspace", envvar="ECONSEC_WORKSPACE", help="Council workspace of the case."),
]
Level = Annotated[str, typer.Option("--level", help="Classification level of the case.")]


class ScreenFormat(StrEnum):
    table = "table"
    json = "json"


@patents_app.command("screen")
def patents_screen(
    path: Annotated[Path, typer.Argument(help="Applications: a JSON list or a CSV file.")],
    fmt: Annotated[
        ScreenFormat, typer.Option("--format", help="table, or json: one object per application.")
    ] = ScreenFormat.table,
    fields: Annotated[
        Path | None,
        typer.Option(
            "--fields",
            help="A patent_secrecy_fields.yaml (default: the loaded patent_fields dataset).",
        ),
    ] = None,
    scheme: Annotated[
        Path | None,
        typer.Option(
            "--scheme",
            help="IPC scheme CSV for the subgroup tree (default: the loaded ipc dataset, if any).",
        ),
    ] = None,
) -> None:
    """First-stage screening: the specified fields each application falls in, whether a person
    must judge it, and its deadlines (referral 3 months, foreign-filing ban 10 months after
    filing). JSON: a list of objects with id, fields, needs_judgement, referral_due,
    designation_due, and the matches that explain them."""
    from econsec import open_catalogue
    from econsec.cases.ipc import Scheme
    from econsec.cases.patents import FieldScreener, read_applications, screener_for

    screener = screener_for(open_catalogue(), fields)
    if scheme is not None:  # this scheme file rather than the loaded one
        screener = FieldScreener(screener.fields, Scheme.read(scheme))
    results = [screener.screen(a) for a in read_applications(path)]
    if fmt == ScreenFormat.json:
        print_json([r.as_dict() for r in results])
        return
    table = Table("id", "filed", "fields", "judge", "referral due", "ban ends")
    for r in results:
        table.add_row(
            r.id,
            r.filing_date.isoformat(),
            ", ".join(map(str, r.fields)),
            "yes" if r.needs_judgement else "",
            r.referral_due.isoformat(),
            r.designation_due.isoformat(),
        )
    out_console.print(table)
    matched = sum(1 for r in results if r.fields)
    err_console.print(f"{len(results):,} applications screened, {matched:,} in a specified field")


# -- cases --------------------------------------------------------------------------------------


@contextmanager
def _cases() -> Iterator[tuple[Any, Any]]:
    """The case engine and its Security for one command (the store closed after it)."""
    from econsec import open_security
    from econsec.cases.service import Cases

    security = open_security()
    try:
        yield Cases(security), security
    finally:
        security.app.dispose()


def _day(value: str | None, option: str) -> date | None:
    return parse_date(value, option) if value is not None else None


def _print_case(case: dict[str, Any], fmt: ScreenFormat) -> None:
    if fmt == ScreenFormat.json:
        print_json(case)
        return
    out_console.print(
        f"case {case['id']} ({case['workflow']}) {case['reference']}: {case['title']}\n"
        f"state {case['state']}; level {case['level']} in {case['workspace']}; "
        f"assignee {case['assignee'] or '-'}; allowed: {', '.join(case['allowed']) or '-'}"
    )
    table = Table("clock", "started", "period", "due", "limit", "stopped", "days left")
    for c in case["clocks"]:
        left = "" if c["days_left"] is None else str(c["days_left"])
        due = c["due"] + (" OVERDUE" if c["overdue"] else "")
        table.add_row(
            c["name"], c["started_on"], c["period"], due, c["limit"] or "", c["stopped_on"] or "",
            left,
        )  # fmt: skip
    out_console.print(table)
    history = Table("#", "on", "change", "from", "to", "by", "reason")
    for h in case["history"]:
        history.add_row(
            str(h["seq"]), h["on"], f"{h['kind']} {h['name']}", h["from"] or "", h["to"] or "",
            h["actor"], h["reason"] or "",
        )  # fmt: skip
    out_console.print(history)


@app.command("open")
def cases_open(
    workflow: Annotated[
        str, typer.Argument(help="patent_consultation, compensation, patent or infra_plan.")
    ],
    reference: Annotated[str, typer.Option("--reference", help="The filing's own number.")],
    title: Annotated[str, typer.Option("--title", help="Title (kept at the case's level).")],
    as_user: AsUser,
    workspace: Workspace,
    level: Level = "confidential",
    on: Annotated[str | None, typer.Option("--on", help="Day of receipt (YYYY-MM-DD).")] = None,
) -> None:
    """Open a case of any workflow (a consultation, a compensation claim, ...)."""
    with _cases() as (cases, security):
        case = cases.open(
            security.actor(as_user, "cli"), workflow, reference=reference, title=title,
            workspace=workspace, level=level, on=_day(on, "--on"),
        )  # fmt: skip
        out_console.print(f"case {case['id']} opened ({case['workflow']}, {case['state']})")


@app.command("list")
def cases_list(
    as_user: AsUser,
    due_within: Annotated[
        str | None,
        typer.Option("--due-within", help="Only cases with a clock due within, e.g. 7d or 2w."),
    ] = None,
    workflow: Annotated[
        str | None, typer.Option("--workflow", help="infra_plan or patent.")
    ] = None,
    fmt: Annotated[ScreenFormat, typer.Option("--format", help="table or json.")] = (
        ScreenFormat.table
    ),
) -> None:
    """The cases you may see, by their next deadline (overdue first)."""
    from econsec.cases.periods import Period

    days = None
    if due_within is not None:
        period = Period.parse(due_within)
        if period.unit not in ("days", "weeks"):
            raise InvalidInput(f"--due-within takes days or weeks (7d, 2w), not {due_within!r}")
        days = period.amount * (7 if period.unit == "weeks" else 1)
    with _cases() as (cases, security):
        found = cases.list(security.actor(as_user, "cli"), workflow_name=workflow, due_within=days)
        if fmt == ScreenFormat.json:
            print_json(found)
            return
        table = Table("id", "workflow", "reference", "title", "state", "next due", "assignee")
        for c in found:
            overdue = any(k["overdue"] for k in c["clocks"])
            due = (c["next_due"] or "") + (" OVERDUE" if overdue else "")
            table.add_row(
                str(c["id"]), c["workflow"], c["reference"], c["title"], c["state"], due,
                c["assignee"] or "",
            )  # fmt: skip
        out_console.print(table)


@app.command("show")
def cases_show(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    as_user: AsUser,
    fmt: Annotated[ScreenFormat, typer.Option("--format", help="table or json.")] = (
        ScreenFormat.table
    ),
) -> None:
    """A case with its clocks, what may happen next and its history."""
    with _cases() as (cases, security):
        _print_case(cases.show(security.actor(as_user, "cli"), case_id), fmt)


@app.command("decide")
def cases_decide(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    transition: Annotated[str, typer.Argument(help="The transition, e.g. clear, recommend.")],
    as_user: AsUser,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required by most).")] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Day it takes effect (YYYY-MM-DD).")
    ] = None,
    fmt: Annotated[ScreenFormat, typer.Option("--format", help="table or json.")] = (
        ScreenFormat.table
    ),
) -> None:
    """Make a transition of the case's workflow (a decision, a reply, a withdrawal)."""
    with _cases() as (cases, security):
        actor = security.actor(as_user, "cli")
        _print_case(cases.act(actor, case_id, transition, reason=reason, on=_day(on, "--on")), fmt)


@app.command("extend")
def cases_extend(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    clock: Annotated[str, typer.Argument(help="The clock, e.g. review.")],
    period: Annotated[str, typer.Argument(help="The new total period, e.g. '4 months'.")],
    as_user: AsUser,
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
) -> None:
    """Extend a running clock to a new total period, within its statutory limit."""
    with _cases() as (cases, security):
        case = cases.extend(security.actor(as_user, "cli"), case_id, clock, period, reason=reason)
        due = next(c["due"] for c in case["clocks"] if c["name"] == clock)
        out_console.print(f"case {case_id}: {clock} now due {due}")


@app.command("attach")
def cases_attach(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    document: Annotated[int, typer.Argument(help="A Council document of the case's workspace.")],
    as_user: AsUser,
) -> None:
    """Attach a Council document to the case (its own level still decides who reads it)."""
    with _cases() as (cases, security):
        cases.attach(security.actor(as_user, "cli"), case_id, document)
        out_console.print(f"document {document} attached to case {case_id}")


@infra_app.command("submit")
def infra_submit(
    path: Annotated[Path, typer.Argument(help="The installation plan (JSON).")],
    as_user: AsUser,
    workspace: Workspace,
    level: Level = "confidential",
    received: Annotated[
        str | None, typer.Option("--received", help="Day of receipt (YYYY-MM-DD; default today).")
    ] = None,
    concern: Annotated[
        str | None,
        typer.Option("--concern", help="Countries of concern: a group name or ISO3 codes."),
    ] = None,
) -> None:
    """Open the review of an installation plan: its 30-day clock starts on the day of receipt.
    The plan is a JSON object with at least reference, operator, sector and equipment; the
    automatic checks (missing information, sector, parties screened, countries of concern)
    are printed and kept with the case."""
    from econsec import open_catalogue, open_protect
    from econsec.cases.infra import read_plan, submit

    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    plan = read_plan(content, str(path))
    protect = open_protect()
    try:
        with _cases() as (cases, security):
            case = submit(
                cases,
                security.actor(as_user, "cli"),
                plan,
                catalogue=open_catalogue(),
                protect=protect,
                workspace=workspace,
                level=level,
                received=_day(received, "--received"),
                concern=concern,
                source=str(path),
            )
    finally:
        protect.store.app.dispose()
    review = next(c for c in case["clocks"] if c["name"] == "review")
    out_console.print(
        f"case {case['id']} opened: review due {review['due']} (at most {review['limit']})"
    )
    for line in _findings(case["data"]["checks"]):
        out_console.print(f"  {line}")


def _findings(checks: dict[str, Any]) -> list[str]:
    lines = []
    if checks["missing"]:
        lines.append("missing: " + ", ".join(checks["missing"]))
    if not checks["sector_known"]:
        lines.append("sector: not one of the policy data's sectors")
    if checks.get("operator_designated") is False:
        lines.append("operator: not designated in this sector")
    if not checks["screened"]:
        lines.append("parties not screened: no screening list is loaded")
    for party in checks["parties"]:
        if party["hits"]:
            listed = "; ".join(f"{h['caption']} ({h['list']}, {h['score']})" for h in party["hits"])
            lines.append(f"{party['role']} {party['name']}: listed as {listed}")
        if party["of_concern"]:
            lines.append(f"{party['role']} {party['name']}: country {party['country']} of concern")
    return lines or ["no findings"]


@patents_app.command("import")
def patents_import(
    path: Annotated[Path, typer.Argument(help="Applications: a JSON list or a CSV file.")],
    as_user: AsUser,
    workspace: Workspace,
    level: Level = "confidential",
    fields: Annotated[
        Path | None,
        typer.Option("--fields", help="A patent_secrecy_fields.yaml (default: loaded)."),
    ] = None,
) -> None:
    """Open a patent case per application on its filing day (referral due 3 months, foreign
    filing ban 10 months later), with its first-stage screening in the case's data."""
    from econsec import open_catalogue
    from econsec.cases.patents import open_cases, read_applications, screener_for

    screener = screener_for(open_catalogue(), fields)
    applications = list(read_applications(path))  # all read and checked before any is opened
    with _cases() as (cases, security):
        opened = open_cases(
            cases,
            security.actor(as_user, "cli"),
            applications,
            screener,
            workspace=workspace,
            level=level,
        )
    matched = sum(1 for case in opened if case["fields"])
    out_console.print(f"{len(opened):,} patent cases opened, {matched:,} in a specified field")


@app.command("remind")
def cases_remind(
    within: Annotated[
        int, typer.Option("--within", min=0, help="Days ahead: clocks due by then (and overdue).")
    ] = 7,
) -> None:
    """Notify the assignees (or those who may decide) of clocks due soon or overdue, once per
    clock and due day; then e-mail what is unsent when SMTP settings are given."""
    from econsec.cases.notify import Notices
    from econsec.settings import get_settings

    with _cases() as (_, security):
        notices = Notices(security, get_settings())
        added = notices.remind(within)
        sent = notices.deliver()
        out_console.print(f"{added} notification(s) added, {sent} e-mailed")


@app.command("inbox")
def cases_inbox(
    as_user: AsUser,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread ones.")] = False,
    mark_read: Annotated[bool, typer.Option("--mark-read", help="Then mark all read.")] = False,
    fmt: Annotated[ScreenFormat, typer.Option("--format", help="table or json.")] = (
        ScreenFormat.table
    ),
) -> None:
    """Your notifications about cases, newest first."""
    from econsec.cases.notify import Notices
    from econsec.settings import get_settings

    with _cases() as (_, security):
        actor = security.actor(as_user, "cli")
        notices = Notices(security, get_settings())
        found = notices.inbox(actor, unread_only=unread)
        if mark_read:
            notices.mark_read(actor)
        if fmt == ScreenFormat.json:
            print_json(found)
            return
        table = Table("#", "case", "when", "message", "read")
        for n in found:
            table.add_row(
                str(n["id"]), str(n["case"]), n["created_at"][:16], n["message"],
                "yes" if n["read"] else "",
            )  # fmt: skip
        out_console.print(table)


operators_app = typer.Typer(help="Operators designated in the sectors of core infrastructure.")
app.add_typer(operators_app, name="operators")


@operators_app.command("designate")
def operators_designate(
    name: Annotated[str, typer.Argument(help="The operator's name, as in its plans.")],
    sector: Annotated[str, typer.Option("--sector", help="Sector id (infrastructure_sectors).")],
    as_user: AsUser,
    on: Annotated[str | None, typer.Option("--on", help="Designated on (YYYY-MM-DD).")] = None,
) -> None:
    """Record an operator's designation in a sector (who may decide; audited)."""
    with _cases() as (cases, security):
        done = cases.designate_operator(
            security.actor(as_user, "cli"), name, sector, _day(on, "--on")
        )
    out_console.print(f"{done['name']} designated in {done['sector']} from {done['designated_on']}")


@operators_app.command("list")
def operators_list(
    sector: Annotated[str | None, typer.Option("--sector", help="Only this sector.")] = None,
    fmt: Annotated[ScreenFormat, typer.Option("--format", help="table or json.")] = (
        ScreenFormat.table
    ),
) -> None:
    """The designated operators, by sector."""
    with _cases() as (cases, _security):
        found = cases.operators(sector)
    if fmt == ScreenFormat.json:
        print_json(found)
        return
    table = Table("sector", "operator", "designated on", "by")
    for row in found:
        table.add_row(row["sector"], row["name"], row["designated_on"], row["designated_by"])
    out_console.print(table)
