"""the journal: lean keys for bulk posting

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:30:00.000000

Profiling bulk posting (docs/benchmarks.md) found most of PostgreSQL's time in foreign-key
checks: six per line, each a trigger that looks up its parent row by row. This keeps what
each of them guarded, more cheaply:

- ``association_id -> associations``: implied by the line's foreign key to its entry, whose
  association has its own foreign key. Dropped on both databases.
- ``account_id -> accounts``, ``fund_id -> funds``: the posting service resolves codes from
  the association's own chart; the hash covers the codes, so ``ledger verify`` names a line
  whose ids stop giving them; every (account, fund) posted to has a materialised balance
  whose own foreign keys keep the account and fund from being deleted. Dropped.
- ``donor_id``, ``beneficiary_id``: kept as foreign keys on SQLite (cheap there, in the
  process). On PostgreSQL replaced by one check per statement over the inserted rows (a
  transition table) that the donor and beneficiary exist *and belong to the line's
  association* — stronger than the foreign keys were — locking them as a foreign key would
  (``FOR KEY SHARE``); and a trigger on the donors and beneficiaries that refuses to delete
  one, or move it to another association, while journal lines name it.
- ``(association_id, seq) -> journal_entries`` on PostgreSQL: the same check per statement
  (entries are never deleted: the append-only trigger refuses it). SQLite keeps the key.
- ``journal_entries.association_id -> associations`` on PostgreSQL: the same check per
  statement (an association whose journal has entries also has a chain head, whose foreign
  key keeps the association from being deleted). SQLite keeps the foreign key.

The donor and beneficiary indexes become partial (most lines name neither).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_DROPPED_EVERYWHERE = (
    ('fk_journal_lines_association_id_associations', 'associations', ['association_id']),
    ('fk_journal_lines_account_id_accounts', 'accounts', ['account_id']),
    ('fk_journal_lines_fund_id_funds', 'funds', ['fund_id']),
)
_PARTIES = (
    ('fk_journal_lines_donor_id_donors', 'donors', ['donor_id']),
    ('fk_journal_lines_beneficiary_id_beneficiaries', 'beneficiaries', ['beneficiary_id']),
)
_LINE_TO_ENTRY = 'fk_journal_lines_association_id_journal_entries'
_INDEXES = (('ix_journal_lines_donor', 'donor_id'), ('ix_journal_lines_beneficiary', 'beneficiary_id'))
#: Parent table -> the journal_lines column that names its rows.
_PARENTS = {'donors': 'donor_id', 'beneficiaries': 'beneficiary_id'}

_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines "
    "BEGIN SELECT RAISE(ABORT, 'the journal is append-only: UPDATE on journal_lines refused'); END",
    "CREATE TRIGGER journal_lines_no_delete BEFORE DELETE ON journal_lines "
    "BEGIN SELECT RAISE(ABORT, 'the journal is append-only: DELETE on journal_lines refused'); END",
)

_PG_CHECK_LINES = """
CREATE FUNCTION journal_lines_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
    span record;
    in_range bigint;
BEGIN
    -- Every line's entry exists. Entries are numbered without gaps, so when every seq from
    -- the lines' lowest to their highest has an entry (one index range scan), so has every
    -- line; otherwise each entry is looked up. EXECUTE plans the count afresh: a plan cached
    -- while the journal was small would scan all of it once it is not.
    FOR span IN SELECT association_id, min(seq) AS lo, max(seq) AS hi FROM new_lines GROUP BY association_id LOOP
        EXECUTE 'SELECT count(*) FROM journal_entries WHERE association_id = $1 AND seq BETWEEN $2 AND $3'
            INTO in_range USING span.association_id, span.lo, span.hi;
        CONTINUE WHEN in_range = span.hi - span.lo + 1;
        SELECT n.seq INTO bad
        FROM (SELECT DISTINCT seq FROM new_lines WHERE association_id = span.association_id) n
        WHERE NOT EXISTS (
            SELECT 1 FROM journal_entries e WHERE e.association_id = span.association_id AND e.seq = n.seq
        )
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'journal lines name entry %, which does not exist', bad.seq
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END LOOP;
    -- Donors and beneficiaries: locked once per statement, as a foreign key locks them row by
    -- row, and they must be the line's association's own. Joined by id alone (primary keys)
    -- and the association compared after: joined on both, the planner may walk all of an
    -- association's donors for each line.
    PERFORM 1 FROM donors WHERE id IN (SELECT donor_id FROM new_lines) FOR KEY SHARE;
    PERFORM 1 FROM beneficiaries WHERE id IN (SELECT beneficiary_id FROM new_lines) FOR KEY SHARE;
    SELECT n.seq INTO bad
    FROM new_lines n
    LEFT JOIN donors d ON d.id = n.donor_id
    LEFT JOIN beneficiaries b ON b.id = n.beneficiary_id
    WHERE (n.donor_id IS NOT NULL AND d.association_id IS DISTINCT FROM n.association_id)
       OR (n.beneficiary_id IS NOT NULL AND b.association_id IS DISTINCT FROM n.association_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal lines of entry % name a donor or beneficiary that is not their association''s', bad.seq
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$
"""

_PG_CHECK_ENTRIES = """
CREATE FUNCTION journal_entries_association() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    PERFORM 1 FROM associations WHERE id IN (SELECT association_id FROM new_entries) FOR KEY SHARE;
    SELECT n.association_id, n.seq INTO bad
    FROM new_entries n
    WHERE NOT EXISTS (SELECT 1 FROM associations a WHERE a.id = n.association_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % names association %, which does not exist', bad.seq, bad.association_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$
"""

_PG_GUARD_PARENTS = """
CREATE FUNCTION journal_lines_parent_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM journal_lines WHERE association_id = $1 AND %I = $2)', TG_ARGV[0]
    ) INTO named USING OLD.association_id, OLD.id;
    IF named THEN
        RAISE EXCEPTION '% % is named by journal lines: it cannot be deleted or moved', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops a foreign key only by rebuilding the table, which also drops its triggers.
        with op.batch_alter_table('journal_lines', recreate='always') as batch_op:
            for name, _, _ in _DROPPED_EVERYWHERE:
                batch_op.drop_constraint(name, type_='foreignkey')
            for name, column in _INDEXES:
                batch_op.drop_index(name)
                batch_op.create_index(name, [column], sqlite_where=sa.text(f'{column} IS NOT NULL'))
        for ddl in _SQLITE_APPEND_ONLY:
            op.execute(ddl)
        return
    for name, _, _ in _DROPPED_EVERYWHERE + _PARTIES:
        op.drop_constraint(name, 'journal_lines', type_='foreignkey')
    op.drop_constraint(_LINE_TO_ENTRY, 'journal_lines', type_='foreignkey')
    for name, column in _INDEXES:
        op.drop_index(name, table_name='journal_lines')
        op.create_index(name, 'journal_lines', [column], postgresql_where=sa.text(f'{column} IS NOT NULL'))
    op.drop_constraint('fk_journal_entries_association_id_associations', 'journal_entries', type_='foreignkey')
    op.execute(_PG_CHECK_ENTRIES)
    op.execute(
        'CREATE TRIGGER journal_entries_association AFTER INSERT ON journal_entries '
        'REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION journal_entries_association()'
    )
    op.execute(_PG_CHECK_LINES)
    op.execute(
        'CREATE TRIGGER journal_lines_references AFTER INSERT ON journal_lines '
        'REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION journal_lines_references()'
    )
    op.execute(_PG_GUARD_PARENTS)
    for table, column in _PARENTS.items():
        op.execute(
            f'CREATE TRIGGER {table}_named_by_lines BEFORE DELETE OR UPDATE OF id, association_id ON {table} '
            f"FOR EACH ROW EXECUTE FUNCTION journal_lines_parent_guard('{column}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('journal_lines', recreate='always') as batch_op:
            for name, column in _INDEXES:
                batch_op.drop_index(name)
                batch_op.create_index(name, [column])
            for name, parent, columns in _DROPPED_EVERYWHERE:
                batch_op.create_foreign_key(name, parent, columns, ['id'])
        for ddl in _SQLITE_APPEND_ONLY:
            op.execute(ddl)
        return
    for table in _PARENTS:
        op.execute(f'DROP TRIGGER {table}_named_by_lines ON {table}')
    op.execute('DROP FUNCTION journal_lines_parent_guard()')
    op.execute('DROP TRIGGER journal_lines_references ON journal_lines')
    op.execute('DROP FUNCTION journal_lines_references()')
    op.execute('DROP TRIGGER journal_entries_association ON journal_entries')
    op.execute('DROP FUNCTION journal_entries_association()')
    op.create_foreign_key(
        'fk_journal_entries_association_id_associations', 'journal_entries', 'associations', ['association_id'], ['id']
    )
    for name, column in _INDEXES:
        op.drop_index(name, table_name='journal_lines')
        op.create_index(name, 'journal_lines', [column])
    for name, parent, columns in _DROPPED_EVERYWHERE + _PARTIES:
        op.create_foreign_key(name, 'journal_lines', parent, columns, ['id'])
    op.create_foreign_key(
        _LINE_TO_ENTRY, 'journal_lines', 'journal_entries', ['association_id', 'seq'], ['association_id', 'seq']
    )
