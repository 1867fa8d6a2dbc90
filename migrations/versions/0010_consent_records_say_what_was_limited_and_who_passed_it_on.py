"""consent records say what the person limited and whether their agreement was passed on by someone else

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        # The person's own words ("yes but not the school"): encrypted like everything else a person wrote.
        batch_op.add_column(sa.Column('limits', sa.Text(), nullable=True))
        # True when the referrer told us someone else agreed (a father about the mother): to be confirmed.
        batch_op.add_column(sa.Column('relayed', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_column('relayed')
        batch_op.drop_column('limits')
