"""Operation Encompass (issue 14, item 5): each child on a notification carries its school; the triage page shows
whether and when the school was told and flags those not told by the start of the next school day."""

import datetime as dt

import pytest
from sqlalchemy import select

from mash.models import AuditEvent, DomesticAbuseNotification
from mash.police import encompass
from mash.staff import StaffError
from tests.police_support import LONDON, NOW, da, receive
from tests.staff_support import create_contact, create_staff, sign_in

JAYDEN = {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01", "present": True}


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def notification(session, **kwargs):
    kwargs.setdefault("school_informed", "no")
    kwargs.setdefault("children", [JAYDEN])
    stored = receive(session, da(**kwargs))
    return session.get(DomesticAbuseNotification, stored.id)


@pytest.mark.parametrize(("occurred", "deadline"), [
    (at(2026, 11, 24, 22, 15), at(2026, 11, 25, 8, 45)),  # Tuesday night -> Wednesday morning
    (at(2026, 11, 25, 2, 0), at(2026, 11, 25, 8, 45)),  # the small hours of a school day -> that morning
    (at(2026, 11, 25, 8, 45), at(2026, 11, 26, 8, 45)),  # as school starts -> the next school day
    (at(2026, 11, 27, 23, 0), at(2026, 11, 30, 8, 45)),  # Friday night -> Monday
    (at(2026, 11, 28, 14, 0), at(2026, 11, 30, 8, 45)),  # Saturday -> Monday
    (at(2026, 12, 24, 20, 0), at(2026, 12, 29, 8, 45)),  # Christmas Eve -> after Christmas and the Boxing Day holiday
])
def test_the_next_school_day_starts_at_08_45_on_the_next_working_day(occurred, deadline):
    assert encompass.school_deadline(occurred) == deadline


def test_the_start_of_the_school_day_is_a_setting():
    nine = encompass.EncompassSettings(school_day_starts=dt.time(9, 0))
    assert encompass.school_deadline(at(2026, 11, 24, 22, 15), settings=nine) == at(2026, 11, 25, 9, 0)


def test_a_childs_school_is_matched_from_an_earlier_contact(db_session):
    earlier = create_contact(db_session, children=[{
        "born": "yes", "first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01", "gender": "boy",
        "school": "Oakfield Primary School"}])
    n = notification(db_session, children=[JAYDEN, {"first_name": "Ruby", "last_name": "Morris"}])
    jayden, ruby = encompass.schools(db_session, n, now=at(2026, 11, 25, 8, 0))
    assert (jayden.school, jayden.source, jayden.earlier_reference) == (
        "Oakfield Primary School", "earlier_contact", earlier.reference)
    assert (ruby.school, ruby.source) == (None, None)
    assert not jayden.told and not jayden.overdue  # 08:00: the school day has not started


def test_a_school_not_told_by_the_start_of_the_school_day_is_flagged(db_session):
    n = notification(db_session)  # incident Tuesday 22:15
    line = encompass.schools(db_session, n, now=at(2026, 11, 25, 8, 45))[0]
    assert line.overdue and line.deadline == at(2026, 11, 25, 8, 45)
    flags = encompass.queue_flags(db_session, [n], now=at(2026, 11, 25, 8, 45))
    assert flags[n.id].overdue and not flags[n.id].told


def test_the_police_saying_the_school_was_told_is_told(db_session):
    n = notification(db_session, school_informed="yes")
    line = encompass.schools(db_session, n, now=at(2026, 11, 25, 10, 0))[0]
    assert line.told and line.police_say_told and not line.overdue and line.told_at is None


def test_school_told_is_recorded_with_its_time_and_who_and_audited(db_session):
    pat, _ = create_staff(db_session, name="Pat Practitioner")
    n = notification(db_session)
    encompass.record_school_told(db_session, n, pat, position=0, school="Oakfield Primary",
                                 told_at=at(2026, 11, 25, 8, 10), now=NOW)
    db_session.commit()
    line = encompass.schools(db_session, n, now=at(2026, 11, 25, 12, 0))[0]
    assert (line.school, line.source, line.told_at, line.recorded_by) == (
        "Oakfield Primary", "staff", at(2026, 11, 25, 8, 10), "Pat Practitioner")
    assert line.told and not line.overdue
    assert encompass.queue_flags(db_session, [n], now=at(2026, 11, 25, 12, 0))[n.id].told
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.school_told")).one()
    assert event.details["in_time"] is True and event.details["notification_id"] == n.id
    assert "Oakfield" not in str(event.details)
    with pytest.raises(StaffError, match="already recorded as told"):
        encompass.record_school_told(db_session, n, pat, position=0, told_at=at(2026, 11, 25, 9, 0), now=NOW)


def test_the_school_is_taken_from_an_earlier_contact_when_none_is_typed(db_session):
    pat, _ = create_staff(db_session)
    create_contact(db_session, children=[{
        "born": "yes", "first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01", "gender": "boy",
        "school": "Oakfield Primary School"}])
    n = notification(db_session)
    child = encompass.record_school_told(db_session, n, pat, position=0, told_at=at(2026, 11, 25, 9, 30), now=NOW)
    assert (child.school, child.school_source) == ("Oakfield Primary School", "earlier_contact")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "police.school_told")).one()
    assert event.details["in_time"] is False  # 09:30 is after the school day started


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"told_at": at(2026, 11, 25, 11, 0)}, "in the future"),
    ({"told_at": at(2026, 11, 24, 21, 0)}, "before the incident"),
    ({"position": 5}, "Select the child"),
    ({"school": ""}, "Enter Jayden's school"),
    ({"school": "x" * 201}, "200 characters"),
])
def test_school_told_refuses_what_cannot_be_right(db_session, kwargs, message):
    pat, _ = create_staff(db_session)
    n = notification(db_session)
    values = {"position": 0, "school": "Oakfield", "told_at": at(2026, 11, 25, 8, 0)} | kwargs
    with pytest.raises(StaffError, match=message):
        encompass.record_school_told(db_session, n, pat, now=NOW, **values)


def test_an_administrator_cannot_record_school_told(db_session):
    admin, _ = create_staff(db_session, role="admin")
    n = notification(db_session)
    with pytest.raises(StaffError, match="Only practitioners"):
        encompass.record_school_told(db_session, n, admin, position=0, school="Oakfield",
                                     told_at=at(2026, 11, 25, 8, 0), now=NOW)


def test_the_triage_pages_show_and_record_school_told(app, db_session):
    user, secret = create_staff(db_session, name="Pat Practitioner")
    client = app.test_client()
    sign_in(client, user, secret)
    # An incident two days ago: the next school day has started, and nobody has told the school.
    occurred = (dt.datetime.now(LONDON) - dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    stored = receive(db_session, da(reference="TVP/DA/ENC", occurred_at=occurred, school_informed="no",
                                    children=[JAYDEN]), now=dt.datetime.now(dt.UTC))
    queue = client.get("/staff/police").get_data(as_text=True)
    assert "School told" in queue and "Not told by the school day" in queue and "Jayden" not in queue
    url = f"/staff/police/notifications/{stored.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Operation Encompass" in page and "Not told by the start of the school day" in page
    told = (dt.datetime.now(LONDON) - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(f"{url}/school-told", data={"position": "0", "school": "", "told_at": told},
                       follow_redirects=True).get_data(as_text=True)
    assert "Enter Jayden&#39;s school" in page or "Enter Jayden's school" in page
    page = client.post(f"{url}/school-told", data={"position": "0", "school": "Oakfield Primary", "told_at": told},
                       follow_redirects=True).get_data(as_text=True)
    assert "School told: recorded" in page and "recorded by Pat Practitioner" in page
    assert "Not told by the start of the school day" not in page
    assert "Not told by the school day" not in client.get("/staff/police").get_data(as_text=True)
