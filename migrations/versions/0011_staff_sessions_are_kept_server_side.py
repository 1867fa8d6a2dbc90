"""staff sessions are kept server-side, so signing out, an administrator or a time limit can end them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Who and when only: the browser's cookie holds the random id, and this table only its SHA-256.
    op.create_table('staff_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_staff_id_staff_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_staff_id'), ['staff_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_staff_id'))
    op.drop_table('staff_sessions')
