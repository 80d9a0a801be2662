"""notifications: users' e-mail addresses and case notifications

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("security_users") as table:
        table.add_column(sa.Column("email", sa.String(200), nullable=True))
    op.create_table(
        "case_notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("read_at", _TZ, nullable=True),
        sa.Column("emailed_at", _TZ, nullable=True),
    )
    op.create_index("ix_case_notifications_user", "case_notifications", ["user", "read_at"])


def downgrade() -> None:
    op.drop_index("ix_case_notifications_user", table_name="case_notifications")
    op.drop_table("case_notifications")
    with op.batch_alter_table("security_users") as table:
        table.drop_column("email")
