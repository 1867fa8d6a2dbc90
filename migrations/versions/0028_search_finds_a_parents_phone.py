"""search finds a contact by a parent's or carer's phone, given in the household

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Issue 15's search by phone found a referrer's number only; issue 16 asks for the parents' and carers' phones,
    # which a duty worker searches by too. The phone is encrypted like the member's other details, with a blind
    # index beside it. No backfill: a migration has no keys, and the number is still in the referral's answers.
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('phone_index', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_household_members_phone_index'), ['phone_index'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_phone_index'))
        batch_op.drop_column('phone_index')
        batch_op.drop_column('phone')
