"""the kinds of worry read from a text or chat report's own words, kept apart from those a person chose

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A column of its own, beside concern_categories: the queue shows it without decrypting the referral, and
    # triage, which reads only what was chosen, never sees it. Contacts already stored read nothing: [].
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concern_categories_read', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('concern_categories_read')
