"""Teams: the lead's work plan (which annotator was given which item, `annotator assign`) and the record of
where an annotator was shown a metric's suggestions (to measure anchoring).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment",
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("annotator", sa.String(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["annotator"], ["annotator.name"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("item_id", "annotator"),
    )
    op.create_table(
        "suggestion_shown",
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("taxonomy", sa.String(), nullable=False),
        sa.Column("annotator", sa.String(), nullable=False),
        sa.Column("metric", sa.String(), nullable=False),
        sa.Column("shown_at", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["annotator"], ["annotator.name"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["taxonomy"], ["taxonomy.id"]),
        sa.PrimaryKeyConstraint("item_id", "taxonomy", "annotator"),
    )


def downgrade() -> None:
    op.drop_table("suggestion_shown")
    op.drop_table("assignment")
