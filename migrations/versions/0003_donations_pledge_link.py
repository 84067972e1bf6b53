"""a receipt for a collected pledge points to its pledge

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:00:00.000000

Collecting a pledge issues a receipt (a ``donations`` row); when that collection is
reversed, the pledge's collected amount must go back down, so the receipt records which
pledge it was collected for.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pledge_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_donations_pledge_id'), ['pledge_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_donations_pledge_id_pledges'), 'pledges', ['pledge_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_donations_pledge_id_pledges'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_donations_pledge_id'))
        batch_op.drop_column('pledge_id')
