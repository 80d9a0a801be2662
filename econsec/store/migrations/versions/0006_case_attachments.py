"""case_attachments: Council documents attached to cases

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_attachments",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column(
            "document_id", sa.Integer(), sa.ForeignKey("council_documents.id"), primary_key=True
        ),
        sa.Column("attached_by", sa.String(100), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_attachments")
