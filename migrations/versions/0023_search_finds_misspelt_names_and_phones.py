"""search finds misspelt names and a referrer's phone; the workspace stays fast at 100,000 contacts

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 03:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

OPEN = {'sqlite_where': sa.text('closed_at IS NULL'), 'postgresql_where': sa.text('closed_at IS NULL')}


def upgrade() -> None:
    # Issue 15. New blind indexes (mash.names): how a child's names sound, so search finds "Jaden Moris"; a web
    # referrer's phone; a missing child's names and date of birth on their own. Nullable and without a backfill:
    # a migration has no blind-index key, so rows stored before are found as they were (by exact names,
    # identifiers and references) until they are written again.
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_sound_index', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_children_name_sound_index'), ['name_sound_index'], unique=False)
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        for column in ('first_name_index', 'last_name_index', 'date_of_birth_index', 'name_sound_index'):
            batch_op.add_column(sa.Column(column, sa.String(length=32), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_missing_episodes_{column}'), [column], unique=False)
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referrer_phone_index', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_referrer_phone_index'), ['referrer_phone_index'], unique=False)
        # The queue sorted by deadline or by waiting, its colour counts under any filter, and the dashboard's
        # counts, each read from an index over open contacts (or received time and channel) at 100,000 contacts.
        batch_op.create_index('ix_contacts_open_due', ['decision_due_at', 'id', 'status'], unique=False, **OPEN)
        batch_op.create_index('ix_contacts_open_received', ['received_at', 'id'], unique=False, **OPEN)
        batch_op.create_index('ix_contacts_open_counts', ['risk_rank', 'channel', 'kind', 'status', 'claimed_by_id',
                                                          'claim_expires_at', 'decision_due_at'], unique=False, **OPEN)
        batch_op.create_index('ix_contacts_received_channel', ['received_at', 'channel'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_received_channel')
        batch_op.drop_index('ix_contacts_open_counts', **OPEN)
        batch_op.drop_index('ix_contacts_open_received', **OPEN)
        batch_op.drop_index('ix_contacts_open_due', **OPEN)
        batch_op.drop_index(batch_op.f('ix_contacts_referrer_phone_index'))
        batch_op.drop_column('referrer_phone_index')
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        for column in ('name_sound_index', 'date_of_birth_index', 'last_name_index', 'first_name_index'):
            batch_op.drop_index(batch_op.f(f'ix_missing_episodes_{column}'))
            batch_op.drop_column(column)
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_children_name_sound_index'))
        batch_op.drop_column('name_sound_index')
