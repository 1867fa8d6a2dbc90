"""The triage queue and the MASH's decisions: the page of open notifications by risk, grade changes, the triage
meeting with a decision for every child, and the answer to an early-help offer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, load_only, selectinload

from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.decisions import STRATEGY_AGENCIES
from mash.models import (
    RAG_ORDER,
    DomesticAbuseNotification,
    GradeChange,
    StaffUser,
    TriageMeeting,
)
from mash.police.clocks import DEFAULT_SETTINGS, PoliceSettings, due_for, rag_for
from mash.police.consent import _consent_entry
from mash.police.contract import CLOCK_SKEW, GRADES
from mash.police.referral import refer_to_mash
from mash.staff import StaffError, can, required_text
from store.db import utcnow

CHILD_DECISIONS = {
    "no_further_action": "No further action",
    "information_to_allocated_worker": "Information to the allocated worker",
    "early_help_offer": "Offer early help",
    "refer_to_mash": "Refer to the MASH as a concern",
    "strategy_discussion": "Strategy discussion",
}


TRIAGE_AGENCIES = {**{k: v for k, v in STRATEGY_AGENCIES.items() if k != "other"},
                   "idva": "Domestic abuse service (IDVA)", "other": "Another agency"}


# --- The triage queue and the MASH's decisions ----------------------------------------------------------------------


@dataclass(frozen=True)
class TriagePage:
    notifications: list[DomesticAbuseNotification]
    next_cursor: str | None


def triage_page(session: Session, *, after: str | None = None, size: int = 50) -> TriagePage:
    """Open notifications by risk, then due time: keyset pages on the partial index, as the contact queue."""
    from mash.queue import Cursor

    query = select(DomesticAbuseNotification).where(DomesticAbuseNotification.closed_at.is_(None))
    cursor = Cursor.decode(after)
    if cursor is not None:
        query = query.where(tuple_(DomesticAbuseNotification.risk_rank, DomesticAbuseNotification.due_at,
                                   DomesticAbuseNotification.id) > tuple_(cursor.risk_rank, cursor.due, cursor.id))
    # Only what the queue shows: no address, name or summary is decrypted to draw it.
    columns = load_only(DomesticAbuseNotification.id, DomesticAbuseNotification.police_reference,
                        DomesticAbuseNotification.received_at, DomesticAbuseNotification.grade,
                        DomesticAbuseNotification.rag, DomesticAbuseNotification.risk_rank,
                        DomesticAbuseNotification.due_at, DomesticAbuseNotification.household_count,
                        DomesticAbuseNotification.marac_flags, DomesticAbuseNotification.children_present,
                        DomesticAbuseNotification.routed_to_id, DomesticAbuseNotification.routed_contact_id,
                        DomesticAbuseNotification.status)
    rows = session.scalars(query.options(columns, selectinload(DomesticAbuseNotification.routed_to))
                           .order_by(DomesticAbuseNotification.risk_rank, DomesticAbuseNotification.due_at,
                                     DomesticAbuseNotification.id).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = Cursor(rows[-1].risk_rank, rows[-1].due_at, rows[-1].id).encode() if more else None
    return TriagePage(list(rows), next_cursor)


def change_grade(session: Session, notification: DomesticAbuseNotification, user: StaffUser, *, grade: str,
                 reason: str | None, now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                 settings: PoliceSettings = DEFAULT_SETTINGS) -> GradeChange:
    """Move the grade up or down, with a reason; the RAG and its clock follow the new grade."""
    now = now or utcnow()
    if not can(user, "triage_notifications"):
        raise StaffError("Only practitioners and managers can change a grade")
    if grade not in GRADES:
        raise StaffError("Select standard, medium or high")
    if grade == notification.grade:
        raise StaffError("That is already the grade")
    if notification.triaged_at is not None or notification.closed_at is not None:
        raise StaffError("This notification has been triaged; its grade can no longer change")
    change = GradeChange(notification_id=notification.id, from_grade=notification.grade, to_grade=grade,
                         reason=required_text(reason, "Enter why the grade should change"), changed_by_id=user.id,
                         changed_at=now)
    session.add(change)
    notification.grade = grade
    notification.rag = rag_for(grade, notification.marac_flags or [])
    notification.risk_rank = RAG_ORDER[notification.rag]
    notification.due_at = due_for(notification.rag, notification.received_at, calendar, settings)
    session.flush()
    audit.record(session, event="police.grade_changed", actor=f"staff:{user.id}", at=now,
                 reason="grade moved by the MASH", details={
                     "notification_id": notification.id, "grade_change_id": change.id, "from": change.from_grade,
                     "to": grade, "rag": notification.rag, "due_at": notification.due_at.isoformat()})
    return change


@dataclass(frozen=True)
class ChildDecision:
    position: int
    decision: str
    consent: str | None = None
    consent_by: str | None = None  # who gave (or refused) agreement: name and relationship
    consent_authority: str | None = None  # a CONSENT_AUTHORITY key: do they have parental responsibility?
    note: str | None = None


def record_triage_meeting(session: Session, notification: DomesticAbuseNotification, user: StaffUser, *,
                          held_at: dt.datetime, attendees: list[dict[str, str]], decisions: list[ChildDecision],
                          now: dt.datetime | None = None,
                          calendar: WorkingCalendar = DEFAULT_CALENDAR) -> TriageMeeting:
    """The triage meeting: who came, by agency, and a decision for every child. It closes the notification,
    unless an early-help offer's agreement is still to be sought: then the notification stays open, shown as
    awaiting consent, until `record_consent` records the answer.

    Early help needs the agreement of a person with parental responsibility (domain.md): an offer records it as
    given (by whom, and that they hold parental responsibility) or still to be sought; an offer refused is not
    early help, so it is refused here. Timeliness is the meeting's time against the RAG clock."""
    now = now or utcnow()
    if not can(user, "triage_notifications"):
        raise StaffError("Only practitioners and managers can record a triage meeting")
    if notification.closed_at is not None or notification.triaged_at is not None:
        raise StaffError("This notification's triage meeting is already recorded")
    if held_at > now + CLOCK_SKEW:
        raise StaffError("The meeting cannot have been held in the future")
    if held_at < notification.received_at.replace(second=0, microsecond=0):  # a form gives minutes only
        raise StaffError("The meeting cannot have been held before the notification was received")
    cleaned = [{"agency": a["agency"], "name": (a.get("name") or "").strip(), "role": (a.get("role") or "").strip()}
               for a in attendees if a.get("agency")]
    if not cleaned:
        raise StaffError("Add who attended the meeting, with their agency")
    if any(a["agency"] not in TRIAGE_AGENCIES for a in cleaned):
        raise StaffError("Select each attendee's agency from the list")
    positions = {c.position for c in notification.children}
    if {d.position for d in decisions} != positions or len(decisions) != len(positions):
        raise StaffError("Record one decision for each child")
    recorded = []
    for d in sorted(decisions, key=lambda d: d.position):
        if d.decision not in CHILD_DECISIONS:
            raise StaffError(f"Select a decision for child {d.position + 1}")
        entry: dict[str, Any] = {"position": d.position, "decision": d.decision, "note": (d.note or "").strip()}
        if d.decision == "early_help_offer":
            if d.consent == "refused":
                raise StaffError(f"Early help for child {d.position + 1} was refused: record another decision "
                                 "(early help cannot go ahead without agreement)")
            entry |= _consent_entry(d.position, d.consent, d.consent_by, d.consent_authority)
        recorded.append(entry)
    agencies = sorted({a["agency"] for a in cleaned})
    meeting = TriageMeeting(notification_id=notification.id, held_at=held_at, attendees=cleaned, agencies=agencies,
                            police_attended="police" in agencies, child_decisions=recorded, recorded_by_id=user.id,
                            recorded_at=now)
    session.add(meeting)
    awaiting = [e["position"] for e in recorded if e.get("consent") == "to_be_sought"]
    notification.triaged_at = held_at
    if awaiting:
        notification.status = "awaiting_consent"
    else:
        notification.status = "triaged"
        notification.closed_at = now
    session.flush()
    audit.record(session, event="police.triage_meeting", actor=f"staff:{user.id}", at=now, details={
        "notification_id": notification.id, "meeting_id": meeting.id, "agencies": agencies,
        "police_attended": meeting.police_attended, "late": held_at > notification.due_at,
        "awaiting_consent": awaiting,
        "decisions": [{"position": e["position"], "decision": e["decision"], "consent": e.get("consent"),
                       "consent_authority": e.get("consent_authority")} for e in recorded]})
    # referred children: a contact in the MASH queue, on the council's own clocks
    refer_to_mash(session, notification, meeting, user, now=now, calendar=calendar)
    return meeting


def record_consent(session: Session, notification: DomesticAbuseNotification, user: StaffUser, *, position: int,
                   consent: str, consent_by: str | None, consent_authority: str | None,
                   now: dt.datetime | None = None) -> TriageMeeting:
    """The answer to an early-help offer whose agreement was to be sought: given (by a person with parental
    responsibility) or refused. When no child's answer is still awaited, the notification closes."""
    now = now or utcnow()
    if not can(user, "triage_notifications"):
        raise StaffError("Only practitioners and managers can record consent")
    meeting = session.scalar(select(TriageMeeting).where(TriageMeeting.notification_id == notification.id))
    decisions = [dict(d) for d in (meeting.child_decisions if meeting else [])]
    entry = next((d for d in decisions if d["position"] == position), None)
    if meeting is None or entry is None or entry.get("consent") != "to_be_sought":
        raise StaffError("No agreement is awaited for that child")
    if consent not in ("given", "refused"):
        raise StaffError("Select whether early help was agreed or refused")
    entry |= _consent_entry(position, consent, consent_by, consent_authority)
    entry["consent_recorded_at"] = now.isoformat()
    entry["consent_recorded_by_id"] = user.id
    meeting.child_decisions = decisions  # a new list: the encrypted column is written again
    awaiting = [d["position"] for d in decisions if d.get("consent") == "to_be_sought"]
    if not awaiting:
        notification.status = "triaged"
        notification.closed_at = now
    session.flush()
    audit.record(session, event="police.early_help_consent", actor=f"staff:{user.id}", at=now, details={
        "notification_id": notification.id, "meeting_id": meeting.id, "position": position, "consent": consent,
        "consent_authority": entry["consent_authority"], "awaiting_consent": awaiting})
    return meeting
