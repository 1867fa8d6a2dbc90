"""people pick up conversations: a holder and a pause on a conversation, practitioners' messages, waits, ready replies

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 09:00:00
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

READY_REPLIES = ("Are you safe right now?", "Can you talk?",
                 "If you or a child are in danger now, call 999.",
                 "I'm a social worker in the children's services team. I'm reading your messages now.")


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hold_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waiting_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_reason', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('ended_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_conversations_held_by_id_staff_users'), 'staff_users',
                                    ['held_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_conversations_ended_by_id_staff_users'), 'staff_users',
                                    ['ended_by_id'], ['id'])
        batch_op.create_index('ix_conversations_open', ['ended_at', 'last_message_at'], unique=False)
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('send_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_conversation_messages_staff_id_staff_users'), 'staff_users',
                                    ['staff_id'], ['id'])
    op.create_table('conversation_waits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('office_hours', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['staff_users.id'],
                            name=op.f('fk_conversation_waits_answered_by_id_staff_users')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                            name=op.f('fk_conversation_waits_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_waits'))
    )
    with op.batch_alter_table('conversation_waits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_waits_conversation_id'), ['conversation_id'], unique=False)
    ready = op.create_table('ready_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=320), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_users.id'],
                            name=op.f('fk_ready_replies_updated_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ready_replies'))
    )
    now = dt.datetime.now(dt.timezone.utc)
    op.bulk_insert(ready, [{"position": n, "text": text, "updated_at": now} for n, text in enumerate(READY_REPLIES)])


def downgrade() -> None:
    op.drop_table('ready_replies')
    with op.batch_alter_table('conversation_waits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_waits_conversation_id'))
    op.drop_table('conversation_waits')
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conversation_messages_staff_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('send_attempts')
        batch_op.drop_column('staff_id')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_open')
        batch_op.drop_constraint(batch_op.f('fk_conversations_ended_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_conversations_held_by_id_staff_users'), type_='foreignkey')
        for column in ('ended_by_id', 'ended_note', 'ended_reason', 'ended_at', 'waiting_reason', 'waiting_since',
                       'paused', 'hold_expires_at', 'held_by_id'):
            batch_op.drop_column(column)
