"""a professional's role and organisation are encrypted like everything else a person wrote

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COLUMNS = ("referrer_organisation", "referrer_role")


def _rewrite(change) -> None:
    """Each stored value through `change` (encrypt or decrypt), with the keys `frontdoor db upgrade` loads."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, referrer_organisation, referrer_role FROM contacts "
        "WHERE referrer_organisation IS NOT NULL OR referrer_role IS NOT NULL")).all()
    for row in rows:
        bind.execute(sa.text("UPDATE contacts SET referrer_organisation = :organisation, referrer_role = :role "
                             "WHERE id = :id"),
                     {"id": row.id, "organisation": change(row.referrer_organisation) if row.referrer_organisation
                      else None, "role": change(row.referrer_role) if row.referrer_role else None})


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=True)
    from store.crypto import keyring

    _rewrite(keyring.encrypt)


def downgrade() -> None:
    from store.crypto import keyring

    _rewrite(keyring.decrypt)
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=200), existing_nullable=True)
