"""Screening: checks with partner agencies as tasks, and whether the parents were told.

A check names the agency and, optionally, the person asked there (name, role, phone or e-mail: personal data,
encrypted); it is due back by the agency's own time (a setting: police 4 office hours, others 1 working day, on
the council's working calendar, so bank holidays do not count); an overdue check is flagged and can be chased,
which moves its due time on by the agency's interval. A check made without the parents' knowledge waits for a
manager's authorisation, with the reason recorded, and its clock starts when it is authorised. A response can be
recorded until the contact closes, after the decision too; two responses at once keep the first and tell the
second person so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from mash import audit
from mash.claims import SCREENING_STATUSES, bump_version, require_holder
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import AgencyCheck, AuditEvent, Contact, StaffUser
from mash.staff import StaffError, can, required_text
from store.db import utcnow

AGENCIES = {
    "police": "Police", "health": "Health", "education": "Education", "early_help": "Early help",
    "probation": "Probation", "housing": "Housing", "social_care": "Children's social care records",
    "adult_social_care": "Adult social care", "other_la": "Another council", "other": "Another agency",
}
LONDON = ZoneInfo("Europe/London")
# The named contact at the agency: each optional, each short.
CONTACT_FIELDS = {"contact_name": ("name", 200), "contact_role": ("role", 200),
                  "contact_details": ("phone or e-mail", 320)}


@dataclass(frozen=True)
class DueTime:
    """How long an agency has to answer: office hours (police: 4) or working days (others: 1)."""

    office_hours: float = 0
    working_days: int = 0

    def after(self, moment: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
        if self.office_hours:
            return calendar.add_working_hours(moment, self.office_hours)
        return calendar.add_working_days(moment, self.working_days)

    @property
    def words(self) -> str:
        if self.office_hours:
            return f"{self.office_hours:g} office hour{'' if self.office_hours == 1 else 's'}"
        return f"{self.working_days} working day{'' if self.working_days == 1 else 's'}"


_DUE_RE = re.compile(r"([a-z_]+)=([0-9]+(?:\.[0-9]+)?)([hd])")
DEFAULT_DUE_TIMES = ("police=4h", "health=1d", "education=1d", "default=1d")


@dataclass(frozen=True)
class CheckSettings:
    """Each agency's due time (setting CHECK_DUE_TIMES: `police=4h,health=1d,education=1d,default=1d`; h is office
    hours, d working days; `default` covers every agency not named)."""

    due_times: Mapping[str, DueTime] = field(default_factory=lambda: parse_due_times(DEFAULT_DUE_TIMES)[0])

    def due_time(self, agency: str) -> DueTime:
        return self.due_times.get(agency) or self.due_times.get("default") or DueTime(working_days=1)

    def due_after(self, agency: str, moment: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
        return self.due_time(agency).after(moment, calendar)


def parse_due_times(entries: Iterable[str]) -> tuple[dict[str, DueTime], list[str]]:
    """CHECK_DUE_TIMES entries into due times, and what is wrong with them in the setting's words."""
    times: dict[str, DueTime] = {}
    problems = []
    for entry in entries:
        found = _DUE_RE.fullmatch(entry.strip().lower())
        if not found:
            problems.append(f"CHECK_DUE_TIMES entry {entry!r} must be like police=4h (office hours) or "
                            f"health=1d (working days)")
            continue
        agency, number, unit = found.groups()
        if agency not in AGENCIES and agency != "default":
            problems.append(f"CHECK_DUE_TIMES names an unknown agency {agency!r}: use one of "
                            f"{', '.join(AGENCIES)} or default")
        elif agency in times:
            problems.append(f"CHECK_DUE_TIMES names {agency} twice")
        elif float(number) <= 0 or (unit == "d" and not float(number).is_integer()):
            problems.append(f"CHECK_DUE_TIMES for {agency} must be a positive number of office hours or a whole "
                            f"number of working days")
        else:
            times[agency] = (DueTime(office_hours=float(number)) if unit == "h"
                             else DueTime(working_days=int(float(number))))
    if not problems and "default" not in times:
        problems.append("CHECK_DUE_TIMES must give a default (like default=1d) for the agencies it does not name")
    return times, problems


DEFAULT_CHECKS = CheckSettings()


def is_overdue(check: AgencyCheck, now: dt.datetime) -> bool:
    """Asked, unanswered and past its due time (a check awaiting authorisation has not been made yet)."""
    return check.status == "asked" and check.due_at is not None and check.due_at < now


def overdue_check_contacts(session: Session, contact_ids: Iterable[int], now: dt.datetime) -> set[int]:
    """Which of these contacts have a check overdue (one query, for a page of the queue)."""
    ids = list(contact_ids)
    if not ids:
        return set()
    return set(session.scalars(select(AgencyCheck.contact_id).where(
        AgencyCheck.contact_id.in_(ids), AgencyCheck.response.is_(None), AgencyCheck.due_at.is_not(None),
        AgencyCheck.due_at < now).distinct()))


# The person wrote more on a contact's conversation (bot): after their reference, details or danger again after
# danger, another message a rule was unsure of
WRITTEN_MORE = ("conversation.more_after_reference", "conversation.details", "conversation.danger",
                "conversation.check_now")


def written_since_staff_looked(session: Session, contact_ids: Iterable[int]) -> set[int]:
    """Which of these contacts the person wrote more on (more after the reference, details or danger again after
    danger, another message a rule was unsure of) after anyone in the team last viewed or worked on it (one query
    each way, for a page of the queue): a duty worker sees on the queue that there is something new to read, not
    only on opening the contact."""
    ids = list(contact_ids)
    if not ids:
        return set()
    written = dict(session.execute(select(AuditEvent.contact_id, func.max(AuditEvent.at)).where(
        AuditEvent.contact_id.in_(ids), AuditEvent.event.in_(WRITTEN_MORE)).group_by(AuditEvent.contact_id)).all())
    if not written:
        return set()
    looked = dict(session.execute(select(AuditEvent.contact_id, func.max(AuditEvent.at)).where(
        AuditEvent.contact_id.in_(list(written)), AuditEvent.actor.like("staff:%")).group_by(
        AuditEvent.contact_id)).all())
    # A contact nobody in the team has looked at yet is new as a whole: no mark (it would be on every new one)
    return {contact_id for contact_id, at in written.items()
            if contact_id is not None and looked.get(contact_id) is not None and looked[contact_id] < at}


def outstanding_checks(contact: Contact) -> list[AgencyCheck]:
    """Checks still awaiting a manager's authorisation or an answer."""
    return [k for k in contact.checks if k.status in ("awaiting_authorisation", "asked")]


def parents_not_told(contact: Contact) -> bool:
    """Does the record say, in so many words, that the parents have not been told? The practitioner's own record
    comes first, then the referrer's answer. "I do not know" or no answer is not "no": the practitioner decides,
    by ticking the box, whether a check is made without the parents' knowledge."""
    told = contact.parents_informed or (contact.consent.parents_told if contact.consent else None)
    return told == "no"


def _contact_details(values: Mapping[str, str | None]) -> dict[str, str | None]:
    cleaned: dict[str, str | None] = {}
    for name, (words, most) in CONTACT_FIELDS.items():
        value = " ".join((values.get(name) or "").split()) or None
        if value is not None and len(value) > most:
            raise StaffError(f"The contact's {words} must be {most} characters or fewer")
        cleaned[name] = value
    return cleaned


def ask_check(session: Session, contact: Contact, user: StaffUser, *, agency: str, question: str,
              without_parents_knowledge: bool, version: int | None, now: dt.datetime | None = None,
              contact_details: Mapping[str, str | None] | None = None,
              calendar: WorkingCalendar = DEFAULT_CALENDAR, settings: CheckSettings = DEFAULT_CHECKS) -> AgencyCheck:
    now = now or utcnow()
    if not can(user, "screen"):
        raise StaffError("Only practitioners and managers can ask partner agencies")
    require_holder(contact, user, now=now)
    if agency not in AGENCIES:
        raise StaffError("Select the agency you are asking")
    question = required_text(question, "Enter what you are asking the agency")
    named = _contact_details(contact_details or {})
    # The record saying the parents have not been told makes any check one made without their knowledge,
    # ticked or not; the check says which it was, so the page can say why.
    from_record = not without_parents_knowledge and parents_not_told(contact)
    without_parents_knowledge = without_parents_knowledge or from_record
    bump_version(session, contact, version)
    check = AgencyCheck(contact=contact, agency=agency, question=question, requested_at=now,
                        requested_by_id=user.id, without_parents_knowledge=without_parents_knowledge,
                        without_knowledge_from=("record" if from_record else "ticked")
                        if without_parents_knowledge else None,
                        # The clock starts when the check can be made: now, or once a manager authorises it.
                        due_at=None if without_parents_knowledge else settings.due_after(agency, now, calendar),
                        **named)
    session.add(check)
    session.flush()
    audit.record(session, event="check.asked", actor=f"staff:{user.id}", contact_id=contact.id, at=now,
                 details={"check_id": check.id, "agency": agency,
                          "without_parents_knowledge": without_parents_knowledge,
                          "due_at": check.due_at.isoformat() if check.due_at else None})
    return check


def authorise_check(session: Session, check: AgencyCheck, manager: StaffUser, *, reason: str,
                    now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                    settings: CheckSettings = DEFAULT_CHECKS) -> None:
    now = now or utcnow()
    if not can(manager, "authorise_checks"):
        raise StaffError("Only a manager can authorise checks without the parents' knowledge")
    if not check.without_parents_knowledge or check.authorised_at is not None:
        raise StaffError("This check does not need authorising")
    if check.requested_by_id == manager.id:
        raise StaffError("You asked for this check, so another manager must authorise it")
    if check.contact.closed_at is not None:
        raise StaffError("This contact is closed, so the check can no longer be authorised")
    check.authorisation_reason = required_text(reason,
                                               "Enter why this check may be made without the parents' knowledge")
    check.authorised_by_id = manager.id
    check.authorised_at = now
    check.due_at = settings.due_after(check.agency, now, calendar)
    audit.record(session, event="check.authorised", actor=f"staff:{manager.id}", contact_id=check.contact_id,
                 at=now, reason="checks without the parents' knowledge",
                 details={"check_id": check.id, "due_at": check.due_at.isoformat()})


def _may_work_on_check(check: AgencyCheck, user: StaffUser, now: dt.datetime) -> None:
    """Until the contact closes: while it is being screened, by whoever holds it; once decided and waiting for
    sign-off (nobody holds it then), by any practitioner or manager."""
    contact = check.contact
    if not can(user, "screen"):
        raise StaffError("Only practitioners and managers can record a partner agency's answer")
    if contact.closed_at is not None:
        raise StaffError("This contact is closed, so its checks can no longer be changed")
    if contact.status in SCREENING_STATUSES:
        require_holder(contact, user, now=now)
    if check.status == "awaiting_authorisation":
        raise StaffError("A manager must authorise this check before it is made")


def _already_answered(session: Session, check: AgencyCheck) -> StaffError:
    with session.no_autoflush:  # this session's own changes are about to be rolled back: read, never write
        session.refresh(check)
        who = check.response_recorded_by.name if check.response_recorded_by else "Someone"
        when = (check.responded_at.astimezone(LONDON).strftime("%H:%M on %d %b") if check.responded_at
                else "just now")
    return StaffError(f"{who} recorded this check's response at {when}, so yours was not saved. Read theirs below; "
                      f"if the agency told you more, ask a further check to record it")


def record_response(session: Session, check: AgencyCheck, user: StaffUser, *, response: str, version: int | None,
                    now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    _may_work_on_check(check, user, now)
    if check.response is not None:
        raise _already_answered(session, check)
    text = required_text(response, "Enter what the agency told you")
    # One conditional UPDATE, before the contact's versioned one: of two responses at once, the first is kept and
    # the second is told so (on PostgreSQL the second waits for the first's row lock, then matches nothing).
    with session.no_autoflush:
        result = cast("CursorResult[Any]", session.execute(
            update(AgencyCheck).where(AgencyCheck.id == check.id, AgencyCheck.response.is_(None))
            .values(response=text, responded_at=now, response_recorded_by_id=user.id)
            .execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        raise _already_answered(session, check)
    bump_version(session, check.contact, version)
    session.refresh(check, ["response", "responded_at", "response_recorded_by_id"])
    audit.record(session, event="check.returned", actor=f"staff:{user.id}", contact_id=check.contact_id, at=now,
                 details={"check_id": check.id, "agency": check.agency,
                          "after_decision": check.contact.status not in SCREENING_STATUSES,
                          "late": check.due_at is not None and now > check.due_at})


def chase_check(session: Session, check: AgencyCheck, user: StaffUser, *, version: int | None,
                now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                settings: CheckSettings = DEFAULT_CHECKS) -> None:
    """Record that the agency was chased: when and by whom, and the due time moves on by the agency's interval."""
    now = now or utcnow()
    _may_work_on_check(check, user, now)
    if check.response is not None:
        raise StaffError("This check already has a response")
    bump_version(session, check.contact, version)
    was_due = check.due_at
    check.chased_at = now
    check.chased_by_id = user.id
    check.chase_count = (check.chase_count or 0) + 1
    check.due_at = settings.due_after(check.agency, now, calendar)
    audit.record(session, event="check.chased", actor=f"staff:{user.id}", contact_id=check.contact_id, at=now,
                 details={"check_id": check.id, "agency": check.agency, "chase": check.chase_count,
                          "was_due_at": was_due.isoformat() if was_due else None,
                          "due_at": check.due_at.isoformat()})


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
