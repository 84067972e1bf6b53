"""disbursements, pledges and the outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:08:23.304625
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.persistence.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('disbursement_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total_vnd', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_disbursement_batches_association_id_associations')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_disbursement_batches_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disbursement_batches'))
    )
    with op.batch_alter_table('disbursement_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disbursement_batches_association_id'), ['association_id'], unique=False)

    op.create_table('disbursements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('amount_vnd', sa.BigInteger(), nullable=False),
    sa.Column('paid_from', sa.String(length=20), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=True),
    sa.Column('quantity', sa.BigInteger(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('maker_id', sa.Integer(), nullable=True),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=True),
    sa.Column('reserved_account_id', sa.Integer(), nullable=True),
    sa.Column('reserved_vnd', sa.BigInteger(), nullable=False),
    sa.Column('entry_seq', sa.BigInteger(), nullable=True),
    sa.Column('voucher_number', sa.String(length=64), nullable=True),
    sa.Column('void_entry_seq', sa.BigInteger(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'posted', 'rejected', 'void')", name=op.f('ck_disbursements_status')),
    sa.CheckConstraint('amount_vnd > 0', name=op.f('ck_disbursements_positive_amount')),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_disbursements_approver_id_users')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_disbursements_association_id_associations')),
    sa.ForeignKeyConstraint(['batch_id'], ['disbursement_batches.id'], name=op.f('fk_disbursements_batch_id_disbursement_batches')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_disbursements_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_disbursements_fund_id_funds')),
    sa.ForeignKeyConstraint(['maker_id'], ['users.id'], name=op.f('fk_disbursements_maker_id_users')),
    sa.ForeignKeyConstraint(['reserved_account_id'], ['accounts.id'], name=op.f('fk_disbursements_reserved_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disbursements')),
    sa.UniqueConstraint('association_id', 'entry_seq', name=op.f('uq_disbursements_association_id_entry_seq')),
    sa.UniqueConstraint('association_id', 'voucher_number', name=op.f('uq_disbursements_association_id_voucher_number'))
    )
    with op.batch_alter_table('disbursements', schema=None) as batch_op:
        batch_op.create_index('ix_disbursements_assoc_status', ['association_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_disbursements_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_disbursements_beneficiary', ['beneficiary_id'], unique=False)

    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.BigInteger(), nullable=False),
    sa.Column('collected_vnd', sa.BigInteger(), nullable=False),
    sa.Column('pledged_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('entry_seq', sa.BigInteger(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'collected', 'cancelled')", name=op.f('ck_pledges_status')),
    sa.CheckConstraint('amount_vnd > 0 AND collected_vnd >= 0 AND collected_vnd <= amount_vnd', name=op.f('ck_pledges_amounts')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_pledges_association_id_associations')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_pledges_created_by_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_pledges_donor_id_donors')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_pledges_fund_id_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_association_id'), ['association_id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_outbox_messages_status')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_outbox_messages_association_id_associations')),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_outbox_messages_donation_id_donations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_association_id'), ['association_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_status_next', ['status', 'next_attempt_at'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_next')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_association_id'))

    op.drop_table('outbox_messages')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledges_association_id'))

    op.drop_table('pledges')
    with op.batch_alter_table('disbursements', schema=None) as batch_op:
        batch_op.drop_index('ix_disbursements_beneficiary')
        batch_op.drop_index(batch_op.f('ix_disbursements_batch_id'))
        batch_op.drop_index('ix_disbursements_assoc_status')

    op.drop_table('disbursements')
    with op.batch_alter_table('disbursement_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disbursement_batches_association_id'))

    op.drop_table('disbursement_batches')

