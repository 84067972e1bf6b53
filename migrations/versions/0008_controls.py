"""controls one person cannot get around: approval requests, policy consent

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 02:50:00.000000

- ``approval_requests``: policy changes that loosen a fund, reversals that void a receipt or a
  voucher, and period reopenings wait here for a second person.
- ``fund_policies`` records who approved a version and the donor's written consent.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.persistence.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fund_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_document', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('consent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_fund_policies_approved_by_users'), 'users', ['approved_by'], ['id'])
    op.create_table(
        'approval_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('association_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=True),
        sa.Column('entry_seq', sa.BigInteger(), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('maker_id', sa.Integer(), nullable=True),
        sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.String(length=500), nullable=True),
        sa.Column('outcome', sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('policy_change', 'reversal', 'period_reopen')", name=op.f('ck_approval_requests_kind')
        ),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_approval_requests_status')),
        sa.ForeignKeyConstraint(
            ['association_id'], ['associations.id'], name=op.f('fk_approval_requests_association_id_associations')
        ),
        sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_approval_requests_fund_id_funds')),
        sa.ForeignKeyConstraint(['maker_id'], ['users.id'], name=op.f('fk_approval_requests_maker_id_users')),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_approval_requests_decided_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_requests')),
    )
    op.create_index(
        'ix_approval_requests_association_status', 'approval_requests', ['association_id', 'status'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_approval_requests_association_status', table_name='approval_requests')
    op.drop_table('approval_requests')
    with op.batch_alter_table('fund_policies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_fund_policies_approved_by_users'), type_='foreignkey')
        batch_op.drop_column('request_id')
        batch_op.drop_column('consent_on')
        batch_op.drop_column('consent_document')
        batch_op.drop_column('approved_by')
