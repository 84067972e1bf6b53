"""a receipt issued to correct a voided one names it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 03:45:00.000000

When a receipt is voided because it was wrong (amount, fund, donor's name) the treasurer
records the donation again and names the voided receipt (``replaces``). The new receipt
points to the old one, so the public verification page of the voided receipt can give the
number of its replacement instead of the treasurer's free-text reason. At most one
replacement per voided receipt (unique).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_donation_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_donations_replaces_donation_id'), ['replaces_donation_id'], unique=True
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_donations_replaces_donation_id_donations'), 'donations', ['replaces_donation_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_donations_replaces_donation_id_donations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_donations_replaces_donation_id'))
        batch_op.drop_column('replaces_donation_id')
