"""search finds police notifications by a misspelt name and by postcode, and missing episodes by postcode

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 03:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Issue 15, as 0023 did for a contact's child: how a police notification's child's names sound (mash.names),
    # and the postcode alone of a notification and of a missing episode (their household and child indexes join
    # it to other things). Nullable and without a backfill: a migration has no blind-index key, so rows stored
    # before are found as they were (by exact names, dates of birth and references) until they are written again.
    with op.batch_alter_table('domestic_abuse_children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_sound_index', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_domestic_abuse_children_name_sound_index'), ['name_sound_index'],
                              unique=False)
    with op.batch_alter_table('domestic_abuse_notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postcode_index', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_domestic_abuse_notifications_postcode_index'), ['postcode_index'],
                              unique=False)
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postcode_index', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_missing_episodes_postcode_index'), ['postcode_index'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_missing_episodes_postcode_index'))
        batch_op.drop_column('postcode_index')
    with op.batch_alter_table('domestic_abuse_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domestic_abuse_notifications_postcode_index'))
        batch_op.drop_column('postcode_index')
    with op.batch_alter_table('domestic_abuse_children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domestic_abuse_children_name_sound_index'))
        batch_op.drop_column('name_sound_index')
