"""a child's age as the person said it by text or chat, where no date of birth was given

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A text's report asks the child's name and where they live, not a date of birth; the age the person gave
    # ("my son is 4") is kept, encrypted, in a column of its own so the queue reads it with the name and date of
    # birth and never decrypts the child's other details for a row.
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_said', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_column('age_said')
