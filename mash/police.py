"""Police notifications: partner tokens, one validator for the API and the CSV upload, and domestic abuse triage.

A notification arrives as a dict (the API's JSON, or a CSV row turned into the same shape), is checked by
`validate`, and is stored by `receive_notification` — idempotent on (origin, police reference), so a partner
that retries, or a CSV uploaded twice, stores each incident once; a resend that differs is a conflict, except a
missing child's return, which is applied. Domestic abuse notifications are triaged by risk on the way in
(domain.md): the household's notifications in 12 months (recounted when an earlier one arrives late), the MARAC
criteria, a RAG rating with its own clock, and routing to the practitioner who already holds an open contact
about one of the children (matched on first name, last name and date of birth).
Missing-child episodes go to mash.missing. Nothing personal is logged or audited: only ids, codes and counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import itertools
import json
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only, selectinload

from forms.schema import clean_text
from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.decisions import STRATEGY_AGENCIES
from mash.missing import write_audit
from mash.models import (
    RAG_ORDER,
    Child,
    Contact,
    DomesticAbuseChild,
    DomesticAbuseNotification,
    GradeChange,
    MissingEpisode,
    PolicePartner,
    StaffUser,
    TriageMeeting,
)
from mash.staff import StaffError, can
from store.crypto import keyring, normalise_for_index
from store.db import utcnow

KINDS = {"domestic_abuse": "Domestic abuse incident", "missing": "Missing child episode"}
GRADES = {"standard": "Standard", "medium": "Medium", "high": "High"}
SCHOOL_INFORMED = ("yes", "no", "unknown")
RETURN_KINDS = ("found", "returned")
MAX_DASH_TICKS = 27  # the DASH checklist has 27 questions
CLOCK_SKEW = dt.timedelta(minutes=5)  # a partner's clock a little ahead is not "the future"
REFERENCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_. -]{0,39}")
CSV_COLUMNS = ("kind", "police_reference", "occurred_at", "returned_at", "return_kind", "address", "postcode",
               "adults", "children", "dash_grade", "dash_ticks", "school_informed", "summary")
CHILD_DECISIONS = {
    "no_further_action": "No further action",
    "information_to_allocated_worker": "Information to the allocated worker",
    "early_help_offer": "Offer early help",
    "refer_to_mash": "Refer to the MASH as a concern",
    "strategy_discussion": "Strategy discussion",
}
EARLY_HELP_CONSENT = {
    "given": "Agreed",
    "to_be_sought": "Agreement to be sought before any early help starts",
    "refused": "Refused",
}
# domain.md: early help needs the agreement of a person with parental responsibility (or a competent young person).
CONSENT_AUTHORITY = {
    "parental_responsibility": "A person with parental responsibility",
    "competent_young_person": "The young person, competent to decide",
    "no_parental_responsibility": "Someone without parental responsibility",
}
CAN_CONSENT = ("parental_responsibility", "competent_young_person")
TRIAGE_AGENCIES = {**{k: v for k, v in STRATEGY_AGENCIES.items() if k != "other"},
                   "idva": "Domestic abuse service (IDVA)", "other": "Another agency"}


@dataclass(frozen=True)
class PoliceSettings:
    """domain.md: red within 4 working hours, amber within 24 working hours, green within 72 hours (settings)."""

    red_working_hours: float = 4
    amber_working_hours: float = 24
    green_hours: float = 72
    marac_ticks: int = 14
    marac_callouts: int = 3
    window: dt.timedelta = dt.timedelta(days=365)


DEFAULT_SETTINGS = PoliceSettings()


class NotificationError(ValueError):
    """What is wrong with a notification, in words for the partner or the person who uploaded it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- Partner tokens ---------------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """A 256-bit random token needs no slow hash: sha256 cannot be brute-forced back to it."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_partner(session: Session, name: str, *, actor: str = "system:cli") -> tuple[PolicePartner, str]:
    """A new partner and its token, which is shown once and never stored."""
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise StaffError("Give the partner a name of up to 120 characters")
    if session.scalar(select(func.count()).select_from(PolicePartner).where(PolicePartner.name == name)):
        raise StaffError("A partner with that name already exists")
    token = "fdp_" + secrets.token_urlsafe(32)
    partner = PolicePartner(name=name, token_hash=hash_token(token))
    session.add(partner)
    session.flush()
    audit.record(session, event="police.partner_created", actor=actor, details={"partner_id": partner.id})
    return partner, token


def partner_for_token(session: Session, token: str | None) -> PolicePartner | None:
    """The active partner whose token this is. The lookup is by hash; the compare is constant-time anyway."""
    if not token:
        return None
    digest = hash_token(token)
    partner = session.scalar(select(PolicePartner).where(PolicePartner.token_hash == digest))
    if partner is None or not partner.active or not hmac.compare_digest(partner.token_hash, digest):
        return None
    return partner


TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is "when last seen", not a log: one write a minute at most


def touch_partner(session: Session, partner: PolicePartner, now: dt.datetime | None = None) -> None:
    """Remember when a partner's token was last used (committed at once, whatever the request then does)."""
    now = now or utcnow()
    if partner.last_used_at is None or now - partner.last_used_at >= TOUCH_EVERY:
        partner.last_used_at = now
        session.commit()


def _partner_named(session: Session, name: str) -> PolicePartner:
    partner = session.scalar(select(PolicePartner).where(PolicePartner.name == " ".join(name.split())))
    if partner is None:
        raise StaffError("There is no partner with that name")
    return partner


def deactivate_partner(session: Session, name: str, *, actor: str = "system:cli") -> PolicePartner:
    """The partner's token stops working at once; what it sent stays."""
    partner = _partner_named(session, name)
    if not partner.active:
        raise StaffError("That partner is already deactivated")
    partner.active = False
    session.flush()
    audit.record(session, event="police.partner_deactivated", actor=actor, details={"partner_id": partner.id})
    return partner


def rotate_partner(session: Session, name: str, *, actor: str = "system:cli") -> tuple[PolicePartner, str]:
    """A new token for the partner (shown once); the old one stops working at once. A deactivated partner is
    not brought back by a rotation."""
    partner = _partner_named(session, name)
    if not partner.active:
        raise StaffError("That partner is deactivated: create a new partner instead")
    token = "fdp_" + secrets.token_urlsafe(32)
    partner.token_hash = hash_token(token)
    partner.last_used_at = None
    session.flush()
    audit.record(session, event="police.partner_token_rotated", actor=actor, details={"partner_id": partner.id})
    return partner, token


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


# Words an address writes in more than one way, each mapped to one spelling (domain: the same front door).
ADDRESS_WORDS = {
    "street": "st", "str": "st", "saint": "st", "road": "rd", "avenue": "ave", "av": "ave", "lane": "ln",
    "drive": "dr", "close": "cl", "court": "ct", "crescent": "cres", "place": "pl", "square": "sq",
    "terrace": "terr", "ter": "terr", "gardens": "gdns", "grove": "gr", "park": "pk", "parade": "pde",
    "way": "wy", "walk": "wk", "mews": "mws", "hill": "hl", "house": "ho", "cottages": "cotts",
    "apartment": "flat", "apt": "flat", "north": "n", "south": "s", "east": "e", "west": "w",
}
_ADDRESS_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+")


def normalise_address(address: str) -> str:
    """The whole address in one spelling: case, accents, punctuation and spacing out, common abbreviations unified
    ("Flat 2, 10 High Street" -> "flat 2 10 high st"). Word boundaries are kept, so flat 2 of number 10 is never
    flat 21 of number 0."""
    decomposed = unicodedata.normalize("NFKD", address).casefold()
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(ADDRESS_WORDS.get(token, token) for token in _ADDRESS_TOKEN.findall(plain))


def household_index(address: str | None, postcode: str | None) -> str | None:
    """The same front door: the whole normalised address with the postcode (never only the first line: "Flat 2,
    10 High St" and "Flat 2, 14 High St" are different homes)."""
    if not address or not postcode:
        return None
    key = f"{normalise_address(address)}|{normalise_for_index(postcode)}"
    # blind_index drops spaces and punctuation; hex keeps the word boundaries through it.
    return keyring.blind_index("household", key.encode().hex())


def _child_indexes(child: ChildIn) -> tuple[str | None, str | None, str | None]:
    # The same kinds as mash.intake's Child rows, so a police child can be matched to a referred one.
    first = keyring.blind_index("name", child.first_name) if child.first_name else None
    last = keyring.blind_index("name", child.last_name) if child.last_name else None
    dob = keyring.blind_index("dob", child.date_of_birth) if child.date_of_birth else None
    return first, last, dob


def child_keys(children: Iterable[Any]) -> list[tuple[str, str, str]]:
    """The strong keys of these children: first name, last name and date of birth, all three known."""
    return [(c.first_name_index, c.last_name_index, c.date_of_birth_index) for c in children
            if c.first_name_index and c.last_name_index and c.date_of_birth_index]


def rag_for(grade: str, marac_flags: list[str]) -> str:
    """High risk, or meeting a MARAC criterion, is red; medium is amber; standard is green."""
    if grade == "high" or marac_flags:
        return "red"
    return "amber" if grade == "medium" else "green"


def due_for(rag: str, received_at: dt.datetime, calendar: WorkingCalendar, settings: PoliceSettings) -> dt.datetime:
    """Red and amber count working hours. Green counts 72 calendar hours (domain.md), but never falls due before
    amber would for the same arrival: over a weekend 72 hours can end on a Saturday, before an amber received at
    the same moment, and the lowest risk must not jump the queue ahead of a higher one."""
    if rag == "red":
        return calendar.add_working_hours(received_at, settings.red_working_hours)
    amber = calendar.add_working_hours(received_at, settings.amber_working_hours)
    if rag == "amber":
        return amber
    return max(received_at + dt.timedelta(hours=settings.green_hours), amber)


def marac_flags_for(ticks: int, household_count: int, settings: PoliceSettings) -> list[str]:
    flags = []
    if ticks >= settings.marac_ticks:
        flags.append(f"{settings.marac_ticks}+ DASH ticks")
    if household_count >= settings.marac_callouts:
        flags.append(f"{settings.marac_callouts}+ police call-outs in 12 months")
    return flags


def _same_child(model: Any, keys: list[tuple[str, str, str]]) -> ColumnElement[bool]:
    """Same first name, last name and date of birth: three Smith children born on one day are three children.
    Spelt as ORs of ANDs, not a row-value IN, which SQLite answers by scanning the whole table: this way each
    key is an index search on the date of birth."""
    return or_(*(and_(model.date_of_birth_index == dob, model.last_name_index == last,
                      model.first_name_index == first) for first, last, dob in keys))


def _household_conditions(household: str | None, keys: list[tuple[str, str, str]]) -> list[ColumnElement[bool]]:
    """The same address, or any of the same children."""
    conditions: list[ColumnElement[bool]] = []
    if household:
        conditions.append(DomesticAbuseNotification.household_index == household)
    if keys:
        same_child = select(DomesticAbuseChild.notification_id).where(_same_child(DomesticAbuseChild, keys))
        conditions.append(DomesticAbuseNotification.id.in_(same_child))
    return conditions


def count_household(session: Session, *, household: str | None, child_keys: list[tuple[str, str, str]],
                    occurred_at: dt.datetime, window: dt.timedelta, exclude_id: int | None = None) -> int:
    """Earlier notifications in the window about the same address or any of the same children."""
    conditions = _household_conditions(household, child_keys)
    if not conditions:
        return 0
    query = (select(func.count()).select_from(DomesticAbuseNotification)
             .where(or_(*conditions), DomesticAbuseNotification.occurred_at > occurred_at - window,
                    DomesticAbuseNotification.occurred_at <= occurred_at))
    if exclude_id is not None:
        query = query.where(DomesticAbuseNotification.id != exclude_id)
    return session.scalar(query) or 0


def recount_household(session: Session, notification: DomesticAbuseNotification, *, calendar: WorkingCalendar,
                      settings: PoliceSettings, actor: str, now: dt.datetime,
                      pending_audit: list[audit.Entry] | None = None) -> list[int]:
    """A notification about an earlier incident (a backlog, a file in newest-first order) arrives after later
    ones: every open notification of the household in the 12 months after it is counted again, and its MARAC
    flags, RAG and clock follow. A triaged notification keeps what its meeting saw. A change of MARAC flags is
    audited (`police.household_recounted`); a count that moved without one is not. Returns the ids flagged anew."""
    conditions = _household_conditions(notification.household_index, child_keys(notification.children))
    if not conditions:
        return []
    # "The same household" is symmetric (the same address, or a child in common), and this one falls inside the
    # 12 months before each of these: each count goes up by exactly one. One UPDATE, however many there are.
    affected = and_(or_(*conditions), DomesticAbuseNotification.id != notification.id,
                    DomesticAbuseNotification.closed_at.is_(None),
                    DomesticAbuseNotification.occurred_at >= notification.occurred_at,
                    DomesticAbuseNotification.occurred_at < notification.occurred_at + settings.window)
    session.execute(update(DomesticAbuseNotification).where(affected)
                    .values(household_count=DomesticAbuseNotification.household_count + 1)
                    .execution_options(synchronize_session=False))
    # Only a count that has just reached the call-out criterion can change the flags, the RAG or the clock.
    crossed = session.scalars(
        select(DomesticAbuseNotification).where(affected,
                                                DomesticAbuseNotification.household_count == settings.marac_callouts)
        .execution_options(populate_existing=True)).all()
    changed = []
    for other in crossed:
        count = other.household_count
        flags = marac_flags_for(other.dash_ticks, count, settings)
        if flags == list(other.marac_flags or []):
            continue
        other.marac_flags = flags
        rag = rag_for(other.grade, flags)
        if rag != other.rag:
            other.rag, other.risk_rank = rag, RAG_ORDER[rag]
            other.due_at = due_for(rag, other.received_at, calendar, settings)
        changed.append(other.id)
        write_audit(session, pending_audit, audit.Entry("police.household_recounted", actor, at=now, details={
            "notification_id": other.id, "because_of": notification.id, "household_count": count,
            "marac": other.marac_flags, "rag": other.rag, "due_at": other.due_at.isoformat()}))
    session.flush()
    return changed


def open_contact_for(session: Session, child_keys: list[tuple[str, str, str]]) -> Contact | None:
    """The newest open contact about one of these children (same first name, last name and date of birth), if
    any: a notification is routed to a practitioner only on a strong match."""
    if not child_keys:
        return None
    return session.scalar(
        select(Contact).options(load_only(Contact.id, Contact.reference, Contact.claimed_by_id))
        .join(Child, Child.contact_id == Contact.id)
        .where(_same_child(Child, child_keys), Contact.closed_at.is_(None))
        .order_by(Contact.received_at.desc()).limit(1))


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


# --- CSV -----------------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0  # a resend that recorded a missing child's return
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message): never the row's data

    def summary(self) -> str:
        updated = f"{self.updated} updated with a return, " if self.updated else ""
        return (f"{self.created} notifications added, {updated}{self.duplicates} already held, "
                f"{len(self.errors)} rows refused")


def _split(cell: str | None) -> list[list[str]]:
    """'Amy|Smith|2016-04-01|witnessed; Ben|Smith|2019-02-03|present' -> [[Amy, Smith, ...], [...]]."""
    return [[part.strip() for part in entry.split("|")] for entry in (cell or "").split(";") if entry.strip()]


def row_to_data(row: dict[str, str | None]) -> dict[str, Any]:
    """A CSV row in the API's JSON shape, so both are checked by the same `validate`."""
    data: dict[str, Any] = {k: (v or "").strip() or None for k, v in row.items() if k in CSV_COLUMNS}
    children = []
    for parts in _split(row.get("children")):
        parts += [""] * (4 - len(parts))
        how = {p.lower() for p in parts[3].replace(",", " ").split()}
        children.append({"first_name": parts[0] or None, "last_name": parts[1] or None,
                         "date_of_birth": parts[2] or None, "present": "present" in how or not how,
                         "witnessed": "witnessed" in how})
    data["children"] = children
    data["adults"] = [{"name": p[0], "role": p[1] if len(p) > 1 else ""} for p in _split(row.get("adults"))]
    return data


MULTILINE_COLUMNS = {"summary"}  # the officer's words may run over several lines; nothing else may


def _records(lines: list[str]) -> Iterable[tuple[int, list[str] | None, str | None]]:
    """(the line a record starts on, its cells, or why it was refused) for each record after the header.

    An unbalanced quote must not swallow the good rows after it, nor a runaway quote stop the file: a record
    that breaks the CSV rules, or runs a field other than the summary over a line end, is refused by the line it
    starts on, and reading starts again on the next line."""
    header: list[str] | None = None
    multiline: set[int] = set()
    position = 0  # index into lines of the next record's first line
    while position < len(lines):
        reader = csv.reader(itertools.islice(lines, position, None), strict=True)
        base = position
        consumed = 0
        try:
            for cells in reader:
                start = base + consumed  # 0-based index of this record's first line
                consumed = reader.line_num
                position = base + consumed
                if not cells:
                    continue  # a blank line
                if header is None:
                    header = [c.strip() for c in cells]
                    multiline = {i for i, name in enumerate(header) if name in MULTILINE_COLUMNS}
                    yield start + 1, header, None
                    continue
                if any(("\n" in c or "\r" in c) for i, c in enumerate(cells) if i not in multiline):
                    position = start + 1
                    yield (start + 1, None, "a quote is not closed, or a field other than the summary runs over a "
                                            "line end; this row was skipped and reading went on from the next line")
                    break
                yield start + 1, cells, None
            else:
                return
        except csv.Error:
            start = base + consumed
            position = start + 1
            yield start + 1, None, ("the row breaks the CSV quoting rules (a quote not closed, or text after a "
                                    "closing quote); it was skipped")


def _begin_for_savepoints(session: Session) -> None:
    """SQLite's driver begins a transaction only before a write, so a SAVEPOINT issued first would start one of its
    own, and releasing it would commit each row alone. Begin first, so the batch commits together."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN")


def import_csv(session: Session, lines: Iterable[str], *, source: str, actor: str, now: dt.datetime | None = None,
               calendar: WorkingCalendar = DEFAULT_CALENDAR, settings: PoliceSettings = DEFAULT_SETTINGS,
               missing_settings: Any = None, batch: int = 500) -> ImportReport:
    """Load every good row, committing in batches; a bad row is reported by its line number and skipped.

    Each row is stored in its own savepoint: a row that collides with a copy stored at the same moment (the
    same reference posted to the API, or another upload) is counted as already held, not a failed import."""
    now = now or utcnow()
    report = ImportReport()
    records = iter(_records(list(lines)))
    first = next(records, None)
    header = first[1] if first is not None and first[1] is not None else []
    if not {"kind", "police_reference"} <= set(header):
        report.errors.append((1, "the header row must name the columns: " + ", ".join(CSV_COLUMNS)))
        return report
    pending, events = 0, []
    for line, cells, problem in records:
        if cells is None:
            report.errors.append((line, problem or "the row could not be read"))
            continue
        if len(cells) > len(header):
            report.errors.append((line, "the row has more cells than the header"))
            continue
        row: dict[str, str | None] = dict(zip(header, cells, strict=False))
        try:
            item = validate(row_to_data(row), now=now, calendar=calendar)
        except NotificationError as exc:
            report.errors.append((line, str(exc)))
            continue
        row_events: list[audit.Entry] = []
        _begin_for_savepoints(session)
        try:
            with session.begin_nested():
                stored = receive_notification(session, item, source=source, actor=actor, now=now,
                                              calendar=calendar, settings=settings,
                                              missing_settings=missing_settings, pending_audit=row_events)
        except ReferenceConflict as exc:
            report.errors.append((line, exc.message))
            continue
        except IntegrityError:  # stored at the same moment by someone else: held, not lost
            report.duplicates += 1
            continue
        events += row_events
        if stored.created:
            report.created += 1
            pending += 1
        elif stored.updated:
            report.updated += 1
            pending += 1
        else:
            report.duplicates += 1
        if pending >= batch:
            audit.append(session, events)  # the batch's events, in order, with one bump of the chain's head
            events = []
            session.commit()
            session.expunge_all()  # a 10,000-row file must not keep 10,000 rows in memory
            pending = 0
    audit.append(session, [*events, audit.Entry("police.csv_imported", actor, at=now, details={
        "created": report.created, "updated": report.updated, "duplicates": report.duplicates,
        "refused": len(report.errors)})])
    session.commit()
    return report


def read_upload(data: bytes) -> io.StringIO:
    """An uploaded file as text: UTF-8 with or without the byte-order mark Excel writes."""
    return io.StringIO(data.decode("utf-8-sig"), newline="")


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


def _reason(value: str | None, message: str, limit: int = 5000) -> str:
    value = (value or "").strip()
    if not value:
        raise StaffError(message)
    if len(value) > limit:
        raise StaffError(f"Keep it to {limit:,} characters or fewer")
    return value


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
                         reason=_reason(reason, "Enter why the grade should change"), changed_by_id=user.id,
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


def _consent_entry(position: int, consent: str | None, consent_by: str | None,
                   authority: str | None) -> dict[str, Any]:
    """An early-help offer's consent, checked: who gave it and whether they can (domain.md)."""
    child = f"child {position + 1}"
    if consent not in EARLY_HELP_CONSENT:
        raise StaffError(f"Early help for {child} needs the agreement of a person with parental responsibility: "
                         "record whether it was given or is still to be sought")
    by = " ".join((consent_by or "").split())[:200] or None
    if consent == "to_be_sought":
        return {"consent": consent, "consent_by": None, "consent_authority": None}
    if not by:
        raise StaffError(f"Enter who {'agreed to' if consent == 'given' else 'refused'} early help for {child}")
    if authority not in CONSENT_AUTHORITY:
        raise StaffError(f"Select whether the person who answered for {child} has parental responsibility")
    if consent == "given" and authority not in CAN_CONSENT:
        raise StaffError(f"Early help for {child} needs the agreement of a person with parental responsibility "
                         "(or a young person competent to decide): record it as to be sought from them")
    return {"consent": consent, "consent_by": by, "consent_authority": authority}


def record_triage_meeting(session: Session, notification: DomesticAbuseNotification, user: StaffUser, *,
                          held_at: dt.datetime, attendees: list[dict[str, str]], decisions: list[ChildDecision],
                          now: dt.datetime | None = None) -> TriageMeeting:
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


def household_history(session: Session, notification: DomesticAbuseNotification,
                      settings: PoliceSettings = DEFAULT_SETTINGS) -> list[DomesticAbuseNotification]:
    """The other notifications about this household in the 12 months before this one, newest first."""
    keys = child_keys(notification.children)
    conditions = []
    if notification.household_index:
        conditions.append(DomesticAbuseNotification.household_index == notification.household_index)
    if keys:
        conditions.append(DomesticAbuseNotification.id.in_(
            select(DomesticAbuseChild.notification_id).where(_same_child(DomesticAbuseChild, keys))))
    if not conditions:
        return []
    return list(session.scalars(
        select(DomesticAbuseNotification)
        .options(load_only(DomesticAbuseNotification.id, DomesticAbuseNotification.police_reference,
                           DomesticAbuseNotification.occurred_at, DomesticAbuseNotification.grade,
                           DomesticAbuseNotification.dash_ticks, DomesticAbuseNotification.status))
        .where(or_(*conditions), DomesticAbuseNotification.id != notification.id,
               and_(DomesticAbuseNotification.occurred_at > notification.occurred_at - settings.window,
                    DomesticAbuseNotification.occurred_at <= notification.occurred_at))
        .order_by(DomesticAbuseNotification.occurred_at.desc()).limit(50)))
