"""API tokens expire; users can be disabled

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 03:10:00.000000

A token made before this revision expires 90 days after it was made (the default lifetime),
so that no token lives forever. ``users.disabled_at``: a disabled user's tokens and sessions
stop working at their next request.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import ledger.persistence.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=True))
    instant = ledger.persistence.types.UTCDateTime(timezone=True)
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer()), sa.column('created_at', instant), sa.column('expires_at', instant))
    bind = op.get_bind()
    # Few rows (one per token ever issued): read and written through the column type, which
    # stores fixed-width UTC text on SQLite and timestamptz on PostgreSQL.
    for token_id, created_at in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        bind.execute(
            tokens.update().where(tokens.c.id == token_id).values(expires_at=created_at + timedelta(days=90))
        )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', ledger.persistence.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
