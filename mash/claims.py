"""Who is working on a contact. A claim is a lease: two people can never hold the same contact, and a
claim someone walked away from returns to the queue when its lease runs out."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from mash import audit
from mash.models import Contact, StaffUser
from store.db import utcnow

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


def claim_next(session: Session, user: StaffUser, *, now: dt.datetime | None = None) -> int | None:
    """Hand over the most urgent unclaimed contact: by risk, then by due time, never first come first served."""
    now = now or utcnow()
    order = (Contact.risk_rank, Contact.decision_due_at, Contact.id)
    if session.get_bind().dialect.name == "postgresql":
        # SKIP LOCKED: eight practitioners pressing "next" at once each get a different contact, without waiting.
        for _ in range(100):
            contact_id = session.scalar(select(Contact.id).where(*_claimable(now)).order_by(*order).limit(1)
                                        .with_for_update(skip_locked=True))
            if contact_id is not None:
                if claim(session, contact_id, user, now=now):
                    return contact_id
                continue
            # Every free row is locked by a colleague's claim in flight. Say "nothing waiting" only once
            # those have settled; if one rolls back, its contact is offered here instead.
            if session.scalar(select(Contact.id).where(*_claimable(now)).limit(1)) is None:
                return None
            time.sleep(0.01)  # READ COMMITTED: the next statement sees what they committed meanwhile
        return None
    # SQLite has no SKIP LOCKED: try the most urgent few, and if others took them all first, look again,
    # so "nothing waiting" is only ever said when nothing is.
    while True:
        candidates = list(session.scalars(select(Contact.id).where(*_claimable(now)).order_by(*order).limit(8)))
        if not candidates:
            return None
        for contact_id in candidates:
            if claim(session, contact_id, user, now=now):
                return contact_id


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
