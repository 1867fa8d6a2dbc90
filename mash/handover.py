"""The out-of-hours handover: what the emergency duty team hands the day team, due by 09:00 the next working day.

A handover starts in one of two ways: a contact arrives outside office hours (mash.intake calls
`open_for_contact`), or an emergency duty worker records a call (`record_call`). Either way it is due at the
next office opening (WorkingCalendar.next_opening: bank holidays and weekends included). Completing it needs
what was done *and why* — the Ofsted finding was that the day team got too little information — and the day
team acknowledges it. Each step is audited; the words themselves live only in encrypted columns.

A call about a child is also a contact, made through mash.intake like every other: the child is recorded in
structured fields (names, date of birth, address, postcode, NHS number, UPN), indexed and matched to earlier
contacts, and the call's notes are screened. A child nobody could name still makes a contact ("not known").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, select
from sqlalchemy.orm import Session, selectinload

from forms.identifiers import clean_nhs_number, clean_upn
from forms.schema import FieldError, Referral, clean_postcode, clean_text
from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import Contact, Handover, StaffUser
from mash.staff import StaffError, can
from store.db import utcnow

FIELDS = {
    "caller": "Who called, and how to reach them",
    "what_happened": "What happened",
    "action_taken": "What the emergency duty team did",
    "rationale": "Why: the reasoning behind what was done",
    "day_team_actions": "What the day team must do",
}
# The child a call is about, as the contact's structured child (mash.intake indexes and matches it).
CHILD_FIELDS = {
    "child_first_name": "First name",
    "child_last_name": "Last name",
    "child_date_of_birth": "Date of birth",
    "child_address": "Address",
    "child_postcode": "Postcode",
    "child_nhs_number": "NHS number (optional)",
    "child_upn": "Unique pupil number (optional)",
}
CHILD_LIMITS = {"child_first_name": 100, "child_last_name": 100, "child_address": 300}
LIMIT = 5000
NOT_KNOWN = "Not known"
CALL_CONSENT_REASON = ("A call to the emergency duty team out of hours: consent was not sought on the call; the MASH "
                       "will consider it")


@dataclass(frozen=True)
class CallNotes:
    """What the emergency duty worker wrote about a call (FIELDS, cleaned): the call's handover, opened by
    mash.intake with the contact."""

    recorded_by_id: int
    values: dict[str, str | None]


def open_for_contact(session: Session, contact: Contact, *, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                     call: CallNotes | None = None) -> Handover | None:
    """A contact received outside office hours gets a handover due at the next opening; in hours, none. A call
    the emergency duty team recorded always gets one, carrying its notes."""
    if call is not None:
        handover = Handover(source="call", contact_id=contact.id, received_at=contact.received_at,
                            due_at=calendar.next_opening(contact.received_at), recorded_by_id=call.recorded_by_id,
                            status="open", **call.values)
        session.add(handover)
        return handover
    if calendar.is_office_hours(contact.received_at):
        return None
    handover = Handover(source="contact", contact_id=contact.id, received_at=contact.received_at,
                        due_at=calendar.next_opening(contact.received_at), status="open")
    session.add(handover)
    return handover


def _clean(values: Mapping[str, Any]) -> dict[str, str | None]:
    cleaned: dict[str, str | None] = {}
    for name in FIELDS:
        text = (values.get(name) or "").strip()
        if len(text) > LIMIT:
            raise StaffError(f"Keep '{FIELDS[name]}' to {LIMIT:,} characters or fewer")
        cleaned[name] = text or None
    return cleaned


def call_child(values: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """The child a call is about, in the referral schema's words (first_name, date_of_birth, nhs_number ...).

    Every field may be blank (a caller may not know the child's name); whatever is given must be right, and every
    problem is named at once."""
    problems: list[str] = []
    child: dict[str, Any] = {"born": "yes"}
    for name, limit in CHILD_LIMITS.items():
        text = clean_text(values.get(name), multiline=False)
        if len(text) > limit:
            problems.append(f"Keep the child's {CHILD_FIELDS[name].lower()} to {limit} characters or fewer")
        elif text:
            child[name.removeprefix("child_")] = text
    born = clean_text(values.get("child_date_of_birth"), multiline=False)
    if born:
        try:
            day = dt.date.fromisoformat(born) if "-" in born else dt.datetime.strptime(born, "%d/%m/%Y").date()
        except ValueError:
            problems.append("Enter the child's date of birth as a real date, like 2019-05-01, or leave it blank")
        else:
            if day > today:
                problems.append("The child's date of birth cannot be in the future")
            else:
                child["date_of_birth"] = day.isoformat()
    for name, cleaner in (("child_postcode", clean_postcode), ("child_nhs_number", clean_nhs_number),
                          ("child_upn", clean_upn)):
        text = clean_text(values.get(name), multiline=False)
        if text:
            try:
                child[name.removeprefix("child_")] = cleaner(text)
            except FieldError as exc:
                problems.append(f"{CHILD_FIELDS[name].removesuffix(' (optional)')}: {exc}")
    if problems:
        raise StaffError("; ".join(problems))
    return child


def call_referral(notes: dict[str, str | None], child: dict[str, Any]) -> Referral:
    """A call as the contact's referral: the caller is the referrer, what happened is the concern."""
    return Referral(journey="report", kind="concern", answers={
        "referrer_type": "professional", "referrer_name": notes.get("caller"),
        # the emergency duty team is the council's own social care: the Children in Need source is 5A
        "referrer_workplace": "la_social_care",
        "referrer_organisation": "Emergency duty team", "referrer_role": "Out-of-hours call",
        "children": [child], "what_happened": notes.get("what_happened"), "concern_categories": [],
        "consent": "not_asked", "not_asked_reason": CALL_CONSENT_REASON})


def record_call(session: Session, user: StaffUser, *, received_at: dt.datetime, values: dict[str, Any],
                now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> Handover:
    """An emergency duty worker records a call: a contact about the child, through the one intake, and the
    call's handover to the day team, a draft until completed with its rationale."""
    from mash import intake  # intake opens the call's handover (open_for_contact): imported here, not in a cycle

    now = now or utcnow()
    if not can(user, "out_of_hours"):
        raise StaffError("Only practitioners and managers can record an out-of-hours call")
    if received_at > now + dt.timedelta(minutes=5):
        raise StaffError("The call cannot have come in the future")
    cleaned = _clean(values)
    if not cleaned["what_happened"]:
        raise StaffError("Enter what happened")
    child = call_child(values, today=received_at.astimezone(calendar.tz).date())
    try:
        result = intake.receive(session, intake.IntakeRequest(
            source="out_of_hours", referral=call_referral(cleaned, child), actor=f"staff:{user.id}",
            received_at=received_at, unscreened_text=cleaned["what_happened"],
            call=CallNotes(recorded_by_id=user.id, values=cleaned)), calendar=calendar)
    except intake.IntakeError as exc:
        raise StaffError(str(exc)) from None
    handover = result.handover
    assert handover is not None and result.contact is not None  # noqa: S101  (a call always opens one)
    session.flush()
    audit.record(session, event="handover.recorded", actor=f"staff:{user.id}", contact_id=result.contact.id, at=now,
                 details={"handover_id": handover.id, "source": "call", "due_at": handover.due_at.isoformat(),
                          "child_named": bool(child.get("first_name") or child.get("last_name")),
                          "screen": list(result.screened)})
    return handover


def child_label(handover: Handover) -> str:
    """The child a handover is about, for the day team: the contact's first child, or "Not known"."""
    if handover.contact is not None and handover.contact.children:
        child = handover.contact.children[0]
        name = " ".join(part for part in (child.first_name, child.last_name) if part)
        born = f", born {child.date_of_birth}" if child.date_of_birth else ""
        return f"{name}{born}" if name else f"{NOT_KNOWN}{born}"
    return handover.child or NOT_KNOWN


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


def arrived_with_nothing() -> ColumnElement[bool]:
    """A handover nobody wrote: a contact that simply arrived out of hours, still open, with nothing recorded by
    the emergency duty team. The contact itself is in the MASH queue; in the handover list it is only noise."""
    return and_(Handover.source == "contact", Handover.status == "open", Handover.recorded_by_id.is_(None),
                *(getattr(Handover, name).is_(None) for name in FIELDS))


def day_team_queue(session: Session, *, limit: int = 200, offset: int = 0,
                   with_nothing_recorded: bool = True) -> list[Handover]:
    """Every handover not yet acknowledged, soonest due first: the day team's list at 09:00. Without
    `with_nothing_recorded`, only those a person wrote or that have content (see arrived_with_nothing)."""
    query = select(Handover).where(Handover.status != "acknowledged")
    if not with_nothing_recorded:
        query = query.where(not_(arrived_with_nothing()))
    return list(session.scalars(
        query.options(selectinload(Handover.contact).load_only(Contact.id, Contact.reference, Contact.rag))
        .order_by(Handover.due_at, Handover.id).offset(offset).limit(limit)))


def count_arrived_with_nothing(session: Session) -> int:
    """How many handovers the default list leaves out (arrived_with_nothing): the page says so, with a link."""
    return session.scalar(select(func.count()).select_from(Handover).where(arrived_with_nothing())) or 0
