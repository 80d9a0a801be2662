"""security and council: users, clearances, tokens, the append-only audit chain; workspaces,
members, documents, versions and the blind search index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_SQLITE_TRIGGER = """
CREATE TRIGGER security_audit_no_{op} BEFORE {OP} ON security_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
"""
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION security_audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER security_audit_append_only BEFORE UPDATE OR DELETE ON security_audit
FOR EACH ROW EXECUTE FUNCTION security_audit_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "security_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TZ, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "security_clearances",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("security_users.id"), nullable=False),
        sa.Column("level", sa.String(40), nullable=False),
        sa.Column("level_rank", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("valid_from", _TZ, nullable=False),
        sa.Column("valid_until", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_index("ix_security_clearances_user", "security_clearances", ["user_id", "revoked_at"])
    op.create_table(
        "security_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("security_users.id"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
    )
    op.create_table(
        "security_audit",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("workspace", sa.String(100), nullable=True),
        sa.Column("level", sa.String(40), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "council_workspaces",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "council_members",
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("council_workspaces.id"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("security_users.id"), primary_key=True),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", _TZ, nullable=False),
    )
    op.create_index("ix_council_members_user", "council_members", ["user_id", "workspace_id"])
    op.create_table(
        "council_documents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("council_workspaces.id"), nullable=False
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("level", sa.String(40), nullable=False),
        sa.Column("level_rank", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    op.create_index(
        "ix_council_documents_access", "council_documents", ["workspace_id", "level_rank", "id"]
    )
    op.create_table(
        "council_versions",
        sa.Column(
            "document_id", sa.Integer(), sa.ForeignKey("council_documents.id"), primary_key=True
        ),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "council_terms",
        sa.Column("term", sa.String(32), primary_key=True),
        sa.Column(
            "document_id", sa.Integer(), sa.ForeignKey("council_documents.id"), primary_key=True
        ),
    )
    op.create_index("ix_council_terms_document", "council_terms", ["document_id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("update", "delete"):
            op.execute(_SQLITE_TRIGGER.format(op=name, OP=name.upper()))
    elif bind.dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS security_audit_no_{name}")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS security_audit_append_only ON security_audit")
        op.execute("DROP FUNCTION IF EXISTS security_audit_append_only()")
    op.drop_index("ix_council_terms_document", table_name="council_terms")
    op.drop_table("council_terms")
    op.drop_table("council_versions")
    op.drop_index("ix_council_documents_access", table_name="council_documents")
    op.drop_table("council_documents")
    op.drop_index("ix_council_members_user", table_name="council_members")
    op.drop_table("council_members")
    op.drop_table("council_workspaces")
    op.drop_table("security_audit")
    op.drop_table("security_tokens")
    op.drop_index("ix_security_clearances_user", table_name="security_clearances")
    op.drop_table("security_clearances")
    op.drop_table("security_users")
