"""The out-of-hours handover: what the emergency duty team hands the day team, due by 09:00 the next working day.

A handover starts in one of two ways: a contact arrives outside office hours (mash.intake calls
`open_for_contact`), or an emergency duty worker records a call (`record_call`). Either way it is due at the
next office opening (WorkingCalendar.next_opening: bank holidays and weekends included). Completing it needs
what was done *and why* — the Ofsted finding was that the day team got too little information — and the day
team acknowledges it. Each step is audited; the words themselves live only in encrypted columns.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import Contact, Handover, StaffUser
from mash.staff import StaffError, can
from store.db import utcnow

FIELDS = {
    "caller": "Who called, and how to reach them",
    "child": "The child (name, date of birth, address)",
    "what_happened": "What happened",
    "action_taken": "What the emergency duty team did",
    "rationale": "Why: the reasoning behind what was done",
    "day_team_actions": "What the day team must do",
}
LIMIT = 5000


def open_for_contact(session: Session, contact: Contact, *,
                     calendar: WorkingCalendar = DEFAULT_CALENDAR) -> Handover | None:
    """A contact received outside office hours gets a handover due at the next opening; in hours, none."""
    if calendar.is_office_hours(contact.received_at):
        return None
    handover = Handover(source="contact", contact_id=contact.id, received_at=contact.received_at,
                        due_at=calendar.next_opening(contact.received_at), status="open")
    session.add(handover)
    return handover


def _clean(values: dict[str, str | None]) -> dict[str, str | None]:
    cleaned: dict[str, str | None] = {}
    for name in FIELDS:
        text = (values.get(name) or "").strip()
        if len(text) > LIMIT:
            raise StaffError(f"Keep '{FIELDS[name]}' to {LIMIT:,} characters or fewer")
        cleaned[name] = text or None
    return cleaned


def record_call(session: Session, user: StaffUser, *, received_at: dt.datetime, values: dict[str, str | None],
                now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> Handover:
    """An emergency duty worker records a call; it is a draft until completed with its rationale."""
    now = now or utcnow()
    if not can(user, "out_of_hours"):
        raise StaffError("Only practitioners and managers can record an out-of-hours call")
    if received_at > now + dt.timedelta(minutes=5):
        raise StaffError("The call cannot have come in the future")
    cleaned = _clean(values)
    if not cleaned["what_happened"]:
        raise StaffError("Enter what happened")
    handover = Handover(source="call", received_at=received_at, due_at=calendar.next_opening(received_at),
                        recorded_by_id=user.id, status="open", **cleaned)
    session.add(handover)
    session.flush()
    audit.record(session, event="handover.recorded", actor=f"staff:{user.id}", at=now, details={
        "handover_id": handover.id, "source": "call", "due_at": handover.due_at.isoformat()})
    return handover


def complete(session: Session, handover: Handover, user: StaffUser, *, values: dict[str, str | None],
             now: dt.datetime | None = None) -> None:
    """Hand it to the day team. Without what was done, why, and what the day team must do, it is refused."""
    now = now or utcnow()
    if not can(user, "out_of_hours"):
        raise StaffError("Only practitioners and managers can complete a handover")
    if handover.status != "open":
        raise StaffError("This handover has already been completed")
    cleaned = _clean({name: values.get(name) if values.get(name) is not None else getattr(handover, name)
                      for name in FIELDS})
    missing = [label for name, label in FIELDS.items()
               if name in ("action_taken", "rationale", "day_team_actions") and not cleaned[name]]
    if missing:
        raise StaffError("A handover cannot be completed without: " + "; ".join(m.lower() for m in missing))
    if handover.source == "call" and not cleaned["what_happened"]:
        raise StaffError("Enter what happened")
    for name, value in cleaned.items():
        setattr(handover, name, value)
    handover.status = "completed"
    handover.completed_at = now
    handover.completed_by_id = user.id
    audit.record(session, event="handover.completed", actor=f"staff:{user.id}", contact_id=handover.contact_id,
                 at=now, details={"handover_id": handover.id, "on_time": now <= handover.due_at})


NO_EDT_ACTION = "No emergency duty action"
WAITED_FOR_DAY_TEAM = "The contact arrived out of hours and waited for the day team"


def acknowledge(session: Session, handover: Handover, user: StaffUser, *, now: dt.datetime | None = None) -> None:
    """The day team has read it: it leaves the handover queue.

    A call the emergency duty team recorded is taken once they have completed it with what they did and why. A
    contact that simply arrived out of hours (a web form nobody in the emergency duty team saw) may be taken by
    the day team straight away: "no emergency duty action" is recorded, with the reason, rather than left stuck."""
    now = now or utcnow()
    if not can(user, "view_contacts"):
        raise StaffError("Only practitioners and managers can take a handover")
    direct = handover.source == "contact" and handover.status == "open"
    if handover.status != "completed" and not direct:
        if handover.status == "acknowledged":
            raise StaffError("The day team has already taken this handover")
        raise StaffError("A handover is acknowledged once the emergency duty team has completed it")
    if direct:
        handover.action_taken = handover.action_taken or NO_EDT_ACTION
        handover.rationale = handover.rationale or WAITED_FOR_DAY_TEAM
    handover.status = "acknowledged"
    handover.acknowledged_at = now
    handover.acknowledged_by_id = user.id
    audit.record(session, event="handover.acknowledged", actor=f"staff:{user.id}", contact_id=handover.contact_id,
                 at=now, reason=f"{NO_EDT_ACTION}: {WAITED_FOR_DAY_TEAM.lower()}" if direct else None,
                 details={"handover_id": handover.id, "without_edt_action": direct,
                          "on_time": now <= handover.due_at})


def day_team_queue(session: Session, *, limit: int = 200, offset: int = 0) -> list[Handover]:
    """Every handover not yet acknowledged, soonest due first: the day team's list at 09:00."""
    return list(session.scalars(
        select(Handover).options(selectinload(Handover.contact).load_only(Contact.id, Contact.reference, Contact.rag))
        .where(Handover.status != "acknowledged").order_by(Handover.due_at, Handover.id).offset(offset).limit(limit)))
