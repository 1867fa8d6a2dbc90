"""Who is working on a contact. A claim is a lease: two people can never hold the same contact, and a
claim someone walked away from returns to the queue when its lease runs out."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, cast

from sqlalchemy import CursorResult, Index, bindparam, exists, literal_column, or_, select, text, union_all, update
from sqlalchemy.orm import Session

from mash import audit
from mash.models import Contact, StaffUser
from store.db import is_postgresql, utcnow

LEASE = dt.timedelta(minutes=30)
SCREENING_STATUSES = ("new", "in_screening")


class NotYours(PermissionError):
    """Someone else holds this contact, or nobody does."""


STALE_MESSAGE = ("Someone else changed this contact while you had it open. Check the latest details below, "
                 "then try again")


class StaleContact(RuntimeError):
    """The contact changed since the page was loaded."""


def _claimable(now: dt.datetime):
    return (Contact.closed_at.is_(None), Contact.status.in_(SCREENING_STATUSES),
            or_(Contact.claimed_by_id.is_(None), Contact.claim_expires_at <= now))


def claim(session: Session, contact_id: int, user: StaffUser, *, now: dt.datetime | None = None) -> bool:
    """One conditional UPDATE: it succeeds only if the contact is free, expired or already ours."""
    now = now or utcnow()
    result = cast("CursorResult[Any]", session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.closed_at.is_(None), Contact.status.in_(SCREENING_STATUSES),
               or_(Contact.claimed_by_id.is_(None), Contact.claim_expires_at <= now, Contact.claimed_by_id == user.id))
        .values(claimed_by_id=user.id, claim_expires_at=now + LEASE, status="in_screening",
                version=Contact.version + 1)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        return False
    audit.record(session, event="contact.claimed", actor=f"staff:{user.id}", contact_id=contact_id, at=now)
    return True


# "Take the next contact" looks in two small sets, each with a partial index of its own (migration 0013), and
# never reads past the contacts colleagues hold: the free contacts, in queue order, and the held ones whose lease
# has run out, by expiry (few, usually none). The conditions are literal SQL, never bound parameters, so
# PostgreSQL can match them to the indexes in a prepared statement's generic plan too.
_SCREENING = Contact.status.in_([literal_column(f"'{s}'") for s in SCREENING_STATUSES])
_FREE = (Contact.closed_at.is_(None), Contact.claimed_by_id.is_(None), _SCREENING)
_HELD = (Contact.closed_at.is_(None), Contact.claimed_by_id.is_not(None), _SCREENING)
_SCREENING_SQL = "status IN (" + ", ".join(f"'{s}'" for s in SCREENING_STATUSES) + ")"
# Declared here, beside the statement they serve; migration 0013 builds them.
Index("ix_contacts_claimable", Contact.risk_rank, Contact.decision_due_at, Contact.id,
      sqlite_where=text(f"closed_at IS NULL AND claimed_by_id IS NULL AND {_SCREENING_SQL}"),
      postgresql_where=text(f"closed_at IS NULL AND claimed_by_id IS NULL AND {_SCREENING_SQL}"))
Index("ix_contacts_lease_expiry", Contact.claim_expires_at,
      sqlite_where=text(f"closed_at IS NULL AND claimed_by_id IS NOT NULL AND {_SCREENING_SQL}"),
      postgresql_where=text(f"closed_at IS NULL AND claimed_by_id IS NOT NULL AND {_SCREENING_SQL}"))


def _claim_next_statement():
    """One UPDATE: pick the most urgent claimable contact and claim it, returning its id (or nothing).

    On PostgreSQL each set's head is locked with FOR UPDATE SKIP LOCKED, so practitioners pressing "next" at once
    each get a different contact without waiting; a row changed meanwhile is re-checked against its set's
    condition when locked (READ COMMITTED), and skipped if it no longer meets it. On SQLite the UPDATE holds the
    database's write lock while it chooses, so the choice is current. The CTEs sit inside the subquery so that
    the statement still begins with UPDATE (Python's sqlite3 opens its transaction only before one)."""
    now = bindparam("now", type_=Contact.claim_expires_at.type)
    order = (Contact.risk_rank, Contact.decision_due_at, Contact.id)
    columns = (Contact.id, Contact.risk_rank, Contact.decision_due_at)
    free = (select(*columns).where(*_FREE).order_by(*order).limit(1)
            .with_for_update(skip_locked=True).cte("free", nesting=True))
    lapsed = (select(*columns).where(*_HELD, Contact.claim_expires_at <= now).order_by(*order).limit(1)
              .with_for_update(skip_locked=True).cte("lapsed", nesting=True))
    either = union_all(select(free), select(lapsed)).subquery("candidates")
    pick = (select(either.c.id).order_by(either.c.risk_rank, either.c.decision_due_at, either.c.id).limit(1)
            .scalar_subquery())
    table = Contact.__table__
    return (update(table)
            .where(table.c.id == pick, Contact.closed_at.is_(None), _SCREENING,  # a cheap re-check, of one row
                   or_(Contact.claimed_by_id.is_(None), Contact.claim_expires_at <= now))
            .values(claimed_by_id=bindparam("user_id"), status="in_screening", version=table.c.version + 1,
                    claim_expires_at=bindparam("until", type_=Contact.claim_expires_at.type))
            .returning(table.c.id))


_CLAIM_NEXT = _claim_next_statement()  # built once: SQLAlchemy then compiles it once, from its cache


def _anything_claimable(session: Session, now: dt.datetime) -> bool:
    """Is any contact claimable, locked by a colleague's claim in flight or not (no locks taken)."""
    return bool(session.scalar(select(or_(exists().where(*_FREE),
                                          exists().where(*_HELD, Contact.claim_expires_at <= now)))))


def claim_next(session: Session, user: StaffUser, *, now: dt.datetime | None = None) -> int | None:
    """Hand over the most urgent claimable contact: by risk, then by due time, never first come first served."""
    now = now or utcnow()
    params = {"now": now, "user_id": user.id, "until": now + LEASE}
    for _ in range(100):
        contact_id = session.scalar(_CLAIM_NEXT, params)
        if contact_id is not None:
            audit.record(session, event="contact.claimed", actor=f"staff:{user.id}", contact_id=contact_id, at=now)
            return contact_id
        # Nothing free that is not locked. Say "nothing waiting" only once colleagues' claims in flight have
        # settled: if one rolls back, its contact is offered here instead (READ COMMITTED: the next statement
        # sees what they committed meanwhile). SQLite's answer is already final: it chose under the write lock.
        if not is_postgresql(session) or not _anything_claimable(session, now):
            return None
        time.sleep(0.01)
    return None  # a colleague has held the last free contacts locked for a second: let the practitioner retry


def release(session: Session, contact: Contact, user: StaffUser, *, version: int | None = None,
            now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    require_holder(contact, user, now=now)
    bump_version(session, contact, contact.version if version is None else version)
    contact.claimed_by_id = None
    contact.claim_expires_at = None
    audit.record(session, event="contact.released", actor=f"staff:{user.id}", contact_id=contact.id, at=now)


def holds(contact: Contact, user: StaffUser, *, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return contact.claimed_by_id == user.id and contact.claim_expires_at is not None and contact.claim_expires_at > now


def require_holder(contact: Contact, user: StaffUser, *, now: dt.datetime | None = None) -> None:
    """Screening actions need the claim; acting renews the lease."""
    now = now or utcnow()
    if not holds(contact, user, now=now):
        raise NotYours("Claim this contact before working on it. Someone else may be working on it now")
    contact.claim_expires_at = now + LEASE


def bump_version(session: Session, contact: Contact, expected: int | None) -> None:
    """Optimistic versioning: refuse a form posted after someone else changed the contact."""
    if expected is None or contact.version != expected:
        raise StaleContact(STALE_MESSAGE)
    contact.version = expected + 1  # the flush's UPDATE matches on `expected`, so a racing edit fails too
