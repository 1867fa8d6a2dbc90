"""Agency checks are tasks: the person asked at the agency, a due time, chasing, and why a check is without the
parents' knowledge

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Issue 15, item 4. Every new column is nullable or defaulted, so existing checks migrate as they are: a due
    # time of NULL means "no due time was recorded" (the check predates due times, and the council's settings then
    # are not known), so an old check is never flagged overdue on a guess; NULL for why a check is without the
    # parents' knowledge means it was not recorded.
    with op.batch_alter_table('agency_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact_role', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact_details', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('chased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('chased_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chase_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('without_knowledge_from', sa.String(length=10), nullable=True))
        batch_op.create_foreign_key('fk_agency_checks_chased_by', 'staff_users', ['chased_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('agency_checks', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agency_checks_chased_by', type_='foreignkey')
        batch_op.drop_column('without_knowledge_from')
        batch_op.drop_column('chase_count')
        batch_op.drop_column('chased_by_id')
        batch_op.drop_column('chased_at')
        batch_op.drop_column('due_at')
        batch_op.drop_column('contact_details')
        batch_op.drop_column('contact_role')
        batch_op.drop_column('contact_name')
