"""Sharing the work: case notes (never edited) and household links between contacts, both append-only

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-09 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# Issue 15, item 3. A case note is part of the record: like the audit trail, the database itself refuses to change
# or remove one, whoever asks (a mistake is corrected by a later note). A household link is one act (linked, or
# later unlinked) and is kept the same way, so who joined two families' records, and when, cannot be rewritten.
APPEND_ONLY = {"case_notes": "case notes are never edited: write a later note that corrects it",
               "household_links": "household links are append-only: unlink with a later row"}


def upgrade() -> None:
    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('passed_to_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_case_notes_contact_id_contacts')),
    sa.ForeignKeyConstraint(['corrects_id'], ['case_notes.id'], name=op.f('fk_case_notes_corrects_id_case_notes')),
    sa.ForeignKeyConstraint(['passed_to_id'], ['staff_users.id'],
                            name=op.f('fk_case_notes_passed_to_id_staff_users')),
    sa.ForeignKeyConstraint(['written_by_id'], ['staff_users.id'],
                            name=op.f('fk_case_notes_written_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_contact_id'), ['contact_id'], unique=False)

    op.create_table('household_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('other_contact_id', sa.Integer(), nullable=False),
    sa.Column('linked', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['staff_users.id'], name=op.f('fk_household_links_by_id_staff_users')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_household_links_contact_id_contacts')),
    sa.ForeignKeyConstraint(['other_contact_id'], ['contacts.id'],
                            name=op.f('fk_household_links_other_contact_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_links'))
    )
    with op.batch_alter_table('household_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_links_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_links_other_contact_id'), ['other_contact_id'], unique=False)

    for table, message in APPEND_ONLY.items():
        _append_only(table, message)


def _append_only(table: str, message: str) -> None:
    """The same guard as audit_events' (migration 0001): UPDATE and DELETE refused, on both databases."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql""")
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade() -> None:
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            for action in ("update", "delete", "truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        else:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    with op.batch_alter_table('household_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_links_other_contact_id'))
        batch_op.drop_index(batch_op.f('ix_household_links_contact_id'))
    op.drop_table('household_links')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_contact_id'))
    op.drop_table('case_notes')
