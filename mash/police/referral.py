"""A triage meeting's decision to refer a child to the MASH becomes a contact in the MASH queue (issue 14, item 1).

"Refer to the MASH as a concern" and "strategy discussion" were strings on the meeting: the notification closed and
nothing reached the queue. Now the children so decided go through mash.intake like every other referral: the
police summary is screened, the police grade is the contact's lowest risk, earlier contacts are matched, and a
child already open to the MASH joins that open contact instead of making a second one. Each contact carries the
notification (ContactNotification), shown on both pages, with audit events on both. Police notifications and
their triage stay their own queue; the link is the only thing they share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import clean_nhs_number, clean_upn
from forms.schema import FieldError, Referral, clean_postcode
from mash import audit, intake
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import ContactNotification, DomesticAbuseNotification, StaffUser, TriageMeeting
from mash.staff import StaffError

REFERRED = ("refer_to_mash", "strategy_discussion")
POLICE_CONSENT_REASON = ("A police domestic abuse notification, shared by the police under their own duty and referred "
                         "to the MASH by the triage meeting. Any early-help offer still needs a parent's agreement")
SUSPECT_ROLES = ("suspect", "perpetrator", "offender", "alleged perpetrator")


def referral_key(notification: DomesticAbuseNotification) -> str:
    """One contact per notification, however often the request is repeated."""
    return f"police-notification:{notification.id}"


def _checked(value: str | None, cleaner: Any) -> str | None:
    # A police detail that fails its check is left on the notification, not copied to the contact: the meeting
    # cannot correct a police record, and a decision to refer is never refused over it.
    if not value:
        return None
    try:
        return str(cleaner(value))
    except FieldError:
        return None


def referral_answers(notification: DomesticAbuseNotification, decided: list[dict[str, Any]]) -> dict[str, Any]:
    """The referred children and what the police told us, in the referral schema's words."""
    by_position = {c.position: c for c in notification.children}
    postcode = _checked(notification.postcode, clean_postcode)
    children = []
    for entry in decided:
        child = by_position[entry["position"]]
        children.append({key: value for key, value in {
            "born": "yes", "first_name": child.first_name, "last_name": child.last_name,
            "date_of_birth": child.date_of_birth, "address": notification.address, "postcode": postcode,
            "nhs_number": _checked(getattr(child, "nhs_number", None), clean_nhs_number),
            "upn": _checked(getattr(child, "upn", None), clean_upn),
            "school": child.school,
        }.items() if value})
    adults = notification.adults or []
    suspects = [a for a in adults if (a.get("role") or "").strip().lower() in SUSPECT_ROLES]
    strategy = any(e["decision"] == "strategy_discussion" for e in decided)
    answers: dict[str, Any] = {
        "referrer_type": "professional", "referrer_workplace": "police",
        "referrer_organisation": "Police (domestic abuse notification)",
        "referrer_role": f"Triage meeting on notification {notification.police_reference}",
        "children": children,
        "household": [{"name": a["name"], "relationship": None} for a in adults if a not in suspects and a.get("name")],
        "alleged_perpetrator": "yes" if suspects else "no",
        "concern_categories": ["domestic_abuse"], "household_factors": ["domestic_abuse"],
        "what_happened": notification.summary,
        "consent": "not_asked", "not_asked_reason": POLICE_CONSENT_REASON,
    }
    if suspects:
        answers["perpetrator_name"] = ", ".join(a["name"] for a in suspects)
    if strategy:
        answers["suggested_level"] = "4"
        answers["level_reason"] = "The domestic abuse triage meeting decided a strategy discussion is needed."
    return answers


def refer_to_mash(session: Session, notification: DomesticAbuseNotification, meeting: TriageMeeting,
                  user: StaffUser, *, now: dt.datetime,
                  calendar: WorkingCalendar = DEFAULT_CALENDAR) -> list[ContactNotification]:
    """Send the children the meeting referred (or put to a strategy discussion) to the MASH queue, in the
    caller's transaction. Returns the links made; none when the meeting referred nobody.

    A notification is referred once: asked again, it says which contact already carries it."""
    decided = [d for d in meeting.child_decisions if d["decision"] in REFERRED]
    if not decided:
        return []
    held = session.scalars(select(ContactNotification).where(ContactNotification.notification_id == notification.id)
                           ).all()
    if held:
        references = ", ".join(link.contact.reference for link in held)
        raise StaffError(f"This notification's decision is already with the MASH (contact {references}); "
                         "nothing was sent again")
    try:
        result = intake.receive(session, intake.IntakeRequest(
            source="police", referral=Referral(journey="report", kind="concern",
                                               answers=referral_answers(notification, decided)),
            actor=f"staff:{user.id}", received_at=now, idempotency_key=referral_key(notification),
            unscreened_text=notification.summary, risk_floor=notification.rag, link_open=True,
            details={"notification_id": notification.id}), calendar=calendar)
    except intake.IntakeError as exc:
        raise StaffError(f"The decision could not reach the MASH queue: {exc}") from None
    # The intake numbers the referred children from 0; the link keeps the notification's own positions.
    entries = [{"position": d["position"], "decision": d["decision"]} for d in decided]
    linked_positions = {p for _, positions in result.linked for p in positions}
    groups = [(contact, [entries[p] for p in positions], False) for contact, positions in result.linked]
    if result.contact is not None:
        groups.append((result.contact, [e for i, e in enumerate(entries) if i not in linked_positions], True))
    links = []
    for contact, held_entries, created in groups:
        link = ContactNotification(contact_id=contact.id, notification_id=notification.id, decisions=held_entries,
                                   created=created, linked_at=now, linked_by_id=user.id)
        session.add(link)
        links.append(link)
    session.flush()
    audit.append(session, [
        audit.Entry("police.referred_to_mash", f"staff:{user.id}", link.contact_id, at=now, details={
            "notification_id": notification.id, "meeting_id": meeting.id, "link_id": link.id,
            "created": link.created, "decisions": [e["decision"] for e in link.decisions]})
        for link in links])
    return links
