"""users: the page language each person chose

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 02:45:00.000000

The web pages are in Vietnamese unless a person switches to English; the choice is kept with
the user, so that it follows them from one browser to another. ``NULL``: never chosen.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
