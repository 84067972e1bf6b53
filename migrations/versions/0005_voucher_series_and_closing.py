"""voucher kinds with their own series, payees and guardians, bank references, the closing accounts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 03:00:00.000000

Numbering (DESIGN.md "Documents", issue 18): until this revision every posted disbursement
took a phiếu chi number ``<A>-PC-<YEAR>-NNNNNN`` from one counter (``doc_type = 'voucher'``),
whether it was paid in cash, by bank or in goods. Those numbers are kept as they are: the
counter becomes the ``PC`` (cash) counter and goes on from its last number. Documents issued
after this revision take their number from the series of their kind: ``UNC`` for bank
payments and ``PX`` for goods handed out, each starting at 000001 in the year of the first
one, and ``PT`` (phiếu thu) for cash received, beside the donor's receipt. Disbursements and
donations made before this revision keep the one number they had; a cash donation made
before it has no phiếu thu number.

Also: ``accountant`` becomes a role (treasurer and accountant are separate, Law on Accounting
2015 art. 52); a disbursement may name a payee other than its beneficiary (a bookcase's
supplier) and a bank reference; a donation its bank reference; a beneficiary the guardian
who receives a minor's money; and every association's chart gets 911 and 421, which the
year-end close posts through. A chart may take sub-accounts (``611.1``) from now on, so it has
a version that each process's cache of it is keyed on, and a disbursement may name the
sub-account of its kind's expense account it is booked to.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('treasurer', 'approver', 'auditor', 'donor')"
NEW_ROLES = "role IN ('treasurer', 'accountant', 'approver', 'auditor', 'donor')"
#: (code, name, name_en) of the accounts the year-end close posts through (type fund_balance).
CLOSING_ACCOUNTS = (
    ('911', 'Xác định kết quả hoạt động', 'Result of the year'),
    ('421', 'Thặng dư (thâm hụt) lũy kế', 'Accumulated surplus (deficit)'),
)


def upgrade() -> None:
    op.execute("UPDATE document_counters SET doc_type = 'PC' WHERE doc_type = 'voucher'")
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_memberships_role'), type_='check')
        batch_op.create_check_constraint('role', NEW_ROLES)
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chart_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('disbursements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expense_account', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('payee_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('payee_address', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reference', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cash_voucher_number', sa.String(length=64), nullable=True))
    op.create_index(
        'uq_donations_association_id_cash_voucher_number',
        'donations',
        ['association_id', 'cash_voucher_number'],
        unique=True,
    )
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guardian_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('guardian_relation', sa.String(length=60), nullable=False, server_default=''))
    for code, name, name_en in CLOSING_ACCOUNTS:
        op.execute(
            sa.text(
                "INSERT INTO accounts (association_id, code, name, name_en, type, non_negative, holds_goods) "
                "SELECT a.id, :code, :name, :name_en, 'fund_balance', :no, :no FROM associations a "
                "WHERE NOT EXISTS (SELECT 1 FROM accounts x WHERE x.association_id = a.id AND x.code = :code)"
            ).bindparams(code=code, name=name, name_en=name_en, no=False)
        )


def downgrade() -> None:
    # 911 and 421 stay when something was posted to them (the journal is append-only).
    op.execute(
        "DELETE FROM accounts WHERE code IN ('911', '421') AND NOT EXISTS "
        "(SELECT 1 FROM balances b WHERE b.account_id = accounts.id)"
    )
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.drop_column('guardian_relation')
        batch_op.drop_column('guardian_name')
    op.drop_index('uq_donations_association_id_cash_voucher_number', table_name='donations')
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_column('cash_voucher_number')
        batch_op.drop_column('reference')
    with op.batch_alter_table('disbursements', schema=None) as batch_op:
        batch_op.drop_column('reference')
        batch_op.drop_column('payee_address')
        batch_op.drop_column('payee_name')
        batch_op.drop_column('expense_account')
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.drop_column('chart_version')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_memberships_role'), type_='check')
        batch_op.create_check_constraint('role', OLD_ROLES)
    # UNC and PX numbers issued meanwhile stay on their disbursements; the counters of the
    # new series go, and PC is again the one voucher counter.
    op.execute("DELETE FROM document_counters WHERE doc_type IN ('UNC', 'PX', 'PT')")
    op.execute("UPDATE document_counters SET doc_type = 'voucher' WHERE doc_type = 'PC'")
