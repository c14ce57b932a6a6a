"""On SQLite, labels get an index in the order the long CSV lists them (taxonomy, item, annotator, target,
label), so an export reads them in that order instead of sorting every label first; the sort was a third of
an export. The index also holds `created_at`, the label's one other column an export writes, so the export
reads the index alone and never looks the label row up (a fifth of what reading the labels cost).

PostgreSQL does not get it. Reading labels in index order, its planner must join each label to its note and
completion by nested index probes, to keep that order; those cost twice what hash joins and a sort in "C"
collation cost (4.9 s against 2.5 s for 200,000 labels), and it took the index all the same.

The completion index on (annotator, taxonomy) gets item_id as a third column. An export reads labels through
a cursor, for which PostgreSQL picks the plan that starts soonest; on a freshly loaded project (no statistics
yet) it probed that index for each label's completion, reading all of the annotator's completions every
time: two seconds per 2,000 rows. With item_id in it, whichever index the planner takes finds one row.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NAME = "ix_label_file_order"
COLUMNS = ["taxonomy", "item_id", "annotator", "target", "label", "created_at"]  # the file's order, then the rest
COMPLETION_INDEX = "ix_completion_annotator"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        op.create_index(NAME, "label", COLUMNS)
    op.drop_index(COMPLETION_INDEX, table_name="completion")
    op.create_index(COMPLETION_INDEX, "completion", ["annotator", "taxonomy", "item_id"])


def downgrade() -> None:
    op.drop_index(COMPLETION_INDEX, table_name="completion")
    op.create_index(COMPLETION_INDEX, "completion", ["annotator", "taxonomy"])
    if _sqlite():
        op.drop_index(NAME, table_name="label")
