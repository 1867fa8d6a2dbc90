"""The partner contract: one validator for the API and the CSV upload, and receiving, once per police reference.

A notification arrives as a dict (the API's JSON, or a CSV row turned into the same shape), is checked by
`validate`, and is stored by `receive_notification` — idempotent on (origin, police reference), so a partner
that retries, or a CSV uploaded twice, stores each incident once; a resend that differs is a conflict, except a
missing child's return, which is applied. Missing-child episodes go to mash.missing. Nothing personal is logged
or audited: only ids, codes and counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.schema import clean_text
from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.missing import write_audit
from mash.models import (
    RAG_ORDER,
    DomesticAbuseChild,
    DomesticAbuseNotification,
    MissingEpisode,
)
from mash.police.clocks import DEFAULT_SETTINGS, PoliceSettings, due_for, marac_flags_for, rag_for
from mash.police.households import (
    _child_indexes,
    child_keys,
    count_household,
    household_index,
    open_contact_for,
    recount_household,
)
from store.crypto import keyring
from store.db import utcnow

KINDS = {"domestic_abuse": "Domestic abuse incident", "missing": "Missing child episode"}
GRADES = {"standard": "Standard", "medium": "Medium", "high": "High"}
SCHOOL_INFORMED = ("yes", "no", "unknown")
RETURN_KINDS = ("found", "returned")
MAX_DASH_TICKS = 27  # the DASH checklist has 27 questions
CLOCK_SKEW = dt.timedelta(minutes=5)  # a partner's clock a little ahead is not "the future"
REFERENCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_. -]{0,39}")


class NotificationError(ValueError):
    """What is wrong with a notification, in words for the partner or the person who uploaded it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- Validation: one set of rules for the API and the CSV -------------------------------------------------------


@dataclass(frozen=True)
class ChildIn:
    first_name: str | None
    last_name: str | None
    date_of_birth: str | None
    present: bool
    witnessed: bool


@dataclass(frozen=True)
class NotificationIn:
    kind: str
    police_reference: str
    occurred_at: dt.datetime
    address: str | None
    postcode: str | None
    summary: str | None
    children: list[ChildIn]
    adults: list[dict[str, str]] = field(default_factory=list)
    police_grade: str | None = None
    dash_ticks: int | None = None
    school_informed: str = "unknown"
    returned_at: dt.datetime | None = None
    return_kind: str | None = None


def _str(value: Any, limit: int = 200) -> str | None:
    if value is None:
        return None
    # Partners' free text is shown on staff pages: cleaned like every answer typed to the front door.
    text = clean_text(value, multiline=limit > 200)
    return text[:limit] or None


def _moment(value: Any, name: str, now: dt.datetime, tz: Any, problems: list[str]) -> dt.datetime | None:
    """An ISO 8601 date and time; without an offset it is local (London) time. Never in the future."""
    text = _str(value)
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"{name} is not a date and time (use YYYY-MM-DDTHH:MM, like 2026-11-26T22:15)")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if moment > now + CLOCK_SKEW:
        problems.append(f"{name} is in the future")
        return None
    return moment.astimezone(dt.UTC)


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"yes", "true", "1", "y"}


def _child(item: Any, number: int, today: dt.date, problems: list[str]) -> ChildIn | None:
    if not isinstance(item, dict):
        problems.append(f"child {number} must be an object")
        return None
    first, last = _str(item.get("first_name"), 100), _str(item.get("last_name"), 100)
    if not (first or last):
        problems.append(f"child {number} needs a first or last name")
    dob = _str(item.get("date_of_birth"), 40)
    if dob is not None:
        try:
            born = dt.date.fromisoformat(dob)
        except ValueError:
            problems.append(f"child {number}'s date_of_birth is not a date (use YYYY-MM-DD)")
            dob = None
        else:
            dob = born.isoformat()
            if born > today:
                problems.append(f"child {number}'s date_of_birth is in the future")
    return ChildIn(first, last, dob, present=_flag(item.get("present", True)), witnessed=_flag(item.get("witnessed")))


def validate(data: dict[str, Any], *, now: dt.datetime | None = None,
             calendar: WorkingCalendar = DEFAULT_CALENDAR) -> NotificationIn:
    """Check a notification; raise NotificationError listing every problem at once."""
    now = now or utcnow()
    problems: list[str] = []
    kind = _str(data.get("kind"))
    if kind not in KINDS:
        raise NotificationError([f"kind must be one of {', '.join(KINDS)}"])
    reference = _str(data.get("police_reference"), 40)
    if not reference or not REFERENCE_RE.fullmatch(reference):
        problems.append("police_reference is required: letters, digits, / - _ . and spaces, up to 40 characters")
    occurred_name = "went_missing_at" if kind == "missing" and data.get("went_missing_at") else "occurred_at"
    occurred = _moment(data.get(occurred_name), occurred_name, now, calendar.tz, problems)
    if occurred is None and not any(p.startswith(occurred_name) for p in problems):
        problems.append(f"{occurred_name} is required")
    today = now.astimezone(calendar.tz).date()
    raw_children = data.get("children")
    if kind == "missing" and isinstance(data.get("child"), dict):
        raw_children = [data["child"]]
    if raw_children is None:
        raw_children = []
    if not isinstance(raw_children, list) or len(raw_children) > 20:
        problems.append("children must be a list of up to 20 children")
        raw_children = []
    children = [c for n, item in enumerate(raw_children, 1) if (c := _child(item, n, today, problems)) is not None]
    adults = []
    for number, item in enumerate(data.get("adults") or [], 1):
        if not isinstance(item, dict) or not _str(item.get("name"), 120):
            problems.append(f"adult {number} needs a name")
            continue
        adults.append({"name": _str(item.get("name"), 120) or "", "role": _str(item.get("role"), 60) or ""})
    fields: dict[str, Any] = {}
    if kind == "domestic_abuse":
        grade = (_str(data.get("dash_grade")) or "").lower()
        if grade not in GRADES:
            problems.append("dash_grade must be standard, medium or high")
        ticks = data.get("dash_ticks")
        try:
            ticks = int(str(ticks).strip())
            if not 0 <= ticks <= MAX_DASH_TICKS:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"dash_ticks must be a whole number from 0 to {MAX_DASH_TICKS}")
            ticks = None
        school = (_str(data.get("school_informed")) or "unknown").lower()
        if school not in SCHOOL_INFORMED:
            problems.append("school_informed (Operation Encompass) must be yes, no or unknown")
        fields = {"police_grade": grade, "dash_ticks": ticks, "school_informed": school, "adults": adults}
    else:
        if len(children) != 1:
            problems.append("a missing episode is about exactly one child")
        returned = _moment(data.get("returned_at"), "returned_at", now, calendar.tz, problems)
        return_kind = (_str(data.get("return_kind")) or ("returned" if returned else "")).lower() or None
        if returned is not None and return_kind not in RETURN_KINDS:
            problems.append("return_kind must be found or returned")
        if returned is not None and occurred is not None and returned < occurred:
            problems.append("returned_at is before the child went missing")
        fields = {"returned_at": returned, "return_kind": return_kind if returned else None}
    if problems:
        raise NotificationError(problems)
    assert occurred is not None and reference is not None  # noqa: S101  (problems would have said otherwise)
    return NotificationIn(kind=kind, police_reference=reference, occurred_at=occurred,
                          address=_str(data.get("address"), 300), postcode=_str(data.get("postcode"), 10),
                          summary=_str(data.get("summary"), 10_000), children=children, **fields)


# --- Storing: once per police reference ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    kind: str
    id: int
    police_reference: str
    created: bool
    updated: bool = False  # a resend that added something (a missing child's return) and was applied

    def as_json(self) -> dict[str, Any]:
        """The API's answer; the same for a retry, so a partner can send again safely."""
        return {"kind": self.kind, "id": self.id, "police_reference": self.police_reference,
                "status": "updated" if self.updated else "received"}


class ReferenceConflict(Exception):
    """A police reference already held, sent again with different details: neither copy is silently dropped."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


CONFLICT = ("this police_reference was already received with different details; send a correction under a new "
            "reference, or call the MASH")


def origin_for(partner_id: int | None) -> str:
    """Whose numbering a reference belongs to: each partner's own, and one for files uploaded by the MASH."""
    return f"partner:{partner_id}" if partner_id is not None else "csv"


def content_index(item: NotificationIn) -> str:
    """A keyed hash of what was sent (a missing child's return left out: a resend may add it)."""
    data = {k: v for k, v in asdict(item).items() if k not in ("returned_at", "return_kind")}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return keyring.blind_index("police-content", digest)


def _held(session: Session, kind: str, reference: str, origin: str) -> Any:
    model = DomesticAbuseNotification if kind == "domestic_abuse" else MissingEpisode
    return session.scalar(select(model).where(model.origin == origin, model.police_reference == reference))


def find_existing(session: Session, kind: str, reference: str, partner_id: int | None = None) -> Stored | None:
    held = _held(session, kind, reference, origin_for(partner_id))
    return None if held is None else Stored(kind, held.id, reference, created=False)


def _resend(session: Session, held: Any, item: NotificationIn, *, actor: str, now: dt.datetime,
            missing_settings: Any, pending_audit: list[audit.Entry] | None) -> Stored:
    """The same content is a replay; a missing child's return, added to an episode still open, is applied; any
    other difference is a conflict, refused with a message (never silently dropped, never silently applied)."""
    replay = Stored(item.kind, held.id, held.police_reference, created=False)
    if held.content_index is not None and held.content_index != content_index(item):
        raise ReferenceConflict(CONFLICT)
    if item.kind == "domestic_abuse" or item.returned_at is None:
        return replay  # a late copy of the first message ("still missing") adds nothing to a recorded return
    if held.returned_at is not None:
        if held.returned_at == item.returned_at and held.return_kind == item.return_kind:
            return replay
        raise ReferenceConflict("this missing episode already has a different return recorded; call the MASH to "
                                "correct it")
    from mash import missing

    missing.record_return(session, held, returned_at=item.returned_at, return_kind=item.return_kind or "returned",
                          actor=actor, now=now, settings=missing_settings or missing.DEFAULT_SETTINGS,
                          pending_audit=pending_audit)
    write_audit(session, pending_audit, audit.Entry("police.notification_updated", actor, at=now, details={
        "episode_id": held.id, "kind": "missing", "applied": "return"}))
    return Stored(item.kind, held.id, held.police_reference, created=False, updated=True)


def receive_notification(session: Session, item: NotificationIn, *, source: str, actor: str,
                         partner_id: int | None = None, now: dt.datetime | None = None,
                         calendar: WorkingCalendar = DEFAULT_CALENDAR, settings: PoliceSettings = DEFAULT_SETTINGS,
                         missing_settings: Any = None, pending_audit: list[audit.Entry] | None = None) -> Stored:
    """Store a validated notification once per (origin, reference); a copy sent again is compared with the first.

    Raises ReferenceConflict when a resend differs in anything but a missing child's return.
    `pending_audit` collects the audit events for the caller to append in one go (a CSV import writes a batch's
    events with one bump of the chain's head); without it they are written at once."""
    now = now or utcnow()
    origin = origin_for(partner_id)
    held = _held(session, item.kind, item.police_reference, origin)
    if held is not None:
        return _resend(session, held, item, actor=actor, now=now, missing_settings=missing_settings,
                       pending_audit=pending_audit)
    if item.kind == "missing":
        from mash import missing

        episode = missing.receive_episode(session, item, source=source, actor=actor, partner_id=partner_id,
                                          now=now, settings=missing_settings or missing.DEFAULT_SETTINGS,
                                          pending_audit=pending_audit, origin=origin,
                                          content=content_index(item))
        return Stored("missing", episode.id, episode.police_reference, created=True)
    notification = _domestic_abuse(session, item, source=source, partner_id=partner_id, now=now,
                                   calendar=calendar, settings=settings, origin=origin)
    write_audit(session, pending_audit, audit.Entry("police.notification_received", actor, at=now, details={
        "notification_id": notification.id, "kind": "domestic_abuse", "grade": notification.grade,
        "rag": notification.rag, "marac": notification.marac_flags, "household_count": notification.household_count,
        "routed_contact_id": notification.routed_contact_id, "due_at": notification.due_at.isoformat()}))
    recount_household(session, notification, calendar=calendar, settings=settings, actor=actor, now=now,
                      pending_audit=pending_audit)
    return Stored("domestic_abuse", notification.id, notification.police_reference, created=True)


def _domestic_abuse(session: Session, item: NotificationIn, *, source: str, partner_id: int | None,
                    now: dt.datetime, calendar: WorkingCalendar, settings: PoliceSettings,
                    origin: str) -> DomesticAbuseNotification:
    assert item.police_grade is not None and item.dash_ticks is not None  # noqa: S101  (validate checked)
    household = household_index(item.address, item.postcode)
    children = []
    for position, child in enumerate(item.children):
        first, last, dob = _child_indexes(child)
        children.append(DomesticAbuseChild(
            position=position, first_name=child.first_name, last_name=child.last_name,
            date_of_birth=child.date_of_birth, present=child.present, witnessed=child.witnessed,
            first_name_index=first, last_name_index=last, date_of_birth_index=dob))
    keys = child_keys(children)
    count = 1 + count_household(session, household=household, child_keys=keys, occurred_at=item.occurred_at,
                                window=settings.window)
    flags = marac_flags_for(item.dash_ticks, count, settings)
    rag = rag_for(item.police_grade, flags)
    contact = open_contact_for(session, keys)
    notification = DomesticAbuseNotification(
        police_reference=item.police_reference, origin=origin, content_index=content_index(item), source=source,
        partner_id=partner_id, received_at=now, occurred_at=item.occurred_at, address=item.address,
        postcode=item.postcode, household_index=household, adults=item.adults, summary=item.summary,
        police_grade=item.police_grade, dash_ticks=item.dash_ticks,
        children_present=any(c.present or c.witnessed for c in item.children), school_informed=item.school_informed,
        grade=item.police_grade, rag=rag, risk_rank=RAG_ORDER[rag], due_at=due_for(rag, now, calendar, settings),
        household_count=count, marac_flags=flags, routed_contact_id=contact.id if contact else None,
        routed_to_id=contact.claimed_by_id if contact else None, children=children)
    session.add(notification)
    session.flush()
    return notification
