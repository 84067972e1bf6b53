"""running totals per (account, fund, beneficiary, year) for the spending rules

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 03:20:00.000000

Filled from the journal's revenue and expense lines, closing entries and their reversals left
out (they move a year's activity, they are not activity); from now on the posting keeps it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('year_totals',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('debit_vnd', sa.BigInteger(), nullable=False),
    sa.Column('credit_vnd', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_year_totals_association_id_associations')),
    sa.PrimaryKeyConstraint('association_id', 'fund_id', 'account_id', 'beneficiary_id', 'year', name=op.f('pk_year_totals'))
    )
    year = (
        "CAST(substr(e.entry_on, 1, 4) AS INTEGER)"
        if op.get_bind().dialect.name == 'sqlite'
        else "CAST(EXTRACT(YEAR FROM e.entry_on) AS INTEGER)"
    )
    op.execute(
        f"""
        INSERT INTO year_totals (association_id, fund_id, account_id, beneficiary_id, year, debit_vnd, credit_vnd)
        SELECT l.association_id, l.fund_id, l.account_id, COALESCE(l.beneficiary_id, 0), {year},
               SUM(l.debit_vnd), SUM(l.credit_vnd)
        FROM journal_lines l
        JOIN journal_entries e ON e.association_id = l.association_id AND e.seq = l.seq
        JOIN accounts a ON a.id = l.account_id
        WHERE a.type IN ('revenue', 'expense')
          AND e.kind <> 'closing'
          AND NOT (e.kind = 'reversal' AND e.reverses_seq IN (
              SELECT c.seq FROM journal_entries c WHERE c.association_id = e.association_id AND c.kind = 'closing'))
        GROUP BY l.association_id, l.fund_id, l.account_id, COALESCE(l.beneficiary_id, 0), {year}
        """
    )


def downgrade() -> None:
    op.drop_table('year_totals')
