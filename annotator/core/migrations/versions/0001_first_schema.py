"""The first schema: items and their units, taxonomies, annotators, labels, notes, completion, gold,
predictions, metric coverage, image blobs and the judge cache.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('annotator',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('created_at', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('blob',
    sa.Column('sha', sa.String(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha')
    )
    op.create_table('judge_cache',
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('taxonomy',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('item',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('image_sha', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['image_sha'], ['blob.sha'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_position'), ['position'], unique=True)
        batch_op.create_index(batch_op.f('ix_item_source'), ['source'], unique=False)

    op.create_table('completion',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('taxonomy', sa.String(), nullable=False),
    sa.Column('annotator', sa.String(), nullable=False),
    sa.Column('done_at', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['annotator'], ['annotator.name'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['taxonomy'], ['taxonomy.id'], ),
    sa.PrimaryKeyConstraint('item_id', 'taxonomy', 'annotator')
    )
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.create_index('ix_completion_annotator', ['annotator', 'taxonomy'], unique=False)

    op.create_table('gold',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('taxonomy', sa.String(), nullable=False),
    sa.Column('target', sa.String(), nullable=False),
    sa.Column('labels', sa.String(), nullable=False),
    sa.Column('reviewer', sa.String(), nullable=False),
    sa.Column('decided_at', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['taxonomy'], ['taxonomy.id'], ),
    sa.PrimaryKeyConstraint('item_id', 'taxonomy', 'target')
    )
    op.create_table('label',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('taxonomy', sa.String(), nullable=False),
    sa.Column('annotator', sa.String(), nullable=False),
    sa.Column('target', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('created_at', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['annotator'], ['annotator.name'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['taxonomy'], ['taxonomy.id'], ),
    sa.PrimaryKeyConstraint('pk'),
    sa.UniqueConstraint('item_id', 'taxonomy', 'annotator', 'target', 'label', name='uq_label')
    )
    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.create_index('ix_label_taxonomy_annotator', ['taxonomy', 'annotator'], unique=False)

    op.create_table('note',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('taxonomy', sa.String(), nullable=False),
    sa.Column('annotator', sa.String(), nullable=False),
    sa.Column('target', sa.String(), nullable=False),
    sa.Column('text', sa.String(), nullable=False),
    sa.Column('updated_at', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['annotator'], ['annotator.name'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['taxonomy'], ['taxonomy.id'], ),
    sa.PrimaryKeyConstraint('item_id', 'taxonomy', 'annotator', 'target')
    )
    op.create_table('prediction',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('taxonomy', sa.String(), nullable=False),
    sa.Column('metric', sa.String(), nullable=False),
    sa.Column('target', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['taxonomy'], ['taxonomy.id'], ),
    sa.PrimaryKeyConstraint('item_id', 'taxonomy', 'metric', 'target', 'label')
    )
    op.create_table('scored',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('taxonomy', sa.String(), nullable=False),
    sa.Column('metric', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['taxonomy'], ['taxonomy.id'], ),
    sa.PrimaryKeyConstraint('item_id', 'taxonomy', 'metric')
    )
    op.create_table('unit',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('target', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.PrimaryKeyConstraint('item_id', 'target')
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index('ix_unit_item', ['item_id', 'position'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_item')

    op.drop_table('unit')
    op.drop_table('scored')
    op.drop_table('prediction')
    op.drop_table('note')
    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.drop_index('ix_label_taxonomy_annotator')

    op.drop_table('label')
    op.drop_table('gold')
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_index('ix_completion_annotator')

    op.drop_table('completion')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_source'))
        batch_op.drop_index(batch_op.f('ix_item_position'))
        batch_op.drop_index(batch_op.f('ix_item_kind'))

    op.drop_table('item')
    op.drop_table('taxonomy')
    op.drop_table('judge_cache')
    op.drop_table('blob')
    op.drop_table('annotator')

