"""a child carries its NHS number and unique pupil number, encrypted, each with a blind index for matching

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Names and a date of birth were the only way to join up a child (issue 14, item 4): the NHS number is the
    # consistent identifier the information-sharing duty builds on, and schools know the UPN. Nullable and
    # without a backfill: no referral asked for either before this revision, so no stored answer holds one.
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nhs_number', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('upn', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('nhs_number_index', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('upn_index', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_children_nhs_number_index'), ['nhs_number_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_children_upn_index'), ['upn_index'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_children_upn_index'))
        batch_op.drop_index(batch_op.f('ix_children_nhs_number_index'))
        batch_op.drop_column('upn_index')
        batch_op.drop_column('nhs_number_index')
        batch_op.drop_column('upn')
        batch_op.drop_column('nhs_number')
