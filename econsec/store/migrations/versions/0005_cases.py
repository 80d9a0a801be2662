"""cases: cases of the review workflows, their history and their statutory clocks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workflow", sa.String(40), nullable=False, index=True),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("state", sa.String(40), nullable=False, index=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("council_workspaces.id"), nullable=False
        ),
        sa.Column("level", sa.String(40), nullable=False),
        sa.Column("level_rank", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    op.create_index("ix_cases_access", "cases", ["workspace_id", "level_rank", "id"])
    op.create_table(
        "case_events",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("from_state", sa.String(40), nullable=True),
        sa.Column("to_state", sa.String(40), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
    )
    op.create_table(
        "case_clocks",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("limit_due", sa.Date(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_case_clocks_due", "case_clocks", ["stopped_on", "due"])


def downgrade() -> None:
    op.drop_index("ix_case_clocks_due", table_name="case_clocks")
    op.drop_table("case_clocks")
    op.drop_table("case_events")
    op.drop_index("ix_cases_access", table_name="cases")
    op.drop_table("cases")
