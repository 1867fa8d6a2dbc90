"""'take the next contact' reads only the claimable contacts: the free ones in queue order, held ones by lease expiry

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The same conditions as mash/claims.py's, literally: PostgreSQL uses a partial index only for a query whose
# condition implies the index's.
SCREENING = "status IN ('new', 'in_screening')"
FREE = f"closed_at IS NULL AND claimed_by_id IS NULL AND {SCREENING}"
HELD = f"closed_at IS NULL AND claimed_by_id IS NOT NULL AND {SCREENING}"


def upgrade() -> None:
    # Without these, claim_next read the open queue from the top and filtered out every contact already held,
    # so draining a queue cost time quadratic in its length (docs/benchmarks.md, claim-next).
    op.create_index('ix_contacts_claimable', 'contacts', ['risk_rank', 'decision_due_at', 'id'], unique=False,
                    sqlite_where=sa.text(FREE), postgresql_where=sa.text(FREE))
    op.create_index('ix_contacts_lease_expiry', 'contacts', ['claim_expires_at'], unique=False,
                    sqlite_where=sa.text(HELD), postgresql_where=sa.text(HELD))


def downgrade() -> None:
    op.drop_index('ix_contacts_lease_expiry', table_name='contacts')
    op.drop_index('ix_contacts_claimable', table_name='contacts')
