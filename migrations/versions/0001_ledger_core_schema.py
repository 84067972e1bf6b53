"""ledger core schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 00:03:57.762508
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.persistence.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('associations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['associations.id'], name=op.f('fk_associations_parent_id_associations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_associations')),
    sa.UniqueConstraint('code', name=op.f('uq_associations_code'))
    )
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_associations_parent_id'), ['parent_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('non_negative', sa.Boolean(), nullable=False),
    sa.Column('holds_goods', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_accounts_association_id_associations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('association_id', 'code', name=op.f('uq_accounts_association_id_code'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_audit_events_association_id_associations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_assoc_at', ['association_id', 'at'], unique=False)

    op.create_table('beneficiaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('is_minor', sa.Boolean(), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_beneficiaries_association_id_associations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiaries'))
    )
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beneficiaries_association_id'), ['association_id'], unique=False)

    op.create_table('document_counters',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_document_counters_association_id_associations')),
    sa.PrimaryKeyConstraint('association_id', 'doc_type', 'year', name=op.f('pk_document_counters'))
    )
    op.create_table('donors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('tax_code', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_donors_association_id_associations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors'))
    )
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donors_association_id'), ['association_id'], unique=False)

    op.create_table('funds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('restriction', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("restriction IN ('unrestricted', 'restricted', 'endowment')", name=op.f('ck_funds_restriction')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_funds_association_id_associations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds')),
    sa.UniqueConstraint('association_id', 'code', name=op.f('uq_funds_association_id_code'))
    )
    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_records_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_records_user_id_key'))
    )
    op.create_table('journal_entries',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('reverses_seq', sa.BigInteger(), nullable=True),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_journal_entries_association_id_associations')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_journal_entries_created_by_users')),
    sa.PrimaryKeyConstraint('association_id', 'seq', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('association_id', 'reverses_seq', name=op.f('uq_journal_entries_association_id_reverses_seq'))
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_assoc_date', ['association_id', 'entry_on'], unique=False)

    op.create_table('ledger_heads',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('head_seq', sa.BigInteger(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_ledger_heads_association_id_associations')),
    sa.PrimaryKeyConstraint('association_id', name=op.f('pk_ledger_heads'))
    )
    op.create_table('periods',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('closed_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_periods_association_id_associations')),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_periods_closed_by_users')),
    sa.PrimaryKeyConstraint('association_id', 'year', name=op.f('pk_periods'))
    )
    op.create_table('balances',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('net_debit_vnd', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('reserved_vnd', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('reserved_vnd >= 0', name=op.f('ck_balances_reserved_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_balances_account_id_accounts')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_balances_association_id_associations')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_balances_fund_id_funds')),
    sa.PrimaryKeyConstraint('account_id', 'fund_id', 'item', name=op.f('pk_balances'))
    )
    with op.batch_alter_table('balances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_balances_association_id'), ['association_id'], unique=False)

    op.create_table('donations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('entry_seq', sa.BigInteger(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('amount_vnd', sa.BigInteger(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('receipt_number', sa.String(length=64), nullable=False),
    sa.Column('verify_token', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('voided_on', sa.Date(), nullable=True),
    sa.Column('void_reason', sa.String(length=500), nullable=True),
    sa.Column('void_entry_seq', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('valid', 'void')", name=op.f('ck_donations_status')),
    sa.CheckConstraint('amount_vnd > 0', name=op.f('ck_donations_positive_amount')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_donations_association_id_associations')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_donations_created_by_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_donations_donor_id_donors')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_donations_fund_id_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donations')),
    sa.UniqueConstraint('association_id', 'entry_seq', name=op.f('uq_donations_association_id_entry_seq')),
    sa.UniqueConstraint('association_id', 'receipt_number', name=op.f('uq_donations_association_id_receipt_number')),
    sa.UniqueConstraint('verify_token', name=op.f('uq_donations_verify_token'))
    )
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donations_donor_id'), ['donor_id'], unique=False)

    op.create_table('fund_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_fund_policies_association_id_associations')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_fund_policies_created_by_users')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_fund_policies_fund_id_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_policies')),
    sa.UniqueConstraint('fund_id', 'version', name=op.f('uq_fund_policies_fund_id_version'))
    )
    with op.batch_alter_table('fund_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_policies_association_id'), ['association_id'], unique=False)

    op.create_table('journal_lines',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('debit_vnd', sa.BigInteger(), nullable=False),
    sa.Column('credit_vnd', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('item', sa.String(length=200), nullable=True),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(debit_vnd > 0) <> (credit_vnd > 0)', name=op.f('ck_journal_lines_one_side')),
    sa.CheckConstraint('debit_vnd <= 1000000000000000 AND credit_vnd <= 1000000000000000', name=op.f('ck_journal_lines_max')),
    sa.CheckConstraint('debit_vnd >= 0 AND credit_vnd >= 0', name=op.f('ck_journal_lines_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_journal_lines_account_id_accounts')),
    sa.ForeignKeyConstraint(['association_id', 'seq'], ['journal_entries.association_id', 'journal_entries.seq'], name=op.f('fk_journal_lines_association_id_journal_entries')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_journal_lines_association_id_associations')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_journal_lines_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_journal_lines_donor_id_donors')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_journal_lines_fund_id_funds')),
    sa.PrimaryKeyConstraint('association_id', 'seq', 'line_no', name=op.f('pk_journal_lines'))
    )
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.create_index('ix_journal_lines_assoc_fund_account', ['association_id', 'fund_id', 'account_id'], unique=False)
        batch_op.create_index('ix_journal_lines_beneficiary', ['beneficiary_id'], unique=False)
        batch_op.create_index('ix_journal_lines_donor', ['donor_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('treasurer', 'approver', 'auditor', 'donor')", name=op.f('ck_memberships_role')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_memberships_association_id_associations')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_memberships_donor_id_donors')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'association_id', 'role', name=op.f('uq_memberships_user_id_association_id_role'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('donation_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('unit_value_vnd', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0 AND unit_value_vnd > 0', name=op.f('ck_donation_items_positive')),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_donation_items_donation_id_donations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_items'))
    )
    with op.batch_alter_table('donation_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_items_donation_id'), ['donation_id'], unique=False)
    _append_only_triggers()


#: The journal is append-only (DESIGN.md): the database itself refuses to change or delete
#: posted entries and lines, so even a bug in the service cannot rewrite history. Someone
#: with the rights to drop these triggers can still tamper; `ledger verify` catches that.
_JOURNAL_TABLES = ("journal_entries", "journal_lines")


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _JOURNAL_TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the journal is append-only: {action} on {table} refused'); END"
                )
        return
    op.execute(
        "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'the journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$"
    )
    for table in _JOURNAL_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _JOURNAL_TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        return
    for table in _JOURNAL_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table('donation_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_items_donation_id'))

    op.drop_table('donation_items')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_user_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_lines_donor')
        batch_op.drop_index('ix_journal_lines_beneficiary')
        batch_op.drop_index('ix_journal_lines_assoc_fund_account')

    op.drop_table('journal_lines')
    with op.batch_alter_table('fund_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_policies_association_id'))

    op.drop_table('fund_policies')
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donations_donor_id'))

    op.drop_table('donations')
    with op.batch_alter_table('balances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_balances_association_id'))

    op.drop_table('balances')
    op.drop_table('periods')
    op.drop_table('ledger_heads')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entries_assoc_date')

    op.drop_table('journal_entries')
    op.drop_table('idempotency_records')
    op.drop_table('funds')
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donors_association_id'))

    op.drop_table('donors')
    op.drop_table('document_counters')
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beneficiaries_association_id'))

    op.drop_table('beneficiaries')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_assoc_at')

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('accounts')
    op.drop_table('users')
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_associations_parent_id'))

    op.drop_table('associations')
