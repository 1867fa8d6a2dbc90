"""The one way into the queue: what a contact records, its clocks, audit events and idempotency."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from forms import examples
from forms.referral import HELP, REPORT
from mash import audit
from mash.intake import receive_referral
from mash.models import AuditEvent, Child, Contact
from store.crypto import keyring

LONDON = ZoneInfo("Europe/London")
FRIDAY_AFTERNOON = dt.datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)


def receive(session, journey, answers, **kwargs):
    referral, problems = journey.validate(answers, today=FRIDAY_AFTERNOON.date())
    assert problems == []
    kwargs.setdefault("received_at", FRIDAY_AFTERNOON)
    contact = receive_referral(session, referral, channel="web", actor="public:web", **kwargs)
    session.commit()
    return contact


def test_a_professional_concern_becomes_a_red_contact_with_everything_recorded(db_session):
    contact = receive(db_session, REPORT, examples.professional_concern())
    assert contact.reference == "FD-2026-000001"
    assert contact.rag == "red" and contact.risk_rank == 0
    assert {"level4_indicator", "alleged_perpetrator_at_home", "parents_not_told"} <= set(contact.safety_flags)
    assert contact.referral_source == "2A"
    # red: 4 office hours, from 15:00 on Friday (2 hours that day, 2 on Monday)
    assert contact.decision_due_at == dt.datetime(2026, 11, 30, 11, 0, tzinfo=LONDON)
    assert contact.suggested_level == 4 and contact.channel == "web"
    assert [c.first_name for c in contact.children] == ["Jayden"]
    assert any(m.alleged_perpetrator for m in contact.household)
    consent = contact.consent
    assert consent.status == "not_sought" and consent.parents_told == "no"
    assert consent.without_consent_reason and consent.lawful_basis.startswith("UK GDPR Art. 6(1)(e)")
    assert "Sch. 1 para. 18" in consent.special_category_basis


def test_references_count_up_per_year(db_session):
    first = receive(db_session, REPORT, examples.professional_concern())
    second = receive(db_session, HELP, examples.family_help_request())
    next_year = receive(db_session, HELP, examples.family_help_request(),
                        received_at=dt.datetime(2027, 1, 4, 10, 0, tzinfo=LONDON))
    assert [first.reference, second.reference, next_year.reference] == [
        "FD-2026-000001", "FD-2026-000002", "FD-2027-000001"]


def test_a_family_help_request_is_green_early_help_with_consent_given(db_session):
    contact = receive(db_session, HELP, examples.family_help_request())
    assert (contact.kind, contact.rag, contact.referral_source) == ("early_help", "green", "1A")
    assert contact.suggested_level is None  # a family is not asked for a level, so none is recorded
    assert contact.consent.status == "given" and contact.consent.given_by == "Sam Taylor"
    assert contact.consent.given_by_relationship == "mother"
    # The person asking may not live with the child: their postcode is not the child's.
    assert contact.children[0].postcode is None and contact.children[0].postcode_index is None
    assert contact.answers["postcode"] == "RG40 2AB"


def test_the_consent_record_keeps_the_limits_set_and_says_when_agreement_was_passed_on(db_session):
    """Found by the live probe: "yes but not the school" then "yes" lost the limit, and a father without
    parental responsibility saying the mother agreed was recorded as her agreement, given to us."""
    answers = {**examples.family_help_request(), "consent_limits": "yes but not the school"}
    own = receive(db_session, HELP, answers)
    assert own.consent.limits == "yes but not the school" and own.consent.relayed is False
    relayed = receive(db_session, HELP, {**examples.family_help_request(), "referrer_relationship": "grandparent",
                                         "has_parental_responsibility": "no",
                                         "pr_person_name": "Jo Taylor", "pr_person_agrees": "yes"})
    assert relayed.consent.given_by == "Jo Taylor" and relayed.consent.relayed is True
    assert relayed.consent.limits is None
    raw = db_session.execute(text("SELECT limits FROM consent_records WHERE id = :id"),
                             {"id": own.consent.id}).scalar_one()
    assert "school" not in raw  # the person's own words, encrypted


def test_domestic_abuse_in_a_help_request_is_amber_and_flags_unsafe_contact(db_session):
    contact = receive(db_session, HELP, examples.family_help_request(
        concern_categories=["domestic_abuse"], safe_to_contact="no"))
    assert contact.rag == "amber"
    assert {"domestic_abuse", "not_safe_to_contact"} <= set(contact.safety_flags)
    assert contact.safe_to_contact is False


def test_anonymous_public_neglect_concern(db_session):
    contact = receive(db_session, REPORT, examples.public_concern())
    assert contact.rag == "amber" and contact.referrer_anonymous and contact.referral_source == "9"
    assert contact.referrer_name is None
    assert contact.consent.status == "not_sought" and "member of the public" in contact.consent.without_consent_reason


def test_the_same_submission_twice_is_one_contact(db_session):
    first = receive(db_session, REPORT, examples.professional_concern(), idempotency_key="draft:abc")
    again = receive(db_session, REPORT, examples.professional_concern(), idempotency_key="draft:abc")
    assert again.id == first.id
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 1
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_receipt_and_consent_are_audited_in_the_same_transaction(db_session):
    contact = receive(db_session, REPORT, examples.professional_concern())
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [(e.event, e.contact_id) for e in events] == [("contact.received", contact.id),
                                                         ("consent.recorded", contact.id)]
    assert events[0].details["reference"] == contact.reference and events[0].actor == "public:web"
    assert events[1].details["status"] == "not_sought" and events[1].reason == "proceeding without consent"
    assert audit.verify(db_session).ok


def test_a_failed_intake_leaves_nothing_half_saved(db_session, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "append", boom)
    referral, _ = REPORT.validate(examples.professional_concern())
    with pytest.raises(RuntimeError):
        receive_referral(db_session, referral, channel="web", actor="public:web")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 0


def test_blind_indexes_find_a_child_without_decrypting(db_session):
    receive(db_session, REPORT, examples.professional_concern())
    found = db_session.scalars(select(Child).where(
        Child.last_name_index == keyring.blind_index("name", " MORRIS "))).all()
    assert [c.first_name for c in found] == ["Jayden"]
    assert found[0].postcode_index == keyring.blind_index("postcode", "rg401aa")


def test_no_personal_data_is_readable_in_the_database_file(db_session, database_url):
    answers = examples.professional_concern()
    receive(db_session, REPORT, answers)
    db_session.close()
    raw = b"".join(p.read_bytes() for p in Path(database_url.removeprefix("sqlite:///")).parent.glob("frontdoor.db*"))
    assert b"FD-2026-000001" in raw  # the file really holds the contact
    child = answers["children"][0]
    secrets = [answers["referrer_name"], answers["referrer_email"], answers["referrer_phone"], child["first_name"],
               child["last_name"], child["date_of_birth"], child["address"], child["postcode"],
               "Dean Carter", "1990-05-03", "7700900321", "Ruby Morris", "Kelly Morris", "bruising",
               answers["parents_not_told_reason"][:30]]
    for secret in secrets:
        assert secret.encode() not in raw, f"found {secret!r} in clear text"
