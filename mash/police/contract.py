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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import clean_nhs_number, clean_upn
from forms.schema import FieldError, clean_postcode, clean_text
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
from mash.repeats import nhs_number_index, upn_index
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

    def __init__(self, problems: list[str], fields: list[str] | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.fields = fields or []  # the field each problem is about, as children[0].nhs_number


# --- Validation: one set of rules for the API and the CSV -------------------------------------------------------


@dataclass(frozen=True)
class ChildIn:
    first_name: str | None
    last_name: str | None
    date_of_birth: str | None
    present: bool
    witnessed: bool
    nhs_number: str | None = None  # ten digits, checked (forms.identifiers)
    upn: str | None = None  # thirteen capitals, checked
    school: str | None = None  # Operation Encompass: the school the police would tell


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


SCHEMA_PATH = Path(__file__).with_name("notification.schema.json")
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
_VALIDATOR = Draft202012Validator(SCHEMA)
_TYPE_WORDS = {"string": "text (a JSON string)", "integer": "a whole number", "boolean": "true or false",
               "array": "a list", "object": "an object"}
# Messages a partner already knows, kept word for word.
_ENUM_WORDS = {"dash_grade": "dash_grade must be standard, medium or high",
               "school_informed": "school_informed (Operation Encompass) must be yes, no or unknown",
               "kind": "kind must be one of domestic_abuse, missing",
               "return_kind": "return_kind must be found or returned"}
_PATTERN_WORDS = {"police_reference": "police_reference is required: letters, digits, / - _ . and spaces, up to 40 "
                                      "characters",
                  "date_of_birth": "{name} is not a date (use YYYY-MM-DD)"}
_MOMENT_WORDS = "{name} is not a date and time (use YYYY-MM-DDTHH:MM, like 2026-11-26T22:15)"


def _name(path: Iterable[Any]) -> str:
    """A field's name in a message: occurred_at, child 2's nhs_number, adult 1's name."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] in ("children", "adults") and isinstance(parts[1], int):
        owner = f"{'child' if parts[0] == 'children' else 'adult'} {parts[1] + 1}"
        return f"{owner}'s {'.'.join(map(str, parts[2:]))}" if len(parts) > 2 else owner
    if parts and parts[0] == "child":
        return f"child 1's {'.'.join(map(str, parts[1:]))}" if len(parts) > 1 else "child 1"
    return ".".join(map(str, parts))


def _pointer(path: Iterable[Any]) -> str:
    """The field as a client finds it: children[1].nhs_number."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_message(error: ValidationError, name: str) -> str:
    """What is wrong, in words, never repeating the value sent (it may be a name or a date of birth)."""
    leaf = str(error.path[-1]) if error.path else ""
    kind = error.validator
    if kind == "type":
        if leaf == "dash_ticks":
            return f"dash_ticks must be a whole number from 0 to {MAX_DASH_TICKS}"
        return f"{name} must be {_TYPE_WORDS.get(str(error.validator_value), str(error.validator_value))}"
    if kind == "maxLength":
        return (f"{name} is {len(error.instance)} characters long: at most {error.validator_value:,} are accepted "
                "(nothing is shortened)")
    if kind == "minLength":
        return f"{name} is required" if leaf == "police_reference" else f"{name} is empty"
    if kind == "enum" or kind == "const":
        return _ENUM_WORDS.get(leaf, f"{name} must be one of {', '.join(map(str, error.validator_value))}")
    if kind == "pattern":
        if leaf in ("occurred_at", "went_missing_at", "returned_at"):
            return _MOMENT_WORDS.format(name=name)
        return _PATTERN_WORDS.get(leaf, "{name} is not in the expected form").format(name=name)
    if kind in ("minimum", "maximum"):
        return f"{name} must be a whole number from 0 to {MAX_DASH_TICKS}"
    if kind == "maxItems":
        return f"{name} may list at most {error.validator_value}"
    if kind == "anyOf":
        return f"{name} needs a first or last name"
    return f"{name} is not valid"


def schema_problems(data: Any) -> list[tuple[str, str]]:
    """(field, message) for everything the published schema refuses, in document order; empty when it passes."""
    problems: list[tuple[str, str]] = []
    for error in sorted(_VALIDATOR.iter_errors(data), key=lambda e: [str(p) for p in e.path]):
        path = list(error.path)
        if error.validator == "required":
            missing = [n for n in error.validator_value if isinstance(error.instance, dict) and n not in error.instance]
            problems += [(_pointer([*path, n]), f"{_name([*path, n])} is required") for n in missing]
        elif error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            extra = sorted(k for k in error.instance if k not in allowed)
            problems += [(_pointer([*path, k]), f"{_name([*path, k])} is not a field of a police notification "
                          "(see /api/police/v1/schema.json)") for k in extra]
        else:
            problems.append((_pointer(path), _schema_message(error, _name(path))))
    return problems


def _without_nulls(value: Any) -> Any:
    """JSON null means "not given", as leaving the field out does."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _text(value: str | None, *, multiline: bool = False) -> str | None:
    # Partners' free text is shown on staff pages: cleaned like every answer typed to the front door. Never cut:
    # the schema has already refused anything too long.
    return clean_text(value, multiline=multiline) or None if value is not None else None


def _moment(value: str | None, name: str, now: dt.datetime, tz: Any,
            problems: list[tuple[str, str]]) -> dt.datetime | None:
    """An ISO 8601 date and time (the schema checked its shape); without an offset it is local (London) time.
    Never in the future."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.append((name, _MOMENT_WORDS.format(name=name)))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if moment > now + CLOCK_SKEW:
        problems.append((name, f"{name} is in the future"))
        return None
    return moment.astimezone(dt.UTC)


def _child(item: dict[str, Any], number: int, today: dt.date, problems: list[tuple[str, str]], *,
           quiet: bool = False) -> ChildIn:
    """A child the schema has passed: names cleaned, date of birth and identifiers checked, nothing shortened.
    `quiet`: the schema already refused part of this child, so a missing name is not reported twice."""
    name, at = f"child {number}", f"children[{number - 1}]"
    first, last = _text(item.get("first_name")), _text(item.get("last_name"))
    if not (first or last) and not quiet:
        problems.append((at, f"{name} needs a first or last name"))
    dob = item.get("date_of_birth")
    if dob is not None:
        try:
            born = dt.date.fromisoformat(dob)
        except ValueError:
            problems.append((f"{at}.date_of_birth", f"{name}'s date_of_birth is not a date (use YYYY-MM-DD)"))
            dob = None
        else:
            if born > today:
                problems.append((f"{at}.date_of_birth", f"{name}'s date_of_birth is in the future"))
    identifiers: dict[str, str | None] = {}
    for key, clean in (("nhs_number", clean_nhs_number), ("upn", clean_upn)):
        raw = (item.get(key) or "").strip()
        try:
            identifiers[key] = clean(raw) if raw else None
        except FieldError as exc:
            problems.append((f"{at}.{key}", f"{name}'s {key}: {exc}"))
            identifiers[key] = None
    return ChildIn(first, last, dob, present=item.get("present", True), witnessed=item.get("witnessed", False),
                   school=_text(item.get("school")), **identifiers)


def check(data: Any, *, now: dt.datetime | None = None,
          calendar: WorkingCalendar = DEFAULT_CALENDAR) -> tuple[NotificationIn | None, list[tuple[str, str]]]:
    """The notification, or (None, every (field, message) wrong with it). The published schema is checked first,
    on what was sent, before anything is cleaned, shortened or stored; then what a schema cannot say (a real
    postcode, NHS number or UPN, a date that exists and is not in the future)."""
    now = now or utcnow()
    if not isinstance(data, dict):
        return None, [("", "Send one notification as a JSON object")]
    data = _without_nulls(data)
    problems = schema_problems(data)
    if data.get("kind") not in KINDS:
        return None, problems
    # What the schema refused is not looked at again; everything else is checked too, so every problem is named.
    refused = {name for name, _ in problems}
    data = _passed(data, refused)
    kind = data["kind"]
    occurred_name = "went_missing_at" if kind == "missing" and "went_missing_at" in data else "occurred_at"
    occurred = _moment(data.get(occurred_name), occurred_name, now, calendar.tz, problems)
    today = now.astimezone(calendar.tz).date()
    raw_children = [data["child"]] if kind == "missing" and "child" in data else data.get("children", [])
    # A child the schema refused as a whole keeps its number (None): the messages count children as sent.
    children = [_child(item, n, today, problems, quiet=any(r.startswith(f"children[{n - 1}]") for r in refused))
                for n, item in enumerate(raw_children, 1) if isinstance(item, dict)]
    adults = [{"name": _text(a.get("name")) or "", "role": _text(a.get("role")) or ""}
              for a in data.get("adults", [])]
    for number, adult in enumerate(adults, 1):
        if not adult["name"] and f"adults[{number - 1}].name" not in refused:
            problems.append((f"adults[{number - 1}].name", f"adult {number} needs a name"))
    postcode = data.get("postcode")
    if postcode is not None and postcode.strip():
        try:
            postcode = clean_postcode(postcode)
        except FieldError:
            problems.append(("postcode", "postcode is not a full UK postcode, like RG40 1AA"))
    else:
        postcode = None
    fields: dict[str, Any] = {}
    if kind == "domestic_abuse":
        fields = {"police_grade": data.get("dash_grade"), "dash_ticks": data.get("dash_ticks"),
                  "school_informed": data.get("school_informed", "unknown"), "adults": adults}
    else:
        if len(raw_children) != 1 and not any(n.startswith("child") for n in refused):
            problems.append(("children", "a missing episode is about exactly one child"))
        returned = _moment(data.get("returned_at"), "returned_at", now, calendar.tz, problems)
        return_kind = data.get("return_kind") or ("returned" if returned else None)
        if returned is not None and occurred is not None and returned < occurred:
            problems.append(("returned_at", "returned_at is before the child went missing"))
        fields = {"returned_at": returned, "return_kind": return_kind if returned else None}
    if problems or occurred is None:
        if not problems:
            problems.append((occurred_name, f"{occurred_name} is required"))
        return None, problems
    return NotificationIn(kind=kind, police_reference=data["police_reference"], occurred_at=occurred,
                          address=_text(data.get("address")), postcode=postcode,
                          summary=_text(data.get("summary"), multiline=True), children=children, **fields), []


def _passed(data: dict[str, Any], refused: set[str]) -> dict[str, Any]:
    """The parts of a notification the schema did not refuse: what is left to check for meaning."""
    def keep(value: Any, at: str) -> Any:
        if isinstance(value, dict):
            return {k: keep(v, f"{at}.{k}" if at else k) for k, v in value.items()
                    if (f"{at}.{k}" if at else k) not in refused}
        if isinstance(value, list):
            return [None if f"{at}[{i}]" in refused else keep(v, f"{at}[{i}]") for i, v in enumerate(value)]
        return value
    kept = keep(data, "")
    for name in ("children", "adults"):  # a list refused as a whole (too long, not a list) is not read
        if not isinstance(kept.get(name, []), list) or any(r == name for r in refused):
            kept.pop(name, None)
    if not isinstance(kept.get("child", {}), dict):
        kept.pop("child")
    kept["adults"] = [a for a in kept.get("adults", []) if isinstance(a, dict)]
    return kept


def validate(data: dict[str, Any], *, now: dt.datetime | None = None,
             calendar: WorkingCalendar = DEFAULT_CALENDAR) -> NotificationIn:
    """Check a notification; raise NotificationError listing every problem at once."""
    item, problems = check(data, now=now, calendar=calendar)
    if item is None:
        raise NotificationError([message for _, message in problems], fields=[name for name, _ in problems])
    return item


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
    # An identifier not given is left out, so a copy of a notification stored before they were asked hashes alike.
    data["children"] = [{k: v for k, v in c.items() if v is not None or k not in ("nhs_number", "upn", "school")}
                        for c in data["children"]]
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
            first_name_index=first, last_name_index=last, date_of_birth_index=dob,
            nhs_number=child.nhs_number, upn=child.upn,
            nhs_number_index=nhs_number_index(child.nhs_number) if child.nhs_number else None,
            upn_index=upn_index(child.upn) if child.upn else None,
            school=child.school, school_source="notification" if child.school else None))
    keys = child_keys(children)
    count = 1 + count_household(session, household=household, child_keys=keys, occurred_at=item.occurred_at,
                                window=settings.window)
    flags = marac_flags_for(item.dash_ticks, count, settings)
    rag = rag_for(item.police_grade, flags)
    contact = open_contact_for(session, keys, [(c.nhs_number_index, c.date_of_birth_index) for c in children
                                               if c.nhs_number_index])
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
