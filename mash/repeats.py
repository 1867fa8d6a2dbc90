"""Repeat referrals: has this child been referred in the last 12 months?

Candidates come from the blind indexes (no decryption to search); only they are decrypted and compared with
rapidfuzz, which forgives misspellings and swapped first and last names. A practitioner confirms or rejects
each suggestion; a confirmed one must be acknowledged before a decision.

The NHS number is the strongest evidence: the same one is the same child whatever the names say (a child's
surname changes; a referrer spells it as heard), and two different ones are two children, however alike their
names, date of birth and postcode (twins, cousins). A modulus 11 check digit catches every single mistyped
digit and every swapped pair, so two valid numbers that differ were not meant to be one. The same UPN comes
next. Different UPNs count for nothing either way: a temporary UPN is replaced by a permanent one, so one child
may be known by two; they are shown, so the practitioner sees them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, load_only

from mash import audit
from mash.claims import bump_version, require_holder
from mash.models import Child, Contact, RepeatMatch, StaffUser
from mash.staff import StaffError
from store.crypto import keyring
from store.db import utcnow

WINDOW = dt.timedelta(days=365)
NAME_STRONG = 85
NAME_WEAK = 70
MAX_CANDIDATES = 200
MAX_SUGGESTIONS = 5  # per child: the best few, newest first among equals; a practitioner reads each one
# Scores out of 100. Names, date of birth and postcode together make at most 90, so the same UPN (95) and the
# same NHS number (100) always rank above them.
SAME_NHS_NUMBER = 100
SAME_UPN = 95
DIFFERENT_NHS_NUMBERS = 40  # taken off a names-and-dates score: only a near-perfect one is still suggested
MIN_SCORE = 50

SCORED_COLUMNS = (Child.contact_id, Child.position, Child.unborn, Child.first_name, Child.last_name,
                  Child.date_of_birth_index, Child.postcode_index, Child.nhs_number_index, Child.upn_index)


def nhs_number_index(number: str) -> str:
    """The blind index of a cleaned NHS number (forms.identifiers): equal numbers, equal indexes."""
    return keyring.blind_index("nhs_number", number)


def upn_index(upn: str) -> str:
    return keyring.blind_index("upn", upn)


def children_with_nhs_number(session: Session, number: str) -> Sequence[Child]:
    """Every child recorded with this NHS number, found by its blind index without decrypting anything."""
    return session.scalars(select(Child).where(Child.nhs_number_index == nhs_number_index(number))
                           .order_by(Child.id)).all()


def _full_name(child: Child) -> str:
    return f"{child.first_name or ''} {child.last_name or ''}".strip()


def _compare(mine: str | None, theirs: str | None) -> str | None:
    """"same", "different", or None when either is not known: a blind index compares without decrypting."""
    if not mine or not theirs:
        return None
    return "same" if mine == theirs else "different"


def score(child: Child, earlier: Child) -> tuple[int, list[str]] | None:
    """A match score out of 100 and the reasons, or None when it is not worth a practitioner's time."""
    if child.unborn or earlier.unborn:
        return None
    nhs = _compare(child.nhs_number_index, earlier.nhs_number_index)
    upn = _compare(child.upn_index, earlier.upn_index)
    name = fuzz.token_sort_ratio(_full_name(child).casefold(), _full_name(earlier).casefold())
    same_dob = child.date_of_birth_index is not None and child.date_of_birth_index == earlier.date_of_birth_index
    same_postcode = child.postcode_index is not None and child.postcode_index == earlier.postcode_index
    reasons = []
    if nhs == "same":
        reasons.append("same NHS number")
    if upn == "same":
        reasons.append("same unique pupil number")
    reasons.append(f"name {name:.0f}% alike")
    if same_dob:
        reasons.append("same date of birth")
    if same_postcode:
        reasons.append("same postcode")
    if nhs == "different":
        reasons.append("different NHS numbers")
    if upn == "different":
        reasons.append("different unique pupil numbers")
    if nhs == "same":
        return SAME_NHS_NUMBER, reasons
    if upn == "same" and nhs is None:  # the same UPN with different NHS numbers: the NHS numbers win
        return SAME_UPN, reasons
    if (name >= NAME_STRONG and (same_dob or same_postcode)) or (same_dob and name >= NAME_WEAK):
        points = round(name * 0.5 + (30 if same_dob else 0) + (10 if same_postcode else 0))
        if nhs == "different":
            points -= DIFFERENT_NHS_NUMBERS
        return (points, reasons) if points >= MIN_SCORE else None
    return None


def find_repeats(session: Session, contact: Contact, *, now: dt.datetime | None = None) -> list[RepeatMatch]:
    """Suggest earlier contacts about the same children, received in the 12 months before this one."""
    now = now or contact.received_at or utcnow()
    suggestions: list[RepeatMatch] = []
    for child in contact.children:
        # Only a shared identifier, date of birth or postcode can make a match (see score), so only they find
        # candidates: searching on a name alone would read every child called Jayden, and never suggest one.
        # The identifiers are searched on their own first, so a busy postcode's 200 newest children cannot
        # crowd out the one with the same NHS number.
        identifiers = []
        if child.nhs_number_index:
            identifiers.append(Child.nhs_number_index == child.nhs_number_index)
        if child.upn_index:
            identifiers.append(Child.upn_index == child.upn_index)
        conditions = []
        if child.date_of_birth_index:
            conditions.append(Child.date_of_birth_index == child.date_of_birth_index)
        if child.postcode_index:
            conditions.append(Child.postcode_index == child.postcode_index)
        candidates: dict[int, Child] = {}
        for found in (identifiers, conditions):
            if found:
                candidates.update((c.id, c) for c in _candidates(session, contact, found, now))
        best: dict[int, RepeatMatch] = {}
        for earlier in candidates.values():
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


def _candidates(session: Session, contact: Contact, conditions: list[ColumnElement[bool]],
                now: dt.datetime) -> Sequence[Child]:
    # Only what scoring reads is loaded, so each candidate costs two decryptions, not ten.
    return session.scalars(
        select(Child).options(load_only(*SCORED_COLUMNS))
        .join(Contact, Child.contact_id == Contact.id)
        .where(or_(*conditions), Contact.id != contact.id, Contact.received_at >= now - WINDOW,
               Contact.received_at <= now)
        .order_by(Contact.received_at.desc()).limit(MAX_CANDIDATES)
    ).all()


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
