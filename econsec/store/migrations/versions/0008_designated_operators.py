"""case_operators: operators designated in the sectors of core infrastructure

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_operators",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("sector", sa.String(60), primary_key=True),
        sa.Column("designated_on", sa.Date(), nullable=False),
        sa.Column("designated_by", sa.String(100), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("case_operators")
