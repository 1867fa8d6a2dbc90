"""police references are unique per origin; a resend is compared; children match on first name too

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A reference was unique across every partner; now per origin (partner:<id> for the API, csv for files).
    for table, unique_name in (('domestic_abuse_notifications', 'uq_da_origin_reference'),
                               ('missing_episodes', 'uq_missing_origin_reference')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('origin', sa.String(length=40), nullable=False, server_default='csv'))
            batch_op.add_column(sa.Column('content_index', sa.String(length=32), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET origin = 'partner:' || partner_id WHERE partner_id IS NOT NULL"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_police_reference', type_='unique')
            batch_op.create_unique_constraint(unique_name, ['origin', 'police_reference'])
    # Children are the same child only when first name, last name and date of birth all agree. Rows stored before
    # have no first-name index, so they no longer match anything: better a missed link than a merged family.
    with op.batch_alter_table('domestic_abuse_children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_name_index', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('domestic_abuse_children', schema=None) as batch_op:
        batch_op.drop_column('first_name_index')
    for table, unique_name in (('missing_episodes', 'uq_missing_origin_reference'),
                               ('domestic_abuse_notifications', 'uq_da_origin_reference')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(unique_name, type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_police_reference', ['police_reference'])
            batch_op.drop_column('content_index')
            batch_op.drop_column('origin')
