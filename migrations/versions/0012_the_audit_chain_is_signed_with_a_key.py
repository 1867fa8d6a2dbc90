"""the audit chain is signed with a key: each event names its key, and the events from before the key are fenced off

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: rebuilding audit_events (SQLite batch mode) would drop its append-only
    # triggers, and no existing event is touched. Old events keep their SHA-256 and a NULL key id; re-signing
    # them would mean rewriting a tamper-evident log, which is the one thing it must never allow.
    op.add_column('audit_events', sa.Column('key_id', sa.String(length=40), nullable=True))
    op.add_column('audit_head', sa.Column('legacy_seq', sa.Integer(), server_default='0', nullable=False))
    # Every event up to here may be unkeyed; every later one must be signed (mash/audit.py verify).
    op.execute("UPDATE audit_head SET legacy_seq = seq")


def downgrade() -> None:
    # Plain DROP COLUMN for the same reason (SQLite 3.35+ has it); events signed since cannot be read by the
    # older code as signed, so downgrading is for an empty or test database only.
    op.drop_column('audit_head', 'legacy_seq')
    op.drop_column('audit_events', 'key_id')
