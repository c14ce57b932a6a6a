"""Items get a lowercased search text, so search looks through what a person reads and not the stored JSON's
field names (searching "kind" used to match every item).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 2000


def _text(item_id: str, data: str) -> str:
    """The search text of a stored item; written against the JSON as version 0001 stored it."""
    record = json.loads(data)
    parts = [item_id] + [str(record.get(k) or "") for k in
                         ("source", "prompt", "caption", "problem", "response", "answer", "reference_answer")]
    parts += [str(c.get("text", "")) for c in record.get("criteria") or []]
    parts += [str(s.get("text", "")) for s in record.get("steps") or []]
    return "\n".join(p for p in parts if p).lower()


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    item = sa.table("item", sa.column("id", sa.String), sa.column("position", sa.Integer),
                    sa.column("data", sa.Text), sa.column("text", sa.Text))
    last = -1
    while True:
        rows = bind.execute(sa.select(item.c.position, item.c.id, item.c.data).where(item.c.position > last)
                            .order_by(item.c.position).limit(BATCH)).all()
        if not rows:
            break
        for position, item_id, data in rows:
            bind.execute(item.update().where(item.c.id == item_id).values(text=_text(item_id, data)))
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("text")
