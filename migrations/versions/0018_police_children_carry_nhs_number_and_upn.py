"""a child on a police notification carries its NHS number and unique pupil number, encrypted, each with a blind
index, as a contact's child does (0017)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('domestic_abuse_children', 'missing_episodes')


def upgrade() -> None:
    # Issue 14, item 4: the partner API and the CSV may give each child's NHS number and UPN. Nullable and without
    # a backfill: no notification carried either before this revision.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('nhs_number', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('upn', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('nhs_number_index', sa.String(length=32), nullable=True))
            batch_op.add_column(sa.Column('upn_index', sa.String(length=32), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_nhs_number_index'), ['nhs_number_index'], unique=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_upn_index'), ['upn_index'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_upn_index'))
            batch_op.drop_index(batch_op.f(f'ix_{table}_nhs_number_index'))
            batch_op.drop_column('upn_index')
            batch_op.drop_column('nhs_number_index')
            batch_op.drop_column('upn')
            batch_op.drop_column('nhs_number')
