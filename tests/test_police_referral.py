"""A triage meeting's decision to refer a child to the MASH, or to hold a strategy discussion, is a contact in the
MASH queue carrying the notification, made through mash.intake (issue 14, item 1)."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from mash import police
from mash.models import AuditEvent, Contact, ContactNotification, DomesticAbuseNotification
from mash.police.referral import refer_to_mash
from mash.staff import StaffError
from store.crypto import keyring
from tests.police_support import NOW, da, receive
from tests.staff_support import create_contact, create_staff

MEETING = [{"agency": "police", "name": "DS Reed", "role": "DA lead"}, {"agency": "social_care", "name": "Sam"}]
JAYDEN = {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01", "present": True}
RUBY = {"first_name": "Ruby", "last_name": "Morris", "date_of_birth": "2023-02-14", "present": True}


def notification(session, **kwargs):
    stored = receive(session, da(**kwargs))
    return session.get(DomesticAbuseNotification, stored.id)


def meet(session, n, user, *decisions, now=NOW + dt.timedelta(hours=1)):
    return police.record_triage_meeting(
        session, n, user, held_at=NOW, attendees=MEETING, now=now,
        decisions=[police.ChildDecision(position=p, decision=d) for p, d in enumerate(decisions)])


def contacts(session):
    return session.scalars(select(Contact).order_by(Contact.id)).all()


def test_refer_to_the_mash_makes_a_contact_carrying_the_notification(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, grade="high", ticks=15, children=[JAYDEN])
    meeting = meet(db_session, n, pat, "refer_to_mash")
    db_session.commit()
    contact = contacts(db_session)[0]
    assert n.status == "triaged" and n.closed_at is not None  # the triage queue is done with it
    assert (contact.channel, contact.kind, contact.referral_source, contact.rag) == ("police", "concern", "6", "red")
    assert contact.decision_due_at == NOW + dt.timedelta(hours=1) + dt.timedelta(hours=4)  # red: 4 office hours
    child = contact.children[0]
    assert (child.first_name, child.date_of_birth, child.postcode) == ("Jayden", "2019-05-01", "RG40 1AA")
    assert child.date_of_birth_index == keyring.blind_index("dob", "2019-05-01")
    assert "domestic_abuse" in contact.concern_categories and contact.concern_text == n.summary
    assert contact.consent.status == "not_sought" and "police under their own duty" in \
        contact.consent.without_consent_reason
    assert [h.name for h in contact.household if not h.alleged_perpetrator] == ["Kelly Morris"]
    assert [h.name for h in contact.household if h.alleged_perpetrator] == ["Dean Carter"]
    link = db_session.scalars(select(ContactNotification)).one()
    assert (link.contact_id, link.notification_id, link.created, link.decisions) == (
        contact.id, n.id, True, [{"position": 0, "decision": "refer_to_mash"}])
    assert [lk.notification.police_reference for lk in contact.notification_links] == [n.police_reference]
    assert [lk.contact_id for lk in n.contact_links] == [contact.id]
    events = {e.event: e for e in db_session.scalars(select(AuditEvent))}
    assert events["contact.received"].details["notification_id"] == n.id
    assert events["contact.received"].details["source"] == "police"
    referred = events["police.referred_to_mash"]
    assert (referred.contact_id, referred.details["notification_id"], referred.details["meeting_id"]) == (
        contact.id, n.id, meeting.id)
    assert "Jayden" not in str([e.details for e in events.values()])


def test_a_strategy_discussion_is_a_red_level_4_contact_even_on_a_standard_grade(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, grade="standard", ticks=3, children=[JAYDEN])
    meet(db_session, n, pat, "strategy_discussion")
    contact = contacts(db_session)[0]
    assert (contact.rag, contact.suggested_level) == ("red", 4)


@pytest.mark.parametrize(("grade", "ticks", "rag"), [("standard", 3, "amber"), ("medium", 11, "amber"),
                                                      ("high", 15, "red")])
def test_the_police_grade_sets_the_risk_and_domestic_abuse_is_never_below_amber(db_session, grade, ticks, rag):
    pat, _ = create_staff(db_session)
    n = notification(db_session, grade=grade, ticks=ticks, children=[JAYDEN])
    meet(db_session, n, pat, "refer_to_mash")
    assert contacts(db_session)[0].rag == rag


def test_only_the_referred_children_are_in_the_contact(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, children=[JAYDEN, RUBY])
    meet(db_session, n, pat, "no_further_action", "refer_to_mash")
    contact = contacts(db_session)[0]
    assert [c.first_name for c in contact.children] == ["Ruby"]
    assert db_session.scalars(select(ContactNotification)).one().decisions == [
        {"position": 1, "decision": "refer_to_mash"}]


def test_a_meeting_that_refers_nobody_makes_no_contact(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, children=[JAYDEN, RUBY])
    meet(db_session, n, pat, "no_further_action", "information_to_allocated_worker")
    assert contacts(db_session) == [] and n.status == "triaged"


def test_a_child_already_open_to_the_mash_joins_that_contact(db_session):
    pat, _ = create_staff(db_session)
    open_one = create_contact(db_session, children=[{"born": "yes", "first_name": "Jayden", "last_name": "Morris",
                                                     "date_of_birth": "2019-05-01", "gender": "boy"}])
    n = notification(db_session, children=[JAYDEN, RUBY])
    meet(db_session, n, pat, "refer_to_mash", "strategy_discussion")
    made = contacts(db_session)[-1]
    assert made.id != open_one.id and [c.first_name for c in made.children] == ["Ruby"]
    links = {lk.contact_id: lk for lk in db_session.scalars(select(ContactNotification))}
    assert (links[open_one.id].created, links[open_one.id].decisions) == (False, [{"position": 0,
                                                                                 "decision": "refer_to_mash"}])
    assert (links[made.id].created, links[made.id].decisions) == (True, [{"position": 1,
                                                                         "decision": "strategy_discussion"}])
    joined = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.linked")).one()
    assert joined.contact_id == open_one.id and joined.details["notification_id"] == n.id


def test_a_decision_recorded_twice_is_refused_and_makes_no_second_contact(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, children=[JAYDEN])
    meeting = meet(db_session, n, pat, "refer_to_mash")
    db_session.commit()
    with pytest.raises(StaffError, match="triage meeting is already recorded"):
        meet(db_session, n, pat, "refer_to_mash")
    db_session.rollback()
    with pytest.raises(StaffError, match=r"already with the MASH \(contact FD-"):
        refer_to_mash(db_session, n, meeting, pat, now=NOW + dt.timedelta(hours=2))
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 1


def test_a_decision_on_a_closed_notification_is_refused(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, children=[JAYDEN])
    n.closed_at = NOW
    db_session.commit()
    with pytest.raises(StaffError, match="already recorded"):
        meet(db_session, n, pat, "refer_to_mash")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Contact)) == 0


def test_the_police_summary_is_screened(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, children=[JAYDEN],
                     summary="Mum says he has a knife and is threatening to kill the children now")
    meet(db_session, n, pat, "refer_to_mash")
    contact = contacts(db_session)[0]
    assert contact.rag == "red" and "check_now:violence_now" in contact.safety_flags


def test_a_bad_police_postcode_stays_on_the_notification_and_the_decision_still_reaches_the_queue(db_session):
    pat, _ = create_staff(db_session)
    n = notification(db_session, children=[JAYDEN], postcode="RG40 1AA")
    n.postcode = "not a post"  # as the partner API stored it before it checked postcodes
    meet(db_session, n, pat, "refer_to_mash")
    assert contacts(db_session)[0].children[0].postcode is None


def test_the_same_nhs_number_on_another_child_does_not_join_that_childs_contact(db_session):
    """Found by a live probe: two children given one NHS number (a typing slip on one record) joined, so the
    referred child appeared on no contact and the contact kept the other child's risk."""
    pat, _ = create_staff(db_session)
    mia = create_contact(db_session, journey="help", children=[{
        "born": "yes", "first_name": "Mia", "last_name": "Probeson", "date_of_birth": "2018-04-12", "gender": "girl",
        "nhs_number": "943 476 5919"}])
    n = notification(db_session, children=[{"first_name": "Tia", "last_name": "Apiprobe", "date_of_birth": "2018-03-03",
                                            "nhs_number": "943 476 5919"}])
    meet(db_session, n, pat, "refer_to_mash")
    made = contacts(db_session)[-1]
    assert made.id != mia.id and [c.first_name for c in made.children] == ["Tia"]
    # the same number with the same date of birth (a surname changed) still joins
    n2 = notification(db_session, reference="TVP/DA/NHS2", children=[{
        "first_name": "Mia", "last_name": "Smith", "date_of_birth": "2018-04-12", "nhs_number": "943 476 5919"}])
    meet(db_session, n2, pat, "refer_to_mash")
    assert db_session.scalars(select(ContactNotification).where(
        ContactNotification.notification_id == n2.id)).one().contact_id == mia.id


def test_a_red_decision_joining_a_green_contact_makes_it_red_on_the_red_clock(db_session):
    pat, _ = create_staff(db_session)
    gus = create_contact(db_session, journey="help", children=[{
        "born": "yes", "first_name": "Gus", "last_name": "Green", "date_of_birth": "2020-06-05", "gender": "boy"}])
    assert gus.rag == "green"
    green_due = gus.decision_due_at
    n = notification(db_session, grade="high", ticks=16, children=[{
        "first_name": "Gus", "last_name": "Green", "date_of_birth": "2020-06-05"}])
    assert n.rag == "red"
    meet(db_session, n, pat, "strategy_discussion")
    db_session.expire_all()
    joined = db_session.get(Contact, gus.id)
    assert joined.rag == "red" and joined.risk_rank == 0 and joined.decision_due_at < green_due
    raised = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.risk_raised")).one()
    assert raised.contact_id == gus.id and raised.details == {"from": "green", "to": "red"}
