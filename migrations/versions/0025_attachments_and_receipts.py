"""Attachments to a referral (a body map, documents, photos) kept encrypted outside the row, and receipts in the
outbox

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-07 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Issue 16, items 4 and 5. The files themselves are under the instance folder, each encrypted with its own
    # key; this table holds that key (encrypted with the field-encryption keys) and what the file is.
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.String(length=64), nullable=True),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('content_type', sa.String(length=80), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('blob_name', sa.String(length=64), nullable=False),
        sa.Column('data_key', sa.Text(), nullable=False),
        sa.Column('filename', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_attachments_contact_id_contacts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_attachments_draft_id_drafts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
        sa.UniqueConstraint('blob_name', name=op.f('uq_attachments_blob_name')),
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_draft_id'), ['draft_id'], unique=False)
    # Every message written before this was feedback on a decision.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='feedback'))


def downgrade() -> None:
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_draft_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_contact_id'))
    op.drop_table('attachments')
