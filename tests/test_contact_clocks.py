"""Clocks by risk (issue 14 item 3; domain.md "contact decision by risk"): danger now is taken within 15 minutes
in office hours, red decided within 4 office hours, amber within 6, green within the 1-working-day cap. For the
same arrival no two colours ever share a deadline, across weekends and bank holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from forms import examples
from forms.referral import JOURNEYS
from mash.clock import ContactClocks, WorkingCalendar, describe_due, describe_office_hours
from mash.intake import receive_referral
from mash.models import Contact
from portal.config import ConfigError, from_environment
from tests.bot_support import FakeParser, post_sms, use_parser

LONDON = ZoneInfo("Europe/London")
cal = WorkingCalendar()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def dues(moment: dt.datetime, calendar: WorkingCalendar = cal) -> tuple[dt.datetime, ...]:
    return (calendar.contact_due(moment, "red", danger_now=True), calendar.contact_due(moment, "red"),
            calendar.contact_due(moment, "amber"), calendar.contact_due(moment, "green"))


def test_christmas_eve_afternoon_across_the_bank_holiday_weekend():
    # Thu 24 Dec 2026 15:00; Fri 25 (Christmas), the weekend and Mon 28 (Boxing Day observed) are closed.
    assert dues(at(2026, 12, 24, 15, 0)) == (
        at(2026, 12, 24, 15, 15),  # danger now: taken within 15 minutes
        at(2026, 12, 29, 11, 0),  # red: 2 office hours on Thursday, 2 on Tuesday
        at(2026, 12, 29, 13, 0),  # amber: 2 + 4
        at(2026, 12, 29, 15, 0),  # green: one working day
    )


def test_out_of_hours_the_day_teams_clocks_start_at_the_next_opening():
    # Saturday night before the late-summer bank holiday: the office next opens on Tuesday 1 September.
    assert dues(at(2026, 8, 29, 23, 0)) == (
        at(2026, 9, 1, 9, 15), at(2026, 9, 1, 13, 0), at(2026, 9, 1, 15, 0), at(2026, 9, 2, 9, 0))


@pytest.mark.parametrize("start", [at(2026, 12, 21, 0, 0), at(2026, 3, 27, 0, 0), at(2026, 10, 23, 0, 0)])
def test_no_two_colours_ever_share_a_deadline(start):
    # Every 7 minutes for 9 days: the Christmas fortnight, the spring clock change, the autumn one.
    moment = start
    while moment < start + dt.timedelta(days=9):
        danger, red, amber, green = dues(moment)
        assert danger < red < amber < green, moment
        assert green <= cal.add_working_days(moment, 1)  # never past the 1-working-day cap
        moment += dt.timedelta(minutes=7)


def test_a_team_open_every_day_keeps_the_colours_apart():
    always = WorkingCalendar(day_starts=dt.time(0, 0), day_ends=dt.time(23, 59), every_day=True)
    danger, red, amber, green = dues(at(2026, 12, 25, 10, 0), always)
    assert (danger, red, amber) == (at(2026, 12, 25, 10, 15), at(2026, 12, 25, 14, 0), at(2026, 12, 25, 16, 0))
    assert green == at(2026, 12, 26, 10, 0)


def test_the_settings_set_the_clocks_and_refuse_ones_that_would_make_two_colours_meet():
    calendar = from_environment({"CONTACT_RED_OFFICE_HOURS": "2", "CONTACT_AMBER_OFFICE_HOURS": "5"}).calendar
    assert calendar.contact_clocks == ContactClocks(red_office_hours=2, amber_office_hours=5)
    assert calendar.contact_due(at(2026, 12, 1, 9, 0), "red") == at(2026, 12, 1, 11, 0)
    with pytest.raises(ConfigError, match="CONTACT_RED_OFFICE_HOURS must be less than CONTACT_AMBER_OFFICE_HOURS"):
        from_environment({"CONTACT_RED_OFFICE_HOURS": "6"})
    with pytest.raises(ConfigError, match=r"CONTACT_AMBER_OFFICE_HOURS must be less than one office day \(5 hours\)"):
        from_environment({"OFFICE_OPENS": "10:00", "OFFICE_CLOSES": "15:00"})
    with pytest.raises(ConfigError, match="CONTACT_GREEN_WORKING_DAYS must be 1"):
        from_environment({"CONTACT_GREEN_WORKING_DAYS": "2"})
    with pytest.raises(ConfigError, match="CONTACT_DANGER_NOW_MINUTES must be more than 0"):
        from_environment({"CONTACT_DANGER_NOW_MINUTES": "0"})


def _referral(journey: str, answers: dict):
    referral, problems = JOURNEYS[journey].validate(answers, today=dt.date(2026, 12, 24))
    assert referral is not None, problems
    return referral


def test_a_red_and_a_green_referral_made_together_show_different_deadlines(db_session):
    arrived = at(2026, 12, 24, 15, 0)
    red = receive_referral(db_session, _referral("report", examples.professional_concern()), channel="web",
                           actor="public:web", received_at=arrived)
    green = receive_referral(db_session, _referral("help", examples.family_help_request()), channel="web",
                             actor="public:web", received_at=arrived)
    danger = receive_referral(db_session, _referral("help", examples.family_help_request()), channel="web",
                              actor="public:web", received_at=arrived, danger=("violence_now",))
    db_session.commit()
    assert (red.rag, green.rag) == ("red", "green")
    assert red.decision_due_at == at(2026, 12, 29, 11, 0) and green.decision_due_at == at(2026, 12, 29, 15, 0)
    assert danger.decision_due_at == at(2026, 12, 24, 15, 15)
    # what the referrer's confirmation page and the staff pages say, from the one clock
    assert describe_due(red.decision_due_at) == "11am on Tuesday 29 December 2026"


def test_danger_in_a_conversation_already_red_for_a_check_brings_its_deadline_forward(client, db_session,
                                                                                      monkeypatch):
    use_parser(monkeypatch, FakeParser())
    post_sms(client, "my ex drinks when he has the kids on his weekends, they say he falls asleep on the sofa")
    checked = db_session.scalars(select(Contact)).one()
    before = checked.decision_due_at
    sent = dt.datetime.now(dt.UTC)
    post_sms(client, "dad is drunk and throwing things at us im hiding in my room")
    answered = dt.datetime.now(dt.UTC)
    db_session.expire_all()
    after = db_session.scalars(select(Contact)).one().decision_due_at
    # red's 4 office hours become danger now's 15 minutes, from this message (in or out of office hours)
    assert after < before
    assert cal.contact_due(sent, "red", danger_now=True) <= after <= cal.contact_due(answered, "red", danger_now=True)


def test_office_hours_in_words():
    assert describe_office_hours(WorkingCalendar()) == "Monday to Friday, 9am to 5pm, except bank holidays"
    assert describe_office_hours(WorkingCalendar(day_starts=dt.time(8, 30), day_ends=dt.time(12, 0),
                                                 every_day=True)) == "every day, 8:30am to 12pm"
