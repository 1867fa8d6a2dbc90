"""Every decision rule: rationale, levels, justification, history first, sign-off by someone else."""

import datetime as dt

import pytest
from sqlalchemy import select

from forms import examples
from mash import audit
from mash.claims import claim
from mash.decisions import police_only, record_decision, record_strategy_discussion, review_decision
from mash.models import AuditEvent, OutboxMessage, RepeatMatch, StrategyDiscussion
from mash.repeats import acknowledge_history, decide_match
from mash.staff import StaffError
from tests.staff_support import create_contact, create_staff


def decide(session, contact, user, **kw):
    args = dict(outcome="strategy_s47", level=4, rationale="Disclosure of physical harm by an adult at home.",
                sharing_decision="share", sharing_reason="Significant harm: shared under Art. 6(1)(e).",
                primary_need="N1", justification=None, version=contact.version)
    args.update(kw)
    return record_decision(session, contact, user, **args)


@pytest.fixture
def team(db_session):
    practitioner, _ = create_staff(db_session)
    manager, _ = create_staff(db_session, role="manager")
    other_manager, _ = create_staff(db_session, role="manager")
    return practitioner, manager, other_manager


@pytest.fixture
def claimed(db_session, team):
    contact = create_contact(db_session)
    assert claim(db_session, contact.id, team[0])
    db_session.commit()
    db_session.refresh(contact)
    return contact


def test_a_decision_needs_its_rationale_and_sharing_reason(db_session, team, claimed):
    with pytest.raises(StaffError, match="rationale"):
        decide(db_session, claimed, team[0], rationale="  ")
    with pytest.raises(StaffError, match="shared"):
        decide(db_session, claimed, team[0], sharing_reason="")
    with pytest.raises(StaffError, match="primary need"):
        decide(db_session, claimed, team[0], primary_need="N42")


def test_outcome_and_level_must_agree(db_session, team, claimed):
    with pytest.raises(StaffError, match="follows level 4, not level 2"):
        decide(db_session, claimed, team[0], outcome="strategy_s47", level=2)
    with pytest.raises(StaffError, match="level"):
        decide(db_session, claimed, team[0], level="x")


def test_level_four_without_a_level_four_indicator_needs_justification(db_session, team):
    contact = create_contact(db_session, answers=examples.professional_concern(
        concern_categories=["family_stress"], household_factors=["none_known"], alleged_perpetrator="no"))
    claim(db_session, contact.id, team[0])
    db_session.commit()
    db_session.refresh(contact)
    with pytest.raises(StaffError, match="none of the referral's concerns is a level 4 indicator"):
        decide(db_session, contact, team[0])
    decision = decide(db_session, contact, team[0], justification="The child told the teacher more in person.")
    assert decision.justification.startswith("The child")


def test_early_help_without_consent_needs_justification(db_session, team, claimed):
    with pytest.raises(StaffError, match="consent is not recorded"):
        decide(db_session, claimed, team[0], outcome="early_help", level=3)
    decision = decide(db_session, claimed, team[0], outcome="early_help", level=3,
                      justification="Mother agreed by phone today; recorded on the family's file.")
    assert decision.status == "awaiting_signoff" and claimed.status == "awaiting_signoff"


def test_nfa_is_recorded_for_the_census(db_session, team):
    contact = create_contact(db_session, journey="help")
    claim(db_session, contact.id, team[0])
    db_session.commit()
    db_session.refresh(contact)
    decision = decide(db_session, contact, team[0], outcome="nfa_advice", level=1, primary_need="N9")
    assert decision.nfa is True


def test_a_decision_needs_the_claim(db_session, team):
    contact = create_contact(db_session)
    with pytest.raises(Exception, match="Claim this contact"):
        decide(db_session, contact, team[0])


def test_a_confirmed_repeat_must_be_acknowledged_before_deciding(db_session, team):
    earlier = create_contact(db_session, received_at=dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC))
    contact = create_contact(db_session)
    claim(db_session, contact.id, team[0])
    db_session.commit()
    db_session.refresh(contact)
    match = db_session.scalars(select(RepeatMatch).where(RepeatMatch.contact_id == contact.id)).one()
    assert match.earlier_contact_id == earlier.id
    with pytest.raises(StaffError, match="Confirm or reject each one"):
        decide(db_session, contact, team[0])  # a suggestion cannot simply be ignored
    decide_match(db_session, match, contact, team[0], confirmed=True, version=contact.version)
    with pytest.raises(StaffError, match="acknowledge"):
        decide(db_session, contact, team[0])
    acknowledge_history(db_session, contact, team[0], version=contact.version)
    assert decide(db_session, contact, team[0]).status == "awaiting_signoff"


def test_nobody_signs_off_their_own_decision(db_session, team):
    practitioner, manager, other = team
    contact = create_contact(db_session)
    claim(db_session, contact.id, manager)
    db_session.commit()
    db_session.refresh(contact)
    decision = decide(db_session, contact, manager)
    with pytest.raises(StaffError, match="your own decision"):
        review_decision(db_session, decision, manager, approve=True, comments=None, version=contact.version)
    with pytest.raises(StaffError, match="Only a manager"):
        review_decision(db_session, decision, practitioner, approve=True, comments=None, version=contact.version)
    review_decision(db_session, decision, other, approve=True, comments=None, version=contact.version)
    assert decision.status == "signed_off"


def test_returning_a_decision_needs_comments_and_reopens_screening(db_session, team, claimed):
    decision = decide(db_session, claimed, team[0])
    with pytest.raises(StaffError, match="comments"):
        review_decision(db_session, decision, team[1], approve=False, comments="", version=claimed.version)
    review_decision(db_session, decision, team[1], approve=False, comments="Check with health first.",
                    version=claimed.version)
    assert decision.status == "returned" and claimed.status == "in_screening" and claimed.closed_at is None


def test_sign_off_of_a_strategy_outcome_opens_an_urgent_discussion_and_queues_feedback(db_session, team, claimed):
    decided = dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)
    decision = decide(db_session, claimed, team[0], now=decided)
    now = dt.datetime(2026, 11, 27, 11, tzinfo=dt.UTC)
    discussion = review_decision(db_session, decision, team[1], approve=True, comments=None,
                                 version=claimed.version, now=now)
    db_session.commit()
    assert claimed.status == "decided" and claimed.closed_at == now
    # A red contact: immediate, counted from the practitioner's decision, not from the sign-off.
    assert discussion.urgent and discussion.due_at == decided
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.channel == "email" and message.recipient == "dsl@oakfield.example"
    assert claimed.reference in message.body and "Strategy discussion" in message.body
    assert audit.verify(db_session).ok


def test_a_non_urgent_strategy_discussion_is_due_in_one_working_day(db_session, team):
    contact = create_contact(db_session, answers=examples.professional_concern(
        concern_categories=["neglect"], alleged_perpetrator="no", suggested_level="3", household_factors=["none_known"],
        parents_told="yes", consent="yes", consent_given_by="Kelly Morris", consent_given_by_relationship="parent",
        consent_covers=["children"], not_asked_reason=None))
    assert contact.rag == "amber"
    friday = dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC)
    claim(db_session, contact.id, team[0], now=friday)
    db_session.commit()
    db_session.refresh(contact)
    decision = decide(db_session, contact, team[0], justification="Neglect is now serious.", now=friday)
    discussion = review_decision(db_session, decision, team[1], approve=True, comments=None,
                                 version=contact.version, now=friday + dt.timedelta(hours=1))
    assert not discussion.urgent and discussion.due_at == dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC)


def test_police_only_strategy_discussions_are_flagged(db_session, team, claimed):
    decided = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    decision = decide(db_session, claimed, team[0], now=decided)
    review_decision(db_session, decision, team[1], approve=True, comments=None, version=claimed.version)
    discussion = db_session.scalars(select(StrategyDiscussion)).one()
    with pytest.raises(StaffError, match="before the decision"):
        record_strategy_discussion(db_session, discussion, team[0], attendees=[{"agency": "social_care"}],
                                   held_at=decided - dt.timedelta(hours=1), outcome="x")
    held = decided + dt.timedelta(minutes=10)
    with pytest.raises(StaffError, match="children's social care"):
        record_strategy_discussion(db_session, discussion, team[0], attendees=[{"agency": "police"}], held_at=held,
                                   outcome="x")
    record_strategy_discussion(db_session, discussion, team[0],
                               attendees=[{"agency": "police", "name": "DS Reed"}, {"agency": "social_care"}],
                               held_at=held, outcome="Section 47 enquiries to start today.")
    assert police_only(discussion.agencies) and not police_only(["police", "social_care", "health"])
    assert not police_only(["social_care"])
    with pytest.raises(StaffError, match="already recorded"):  # a second post cannot rewrite the record
        record_strategy_discussion(db_session, discussion, team[0], attendees=[{"agency": "social_care"}],
                                   held_at=held, outcome="Something else")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "strategy.recorded")).one()
    assert event.details["police_only"] is True


def test_a_threshold_set_below_the_indicators_needs_justification(db_session, team, claimed):
    # The inspection found thresholds applied too low: a red, level-4-indicated contact closed as NFA.
    with pytest.raises(StaffError, match="lower level is decided.*rated red"):
        decide(db_session, claimed, team[0], outcome="nfa_advice", level=1, primary_need="N9")
    decision = decide(db_session, claimed, team[0], outcome="nfa_advice", level=1, primary_need="N9",
                      justification="Police confirmed the bruise was from football; the child said so too.")
    assert decision.nfa


def test_a_check_without_the_parents_knowledge_needs_another_manager(db_session, team):
    from mash.screening import ask_check, authorise_check

    practitioner, manager, other = team
    contact = create_contact(db_session)  # the referrer said the parents have not been told
    claim(db_session, contact.id, manager)
    db_session.commit()
    db_session.refresh(contact)
    check = ask_check(db_session, contact, manager, agency="police", question="Call-outs?",
                      without_parents_knowledge=False, version=contact.version)
    assert check.without_parents_knowledge and check.status == "awaiting_authorisation"  # set from the record
    with pytest.raises(StaffError, match="another manager"):
        authorise_check(db_session, check, manager, reason="x")
    with pytest.raises(StaffError, match="Only a manager"):
        authorise_check(db_session, check, practitioner, reason="x")
    authorise_check(db_session, check, other, reason="Telling them could put the child at risk.")
    assert check.status == "asked"
