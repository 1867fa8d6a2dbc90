"""Operation Encompass: a child on a police notification carries its school, and when the school was told and who
recorded it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Issue 14, item 5: the triage record showed only the police's yes/no/unknown for the whole notification. Each
    # child now carries its school and when it was told, so a school not told by the start of the next school
    # day is flagged. Nullable and without a backfill: no earlier notification recorded a school.
    with op.batch_alter_table('domestic_abuse_children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('school_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('school_told_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('school_told_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('school_told_recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_da_children_school_told_recorded_by', 'staff_users',
                                    ['school_told_recorded_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('domestic_abuse_children', schema=None) as batch_op:
        batch_op.drop_constraint('fk_da_children_school_told_recorded_by', type_='foreignkey')
        batch_op.drop_column('school_told_recorded_at')
        batch_op.drop_column('school_told_recorded_by_id')
        batch_op.drop_column('school_told_at')
        batch_op.drop_column('school_source')
        batch_op.drop_column('school')
