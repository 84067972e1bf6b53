"""report balances: what each day and month moved, per account, fund and kind of entry; public disclosure switch

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 02:40:00.000000

Statements at a past date (a trial balance as of 31/12 last year, a fund statement for a
year) must not add up the journal (issue 17). The journal is append-only and numbered, so
what a day and a month moved can be kept up to date by sequence number alone: an entry
dated in the past still arrives with a higher number. ``report_marks`` says up to which
entry ``report_balances`` has taken the journal in; reports bring it up to the chain head
before they read (``ledger/reports/snapshots.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_balances',
        sa.Column('association_id', sa.Integer(), sa.ForeignKey('associations.id', name='fk_report_balances_association_id_associations'), nullable=False),
        sa.Column('grain', sa.String(1), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('debit_vnd', sa.BigInteger(), nullable=False),
        sa.Column('credit_vnd', sa.BigInteger(), nullable=False),
        sa.CheckConstraint("grain IN ('d', 'm')", name='ck_report_balances_grain'),
        sa.PrimaryKeyConstraint('association_id', 'grain', 'starts_on', 'account_id', 'fund_id', 'kind', name='pk_report_balances'),
    )
    op.create_table(
        'report_marks',
        sa.Column('association_id', sa.Integer(), sa.ForeignKey('associations.id', name='fk_report_marks_association_id_associations'), primary_key=True),
        sa.Column('through_seq', sa.BigInteger(), nullable=False),
    )


    # Issue 17 item 9: the disclosure list is public only once the association turns it on.
    with op.batch_alter_table('associations') as batch:
        batch.add_column(sa.Column('publish_disclosure', sa.Boolean(), nullable=False, server_default=sa.false()))


    # Issue 17 item 7: a donor or beneficiary that is itself an association of the tree (a
    # province funding a commune), so that a consolidation can eliminate what moves between members.
    for table in ('donors', 'beneficiaries'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('member_association_id', sa.Integer(), nullable=True))
            batch.create_foreign_key(
                f'fk_{table}_member_association_id_associations', 'associations', ['member_association_id'], ['id']
            )


def downgrade() -> None:
    for table in ('donors', 'beneficiaries'):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'fk_{table}_member_association_id_associations', type_='foreignkey')
            batch.drop_column('member_association_id')
    with op.batch_alter_table('associations') as batch:
        batch.drop_column('publish_disclosure')
    op.drop_table('report_marks')
    op.drop_table('report_balances')
