"""Operation Encompass (statutory since 2024): the police tell a child's school about a domestic abuse incident before
the start of the next school day, so the school can support the child that morning.

Each child on a notification carries its school: from the notification, else from the newest earlier contact
about the same child (the same NHS number, or the same first name, last name and date of birth) whose referrer
gave one. The triage page shows, per child, whether and when the school was told, and flags a school not told
by the start of the next school day (a school day is a working day; it starts at 08:45, a setting). Recording
"school told" is a staff action with its time and who recorded it, audited without any name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import Child, Contact, DomesticAbuseChild, DomesticAbuseNotification, StaffUser
from mash.police.contract import CLOCK_SKEW
from mash.staff import StaffError, can
from store.db import utcnow

SCHOOL_LIMIT = 200
SOURCES = {"notification": "from the police notification", "earlier_contact": "from an earlier contact",
           "staff": "recorded by the MASH"}


@dataclass(frozen=True)
class EncompassSettings:
    """When a school day starts (setting): a school not told by then has heard too late for that morning."""

    school_day_starts: dt.time = dt.time(8, 45)


DEFAULT_SETTINGS = EncompassSettings()


def school_deadline(occurred_at: dt.datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                    settings: EncompassSettings = DEFAULT_SETTINGS) -> dt.datetime:
    """The start of the next school day after the incident: the same morning for an incident in the small hours
    of a school day, Monday morning for one on Friday night or the weekend, after any bank holiday."""
    local = occurred_at.astimezone(calendar.tz)
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < settings.school_day_starts):
        day = calendar.next_working_day(day)
    return dt.datetime.combine(day, settings.school_day_starts, tzinfo=calendar.tz)


@dataclass(frozen=True)
class ChildSchool:
    """One child's Operation Encompass line on the triage page."""

    position: int
    school: str | None
    source: str | None  # a SOURCES key; None when no school is known
    earlier_reference: str | None  # the earlier contact a school was matched from
    told_at: dt.datetime | None
    recorded_by: str | None
    police_say_told: bool  # the notification said yes, without a time
    deadline: dt.datetime
    overdue: bool  # not told, and the school day has started

    @property
    def told(self) -> bool:
        return self.told_at is not None or self.police_say_told


def school_from_earlier_contacts(session: Session, child: DomesticAbuseChild) -> tuple[str, str] | None:
    """(school, contact reference) from the newest earlier contact about this child that named a school."""
    conditions = []
    nhs_index = getattr(child, "nhs_number_index", None)
    if nhs_index:
        conditions.append(Child.nhs_number_index == nhs_index)
    if child.first_name_index and child.last_name_index and child.date_of_birth_index:
        conditions.append(and_(Child.date_of_birth_index == child.date_of_birth_index,
                               Child.last_name_index == child.last_name_index,
                               Child.first_name_index == child.first_name_index))
    if not conditions:
        return None
    rows = session.execute(select(Child, Contact.reference).join(Contact, Contact.id == Child.contact_id)
                           .where(or_(*conditions)).order_by(Contact.received_at.desc(), Child.id.desc())
                           .limit(20)).all()
    for earlier, reference in rows:
        school = (earlier.details or {}).get("school")
        if school:
            return school, reference
    return None


def schools(session: Session, notification: DomesticAbuseNotification, *, now: dt.datetime | None = None,
            calendar: WorkingCalendar = DEFAULT_CALENDAR,
            settings: EncompassSettings = DEFAULT_SETTINGS) -> list[ChildSchool]:
    """Each child's school and whether and when it was told, for the notification page."""
    now = now or utcnow()
    deadline = school_deadline(notification.occurred_at, calendar, settings)
    police_say_told = notification.school_informed == "yes"
    lines = []
    for child in notification.children:
        school, source, earlier = child.school, child.school_source, None
        if not school:
            found = school_from_earlier_contacts(session, child)
            if found is not None:
                school, earlier = found
                source = "earlier_contact"
        told = child.school_told_at is not None or police_say_told
        lines.append(ChildSchool(
            position=child.position, school=school, source=source if school else None, earlier_reference=earlier,
            told_at=child.school_told_at,
            recorded_by=child.school_told_recorded_by.name if child.school_told_recorded_by else None,
            police_say_told=police_say_told, deadline=deadline, overdue=not told and now >= deadline))
    return lines


@dataclass(frozen=True)
class QueueFlag:
    """The triage queue's Operation Encompass column: told, due by, or not told in time."""

    told: bool
    overdue: bool
    deadline: dt.datetime


def queue_flags(session: Session, notifications: Iterable[DomesticAbuseNotification], *,
                now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                settings: EncompassSettings = DEFAULT_SETTINGS) -> dict[int, QueueFlag]:
    """Per notification with children, whether every child's school is told: two queries, nothing decrypted."""
    now = now or utcnow()
    ids = [n.id for n in notifications]
    if not ids:
        return {}
    heads = session.execute(select(DomesticAbuseNotification.id, DomesticAbuseNotification.occurred_at,
                                   DomesticAbuseNotification.school_informed)
                            .where(DomesticAbuseNotification.id.in_(ids))).all()
    untold: dict[int, int] = {}
    children: dict[int, int] = {}
    for notification_id, told_at in session.execute(
            select(DomesticAbuseChild.notification_id, DomesticAbuseChild.school_told_at)
            .where(DomesticAbuseChild.notification_id.in_(ids))):
        children[notification_id] = children.get(notification_id, 0) + 1
        if told_at is None:
            untold[notification_id] = untold.get(notification_id, 0) + 1
    flags = {}
    for notification_id, occurred_at, informed in heads:
        if not children.get(notification_id):
            continue
        deadline = school_deadline(occurred_at, calendar, settings)
        told = informed == "yes" or not untold.get(notification_id)
        flags[notification_id] = QueueFlag(told=told, overdue=not told and now >= deadline, deadline=deadline)
    return flags


def record_school_told(session: Session, notification: DomesticAbuseNotification, user: StaffUser, *,
                       position: int, told_at: dt.datetime, school: str | None = None,
                       now: dt.datetime | None = None, calendar: WorkingCalendar = DEFAULT_CALENDAR,
                       settings: EncompassSettings = DEFAULT_SETTINGS) -> DomesticAbuseChild:
    """The MASH records that a child's school was told, and when. Once per child: a second answer is refused,
    with when the first said it was told. The school is needed: the notification's, an earlier contact's, or
    typed here."""
    now = now or utcnow()
    if not can(user, "triage_notifications"):
        raise StaffError("Only practitioners and managers can record that a school was told")
    child = next((c for c in notification.children if c.position == position), None)
    if child is None:
        raise StaffError("Select the child whose school was told")
    label = child.first_name or f"child {position + 1}"
    if child.school_told_at is not None:
        raise StaffError(f"{label}'s school is already recorded as told")
    if told_at > now + CLOCK_SKEW:
        raise StaffError("The school cannot have been told in the future")
    if told_at < notification.occurred_at.replace(second=0, microsecond=0):
        raise StaffError("The school cannot have been told before the incident")
    typed = " ".join((school or "").split())
    if len(typed) > SCHOOL_LIMIT:
        raise StaffError(f"Keep the school's name to {SCHOOL_LIMIT} characters or fewer")
    if typed:
        child.school, child.school_source = typed, "staff"
    elif not child.school:
        found = school_from_earlier_contacts(session, child)
        if found is None:
            raise StaffError(f"Enter {label}'s school")
        child.school, child.school_source = found[0], "earlier_contact"
    child.school_told_at = told_at
    child.school_told_recorded_by_id = user.id
    child.school_told_recorded_at = now
    deadline = school_deadline(notification.occurred_at, calendar, settings)
    session.flush()
    audit.record(session, event="police.school_told", actor=f"staff:{user.id}", at=now, details={
        "notification_id": notification.id, "position": position, "told_at": told_at.isoformat(),
        "deadline": deadline.isoformat(), "in_time": told_at <= deadline, "school_source": child.school_source})
    return child
