"""``econsec users``, ``econsec council`` and ``econsec audit``: the operator's tools.

``users`` commands act as the local operator (audited as ``operator:<login>``); ``council``
commands act as the user named by ``--as``, with exactly that user's rights and clearance, and
are audited under that name. Nothing a command prints goes beyond what that user may see.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from econsec.cli.common import out_console, parse_date, print_json
from econsec.errors import InvalidInput

if TYPE_CHECKING:
    from econsec.council.service import Council
    from econsec.security.policy import Actor
    from econsec.security.service import Security

users_app = typer.Typer(
    help="Users, roles and clearances (as the local operator).", no_args_is_help=True
)
council_app = typer.Typer(help="Council workspaces and classified documents.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspaces and their members.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
council_app.add_typer(workspace_app, name="workspace")

AsUser = Annotated[str, typer.Option("--as", help="Act as this user (audited as them).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class AuditFormat(StrEnum):
    json = "json"
    csv = "csv"


def _security() -> Security:
    from econsec import open_security

    return open_security()


def _council() -> tuple[Council, Security]:
    from econsec.council.service import Council

    security = _security()
    return Council(security), security


def _actor(security: Security, name: str) -> Actor:
    return security.actor(name, "cli")


# -- users -----------------------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, '.', '-', '_').")],
    role: Annotated[
        str, typer.Option("--role", help="admin|official|reviewer|analyst|researcher|observer")
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user. Without --password-stdin the user cannot sign in (CLI-only actor)."""
    from econsec.security.service import operator

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    user = _security().add_user(operator(), name, role, password)
    out_console.print(f"user {user['name']} added as {user['role']}")


@users_app.command("bootstrap-admin")
def users_bootstrap_admin(
    name: Annotated[str, typer.Argument(help="The first admin's user name.")] = "admin",
    days: Annotated[int, typer.Option("--days", min=1, help="Days the clearance lasts.")] = 365,
) -> None:
    """Create the first admin when no admin can sign in: prints a new random password once,
    and grants the admin the highest level for --days. Does nothing when an admin exists."""
    import secrets as _secrets

    from econsec.security.service import operator

    security = _security()
    admins = [
        u
        for u in security.users(operator())
        if u["role"] == "admin" and not u["disabled"] and u["can_sign_in"]
    ]
    if admins:
        out_console.print(
            f"an admin who can sign in exists ({', '.join(u['name'] for u in admins)}): "
            "nothing done"
        )
        return
    password = _secrets.token_urlsafe(18)
    security.add_user(operator(), name, "admin", password)
    until = date.today() + timedelta(days=days)
    top = security.levels.names[-1]
    security.grant_clearance(security.actor(name), name, top, until)
    out_console.print(f"admin {name} created with clearance {top} through {until}")
    out_console.print(
        f"password (shown once; change it with `econsec users set-password`): {password}"
    )


@users_app.command("list")
def users_list(as_json: JsonFlag = False) -> None:
    """Every user: role, current clearance, disabled or locked."""
    from econsec.security.service import operator

    users = _security().users(operator())
    if as_json:
        print_json(users)
        return
    table = Table()
    for column in ("name", "role", "clearance", "disabled", "locked until", "created by"):
        table.add_column(column)
    for u in users:
        table.add_row(
            u["name"],
            u["role"],
            u["clearance"] or "",
            "yes" if u["disabled"] else "",
            u["locked_until"] or "",
            u["created_by"],
        )
    out_console.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable an account (its sessions end; its history stays)."""
    from econsec.security.service import operator

    _security().disable_user(operator(), name)
    out_console.print(f"user {name} disabled")


@users_app.command("set-password")
def users_set_password(
    name: Annotated[str, typer.Argument(help="User name.")],
) -> None:
    """Set a user's password from standard input (clears a lockout)."""
    from econsec.security.service import operator

    _security().set_password(operator(), name, sys.stdin.readline().rstrip("\r\n"))
    out_console.print(f"password of {name} set")


@users_app.command("set-email")
def users_set_email(
    name: Annotated[str, typer.Argument(help="User name.")],
    email: Annotated[str, typer.Argument(help="Address for notifications ('' to clear).")],
) -> None:
    """Set the address a user's case notifications are e-mailed to."""
    from econsec.security.service import operator

    _security().set_email(operator(), name, email or None)
    out_console.print(f"e-mail of {name} {'set' if email else 'cleared'}")


@users_app.command("grant-clearance")
def users_grant(
    name: Annotated[str, typer.Argument(help="User name.")],
    level: Annotated[str, typer.Option("--level", help="Classification level.")],
    until: Annotated[str, typer.Option("--until", help="Last valid day, YYYY-MM-DD.")],
    by: Annotated[str, typer.Option("--by", help="The granting user (admin or official).")],
    start: Annotated[
        str | None, typer.Option("--from", help="First valid day (default: now).")
    ] = None,
) -> None:
    """Grant a clearance at a level, valid through --until, by an authorised user."""
    security = _security()
    try:
        security.levels.rank(level)
    except InvalidInput as exc:
        raise InvalidInput(f"--level: {exc.message}") from None
    granted = security.grant_clearance(
        _actor(security, by),
        name,
        level,
        parse_date(until, "--until"),
        parse_date(start, "--from") if start else None,
    )
    out_console.print(
        f"{name} cleared for {granted['level']} until {until} (granted by {granted['granted_by']})"
    )


@users_app.command("revoke-clearance")
def users_revoke(
    name: Annotated[str, typer.Argument(help="User name.")],
    by: Annotated[str, typer.Option("--by", help="The revoking user (admin or official).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (audited).")] = "",
) -> None:
    """Revoke every current clearance of a user."""
    security = _security()
    count = security.revoke_clearance(_actor(security, by), name, reason)
    out_console.print(f"{count} clearance(s) of {name} revoked")


# -- council -----------------------------------------------------------------------------------


@workspace_app.command("create")
def workspace_create(
    name: Annotated[str, typer.Argument(help="Workspace name.")],
    as_user: AsUser,
    title: Annotated[str, typer.Option("--title", help="Display title.")] = "",
) -> None:
    """Create a workspace (admins and officials); its creator becomes a member."""
    council, security = _council()
    council.create_workspace(_actor(security, as_user), name, title)
    out_console.print(f"workspace {name} created")


@workspace_app.command("add-member")
def workspace_add_member(
    workspace: Annotated[str, typer.Argument(help="Workspace name.")],
    user: Annotated[str, typer.Argument(help="User to add.")],
    as_user: AsUser,
) -> None:
    """Add a member (admins, or officials who are members)."""
    council, security = _council()
    council.add_member(_actor(security, as_user), workspace, user)
    out_console.print(f"{user} is a member of {workspace}")


@workspace_app.command("remove-member")
def workspace_remove_member(
    workspace: Annotated[str, typer.Argument(help="Workspace name.")],
    user: Annotated[str, typer.Argument(help="User to remove.")],
    as_user: AsUser,
) -> None:
    """End a membership."""
    council, security = _council()
    council.remove_member(_actor(security, as_user), workspace, user)
    out_console.print(f"{user} is no longer a member of {workspace}")


@workspace_app.command("list")
def workspace_list(as_user: AsUser, as_json: JsonFlag = False) -> None:
    """The workspaces the user is a member of (admins: all), with their members."""
    council, security = _council()
    spaces = council.workspaces(_actor(security, as_user))
    if as_json:
        print_json(spaces)
        return
    for space in spaces:
        out_console.print(f"{space['name']}: {space['title']} ({', '.join(space['members'])})")


@council_app.command("put")
def council_put(
    path: Annotated[Path, typer.Argument(help="File to file (PDF, Office, text).")],
    workspace: Annotated[str, typer.Option("--workspace", help="Workspace name.")],
    level: Annotated[str, typer.Option("--level", help="Classification level.")],
    title: Annotated[str, typer.Option("--title", help="Title.")],
    as_user: AsUser,
    document: Annotated[
        int | None, typer.Option("--new-version-of", help="Add a version to this document.")
    ] = None,
) -> None:
    """File a document into a workspace at a level (encrypted at rest), or a new version."""
    council, security = _council()
    actor = _actor(security, as_user)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    if document is not None:
        stored = council.add_version(actor, document, data, path.name)
    else:
        stored = council.put(actor, workspace, data, path.name, title=title, level=level)
    out_console.print(
        f"document {stored['id']} version {stored['version']} in {stored['workspace']} "
        f"({stored['level']})"
    )


@council_app.command("note")
def council_note(
    workspace: Annotated[str, typer.Option("--workspace", help="Workspace name.")],
    level: Annotated[str, typer.Option("--level", help="Classification level.")],
    title: Annotated[str, typer.Option("--title", help="Title.")],
    as_user: AsUser,
) -> None:
    """File a note read from standard input."""
    council, security = _council()
    stored = council.put_note(
        _actor(security, as_user), workspace, title=title, level=level, text=sys.stdin.read()
    )
    out_console.print(f"note {stored['id']} in {stored['workspace']} ({stored['level']})")


@council_app.command("list")
def council_list(
    as_user: AsUser,
    workspace: Annotated[
        str | None, typer.Option("--workspace", help="One workspace (default: all).")
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = (
        ListFormat.table
    ),
    limit: Annotated[int, typer.Option("--limit", help="At most this many.", min=1)] = 1000,
) -> None:
    """The documents the user may see; JSON: an array of them and nothing else."""
    council, security = _council()
    page = council.documents(_actor(security, as_user), workspace, limit=limit)
    if fmt == ListFormat.json:
        print_json(page.items)
        return
    table = Table(title=f"{page.total} document(s)")
    for column in ("id", "workspace", "level", "title", "version", "updated"):
        table.add_column(column, overflow="fold")
    for d in page.items:
        table.add_row(
            str(d["id"]), d["workspace"], d["level"], d["title"], str(d["version"]), d["updated_at"]
        )
    out_console.print(table)


@council_app.command("get")
def council_get(
    document: Annotated[int, typer.Argument(help="Document id.")],
    as_user: AsUser,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Write the file here.")] = None,
    version: Annotated[int | None, typer.Option("--version", help="A given version.")] = None,
) -> None:
    """Download a document the user may see (audited); without -o, print its metadata."""
    council, security = _council()
    actor = _actor(security, as_user)
    if out is None:
        print_json(council.get(actor, document))
        return
    filename, _media, content = council.download(actor, document, version)
    out.write_bytes(content)
    out_console.print(f"{filename} ({len(content):,} bytes) written to {out}")


@council_app.command("search")
def council_search(
    query: Annotated[str, typer.Argument(help="Words to find (all of them).")],
    as_user: AsUser,
    workspace: Annotated[str | None, typer.Option("--workspace", help="One workspace.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Full-text search within what the user may see."""
    council, security = _council()
    hits = council.search(_actor(security, as_user), query, workspace)
    if as_json:
        print_json(hits)
        return
    for hit in hits:
        out_console.print(f"{hit['id']} [{hit['level']}] {hit['title']}: {hit['snippet']}")


@council_app.command("downgrade")
def council_downgrade(
    document: Annotated[int, typer.Argument(help="Document id.")],
    level: Annotated[str, typer.Option("--level", help="The new, lower level.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (audited).")],
    as_user: AsUser,
) -> None:
    """Lower a document's classification (downgrade right; audited with the reason)."""
    council, security = _council()
    stored = council.downgrade(_actor(security, as_user), document, level, reason)
    out_console.print(f"document {document} is now {stored['level']}")


# -- audit ---------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    as_json: JsonFlag = False,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            help="SEQ:HASH printed by an earlier verify: fail if the log no longer holds it.",
        ),
    ] = None,
) -> None:
    """Walk the audit chain: exit 0 when intact, 1 naming the first broken entry."""
    from econsec.security.service import operator

    result = _security().verify(operator(), expect_head)
    if as_json:
        print_json(result.as_dict())
    elif result.ok:
        out_console.print(
            f"audit log intact: {result.entries:,} entries; head "
            f"{result.head_seq}:{result.head_hash}"
        )
    else:
        out_console.print(
            f"audit log BROKEN at entry {result.broken_seq}: {result.reason} "
            f"({result.entries:,} entries read)"
        )
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    fmt: Annotated[AuditFormat, typer.Option("--format", help="json (lines) or csv.")] = (
        AuditFormat.json
    ),
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Export the whole audit log (the export is itself audited)."""
    from econsec.protect import batch
    from econsec.security.service import operator

    with batch.output(out) as fh:
        for chunk in _security().export(operator(), fmt.value):
            fh.write(chunk)
