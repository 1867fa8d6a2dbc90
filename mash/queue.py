"""The MASH queue: open contacts by risk, then by due time — never first come, first served.

Pages are keyset-paginated on (risk, due, id), the order of a partial index over open contacts, so the
hundredth page costs what the first does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session, load_only, selectinload

from mash.models import Contact, StaffUser
from store.db import utcnow

PAGE_SIZE = 50
FILTERS = {"all": "All open", "mine": "Mine", "unclaimed": "Unclaimed", "overdue": "Overdue",
           "awaiting_signoff": "Awaiting sign-off"}


@dataclass(frozen=True)
class Cursor:
    risk_rank: int
    due: dt.datetime
    id: int

    def encode(self) -> str:
        return f"{self.risk_rank}.{int(self.due.timestamp() * 1_000_000)}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for anything malformed: a bad cursor shows the first page rather than an error."""
        try:
            rank, micros, ident = (int(part) for part in (text or "").split(".") if len(part) <= 20)
            if not (-1 <= rank <= 9 and 0 < ident < 2**62 and 0 <= micros < 32503680000 * 1_000_000):
                return None
            return cls(rank, dt.datetime.fromtimestamp(micros / 1_000_000, dt.UTC), ident)
        except (ValueError, OverflowError, OSError):
            return None


@dataclass(frozen=True)
class QueuePage:
    contacts: list[Contact]
    next_cursor: str | None


def queue_page(session: Session, user: StaffUser, *, view: str = "all", after: str | None = None,
               now: dt.datetime | None = None, size: int = PAGE_SIZE) -> QueuePage:
    now = now or utcnow()
    query = select(Contact).where(Contact.closed_at.is_(None))
    if view == "mine":
        query = query.where(Contact.claimed_by_id == user.id, Contact.claim_expires_at > now)
    elif view == "unclaimed":
        query = query.where(Contact.status != "awaiting_signoff",
                            or_(Contact.claimed_by_id.is_(None), Contact.claim_expires_at <= now))
    elif view == "overdue":
        query = query.where(Contact.decision_due_at < now, Contact.status != "awaiting_signoff")
    elif view == "awaiting_signoff":
        query = query.where(Contact.status == "awaiting_signoff")
    cursor = Cursor.decode(after)
    if cursor is not None:
        query = query.where(tuple_(Contact.risk_rank, Contact.decision_due_at, Contact.id)
                            > tuple_(cursor.risk_rank, cursor.due, cursor.id))
    # Only the columns the queue shows: no personal field is decrypted to draw it.
    columns = load_only(Contact.id, Contact.reference, Contact.kind, Contact.channel, Contact.status, Contact.rag,
                        Contact.risk_rank, Contact.received_at, Contact.decision_due_at, Contact.claimed_by_id,
                        Contact.claim_expires_at, Contact.concern_categories, Contact.safety_flags, Contact.version)
    rows = session.scalars(query.order_by(Contact.risk_rank, Contact.decision_due_at, Contact.id)
                           .options(columns, selectinload(Contact.claimed_by)).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = Cursor(rows[-1].risk_rank, rows[-1].decision_due_at, rows[-1].id).encode() if more else None
    return QueuePage(list(rows), next_cursor)
