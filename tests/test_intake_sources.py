"""One intake for every source (issue 14, item 1): web, text, chat, police, an out-of-hours call and a partner
system all become contacts through mash.intake.receive, checked, screened, consented, matched and audited alike."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from forms import examples
from forms.referral import REPORT
from forms.schema import Referral
from mash import handover, intake
from mash.models import AuditEvent, Child, Contact, Handover, RepeatMatch
from mash.staff import StaffError
from store.crypto import keyring
from tests.staff_support import create_staff, with_ethnicity

LONDON = ZoneInfo("Europe/London")
WEDNESDAY = dt.datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)  # office hours
SATURDAY_NIGHT = dt.datetime(2026, 11, 28, 1, 15, tzinfo=LONDON)
VALID_NHS = "943 476 5919"
BAD_NHS = "943 476 5918"  # one digit wrong: the check digit catches it


def web_referral(**overrides):
    answers = examples.professional_concern(**overrides)
    answers["children"] = with_ethnicity(answers["children"])
    referral, problems = REPORT.validate(answers, today=WEDNESDAY.date())
    assert problems == []
    return referral


def plain_referral(what_happened="Verbal argument overheard.", **child):
    return Referral(journey="report", kind="concern", answers={
        "referrer_type": "professional", "referrer_workplace": "police", "referrer_organisation": "Police",
        "children": [{"born": "yes", **child}], "what_happened": what_happened, "concern_categories": [],
        "consent": "not_asked", "not_asked_reason": "Shared under the police's own duty"})


@pytest.mark.parametrize(("source", "channel"), [("web", "web"), ("sms", "sms"), ("chat", "chat"),
                                                  ("partner", "partner")])
def test_every_channel_that_screens_itself_makes_a_contact_the_same_way(db_session, source, channel):
    result = intake.receive(db_session, intake.IntakeRequest(
        source=source, referral=web_referral(), actor=f"test:{source}", received_at=WEDNESDAY,
        idempotency_key=f"k:{source}"))
    db_session.commit()
    contact = result.contact
    assert result.created and contact.channel == channel and contact.rag == "red"
    assert contact.consent.status == "not_sought" and contact.children[0].first_name == "Jayden"
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.contact_id == contact.id)).all()
    assert [e.event for e in events] == ["contact.received", "consent.recorded"]
    assert events[0].details["source"] == source
    # The same request again is the same contact.
    again = intake.receive(db_session, intake.IntakeRequest(
        source=source, referral=web_referral(), actor="test", received_at=WEDNESDAY, idempotency_key=f"k:{source}"))
    assert (again.contact.id, again.created) == (contact.id, False)


def test_receive_referral_is_the_same_intake_for_existing_callers(db_session):
    contact = intake.receive_referral(db_session, web_referral(), channel="chat", actor="bot:chat",
                                      received_at=WEDNESDAY, danger=("violence_now",))
    assert contact.channel == "chat" and contact.risk_rank == -1 and "danger_now:violence_now" in contact.safety_flags


def test_a_police_request_is_screened_and_carries_the_police_grade_as_risk(db_session):
    result = intake.receive(db_session, intake.IntakeRequest(
        source="police", referral=plain_referral("Mum says he has a knife and is threatening to kill the children now",
                                                 first_name="Jayden", last_name="Morris", date_of_birth="2019-05-01"),
        actor="staff:1", received_at=WEDNESDAY, risk_floor="amber",
        unscreened_text="Mum says he has a knife and is threatening to kill the children now",
        details={"notification_id": 7}))
    contact = result.contact
    # Nobody was told to call 999 and the triage meeting read it: red, "check now", not the danger-now clock.
    assert result.screened == ("violence_now",)
    assert contact.rag == "red" and contact.risk_rank == 0 and "check_now:violence_now" in contact.safety_flags
    assert contact.channel == "police" and contact.referral_source == "6"
    received = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.received")).one()
    assert received.details["notification_id"] == 7 and "knife" not in str(received.details)


def test_the_police_grade_is_a_floor_never_a_ceiling(db_session):
    quiet = intake.receive(db_session, intake.IntakeRequest(
        source="police", referral=plain_referral(first_name="Ava"), actor="t", received_at=WEDNESDAY,
        risk_floor="red")).contact
    assert quiet.rag == "red"
    green = intake.receive(db_session, intake.IntakeRequest(
        source="police", referral=plain_referral(first_name="Ben"), actor="t", received_at=WEDNESDAY,
        risk_floor="green")).contact
    assert green.rag == "green"
    assert green.decision_due_at > quiet.decision_due_at


def test_a_partner_request_with_a_bad_nhs_number_is_refused_and_nothing_is_stored(db_session):
    with pytest.raises(intake.IntakeError) as caught:
        intake.receive(db_session, intake.IntakeRequest(
            source="partner", referral=plain_referral(first_name="Ava", nhs_number=BAD_NHS, postcode="not a postcode",
                                                      date_of_birth="2099-01-01"),
            actor="partner:1", received_at=WEDNESDAY))
    assert len(caught.value.problems) == 3
    assert "NHS number" in str(caught.value) and "postcode" in str(caught.value) and "future" in str(caught.value)
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 0


def test_an_unknown_source_is_refused(db_session):
    with pytest.raises(intake.IntakeError, match="source must be one of"):
        intake.receive(db_session, intake.IntakeRequest(source="fax", referral=plain_referral(), actor="t"))


def test_a_child_open_to_the_mash_is_linked_not_referred_twice(db_session):
    open_one = intake.receive_referral(db_session, web_referral(children=[{
        "born": "yes", "first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01",
        "gender": "boy"}]),
        channel="web", actor="t", received_at=WEDNESDAY)
    referral = plain_referral(first_name="Jayden", last_name="Morris", date_of_birth="2019-05-01")
    referral.answers["children"].append({"born": "yes", "first_name": "Ruby", "last_name": "Morris",
                                         "date_of_birth": "2023-02-14"})
    result = intake.receive(db_session, intake.IntakeRequest(
        source="police", referral=referral, actor="staff:1", received_at=WEDNESDAY, link_open=True,
        details={"notification_id": 3}))
    assert [(c.id, positions) for c, positions in result.linked] == [(open_one.id, [0])]
    assert result.created and [c.first_name for c in result.contact.children] == ["Ruby"]
    linked = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.linked")).one()
    assert (linked.contact_id, linked.details["children"], linked.details["notification_id"]) == (open_one.id, [0], 3)


def test_when_every_child_is_open_no_contact_is_made(db_session):
    intake.receive_referral(db_session, web_referral(children=[{
        "born": "yes", "first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01",
        "nhs_number": "9434765919", "gender": "boy"}]), channel="web", actor="t", received_at=WEDNESDAY)
    before = db_session.scalar(select(func.count()).select_from(Contact))
    # The same NHS number is the same child, however the name is spelt.
    result = intake.receive(db_session, intake.IntakeRequest(
        source="police", referral=plain_referral(first_name="Jaiden", last_name="Moris", nhs_number=VALID_NHS),
        actor="t", received_at=WEDNESDAY, link_open=True))
    assert result.contact is None and not result.created and len(result.linked) == 1
    assert db_session.scalar(select(func.count()).select_from(Contact)) == before


# --- An out-of-hours call -------------------------------------------------------------------------------------


CALL = {"caller": "Neighbour", "what_happened": "A child alone at home, parents out", "child_first_name": "Casey",
        "child_last_name": "Lane", "child_date_of_birth": "2014-03-02", "child_address": "4 Birch Close, Reading",
        "child_postcode": "rg1 2ab", "child_nhs_number": VALID_NHS, "child_upn": "G872330125001"}


def test_an_out_of_hours_call_is_a_contact_with_a_structured_indexed_child_in_the_handover(db_session):
    edt, _ = create_staff(db_session)
    item = handover.record_call(db_session, edt, received_at=SATURDAY_NIGHT, values=CALL,
                                now=SATURDAY_NIGHT + dt.timedelta(minutes=30))
    db_session.commit()
    contact = item.contact
    assert item.source == "call" and item.contact_id == contact.id and item.status == "open"
    assert item.due_at == dt.datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)
    assert handover.day_team_queue(db_session) == [item]
    assert db_session.scalar(select(func.count()).select_from(Handover)) == 1  # one handover, the call's own
    child = contact.children[0]
    assert (child.first_name, child.date_of_birth, child.postcode, child.nhs_number, child.upn) == (
        "Casey", "2014-03-02", "RG1 2AB", "9434765919", "G872330125001")
    assert child.last_name_index == keyring.blind_index("name", "Lane")
    assert child.postcode_index == keyring.blind_index("postcode", "RG1 2AB")
    assert contact.channel == "phone" and contact.concern_text == CALL["what_happened"]
    # The call notes were screened: a child alone is red, check now.
    assert contact.rag == "red" and "check_now:child_alone" in contact.safety_flags
    assert contact.consent.status == "not_sought" and "emergency duty team" in contact.consent.without_consent_reason
    assert handover.child_label(item) == "Casey Lane, born 2014-03-02"
    events = [e.event for e in db_session.scalars(select(AuditEvent).where(AuditEvent.contact_id == contact.id))]
    assert events == ["contact.received", "consent.recorded", "handover.recorded"]
    assert "Casey" not in str([e.details for e in db_session.scalars(select(AuditEvent))])


def test_a_call_about_a_child_known_before_is_matched_to_the_earlier_contact(db_session):
    edt, _ = create_staff(db_session)
    earlier = intake.receive_referral(db_session, web_referral(children=[{
        "born": "yes", "first_name": "Casey", "last_name": "Lane", "date_of_birth": "2014-03-02", "gender": "girl"}]),
        channel="web", actor="t", received_at=WEDNESDAY)
    item = handover.record_call(db_session, edt, received_at=SATURDAY_NIGHT, values=CALL,
                                now=SATURDAY_NIGHT + dt.timedelta(minutes=30))
    match = db_session.scalars(select(RepeatMatch).where(RepeatMatch.contact_id == item.contact_id)).one()
    assert match.earlier_contact_id == earlier.id and "same date of birth" in match.reasons


def test_a_call_about_a_child_nobody_could_name_is_still_a_contact(db_session):
    edt, _ = create_staff(db_session)
    item = handover.record_call(db_session, edt, received_at=SATURDAY_NIGHT,
                                values={"caller": "Anonymous", "what_happened": "Shouting from a flat"},
                                now=SATURDAY_NIGHT + dt.timedelta(minutes=30))
    db_session.commit()
    child = item.contact.children[0]
    assert (child.first_name, child.last_name, child.first_name_index, child.date_of_birth_index) == (
        None, None, None, None)
    assert handover.child_label(item) == "Not known"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("child_nhs_number", BAD_NHS, "Enter a real NHS number"),
    ("child_nhs_number", "12345", "NHS number must be 10 numbers"),
    ("child_upn", "A872330125001", "Enter a real unique pupil number"),
    ("child_postcode", "not a postcode", "Enter a real postcode"),
    ("child_date_of_birth", "2014-02-30", "as a real date"),
    ("child_date_of_birth", "2030-01-01", "cannot be in the future"),
    ("child_first_name", "x" * 101, "100 characters or fewer"),
])
def test_a_call_with_a_bad_child_field_says_which_and_saves_nothing(db_session, field, value, message):
    edt, _ = create_staff(db_session)
    with pytest.raises(StaffError, match=message):
        handover.record_call(db_session, edt, received_at=SATURDAY_NIGHT, values={**CALL, field: value},
                             now=SATURDAY_NIGHT + dt.timedelta(minutes=30))
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 0
    assert db_session.scalar(select(func.count()).select_from(Handover)) == 0
    assert db_session.scalar(select(func.count()).select_from(Child)) == 0


def test_every_problem_with_a_calls_child_is_named_at_once(db_session):
    edt, _ = create_staff(db_session)
    with pytest.raises(StaffError) as caught:
        handover.record_call(db_session, edt, received_at=SATURDAY_NIGHT,
                             values={**CALL, "child_nhs_number": BAD_NHS, "child_postcode": "nope"},
                             now=SATURDAY_NIGHT + dt.timedelta(minutes=30))
    assert "NHS number" in str(caught.value) and "postcode" in str(caught.value)
