"""Sharing the work (issue 15, item 3): passing a contact to a colleague with a note, case notes, and linking the
contacts of one household.

A pass moves the claim (mash.claims) to the colleague in one conditional UPDATE, so two people passing or claiming
the same contact at once cannot both win: the loser is told, and nothing they typed is lost (the view shows the
form again with their note). The colleague holds it for ASSIGNMENT_HOLD, longer than a claim's lease, so the
contact waits for them in the queue under their name; once they act on it, it is an ordinary lease again.

Case notes and household links are append-only at the database (migration 0022): a note is corrected by a later
note that names it; a link is undone by a later "unlinked" row. Everything here is audited, by ids, never by the
words of a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from mash import audit
from mash.claims import SCREENING_STATUSES, STALE_MESSAGE
from mash.models import CaseNote, Contact, HouseholdLink, StaffUser
from mash.staff import StaffError, can, required_text
from store.db import utcnow

ASSIGNMENT_HOLD = dt.timedelta(hours=8)  # a working day: a passed contact waits for the colleague, not for 30 min
NOTE_LIMIT = 5000
REASON_LIMIT = 500
# What a practitioner may choose; "passed" is written by a pass, never chosen.
NOTE_KINDS = {
    "case_note": "Case note",
    "phone_call": "Phone call",
    "discussion": "Discussion with a colleague",
    "information_received": "Information received",
    "management_oversight": "Management oversight",
}
KIND_WORDS = {**NOTE_KINDS, "passed": "Passed to a colleague"}
REFERENCE_LIMIT = 40


class CaseworkError(StaffError):
    """A message for the person at the keyboard, and the form field it is about ("" for the form as a whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class PassRefused(CaseworkError):
    """The contact could not be passed: someone else changed or took it meanwhile, or it cannot be passed now."""


@dataclass(frozen=True)
class Holder:
    user_id: int | None
    until: dt.datetime | None


def _text(value: str | None, message: str, field: str) -> str:
    try:
        return required_text(value, message, NOTE_LIMIT)
    except StaffError as exc:
        raise CaseworkError(str(exc), field) from None


def active_colleagues(session: Session, user: StaffUser) -> list[StaffUser]:
    """Who a contact can be passed to: active staff who screen contacts, not oneself, by name."""
    people = session.scalars(select(StaffUser).where(StaffUser.active.is_(True), StaffUser.id != user.id)
                             .order_by(StaffUser.name, StaffUser.id)).all()
    return [p for p in people if can(p, "screen")]


def _colleague(session: Session, user: StaffUser, colleague_id: str | int | None) -> StaffUser:
    text = str(colleague_id or "").strip()
    if not text:
        raise CaseworkError("Select the colleague to pass this contact to", "colleague")
    if not text.isdigit() or len(text) > 9:
        raise CaseworkError("Select a colleague from the list", "colleague")
    colleague = session.get(StaffUser, int(text))
    if colleague is None:
        raise CaseworkError("Select a colleague from the list", "colleague")
    if colleague.id == user.id:
        raise CaseworkError("You cannot pass a contact to yourself. Select a colleague", "colleague")
    if not colleague.active:
        raise CaseworkError(f"{colleague.name}'s account is not active. Select another colleague", "colleague")
    if not can(colleague, "screen"):
        raise CaseworkError(f"{colleague.name} does not screen contacts. Select a practitioner or a manager",
                            "colleague")
    return colleague


def pass_contact(session: Session, contact: Contact, user: StaffUser, *, colleague_id: str | int | None,
                 note: str | None, version: int | None, now: dt.datetime | None = None) -> CaseNote:
    """Pass (or assign) the contact to a colleague with a note, in one conditional UPDATE.

    Anyone who screens may pass a contact they hold, or assign one nobody holds; a manager may also move one a
    colleague holds (reallocation). The UPDATE matches only the version the form was loaded at, so of two people
    passing or claiming at once exactly one wins."""
    now = now or utcnow()
    colleague = _colleague(session, user, colleague_id)
    text = _text(note, "Write a note for your colleague: what they need to know and do", "note")
    if contact.closed_at is not None or contact.status not in SCREENING_STATUSES:
        raise PassRefused("This contact is waiting for sign-off or is closed, so it cannot be passed on")
    if version is None:
        raise PassRefused(STALE_MESSAGE)
    previous = Holder(contact.claimed_by_id, contact.claim_expires_at)
    held_by_other = or_(Contact.claimed_by_id.is_(None), Contact.claim_expires_at <= now,
                        Contact.claimed_by_id == user.id)
    conditions = [Contact.id == contact.id, Contact.version == version, Contact.closed_at.is_(None),
                  Contact.status.in_(SCREENING_STATUSES)]
    if not can(user, "sign_off"):  # a manager may reallocate; others pass only what is theirs or free
        conditions.append(held_by_other)
    result = cast("CursorResult[Any]", session.execute(
        update(Contact).where(*conditions)
        .values(claimed_by_id=colleague.id, claim_expires_at=now + ASSIGNMENT_HOLD, status="in_screening",
                version=Contact.version + 1)
        .execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        session.expire(contact)
        raise PassRefused(STALE_MESSAGE if contact.claimed_by_id in (None, user.id) else
                          "Someone else is working on this contact. Only they, or a manager, can pass it on")
    session.expire(contact)
    record = CaseNote(contact_id=contact.id, kind="passed", text=text, written_by_id=user.id, written_at=now,
                      passed_to_id=colleague.id)
    session.add(record)
    session.flush()
    held = previous.user_id if previous.until is not None and previous.until > now else None
    audit.record(session, event="contact.passed", actor=f"staff:{user.id}", contact_id=contact.id, at=now,
                 details={"to_staff_id": colleague.id, "from_staff_id": held, "note_id": record.id,
                          "held_until": (now + ASSIGNMENT_HOLD).isoformat()})
    return record


def add_note(session: Session, contact: Contact, user: StaffUser, *, kind: str | None, text: str | None,
             corrects: str | int | None = None, now: dt.datetime | None = None) -> CaseNote:
    """A dated, typed note. Refused on a closed contact: the case record then lives where the contact went."""
    now = now or utcnow()
    if contact.closed_at is not None:
        raise CaseworkError("This contact is closed, so no more notes can be added to it. Write the note on the "
                            "child's open contact, or in the case record where the contact went")
    if kind not in NOTE_KINDS:
        raise CaseworkError("Select the type of note", "kind")
    body = _text(text, "Write the note", "text")
    corrected: CaseNote | None = None
    wanted = str(corrects or "").strip()
    if wanted:
        corrected = session.get(CaseNote, int(wanted)) if wanted.isdigit() and len(wanted) <= 9 else None
        if corrected is None or corrected.contact_id != contact.id:
            raise CaseworkError("Select a note on this contact to correct, or none", "corrects")
    note = CaseNote(contact_id=contact.id, kind=kind, text=body, written_by_id=user.id, written_at=now,
                    corrects_id=corrected.id if corrected else None)
    session.add(note)
    session.flush()
    audit.record(session, event="case_note.written", actor=f"staff:{user.id}", contact_id=contact.id, at=now,
                 details={"note_id": note.id, "kind": kind, "corrects_note_id": note.corrects_id})
    return note


def notes_for(session: Session, contact_id: int) -> list[CaseNote]:
    """A contact's notes, oldest first (as they were written)."""
    return list(session.scalars(select(CaseNote).where(CaseNote.contact_id == contact_id)
                                .order_by(CaseNote.written_at, CaseNote.id)))


# --- Household links ---------------------------------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _latest(session: Session, a: int, b: int) -> HouseholdLink | None:
    """The pair's latest row, read under a lock on the pair's first contact (FOR UPDATE; PostgreSQL): two people
    linking the same pair at once take turns, so the second sees the first's link instead of adding another."""
    low, high = _pair(a, b)
    session.execute(select(Contact.id).where(Contact.id == low).with_for_update())
    return session.scalar(select(HouseholdLink).where(HouseholdLink.contact_id == low,
                                                      HouseholdLink.other_contact_id == high)
                          .order_by(HouseholdLink.id.desc()).limit(1))


def are_linked(session: Session, a: int, b: int) -> bool:
    latest = _latest(session, a, b)
    return latest is not None and latest.linked


def find_by_reference(session: Session, reference: str | None) -> Contact | None:
    text = "".join((reference or "").split()).upper()
    if not text or len(text) > REFERENCE_LIMIT:
        return None
    return session.scalar(select(Contact).where(Contact.reference == text))


def link_household(session: Session, contact: Contact, user: StaffUser, *, reference: str | None,
                   reason: str | None = None, now: dt.datetime | None = None) -> Contact:
    """Link another contact, named by its reference, as the same household; returns it."""
    now = now or utcnow()
    if not (reference or "").strip():
        raise CaseworkError("Enter the reference of the contact to link, like FD-2026-000123", "reference")
    if len(reference or "") > REFERENCE_LIMIT:
        raise CaseworkError("Enter a contact reference, like FD-2026-000123", "reference")
    other = find_by_reference(session, reference)
    if other is None:
        raise CaseworkError("No contact has that reference. Check it and try again, like FD-2026-000123",
                            "reference")
    if other.id == contact.id:
        raise CaseworkError("That is this contact's own reference. Enter the other contact's reference",
                            "reference")
    why = (reason or "").strip() or None
    if why is not None and len(why) > REASON_LIMIT:
        raise CaseworkError(f"Keep the reason to {REASON_LIMIT:,} characters or fewer", "reason")
    latest = _latest(session, contact.id, other.id)
    if latest is not None and latest.linked:
        raise CaseworkError(f"{other.reference} is already linked to this contact as one household", "reference")
    low, high = _pair(contact.id, other.id)
    session.add(HouseholdLink(contact_id=low, other_contact_id=high, linked=True, reason=why, by_id=user.id, at=now))
    session.flush()
    for mine, theirs in ((contact, other), (other, contact)):
        audit.record(session, event="household.linked", actor=f"staff:{user.id}", contact_id=mine.id, at=now,
                     details={"other_contact_id": theirs.id, "reference": theirs.reference})
    return other


def unlink_household(session: Session, contact: Contact, user: StaffUser, *, other_id: int,
                     now: dt.datetime | None = None) -> Contact:
    now = now or utcnow()
    latest = _latest(session, contact.id, other_id)
    other = session.get(Contact, other_id)
    if latest is None or not latest.linked or other is None:
        raise CaseworkError("Those contacts are not linked (someone may have unlinked them already)")
    low, high = _pair(contact.id, other_id)
    session.add(HouseholdLink(contact_id=low, other_contact_id=high, linked=False, by_id=user.id, at=now))
    session.flush()
    for mine, theirs in ((contact, other), (other, contact)):
        audit.record(session, event="household.unlinked", actor=f"staff:{user.id}", contact_id=mine.id, at=now,
                     details={"other_contact_id": theirs.id, "reference": theirs.reference})
    return other


@dataclass(frozen=True)
class LinkedContact:
    contact: Contact
    linked_by: StaffUser
    linked_at: dt.datetime
    reason: str | None


def household_of(session: Session, contact_id: int) -> list[LinkedContact]:
    """The contacts linked to this one now (each pair's latest row says linked), newest link first."""
    rows = session.scalars(select(HouseholdLink).where(or_(HouseholdLink.contact_id == contact_id,
                                                           HouseholdLink.other_contact_id == contact_id))
                           .order_by(HouseholdLink.id)).all()
    latest: dict[int, HouseholdLink] = {}
    for row in rows:
        latest[row.other_contact_id if row.contact_id == contact_id else row.contact_id] = row
    linked = [(other_id, row) for other_id, row in latest.items() if row.linked]
    contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_([i for i, _ in linked])))}
    return sorted((LinkedContact(contacts[i], row.by, row.at, row.reason) for i, row in linked if i in contacts),
                  key=lambda item: item.linked_at, reverse=True)
