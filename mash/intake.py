"""The one way into the MASH queue: whatever the source, a referral becomes a Contact here.

Every source hands over the same typed request (`IntakeRequest`): the web form, a text or web chat conversation,
a police triage meeting's decision, an out-of-hours call, a partner system. Here, in one transaction, the request
is checked, the free text of a source nobody screened is screened (police summaries, out-of-hours call notes),
the one consent rule is applied (forms.consent), earlier contacts are matched (mash.repeats), and the contact is
made, or a child already open to the MASH is linked to that open contact, with its audit events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, load_only

from forms.consent import LAWFUL_BASIS, SPECIAL_CATEGORY_BASIS, consent_summary
from forms.identifiers import clean_nhs_number, clean_upn
from forms.referral import CONCERN_CATEGORIES, JOURNEYS, alleged_perpetrator, referral_source_code
from forms.schema import FieldError, Referral, clean_postcode
from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.handover import CallNotes, open_for_contact
from mash.models import (
    DANGER_NOW_RANK,
    RAG_ORDER,
    Child,
    ConsentRecord,
    Contact,
    Counter,
    Handover,
    HouseholdMember,
)
from mash.repeats import find_repeats, nhs_number_index, upn_index
from mash.safety import screen
from mash.triage import assess
from store.crypto import keyring
from store.db import insert_for, utcnow

PUBLIC_CONCERN_REASON = "A concern raised by a member of the public; the MASH will consider consent."
# Each source and the channel its contacts show ("Received by").
SOURCES = {"web": "web", "sms": "sms", "chat": "chat", "police": "police", "out_of_hours": "phone",
           "partner": "partner"}


CHANNEL_SOURCES = {channel: source for source, channel in SOURCES.items()}
# Their answers were cleaned field by field as they were given (forms.Field.clean): checked once, and a danger
# contact from a conversation is never refused here over a detail.
CHECKED_BY_CHANNEL = ("web", "sms", "chat")


class DuplicateSubmission(Exception):
    """Another request stored this submission first; the caller rolls back and looks it up."""


class IntakeError(ValueError):
    """What is wrong with a request, every problem at once, in words for the person who sent it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class IntakeRequest:
    """A referral from any source, with what the intake needs to know about where it came from.

    `danger` / `check_now`: what the channel's own screen found (web, text and chat screen as the person writes,
    so they can be told to call 999). `unscreened_text`: the free text of a source nobody screened (a police
    summary, an out-of-hours call's notes); the intake screens it. `risk_floor`: a RAG the contact is at least
    (the police grade). `link_open`: a child already open to the MASH joins that open contact rather than
    making a second one. `call`: an out-of-hours call's notes, which open its 09:00 handover with the contact.
    `details`: ids for the audit trail (a notification's id), never personal data. `worries_read`: the kinds of worry a
    channel read from the person's own words (concern category values), kept apart from those chosen and shown to
    staff as read; triage never sees them."""

    source: str
    referral: Referral
    actor: str
    received_at: dt.datetime | None = None
    idempotency_key: str | None = None
    danger: tuple[str, ...] = ()
    check_now: tuple[str, ...] = ()
    unscreened_text: str | None = None
    risk_floor: str | None = None
    link_open: bool = False
    call: CallNotes | None = None
    details: dict[str, Any] = field(default_factory=dict)
    worries_read: tuple[str, ...] = ()


@dataclass
class Intake:
    """What a request became: a new contact (or none, when every child was already open), and the open
    contacts it was linked to, each with the positions of the request's children it holds."""

    contact: Contact | None
    created: bool
    linked: list[tuple[Contact, list[int]]] = field(default_factory=list)
    handover: Handover | None = None
    screened: tuple[str, ...] = ()  # the categories the intake's own screen found (never any words)

    @property
    def contacts(self) -> list[Contact]:
        return ([self.contact] if self.contact is not None else []) + [c for c, _ in self.linked]


def next_reference(session: Session, year: int) -> str:
    """FD-2026-000123: a per-year sequence, bumped in the caller's transaction.

    One upsert, so two first referrals of a year arriving together cannot both try to create the counter."""
    value = session.execute(
        insert_for(session, Counter).values(name=f"reference-{year}", value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    ).scalar_one()
    return f"FD-{year}-{value:06d}"


def find_by_idempotency_key(session: Session, key: str) -> Contact | None:
    return session.execute(select(Contact).where(Contact.idempotency_key == key)).scalar_one_or_none()


def receive_referral(session: Session, referral: Referral, *, channel: str, actor: str,
                     received_at: dt.datetime | None = None, idempotency_key: str | None = None,
                     calendar: WorkingCalendar = DEFAULT_CALENDAR, danger: tuple[str, ...] = (),
                     check_now: tuple[str, ...] = (), worries_read: tuple[str, ...] = ()) -> Contact:
    """A referral from a channel that screened it itself (web, text, chat): the contact it became.

    `danger`: the categories the channel's safety screen found (danger now: first in the queue); `check_now`:
    those it was unsure of (red, with a "check now" reason; the person was not told to call 999); `worries_read`:
    the kinds of worry read from the person's words (IntakeRequest).
    Idempotent on `idempotency_key`: the same submission twice gives the same contact."""
    result = receive(session, IntakeRequest(
        source=CHANNEL_SOURCES.get(channel, channel), referral=referral, actor=actor, received_at=received_at,
        idempotency_key=idempotency_key, danger=danger, check_now=check_now, worries_read=worries_read),
        calendar=calendar)
    assert result.contact is not None  # noqa: S101  (only link_open can leave it None)
    return result.contact


def receive(session: Session, request: IntakeRequest, *,
            calendar: WorkingCalendar = DEFAULT_CALENDAR) -> Intake:
    """Check, screen, apply consent, match and store one request, in the caller's transaction.

    Raises IntakeError when the request cannot be stored as it is; nothing is written then."""
    if request.idempotency_key:
        existing = find_by_idempotency_key(session, request.idempotency_key)
        if existing is not None:
            return Intake(existing, created=False)
    answers = validate(request)
    received_at = request.received_at or utcnow()
    check_now = request.check_now
    screened: tuple[str, ...] = ()
    if request.unscreened_text:
        # Nobody was given the 999 advice and a person (the triage meeting, the emergency duty team) has read
        # these words already: whatever the screen finds is "check now" - red, and read at once by the MASH.
        finding = screen(request.unscreened_text)
        screened = tuple(dict.fromkeys(finding.categories + finding.check_categories))
        check_now = tuple(dict.fromkeys(check_now + screened))
    linked: list[tuple[Contact, list[int]]] = []
    if request.link_open:
        everyone = answers
        answers, linked = _link_open_children(session, answers)
        if linked:
            local_today = received_at.astimezone(calendar.tz).date()
            triage = assess(everyone, today=local_today, danger=request.danger, check_now=check_now)
            rag = request.risk_floor if request.risk_floor is not None and \
                RAG_ORDER[request.risk_floor] < RAG_ORDER[triage.rag] else triage.rag
        for contact, positions in linked:
            audit.append(session, [audit.Entry("contact.linked", request.actor, contact.id, at=received_at, details={
                "source": request.source, "children": positions, **request.details})])
            _raise_risk(session, contact, rag, triage.flags, at=received_at, actor=request.actor, calendar=calendar)
        if not answers["children"]:
            return Intake(None, created=False, linked=linked, screened=screened)
    contact, handover = _create(session, request, answers, received_at=received_at, check_now=check_now,
                                calendar=calendar)
    return Intake(contact, created=True, linked=linked, handover=handover, screened=screened)


def validate(request: IntakeRequest) -> dict[str, Any]:
    """The request's answers, with each child's identifiers in their one stored form; IntakeError otherwise.

    The web journeys validated every answer already (forms.Journey.validate); a conversation's answers were
    cleaned field by field. A police decision and an out-of-hours call are checked here, where they become a
    contact: an NHS number, UPN, postcode or date of birth that fails its check is named, never stored."""
    problems: list[str] = []
    referral = request.referral
    if request.source not in SOURCES:
        problems.append(f"source must be one of {', '.join(SOURCES)}")
    if referral.journey not in JOURNEYS or referral.kind not in ("concern", "early_help"):
        problems.append("a referral is a concern or an early-help request of a known journey")
    if request.risk_floor is not None and request.risk_floor not in RAG_ORDER:
        problems.append("risk_floor must be red, amber or green")
    if request.call is not None and request.source != "out_of_hours":
        problems.append("only an out-of-hours call opens a call's handover")
    answers = dict(referral.answers)
    if request.source in CHECKED_BY_CHANNEL:
        if problems:
            raise IntakeError(problems)
        return answers
    children = []
    for number, item in enumerate(answers.get("children") or [], 1):
        child = dict(item)
        for name, cleaner in (("nhs_number", clean_nhs_number), ("upn", clean_upn), ("postcode", clean_postcode)):
            if child.get(name):
                try:
                    child[name] = cleaner(str(child[name]))
                except FieldError as exc:
                    problems.append(f"child {number}: {exc}")
        if child.get("date_of_birth"):
            try:
                born = dt.date.fromisoformat(str(child["date_of_birth"]))
            except ValueError:
                problems.append(f"child {number}: the date of birth is not a date")
            else:
                if born > (request.received_at or utcnow()).date() + dt.timedelta(days=1):
                    problems.append(f"child {number}: the date of birth is in the future")
        children.append(child)
    answers["children"] = children
    if problems:
        raise IntakeError(problems)
    return answers


def open_contact_for_child(session: Session, child: dict[str, Any]) -> Contact | None:
    """The newest open contact about this child: the same NHS number (unless the dates of birth disagree),
    or the same first name, last name and date of birth (a strong match only: a name alike is for a practitioner
    to judge, through repeat matching)."""
    conditions = []
    if child.get("nhs_number"):
        # The same NHS number is the same child however the name is spelt, unless the dates of birth disagree:
        # then one of the two records has the wrong number, and a practitioner must see both (repeat matching).
        same = Child.nhs_number_index == nhs_number_index(child["nhs_number"])
        if child.get("date_of_birth"):
            same = and_(same, or_(Child.date_of_birth_index.is_(None),
                                  Child.date_of_birth_index == keyring.blind_index("dob", child["date_of_birth"])))
        conditions.append(same)
    if child.get("first_name") and child.get("last_name") and child.get("date_of_birth"):
        conditions.append(and_(Child.date_of_birth_index == keyring.blind_index("dob", child["date_of_birth"]),
                               Child.last_name_index == keyring.blind_index("name", child["last_name"]),
                               Child.first_name_index == keyring.blind_index("name", child["first_name"])))
    if not conditions:
        return None
    return session.scalar(
        select(Contact).options(load_only(Contact.id, Contact.reference, Contact.claimed_by_id))
        .join(Child, Child.contact_id == Contact.id).where(or_(*conditions), Contact.closed_at.is_(None))
        .order_by(Contact.received_at.desc(), Contact.id.desc()).limit(1))


def _raise_risk(session: Session, contact: Contact, rag: str, flags: list[str], *, at: dt.datetime, actor: str,
                calendar: WorkingCalendar) -> None:
    """What joins an open contact can make it more urgent, never less: a red police decision (or a strategy
    discussion) joining a green contact makes it red, with the reasons, on the red clock from now if sooner."""
    if RAG_ORDER[rag] >= RAG_ORDER[contact.rag]:
        return
    before = contact.rag
    contact.rag = rag
    if contact.risk_rank != DANGER_NOW_RANK:
        contact.risk_rank = RAG_ORDER[rag]
    contact.safety_flags = list(dict.fromkeys([*(contact.safety_flags or []), *flags]))
    contact.decision_due_at = min(contact.decision_due_at, calendar.contact_due(at, rag))
    contact.version += 1
    audit.append(session, [audit.Entry("contact.risk_raised", actor, contact.id, at=at,
                                       details={"from": before, "to": rag})])


def _link_open_children(session: Session, answers: dict[str, Any]) -> tuple[dict[str, Any],
                                                                            list[tuple[Contact, list[int]]]]:
    """Children already open to the MASH go to their open contact; the rest stay for a new one."""
    remaining: list[dict[str, Any]] = []
    linked: dict[int, tuple[Contact, list[int]]] = {}
    for position, child in enumerate(answers.get("children") or []):
        contact = open_contact_for_child(session, child)
        if contact is None:
            remaining.append(child)
        else:
            linked.setdefault(contact.id, (contact, []))[1].append(position)
    return {**answers, "children": remaining}, list(linked.values())


def _create(session: Session, request: IntakeRequest, answers: dict[str, Any], *, received_at: dt.datetime,
            check_now: tuple[str, ...], calendar: WorkingCalendar) -> tuple[Contact, Handover | None]:
    referral, danger = request.referral, request.danger
    journey = JOURNEYS[referral.journey]
    local_today = received_at.astimezone(calendar.tz).date()
    triage = assess(answers, today=local_today, danger=danger, check_now=check_now)
    rag = triage.rag
    if request.risk_floor is not None and RAG_ORDER[request.risk_floor] < RAG_ORDER[rag]:
        rag = request.risk_floor
    referrer_type = "family" if referral.kind == "early_help" else answers["referrer_type"]
    chosen = list(answers.get("concern_categories") or [])
    contact = Contact(
        reference=next_reference(session, local_today.year),
        kind=referral.kind,
        journey=referral.journey,
        channel=SOURCES[request.source],
        status="new",
        received_at=received_at,
        decision_due_at=calendar.contact_due(received_at, rag, danger_now=bool(danger)),
        rag=rag,
        risk_rank=DANGER_NOW_RANK if danger else RAG_ORDER[rag],
        safety_flags=triage.flags,
        concern_categories=chosen,
        concern_categories_read=worries_read(referral.kind, chosen, request.worries_read),
        referral_source=referral_source_code(answers, journey),
        referrer_type=referrer_type,
        referrer_anonymous=answers.get("anonymous") == "yes",
        referrer_name=answers.get("referrer_name"),
        referrer_phone=answers.get("referrer_phone"),
        referrer_email=answers.get("referrer_email"),
        referrer_organisation=answers.get("referrer_organisation"),
        referrer_role=answers.get("referrer_role"),
        safe_to_contact=None if "safe_to_contact" not in answers else answers["safe_to_contact"] == "yes",
        suggested_level=int(answers["suggested_level"]) if answers.get("suggested_level") else None,
        suggested_level_reason=answers.get("level_reason"),
        concern_text=answers.get("what_happened"),
        answers=answers,
        idempotency_key=request.idempotency_key,
    )
    for position, item in enumerate(answers.get("children") or []):
        contact.children.append(_child(position, item))
    contact.household.extend(household_members(answers))
    summary = consent_summary(referral.kind, answers)
    if summary["status"] != "given" and not summary["without_consent_reason"] and referrer_type == "public":
        summary["without_consent_reason"] = PUBLIC_CONCERN_REASON
    contact.consent = ConsentRecord(
        status=summary["status"], given_by=summary["given_by"],
        given_by_relationship=summary["given_by_relationship"], covers=summary["covers"] or [],
        parents_told=summary["parents_told"], parents_not_told_reason=summary["parents_not_told_reason"],
        without_consent_reason=summary["without_consent_reason"], limits=summary["limits"],
        relayed=summary["relayed"], lawful_basis=LAWFUL_BASIS,
        special_category_basis=SPECIAL_CATEGORY_BASIS, recorded_at=received_at)
    session.add(contact)
    try:
        session.flush()
    except Exception as exc:  # the unique idempotency key lost a race with a twin request
        if request.idempotency_key and "idempotency_key" in str(exc):
            raise DuplicateSubmission(request.idempotency_key) from exc
        raise
    repeats = find_repeats(session, contact, now=received_at)
    # Out of hours: to the day team by 09:00; an out-of-hours call always, with its notes.
    handover = open_for_contact(session, contact, calendar=calendar, call=request.call)
    audit.append(session, [
        audit.Entry("contact.received", request.actor, contact.id, at=received_at, details={
            "reference": contact.reference, "channel": contact.channel, "source": request.source,
            "kind": referral.kind, "rag": rag, "flags": triage.flags, "referral_source": contact.referral_source,
            "decision_due_at": contact.decision_due_at.isoformat(), "possible_repeats": len(repeats),
            "handover_due_at": handover.due_at.isoformat() if handover else None,
            **({"worries_read": contact.concern_categories_read} if contact.concern_categories_read else {}),
            **request.details}),
        audit.Entry("consent.recorded", request.actor, contact.id, at=received_at,
                    reason=None if summary["status"] == "given" else "proceeding without consent",
                    details={"status": summary["status"], "lawful_basis": LAWFUL_BASIS,
                             "special_category_basis": SPECIAL_CATEGORY_BASIS,
                             "parents_told": summary["parents_told"]}),
    ])
    return contact, handover


def worries_read(kind: str, chosen: list[str], read: tuple[str, ...] | list[str]) -> list[str]:
    """The worries read from the words that a contact keeps: a concern's, where the person chose none (what they chose
    always wins), and only the referral's own kinds of worry, in its order."""
    if kind != "concern" or chosen:
        return []
    return [c.value for c in CONCERN_CATEGORIES if c.value in set(read)]


def household_members(answers: dict[str, Any]) -> list[HouseholdMember]:
    """The household as rows: the parents, carers and others (the one the referrer chose as someone who may harm
    the child marked so, not stored twice), then the other children at home (household, never children the
    contact is about), then someone who may harm the child who is not in the household list."""
    perpetrator = alleged_perpetrator(answers)
    rows = [HouseholdMember(
        name=item.get("name"), relationship_to_child=item.get("relationship"),
        parental_responsibility=item.get("parental_responsibility"), lives_with_child=item.get("lives_with_child"),
        date_of_birth=item.get("date_of_birth"), address=item.get("address"), phone=item.get("phone"),
        alleged_perpetrator=perpetrator is not None and perpetrator["household"] == index)
        for index, item in enumerate(answers.get("household") or [])]
    rows += [HouseholdMember(name=item.get("name"), relationship_to_child=item.get("relationship"),
                             lives_with_child="yes", date_of_birth=item.get("date_of_birth"))
             for item in answers.get("household_children") or []]
    if perpetrator is not None and perpetrator["household"] is None:
        rows.append(HouseholdMember(
            name=perpetrator["name"] or None, relationship_to_child="alleged_perpetrator",
            lives_with_child=perpetrator["lives_with_child"], date_of_birth=perpetrator["date_of_birth"],
            address=perpetrator["address"], alleged_perpetrator=True))
    for position, row in enumerate(rows):
        row.position = position
    return rows


def child_record(position: int, item: dict) -> Child:
    """A child as intake stores it: encrypted details and their blind indexes (also for details added later)."""
    return _child(position, item)


def _child(position: int, item: dict) -> Child:
    # Only the child's own postcode: a referrer's may be a grandparent's, and would spoil repeat matching.
    postcode = item.get("postcode")
    details = {k: item[k] for k in ("school", "gp", "first_language", "interpreter", "additional_needs", "mother_name")
               if item.get(k)}
    age_said = item.get("age_said")  # by text or chat: the age the person gave, where no date of birth was
    age_said = str(age_said)[:40] if isinstance(age_said, (int, str)) and str(age_said) and \
        not item.get("date_of_birth") else None
    return Child(
        position=position, unborn=item.get("born") == "no", first_name=item.get("first_name"),
        last_name=item.get("last_name"), aliases=item.get("aliases"), date_of_birth=item.get("date_of_birth"),
        due_date=item.get("due_date"), gender=item.get("gender"), address=item.get("address"), postcode=postcode,
        details=details, age_said=age_said,
        # Both names share one index kind, so a name typed in the other box still finds its twin.
        first_name_index=keyring.blind_index("name", item["first_name"]) if item.get("first_name") else None,
        last_name_index=keyring.blind_index("name", item["last_name"]) if item.get("last_name") else None,
        date_of_birth_index=keyring.blind_index("dob", item["date_of_birth"]) if item.get("date_of_birth") else None,
        postcode_index=keyring.blind_index("postcode", postcode) if postcode else None,
        nhs_number=item.get("nhs_number"), upn=item.get("upn"),
        nhs_number_index=nhs_number_index(item["nhs_number"]) if item.get("nhs_number") else None,
        upn_index=upn_index(item["upn"]) if item.get("upn") else None,
    )
