"""a lock date per association, and the journal's last date

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 03:15:00.000000

Closing a year moved only that year's books; an entry dated in any earlier, never-closed year
still posted. ``ledger_heads.lock_on`` is read with the writer lock, so it costs no statement.
Existing closed years set it to the end of the last one.

``ledger_heads.last_entry_on``: the latest date anything is posted on. A draft dated on or after
it changes no past day, so only a backdated draft reads the movements after its date.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_heads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lock_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_entry_on', sa.Date(), nullable=True))
    connection = op.get_bind()
    for association_id, last in connection.execute(
        sa.text("SELECT association_id, MAX(entry_on) FROM journal_entries GROUP BY association_id")
    ).all():
        connection.execute(
            sa.text("UPDATE ledger_heads SET last_entry_on = :day WHERE association_id = :association"),
            {"day": last, "association": association_id},
        )
    rows = connection.execute(
        sa.text("SELECT association_id, MAX(year) FROM periods WHERE closed = :yes GROUP BY association_id"),
        {"yes": True},
    ).all()
    for association_id, year in rows:
        connection.execute(
            sa.text("UPDATE ledger_heads SET lock_on = :day WHERE association_id = :association"),
            {"day": date(int(year), 12, 31), "association": association_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('ledger_heads', schema=None) as batch_op:
        batch_op.drop_column('last_entry_on')
        batch_op.drop_column('lock_on')
