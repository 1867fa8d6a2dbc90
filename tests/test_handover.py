"""The out-of-hours handover: due at 09:00 the next working day, and never complete without its rationale."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from forms import examples
from forms.referral import REPORT
from mash import handover
from mash.clock import WorkingCalendar
from mash.intake import receive_referral
from mash.models import AuditEvent, Handover
from mash.staff import StaffError
from tests.police_support import LONDON
from tests.staff_support import create_staff


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def referral_at(session, received_at, **kwargs):
    referral, problems = REPORT.validate(examples.professional_concern(),
                                         today=received_at.astimezone(LONDON).date())
    assert problems == []
    contact = receive_referral(session, referral, channel="web", actor="public:web", received_at=received_at, **kwargs)
    session.commit()
    return contact


@pytest.mark.parametrize(("received", "due"), [
    (at(2026, 11, 25, 19, 30), at(2026, 11, 26, 9, 0)),  # Wednesday evening -> Thursday 09:00
    (at(2026, 11, 26, 6, 45), at(2026, 11, 26, 9, 0)),  # early Thursday -> the same morning
    (at(2026, 11, 27, 17, 0), at(2026, 11, 30, 9, 0)),  # Friday at closing -> Monday
    (at(2026, 11, 28, 12, 0), at(2026, 11, 30, 9, 0)),  # Saturday -> Monday
    (at(2026, 12, 24, 18, 0), at(2026, 12, 29, 9, 0)),  # Christmas Eve -> after Christmas and Boxing Day
    (at(2026, 4, 3, 10, 0), at(2026, 4, 7, 9, 0)),  # Good Friday, in what would be office hours -> Tuesday
])
def test_a_web_referral_out_of_hours_becomes_a_handover_due_at_the_next_opening(db_session, received, due):
    contact = referral_at(db_session, received)
    item = db_session.scalars(select(Handover)).one()
    assert (item.source, item.contact_id, item.due_at, item.status) == ("contact", contact.id, due, "open")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "contact.received")).one()
    assert event.details["handover_due_at"] == due.isoformat()


def test_a_referral_in_office_hours_makes_no_handover(db_session):
    referral_at(db_session, at(2026, 11, 25, 11, 0))
    assert db_session.scalar(select(func.count()).select_from(Handover)) == 0


def test_the_councils_office_hours_decide_what_is_out_of_hours(db_session):
    late_office = WorkingCalendar(day_starts=dt.time(8, 0), day_ends=dt.time(18, 0))
    referral_at(db_session, at(2026, 11, 25, 17, 30), calendar=late_office)
    assert db_session.scalar(select(func.count()).select_from(Handover)) == 0


VALUES = {"caller": "Neighbour, 07700 900123", "child": "Casey Lane, 12", "what_happened": "Shouting, a child crying",
          "action_taken": "Police welfare check requested", "rationale": "Police could attend within the hour",
          "day_team_actions": "Check police log; contact school"}


def test_an_edt_call_is_recorded_completed_and_acknowledged(db_session):
    edt, _ = create_staff(db_session, name="Eddie Duty")
    day, _ = create_staff(db_session, name="Dana Day")
    now = at(2026, 11, 28, 2, 0)
    item = handover.record_call(db_session, edt, received_at=at(2026, 11, 28, 1, 15), now=now,
                                values={"what_happened": VALUES["what_happened"], "caller": VALUES["caller"]})
    assert item.due_at == at(2026, 11, 30, 9, 0) and item.status == "open"
    with pytest.raises(StaffError, match="day team acknowledges|completed it"):
        handover.acknowledge(db_session, item, day, now=now)
    handover.complete(db_session, item, edt, values=VALUES, now=now)
    handover.acknowledge(db_session, item, day, now=at(2026, 11, 30, 8, 55))
    db_session.commit()
    assert (item.status, item.completed_by_id, item.acknowledged_by_id) == ("acknowledged", edt.id, day.id)
    assert handover.day_team_queue(db_session) == []
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.event.like("handover.%"))).all()
    assert [e.event for e in events] == ["handover.recorded", "handover.completed", "handover.acknowledged"]
    assert events[1].details["on_time"] is True and "Casey" not in str([e.details for e in events])


@pytest.mark.parametrize("missing_field", ["rationale", "action_taken", "day_team_actions"])
def test_a_handover_without_its_rationale_cannot_be_completed(db_session, missing_field):
    edt, _ = create_staff(db_session)
    item = handover.record_call(db_session, edt, received_at=at(2026, 11, 28, 1, 15), now=at(2026, 11, 28, 2, 0),
                                values={"what_happened": "x"})
    with pytest.raises(StaffError, match="cannot be completed without"):
        handover.complete(db_session, item, edt, values={**VALUES, missing_field: "   "})
    assert item.status == "open"


def test_a_call_needs_what_happened_and_cannot_be_in_the_future(db_session):
    edt, _ = create_staff(db_session)
    with pytest.raises(StaffError, match="what happened"):
        handover.record_call(db_session, edt, received_at=at(2026, 11, 28, 1, 0), now=at(2026, 11, 28, 2, 0),
                             values={"caller": "x"})
    with pytest.raises(StaffError, match="future"):
        handover.record_call(db_session, edt, received_at=at(2026, 11, 28, 3, 0), now=at(2026, 11, 28, 2, 0),
                             values={"what_happened": "x"})


def test_the_day_team_queue_is_soonest_due_first(db_session):
    edt, _ = create_staff(db_session)
    later = handover.record_call(db_session, edt, received_at=at(2026, 11, 28, 1, 0), now=at(2026, 11, 28, 2, 0),
                                 values={"what_happened": "x"})
    sooner = handover.record_call(db_session, edt, received_at=at(2026, 11, 26, 1, 0), now=at(2026, 11, 28, 2, 0),
                                  values={"what_happened": "y"})
    assert handover.day_team_queue(db_session) == [sooner, later]


def test_an_administrator_cannot_record_a_call(db_session):
    admin, _ = create_staff(db_session, role="admin")
    with pytest.raises(StaffError):
        handover.record_call(db_session, admin, received_at=at(2026, 11, 28, 1, 0), now=at(2026, 11, 28, 2, 0),
                             values={"what_happened": "x"})


def test_a_contact_that_waited_out_of_hours_is_taken_by_the_day_team_without_edt_action(db_session):
    day, _ = create_staff(db_session, name="Dana Day")
    referral_at(db_session, at(2026, 11, 25, 19, 30))  # a web form on Wednesday evening; nobody in the EDT saw it
    item = db_session.scalars(select(Handover)).one()
    assert item.due_at == at(2026, 11, 26, 9, 0) and handover.day_team_queue(db_session) == [item]
    handover.acknowledge(db_session, item, day, now=at(2026, 11, 26, 8, 50))
    db_session.commit()
    assert (item.status, item.acknowledged_by_id, item.completed_at) == ("acknowledged", day.id, None)
    assert item.action_taken == "No emergency duty action"
    assert item.rationale == "The contact arrived out of hours and waited for the day team"
    assert handover.day_team_queue(db_session) == []
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "handover.acknowledged")).one()
    assert event.details["without_edt_action"] is True and event.details["on_time"] is True
    assert event.reason.startswith("No emergency duty action: the contact arrived out of hours")
    with pytest.raises(StaffError, match="already taken"):
        handover.acknowledge(db_session, item, day, now=at(2026, 11, 26, 9, 0))


def test_an_edt_call_still_cannot_be_taken_before_it_is_completed_with_its_rationale(db_session):
    edt, _ = create_staff(db_session, name="Eddie Duty")
    day, _ = create_staff(db_session, name="Dana Day")
    item = handover.record_call(db_session, edt, received_at=at(2026, 11, 28, 1, 15), now=at(2026, 11, 28, 2, 0),
                                values={"what_happened": "x"})
    with pytest.raises(StaffError, match="completed it"):
        handover.acknowledge(db_session, item, day, now=at(2026, 11, 30, 9, 0))
    assert item.status == "open" and item.rationale is None


def test_the_handover_list_leaves_out_contacts_that_arrived_with_nothing_recorded(app, db_session):
    """Item 6 of issue 15: the list shows what a person wrote; empty automatic rows are counted, and shown on ask."""
    from tests.staff_support import sign_in

    edt, secret = create_staff(db_session, name="Eddie Duty")
    quiet = [referral_at(db_session, at(2026, 11, 25, 19, 30)), referral_at(db_session, at(2026, 11, 25, 20, 15))]
    call = handover.record_call(db_session, edt, received_at=at(2026, 11, 28, 1, 0), now=at(2026, 11, 28, 2, 0),
                                values={"what_happened": "A child alone at home"})
    db_session.commit()
    assert handover.day_team_queue(db_session, with_nothing_recorded=False) == [call]
    assert len(handover.day_team_queue(db_session)) == 3 and handover.count_arrived_with_nothing(db_session) == 2
    client = app.test_client()
    sign_in(client, edt, secret)
    page = client.get("/staff/handovers").get_data(as_text=True)
    assert f"Call: contact {call.contact.reference}" in page
    assert all(c.reference not in page for c in quiet) and "Arrived out of hours: nothing recorded" not in page
    assert "2 contacts arrived out of hours with nothing recorded" in page
    everything = client.get("/staff/handovers?all=1").get_data(as_text=True)
    assert all(c.reference in everything for c in quiet) and "Show only handovers with something recorded" in everything
    # once the day team takes one, it is neither listed nor counted
    taken = db_session.scalars(select(Handover).where(Handover.contact_id == quiet[0].id)).one()
    handover.acknowledge(db_session, taken, edt, now=at(2026, 11, 26, 8, 50))
    db_session.commit()
    listed = client.get("/staff/handovers").get_data(as_text=True)
    assert "1 contact arrived out of hours with nothing recorded" in listed
