"""a triage meeting's decision to refer a child to the MASH puts a contact in the queue carrying the notification

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Issue 14, item 1: "refer to the MASH" or "strategy discussion" was a string on the meeting and reached no
    # queue. Now the decision makes a contact (or joins an open one about the same child) through mash.intake,
    # and this row links the two. Nothing to backfill: no earlier decision ever made a contact.
    op.create_table(
        'contact_notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('decisions', sa.JSON(), nullable=False),
        sa.Column('created', sa.Boolean(), nullable=False),
        sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('linked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['notification_id'], ['domestic_abuse_notifications.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['linked_by_id'], ['staff_users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('contact_id', 'notification_id', name='uq_contact_notification'),
    )
    with op.batch_alter_table('contact_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_notifications_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_notifications_notification_id'), ['notification_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_notifications_notification_id'))
        batch_op.drop_index(batch_op.f('ix_contact_notifications_contact_id'))
    op.drop_table('contact_notifications')
