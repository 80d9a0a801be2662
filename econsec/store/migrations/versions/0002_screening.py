"""screening: list versions, listed entities, parties, hits and append-only decisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_APPEND_ONLY_SQLITE = """
CREATE TRIGGER screening_decisions_no_{op} BEFORE {OP} ON screening_decisions
BEGIN SELECT RAISE(ABORT, 'screening decisions are append-only'); END
"""
_APPEND_ONLY_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION screening_decisions_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'screening decisions are append-only'; END $$ LANGUAGE plpgsql
"""
_APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER screening_decisions_append_only BEFORE UPDATE OR DELETE ON screening_decisions
FOR EACH ROW EXECUTE FUNCTION screening_decisions_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "screening_lists",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screening_lists_name", "screening_lists", ["name"])
    op.create_table(
        "screening_entities",
        sa.Column(
            "list_id",
            sa.Integer(),
            sa.ForeignKey("screening_lists.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("schema", sa.String(40), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "screening_parties",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("schema", sa.String(40), nullable=False),
        sa.Column("country", sa.String(10), nullable=True),
        sa.Column("birth_date", sa.String(10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "screening_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("list_ids", sa.JSON(), nullable=False),
        sa.Column("algorithm", sa.String(40), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("parties", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("new_hits", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("party_id", sa.String(200), nullable=False),
        sa.Column("list_name", sa.String(60), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("entity_digest", sa.String(64), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("algorithm", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("screening_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screening_hits_party", "screening_hits", ["party_id", "entity_id"])
    op.create_index("ix_screening_hits_run", "screening_hits", ["run_id"])
    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("party_id", sa.String(200), nullable=False),
        sa.Column("list_name", sa.String(60), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("entity_digest", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screening_decisions_pair", "screening_decisions", ["party_id", "entity_id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("update", "delete"):
            op.execute(_APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))
    elif bind.dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_PG_FUNCTION)
        op.execute(_APPEND_ONLY_PG_TRIGGER)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS screening_decisions_no_{name}")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS screening_decisions_append_only ON screening_decisions")
        op.execute("DROP FUNCTION IF EXISTS screening_decisions_append_only()")
    op.drop_index("ix_screening_decisions_pair", table_name="screening_decisions")
    op.drop_table("screening_decisions")
    op.drop_index("ix_screening_hits_run", table_name="screening_hits")
    op.drop_index("ix_screening_hits_party", table_name="screening_hits")
    op.drop_table("screening_hits")
    op.drop_table("screening_runs")
    op.drop_table("screening_parties")
    op.drop_table("screening_entities")
    op.drop_index("ix_screening_lists_name", table_name="screening_lists")
    op.drop_table("screening_lists")
