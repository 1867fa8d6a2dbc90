"""Screening: checks with partner agencies, and whether the parents were told.

A check made without the parents' knowledge waits for a manager's authorisation, with the reason recorded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mash import audit
from mash.claims import bump_version, require_holder
from mash.models import AgencyCheck, Contact, StaffUser
from mash.staff import StaffError, can, required_text
from store.db import utcnow

AGENCIES = {
    "police": "Police", "health": "Health", "education": "Education", "early_help": "Early help",
    "probation": "Probation", "housing": "Housing", "social_care": "Children's social care records",
    "adult_social_care": "Adult social care", "other_la": "Another council", "other": "Another agency",
}


def ask_check(session: Session, contact: Contact, user: StaffUser, *, agency: str, question: str,
              without_parents_knowledge: bool, version: int | None, now: dt.datetime | None = None) -> AgencyCheck:
    now = now or utcnow()
    if not can(user, "screen"):
        raise StaffError("Only practitioners and managers can ask partner agencies")
    require_holder(contact, user, now=now)
    if agency not in AGENCIES:
        raise StaffError("Select the agency you are asking")
    question = required_text(question, "Enter what you are asking the agency")
    # If the parents have not been told, any check is made without their knowledge, ticked or not.
    told = contact.parents_informed or (contact.consent.parents_told if contact.consent else None)
    without_parents_knowledge = without_parents_knowledge or told != "yes"
    bump_version(session, contact, version)
    check = AgencyCheck(contact=contact, agency=agency, question=question, requested_at=now,
                        requested_by_id=user.id, without_parents_knowledge=without_parents_knowledge)
    session.add(check)
    session.flush()
    audit.record(session, event="check.asked", actor=f"staff:{user.id}", contact_id=contact.id, at=now,
                 details={"check_id": check.id, "agency": agency,
                          "without_parents_knowledge": without_parents_knowledge})
    return check


def authorise_check(session: Session, check: AgencyCheck, manager: StaffUser, *, reason: str,
                    now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if not can(manager, "authorise_checks"):
        raise StaffError("Only a manager can authorise checks without the parents' knowledge")
    if not check.without_parents_knowledge or check.authorised_at is not None:
        raise StaffError("This check does not need authorising")
    if check.requested_by_id == manager.id:
        raise StaffError("You asked for this check, so another manager must authorise it")
    check.authorisation_reason = required_text(reason,
                                               "Enter why this check may be made without the parents' knowledge")
    check.authorised_by_id = manager.id
    check.authorised_at = now
    audit.record(session, event="check.authorised", actor=f"staff:{manager.id}", contact_id=check.contact_id,
                 at=now, reason="checks without the parents' knowledge", details={"check_id": check.id})


def record_response(session: Session, check: AgencyCheck, user: StaffUser, *, response: str, version: int | None,
                    now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    require_holder(check.contact, user, now=now)
    if check.status == "awaiting_authorisation":
        raise StaffError("A manager must authorise this check before it is made")
    if check.response is not None:
        raise StaffError("This check already has a response")
    bump_version(session, check.contact, version)
    check.response = required_text(response, "Enter what the agency told you")
    check.responded_at = now
    check.response_recorded_by_id = user.id
    audit.record(session, event="check.returned", actor=f"staff:{user.id}", contact_id=check.contact_id, at=now,
                 details={"check_id": check.id, "agency": check.agency})


def record_parents_informed(session: Session, contact: Contact, user: StaffUser, *, informed: str,
                            reason: str | None, version: int | None, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    require_holder(contact, user, now=now)
    if informed not in ("yes", "no"):
        raise StaffError("Select whether the parents have been told")
    bump_version(session, contact, version)
    contact.parents_informed = informed
    contact.parents_informed_reason = (required_text(reason, "Enter why the parents have not been told")
                                       if informed == "no" else None)
    audit.record(session, event="contact.parents_informed", actor=f"staff:{user.id}", contact_id=contact.id,
                 at=now, details={"informed": informed})
