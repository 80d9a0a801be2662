"""promote_crosswalk_edits: users' edits of the technology crosswalk (append-only)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TABLE = "promote_crosswalk_edits"
# Edits are records of decisions: the database refuses to change or delete them, as it does
# for the audit log (migration 0003).
_SQLITE_TRIGGER = """
CREATE TRIGGER promote_crosswalk_edits_no_{op} BEFORE {OP} ON promote_crosswalk_edits
BEGIN SELECT RAISE(ABORT, 'crosswalk edits are append-only'); END
"""
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION promote_crosswalk_edits_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'crosswalk edits are append-only'; END $$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER promote_crosswalk_edits_append_only BEFORE UPDATE OR DELETE
ON promote_crosswalk_edits FOR EACH ROW EXECUTE FUNCTION promote_crosswalk_edits_append_only()
"""


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("technology", sa.String(200), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("area", sa.String(60), nullable=True),
        sa.Column("confidence", sa.String(10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("shipped", sa.String(200), nullable=True),
    )
    op.create_index("ix_promote_crosswalk_edits_technology", _TABLE, ["technology", "id"])
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
            op.execute(f"DROP TRIGGER IF EXISTS promote_crosswalk_edits_no_{name}")
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS promote_crosswalk_edits_append_only ON {_TABLE}")
        op.execute("DROP FUNCTION IF EXISTS promote_crosswalk_edits_append_only()")
    op.drop_index("ix_promote_crosswalk_edits_technology", table_name=_TABLE)
    op.drop_table(_TABLE)
