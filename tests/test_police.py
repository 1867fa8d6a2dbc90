"""Domestic abuse notifications: validation, idempotency, households, MARAC, RAG clocks, routing, triage."""

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from mash import audit, police
from mash.claims import claim
from mash.models import AuditEvent, DomesticAbuseNotification, GradeChange, TriageMeeting
from mash.police import ChildDecision, NotificationError
from mash.staff import StaffError
from tests.police_support import LONDON, NOW, da, receive
from tests.staff_support import create_contact, create_staff


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def stored(session, ident) -> DomesticAbuseNotification:
    return session.get(DomesticAbuseNotification, ident)


def test_a_notification_is_stored_encrypted_and_audited_without_personal_data(db_session):
    result = receive(db_session, da(reference="TVP/DA/1"))
    n = stored(db_session, result.id)
    assert result.created and n.police_grade == "standard" and n.dash_ticks == 5 and n.school_informed == "yes"
    assert [c.first_name for c in n.children] == ["Jayden"] and n.children[0].witnessed
    raw = db_session.execute(text("SELECT address, summary FROM domestic_abuse_notifications")).one()
    assert "Elm Road" not in raw.address and "argument" not in raw.summary  # ciphertext at rest
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.notification_received")).one()
    assert "Jayden" not in str(event.details) and "Elm" not in str(event.details)
    assert audit.verify(db_session).ok


def test_the_same_police_reference_is_stored_once(db_session):
    first = receive(db_session, da(reference="TVP/DA/7"))
    second = receive(db_session, da(reference="TVP/DA/7"))
    assert second.as_json() == first.as_json() and not second.created
    assert db_session.scalar(select(func.count()).select_from(DomesticAbuseNotification)) == 1


def test_a_reference_sent_again_with_different_details_is_a_conflict_not_dropped(db_session):
    first = receive(db_session, da(reference="TVP/DA/7"))
    with pytest.raises(police.ReferenceConflict, match="already received with different details"):
        receive(db_session, da(reference="TVP/DA/7", grade="high", ticks=20))
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(DomesticAbuseNotification)) == 1
    assert stored(db_session, first.id).grade == "standard"  # the first copy stands, and nobody was told "received"


@pytest.mark.parametrize(("change", "message"), [
    ({"dash_grade": "severe"}, "dash_grade must be standard, medium or high"),
    ({"dash_grade": ""}, "dash_grade must be standard, medium or high"),
    ({"dash_ticks": 40}, "dash_ticks must be a whole number from 0 to 27"),
    ({"dash_ticks": "lots"}, "dash_ticks must be a whole number"),
    ({"occurred_at": "2026-11-26T09:00"}, "occurred_at is in the future"),
    ({"occurred_at": "yesterday"}, "occurred_at is not a date and time (use YYYY-MM-DDTHH:MM"),
    ({"occurred_at": None}, "occurred_at is required"),
    ({"police_reference": ""}, "police_reference is required"),
    ({"school_informed": "maybe"}, "school_informed (Operation Encompass) must be yes, no or unknown"),
    ({"children": [{"first_name": "Amy", "last_name": "Lee", "date_of_birth": "2027-01-01"}]},
     "child 1's date_of_birth is in the future"),
    ({"kind": "burglary"}, "kind must be one of domestic_abuse, missing"),
])
def test_bad_notifications_are_refused_with_a_clear_message(change, message):
    with pytest.raises(NotificationError) as caught:
        police.validate(da(**change), now=NOW)
    assert message in str(caught.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(NotificationError) as caught:
        police.validate(da(dash_grade="x", dash_ticks=-1, occurred_at="2030-01-01T00:00"), now=NOW)
    assert len(caught.value.problems) == 3


def test_a_partners_free_text_loses_bidi_and_invisible_characters():
    # Shown on staff pages: U+202E would show "Verbal" reversed; U+200B would split a word the eye reads whole.
    item = police.validate(da(summary="Neighbour\u200b called.\n\u202eVerbal\u202c argument."), now=NOW)
    assert item.summary == "Neighbour called.\nVerbal argument."


def test_local_times_without_an_offset_are_london_time():
    item = police.validate(da(occurred_at="2026-07-01T22:15"), now=NOW)
    assert item.occurred_at == at(2026, 7, 1, 22, 15)


@pytest.mark.parametrize(("grade", "ticks", "rag", "due"), [
    # Received Wednesday 10:00: red within 4 office hours, amber the same time on the next working day, green
    # within 3 working days (Thursday, Friday, Monday).
    ("high", 15, "red", at(2026, 11, 25, 14, 0)),
    ("medium", 11, "amber", at(2026, 11, 26, 10, 0)),
    ("standard", 3, "green", at(2026, 11, 30, 10, 0)),
])
def test_rag_and_due_time_follow_the_grade(db_session, grade, ticks, rag, due):
    n = stored(db_session, receive(db_session, da(grade=grade, ticks=ticks)).id)
    assert (n.rag, n.due_at) == (rag, due)


def test_red_received_friday_afternoon_is_due_monday_morning(db_session):
    friday = at(2026, 11, 27, 16, 0)
    n = stored(db_session, receive(db_session, da(grade="high", ticks=16, occurred_at="2026-11-27T02:00"),
                                   now=friday).id)
    assert n.due_at == at(2026, 11, 30, 12, 0)


def test_amber_over_christmas_skips_the_bank_holidays(db_session):
    n = stored(db_session, receive(db_session, da(grade="medium", ticks=10, occurred_at="2026-12-23T23:00"),
                                   now=at(2026, 12, 24, 9, 0)).id)
    # The next working day after Thursday 24: not Christmas Day, the weekend, nor Monday 28 (Boxing Day's
    # substitute bank holiday): Tuesday 29 December, at the same time.
    assert n.due_at == at(2026, 12, 29, 9, 0)


def test_settings_change_the_clocks(db_session):
    settings = police.PoliceSettings(red_office_hours=2, amber_working_days=1, green_working_days=2)
    red = stored(db_session, receive(db_session, da(grade="high", ticks=14), settings=settings).id)
    green = stored(db_session, receive(db_session, da(address="1 Other St", postcode="RG1 9ZZ",
                                                      children=[]), settings=settings).id)
    # Received Wednesday 10:00: red 2 office hours; green the same time 2 working days on, Friday 10:00.
    assert red.due_at == at(2026, 11, 25, 12, 0) and green.due_at == at(2026, 11, 27, 10, 0)


def test_fourteen_ticks_meets_marac_and_is_red_even_if_graded_medium(db_session):
    n = stored(db_session, receive(db_session, da(grade="medium", ticks=14)).id)
    assert n.marac_flags == ["14+ DASH ticks"] and n.rag == "red"
    below = stored(db_session, receive(db_session, da(grade="medium", ticks=13, address="9 Far Lane",
                                                      postcode="RG2 2BB", children=[])).id)
    assert below.marac_flags == [] and below.rag == "amber"


def test_household_matched_by_address_counts_notifications_in_twelve_months(db_session):
    receive(db_session, da(occurred_at="2025-08-01T20:00", children=[]))  # more than 12 months ago: not counted
    receive(db_session, da(occurred_at="2026-03-01T20:00", children=[], address="12 ELM ROAD,  Wokingham"))
    second = stored(db_session, receive(db_session, da(occurred_at="2026-09-01T20:00", children=[])).id)
    assert second.household_count == 2 and second.marac_flags == []
    third = stored(db_session, receive(db_session, da(occurred_at="2026-11-24T20:00", children=[],
                                                      postcode="rg401aa")).id)
    assert third.household_count == 3
    assert third.marac_flags == ["3+ police call-outs in 12 months"] and third.rag == "red"
    assert [h.id for h in police.household_history(db_session, third)] == [second.id, second.id - 1]


def test_household_matched_by_a_child_at_another_address(db_session):
    receive(db_session, da(occurred_at="2026-06-01T20:00", address="3 Old Street, Reading", postcode="RG1 3DD"))
    other = stored(db_session, receive(db_session, da(address="77 New Road, Bracknell", postcode="RG12 1AA")).id)
    assert other.household_count == 2
    stranger = stored(db_session, receive(db_session, da(
        address="5 Quiet Way", postcode="RG6 6DD",
        children=[{"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2018-01-01"}])).id)
    assert stranger.household_count == 1  # same name, different date of birth: not the same child


def test_a_child_open_to_the_mash_is_routed_to_the_practitioner_holding_the_contact(db_session):
    contact = create_contact(db_session)  # Jayden Morris, aged 7
    pat, _ = create_staff(db_session, name="Pat Practitioner")
    assert claim(db_session, contact.id, pat)
    db_session.commit()
    child = contact.children[0]
    n = stored(db_session, receive(db_session, da(children=[
        {"first_name": "Jayden", "last_name": "morris", "date_of_birth": child.date_of_birth, "witnessed": True}])).id)
    assert n.routed_contact_id == contact.id and n.routed_to_id == pat.id
    unrelated = stored(db_session, receive(db_session, da(address="2 Oak Way", postcode="RG3 3AA", children=[
        {"first_name": "Mia", "last_name": "Stone", "date_of_birth": "2015-03-03"}])).id)
    assert unrelated.routed_contact_id is None and unrelated.routed_to_id is None


def test_changing_the_grade_needs_a_reason_and_moves_the_clock(db_session):
    pat, _ = create_staff(db_session)
    n = stored(db_session, receive(db_session, da(grade="standard", ticks=6)).id)
    with pytest.raises(StaffError, match="Enter why"):
        police.change_grade(db_session, n, pat, grade="high", reason="  ", now=NOW)
    with pytest.raises(StaffError, match="already the grade"):
        police.change_grade(db_session, n, pat, grade="standard", reason="x", now=NOW)
    police.change_grade(db_session, n, pat, grade="high", reason="Strangulation disclosed to the school.", now=NOW)
    db_session.commit()
    assert (n.grade, n.police_grade, n.rag, n.due_at) == ("high", "standard", "red", at(2026, 11, 25, 14, 0))
    change = db_session.scalars(select(GradeChange)).one()
    assert change.reason.startswith("Strangulation") and change.changed_by_id == pat.id
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.grade_changed")).one()
    assert event.details["from"] == "standard" and event.details["to"] == "high"
    assert "Strangulation" not in str(event.details) + (event.reason or "")


def two_children(db_session):
    return stored(db_session, receive(db_session, da(children=[
        {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01", "witnessed": True},
        {"first_name": "Ruby", "last_name": "Morris", "date_of_birth": "2022-01-09", "present": True}])).id)


ATTENDEES = [{"agency": "police", "name": "DC Hale", "role": "PPU"},
             {"agency": "social_care", "name": "Sam", "role": "Social worker"},
             {"agency": "education", "name": "Jo", "role": "DSL"}]


def test_a_triage_meeting_records_attendees_and_a_decision_for_each_child(db_session):
    pat, _ = create_staff(db_session)
    n = two_children(db_session)
    police.record_triage_meeting(db_session, n, pat, held_at=NOW, attendees=ATTENDEES, decisions=[
        ChildDecision(0, "refer_to_mash", note="Witnessed an assault"),
        ChildDecision(1, "early_help_offer", consent="given", consent_by="Kelly Morris (mother)",
                      consent_authority="parental_responsibility")], now=NOW)
    db_session.commit()
    meeting = db_session.scalars(select(TriageMeeting)).one()
    assert meeting.police_attended and meeting.agencies == ["education", "police", "social_care"]
    assert [d["decision"] for d in meeting.child_decisions] == ["refer_to_mash", "early_help_offer"]
    assert meeting.child_decisions[1]["consent_by"] == "Kelly Morris (mother)"
    assert n.status == "triaged" and n.closed_at == NOW
    assert police.triage_page(db_session).notifications == []  # off the queue
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.triage_meeting")).one()
    assert event.details["police_attended"] and "Kelly" not in str(event.details)


def test_police_absence_is_recorded(db_session):
    pat, _ = create_staff(db_session)
    n = stored(db_session, receive(db_session, da()).id)
    police.record_triage_meeting(db_session, n, pat, held_at=NOW, attendees=ATTENDEES[1:],
                                 decisions=[ChildDecision(0, "no_further_action")], now=NOW)
    assert db_session.scalars(select(TriageMeeting)).one().police_attended is False


@pytest.mark.parametrize(("decisions", "message"), [
    ([ChildDecision(0, "refer_to_mash")], "one decision for each child"),
    ([ChildDecision(0, "refer_to_mash"), ChildDecision(1, "early_help_offer")],
     "needs the agreement of a person with parental responsibility"),
    ([ChildDecision(0, "refer_to_mash"), ChildDecision(1, "early_help_offer", consent="refused")],
     "cannot go ahead without agreement"),
    ([ChildDecision(0, "refer_to_mash"), ChildDecision(1, "early_help_offer", consent="given")], "who agreed"),
    ([ChildDecision(0, "refer_to_mash"), ChildDecision(1, "early_help_offer", consent="given", consent_by="Kelly")],
     "has parental responsibility"),
    ([ChildDecision(0, "refer_to_mash"), ChildDecision(1, "early_help_offer", consent="given",
                                                       consent_by="Gran, visiting",
                                                       consent_authority="no_parental_responsibility")],
     "needs the agreement of a person with parental responsibility"),
    ([ChildDecision(0, "refer_to_mash"), ChildDecision(1, "ignore")], "Select a decision for child 2"),
])
def test_a_meeting_without_a_decision_per_child_or_early_help_consent_is_refused(db_session, decisions, message):
    pat, _ = create_staff(db_session)
    n = two_children(db_session)
    with pytest.raises(StaffError, match=message):
        police.record_triage_meeting(db_session, n, pat, held_at=NOW, attendees=ATTENDEES, decisions=decisions,
                                     now=NOW)


def test_early_help_still_to_be_sought_is_accepted(db_session):
    pat, _ = create_staff(db_session)
    n = stored(db_session, receive(db_session, da()).id)
    police.record_triage_meeting(db_session, n, pat, held_at=NOW, attendees=ATTENDEES,
                                 decisions=[ChildDecision(0, "early_help_offer", consent="to_be_sought")], now=NOW)
    assert db_session.scalars(select(TriageMeeting)).one().child_decisions[0]["consent"] == "to_be_sought"


def test_an_administrator_cannot_triage(db_session):
    admin, _ = create_staff(db_session, role="admin")
    n = stored(db_session, receive(db_session, da()).id)
    with pytest.raises(StaffError):
        police.change_grade(db_session, n, admin, grade="high", reason="x", now=NOW)


def test_the_triage_queue_is_by_risk_then_due_and_pages_by_keyset(db_session):
    ids = {}
    for i, (grade, ticks) in enumerate([("standard", 2), ("high", 20), ("medium", 11)] * 3):
        ids[i] = receive(db_session, da(grade=grade, ticks=ticks, address=f"{i} Row St", postcode="RG1 1AA",
                                        children=[])).id
    first = police.triage_page(db_session, size=4)
    assert [n.rag for n in first.notifications] == ["red", "red", "red", "amber"]
    second = police.triage_page(db_session, after=first.next_cursor, size=4)
    assert [n.rag for n in second.notifications] == ["amber", "amber", "green", "green"]
    last = police.triage_page(db_session, after=second.next_cursor, size=4)
    assert [n.rag for n in last.notifications] == ["green"] and last.next_cursor is None
