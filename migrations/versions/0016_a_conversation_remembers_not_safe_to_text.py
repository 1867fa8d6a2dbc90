"""a conversation remembers the person's answer to "is it safe to text you", apart from the journey's answers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The answer lived only in the dialogue's journey answers, which a declined consent or a finished journey
    # clears: a practitioner could then text someone who had said texts were not safe (issue 13's probe).
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safe_to_text', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('safe_to_text')
