"""signed chain checkpoints; outbox messages leased one at a time with a token, and dropped

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 02:50:00.000000

A checkpoint is an association's chain head signed with a key outside the database, so that
rewriting history and every hash after it is caught. An outbox message carries the token of
the sender that leased it, and may be dropped (a thank-you for a receipt voided before it left).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledger.persistence.types import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chain_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_chain_checkpoints_association_id_associations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_checkpoints'))
    )
    with op.batch_alter_table('chain_checkpoints', schema=None) as batch_op:
        batch_op.create_index('ix_chain_checkpoints_assoc_seq', ['association_id', 'seq'], unique=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_messages_status'), "status IN ('pending', 'sent', 'failed', 'dropped')"
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_messages_status'), "status IN ('pending', 'sent', 'failed')")
        batch_op.drop_column('lease_token')
    with op.batch_alter_table('chain_checkpoints', schema=None) as batch_op:
        batch_op.drop_index('ix_chain_checkpoints_assoc_seq')
    op.drop_table('chain_checkpoints')
