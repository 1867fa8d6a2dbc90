"""The one way into the MASH queue: any channel's validated referral becomes a Contact here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from forms.consent import LAWFUL_BASIS, SPECIAL_CATEGORY_BASIS, consent_summary
from forms.referral import JOURNEYS, referral_source_code
from forms.schema import Referral
from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.handover import open_for_contact
from mash.models import DANGER_NOW_RANK, RAG_ORDER, Child, ConsentRecord, Contact, Counter, HouseholdMember
from mash.repeats import find_repeats, nhs_number_index, upn_index
from mash.triage import assess
from store.crypto import keyring
from store.db import utcnow

PUBLIC_CONCERN_REASON = "A concern raised by a member of the public; the MASH will consider consent."


class DuplicateSubmission(Exception):
    """Another request stored this submission first; the caller rolls back and looks it up."""


def next_reference(session: Session, year: int) -> str:
    """FD-2026-000123: a per-year sequence, bumped in the caller's transaction.

    One upsert, so two first referrals of a year arriving together cannot both try to create the counter."""
    dialect = session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Counter)
    value = session.execute(
        upsert.values(name=f"reference-{year}", value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    ).scalar_one()
    return f"FD-{year}-{value:06d}"


def find_by_idempotency_key(session: Session, key: str) -> Contact | None:
    return session.execute(select(Contact).where(Contact.idempotency_key == key)).scalar_one_or_none()


def receive_referral(session: Session, referral: Referral, *, channel: str, actor: str,
                     received_at: dt.datetime | None = None, idempotency_key: str | None = None,
                     calendar: WorkingCalendar = DEFAULT_CALENDAR, danger: tuple[str, ...] = (),
                     check_now: tuple[str, ...] = ()) -> Contact:
    """Create the contact, its children, household and consent record, and start its clocks and audit trail.

    `danger`: the categories the channel's safety screen found (danger now: first in the queue); `check_now`:
    those it was unsure of (red, with a "check now" reason; the person was not told to call 999).

    Idempotent on `idempotency_key`: the same submission twice gives the same contact.
    """
    if idempotency_key:
        existing = find_by_idempotency_key(session, idempotency_key)
        if existing is not None:
            return existing
    received_at = received_at or utcnow()
    answers = referral.answers
    journey = JOURNEYS[referral.journey]
    local_today = received_at.astimezone(calendar.tz).date()
    triage = assess(answers, today=local_today, danger=danger, check_now=check_now)
    referrer_type = "family" if referral.kind == "early_help" else answers["referrer_type"]
    contact = Contact(
        reference=next_reference(session, local_today.year),
        kind=referral.kind,
        journey=referral.journey,
        channel=channel,
        status="new",
        received_at=received_at,
        decision_due_at=calendar.contact_due(received_at, triage.rag, danger_now=bool(danger)),
        rag=triage.rag,
        risk_rank=DANGER_NOW_RANK if danger else RAG_ORDER[triage.rag],
        safety_flags=triage.flags,
        concern_categories=list(answers.get("concern_categories") or []),
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
        idempotency_key=idempotency_key,
    )
    for position, item in enumerate(answers.get("children") or []):
        contact.children.append(_child(position, item))
    for position, item in enumerate(answers.get("household") or []):
        contact.household.append(HouseholdMember(
            position=position, name=item.get("name"), relationship_to_child=item.get("relationship"),
            parental_responsibility=item.get("parental_responsibility"), lives_with_child=item.get("lives_with_child"),
            date_of_birth=item.get("date_of_birth"), address=item.get("address")))
    if answers.get("alleged_perpetrator") == "yes":
        contact.household.append(HouseholdMember(
            position=len(contact.household), name=answers.get("perpetrator_name") or None,
            relationship_to_child="alleged_perpetrator", lives_with_child=answers.get("perpetrator_lives_with_child"),
            address=None, alleged_perpetrator=True))
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
        if idempotency_key and "idempotency_key" in str(exc):
            raise DuplicateSubmission(idempotency_key) from exc
        raise
    repeats = find_repeats(session, contact, now=received_at)
    handover = open_for_contact(session, contact, calendar=calendar)  # out of hours: to the day team by 09:00
    audit.append(session, [
        audit.Entry("contact.received", actor, contact.id, at=received_at, details={
            "reference": contact.reference, "channel": channel, "kind": referral.kind, "rag": triage.rag,
            "flags": triage.flags, "referral_source": contact.referral_source,
            "decision_due_at": contact.decision_due_at.isoformat(), "possible_repeats": len(repeats),
            "handover_due_at": handover.due_at.isoformat() if handover else None}),
        audit.Entry("consent.recorded", actor, contact.id, at=received_at,
                    reason=None if summary["status"] == "given" else "proceeding without consent",
                    details={"status": summary["status"], "lawful_basis": LAWFUL_BASIS,
                             "special_category_basis": SPECIAL_CATEGORY_BASIS,
                             "parents_told": summary["parents_told"]}),
    ])
    return contact


def _child(position: int, item: dict) -> Child:
    # Only the child's own postcode: a referrer's may be a grandparent's, and would spoil repeat matching.
    postcode = item.get("postcode")
    details = {k: item[k] for k in ("school", "gp", "first_language", "interpreter", "additional_needs", "mother_name")
               if item.get(k)}
    return Child(
        position=position, unborn=item.get("born") == "no", first_name=item.get("first_name"),
        last_name=item.get("last_name"), aliases=item.get("aliases"), date_of_birth=item.get("date_of_birth"),
        due_date=item.get("due_date"), gender=item.get("gender"), address=item.get("address"), postcode=postcode,
        details=details,
        # Both names share one index kind, so a name typed in the other box still finds its twin.
        first_name_index=keyring.blind_index("name", item["first_name"]) if item.get("first_name") else None,
        last_name_index=keyring.blind_index("name", item["last_name"]) if item.get("last_name") else None,
        date_of_birth_index=keyring.blind_index("dob", item["date_of_birth"]) if item.get("date_of_birth") else None,
        postcode_index=keyring.blind_index("postcode", postcode) if postcode else None,
        nhs_number=item.get("nhs_number"), upn=item.get("upn"),
        nhs_number_index=nhs_number_index(item["nhs_number"]) if item.get("nhs_number") else None,
        upn_index=upn_index(item["upn"]) if item.get("upn") else None,
    )
