"""Key rotation: re-encrypt every encrypted column under the newest key.

Procedure (docs/deployment.md): put a new key first in FIELD_ENCRYPTION_KEYS, keeping the old ones after
it; run `frontdoor keys rotate`; then remove the old keys. Reads keep working throughout.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, Text, column, select, table, update
from sqlalchemy.orm import Session

from store.crypto import EncryptedJSON, EncryptedText, keyring
from store.db import Base


def encrypted_columns() -> dict[str, tuple[str, list[str]]]:
    """table name -> (primary key column, encrypted column names), from the models themselves."""
    found: dict[str, tuple[str, list[str]]] = {}
    for mapper in Base.registry.mappers:
        tbl = cast(Table, mapper.local_table)
        names = [c.name for c in tbl.columns if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if names:
            found[tbl.name] = (next(iter(tbl.primary_key.columns)).name, names)
    return found


def rotate_all(session: Session, *, batch: int = 500) -> int:
    """Re-encrypt every stored token with the primary key. Returns how many values were rewritten."""
    rewritten = 0
    for table_name, (pk, names) in encrypted_columns().items():
        raw = table(table_name, column(pk), *(column(n, Text) for n in names))
        last = None
        while True:
            query = select(raw).order_by(raw.c[pk]).limit(batch)
            if last is not None:
                query = query.where(raw.c[pk] > last)
            rows = session.execute(query).all()
            if not rows:
                break
            for row in rows:
                values = {n: keyring.rotate(getattr(row, n)) for n in names if getattr(row, n) is not None}
                if values:
                    session.execute(update(raw).where(raw.c[pk] == getattr(row, pk)).values(**values))
                    rewritten += len(values)
                last = getattr(row, pk)
    return rewritten
