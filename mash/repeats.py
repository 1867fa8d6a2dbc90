"""Repeat referrals: has this child been referred in the last 12 months?

Candidates come from the blind indexes (no decryption to search); only they are decrypted and compared with
rapidfuzz, which forgives misspellings and swapped first and last names. A practitioner confirms or rejects
each suggestion; a confirmed one must be acknowledged before a decision.
"""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, load_only

from mash import audit
from mash.claims import bump_version, require_holder
from mash.models import Child, Contact, RepeatMatch, StaffUser
from mash.staff import StaffError
from store.db import utcnow

WINDOW = dt.timedelta(days=365)
NAME_STRONG = 85
NAME_WEAK = 70
MAX_CANDIDATES = 200
MAX_SUGGESTIONS = 5  # per child: the best few, newest first among equals; a practitioner reads each one


def _full_name(child: Child) -> str:
    return f"{child.first_name or ''} {child.last_name or ''}".strip()


def score(child: Child, earlier: Child) -> tuple[int, list[str]] | None:
    """A match score out of 100 and the reasons, or None when it is not worth a practitioner's time."""
    if child.unborn or earlier.unborn:
        return None
    name = fuzz.token_sort_ratio(_full_name(child).casefold(), _full_name(earlier).casefold())
    same_dob = child.date_of_birth_index is not None and child.date_of_birth_index == earlier.date_of_birth_index
    same_postcode = child.postcode_index is not None and child.postcode_index == earlier.postcode_index
    reasons = [f"name {name:.0f}% alike"]
    if same_dob:
        reasons.append("same date of birth")
    if same_postcode:
        reasons.append("same postcode")
    if (name >= NAME_STRONG and (same_dob or same_postcode)) or (same_dob and name >= NAME_WEAK):
        return round(name * 0.6 + (30 if same_dob else 0) + (10 if same_postcode else 0)), reasons
    return None


def find_repeats(session: Session, contact: Contact, *, now: dt.datetime | None = None) -> list[RepeatMatch]:
    """Suggest earlier contacts about the same children, received in the 12 months before this one."""
    now = now or contact.received_at or utcnow()
    suggestions: list[RepeatMatch] = []
    for child in contact.children:
        # Only a shared date of birth or postcode can make a match (see score), so only they find candidates:
        # searching on a name alone would read every child called Jayden, and never suggest one of them.
        conditions = []
        if child.date_of_birth_index:
            conditions.append(Child.date_of_birth_index == child.date_of_birth_index)
        if child.postcode_index:
            conditions.append(Child.postcode_index == child.postcode_index)
        if not conditions:
            continue
        # Only what scoring reads is loaded, so each candidate costs two decryptions, not eight.
        candidates = session.scalars(
            select(Child).options(load_only(Child.contact_id, Child.position, Child.unborn, Child.first_name,
                                            Child.last_name, Child.date_of_birth_index, Child.postcode_index))
            .join(Contact, Child.contact_id == Contact.id)
            .where(or_(*conditions), Contact.id != contact.id, Contact.received_at >= now - WINDOW,
                   Contact.received_at <= now)
            .order_by(Contact.received_at.desc()).limit(MAX_CANDIDATES)
        ).all()
        best: dict[int, RepeatMatch] = {}
        for earlier in candidates:
            result = score(child, earlier)
            if result is None:
                continue
            points, reasons = result
            current = best.get(earlier.contact_id)
            if current is None or points > current.score:
                best[earlier.contact_id] = RepeatMatch(
                    contact_id=contact.id, earlier_contact_id=earlier.contact_id, child_position=child.position,
                    earlier_child_position=earlier.position, score=points, reasons=reasons)
        suggestions.extend(sorted(best.values(), key=lambda m: -m.score)[:MAX_SUGGESTIONS])
    session.add_all(suggestions)
    return suggestions


def decide_match(session: Session, match: RepeatMatch, contact: Contact, user: StaffUser, *, confirmed: bool,
                 version: int | None, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    require_holder(contact, user, now=now)
    bump_version(session, contact, version)
    if match.contact_id != contact.id:
        raise StaffError("That match belongs to another contact")
    match.status = "confirmed" if confirmed else "rejected"
    match.decided_by_id = user.id
    match.decided_at = now
    if confirmed:
        contact.history_acknowledged_at = None  # a newly confirmed history must be read before deciding
    audit.record(session, event="repeat.confirmed" if confirmed else "repeat.rejected", actor=f"staff:{user.id}",
                 contact_id=contact.id, at=now, details={"earlier_contact_id": match.earlier_contact_id})


def acknowledge_history(session: Session, contact: Contact, user: StaffUser, *, version: int | None,
                        now: dt.datetime | None = None) -> None:
    """Versioned: a match confirmed in another tab since this page loaded must be read first."""
    now = now or utcnow()
    require_holder(contact, user, now=now)
    bump_version(session, contact, version)
    contact.history_acknowledged_at = now
    contact.history_acknowledged_by_id = user.id
    audit.record(session, event="repeat.history_acknowledged", actor=f"staff:{user.id}", contact_id=contact.id,
                 at=now)


def matches_for(session: Session, contact: Contact) -> list[RepeatMatch]:
    return list(session.scalars(select(RepeatMatch).where(RepeatMatch.contact_id == contact.id)
                                .order_by(RepeatMatch.score.desc())))


def needs_acknowledgement(session: Session, contact: Contact) -> bool:
    confirmed = any(m.status == "confirmed" for m in matches_for(session, contact))
    return confirmed and contact.history_acknowledged_at is None
